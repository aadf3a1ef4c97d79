m4_dnl kernel_sse2.m4 - x86-64 baseline kernel: 4 lanes; SSE2 has no gather, so each lane's
m4_dnl node fields are loaded one by one and the decision is made in the vector. Same functions
m4_dnl as kernel_scalar.m4.
/* ---- kernel: sse2 (templates/kernel_sse2.m4) ----
 * The x86-64 baseline (every x86-64 CPU has SSE2). Four lanes, laid out as in the AVX2 kernel:
 * one row walks four trees at a time; several rows walk one tree, a row per lane, in blocks of
 * SSE2_BLOCK rows. Without a gather instruction the lanes' node fields and features are read
 * by four scalar loads each; the comparisons, the missing-value rule and the next index are
 * computed for the four lanes at once. */
#define SSE2_BLOCK 32u  /* rows per block: 8 vectors of 4 lanes */
#define SSE2_ROW_MIN 2u /* from this many rows on, a lane per row */

static int available_sse2(void) {
  return 1;
}

/* depth steps from the nodes in i[4]; lane k reads its features at x + xoff[k]. */
static inline __m128i walk_sse2(__m128i i, const uint32_t *xoff, const float *x, uint32_t depth) {
  const __m128i dmask = _mm_set1_epi32((int)DISTANCE_MASK);

  for (; depth > 0; depth--) {
    uint32_t idx[4], w[4];
    __m128i word, lt, nan, go_left;
    __m128 threshold, v;

    _mm_storeu_si128((__m128i *)idx, i);
    w[0] = nodes[idx[0]].word, w[1] = nodes[idx[1]].word;
    w[2] = nodes[idx[2]].word, w[3] = nodes[idx[3]].word;
    word = _mm_loadu_si128((const __m128i *)w);
    threshold = _mm_setr_ps(nodes[idx[0]].threshold, nodes[idx[1]].threshold,
                            nodes[idx[2]].threshold, nodes[idx[3]].threshold);
    v = _mm_setr_ps(x[xoff[0] + (w[0] & FEATURE_MASK)],
                    x[xoff[1] + (w[1] & FEATURE_MASK)],
                    x[xoff[2] + (w[2] & FEATURE_MASK)],
                    x[xoff[3] + (w[3] & FEATURE_MASK)]);
    /* go_left is all ones (-1) or 0: (x < threshold) | (x is NaN & MISSING_LEFT) */
    lt = _mm_castps_si128(_mm_cmplt_ps(v, threshold));
    nan = _mm_castps_si128(_mm_cmpunord_ps(v, v));
    go_left = _mm_or_si128(lt, _mm_and_si128(nan, _mm_srai_epi32(word, 31)));
    i = _mm_add_epi32(_mm_add_epi32(i, _mm_and_si128(_mm_srli_epi32(word, (int)FEATURE_BITS), dmask)), go_left);
  }
  return i;
}

static inline __m128 leaves_sse2(__m128i i) {
  uint32_t idx[4];

  _mm_storeu_si128((__m128i *)idx, i);
  return _mm_setr_ps(leaf_value[idx[0]], leaf_value[idx[1]], leaf_value[idx[2]],
                     leaf_value[idx[3]]);
}

/* One row, four trees per step. */
static void row_sse2(const float *row, float *out) {
  static const uint32_t zero[4] = {0, 0, 0, 0};
  float leaf[4];
  uint32_t t, k;
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
  float m = base_margin;
@>, @<m4_dnl
  float *m = out;

  for (k = 0; k < NUM_OUTPUTS; k++)
    m[k] = base_margin;
@>)m4_dnl

  for (t = 0; t < NUM_TREES; t += 4) {
    uint32_t depth = 0;
    __m128i i = _mm_loadu_si128((const __m128i *)(tree_root + t));

    for (k = 0; k < 4; k++)
      depth = tree_depth[t + k] > depth ? tree_depth[t + k] : depth;
    _mm_storeu_ps(leaf, leaves_sse2(walk_sse2(i, zero, row, depth)));
    for (k = 0; k < 4 && t + k < NUM_TREES; k++)
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
      m += leaf[k];
  }
  *out = m;
@>, @<m4_dnl
      m[tree_group[t + k]] += leaf[k];
  }
@>)m4_dnl
}

/* n (1..SSE2_BLOCK) rows, a lane per row; spare lanes repeat the last row. */
static void block_sse2(const float *x, uint32_t n, float *out) {
  __m128 acc[NUM_OUTPUTS][SSE2_BLOCK / 4];
  uint32_t xoff[SSE2_BLOCK];
  uint32_t v, g, t, k, nv = (n + 3) / 4;

  for (k = 0; k < nv * 4; k++)
    xoff[k] = (k < n ? k : n - 1) * NUM_FEATURES;
  for (v = 0; v < nv; v++)
    for (g = 0; g < NUM_OUTPUTS; g++)
      acc[g][v] = _mm_set1_ps(base_margin);
  for (t = 0; t < NUM_TREES; t++) {
    __m128i root = _mm_set1_epi32((int)tree_root[t]);
    uint32_t depth = tree_depth[t];
    __m128 *a = acc[tree_group[t]];

    for (v = 0; v < nv; v++)
      a[v] = _mm_add_ps(a[v], leaves_sse2(walk_sse2(root, xoff + v * 4, x, depth)));
  }
  for (v = 0; v < nv; v++) {
    uint32_t rows = n - v * 4 < 4 ? n - v * 4 : 4;
    float tmp[4];

    for (g = 0; g < NUM_OUTPUTS; g++) {
      _mm_storeu_ps(tmp, acc[g][v]);
      for (k = 0; k < rows; k++)
        out[(v * 4 + k) * NUM_OUTPUTS + g] = tmp[k];
    }
  }
}

static void margins_sse2(const float *x, size_t n_rows, float *out) {
  size_t r;

  if (n_rows < SSE2_ROW_MIN) {
    for (r = 0; r < n_rows; r++)
      row_sse2(x + r * NUM_FEATURES, out + r * NUM_OUTPUTS);
    return;
  }
  for (r = 0; r < n_rows; r += SSE2_BLOCK) {
    size_t n = n_rows - r < SSE2_BLOCK ? n_rows - r : SSE2_BLOCK;
    block_sse2(x + r * NUM_FEATURES, (uint32_t)n, out + r * NUM_OUTPUTS);
  }
}
