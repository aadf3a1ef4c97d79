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
/* From this many rows on, a lane per row beats a lane per tree; but a row of at most 8
 * features in one register (vpermps, no feature gather) with the model's tables in L2 keeps a
 * lane per tree at every batch size (measured on the AWS model: 110 ns a row against 125). */
#if NUM_FEATURES <= 8 && bg4_num_nodes@<@>u <= 65536u
#define AVX2_ROW_MIN ((size_t)-1)
#else
#define AVX2_ROW_MIN 8u
#endif
#define AVX2_GROUPS 8u   /* one row: trees walked at once, in vectors of 8 */

m4_ifelse(bg4_categorical, @<0@>, @<m4_dnl
/* The first two levels of every tree in contiguous tables, [0] root, [1] left child, [2] right
 * child (a leaf root in all three), padded like tree_root: one row's walks start with plain
 * loads and a blend instead of two levels of gathers. */
m4_dnl bg4_top(TREE, WHICH, THRESHOLD, DEFAULT_LEFT, DISTANCE, FEATURE): one entry of bg4_tops;
m4_dnl bg4_top_end(TREE) breaks the line after every 8 trees.
m4_define(@<bg4_top_end@>, @<m4_ifelse(m4_eval(@<$1 % 8@>), @<7@>, @<
   @>)@>)m4_dnl
m4_define(@<bg4_top@>, @<m4_ifelse(@<$2@>, bg4_which, @<$3,bg4_top_end($1) @>)@>)m4_dnl
m4_dnl bg4_repeat(N, TEXT): TEXT N times
m4_define(@<bg4_repeat@>, @<m4_ifelse(m4_eval(@<$1 > 0@>), @<1@>, @<$2@<@>bg4_repeat(m4_decr(@<$1@>), @<$2@>)@>)@>)m4_dnl
m4_define(@<bg4_pad@>, @<bg4_repeat(m4_eval((bg4_num_trees + 7) / 8 * 8 - bg4_num_trees), @<NAN, @>)@>)m4_dnl
m4_define(@<bg4_which@>, 0)m4_dnl
/* (padding lanes: NaN thresholds and words 0, so they stay on node 0) */
static const float top_threshold[3][NUM_TREES_PAD] = {
  {bg4_tops@<@>bg4_pad},
m4_define(@<bg4_which@>, 1)m4_dnl
  {bg4_tops@<@>bg4_pad},
m4_define(@<bg4_which@>, 2)m4_dnl
  {bg4_tops@<@>bg4_pad},
};
m4_define(@<bg4_top@>, @<m4_ifelse(@<$2@>, bg4_which, @<bg4_word(@<$4@>, @<$5@>, @<$6@>),bg4_top_end($1) @>)@>)m4_dnl
m4_define(@<bg4_which@>, 0)m4_dnl
static const uint32_t top_word[3][NUM_TREES_PAD] = {
  {bg4_tops},
m4_define(@<bg4_which@>, 1)m4_dnl
  {bg4_tops},
m4_define(@<bg4_which@>, 2)m4_dnl
  {bg4_tops},
};
@>, @<m4_dnl
/* (A model with categorical splits walks every level with gathers: the per-tree tables of
 * the first two levels, which numeric models use for one row, would need their bitset sizes
 * too.) */
@>)m4_dnl

static int available_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? 1 : 0;
}

/* Gathers into a fresh zeroed register. A gather merges into its destination (lanes whose
 * mask bit is clear keep the old value), so the CPU waits for whatever last wrote that
 * register, often the previous walk's result: independent walks become one chain. Compilers
 * drop a zero merge source when the mask is all ones, so both come from asm statements the
 * compiler cannot see through (measured: about 1.8x faster blocks of walks). */
AVX2_FN inline __m256 zero_avx2(void) {
  __m256 z;

  __asm__("vxorps %0, %0, %0" : "=x"(z));
  return z;
}

AVX2_FN inline __m256 ones_avx2(void) {
  __m256 m;

  __asm__("vpcmpeqd %0, %0, %0" : "=x"(m));
  return m;
}

#define AVX2_GATHER_PS(base, index, scale) \
  _mm256_mask_i32gather_ps(zero_avx2(), base, index, ones_avx2(), scale)
#define AVX2_GATHER_EPI32(base, index, scale) \
  _mm256_mask_i32gather_epi32(_mm256_castps_si256(zero_avx2()), \
                              (const int *)(const void *)(base), index, \
                              _mm256_castps_si256(ones_avx2()), scale)

