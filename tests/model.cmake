# Model (model/): kernels, heads, optimizers, the model arena and the step API.
# These tests link only lstmjam_model (pure numerics), so they build and run
# whatever state the host library is in.
function(lj_add_model_test name)
  cmake_parse_arguments(T "" "" "LABELS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE lstmjam_model)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "${LJ_TEST_ENV}"
                       LABELS "${T_LABELS}")
endfunction()

lj_add_model_test(test_model_fd test_model_fd.c LABELS unit)
lj_add_model_test(test_model_golden test_model_golden.c LABELS unit)
lj_add_model_test(test_optim test_optim.c LABELS unit)
lj_add_model_test(test_model_lengths test_model_lengths.c LABELS unit)
lj_add_model_test(test_model_step test_model_step.c LABELS unit)
target_link_options(test_model_step PRIVATE
                    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc)
lj_add_model_test(test_model_simd test_model_simd.c LABELS unit)
target_link_options(test_model_simd PRIVATE
                    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc)
# The golden and step tests again with the vector kernels capped (LJ_ISA), so
# the AVX2 and plain-C paths run the whole model too, not only the AVX-512 one.
foreach(isa scalar avx2)
  foreach(t test_model_golden test_model_step)
    add_test(NAME ${t}_${isa} COMMAND ${t})
    set_tests_properties(${t}_${isa} PROPERTIES SKIP_RETURN_CODE 77 LABELS unit
                         ENVIRONMENT "${LJ_TEST_ENV};LJ_ISA=${isa}")
  endforeach()
endforeach()
# The own sgemm (model/sgemm.h) vs gemm_naive on every ISA, threads, prepacked B;
# label threads: the TSan build runs it (its worker pool).
lj_add_model_test(test_sgemm test_sgemm.c LABELS unit threads)
target_link_options(test_sgemm PRIVATE
                    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc)
