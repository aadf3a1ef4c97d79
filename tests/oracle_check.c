/* oracle_check.c - `make model`'s last step: the compiled model equals XGBoost on given rows.
 *
 *   oracle-check MODEL.json ROWS.csv
 *
 * Loads MODEL.json with XGBoost's C API and predicts ROWS.csv (features, an empty cell is
 * missing) with it and with the model linked into this program (BG_MODEL_SYMBOL), transformed
 * and margin, and compares the float32 bits. Prints one line: how many rows agreed, or the
 * first row that did not, with both values in hex. Exit 0 when all agree, 1 otherwise.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "csv.h"
#include "model_abi.h"

#ifndef BG_MODEL_SYMBOL
#error "compile with -DBG_MODEL_SYMBOL=bg_model_<name>"
#endif

extern const struct bg_model BG_MODEL_SYMBOL;


static int read_rows(const char *path, size_t nf, float **x, size_t *rows) {
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0, n = 0, have = 0, bad, lineno = 0;
  ssize_t len;

  if (f == NULL) {
    perror(path);
    return -1;
  }
  *x = NULL;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      len--;
    if (len == 0)
      continue;
    if (n == have) {
      have = have ? 2 * have : 1024;
      *x = realloc(*x, have * nf * sizeof **x);
      if (*x == NULL)
        return -1;
    }
    if (bg_csv_parse_row(line, (size_t)len, *x + n * nf, nf, &bad) != BG_CSV_OK) {
      fprintf(stderr, "oracle-check: %s:%zu: not a row of %zu features (cell %zu)\n", path,
              lineno, nf, bad);
      return -1;
    }
    n++;
  }
  free(line);
  fclose(f);
  *rows = n;
  return 0;
}


static int same(const char *what, const float *want, const float *got, size_t n, size_t width) {
  size_t i;

  for (i = 0; i < n; i++) {
    uint32_t a, b;
    memcpy(&a, &want[i], 4);
    memcpy(&b, &got[i], 4);
    if (a != b) {
      printf("oracle-check: %s differs at row %zu: XGBoost %a (0x%08x), compiled %a (0x%08x)\n",
             what, i / width, (double)want[i], a, (double)got[i], b);
      return 0;
    }
  }
  return 1;
}


int main(int argc, char **argv) {
  const struct bg_model *m = &BG_MODEL_SYMBOL;
  BoosterHandle h;
  DMatrixHandle d;
  bst_ulong len;
  const float *res;
  float *x, *got;
  size_t rows;
  int ok = 1, option;

  if (argc != 3) {
    fprintf(stderr, "usage: oracle-check MODEL.json ROWS.csv\n");
    return 2;
  }
  if (read_rows(argv[2], m->num_features, &x, &rows) != 0)
    return 1;
  if (rows == 0) {
    fprintf(stderr, "oracle-check: %s has no rows\n", argv[2]);
    return 1;
  }
  if (XGBoosterCreate(NULL, 0, &h) != 0 || XGBoosterLoadModel(h, argv[1]) != 0 ||
      XGDMatrixCreateFromMat(x, rows, m->num_features, NAN, &d) != 0) {
    fprintf(stderr, "oracle-check: XGBoost: %s\n", XGBGetLastError());
    return 1;
  }
  got = malloc(rows * m->num_outputs * sizeof *got);
  for (option = 0; option < 2 && ok; option++) {
    size_t width = option ? m->num_outputs : m->predict_width;
    if (XGBoosterPredict(h, d, option, 0, 0, &len, &res) != 0 || len != rows * width) {
      fprintf(stderr, "oracle-check: XGBoost predict: %s\n", XGBGetLastError());
      return 1;
    }
    (option ? m->predict_margin : m->predict)(x, rows, got);
    ok = same(option ? "margin" : "prediction", res, got, rows * width, width);
  }
  if (ok)
    printf("oracle-check: %s: %zu rows of %s, predictions and margins equal XGBoost's bit for "
           "bit\n", m->name, rows, argv[2]);
  XGDMatrixFree(d);
  XGBoosterFree(h);
  free(got);
  free(x);
  return ok ? 0 : 1;
}
