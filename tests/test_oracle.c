/* test_oracle.c - compiled models equal XGBoost, bit for bit.
 *
 * `make test` trains the models of tests/oracle/train.py with Debian's XGBoost (fixed seeds),
 * compiles each with xgbc into a shared object, and runs this suite. For every model, XGBoost's
 * own C API predicts the test rows (transformed and margin), the generated predict and
 * predict_margin do the same, and the float32 bit patterns must be identical: no tolerance.
 * The first mismatch prints the row, its features and both values in hex.
 *
 * Every model is compiled from each file form it has (mk/formats.mk): model.json, model.ubj
 * (UBJSON) and dump.json (a text dump plus the options in dump.args). Each form must give the
 * same bits, and the UBJSON and dump forms the same generated code as the JSON one apart from
 * the lines naming the source file. A model dir with base_margin.f32 (a 2.x/3.x fixture whose
 * start margins differ from the 1.7.4 model's) hands those margins to XGBoost.
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

struct oracle_data {
  size_t rows, cols;
  char objective[64];
  float *x;
  float *base_margin; /* rows x outputs, or NULL */
  size_t base_margin_len;
};

/* The file forms of a model: the source xgbc compiled, its shared object, its generated dir. */
static const struct variant {
  const char *source, *so, *gen;
} variants[] = {
  {"model.json", "model.so", "gen"},
  {"model.ubj", "ubj.so", "gen-ubj"},
  {"dump.json", "dump.so", "gen-dump"},
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
  d->base_margin = NULL;
  if (access(bgt_fmt("%s/base_margin.f32", dir), R_OK) == 0) {
    d->base_margin = (float *)bgt_read_file(bgt_fmt("%s/base_margin.f32", dir), &len);
    d->base_margin_len = len / sizeof(float);
    cr_assert(len % (d->rows * sizeof(float)) == 0, "base_margin.f32 in %s: %zu bytes", dir, len);
  }
}


static int exists(const char *path) {
  return access(path, F_OK) == 0;
}


/* Lines of a generated file that name its source file (and the XGBoost version, which a dump
 * compiled from flags does not know); everything else must not depend on the file form. */
static int names_source(const char *line) {
  return strstr(line, "sha256") != NULL || strncmp(line, " * source ", 10) == 0 ||
         strncmp(line, " * model ", 9) == 0;
}


/* The generated C of two file forms of one model is the same, source lines aside. */
static void expect_same_code(const char *name, const char *want_path, const char *got_path) {
  char *want = bgt_read_file(want_path, NULL), *got = bgt_read_file(got_path, NULL);
  char *ws = NULL, *gs = NULL, *w = strtok_r(want, "\n", &ws), *g = strtok_r(got, "\n", &gs);
  int line = 1;

  for (;; line++) {
    while (w != NULL && names_source(w))
      w = strtok_r(NULL, "\n", &ws);
    while (g != NULL && names_source(g))
      g = strtok_r(NULL, "\n", &gs);
    if (w == NULL || g == NULL)
      break;
    cr_assert_str_eq(g, w, "%s: %s differs from %s (non-source line %d)", name, got_path,
                     want_path, line);
    w = strtok_r(NULL, "\n", &ws);
    g = strtok_r(NULL, "\n", &gs);
  }
  cr_assert(w == NULL && g == NULL, "%s: %s and %s differ in length", name, got_path, want_path);
  free(want);
  free(got);
}


