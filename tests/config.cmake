# YAML configs and presets (src/config.c).
lj_add_test(test_config test_config.c LABELS unit)
