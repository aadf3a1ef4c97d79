m4_dnl kernel_scalar.m4 - the portable kernel: one row, one tree, one node at a time.
m4_dnl Every kernel template defines the same two functions (as Redis's ae_*.c do), with its
m4_dnl ISA as suffix: available_ISA() and margins_ISA(x, n_rows, out), which writes the
m4_dnl n_rows x NUM_OUTPUTS raw margins. model.c.m4 includes the ones the target can build.
m4_dnl Needs from model.c.m4: nodes[], leaf_value[], tree_root[], tree_depth[], tree_group[], base_margin,
m4_dnl NUM_FEATURES, NUM_OUTPUTS, NUM_TREES, FEATURE_BITS, FEATURE_MASK, DISTANCE_MASK.
/* ---- kernel: scalar (templates/kernel_scalar.m4) ----
 * The reference for the others and the fallback on any target: each tree is walked for its
 * depth in steps, each step computing the next node from two comparisons, without a jump. */

/* One walk: depth steps from node i. Each step turns two comparisons into 0 or 1 and adds. */
static inline uint32_t walk(const float *row, uint32_t i, uint32_t depth) {
  for (; depth > 0; depth--) {
    uint32_t w = nodes[i].word;
    float x = row[w & FEATURE_MASK];
    uint32_t go_left = (uint32_t)(x < nodes[i].threshold) | ((uint32_t)(x != x) & (w >> 31));
    i = i + ((w >> FEATURE_BITS) & DISTANCE_MASK) - go_left;
  }
  return i;
}

static int available_scalar(void) {
  return 1;
}

/* The NUM_OUTPUTS margins of each row: base_margin, then every tree's leaf added in float to
 * its group's margin, in tree order, as XGBoost adds them. */
static void margins_scalar(const float *x, size_t n_rows, float *out) {
  size_t r;
  uint32_t t;

  for (r = 0; r < n_rows; r++) {
    const float *row = x + r * NUM_FEATURES;
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
    float m = base_margin;

    for (t = 0; t < NUM_TREES; t++)
      m += leaf_value[walk(row, tree_root[t], tree_depth[t])];
    out[r] = m;
@>, @<m4_dnl
    float *m = out + r * NUM_OUTPUTS;
    uint32_t g;

    for (g = 0; g < NUM_OUTPUTS; g++)
      m[g] = base_margin;
    for (t = 0; t < NUM_TREES; t++)
      m[tree_group[t]] += leaf_value[walk(row, tree_root[t], tree_depth[t])];
@>)m4_dnl
  }
}
