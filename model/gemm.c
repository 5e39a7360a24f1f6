/* gemm: OpenBLAS sgemm, its plain-loop twin, and the double oracle. */
#include "kernels.h"

#ifdef LJ_HAVE_BLAS
#include <cblas.h>
#endif

#define LJ_REAL_DOUBLE 0
#include "lj_real.h"
#include "gemm.inc"
#include "lj_real_end.h"

#define LJ_REAL_DOUBLE 1
#include "lj_real.h"
#include "gemm.inc"
#include "lj_real_end.h"
