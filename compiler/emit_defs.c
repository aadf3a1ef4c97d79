/* emit_defs.c - write the model as m4 definitions for the templates (see emit.h). */
#include "emit.h"
#include "emit_linear.h"

#include <math.h>
#include <stdint.h>
#include <string.h>



const char *xgbc_float_literal(char *buf, size_t n, float f) {
  size_t len;

  /* A start margin can overflow (logit of a base_score next to 1): name the value math.h's
   * way; NAN and INFINITY are float constant expressions. */
  if (!isfinite(f)) {
    snprintf(buf, n, "%s", isnan(f) ? "NAN" : f > 0 ? "INFINITY" : "-INFINITY");
    return buf;
  }
  /* 9 significant digits identify a float32; the compiler rounds the literal back to it. */
  snprintf(buf, n, "%.9g", (double)f);
  len = strlen(buf);
  if (strpbrk(buf, ".e") == NULL && len + 2 < n) {
    memcpy(buf + len, ".0", 3);
    len += 2;
  }
  if (len + 1 < n) {
    buf[len] = 'f';
    buf[len + 1] = '\0';
  }
  return buf;
}


/* Whether p (inside s) is the '_' of "m4_" or "bg4_": the output must not look like a macro
 * that m4 left unexpanded (m4run.c refuses output that does). */
static int macro_prefix_at(const char *s, const char *p) {
  return *p == '_' && ((p - s >= 2 && memcmp(p - 2, "m4", 2) == 0) ||
                       (p - s >= 3 && memcmp(p - 3, "bg4", 3) == 0));
}


/* s as the inside of a C string literal: quotes, backslashes, control bytes, '?' (no
 * trigraphs), '@' (m4's quote character), '$' (m4 replaces $1, $@, ... in a definition's body,
 * inside quotes too) and macro-like prefixes become escapes. */
static void put_c_string(FILE *out, const char *s) {
  const char *p;

  for (p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c < 0x20 || c == 0x7f || c == '@' || c == '?' || c == '$' || macro_prefix_at(s, p))
      fprintf(out, "\\%03o", c);
    else
      fputc(c, out);
  }
}


/* s inside a C comment: no comment end, no control bytes, no '@' or '$' (see put_c_string),
 * no macro-like prefix. */
static void put_c_comment(FILE *out, const char *s) {
  const char *p;

  for (p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '*' && p[1] == '/')
      fputs("* /", out), p++;
    else if (c < 0x20 || c == 0x7f || c == '@' || c == '$')
      fputc('?', out);
    else if (macro_prefix_at(s, p))
      fputs("\\_", out);
    else
      fputc(c, out);
  }
}


/* m4_define(@<NAME@>, @<@<string@>@>): expands to the escaped text, never rescanned as macros. */
static void def_string(FILE *out, const char *name, const char *value, int as_c_string) {
  fprintf(out, "m4_define(@<%s@>, @<@<", name);
  if (as_c_string)
    put_c_string(out, value);
  else
    put_c_comment(out, value);
  fputs("@>@>)\n", out);
}


static void def_uint(FILE *out, const char *name, unsigned long long v) {
  fprintf(out, "m4_define(@<%s@>, @<%llu@>)\n", name, v);
}


static void def_word(FILE *out, const char *name, const char *word) {
  fprintf(out, "m4_define(@<%s@>, @<%s@>)\n", name, word);
}


static const char *transform_word(enum xgbc_transform t) {
  switch (t) {
  case XGBC_TRANSFORM_LOGISTIC:
    return "logistic";
  case XGBC_TRANSFORM_EXP:
    return "exp";
  case XGBC_TRANSFORM_EXP_DOUBLE:
    return "exp_double";
  case XGBC_TRANSFORM_HINGE:
    return "hinge";
  case XGBC_TRANSFORM_SOFTPROB:
    return "softprob";
  case XGBC_TRANSFORM_SOFTMAX:
    return "softmax";
  case XGBC_TRANSFORM_IDENTITY:
    break;
  }
  return "identity";
}


