m4_dnl kernel_avx2.m4 - x86-64 AVX2 kernel: 8 lanes, hardware gathers. Same functions as
m4_dnl kernel_scalar.m4. Compiled with __attribute__((target("avx2"))) so model.c builds without
m4_dnl -mavx2; model.c calls it only when available_avx2() says the CPU has AVX2.
/* ---- kernel: avx2 (templates/kernel_avx2.m4) ----
 * Eight lanes, each walking its own (row, tree) pair with vpgatherdd loads of the node fields.
 * One row (batch 1): lane k walks tree t + k, for the deepest of the eight trees' depths (a
 * shallower tree's leaf loops on itself), then the eight leaves are added to the margin one by
 * one in tree order. Several rows: lane k holds row k of a group of eight; all lanes walk the
 * same tree and the leaf vector is added to the eight margins, tree after tree, so each row's
 * margin is summed in exactly the scalar order. Rows come in blocks of AVX2_BLOCK; within a
 * block every tree is walked for all its row groups before the next tree, so a tree's nodes
 * are loaded from memory once per block, and the independent walks overlap in the core. */
#define AVX2_FN static __attribute__((target("avx2")))
#define AVX2_BLOCK 64u   /* rows per block: 8 vectors of 8 lanes */
#define AVX2_ROW_MIN 4u  /* from this many rows on, a lane per row beats a lane per tree */

static int available_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? 1 : 0;
}

/* Node field f of the eight nodes whose byte offsets (index * 16) are in off. */
#define AVX2_FIELD_U32(off, f) \
  _mm256_i32gather_epi32((const int *)((const char *)nodes + offsetof(struct node, f)), off, 1)
#define AVX2_FIELD_F32(off, f) \
  _mm256_i32gather_ps((const float *)((const char *)nodes + offsetof(struct node, f)), off, 1)

/* depth steps from the nodes in i; lane k reads its features at x + xoff[k]. */
AVX2_FN inline __m256i walk_avx2(__m256i i, __m256i xoff, const float *x, uint32_t depth) {
  const __m256i one = _mm256_set1_epi32(1), fmask = _mm256_set1_epi32((int)FEATURE_MASK);

  for (; depth > 0; depth--) {
    __m256i off = _mm256_slli_epi32(i, 4);
    __m256i feature = AVX2_FIELD_U32(off, feature);
    __m256i child = AVX2_FIELD_U32(off, child);
    __m256 threshold = AVX2_FIELD_F32(off, threshold);
    __m256 v = _mm256_i32gather_ps(x, _mm256_add_epi32(xoff, _mm256_and_si256(feature, fmask)), 4);
    /* go_left is all ones (-1) or 0: (x < threshold) | (x is NaN & MISSING_LEFT) */
    __m256i lt = _mm256_castps_si256(_mm256_cmp_ps(v, threshold, _CMP_LT_OQ));
    __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    __m256i go_left = _mm256_or_si256(lt, _mm256_and_si256(nan, _mm256_srai_epi32(feature, 31)));
    i = _mm256_add_epi32(_mm256_add_epi32(child, one), go_left);
  }
  return i;
}

AVX2_FN inline __m256 leaves_avx2(__m256i i) {
  return AVX2_FIELD_F32(_mm256_slli_epi32(i, 4), leaf);
}

/* One row, eight trees per step. */
AVX2_FN void row_avx2(const float *row, float *out) {
  const __m256i zero = _mm256_setzero_si256();
  float leaf[8];
  uint32_t t, k;
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
  float m = base_margin;
@>, @<m4_dnl
  float *m = out;

  for (k = 0; k < NUM_OUTPUTS; k++)
    m[k] = base_margin;
@>)m4_dnl

  for (t = 0; t < NUM_TREES; t += 8) {
    uint32_t depth = 0;
    __m256i i = _mm256_loadu_si256((const __m256i *)(tree_root + t));

    for (k = 0; k < 8; k++)
      depth = tree_depth[t + k] > depth ? tree_depth[t + k] : depth;
    _mm256_storeu_ps(leaf, leaves_avx2(walk_avx2(i, zero, row, depth)));
    for (k = 0; k < 8 && t + k < NUM_TREES; k++)
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
      m += leaf[k];
  }
  *out = m;
@>, @<m4_dnl
      m[tree_group[t + k]] += leaf[k];
  }
@>)m4_dnl
}

/* n (1..AVX2_BLOCK) rows, a lane per row; a partial group repeats its last row in the spare
 * lanes, whose results are dropped. */
AVX2_FN void block_avx2(const float *x, uint32_t n, float *out) {
  __m256 acc[NUM_OUTPUTS][AVX2_BLOCK / 8];
  __m256i xoff[AVX2_BLOCK / 8];
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i last = _mm256_set1_epi32((int)n - 1), nf = _mm256_set1_epi32((int)NUM_FEATURES);
  uint32_t v, g, t, nv = (n + 7) / 8;

  for (v = 0; v < nv; v++) {
    __m256i r = _mm256_min_epi32(_mm256_add_epi32(_mm256_set1_epi32((int)(v * 8)), lane), last);
    xoff[v] = _mm256_mullo_epi32(r, nf);
    for (g = 0; g < NUM_OUTPUTS; g++)
      acc[g][v] = _mm256_set1_ps(base_margin);
  }
  for (t = 0; t < NUM_TREES; t++) {
    __m256i root = _mm256_set1_epi32((int)tree_root[t]);
    uint32_t depth = tree_depth[t];
    __m256 *a = acc[tree_group[t]];

    for (v = 0; v < nv; v++)
      a[v] = _mm256_add_ps(a[v], leaves_avx2(walk_avx2(root, xoff[v], x, depth)));
  }
  for (v = 0; v < nv; v++) {
    uint32_t k, rows = n - v * 8 < 8 ? n - v * 8 : 8;
    float tmp[8];

    for (g = 0; g < NUM_OUTPUTS; g++) {
      _mm256_storeu_ps(tmp, acc[g][v]);
      for (k = 0; k < rows; k++)
        out[(v * 8 + k) * NUM_OUTPUTS + g] = tmp[k];
    }
  }
}

AVX2_FN void margins_avx2(const float *x, size_t n_rows, float *out) {
  size_t r;

  if (n_rows < AVX2_ROW_MIN) {
    for (r = 0; r < n_rows; r++)
      row_avx2(x + r * NUM_FEATURES, out + r * NUM_OUTPUTS);
    return;
  }
  for (r = 0; r < n_rows; r += AVX2_BLOCK) {
    size_t n = n_rows - r < AVX2_BLOCK ? n_rows - r : AVX2_BLOCK;
    block_avx2(x + r * NUM_FEATURES, (uint32_t)n, out + r * NUM_OUTPUTS);
  }
}
