/* test_oracle_arm64.c - on aarch64 (under qemu), every kernel of every oracle model equals
 * XGBoost, bit for bit, at every batch size.
 *
 * Built by the cross compiler and run by `make test` (test-arm64 in mk/kernels.mk) through
 * qemu-aarch64. XGBoost cannot run here, so the host wrote its predictions in the same test
 * run (tests/oracle/xgb_expect.c: NAME/xgb_predict.f32 and xgb_margin.f32); the oracle models
 * are the host's generated model.c files, cross-compiled (build/arm64/oracle/NAME/model.so).
 * Each kernel (scalar, neon) and bg_model.predict itself run in batches of 1, 3, 8, 17 rows and
 * all rows, and every float32 must equal XGBoost's: so NEON, scalar and x86 (checked against
 * the same XGBoost values on the host) agree to the bit. One exception: a NaN computed by the
 * transform (e.g. softprob of infinite margins) has the CPU's default sign, which differs
 * between x86 and AArch64; a NaN matches a NaN.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "helpers.h"
#include "model_abi.h"

#define SMALL_BATCH_ROWS 1000 /* rows checked at small batch sizes (qemu is slow) */



ParameterizedTestParameters(arm64, matches_xgboost) {
  size_t n;
  struct bgt_model_case *cases = bgt_oracle_cases(NULL, &n);

  return cr_make_param_array(struct bgt_model_case, cases, n, bgt_free_cases);
}


ParameterizedTest(struct bgt_model_case *c, arm64, matches_xgboost, .timeout = 600) {
  static const size_t batches[] = {1, 3, 8, 17, 0 /* all rows */};
  const char *dir = bgt_fmt("%s/%s", bgt_env("BG_TEST_ORACLE"), c->name);
  const char *so = bgt_fmt("%s/%s/model.so", bgt_env("BG_TEST_ORACLE_SO"), c->name);
  char *meta = bgt_read_file(bgt_fmt("%s/meta.txt", dir), NULL), objective[64];
  size_t rows, cols, len, plen, mlen, b, k;
  const struct bg_model *m;
  float *x, *want_p, *want_m;
  void *lib;
  int have_neon = 0;

  cr_assert(sscanf(meta, "%zu %zu %63s", &rows, &cols, objective) == 3, "bad meta.txt: %s", meta);
  x = (float *)bgt_read_file(bgt_fmt("%s/x.f32", dir), &len);
  cr_assert_eq(len, rows * cols * sizeof(float));
  want_p = (float *)bgt_read_file(bgt_fmt("%s/xgb_predict.f32", dir), &plen);
  want_m = (float *)bgt_read_file(bgt_fmt("%s/xgb_margin.f32", dir), &mlen);

  lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  cr_assert(lib != NULL, "dlopen %s: %s", so, dlerror());
  m = dlsym(lib, bgt_fmt("bg_model_%s", c->name));
  cr_assert(m != NULL, "%s does not export bg_model_%s", so, c->name);
  cr_assert_eq(m->abi_version, BG_MODEL_ABI_VERSION);
  cr_assert_eq(plen, rows * m->predict_width * sizeof(float), "xgb_predict.f32: %zu bytes", plen);
  cr_assert_eq(mlen, rows * m->num_outputs * sizeof(float), "xgb_margin.f32: %zu bytes", mlen);

  for (b = 0; b < sizeof batches / sizeof batches[0]; b++) {
    size_t batch = batches[b] ? batches[b] : rows;
    size_t n = batches[b] ? (rows < SMALL_BATCH_ROWS ? rows : SMALL_BATCH_ROWS) : rows;
    for (k = 0; k < m->num_kernels; k++) {
      const struct bg_kernel *kn = &m->kernels[k];
      have_neon |= strcmp(kn->name, "neon") == 0;
      cr_assert(kn->available(), "kernel %s unavailable on aarch64", kn->name);
      bgt_check_kernel(c->name, kn->name, "predict_margin", kn->predict_margin, x, n, cols, batch,
                       m->num_outputs, want_m, 1);
      bgt_check_kernel(c->name, kn->name, "predict", kn->predict, x, n, cols, batch,
                       m->predict_width, want_p, 1);
    }
    bgt_check_kernel(c->name, "(best)", "predict", m->predict, x, n, cols, batch, m->predict_width,
                     want_p, 1);
  }
  if (strcmp(m->kernels[0].name, "linear") != 0) /* gblinear: one kernel, no trees */
    cr_expect(have_neon, "%s: no neon kernel in the arm64 build", c->name);

  dlclose(lib);
  free(want_p);
  free(want_m);
  free(x);
  free(meta);
}


/* The suite really runs as aarch64 code, and found models to check. */
Test(arm64, has_models, .timeout = 30) {
#if !defined(__aarch64__)
  cr_assert_fail("built for another architecture: this suite must be cross-compiled");
#endif
  char *manifest = bgt_read_file(bgt_fmt("%s/MANIFEST", bgt_env("BG_TEST_ORACLE")), NULL);
  cr_assert(strlen(manifest) > 0, "MANIFEST is empty");
  free(manifest);
}
