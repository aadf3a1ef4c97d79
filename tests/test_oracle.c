/* test_oracle.c - compiled models equal XGBoost, bit for bit.
 *
 * `make test` trains the models of tests/oracle/train.py with Debian's XGBoost (fixed seeds),
 * compiles each with xgbc into a shared object, and runs this suite. For every model, XGBoost's
 * own C API predicts the test rows (transformed and margin), the generated predict and
 * predict_margin do the same, and the float32 bit patterns must be identical: no tolerance.
 * The first mismatch prints the row, its features and both values in hex.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <xgboost/c_api.h>

#include "helpers.h"
#include "model_abi.h"

struct oracle_case {
  char name[128];
};

struct oracle_data {
  size_t rows, cols;
  char objective[64];
  float *x;
};


#define XGB_OK(call) cr_assert((call) == 0, "%s failed: %s", #call, XGBGetLastError())


static void load_data(const char *dir, struct oracle_data *d) {
  char *meta = bgt_read_file(bgt_fmt("%s/meta.txt", dir), NULL);
  size_t len;

  cr_assert(sscanf(meta, "%zu %zu %63s", &d->rows, &d->cols, d->objective) == 3,
            "bad meta.txt in %s: %s", dir, meta);
  d->x = (float *)bgt_read_file(bgt_fmt("%s/x.f32", dir), &len);
  cr_assert(len == d->rows * d->cols * sizeof(float), "x.f32 in %s holds %zu bytes, expected %zu",
            dir, len, d->rows * d->cols * sizeof(float));
  free(meta);
}


/* XGBoost's predictions: option 0 transformed, 1 margin. */
static float *xgb_predict(BoosterHandle h, DMatrixHandle dm, int option, bst_ulong *len) {
  const float *res;
  float *copy;

  XGB_OK(XGBoosterPredict(h, dm, option, 0, 0, len, &res));
  copy = malloc(*len * sizeof *copy + 1);
  memcpy(copy, res, *len * sizeof *copy);
  return copy;
}


static uint32_t bits(float f) {
  uint32_t u;

  memcpy(&u, &f, sizeof u);
  return u;
}


/* Compare n_rows x width values; report the first mismatch with the row's features. */
static void expect_same_bits(const char *model, const char *what, const float *want,
                             const float *got, size_t n_rows, size_t width,
                             const struct oracle_data *d) {
  size_t i, j, k;

  for (i = 0; i < n_rows * width; i++) {
    if (bits(want[i]) == bits(got[i]))
      continue;
    j = i / width;
    fprintf(stderr, "%s %s: row %zu output %zu: xgboost %a (0x%08x) xgbc %a (0x%08x)\nfeatures:",
            model, what, j, i % width, (double)want[i], bits(want[i]), (double)got[i],
            bits(got[i]));
    for (k = 0; k < d->cols; k++)
      fprintf(stderr, " %a", (double)d->x[j * d->cols + k]);
    fprintf(stderr, "\n");
    cr_assert_fail("%s: %s differs from XGBoost at row %zu (of %zu)", model, what, j, n_rows);
  }
}


static void free_cases(struct criterion_test_params *p) {
  cr_free(p->params);
}


ParameterizedTestParameters(oracle, matches_xgboost) {
  const char *dir = getenv("BG_TEST_ORACLE");
  struct oracle_case *cases;
  char line[128];
  size_t n = 0, cap = 64;
  FILE *f;

  cases = cr_calloc(cap, sizeof *cases);
  f = dir ? fopen(bgt_fmt("%s/MANIFEST", dir), "r") : NULL;
  /* No manifest means zero cases here; oracle.manifest_is_complete fails loudly instead. */
  while (f != NULL && fgets(line, sizeof line, f) != NULL && n < cap) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] != '\0')
      snprintf(cases[n++].name, sizeof cases[0].name, "%s", line);
  }
  if (f != NULL)
    fclose(f);
  return cr_make_param_array(struct oracle_case, cases, n, free_cases);
}


