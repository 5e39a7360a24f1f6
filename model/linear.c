/* linear: dense layer, embedding lookup and inverted dropout (float and the
 * double oracle from one source, linear.inc). */
#include "kernels.h"

#define LJ_REAL_DOUBLE 0
#include "lj_real.h"
#include "linear.inc"
#include "lj_real_end.h"

#define LJ_REAL_DOUBLE 1
#include "lj_real.h"
#include "linear.inc"
#include "lj_real_end.h"
