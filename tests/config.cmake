# YAML configs and presets (src/config.c).
lj_add_test(test_config test_config.c LABELS unit)
# Play presets (src/preset.c) and every shipped presets/*.yaml.
lj_add_test(test_preset test_preset.c LABELS unit)
lj_add_script_test(preset_cli preset_cli.sh LABELS unit)
lj_add_script_test(preset_jack preset_jack.sh LABELS unit live)
# Seven SIGHUP hot swaps on JACK dummy: each swapped in, no late event, no
# xrun or long callback more than an untouched run (~15 s).
lj_add_script_test(preset_swap_live preset_swap_live.sh LABELS unit live)
lj_add_script_test(preset_ambient preset_ambient.sh LABELS unit)
# tools/demo.sh (make run): render path and a clean Ctrl-C in the play path.
lj_add_script_test(demo_run demo_run.sh LABELS unit)
# Allocation failures of train_config_parse (presets/train/*.yaml) and
# preset_parse (presets/*.yaml): LJ_ERR_NOMEM and nothing leaked.
lj_add_alloc_test(test_config_alloc test_config_alloc.c)
