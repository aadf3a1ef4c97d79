m4_dnl kernel_scalar.m4 - the portable kernel: one row, one tree, one node at a time.
m4_dnl Every kernel template defines the same two functions (as Redis's ae_*.c do), with its
m4_dnl ISA as suffix: available_ISA() and margins_ISA(x, n_rows, out), which writes the
m4_dnl n_rows x NUM_OUTPUTS raw margins. model.c.m4 includes the ones the target can build.
m4_dnl Needs from model.c.m4: nodes[], leaf_value[], tree_root[], tree_depth[], tree_group[], BASE_MARGIN(g),
m4_dnl NUM_FEATURES, NUM_OUTPUTS, NUM_TREES, FEATURE_BITS, FEATURE_MASK, DISTANCE_MASK.
/* ---- kernel: scalar (templates/kernel_scalar.m4) ----
 * The reference for the others and the fallback on any target: each tree is walked for its
 * depth in steps, each step computing the next node from two comparisons, without a jump. */

/* One step: from node i to the child x sends it to. go_left is 0 or 1:
 * (x < threshold) | (x is NaN & MISSING_LEFT); the next node is i + distance - go_left. */
static inline uint32_t step(const float *row, uint32_t i) {
  uint32_t w = nodes[i].word;
  float x = row[w & FEATURE_MASK];
  uint32_t go_left = (uint32_t)(x < nodes[i].threshold) | ((uint32_t)(x != x) & (w >> 31));
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl

  go_left |= cat_left(x, nodes[i].threshold, leaf_value[i]); /* categorical splits */
@>)m4_dnl

  return i + ((w >> FEATURE_BITS) & DISTANCE_MASK) - go_left;
}

static int available_scalar(void) {
  return 1;
}

/* The NUM_OUTPUTS margins of each row: base_margin, then every tree's leaf added in float to
 * its group's margin, in tree order, as XGBoost adds them. SCALAR_LOCKSTEP trees are walked
 * together, one step of each in turn: each step waits for the last one's loads, and
 * independent walks side by side give the core something to do meanwhile. */
#define SCALAR_LOCKSTEP 8u

static void margins_scalar(const float *x, size_t n_rows, float *out) {
  size_t r;
  uint32_t t, k, d;

  for (r = 0; r < n_rows; r++) {
    const float *row = x + r * NUM_FEATURES;
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
    float m = BASE_MARGIN(0);
@>, @<m4_dnl
    float *m = out + r * NUM_OUTPUTS;

    for (k = 0; k < NUM_OUTPUTS; k++)
      m[k] = BASE_MARGIN(k);
@>)m4_dnl

    for (t = 0; t < NUM_TREES; t += SCALAR_LOCKSTEP) {
      uint32_t i[SCALAR_LOCKSTEP], depth = 0;

      /* tree_root and tree_depth are padded to a multiple of 8 (root 0, depth 0) */
      for (k = 0; k < SCALAR_LOCKSTEP; k++) {
        i[k] = tree_root[t + k];
        depth = tree_depth[t + k] > depth ? tree_depth[t + k] : depth;
      }
      for (d = 0; d < depth; d++)
        for (k = 0; k < SCALAR_LOCKSTEP; k++)
          i[k] = step(row, i[k]);
      for (k = 0; k < SCALAR_LOCKSTEP && t + k < NUM_TREES; k++)
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
        m += leaf_value[i[k]];
    }
    out[r] = m;
@>, @<m4_dnl
        m[tree_group[t + k]] += leaf_value[i[k]];
    }
@>)m4_dnl
  }
}