/* The model's feature names and types are XGBoost's (or f0.. and "q" when it has none). */
static void expect_features(const char *name, BoosterHandle h, const struct bg_model *m) {
  static const char *const fields[] = {"feature_name", "feature_type"};
  int k;

  for (k = 0; k < 2; k++) {
    const char **xs = NULL;
    bst_ulong n = 0, i;
    const char *const *ours = k == 0 ? m->feature_names : m->feature_types;
    XGB_OK(XGBoosterGetStrFeatureInfo(h, fields[k], &n, &xs));
    cr_assert(n == 0 || n == m->num_features, "%s: XGBoost has %lu %ss", name, (unsigned long)n,
              fields[k]);
    for (i = 0; i < m->num_features; i++) {
      const char *want = n ? xs[i] : k == 0 ? bgt_fmt("f%lu", (unsigned long)i) : "q";
      cr_assert_str_eq(ours[i], want, "%s: %s %lu", name, fields[k], (unsigned long)i);
    }
  }
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


ParameterizedTestParameters(oracle, matches_xgboost) {
  size_t n;
  struct bgt_model_case *cases = bgt_oracle_cases(NULL, &n);

  return cr_make_param_array(struct bgt_model_case, cases, n, bgt_free_cases);
}


/* One file form of a model: its shared object against XGBoost's predictions. */
static void check_variant(const char *name, const struct variant *v, const char *so_dir,
                          const struct oracle_data *d, BoosterHandle h, const float *want_p,
                          bst_ulong plen, const float *want_m, bst_ulong mlen,
                          bst_ulong nfeat) {
  const char *so = bgt_fmt("%s/%s", so_dir, v->so);
  const char *label = bgt_fmt("%s (%s)", name, v->source);
  const struct bg_model *m;
  float *got_p, *got_m, *row_out;
  void *lib;
  size_t r;

  lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  cr_assert(lib != NULL, "dlopen %s: %s", so, dlerror());
  m = dlsym(lib, bgt_fmt("bg_model_%s", name));
  cr_assert(m != NULL, "%s does not export bg_model_%s", so, name);

  cr_expect_str_eq(m->name, name);
  cr_expect_str_eq(m->objective, d->objective);
  cr_assert_eq(m->num_features, nfeat, "%s: num_features %u, XGBoost says %lu", label,
               m->num_features, (unsigned long)nfeat);
  cr_assert_eq(m->num_features, d->cols);
  cr_assert_eq(m->abi_version, BG_MODEL_ABI_VERSION);
  cr_assert_eq(mlen, d->rows * m->num_outputs, "%s: XGBoost gave %lu margins for %zu rows x %u "
               "outputs", label, (unsigned long)mlen, d->rows, m->num_outputs);
  cr_assert_eq(plen, d->rows * m->predict_width, "%s: XGBoost gave %lu predictions for %zu rows "
               "x %u", label, (unsigned long)plen, d->rows, m->predict_width);
  cr_assert_geq(d->rows, 10000, "only %zu rows", d->rows);
  expect_features(label, h, m);

  got_p = malloc(plen * sizeof *got_p);
  got_m = malloc(mlen * sizeof *got_m);
  m->predict(d->x, d->rows, got_p);
  m->predict_margin(d->x, d->rows, got_m);
  expect_same_bits(label, "predict_margin", want_m, got_m, d->rows, m->num_outputs, d);
  expect_same_bits(label, "predict", want_p, got_p, d->rows, m->predict_width, d);

  /* One row at a time gives the same bits as the batch. */
  row_out = malloc(m->num_outputs * sizeof *row_out);
  for (r = 0; r < d->rows; r += 7) {
    m->predict(d->x + r * d->cols, 1, row_out);
    expect_same_bits(label, "predict (one row)", want_p + r * m->predict_width, row_out, 1,
                     m->predict_width, d);
  }
  free(row_out);
  free(got_p);
  free(got_m);
  dlclose(lib);
}


ParameterizedTest(struct bgt_model_case *c, oracle, matches_xgboost, .timeout = 300) {
  const char *dir = bgt_fmt("%s/%s", bgt_env("BG_TEST_ORACLE"), c->name);
  const char *so_dir = bgt_fmt("%s/%s", bgt_env("BG_TEST_ORACLE_SO"), c->name);
  struct oracle_data d;
  BoosterHandle h;
  DMatrixHandle dm;
  bst_ulong plen, mlen, nfeat;
  float *want_p, *want_m;
  size_t i, forms = 0;

  load_data(dir, &d);
  XGB_OK(XGBoosterCreate(NULL, 0, &h));
  XGB_OK(XGBoosterLoadModel(h, bgt_fmt("%s/oracle.json", dir)));
  XGB_OK(XGDMatrixCreateFromMat(d.x, d.rows, d.cols, NAN, &dm));
  if (d.base_margin != NULL)
    XGB_OK(XGDMatrixSetFloatInfo(dm, "base_margin", d.base_margin, d.base_margin_len));
  want_p = xgb_predict(h, dm, 0, &plen);
  want_m = xgb_predict(h, dm, 1, &mlen);
  XGB_OK(XGBoosterGetNumFeature(h, &nfeat));
  if (d.base_margin != NULL)
    cr_assert_eq(d.base_margin_len, mlen, "base_margin.f32 holds %zu values for %lu margins",
                 d.base_margin_len, (unsigned long)mlen);

  for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
    if (!exists(bgt_fmt("%s/%s", dir, variants[i].source)))
      continue;
    forms++;
    check_variant(c->name, &variants[i], so_dir, &d, h, want_p, plen, want_m, mlen, nfeat);
    if (i > 0)
      expect_same_code(c->name, bgt_fmt("%s/%s/model.c", so_dir, variants[0].gen),
                       bgt_fmt("%s/%s/model.c", so_dir, variants[i].gen));
  }
  cr_assert_geq(forms, 1, "%s: no model file", c->name);

  free(want_p);
  free(want_m);
  XGDMatrixFree(dm);
  XGBoosterFree(h);
  free(d.x);
  free(d.base_margin);
}