/* The thresholds and words of the eight nodes in i: two gathers of 64-bit elements (a whole
 * node per lane, lanes 0-3 and 4-7), then split into two vectors of eight in lane order. */
AVX2_FN inline void nodes_avx2(__m256i i, __m256 *threshold, __m256i *word) {
  const long long *base = (const long long *)(const void *)nodes;
  __m256i ones = _mm256_castps_si256(ones_avx2()), zero = _mm256_castps_si256(zero_avx2());
  __m256 lo = _mm256_castsi256_ps(
    _mm256_mask_i32gather_epi64(zero, base, _mm256_castsi256_si128(i), ones, 8));
  __m256 hi = _mm256_castsi256_ps(
    _mm256_mask_i32gather_epi64(zero, base, _mm256_extracti128_si256(i, 1), ones, 8));
  /* per 128-bit half: (t0 t1 t4 t5 | t2 t3 t6 t7), then the 64-bit pairs back in order */
  __m256 t = _mm256_shuffle_ps(lo, hi, 0x88), w = _mm256_shuffle_ps(lo, hi, 0xdd);

  *threshold = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), 0xd8));
  *word = _mm256_castpd_si256(_mm256_permute4x64_pd(_mm256_castps_pd(w), 0xd8));
}

/* The children the eight nodes in i send their features v to. go_left is all ones (-1) or 0:
 * (v < threshold) | (v is NaN & MISSING_LEFT); the next node is i + distance - go_left. */
AVX2_FN inline __m256i go_left_avx2(__m256 threshold, __m256i word, __m256 v) {
  __m256i lt = _mm256_castps_si256(_mm256_cmp_ps(v, threshold, _CMP_LT_OQ));
  __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));

  return _mm256_or_si256(lt, _mm256_and_si256(nan, _mm256_srai_epi32(word, 31)));
}

AVX2_FN inline __m256i distance_avx2(__m256i word) {
  return _mm256_and_si256(_mm256_srli_epi32(word, (int)FEATURE_BITS),
                          _mm256_set1_epi32((int)DISTANCE_MASK));
}

m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl
/* All ones where a categorical split sends a present v left (cat_left() for eight lanes): the
 * bitset size is the node's leaf_value slot, the offset the payload of its NaN threshold; a
 * lane that is not a candidate converts 0.0f and reads the zero word cat_bits[0]. */
AVX2_FN inline __m256i cat_left_avx2(__m256i i, __m256 threshold, __m256 v) {
  __m256i t = _mm256_castps_si256(threshold);
  __m256i is_cat = _mm256_cmpgt_epi32(t, _mm256_set1_epi32(CAT_FLAG));
  __m256 size = AVX2_GATHER_PS(leaf_value, i, 4);
  __m256i ok = _mm256_and_si256(is_cat, _mm256_castps_si256(_mm256_and_ps(
    _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GE_OQ), _mm256_cmp_ps(v, size, _CMP_LT_OQ))));
  __m256i c = _mm256_cvttps_epi32(_mm256_and_ps(v, _mm256_castsi256_ps(ok)));
  __m256i off = _mm256_and_si256(_mm256_and_si256(t, _mm256_set1_epi32((int)CAT_OFFSET_MASK)),
                                 is_cat);
  __m256i w = AVX2_GATHER_EPI32(cat_bits, _mm256_add_epi32(off, _mm256_srli_epi32(c, 5)), 4);
  /* bit c % 32 of w moved to the sign bit, then spread: all ones iff c is in the set */
  __m256i in = _mm256_srai_epi32(_mm256_sllv_epi32(w, _mm256_sub_epi32(
    _mm256_set1_epi32(31), _mm256_and_si256(c, _mm256_set1_epi32(31)))), 31);
  __m256i present = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_ORD_Q));

  return _mm256_andnot_si256(_mm256_and_si256(in, ok), _mm256_and_si256(is_cat, present));
}

AVX2_FN inline __m256i next_avx2(__m256i i, __m256 threshold, __m256i word, __m256 v) {
  return _mm256_add_epi32(_mm256_add_epi32(i, distance_avx2(word)),
                          _mm256_or_si256(go_left_avx2(threshold, word, v),
                                          cat_left_avx2(i, threshold, v)));
}
@>, @<m4_dnl
AVX2_FN inline __m256i next_avx2(__m256i i, __m256 threshold, __m256i word, __m256 v) {
  return _mm256_add_epi32(_mm256_add_epi32(i, distance_avx2(word)),
                          go_left_avx2(threshold, word, v));
}
@>)m4_dnl

AVX2_FN inline __m256i feature_avx2(__m256i word) {
  return _mm256_and_si256(word, _mm256_set1_epi32((int)FEATURE_MASK));
}

