# The .lstm container (model/modelfile.c).
lj_add_test(test_modelfile test_modelfile.c LABELS unit)
lj_add_test(test_modelio test_modelio.c LABELS unit)