/* The oracle set covers every objective, booster and file form the compiler claims. */
Test(oracle, manifest_is_complete, .timeout = 30) {
  static const char *const objectives[] = {
    "binary:logistic", "binary:logitraw", "reg:logistic", "reg:squarederror",
    "reg:pseudohubererror", "reg:absoluteerror", "count:poisson", "reg:gamma", "reg:tweedie",
    "rank:pairwise", "rank:ndcg", "rank:map", "reg:squaredlogerror", "multi:softprob",
    "multi:softmax", "survival:cox", "survival:aft", "binary:hinge", "reg:quantileerror",
  };
  static const char *const kinds[] = {
    "aws_rtb",     /* the real AWS sample model */
    "dart_",       /* DART */
    "rf_",         /* num_parallel_tree > 1 */
    "base_plain",  /* base_score "0.5" */
    "base_vector", /* base_score "[5E-1]" */
    "pruned",      /* unreachable slots */
    "linear_",     /* gblinear */
    "multi_target", "multi_label", /* num_target > 1 */
    "named_features", "typed_features", /* feature names and types */
    "v2_indptr", "v31_base_vector", "v33_dart", "v2_quantile", "v31_quantile", "v15_bool",
    "cat_logistic", "cat_onehot", "cat_approx", /* categorical: partitions, one-hot, approx */
    "logistic_f4", /* at most 4 features: 2 feature bits in a node word */
  };
  /* Dumps completed by flags (plain, random forest, classes, names, with stats) and by a
   * model file (DART, multi-target). */
  static const char *const dumps[] = {
    "logistic_d3", "rf_softprob3", "softprob4", "named_dump", "aws_rtb", "dart_logistic",
    "multi_target3", "squarederror_d8", "cat_logistic", "cat_onehot_softprob3",
  };
  const char *root = bgt_env("BG_TEST_ORACLE");
  char *manifest = bgt_read_file(bgt_fmt("%s/MANIFEST", root), NULL), *seen = strdup(""), *name;
  size_t i;

  for (name = strtok(manifest, "\n"); name != NULL; name = strtok(NULL, "\n")) {
    char *meta = bgt_read_file(bgt_fmt("%s/%s/meta.txt", root, name), NULL);
    /* Every trained model is compiled from UBJSON too (fixtures and variants need not be). */
    if (strncmp(name, "base_", 5) != 0 && !(name[0] == 'v' && name[1] >= '0' && name[1] <= '9'))
      cr_expect(exists(bgt_fmt("%s/%s/model.ubj", root, name)), "no model.ubj for %s", name);
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
  for (i = 0; i < sizeof dumps / sizeof dumps[0]; i++)
    cr_expect(exists(bgt_fmt("%s/%s/dump.json", root, dumps[i])), "no dump of %s", dumps[i]);
  free(manifest);
  free(seen);
}
