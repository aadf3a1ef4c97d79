m4_dnl transform.m4 - the output stage every model template shares: the objective's transform
m4_dnl (xgboost.md, step 7) and predict(), which applies it to the margins.
m4_dnl
m4_dnl Included (m4_include) by model.c.m4 and model_linear.c.m4, after they have defined
m4_dnl NUM_FEATURES, NUM_OUTPUTS, bg4_multi (0: one output, 1: several) and predict_margin(),
m4_dnl plus margin(row) when bg4_multi is 0, or margins(row, m) when it is 1.
m4_dnl Elementwise transforms (logistic, exp, exp_double, hinge) apply to each output of a
m4_dnl multi-target model; softprob and softmax need classes (validation checks num_class).
m4_dnl
bg4_require(@<bg4_transform@>, @<bg4_multi@>, @<bg4_objective@>)m4_dnl
m4_ifelse(bg4_transform, @<logistic@>, @<m4_dnl
/* XGBoost's float sigmoid (common::Sigmoid): the 1e-16f is added in float, last. */
static float transform(float m) {
  float t = -m;

  t = 88.7f < t ? 88.7f : t;
  return 1.0f / ((expf(t) + 1.0f) + 1e-16f);
}
@>, bg4_transform, @<exp@>, @<m4_dnl
/* count:poisson, reg:gamma, reg:tweedie, survival:cox: exp of the margin, in float. */
static float transform(float m) {
  return expf(m);
}
@>, bg4_transform, @<exp_double@>, @<m4_dnl
/* survival:aft: XGBoost calls exp on the float margin, which is the double exp. */
static float transform(float m) {
  return (float)exp((double)m);
}
@>, bg4_transform, @<hinge@>, @<m4_dnl
/* binary:hinge: 1 for a positive margin, else 0 (NaN gives 0, as in XGBoost). */
static float transform(float m) {
  return m > 0.0f ? 1.0f : 0.0f;
}
@>, bg4_transform, @<softprob@>, @<m4_dnl
/* XGBoost's Softmax: subtract the float max, expf each, sum in double, divide in float. */
static void transform(float *m) {
  double sum = 0.0;
  float max = m[0];
  uint32_t g;

  for (g = 1; g < NUM_OUTPUTS; g++)
    max = fmaxf(m[g], max);
  for (g = 0; g < NUM_OUTPUTS; g++) {
    m[g] = expf(m[g] - max);
    sum += m[g];
  }
  for (g = 0; g < NUM_OUTPUTS; g++)
    m[g] /= (float)sum;
}
@>, bg4_transform, @<softmax@>, @<m4_dnl
/* multi:softmax: the index of the first largest margin, as a float. */
static float transform(const float *m) {
  uint32_t g, best = 0;

  for (g = 1; g < NUM_OUTPUTS; g++)
    best = m[g] > m[best] ? g : best;
  return (float)best;
}
@>, bg4_transform, @<identity@>, @<@>, @<m4_dnl
m4_errprint(m4___file__:m4___line__@<: xgbc: unknown transform @>bg4_transform
)m4_m4exit(1)@>)m4_dnl

static void predict(const float *x, size_t n_rows, float *out) {
  size_t r;

m4_ifelse(bg4_transform, @<identity@>, @<m4_dnl
  (void)r;
  predict_margin(x, n_rows, out); /* bg4_objective: the margin is the prediction */
@>, bg4_transform, @<softprob@>, @<m4_dnl
  for (r = 0; r < n_rows; r++) {
    margins(x + r * NUM_FEATURES, out + r * NUM_OUTPUTS);
    transform(out + r * NUM_OUTPUTS);
  }
@>, bg4_transform, @<softmax@>, @<m4_dnl
  for (r = 0; r < n_rows; r++) {
    float m[NUM_OUTPUTS];
    margins(x + r * NUM_FEATURES, m);
    out[r] = transform(m);
  }
@>, bg4_multi, @<1@>, @<m4_dnl
  /* One output per target, each transformed on its own. */
  predict_margin(x, n_rows, out);
  for (r = 0; r < n_rows * NUM_OUTPUTS; r++)
    out[r] = transform(out[r]);
@>, @<m4_dnl
  for (r = 0; r < n_rows; r++)
    out[r] = transform(margin(x + r * NUM_FEATURES));
@>)m4_dnl
}
