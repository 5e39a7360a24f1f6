# Datasets for train and eval (src/train/dataset.c, dataset_cache.c).
lj_add_test(test_dataset test_dataset.c LABELS unit corpus)
lj_add_script_test(train_encodings train_encodings.sh LABELS unit corpus)
lj_add_test(test_modelio_encoding test_modelio_encoding.c LABELS unit)
# abc models from raw .abc text through the tokens route (encode, then train
# and eval on the tokens file): train_abc_tokens.sh.
lj_add_script_test(train_abc_tokens train_abc_tokens.sh LABELS unit corpus)
