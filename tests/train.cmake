# Training (src/train/).
lj_add_test(test_train_config test_train_config.c LABELS unit)
