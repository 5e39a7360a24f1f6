# Real-time engine: src/engine (generation, look-ahead, modes, session recording),
# lstmjam render --model, play, devices.
# The engine against dsp/event_sched with a fake synth: determinism, zero
# allocations per step, tempo, no stuck notes (overflows, panics, stops),
# continue mode, the live queue. Linked with the allocation counter.
lj_add_alloc_test(test_engine test_engine.c)
