m4_dnl kernel_ifelse.m4 - `xgbc --emit ifelse`: every tree as nested if/else, the code tl2cgen
m4_dnl and m2cgen write (but in float, so it stays exact). A benchmark baseline and a second,
m4_dnl independent implementation for the tests. Same functions as kernel_scalar.m4.
m4_dnl
m4_dnl bg4_indent(DEPTH) - two spaces per level (at most 80)
m4_define(@<bg4_indent@>, @<m4_substr(@<                                                                                @>, 0, m4_eval(@<2 * $1@>))@>)m4_dnl
m4_dnl bg4_if(DEPTH, FEATURE, THRESHOLD, DEFAULT_LEFT, LEFT, RIGHT) - one split
m4_define(@<bg4_if@>, @<bg4_indent($1)@<if (x[$2] < $3@>m4_ifelse(@<$4@>, @<1@>, @< || x[$2] != x[$2]@>)@<) {@>
$5
bg4_indent($1)@<} else {@>
$6
bg4_indent($1)@<}@>@>)m4_dnl
m4_dnl bg4_ifcat(DEPTH, FEATURE, CAT_OFFSET, CAT_SIZE, DEFAULT_LEFT, LEFT, RIGHT) - one
m4_dnl categorical split: left unless x is in the set, missing values by DEFAULT_LEFT
m4_define(@<bg4_ifcat@>, @<bg4_indent($1)@<if (@>m4_ifelse(@<$5@>, @<1@>, m4_dnl
@<@<x[$2] != x[$2] || @>@>, @<@<x[$2] == x[$2] && @>@>)@<!cat_in(x[$2], $3, $4)) {@>
$6
bg4_indent($1)@<} else {@>
$7
bg4_indent($1)@<}@>@>)m4_dnl
m4_dnl bg4_ret(DEPTH, VALUE) - one leaf
m4_define(@<bg4_ret@>, @<bg4_indent($1)@<return $2;@>@>)m4_dnl
m4_dnl bg4_ifelse_tree(INDEX, GROUP, BODY) - one tree as a function
m4_define(@<bg4_ifelse_tree@>, @<
/* tree $1 (output $2) */
static float tree_$1(const float *x) {
  (void)x; /* a tree may be a single leaf */
$3
}
@>)m4_dnl
/* ---- kernel: ifelse (templates/kernel_ifelse.m4) ----
 * One function per tree: a split is `if (x < threshold)` (with `|| x != x` when a missing
 * value goes left, since NaN compares false), a leaf is a return. This is the classic way to
 * compile a forest (tl2cgen, m2cgen), kept as a baseline: it branches at every node. */
m4_ifelse(bg4_categorical, @<1@>, @<m4_dnl

/* Whether x (not missing) is in the set of the categorical split whose bitset is cat_bits[
 * offset..] of size bits: as XGBoost, a negative value, one >= 2^24 (every size is at most
 * that) or one beyond the set is not; else category (int)x is looked up. */
static int cat_in(float x, uint32_t offset, uint32_t size) {
  uint32_t c;

  if (!(x >= 0.0f && x < (float)size))
    return 0;
  c = (uint32_t)x;
  return (int)((cat_bits[offset + c / 32u] >> (c % 32u)) & 1u);
}
@>)m4_dnl
bg4_ifelse_trees
static int available_ifelse(void) {
  return 1;
}

/* base_margin plus every tree's leaf, added in float in tree order. */
static void margins_ifelse(const float *x, size_t n_rows, float *out) {
  size_t r;

  for (r = 0; r < n_rows; r++) {
    const float *row = x + r * NUM_FEATURES;
m4_ifelse(bg4_multi, @<0@>, @<m4_dnl
m4_define(@<bg4_ifelse_tree@>, @<    m += tree_$1(row);@>)m4_dnl
    float m = BASE_MARGIN(0);

bg4_ifelse_trees@<@>m4_dnl
    out[r] = m;
@>, @<m4_dnl
m4_define(@<bg4_ifelse_tree@>, @<    m[$2] += tree_$1(row);@>)m4_dnl
    float *m = out + r * NUM_OUTPUTS;
    uint32_t g;

    for (g = 0; g < NUM_OUTPUTS; g++)
      m[g] = BASE_MARGIN(g);
bg4_ifelse_trees@<@>m4_dnl
@>)m4_dnl
  }
}
