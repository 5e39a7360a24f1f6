/* lj_real.h: the precision switch behind every numeric kernel.
 *
 * Each kernel is written once, in a model/X.inc file, against `real_t` and
 * `FN(name)`, and compiled twice by its .c file: float (the production path,
 * OpenBLAS or the _naive loops) and double (suffix _f64, plain loops only), the
 * oracle that finite-difference tests differentiate. So the code the tests check
 * is the code that trains, not a re-implementation.
 *
 * Usage (no include guard on purpose: it is included once per precision):
 *     #define LJ_REAL_DOUBLE 0
 *     #include "lj_real.h"
 *     #include "lstm.inc"
 *     #include "lj_real_end.h"
 */
#if LJ_REAL_DOUBLE
#define real_t double
#define FN(name) name##_f64
#define R_EXP exp
#define R_LOG log
#define R_LOG1P log1p
#define R_TANH tanh
#define R_SQRT sqrt
#define R_FABS fabs
#define R_COS cos
#else
#define real_t float
#define FN(name) name
#define R_EXP expf
#define R_LOG logf
#define R_LOG1P log1pf
#define R_TANH tanhf
#define R_SQRT sqrtf
#define R_FABS fabsf
#define R_COS cosf
#endif
