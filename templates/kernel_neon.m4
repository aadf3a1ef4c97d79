m4_dnl kernel_neon.m4 - aarch64 kernel: 4 lanes of NEON (baseline on every aarch64 CPU, so no
m4_dnl run-time check). NEON has no gather: each lane's node fields are loaded one by one and the
m4_dnl decision is made in the vector. Same functions as kernel_scalar.m4.
/* ---- kernel: neon (templates/kernel_neon.m4) ----
 * The aarch64 kernel (Graviton), laid out as the x86 kernels with four lanes: one row walks four
 * trees per vector, NEON_GROUPS vectors in lockstep; several rows walk a row per lane, in blocks
 * of NEON_BLOCK rows, several trees at once when the block is small. Without a gather
 * instruction each lane's node and feature are read by scalar loads; the comparisons, the
 * missing-value rule and the next index are computed four lanes at once. */
#define NEON_BLOCK 32u  /* rows per block: 8 vectors of 4 lanes */
#define NEON_ROW_MIN 4u /* from this many rows on, a lane per row beats a lane per tree */
#define NEON_GROUPS 8u  /* one row: trees walked at once, in vectors of 4 */

static int available_neon(void) {
  return 1;
}

/* One step of four walks: lane k is at node i[k] and reads its feature at x + xoff[k]. */
static inline uint32x4_t step_neon(uint32x4_t i, const uint32_t *xoff, const float *x) {
  uint32_t idx[4], w[4];
  float th[4], xv[4];
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl
  uint32_t cl[4];
@>)m4_dnl
  uint32x4_t word, lt, nan, dl, go_left, distance;
  float32x4_t v;
  int k;

  vst1q_u32(idx, i);
  for (k = 0; k < 4; k++) {
    w[k] = nodes[idx[k]].word;
    th[k] = nodes[idx[k]].threshold;
    xv[k] = x[xoff[k] + (w[k] & FEATURE_MASK)];
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl
    /* categorical splits: lane by lane (no gather for the bitset words), as a 0/-1 mask */
    cl[k] = 0u - cat_left(xv[k], th[k], leaf_value[idx[k]]);
@>)m4_dnl
  }
  word = vld1q_u32(w);
  v = vld1q_f32(xv);
  /* go_left is all ones (-1) or 0: (x < threshold) | (x is NaN & MISSING_LEFT) */
  lt = vcltq_f32(v, vld1q_f32(th));
  nan = vmvnq_u32(vceqq_f32(v, v));
  dl = vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_u32(word), 31));
  go_left = vorrq_u32(lt, vandq_u32(nan, dl));
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl
  go_left = vorrq_u32(go_left, vld1q_u32(cl));
@>)m4_dnl
  distance = vandq_u32(vshrq_n_u32(word, FEATURE_BITS), vdupq_n_u32(DISTANCE_MASK));
  return vaddq_u32(vaddq_u32(i, distance), go_left);
}

/* nv independent walks of depth steps in lockstep, so that their loads overlap; walk v reads
 * its lanes' features at x + xoff[v][k]. */
static inline void walk_neon(uint32x4_t *i, const uint32_t (*xoff)[4], uint32_t nv, const float *x,
                             uint32_t depth) {
  uint32_t v;

  for (; depth > 0; depth--)
    for (v = 0; v < nv; v++)
      i[v] = step_neon(i[v], xoff[v], x);
}

static inline float32x4_t leaves_neon(uint32x4_t i) {
  uint32_t idx[4];
  float leaf[4];
  int k;

  vst1q_u32(idx, i);
  for (k = 0; k < 4; k++)
    leaf[k] = leaf_value[idx[k]];
  return vld1q_f32(leaf);
}

