/* lj_real_end.h: undoes lj_real.h so the next precision (or an includer) starts
 * clean. No include guard on purpose. */
#undef real_t
#undef FN
#undef R_EXP
#undef R_LOG
#undef R_LOG1P
#undef R_TANH
#undef R_SQRT
#undef R_FABS
#undef R_COS
#undef LJ_REAL_DOUBLE
