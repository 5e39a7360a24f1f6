/* kernels: the layer kernels of lstmjam, llm.c style.
 *
 * Forward/backward pairs over plain arrays with shapes in the comments. Layout
 * is time-major: a sequence tensor is (T,B,C) so that one step is a contiguous
 * (B,C) block. Backward functions accumulate (+=) into parameter gradients and
 * into input gradients, so the caller zeroes them (the model does). Every kernel
 * exists twice from one source (lj_real.h): float, and double with the suffix
 * _f64 (plain loops; the finite-difference oracle). The float gemm uses
 * OpenBLAS when built with LJ_HAVE_BLAS and `naive` == 0, else its plain-loop
 * twin gemm_naive. No kernel allocates, locks or prints. */
#ifndef LJ_KERNELS_H
#define LJ_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#define LJ_REAL_DOUBLE 0
#include "lj_real.h"
#include "kernels_decl.inc"
#include "lj_real_end.h"

#define LJ_REAL_DOUBLE 1
#include "lj_real.h"
#include "kernels_decl.inc"
#include "lj_real_end.h"

#endif
