# RNN-NADE head (model/nade.h): finite differences, identities, PyTorch golden
# numbers, sampling. Linked against lstmjam_model only (pure numerics). The
# helper is our own so this file does not depend on the include order of
# tests/*.cmake (model.cmake's lj_add_model_test happens to come first).
function(lj_add_nade_test name)
  cmake_parse_arguments(T "" "" "LABELS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE lstmjam_model)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "${LJ_TEST_ENV}"
                       LABELS "${T_LABELS}")
endfunction()

lj_add_nade_test(test_nade_fd test_nade_fd.c LABELS unit)
lj_add_nade_test(test_nade_golden test_nade_golden.c LABELS unit)
lj_add_nade_test(test_nade_sample test_nade_sample.c LABELS unit)
target_link_options(test_nade_sample PRIVATE
                    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc)
# The NADE head inside the whole model: finite differences through a double
# twin of the model, float model vs twin, step sampling vs the forward,
# zero-weight NADE == Bernoulli, refusals (allocation counter linked in).
lj_add_nade_test(test_model_nade test_model_nade.c LABELS unit)
target_link_options(test_model_nade PRIVATE
                    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc)
