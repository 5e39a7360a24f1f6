/* abc_frac: exact fractions of a whole note for ABC lengths and positions
 * (tuplets of 5 or 7 have no exact tick, so times stay fractions until a note
 * is written out). Products go through 128-bit intermediates and refuse
 * results beyond 2^40 so hostile lengths end in LJ_ERR_LIMIT, never in
 * overflow. */
#include <stdlib.h>

#include "abc_internal.h"

#define ABC_FRAC_SAFE ((int64_t)1 << 40) /* keep products far from int64 overflow */

/* 128-bit intermediates for exact fraction arithmetic (GCC and Clang). */
__extension__ typedef __int128 i128;

static int64_t gcd64(int64_t a, int64_t b) {
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a ? a : 1;
}

abc_frac abc_frac_make(int64_t num, int64_t den) {
    abc_frac f;
    if (den < 0) {
        num = -num;
        den = -den;
    }
    int64_t g = gcd64(num, den);
    f.num = num / g;
    f.den = den / g;
    return f;
}

abc_frac abc_frac_add(abc_frac a, abc_frac b, int *overflow) {
    int64_t g = gcd64(a.den, b.den);
    int64_t da = a.den / g, db = b.den / g;
    if (da > ABC_FRAC_SAFE / (b.den ? b.den : 1) || llabs(a.num) > ABC_FRAC_SAFE ||
        llabs(b.num) > ABC_FRAC_SAFE || db > ABC_FRAC_SAFE / 4096 || da > ABC_FRAC_SAFE / 4096) {
        *overflow = 1;
        return a;
    }
    i128 num = (i128)a.num * db + (i128)b.num * da;
    i128 den = (i128)da * b.den;
    if (num > ABC_FRAC_SAFE * 4096 || num < -ABC_FRAC_SAFE * 4096 || den > ABC_FRAC_SAFE) {
        *overflow = 1;
        return a;
    }
    return abc_frac_make((int64_t)num, (int64_t)den);
}

abc_frac abc_frac_mul(abc_frac a, abc_frac b, int *overflow) {
    int64_t g1 = gcd64(a.num, b.den), g2 = gcd64(b.num, a.den);
    i128 num = (i128)(a.num / g1) * (b.num / g2);
    i128 den = (i128)(a.den / g2) * (b.den / g1);
    if (num > ABC_FRAC_SAFE || num < -ABC_FRAC_SAFE || den > ABC_FRAC_SAFE) {
        *overflow = 1;
        return a;
    }
    return abc_frac_make((int64_t)num, (int64_t)den);
}

int abc_frac_cmp(abc_frac a, abc_frac b) {
    i128 l = (i128)a.num * b.den, r = (i128)b.num * a.den;
    return l < r ? -1 : l > r ? 1 : 0;
}

int64_t abc_frac_ticks(abc_frac a) {
    /* whole note = 4 quarter notes = 4 * SCORE_PPQ ticks; round half up */
    i128 n = (i128)a.num * 4 * SCORE_PPQ;
    i128 q = (n * 2 + a.den) / (2 * (i128)a.den);
    if (n < 0) q = -((-n * 2 + a.den) / (2 * (i128)a.den));
    return (int64_t)q;
}

