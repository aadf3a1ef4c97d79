/* read_any.c - pick the reader a file's content calls for, and complete text dumps.
 *
 * Formats are told apart by content, never by file name: UBJSON starts with '{' followed by a
 * type marker (JSON has a quote or whitespace there), a JSON dump is a JSON array, a text dump
 * starts with "booster[" or "0:[". A dump carries only trees, so it needs the rest of the model
 * from the command line (--objective, --base-score, --num-class, and --num-feature or
 * --feature-names; --num-parallel-tree for random forests) or from the model file it was dumped
 * from (--model-file, which then supplies everything, tree groups and DART weights included).
 * Those options are refused for any other file, and a dump without them is refused: a dump
 * alone cannot be compiled exactly.
 */
#include "read.h"
#include "read_doc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 65536u

const char xgbc_read_opts_usage[] =
  "text dumps (get_dump(dump_format=\"json\")) carry only trees; compile one with either\n"
  "  --model-file FILE    the save_model file it was dumped from (supplies everything else)\n"
  "or all of\n"
  "  --objective NAME     e.g. binary:logistic\n"
  "  --base-score X       the model's base_score as save_model stores it (e.g. 0.5)\n"
  "  --num-class N        number of classes (0 for anything but multi:*)\n"
  "  --num-feature N      number of features, unless --feature-names gives them\n"
  "  --feature-names A,B  the model's feature names, in column order\n"
  "  --num-parallel-tree N  trees per group and round (random forests; default 1)\n";


const char **xgbc_read_opt_slot(struct xgbc_read_opts *o, const char *name) {
  if (strcmp(name, "--model-file") == 0)
    return &o->model_file;
  if (strcmp(name, "--objective") == 0)
    return &o->objective;
  if (strcmp(name, "--base-score") == 0)
    return &o->base_score;
  if (strcmp(name, "--num-class") == 0)
    return &o->num_class;
  if (strcmp(name, "--num-feature") == 0)
    return &o->num_feature;
  if (strcmp(name, "--num-parallel-tree") == 0)
    return &o->num_parallel_tree;
  if (strcmp(name, "--feature-names") == 0)
    return &o->feature_names;
  return NULL;
}


enum xgbc_format xgbc_detect_format(const char *data, size_t len) {
  const unsigned char *p = (const unsigned char *)data;
  size_t i = 0;

  if (len >= 2 && ((p[0] == '{' && strchr("iUIlL$#", p[1]) != NULL && p[1] != '\0') ||
                   (p[0] == '[' && (p[1] == '$' || p[1] == '#'))))
    return XGBC_FORMAT_UBJSON;
  if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
    i = 3; /* a UTF-8 byte order mark before JSON */
  while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
    i++;
  if (i < len && p[i] == '[')
    return XGBC_FORMAT_JSON_DUMP;
  if ((len - i >= 8 && memcmp(p + i, "booster[", 8) == 0) ||
      (len - i >= 3 && memcmp(p + i, "0:[", 3) == 0) ||
      (len - i >= 7 && memcmp(p + i, "0:leaf=", 7) == 0))
    return XGBC_FORMAT_TEXT_DUMP;
  if (i < len && p[i] != '{' && (p[i] < 0x20 || p[i] >= 0x7f || memchr(p, '\0', len) != NULL))
    return XGBC_FORMAT_BINARY;
  return XGBC_FORMAT_JSON;
}


int xgbc_read_file(const char *path, char **data, size_t *len, struct xgbc_diag *d) {
  FILE *f = fopen(path, "rb");
  size_t cap = 1 << 16, n = 0;
  char *buf;

  if (f == NULL)
    return xgbc_fail(d, XGBC_EIO, "(file)", "cannot open: %s", strerror(errno));
  buf = malloc(cap);
  while (buf != NULL) {
    size_t got = fread(buf + n, 1, cap - n, f);
    char *p;
    n += got;
    if (n < cap)
      break;
    cap *= 2;
    if ((p = realloc(buf, cap)) == NULL)
      free(buf);
    buf = p;
  }
  if (buf == NULL || ferror(f)) {
    int e = errno;
    fclose(f);
    free(buf);
    return xgbc_fail(d, buf ? XGBC_EIO : XGBC_ENOMEM, "(file)", "cannot read: %s", strerror(e));
  }
  fclose(f);
  *data = buf;
  *len = n;
  return 0;
}


