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


int xgbc_emit_defs(FILE *out, const struct xgbc_emit_info *info, const struct xgbc_model *m,
                   const struct xgbc_flat *f) {
  char num[32], num2[32];
  uint32_t i, t;

  /* Definitions produce no output of their own. */
  fputs("m4_divert(-1)\n# xgbc definitions: facts about one model, for the templates\n", out);
  def_word(out, "bg4_name", info->name);
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

  /* bg4_nodes: per tree bg4_tree_begin(INDEX, WEIGHT), then per node
   * bg4_split(INDEX, FEATURE, DEFAULT_LEFT, CHILD, THRESHOLD, SOURCE) or
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
      else
        fprintf(out, "bg4_split(%u, %u, %u, %u, %s, %u)\n", i, n->feature, n->default_left,
                n->child, xgbc_float_literal(num2, sizeof num2, n->threshold), n->source);
    }
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