/* One step of eight walks; lane k reads its feature at x + xoff[k]. */
AVX2_FN inline __m256i step_avx2(__m256i i, __m256i xoff, const float *x) {
  __m256 threshold;
  __m256i word;

  nodes_avx2(i, &threshold, &word);
  return next_avx2(i, threshold, word,
                   AVX2_GATHER_PS(x, _mm256_add_epi32(xoff, feature_avx2(word)), 4));
}

/* nv independent walks of depth steps, in lockstep: a gather's result arrives tens of cycles
 * after it is issued, so one walk alone would leave the core idle; nv of them interleaved keep
 * the load ports busy. */
AVX2_FN inline void walk_avx2(__m256i *i, const __m256i *xoff, uint32_t nv, const float *x,
                              uint32_t depth) {
  uint32_t v;

  for (; depth > 0; depth--)
    for (v = 0; v < nv; v++)
      i[v] = step_avx2(i[v], xoff[v], x);
}

AVX2_FN inline __m256 leaves_avx2(__m256i i) {
  return AVX2_GATHER_PS(leaf_value, i, 4);
}

#if NUM_FEATURES <= 8
/* The same with two 32-bit gathers: fewer steps between the gathers and the compare, which is
 * what a single row of few features waits on (measured 5% faster there, 10% slower in blocks). */
AVX2_FN inline void nodes32_avx2(__m256i i, __m256 *threshold, __m256i *word) {
  *threshold = AVX2_GATHER_PS(&nodes[0].threshold, i, 8);
  *word = AVX2_GATHER_EPI32(&nodes[0].word, i, 8);
}

#endif

m4_dnl vpermps reads the low 3 bits of each index: the word itself is the feature when
m4_dnl FEATURE_BITS is 3 (5 to 8 features); with fewer bits the distance must be masked off.
/* A row's feature for each lane's node word: with at most 8 features the row sits in one
 * register and vpermps picks the feature (it reads only the low 3 bits of each index, the
m4_ifelse(m4_eval(bg4_feature_bits < 3), @<1@>, m4_dnl
@< * feature once the distance above FEATURE_BITS is masked off); else a gather. */
#if NUM_FEATURES <= 8
#define AVX2_ROW_X(word) _mm256_permutevar8x32_ps(xrow, feature_avx2(word))
@>, @< * feature, as FEATURE_BITS <= 3); else a gather. */
#if NUM_FEATURES <= 8
#define AVX2_ROW_X(word) _mm256_permutevar8x32_ps(xrow, word)
@>)m4_dnl
#else
#define AVX2_ROW_X(word) AVX2_GATHER_PS(row, feature_avx2(word), 4)
#endif

/* ng vectors of 8 walks for one row, lane k of vector g on tree t + 8g + k, depth steps in
 * lockstep. The first two levels come from top_threshold and top_word: plain loads, the
 * root's decision, and a blend between its two children, instead of two levels of gathers. */
AVX2_FN inline void walk_row_avx2(__m256i *i, uint32_t t, uint32_t ng, const float *row,
                                  uint32_t depth) {
#if NUM_FEATURES <= 8
  const __m256i in_row = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)NUM_FEATURES),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  const __m256 xrow = _mm256_maskload_ps(row, in_row); /* reads only the row's own features */
#endif
  uint32_t g;

m4_ifelse(bg4_categorical, @<0@>, @<m4_dnl
  if (depth >= 2) {
    for (g = 0; g < ng; g++) {
      uint32_t b = t + 8 * g;
      __m256 th0 = _mm256_loadu_ps(top_threshold[0] + b);
      __m256i w0 = _mm256_loadu_si256((const __m256i *)(top_word[0] + b));
      __m256i go_left = go_left_avx2(th0, w0, AVX2_ROW_X(w0));
      __m256 left = _mm256_castsi256_ps(go_left);
      __m256 th1 = _mm256_blendv_ps(_mm256_loadu_ps(top_threshold[2] + b),
                                    _mm256_loadu_ps(top_threshold[1] + b), left);
      __m256i w1 = _mm256_castps_si256(_mm256_blendv_ps(
        _mm256_loadu_ps((const float *)(const void *)(top_word[2] + b)),
        _mm256_loadu_ps((const float *)(const void *)(top_word[1] + b)), left));

      i[g] = _mm256_add_epi32(_mm256_add_epi32(i[g], distance_avx2(w0)), go_left);
      i[g] = next_avx2(i[g], th1, w1, AVX2_ROW_X(w1));
    }
    depth -= 2;
  }
@>, @<m4_dnl
  (void)t; /* the row of the per-tree tables, which this model does not have */
@>)m4_dnl
  for (; depth > 0; depth--)
    for (g = 0; g < ng; g++) {
      __m256 threshold;
      __m256i word;

#if NUM_FEATURES <= 8
      nodes32_avx2(i[g], &threshold, &word);
#else
      nodes_avx2(i[g], &threshold, &word);
#endif
      i[g] = next_avx2(i[g], threshold, word, AVX2_ROW_X(word));
    }
}