/* One row: lane k of vector g walks tree t + 4g + k; NEON_GROUPS vectors in lockstep. */
static void row_neon(const float *row, float *out) {
  static const uint32_t xoff[NEON_GROUPS][4]; /* all zero: every lane reads the one row */
  uint32x4_t i[NEON_GROUPS];
  float leaf[4 * NEON_GROUPS];
  uint32_t t, k, g, ng;
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
  float m = BASE_MARGIN(0);
@>, @<m4_dnl
  float *m = out;

  for (k = 0; k < NUM_OUTPUTS; k++)
    m[k] = BASE_MARGIN(k);
@>)m4_dnl

  for (t = 0; t < NUM_TREES; t += 4 * NEON_GROUPS) {
    uint32_t depth = 0, n = NUM_TREES - t < 4 * NEON_GROUPS ? NUM_TREES - t : 4 * NEON_GROUPS;

    ng = (n + 3) / 4;
    for (k = 0; k < ng * 4; k++)
      depth = tree_depth[t + k] > depth ? tree_depth[t + k] : depth;
    for (g = 0; g < ng; g++)
      i[g] = vld1q_u32(tree_root + t + 4 * g);
    walk_neon(i, xoff, ng, row, depth);
    for (g = 0; g < ng; g++)
      vst1q_f32(leaf + 4 * g, leaves_neon(i[g]));
    for (k = 0; k < n; k++)
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
      m += leaf[k];
  }
  *out = m;
@>, @<m4_dnl
      m[tree_group[t + k]] += leaf[k];
  }
@>)m4_dnl
}

/* n (1..NEON_BLOCK) rows, a lane per row; spare lanes repeat the last row. With fewer than 8
 * row vectors, several trees are walked at once; their leaves are still added in tree order. */
static void block_neon(const float *x, uint32_t n, float *out) {
  float32x4_t acc[NUM_OUTPUTS][NEON_BLOCK / 4];
  uint32_t xo[8 + NEON_BLOCK / 4][4];
  uint32x4_t i[8 + NEON_BLOCK / 4];
  uint32_t v, g, t, j, k, nv = (n + 3) / 4, nt = nv >= 8 ? 1 : 8 / nv;

  for (j = 0; j < nt; j++)
    for (v = 0; v < nv; v++)
      for (k = 0; k < 4; k++)
        xo[j * nv + v][k] = (v * 4 + k < n ? v * 4 + k : n - 1) * NUM_FEATURES;
  for (v = 0; v < nv; v++)
    for (g = 0; g < NUM_OUTPUTS; g++)
      acc[g][v] = vdupq_n_f32(BASE_MARGIN(g));
  for (t = 0; t < NUM_TREES; t += nt) {
    uint32_t cnt = NUM_TREES - t < nt ? NUM_TREES - t : nt, depth = 0;

    for (j = 0; j < cnt; j++) {
      uint32x4_t root = vdupq_n_u32(tree_root[t + j]);
      depth = tree_depth[t + j] > depth ? tree_depth[t + j] : depth;
      for (v = 0; v < nv; v++)
        i[j * nv + v] = root;
    }
    walk_neon(i, (const uint32_t (*)[4])xo, cnt * nv, x, depth);
    for (j = 0; j < cnt; j++) {
      float32x4_t *a = acc[tree_group[t + j]];
      for (v = 0; v < nv; v++)
        a[v] = vaddq_f32(a[v], leaves_neon(i[j * nv + v]));
    }
  }
  for (v = 0; v < nv; v++) {
    uint32_t rows = n - v * 4 < 4 ? n - v * 4 : 4;
    float tmp[4];

    for (g = 0; g < NUM_OUTPUTS; g++) {
      vst1q_f32(tmp, acc[g][v]);
      for (k = 0; k < rows; k++)
        out[(v * 4 + k) * NUM_OUTPUTS + g] = tmp[k];
    }
  }
}

static void margins_neon(const float *x, size_t n_rows, float *out) {
  size_t r;

  if (n_rows < NEON_ROW_MIN) {
    for (r = 0; r < n_rows; r++)
      row_neon(x + r * NUM_FEATURES, out + r * NUM_OUTPUTS);
    return;
  }
  for (r = 0; r < n_rows; r += NEON_BLOCK) {
    size_t n = n_rows - r < NEON_BLOCK ? n_rows - r : NEON_BLOCK;
    block_neon(x + r * NUM_FEATURES, (uint32_t)n, out + r * NUM_OUTPUTS);
  }
}