/* A save_model file: JSON or UBJSON. */
static int read_saved_model(const char *data, size_t len, struct xgbc_model *m,
                            struct xgbc_diag *d) {
  switch (xgbc_detect_format(data, len)) {
  case XGBC_FORMAT_UBJSON:
    return xgbc_read_xgb_ubj(data, len, m, d);
  case XGBC_FORMAT_TEXT_DUMP:
    return xgbc_fail(d, XGBC_EUNSUPPORTED, "line 1",
                     "a text dump (dump_format=\"text\"): xgbc reads save_model files (JSON or "
                     "UBJSON) and JSON dumps; dump with dump_format=\"json\" or, better, "
                     "compile the file save_model writes");
  case XGBC_FORMAT_BINARY:
    return xgbc_fail(d, XGBC_EUNSUPPORTED, "byte 0",
                     "binary data that is neither UBJSON nor JSON (the legacy binary model "
                     "format?): save the model with save_model(\"model.json\") or "
                     "save_model(\"model.ubj\")");
  case XGBC_FORMAT_JSON_DUMP:
  case XGBC_FORMAT_JSON:
    break;
  }
  return xgbc_read_xgb_json(data, len, m, d);
}


/* A count from the command line, 0..max. */
static int opt_uint(const char *s, const char *name, uint32_t lo, uint32_t max, uint32_t *out,
                    struct xgbc_diag *d) {
  char *end;
  unsigned long long v;

  errno = 0;
  v = strtoull(s, &end, 10);
  if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < lo || v > max)
    return xgbc_fail(d, XGBC_EUSAGE, name, "\"%.64s\" is not an integer in %u..%u", s, lo, max);
  *out = (uint32_t)v;
  return 0;
}


/* --feature-names a,b,c into shape's names (and feature count). */
static int opt_names(const char *s, struct xgbc_model *shape, struct xgbc_diag *d) {
  uint32_t n = 1, i = 0;
  const char *p, *start = s;

  for (p = s; *p; p++)
    n += *p == ',';
  if ((shape->feature_names = calloc(n, sizeof *shape->feature_names)) == NULL)
    return XGBC_ENOMEM;
  shape->num_features = n;
  for (p = s;; p++) {
    if (*p != ',' && *p != '\0')
      continue;
    if (p == start)
      return xgbc_fail(d, XGBC_EUSAGE, "--feature-names", "feature %u has an empty name", i);
    if ((shape->feature_names[i] = strndup(start, (size_t)(p - start))) == NULL)
      return XGBC_ENOMEM;
    i++;
    start = p + 1;
    if (*p == '\0')
      break;
  }
  return 0;
}