/* One row: lane k of vector g walks tree t + 8g + k; AVX2_GROUPS vectors in lockstep. */
AVX2_FN void row_avx2(const float *row, float *out) {
  __m256i i[AVX2_GROUPS];
  float leaf[8 * AVX2_GROUPS];
  uint32_t t, k, g, ng;
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
  float m = BASE_MARGIN(0);
@>, @<m4_dnl
  float *m = out;

  for (k = 0; k < NUM_OUTPUTS; k++)
    m[k] = BASE_MARGIN(k);
@>)m4_dnl

  for (t = 0; t < NUM_TREES; t += 8 * AVX2_GROUPS) {
    uint32_t depth, n = NUM_TREES - t < 8 * AVX2_GROUPS ? NUM_TREES - t : 8 * AVX2_GROUPS;

    __m256i dmax = _mm256_setzero_si256();

    ng = (n + 7) / 8;
    for (g = 0; g < ng; g++) {
      i[g] = _mm256_loadu_si256((const __m256i *)(tree_root + t + 8 * g));
      dmax = _mm256_max_epu32(dmax, _mm256_loadu_si256((const __m256i *)(tree_depth + t + 8 * g)));
    }
    /* the deepest of these trees: horizontal max of the eight lanes */
    dmax = _mm256_max_epu32(dmax, _mm256_permute2x128_si256(dmax, dmax, 1));
    dmax = _mm256_max_epu32(dmax, _mm256_shuffle_epi32(dmax, 0x4e));
    dmax = _mm256_max_epu32(dmax, _mm256_shuffle_epi32(dmax, 0xb1));
    depth = (uint32_t)_mm256_cvtsi256_si32(dmax);
    walk_row_avx2(i, t, ng, row, depth);
    for (g = 0; g < ng; g++)
      _mm256_storeu_ps(leaf + 8 * g, leaves_avx2(i[g]));
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

/* n (1..AVX2_BLOCK) rows, a lane per row; a partial group repeats its last row in the spare
 * lanes, whose results are dropped. With fewer than 8 row vectors, several trees are walked
 * at once (about 8 walks in lockstep); their leaves are still added tree after tree. */
AVX2_FN void block_avx2(const float *x, uint32_t n, float *out) {
  __m256 acc[NUM_OUTPUTS][AVX2_BLOCK / 8];
  __m256i xoff[AVX2_BLOCK / 8], i[8 + AVX2_BLOCK / 8], xo[8 + AVX2_BLOCK / 8];
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i last = _mm256_set1_epi32((int)n - 1), nf = _mm256_set1_epi32((int)NUM_FEATURES);
  uint32_t v, g, t, j, nv = (n + 7) / 8, nt = nv >= 8 ? 1 : 8 / nv;

  for (v = 0; v < nv; v++) {
    __m256i r = _mm256_min_epi32(_mm256_add_epi32(_mm256_set1_epi32((int)(v * 8)), lane), last);
    xoff[v] = _mm256_mullo_epi32(r, nf);
    for (g = 0; g < NUM_OUTPUTS; g++)
      acc[g][v] = _mm256_set1_ps(BASE_MARGIN(g));
  }
  for (j = 0; j < nt; j++)
    for (v = 0; v < nv; v++)
      xo[j * nv + v] = xoff[v];
  for (t = 0; t < NUM_TREES; t += nt) {
    uint32_t cnt = NUM_TREES - t < nt ? NUM_TREES - t : nt, depth = 0;

    for (j = 0; j < cnt; j++) {
      __m256i root = _mm256_set1_epi32((int)tree_root[t + j]);
      depth = tree_depth[t + j] > depth ? tree_depth[t + j] : depth;
      for (v = 0; v < nv; v++)
        i[j * nv + v] = root;
    }
    walk_avx2(i, xo, cnt * nv, x, depth);
    for (j = 0; j < cnt; j++) {
      __m256 *a = acc[tree_group[t + j]];
      for (v = 0; v < nv; v++)
        a[v] = _mm256_add_ps(a[v], leaves_avx2(i[j * nv + v]));
    }
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
