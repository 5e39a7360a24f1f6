# The .lstm container (model/modelfile.c).
lj_add_test(test_modelfile test_modelfile.c LABELS unit)