/* One tree as nested m4 calls, from flat node i at depth dep:
 * bg4_if(DEPTH, FEATURE, THRESHOLD, DEFAULT_LEFT, @<LEFT@>, @<RIGHT@>),
 * bg4_ifcat(DEPTH, FEATURE, CAT_OFFSET, CAT_SIZE, DEFAULT_LEFT, @<LEFT@>, @<RIGHT@>) or
 * bg4_ret(DEPTH, VALUE).
 * m4 quotes nest, so one quote pair per level keeps each branch unexpanded until its turn.
 * Recursion depth is the tree's depth, which validation bounds by the node count. */
static void put_nested(FILE *out, const struct xgbc_flat *f, uint32_t i, uint32_t dep) {
  const struct xgbc_flat_node *n = &f->nodes[i];
  char num[32];

  if (n->is_leaf) {
    fprintf(out, "bg4_ret(%u, %s)", dep, xgbc_float_literal(num, sizeof num, n->leaf));
    return;
  }
  if (n->categorical)
    fprintf(out, "bg4_ifcat(%u, %u, %u, %u, %u, @<", dep, n->feature, n->cat_offset,
            n->cat_size, n->default_left);
  else
    fprintf(out, "bg4_if(%u, %u, %s, %u, @<", dep, n->feature,
            xgbc_float_literal(num, sizeof num, n->threshold), n->default_left);
  put_nested(out, f, n->child, dep + 1);
  fputs("@>, @<", out);
  put_nested(out, f, n->child + 1, dep + 1);
  fputs("@>)", out);
}


/* A split's threshold for the node tables: a categorical split's is CAT_SET(offset), a NaN
 * whose payload is its bitset's offset (the templates define CAT_SET). buf needs 32 bytes. */
static const char *threshold_text(char *buf, size_t n, const struct xgbc_flat_node *node) {
  if (node->categorical) {
    snprintf(buf, n, "CAT_SET(%u)", node->cat_offset);
    return buf;
  }
  return xgbc_float_literal(buf, n, node->threshold);
}


#define CAT_COMMENT_MAX 24 /* categories listed in a bitset's comment */

/* bg4_cat_bits: bg4_cat_block(OFFSET, SIZE, NODE, TREE, SOURCE, @<WORDS@>, @<CATEGORIES@>)
 * per categorical split, in node order: WORDS its bitset as C literals, CATEGORIES the first
 * CAT_COMMENT_MAX categories of its set as the file lists them, for a comment. */
static void put_cat_bits(FILE *out, const struct xgbc_model *m, const struct xgbc_flat *f) {
  uint32_t t, i, j;

  fputs("m4_define(@<bg4_cat_bits@>, @<", out);
  for (t = 0; t < f->num_trees; t++) {
    const struct xgbc_flat_tree *ft = &f->trees[t];
    for (i = ft->root; i < ft->root + ft->num_nodes; i++) {
      const struct xgbc_flat_node *n = &f->nodes[i];
      if (!n->categorical)
        continue;
      fprintf(out, "bg4_cat_block(%u, %u, %u, %u, %u, @<", n->cat_offset, n->cat_size, i, t,
              n->source);
      for (j = 0; j < n->cat_size / 32; j++)
        fprintf(out, "%s0x%08xu", j ? (j % 6 ? ", " : ",\n  ") : "",
                f->cat_bits[n->cat_offset + j]);
      fputs("@>, @<", out);
      for (j = 0; j < n->cat_count && j < CAT_COMMENT_MAX; j++)
        fprintf(out, "%s%d", j ? " " : "", (int)m->trees[t].categories[n->cat_begin + j]);
      if (n->cat_count > CAT_COMMENT_MAX)
        fprintf(out, " ... (%u in all)", n->cat_count);
      fputs("@>)\n", out);
    }
  }
  fputs("@>)\n", out);
}


