/* xgb.c - see xgb.h. */
#include "xgb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <xgboost/c_api.h>

#include "csv.h"
#include "helpers.h"

#define XGB_OK(call) cr_assert((call) == 0, "%s failed: %s", #call, XGBGetLastError())


float *bgt_xgb_predict(const char *model_path, const float *x, size_t n, size_t nf,
                       size_t *per_row) {
  BoosterHandle h;
  DMatrixHandle dm;
  bst_ulong len;
  const float *pred;
  float *out;

  XGB_OK(XGBoosterCreate(NULL, 0, &h));
  XGB_OK(XGBoosterLoadModel(h, model_path));
  XGB_OK(XGDMatrixCreateFromMat(x, n, nf, NAN, &dm));
  XGB_OK(XGBoosterPredict(h, dm, 0, 0, 0, &len, &pred));
  cr_assert(n > 0 && len % n == 0, "XGBoost gave %llu values for %zu rows",
            (unsigned long long)len, n);
  out = malloc(len * sizeof *out);
  cr_assert(out != NULL);
  memcpy(out, pred, len * sizeof *out);
  *per_row = len / n;
  XGDMatrixFree(dm);
  XGBoosterFree(h);
  return out;
}


const char *bgt_aws_rtb_model(void) {
  return bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"));
}


uint32_t bgt_bits(float f) {
  uint32_t u;

  memcpy(&u, &f, sizeof u);
  return u;
}


float *bgt_csv_rows(const char *csv, size_t nf, size_t *n) {
  size_t cap = 64, rows = 0, bad;
  float *x = malloc(cap * nf * sizeof *x);
  const char *p = csv;

  while (*p != '\0') {
    size_t len = strcspn(p, "\n");
    size_t l = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
    if (l > 0) {
      if (rows == cap)
        x = realloc(x, (cap *= 2) * nf * sizeof *x);
      cr_assert(bg_csv_parse_row(p, l, x + rows * nf, nf, &bad) == BG_CSV_OK,
                "test data row %zu: cell %zu", rows + 1, bad);
      rows++;
    }
    p += len + (p[len] == '\n');
  }
  *n = rows;
  return x;
}
