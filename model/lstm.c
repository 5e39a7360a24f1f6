/* lstm: the LSTM layer kernels (float and the double oracle from lstm.inc). */
#include "kernels.h"
#include "simd.h"

#include <math.h>

#define LJ_REAL_DOUBLE 0
#include "lj_real.h"
#include "lstm.inc"
#include "lj_real_end.h"

#define LJ_REAL_DOUBLE 1
#include "lj_real.h"
#include "lstm.inc"
#include "lj_real_end.h"