int xgbc_emit_defs(FILE *out, const struct xgbc_emit_info *info, const struct xgbc_model *m,
                   const struct xgbc_flat *f) {
  char num[32], num2[32];
  uint32_t i, t;

  /* Definitions produce no output of their own. */
  fputs("m4_divert(-1)\n# xgbc definitions: facts about one model, for the templates\n", out);
  def_word(out, "bg4_name", info->name);
  def_word(out, "bg4_emit", info->emit ? info->emit : "branchless");
  def_string(out, "bg4_source", info->source, 0);
  def_word(out, "bg4_sha256", info->sha256);
  def_word(out, "bg4_xgbc_version", info->xgbc_version);
  def_string(out, "bg4_xgboost_version", m->version[0] ? m->version : "unknown", 0);
  def_string(out, "bg4_objective", m->objective, 1);
  def_word(out, "bg4_transform", transform_word(m->obj->transform));
  def_word(out, "bg4_booster", m->booster);
  def_uint(out, "bg4_num_features", m->num_features);
  def_uint(out, "bg4_num_outputs", m->num_groups);
  def_uint(out, "bg4_num_trees", f->num_trees);
  def_uint(out, "bg4_num_nodes", f->num_nodes);
  def_uint(out, "bg4_max_depth", f->max_depth);
  def_uint(out, "bg4_feature_bits", f->feature_bits);
  /* bg4_categorical 1: the model has categorical splits, and the kernels test categories */
  def_uint(out, "bg4_categorical", f->num_categorical > 0);
  def_uint(out, "bg4_num_cat_words", f->num_cat_words);
  def_word(out, "bg4_base_score", xgbc_float_literal(num, sizeof num, m->base_score));
  def_word(out, "bg4_base_margin", xgbc_float_literal(num, sizeof num, xgbc_model_base_margin(m)));
  /* bg4_base_margins: one start margin per output group, comma separated */
  fputs("m4_define(@<bg4_base_margins@>, @<", out);
  for (i = 0; i < m->num_groups; i++)
    fprintf(out, "%s%s", i ? ", " : "",
            xgbc_float_literal(num, sizeof num, xgbc_model_group_base_margin(m, i)));
  fputs("@>)\n", out);

  /* bg4_feature_names: bg4_feature_name(@<escaped@>) per feature */
  fputs("m4_define(@<bg4_feature_names@>, @<", out);
  for (i = 0; i < m->num_features; i++) {
    fputs("bg4_feature_name(@<@<", out); /* twice quoted: never rescanned */
    if (m->feature_names != NULL)
      put_c_string(out, m->feature_names[i]);
    else
      fprintf(out, "f%u", i);
    fputs("@>@>)\n", out);
  }
  fputs("@>)\n", out);

  /* bg4_feature_types: bg4_feature_type(@<escaped@>) per feature; "q" (XGBoost's default) when
   * the model has none */
  fputs("m4_define(@<bg4_feature_types@>, @<", out);
  for (i = 0; i < m->num_features; i++) {
    fputs("bg4_feature_type(@<@<", out);
    put_c_string(out, m->feature_types != NULL ? m->feature_types[i] : "q");
    fputs("@>@>)\n", out);
  }
  fputs("@>)\n", out);
  if (m->linear) {
    int err = xgbc_emit_linear_defs(out, m);
    fputs("m4_divert(0)m4_dnl\n", out);
    return err ? err : ferror(out) ? XGBC_EIO : 0;
  }

  /* bg4_trees: bg4_tree(INDEX, ROOT, NODES, DEPTH, GROUP) per tree */
  fputs("m4_define(@<bg4_trees@>, @<", out);
  for (t = 0; t < f->num_trees; t++) {
    const struct xgbc_flat_tree *ft = &f->trees[t];
    fprintf(out, "bg4_tree(%u, %u, %u, %u, %u)\n", t, ft->root, ft->num_nodes, ft->depth,
            ft->group);
  }
  fputs("@>)\n", out);

  put_cat_bits(out, m, f);

  /* bg4_tops: the first two levels of each tree, for kernels that load them without gathers:
   * bg4_top(TREE, WHICH, THRESHOLD, DEFAULT_LEFT, DISTANCE, FEATURE) with WHICH 0 for the
   * root, 1 and 2 for its left and right child (a leaf root stands in for both: it stays).
   * No newlines: the template picks one WHICH at a time and lays the values out itself. */
  fputs("m4_define(@<bg4_tops@>, @<", out);
  for (t = 0; t < f->num_trees; t++) {
    const struct xgbc_flat_node *root = &f->nodes[f->trees[t].root];
    uint32_t which, at[3];

    at[0] = f->trees[t].root;
    at[1] = root->is_leaf ? at[0] : root->child;
    at[2] = root->is_leaf ? at[0] : root->child + 1;
    for (which = 0; which < 3; which++) {
      const struct xgbc_flat_node *n = &f->nodes[at[which]];
      if (n->is_leaf)
        fprintf(out, "bg4_top(%u, %u, NAN, 0, 0, 0)", t, which);
      else
        fprintf(out, "bg4_top(%u, %u, %s, %u, %u, %u)", t, which,
                threshold_text(num, sizeof num, n), n->default_left,
                n->child + 1 - at[which], n->feature);
    }
  }
  fputs("@>)\n", out);

  /* bg4_nodes: per tree bg4_tree_begin(INDEX, WEIGHT), then per node
   * bg4_split(INDEX, FEATURE, DEFAULT_LEFT, CHILD, THRESHOLD, SOURCE),
   * bg4_catsplit(INDEX, FEATURE, DEFAULT_LEFT, CHILD, CAT_SET(OFFSET), SOURCE, SIZE) or
   * bg4_leaf(INDEX, CHILD, VALUE, SOURCE) */
  fputs("m4_define(@<bg4_nodes@>, @<", out);
  for (t = 0; t < f->num_trees; t++) {
    const struct xgbc_flat_tree *ft = &f->trees[t];
    fprintf(out, "bg4_tree_begin(%u, %s)\n", t, xgbc_float_literal(num, sizeof num, ft->weight));
    for (i = ft->root; i < ft->root + ft->num_nodes; i++) {
      const struct xgbc_flat_node *n = &f->nodes[i];
      if (n->is_leaf)
        fprintf(out, "bg4_leaf(%u, %u, %s, %u)\n", i, n->child,
                xgbc_float_literal(num, sizeof num, n->leaf), n->source);
      else if (n->categorical)
        fprintf(out, "bg4_catsplit(%u, %u, %u, %u, %s, %u, %u)\n", i, n->feature,
                n->default_left, n->child, threshold_text(num2, sizeof num2, n), n->source,
                n->cat_size);
      else
        fprintf(out, "bg4_split(%u, %u, %u, %u, %s, %u)\n", i, n->feature, n->default_left,
                n->child, xgbc_float_literal(num2, sizeof num2, n->threshold), n->source);
    }
  }
  fputs("@>)\n", out);

  /* bg4_ifelse_trees: bg4_ifelse_tree(INDEX, GROUP, @<BODY@>) per tree, BODY nested (only for
   * --emit ifelse: it is as large as the node table) */
  fputs("m4_define(@<bg4_ifelse_trees@>, @<", out);
  if (info->emit != NULL && strcmp(info->emit, "ifelse") == 0)
    for (t = 0; t < f->num_trees; t++) {
      fprintf(out, "bg4_ifelse_tree(%u, %u, @<", t, f->trees[t].group);
      put_nested(out, f, f->trees[t].root, 1);
      fputs("@>)\n", out);
    }
  fputs("@>)\n", out);
  fputs("m4_divert(0)m4_dnl\n", out);
  return ferror(out) ? XGBC_EIO : 0;
}


int xgbc_emit_name_defs(FILE *out, const char *name, const char *xgbc_version) {
  fputs("m4_divert(-1)\n", out);
  def_word(out, "bg4_name", name);
  def_word(out, "bg4_xgbc_version", xgbc_version);
  fputs("m4_divert(0)m4_dnl\n", out);
  return ferror(out) ? XGBC_EIO : 0;
}
