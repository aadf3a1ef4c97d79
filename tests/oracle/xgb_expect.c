/* xgb_expect.c - write XGBoost's own predictions for every oracle model, for the arm64 tests.
 *
 *   xgb_expect ORACLE_DIR
 *
 * The arm64 test binaries run under qemu and cannot load the host's libxgboost, so the host
 * computes the expected values in the same test run: for each model NAME in ORACLE_DIR/MANIFEST
 * it loads NAME/oracle.json with XGBoost's C API, predicts NAME/x.f32 and writes
 * NAME/xgb_predict.f32 (transformed) and NAME/xgb_margin.f32 (margins), raw float32. A
 * NAME/base_margin.f32 goes to XGBoost as the rows' start margins, as in test_oracle.c.
 * Exits 0, or 1 with a message naming the model and the failing step.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

static char path[4096];


static const char *at(const char *dir, const char *name, const char *file) {
  snprintf(path, sizeof path, "%s/%s/%s", dir, name, file);
  return path;
}


static int write_floats(const char *file, const float *v, bst_ulong n) {
  char tmp[4200];
  FILE *f;

  snprintf(tmp, sizeof tmp, "%s.tmp", file);
  f = fopen(tmp, "wb");
  if (f == NULL || fwrite(v, sizeof *v, n, f) != n || fclose(f) != 0 || rename(tmp, file) != 0) {
    fprintf(stderr, "xgb_expect: cannot write %s\n", file);
    return -1;
  }
  return 0;
}


/* A 2.x/3.x fixture whose start margins 1.7.4 cannot express carries them in base_margin.f32
 * (rows x outputs), handed to XGBoost as the DMatrix's base_margin, as test_oracle.c does.
 * 0 (also when there is none) or -1 (message printed). */
static int set_base_margin(const char *dir, const char *name, DMatrixHandle dm) {
  FILE *f = fopen(at(dir, name, "base_margin.f32"), "rb");
  float *bm;
  long n;
  int err = -1;

  if (f == NULL)
    return 0;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (bm = malloc((size_t)n)) != NULL) {
    if (fread(bm, 1, (size_t)n, f) == (size_t)n &&
        XGDMatrixSetFloatInfo(dm, "base_margin", bm, (bst_ulong)((size_t)n / sizeof *bm)) == 0)
      err = 0;
    free(bm);
  }
  fclose(f);
  if (err)
    fprintf(stderr, "xgb_expect: %s: cannot use base_margin.f32: %s\n", name, XGBGetLastError());
  return err;
}


/* Predict one model; 0 or -1 (message printed). */
static int expect_model(const char *dir, const char *name) {
  size_t rows, cols;
  char objective[64];
  float *x = NULL;
  FILE *f;
  BoosterHandle h = NULL;
  DMatrixHandle dm = NULL;
  const float *res;
  bst_ulong len;
  int err = -1, option;

  f = fopen(at(dir, name, "meta.txt"), "r");
  if (f == NULL || fscanf(f, "%zu %zu %63s", &rows, &cols, objective) != 3) {
    fprintf(stderr, "xgb_expect: %s: cannot read meta.txt\n", name);
    if (f != NULL)
      fclose(f);
    return -1;
  }
  fclose(f);
  x = malloc(rows * cols * sizeof *x + 1);
  f = fopen(at(dir, name, "x.f32"), "rb");
  if (x == NULL || f == NULL || fread(x, sizeof *x, rows * cols, f) != rows * cols) {
    fprintf(stderr, "xgb_expect: %s: cannot read x.f32\n", name);
    goto out;
  }
  if (XGBoosterCreate(NULL, 0, &h) != 0 || XGBoosterLoadModel(h, at(dir, name, "oracle.json")) != 0 ||
      XGDMatrixCreateFromMat(x, rows, cols, NAN, &dm) != 0) {
    fprintf(stderr, "xgb_expect: %s: %s\n", name, XGBGetLastError());
    goto out;
  }
  if (set_base_margin(dir, name, dm) != 0)
    goto out;
  for (option = 0; option < 2; option++) {
    if (XGBoosterPredict(h, dm, option, 0, 0, &len, &res) != 0) {
      fprintf(stderr, "xgb_expect: %s: %s\n", name, XGBGetLastError());
      goto out;
    }
    if (write_floats(at(dir, name, option ? "xgb_margin.f32" : "xgb_predict.f32"), res, len) != 0)
      goto out;
  }
  err = 0;
out:
  if (f != NULL)
    fclose(f);
  if (dm != NULL)
    XGDMatrixFree(dm);
  if (h != NULL)
    XGBoosterFree(h);
  free(x);
  return err;
}


int main(int argc, char **argv) {
  char line[256];
  FILE *manifest;
  int err = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: xgb_expect ORACLE_DIR\n");
    return 2;
  }
  snprintf(path, sizeof path, "%s/MANIFEST", argv[1]);
  manifest = fopen(path, "r");
  if (manifest == NULL) {
    fprintf(stderr, "xgb_expect: cannot open %s\n", path);
    return 1;
  }
  while (err == 0 && fgets(line, sizeof line, manifest) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] != '\0')
      err = expect_model(argv[1], line);
  }
  fclose(manifest);
  return err ? 1 : 0;
}
