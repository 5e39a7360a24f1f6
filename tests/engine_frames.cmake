# The engine playing frame models (psd, pianoroll) from tests/data/generate:
# notes, determinism, no allocation per step, no stuck notes, continue mode
# (test_engine_frames); render --model on them (render_frames_cli.sh).
lj_add_alloc_test(test_engine_frames test_engine_frames.c)
lj_add_script_test(render_frames_cli render_frames_cli.sh LABELS unit)
# Density: more or fewer notes per unit of time on psd, pianoroll, event and
# notechord; not applying to abc (test_engine_density).
lj_add_alloc_test(test_engine_density test_engine_density.c)
# auto mode's fresh starts: at temperature 0 each piece starts somewhere new
# (its opening drawn at ENGINE_OPENING_TEMPERATURE), the same seed the same
# notes (event, timestep, psd shipped models).
lj_add_test(test_engine_reseed test_engine_reseed.c LABELS unit)
