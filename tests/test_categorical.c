/* test_categorical.c - categorical splits with infinite values equal XGBoost, bit for bit, on
 * every kernel.
 *
 * test_oracle.c and test_kernels.c check the categorical oracle models (train.py: cat_*) on
 * rows with NaN, negative, fractional, huge and never-seen categories through a DMatrix, which
 * refuses inf. XGBoost's inplace prediction (XGBoosterPredictFromDense) takes inf, so here the
 * rows of NAME/x_inf.f32 (about 10% of the cells +inf or -inf) are predicted by it and by each
 * kernel of the compiled model (model.so) and of its if/else build (ifelse.so), in batches of
 * 1, 3, 8 and all rows; every float32 must be equal. train.py checked that inplace prediction
 * equals DMatrix prediction on the finite rows, so this is the same oracle.
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

#define XGB_OK(call) cr_assert((call) == 0, "%s failed: %s", #call, XGBGetLastError())



/* The oracle models that have inf rows (x_inf.f32): the categorical ones. */
ParameterizedTestParameters(categorical, inf_matches_xgboost) {
  size_t n;
  struct bgt_model_case *cases = bgt_oracle_cases("x_inf.f32", &n);

  return cr_make_param_array(struct bgt_model_case, cases, n, bgt_free_cases);
}


/* XGBoost's inplace prediction of x (rows x cols, NaN missing): type 0 transformed, 1 margin. */
static float *xgb_inplace(BoosterHandle h, const float *x, size_t rows, size_t cols, int type,
                          size_t want) {
  const char *array = bgt_fmt("{\"data\": [%zu, true], \"shape\": [%zu, %zu], \"typestr\": "
                              "\"<f4\", \"version\": 3}", (size_t)(uintptr_t)x, rows, cols);
  const char *config = bgt_fmt("{\"type\": %d, \"training\": false, \"iteration_begin\": 0, "
                               "\"iteration_end\": 0, \"strict_shape\": false, \"missing\": NaN, "
                               "\"cache_id\": 0}",
                               type);
  const bst_ulong *shape;
  bst_ulong dim, len = 1, i;
  const float *res;
  float *copy;

  XGB_OK(XGBoosterPredictFromDense(h, array, config, NULL, &shape, &dim, &res));
  for (i = 0; i < dim; i++)
    len *= shape[i];
  cr_assert_eq(len, want, "XGBoost gave %lu values, expected %zu", (unsigned long)len, want);
  copy = malloc(len * sizeof *copy + 1);
  memcpy(copy, res, len * sizeof *copy);
  return copy;
}


ParameterizedTest(struct bgt_model_case *c, categorical, inf_matches_xgboost, .timeout = 120) {
  static const size_t batches[] = {1, 3, 8, 0 /* all rows */};
  const char *dir = bgt_fmt("%s/%s", bgt_env("BG_TEST_ORACLE"), c->name);
  const char *so_dir = bgt_fmt("%s/%s", bgt_env("BG_TEST_ORACLE_SO"), c->name);
  static const char *const sos[] = {"model.so", "ifelse.so"};
  char *meta = bgt_read_file(bgt_fmt("%s/meta.txt", dir), NULL), objective[64];
  size_t rows, cols, len, i, b, s, k, infs = 0, seen = 0;
  float *x, *want_p, *want_m;
  BoosterHandle h;

  cr_assert(sscanf(meta, "%zu %zu %63s", &rows, &cols, objective) == 3, "bad meta.txt: %s", meta);
  x = (float *)bgt_read_file(bgt_fmt("%s/x_inf.f32", dir), &len);
  cr_assert_eq(len % (cols * sizeof(float)), 0);
  rows = len / (cols * sizeof(float));
  for (i = 0; i < rows * cols; i++)
    infs += isinf(x[i]) != 0;
  cr_assert_gt(infs, rows / 10, "%s: x_inf.f32 has only %zu infinite cells", c->name, infs);

  XGB_OK(XGBoosterCreate(NULL, 0, &h));
  XGB_OK(XGBoosterLoadModel(h, bgt_fmt("%s/oracle.json", dir)));
  for (s = 0; s < sizeof sos / sizeof sos[0]; s++) {
    void *lib = dlopen(bgt_fmt("%s/%s", so_dir, sos[s]), RTLD_NOW | RTLD_LOCAL);
    const struct bg_model *m;

    cr_assert(lib != NULL, "dlopen %s/%s: %s", so_dir, sos[s], dlerror());
    m = dlsym(lib, bgt_fmt("bg_model_%s", c->name));
    cr_assert(m != NULL && m->abi_version == BG_MODEL_ABI_VERSION);
    cr_assert_eq(m->num_features, cols);
    want_p = xgb_inplace(h, x, rows, cols, 0, rows * m->predict_width);
    want_m = xgb_inplace(h, x, rows, cols, 1, rows * m->num_outputs);
    for (k = 0; k < m->num_kernels; k++) {
      const struct bg_kernel *kn = &m->kernels[k];
      if (!kn->available()) {
        cr_log_warn("%s: kernel %s: this CPU cannot run it; skipped", c->name, kn->name);
        continue;
      }
      seen++;
      for (b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        size_t batch = batches[b] ? batches[b] : rows;
        bgt_check_kernel(c->name, kn->name, "predict_margin", kn->predict_margin, x, rows, cols,
                         batch, m->num_outputs, want_m, 0);
        bgt_check_kernel(c->name, kn->name, "predict", kn->predict, x, rows, cols, batch,
                         m->predict_width, want_p, 0);
      }
    }
    free(want_p);
    free(want_m);
    dlclose(lib);
  }
  cr_expect_geq(seen, 2, "%s: the branchless kernels and the if/else one at least", c->name);
  XGBoosterFree(h);
  free(x);
  free(meta);
}


/* The categorical oracle set has models to check: partition-based and one-hot splits. */
Test(categorical, models_present, .timeout = 30) {
  const char *root = bgt_env("BG_TEST_ORACLE");
  static const char *const names[] = {"cat_logistic", "cat_onehot_softprob3",
                                      "cat_approx_softprob4", "cat_squarederror_d7"};
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    cr_expect(access(bgt_fmt("%s/%s/x_inf.f32", root, names[i]), R_OK) == 0,
              "no x_inf.f32 for %s", names[i]);
}
