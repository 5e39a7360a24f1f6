/* nade: the RNN-NADE head (float, and the double oracle from nade.inc). */
#include "nade.h"

#include <math.h>

#include "kernels.h"

size_t nade_scratch_len(int D, int Hn) {
    return ((size_t)(D > 0 ? D : 0) + 3) * (size_t)(Hn > 0 ? Hn : 0);
}

#define LJ_REAL_DOUBLE 0
#include "lj_real.h"
#include "nade.inc"
#include "lj_real_end.h"

#define LJ_REAL_DOUBLE 1
#include "lj_real.h"
#include "nade.inc"
#include "lj_real_end.h"
