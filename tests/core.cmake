# Core: Score, rtq, and the dsp real-time rules.
lj_add_test(test_score test_score.c LABELS unit)
lj_add_test(test_rtq test_rtq.c LABELS "unit;threads")
target_link_libraries(test_rtq PRIVATE pthread)
add_test(NAME dsp_symbols COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/check_dsp_symbols.sh)
set_tests_properties(dsp_symbols PROPERTIES LABELS unit
                     ENVIRONMENT "LJ_DSP_LIB=$<TARGET_FILE:lstmjam_dsp>")
lj_add_script_test(cli_basic cli_basic.sh LABELS unit)