ParameterizedTest(struct oracle_case *c, oracle, matches_xgboost, .timeout = 300) {
  const char *dir = bgt_fmt("%s/%s", bgt_env("BG_TEST_ORACLE"), c->name);
  const char *so = bgt_fmt("%s/%s/model.so", bgt_env("BG_TEST_ORACLE_SO"), c->name);
  struct oracle_data d;
  BoosterHandle h;
  DMatrixHandle dm;
  bst_ulong plen, mlen, nfeat;
  const struct bg_model *m;
  float *want_p, *want_m, *got_p, *got_m, *row_out;
  void *lib;
  size_t r;

  load_data(dir, &d);
  XGB_OK(XGBoosterCreate(NULL, 0, &h));
  XGB_OK(XGBoosterLoadModel(h, bgt_fmt("%s/oracle.json", dir)));
  XGB_OK(XGDMatrixCreateFromMat(d.x, d.rows, d.cols, NAN, &dm));
  want_p = xgb_predict(h, dm, 0, &plen);
  want_m = xgb_predict(h, dm, 1, &mlen);
  XGB_OK(XGBoosterGetNumFeature(h, &nfeat));

  lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  cr_assert(lib != NULL, "dlopen %s: %s", so, dlerror());
  m = dlsym(lib, bgt_fmt("bg_model_%s", c->name));
  cr_assert(m != NULL, "%s does not export bg_model_%s", so, c->name);

  cr_expect_str_eq(m->name, c->name);
  cr_expect_str_eq(m->objective, d.objective);
  cr_assert_eq(m->num_features, nfeat, "num_features %u, XGBoost says %lu", m->num_features,
               (unsigned long)nfeat);
  cr_assert_eq(m->num_features, d.cols);
  cr_assert_eq(m->abi_version, BG_MODEL_ABI_VERSION);
  cr_assert_eq(mlen, d.rows * m->num_outputs, "XGBoost gave %lu margins for %zu rows x %u outputs",
               (unsigned long)mlen, d.rows, m->num_outputs);
  cr_assert_eq(plen, d.rows * m->predict_width, "XGBoost gave %lu predictions for %zu rows x %u",
               (unsigned long)plen, d.rows, m->predict_width);
  cr_assert_geq(d.rows, 10000, "only %zu rows", d.rows);

  got_p = malloc(plen * sizeof *got_p);
  got_m = malloc(mlen * sizeof *got_m);
  m->predict(d.x, d.rows, got_p);
  m->predict_margin(d.x, d.rows, got_m);
  expect_same_bits(c->name, "predict_margin", want_m, got_m, d.rows, m->num_outputs, &d);
  expect_same_bits(c->name, "predict", want_p, got_p, d.rows, m->predict_width, &d);

  /* One row at a time gives the same bits as the batch. */
  row_out = malloc(m->num_outputs * sizeof *row_out);
  for (r = 0; r < d.rows; r += 7) {
    m->predict(d.x + r * d.cols, 1, row_out);
    expect_same_bits(c->name, "predict (one row)", want_p + r * m->predict_width, row_out, 1,
                     m->predict_width, &d);
  }

  free(row_out);
  free(got_p);
  free(got_m);
  free(want_p);
  free(want_m);
  dlclose(lib);
  XGDMatrixFree(dm);
  XGBoosterFree(h);
  free(d.x);
}


/* The oracle set covers every objective, booster and file form the compiler claims. */
Test(oracle, manifest_is_complete, .timeout = 30) {
  static const char *const objectives[] = {
    "binary:logistic", "binary:logitraw", "reg:logistic", "reg:squarederror",
    "reg:pseudohubererror", "reg:absoluteerror", "count:poisson", "reg:gamma", "reg:tweedie",
    "rank:pairwise", "rank:ndcg", "rank:map", "reg:squaredlogerror", "multi:softprob",
    "multi:softmax",
  };
  static const char *const kinds[] = {
    "aws_rtb",     /* the real AWS sample model */
    "dart_",       /* DART */
    "rf_",         /* num_parallel_tree > 1 */
    "base_plain",  /* base_score "0.5" */
    "base_vector", /* base_score "[5E-1]" */
    "pruned",      /* unreachable slots */
  };
  const char *root = bgt_env("BG_TEST_ORACLE");
  char *manifest = bgt_read_file(bgt_fmt("%s/MANIFEST", root), NULL), *seen = strdup(""), *name;
  size_t i;

  for (name = strtok(manifest, "\n"); name != NULL; name = strtok(NULL, "\n")) {
    char *meta = bgt_read_file(bgt_fmt("%s/%s/meta.txt", root, name), NULL);
    char *s = bgt_fmt("%s %s:%s ", seen, name, strrchr(meta, ' ') + 1);
    s[strcspn(s, "\n")] = ' ';
    free(seen);
    seen = s;
    free(meta);
  }
  for (i = 0; i < sizeof objectives / sizeof objectives[0]; i++)
    cr_expect(strstr(seen, bgt_fmt(":%s", objectives[i])) != NULL, "no oracle model for %s",
              objectives[i]);
  for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    cr_expect(strstr(seen, bgt_fmt(" %s", kinds[i])) != NULL, "no oracle model named %s*",
              kinds[i]);
  free(manifest);
  free(seen);
}