/* The shape of a dump's model from the command line. */
static int shape_from_options(const struct xgbc_read_opts *o, struct xgbc_model *shape,
                              uint32_t *npt, struct xgbc_diag *d) {
  uint32_t nf = 0;
  int err;

  if (o->objective == NULL || o->base_score == NULL || o->num_class == NULL)
    return xgbc_fail(d, XGBC_EUSAGE, "(command line)",
                     "a text dump carries only the trees: give the model's --objective, "
                     "--base-score and --num-class (missing:%s%s%s), or --model-file with the "
                     "save_model file it came from",
                     o->objective ? "" : " --objective", o->base_score ? "" : " --base-score",
                     o->num_class ? "" : " --num-class");
  if ((shape->objective = strdup(o->objective)) == NULL)
    return XGBC_ENOMEM;
  if ((err = xgbc_doc_base_score(o->base_score, "--base-score", shape, d)) ||
      (err = opt_uint(o->num_class, "--num-class", 0, MAX_GROUPS, &shape->num_class, d)))
    return err == XGBC_ESCHEMA ? XGBC_EUSAGE : err;
  shape->num_groups = shape->num_class > 1 ? shape->num_class : 1;
  *npt = 1;
  if (o->num_parallel_tree != NULL &&
      (err = opt_uint(o->num_parallel_tree, "--num-parallel-tree", 1, MAX_GROUPS, npt, d)))
    return err;
  if (o->feature_names != NULL && (err = opt_names(o->feature_names, shape, d)))
    return err;
  if (o->num_feature != NULL) {
    if ((err = opt_uint(o->num_feature, "--num-feature", 1, 0x7fffffffu, &nf, d)))
      return err;
    if (o->feature_names != NULL && nf != shape->num_features)
      return xgbc_fail(d, XGBC_EUSAGE, "--num-feature", "%u, but --feature-names names %u",
                       nf, shape->num_features);
    shape->num_features = nf;
  }
  if (shape->num_features == 0)
    return xgbc_fail(d, XGBC_EUSAGE, "(command line)",
                     "a text dump does not say how many features (columns) the model takes: "
                     "give --num-feature N or --feature-names, or --model-file");
  snprintf(shape->booster, sizeof shape->booster, "gbtree");
  return 0;
}


/* The shape of a dump's model from the save_model file it came from. */
static int shape_from_model_file(const struct xgbc_read_opts *o, struct xgbc_model *shape,
                                 struct xgbc_diag *d) {
  static const char *const names[] = {"--objective", "--base-score", "--num-class",
                                      "--num-feature", "--num-parallel-tree", "--feature-names"};
  const char *given[] = {o->objective, o->base_score, o->num_class, o->num_feature,
                         o->num_parallel_tree, o->feature_names};
  char *data = NULL;
  size_t len = 0, i;
  int err;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (given[i] != NULL)
      return xgbc_fail(d, XGBC_EUSAGE, names[i], "cannot be combined with --model-file, which "
                       "already says it");
  err = xgbc_read_file(o->model_file, &data, &len, d);
  if (err == 0)
    err = read_saved_model(data, len, shape, d);
  free(data);
  if (err == 0 && shape->linear)
    err = xgbc_fail(d, XGBC_EINVAL, "learner.gradient_booster.name",
                    "a gblinear model: it has no trees, so no tree dump belongs to it");
  if (err)
    d->file = o->model_file;
  return err;
}


int xgbc_read_model(const char *data, size_t len, const struct xgbc_read_opts *o,
                    struct xgbc_model *m, struct xgbc_diag *d) {
  const char *given = o->model_file ? "--model-file" : o->objective ? "--objective"
                      : o->base_score ? "--base-score" : o->num_class ? "--num-class"
                      : o->num_feature ? "--num-feature" : o->num_parallel_tree
                      ? "--num-parallel-tree" : o->feature_names ? "--feature-names" : NULL;
  enum xgbc_format fmt = xgbc_detect_format(data, len);
  struct xgbc_model shape;
  uint32_t npt = 1;
  int err;

  memset(m, 0, sizeof *m);
  if (fmt != XGBC_FORMAT_JSON_DUMP) {
    if (given != NULL)
      return xgbc_fail(d, XGBC_EUSAGE, given, "applies to text dumps only; this file is a "
                       "save_model file, which says it itself");
    return read_saved_model(data, len, m, d);
  }
  memset(&shape, 0, sizeof shape);
  if (o->model_file != NULL)
    err = shape_from_model_file(o, &shape, d);
  else
    err = shape_from_options(o, &shape, &npt, d);
  if (err == 0)
    err = xgbc_read_xgb_dump(data, len, &shape, npt, m, d);
  xgbc_model_free(&shape);
  return err;
}
