m4_dnl kernel_sse2.m4 - x86-64 baseline kernel: 4 lanes; SSE2 has no gather, so each lane's
m4_dnl node fields are loaded one by one and the decision is made in the vector. Same functions
m4_dnl as kernel_scalar.m4.
/* ---- kernel: sse2 (templates/kernel_sse2.m4) ----
 * The x86-64 baseline (every x86-64 CPU has SSE2), laid out as the AVX2 kernel with four lanes:
 * one row walks four trees per vector, SSE2_GROUPS vectors in lockstep; several rows walk a
 * row per lane, in blocks of SSE2_BLOCK rows, several trees at once when the block is small.
 * Without a gather instruction each lane's node and feature are read by scalar loads; the
 * comparisons, the missing-value rule and the next index are computed four lanes at once. */
#define SSE2_BLOCK 32u  /* rows per block: 8 vectors of 4 lanes */
#define SSE2_ROW_MIN 4u /* from this many rows on, a lane per row beats a lane per tree */
#define SSE2_GROUPS 8u  /* one row: trees walked at once, in vectors of 4 */

static int available_sse2(void) {
  return 1;
}

/* One step of four walks: lane k is at node i[k] and reads its feature at x + xoff[k]. */
static inline __m128i step_sse2(__m128i i, const uint32_t *xoff, const float *x) {
  uint32_t idx[4], w[4];
  float th[4], xv[4];
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl
  uint32_t cl[4];
@>)m4_dnl
  __m128i word, lt, nan, go_left, distance;
  __m128 v;
  int k;

  _mm_storeu_si128((__m128i *)idx, i);
  for (k = 0; k < 4; k++) {
    w[k] = nodes[idx[k]].word;
    th[k] = nodes[idx[k]].threshold;
    xv[k] = x[xoff[k] + (w[k] & FEATURE_MASK)];
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl
    /* categorical splits: lane by lane (SSE2 has no per-lane shift), as a 0/-1 mask */
    cl[k] = 0u - cat_left(xv[k], th[k], leaf_value[idx[k]]);
@>)m4_dnl
  }
  word = _mm_loadu_si128((const __m128i *)w);
  v = _mm_loadu_ps(xv);
  /* go_left is all ones (-1) or 0: (x < threshold) | (x is NaN & MISSING_LEFT) */
  lt = _mm_castps_si128(_mm_cmplt_ps(v, _mm_loadu_ps(th)));
  nan = _mm_castps_si128(_mm_cmpunord_ps(v, v));
  go_left = _mm_or_si128(lt, _mm_and_si128(nan, _mm_srai_epi32(word, 31)));
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl
  go_left = _mm_or_si128(go_left, _mm_loadu_si128((const __m128i *)cl));
@>)m4_dnl
  distance = _mm_and_si128(_mm_srli_epi32(word, (int)FEATURE_BITS),
                           _mm_set1_epi32((int)DISTANCE_MASK));
  return _mm_add_epi32(_mm_add_epi32(i, distance), go_left);
}

/* nv independent walks of depth steps in lockstep, so that their loads overlap; walk v reads
 * its lanes' features at x + xoff[v][k]. */
static inline void walk_sse2(__m128i *i, const uint32_t (*xoff)[4], uint32_t nv, const float *x,
                             uint32_t depth) {
  uint32_t v;

  for (; depth > 0; depth--)
    for (v = 0; v < nv; v++)
      i[v] = step_sse2(i[v], xoff[v], x);
}

static inline __m128 leaves_sse2(__m128i i) {
  uint32_t idx[4];
  float leaf[4];
  int k;

  _mm_storeu_si128((__m128i *)idx, i);
  for (k = 0; k < 4; k++)
    leaf[k] = leaf_value[idx[k]];
  return _mm_loadu_ps(leaf);
}

/* One row: lane k of vector g walks tree t + 4g + k; SSE2_GROUPS vectors in lockstep. */
static void row_sse2(const float *row, float *out) {
  static const uint32_t xoff[SSE2_GROUPS][4]; /* all zero: every lane reads the one row */
  __m128i i[SSE2_GROUPS];
  float leaf[4 * SSE2_GROUPS];
  uint32_t t, k, g, ng;
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
  float m = BASE_MARGIN(0);
@>, @<m4_dnl
  float *m = out;

  for (k = 0; k < NUM_OUTPUTS; k++)
    m[k] = BASE_MARGIN(k);
@>)m4_dnl

  for (t = 0; t < NUM_TREES; t += 4 * SSE2_GROUPS) {
    uint32_t depth = 0, n = NUM_TREES - t < 4 * SSE2_GROUPS ? NUM_TREES - t : 4 * SSE2_GROUPS;

    ng = (n + 3) / 4;
    for (k = 0; k < ng * 4; k++)
      depth = tree_depth[t + k] > depth ? tree_depth[t + k] : depth;
    for (g = 0; g < ng; g++)
      i[g] = _mm_loadu_si128((const __m128i *)(tree_root + t + 4 * g));
    walk_sse2(i, xoff, ng, row, depth);
    for (g = 0; g < ng; g++)
      _mm_storeu_ps(leaf + 4 * g, leaves_sse2(i[g]));
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

/* n (1..SSE2_BLOCK) rows, a lane per row; spare lanes repeat the last row. With fewer than 8
 * row vectors, several trees are walked at once; their leaves are still added in tree order. */
static void block_sse2(const float *x, uint32_t n, float *out) {
  __m128 acc[NUM_OUTPUTS][SSE2_BLOCK / 4];
  uint32_t xo[8 + SSE2_BLOCK / 4][4];
  __m128i i[8 + SSE2_BLOCK / 4];
  uint32_t v, g, t, j, k, nv = (n + 3) / 4, nt = nv >= 8 ? 1 : 8 / nv;

  for (j = 0; j < nt; j++)
    for (v = 0; v < nv; v++)
      for (k = 0; k < 4; k++)
        xo[j * nv + v][k] = (v * 4 + k < n ? v * 4 + k : n - 1) * NUM_FEATURES;
  for (v = 0; v < nv; v++)
    for (g = 0; g < NUM_OUTPUTS; g++)
      acc[g][v] = _mm_set1_ps(BASE_MARGIN(g));
  for (t = 0; t < NUM_TREES; t += nt) {
    uint32_t cnt = NUM_TREES - t < nt ? NUM_TREES - t : nt, depth = 0;

    for (j = 0; j < cnt; j++) {
      __m128i root = _mm_set1_epi32((int)tree_root[t + j]);
      depth = tree_depth[t + j] > depth ? tree_depth[t + j] : depth;
      for (v = 0; v < nv; v++)
        i[j * nv + v] = root;
    }
    walk_sse2(i, (const uint32_t (*)[4])xo, cnt * nv, x, depth);
    for (j = 0; j < cnt; j++) {
      __m128 *a = acc[tree_group[t + j]];
      for (v = 0; v < nv; v++)
        a[v] = _mm_add_ps(a[v], leaves_sse2(i[j * nv + v]));
    }
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
