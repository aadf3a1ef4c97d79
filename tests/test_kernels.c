/* test_kernels.c - every kernel of every oracle model equals XGBoost, bit for bit, at every
 * batch size.
 *
 * test_oracle.c checks bg_model.predict (the best kernel this CPU runs). Here each kernel the
 * model carries in bg_model.kernels (scalar, sse2 and avx2 on x86-64) and the if/else code of
 * `xgbc --emit ifelse` (build/amd64/oracle/NAME/ifelse.so) are run one by one, in batches of
 * 1, 3, 8, 17 rows (one row, a partial vector, a full AVX2 vector, vectors plus a tail) and all
 * rows at once (full blocks), and every float32 must equal XGBoost's C API's. Since each is
 * compared with XGBoost, all kernels also equal each other. (A gblinear model has one kernel,
 * "linear", in both files.)
 */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <xgboost/c_api.h>

#include "helpers.h"
#include "model_abi.h"

#define SMALL_BATCH_ROWS 3000 /* rows checked at the small batch sizes (all rows at full size) */

#define XGB_OK(call) cr_assert((call) == 0, "%s failed: %s", #call, XGBGetLastError())



/* XGBoost's predictions: option 0 transformed, 1 margin. */
static float *xgb_predict(BoosterHandle h, DMatrixHandle dm, int option, size_t want) {
  const float *res;
  bst_ulong len;
  float *copy;

  XGB_OK(XGBoosterPredict(h, dm, option, 0, 0, &len, &res));
  cr_assert_eq(len, want, "XGBoost gave %lu values, expected %zu", (unsigned long)len, want);
  copy = malloc(len * sizeof *copy + 1);
  memcpy(copy, res, len * sizeof *copy);
  return copy;
}


ParameterizedTestParameters(kernels, match_xgboost) {
  size_t n;
  struct bgt_model_case *cases = bgt_oracle_cases(NULL, &n);

  return cr_make_param_array(struct bgt_model_case, cases, n, bgt_free_cases);
}


static const struct bg_model *open_model(const char *so, const char *name, void **lib) {
  const struct bg_model *m;

  *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  cr_assert(*lib != NULL, "dlopen %s: %s", so, dlerror());
  m = dlsym(*lib, bgt_fmt("bg_model_%s", name));
  cr_assert(m != NULL, "%s does not export bg_model_%s", so, name);
  cr_assert_eq(m->abi_version, BG_MODEL_ABI_VERSION);
  cr_assert_geq(m->num_kernels, 1);
  return m;
}


ParameterizedTest(struct bgt_model_case *c, kernels, match_xgboost, .timeout = 300) {
  static const size_t batches[] = {1, 3, 8, 17, 0 /* all rows */};
  const char *dir = bgt_fmt("%s/%s", bgt_env("BG_TEST_ORACLE"), c->name);
  const char *so_dir = bgt_fmt("%s/%s", bgt_env("BG_TEST_ORACLE_SO"), c->name);
  const struct bg_model *models[2];
  char *meta = bgt_read_file(bgt_fmt("%s/meta.txt", dir), NULL), objective[64];
  size_t rows, cols, len, b, mi, k, seen = 0;
  BoosterHandle h;
  DMatrixHandle dm;
  float *x, *want_p, *want_m;
  void *libs[2];
  int have_avx2 = 0, have_sse2 = 0, linear;

  cr_assert(sscanf(meta, "%zu %zu %63s", &rows, &cols, objective) == 3, "bad meta.txt: %s", meta);
  x = (float *)bgt_read_file(bgt_fmt("%s/x.f32", dir), &len);
  cr_assert_eq(len, rows * cols * sizeof(float));
  models[0] = open_model(bgt_fmt("%s/model.so", so_dir), c->name, &libs[0]);
  models[1] = open_model(bgt_fmt("%s/ifelse.so", so_dir), c->name, &libs[1]);
  cr_assert_eq(models[1]->num_kernels, 1);
  /* gblinear models have no trees: one kernel, "linear", whatever --emit says */
  linear = strcmp(models[0]->kernels[0].name, "linear") == 0;
  cr_assert_str_eq(models[1]->kernels[0].name, linear ? "linear" : "ifelse");

  XGB_OK(XGBoosterCreate(NULL, 0, &h));
  XGB_OK(XGBoosterLoadModel(h, bgt_fmt("%s/oracle.json", dir)));
  XGB_OK(XGDMatrixCreateFromMat(x, rows, cols, NAN, &dm));
  /* a 2.x/3.x fixture's start margins, which 1.7.4 cannot express (see test_oracle.c) */
  if (access(bgt_fmt("%s/base_margin.f32", dir), R_OK) == 0) {
    float *bm = (float *)bgt_read_file(bgt_fmt("%s/base_margin.f32", dir), &len);
    XGB_OK(XGDMatrixSetFloatInfo(dm, "base_margin", bm, len / sizeof *bm));
    free(bm);
  }
  want_p = xgb_predict(h, dm, 0, rows * models[0]->predict_width);
  want_m = xgb_predict(h, dm, 1, rows * models[0]->num_outputs);

  for (mi = 0; mi < 2; mi++) {
    const struct bg_model *m = models[mi];
    for (k = 0; k < m->num_kernels; k++) {
      const struct bg_kernel *kn = &m->kernels[k];
      have_sse2 |= strcmp(kn->name, "sse2") == 0;
      have_avx2 |= strcmp(kn->name, "avx2") == 0;
      if (!kn->available()) {
        cr_log_warn("%s: kernel %s: this CPU cannot run it; skipped", c->name, kn->name);
        continue;
      }
      seen++;
      for (b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        size_t batch = batches[b] ? batches[b] : rows;
        size_t n = batches[b] ? (rows < SMALL_BATCH_ROWS ? rows : SMALL_BATCH_ROWS) : rows;
        bgt_check_kernel(c->name, kn->name, "predict_margin", kn->predict_margin, x, n, cols, batch,
                         m->num_outputs, want_m, 0);
        bgt_check_kernel(c->name, kn->name, "predict", kn->predict, x, n, cols, batch,
                         m->predict_width, want_p, 0);
      }
    }
  }
#if defined(__x86_64__)
  if (!linear) {
    cr_expect(have_sse2 && have_avx2, "x86-64 models must carry the sse2 and avx2 kernels");
    cr_expect_geq(seen, 3, "scalar, sse2 and ifelse at least");
  }
#endif
  (void)have_sse2;
  (void)have_avx2;

  free(want_p);
  free(want_m);
  XGDMatrixFree(dm);
  XGBoosterFree(h);
  dlclose(libs[0]);
  dlclose(libs[1]);
  free(x);
  free(meta);
}
