/* emit_linear.h - the m4 definitions of a gblinear model's weights (for model_linear.c.m4). */
#ifndef XGBC_EMIT_LINEAR_H
#define XGBC_EMIT_LINEAR_H

#include <stdio.h>

#include "ir.h"

/* Write bg4_linear_rows (one bg4_linear_row(FEATURE, @<w, ...@>) per feature, a weight per
 * output group) and bg4_linear_bias (the bias row, comma separated) to out. xgbc_emit_defs calls
 * it for a gblinear model, after the definitions every model has. Returns 0 or XGBC_EIO. */
int xgbc_emit_linear_defs(FILE *out, const struct xgbc_model *m);

#endif /* XGBC_EMIT_LINEAR_H */
