# Training (src/train/).
lj_add_test(test_train_config test_train_config.c LABELS unit)
lj_add_test(test_sample test_sample.c LABELS unit)
lj_add_script_test(train_resume train_resume.sh LABELS unit)
lj_add_test(test_trainer_nan test_trainer_nan.c LABELS unit)
lj_add_script_test(train_parity train_parity.sh LABELS unit)
# Every recipe in presets/train/ loads and names data that exists.
lj_add_test(test_train_recipes test_train_recipes.c LABELS corpus)
