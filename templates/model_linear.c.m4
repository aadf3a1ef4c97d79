bg4_require(@<bg4_name@>, @<bg4_sha256@>, @<bg4_xgbc_version@>, @<bg4_objective@>,
  @<bg4_transform@>, @<bg4_num_features@>, @<bg4_num_outputs@>, @<bg4_feature_names@>,
  @<bg4_feature_types@>, @<bg4_base_margins@>, @<bg4_linear_rows@>, @<bg4_linear_bias@>)m4_dnl
m4_dnl
m4_dnl model_linear.c.m4 - a compiled gblinear model: weights, margin, transform, bg_model.
m4_dnl xgbc uses it instead of model.c.m4 when the booster is gblinear; transform.m4 is shared.
m4_dnl
m4_dnl bg4_linear_row(FEATURE, WEIGHTS) - one row of the weight table
m4_define(@<bg4_linear_row@>, @<  {$2}, /* feature $1 */@>)m4_dnl
m4_dnl bg4_feature_name(NAME), bg4_feature_type(TYPE) - one string, already escaped
m4_define(@<bg4_feature_name@>, @<  "$1",@>)m4_dnl
m4_define(@<bg4_feature_type@>, @<  "$1",@>)m4_dnl
m4_define(@<bg4_multi@>, m4_ifelse(bg4_num_outputs, @<1@>, @<0@>, @<1@>))m4_dnl
bg4_header_comment(@<model.c@>, @<the compiled linear model bg4_name: weights and transform@>)

/* How to read this file
 *
 * weights[j][g] is feature j's weight in output g, bias[g] output g's bias. The margin of
 * output g starts at bias[g] + base_margins[g]; then, for every feature j in index order whose
 * value is not missing (NaN), x[j] * weights[j][g] is added. Each product is rounded to float
 * on its own and then added in float, in exactly the order of XGBoost's gblinear, so the bits
 * are XGBoost's. predict() applies the objective's transform to the margins.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Exactness needs every x * w rounded to float before it is added; a fused multiply-add (FMA)
 * skips that rounding. ISO C allows fusing only inside one expression (C11 6.5p8), so each
 * product below is a statement of its own, and the pragmas hold the compiler to that: GCC fuses
 * across statements by default in its GNU modes, clang honours STDC FP_CONTRACT. Nothing in the
 * file can stop clang's -ffp-contract=fast (it ignores pragmas): compile with -ffp-contract=off,
 * as bidgate's Makefile does. -ffast-math reorders sums and is refused outright. */
#if defined(__FAST_MATH__)
#error "compile this file without -ffast-math: it would change XGBoost's arithmetic"
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define NUM_FEATURES bg4_num_features@<@>u
#define NUM_OUTPUTS bg4_num_outputs@<@>u

static const float weights[NUM_FEATURES][NUM_OUTPUTS] = {
bg4_linear_rows};

static const float bias[NUM_OUTPUTS] = {bg4_linear_bias};

/* XGBoost's starting margins: ProbToMargin(base_score = bg4_base_score) in float. */
static const float base_margins[NUM_OUTPUTS] = {bg4_base_margins};

static const char *const feature_names[NUM_FEATURES] = {
bg4_feature_names};

static const char *const feature_types[NUM_FEATURES] = {
bg4_feature_types};

/* Output g of one row. A missing feature is skipped by choosing the old sum, not by a jump. */
static float margin_of(const float *row, uint32_t g) {
  float s = bias[g] + base_margins[g];
  uint32_t j;

  for (j = 0; j < NUM_FEATURES; j++) {
    float x = row[j];
    float p = x * weights[j][g]; /* rounded here, on its own (see the top of the file) */
    float t = s + p;
    s = x != x ? s : t;
  }
  return s;
}

m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
static float margin(const float *row) {
  return margin_of(row, 0);
}
@>, @<m4_dnl
/* The NUM_OUTPUTS margins of one row, group by group as XGBoost computes them. */
static void margins(const float *row, float *m) {
  uint32_t g;

  for (g = 0; g < NUM_OUTPUTS; g++)
    m[g] = margin_of(row, g);
}
@>)m4_dnl

static void predict_margin(const float *x, size_t n_rows, float *out) {
  size_t r;

  for (r = 0; r < n_rows; r++)
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
    out[r] = margin(x + r * NUM_FEATURES);
@>, @<m4_dnl
    margins(x + r * NUM_FEATURES, out + r * NUM_OUTPUTS);
@>)m4_dnl
}

m4_include(@<transform.m4@>)

const struct bg_model bg_model_@<@>bg4_name = {
  .name = "bg4_name",
  .sha256 = "bg4_sha256",
  .xgbc_version = "bg4_xgbc_version",
  .objective = "bg4_objective",
  .num_features = NUM_FEATURES,
  .num_outputs = NUM_OUTPUTS,
  .num_trees = 0,
  .feature_names = feature_names,
  .predict = predict,
  .predict_margin = predict_margin,
  .abi_version = BG_MODEL_ABI_VERSION,
  .predict_width = m4_ifelse(bg4_transform, @<softmax@>, @<1u@>, @<NUM_OUTPUTS@>),
  .feature_types = feature_types,
};
