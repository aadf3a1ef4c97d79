/* emit_linear.c - a gblinear model's weights as m4 definitions (see emit_linear.h). */
#include "emit_linear.h"

#include <stdint.h>

#include "emit.h"


static void put_row(FILE *out, const float *w, uint32_t n) {
  char num[32];
  uint32_t g;

  for (g = 0; g < n; g++)
    fprintf(out, "%s%s", g ? ", " : "", xgbc_float_literal(num, sizeof num, w[g]));
}


int xgbc_emit_linear_defs(FILE *out, const struct xgbc_model *m) {
  uint32_t j, k = m->num_groups;

  /* The weights array is num_features rows of k, then the bias row (xgboost.md, step 9). */
  fputs("m4_define(@<bg4_linear_rows@>, @<", out);
  for (j = 0; j < m->num_features; j++) {
    fprintf(out, "bg4_linear_row(%u, @<", j);
    put_row(out, m->linear_weights + (size_t)j * k, k);
    fputs("@>)\n", out);
  }
  fputs("@>)\n", out);
  fputs("m4_define(@<bg4_linear_bias@>, @<", out);
  put_row(out, m->linear_weights + (size_t)m->num_features * k, k);
  fputs("@>)\n", out);
  return ferror(out) ? XGBC_EIO : 0;
}
