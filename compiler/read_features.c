/* read_features.c - reader and checks for feature specs (features.json), into fxspec.h's IR.
 *
 * The format is docs/features.md. Everything is checked here, before any code is written: the
 * document's shape, every member's type, that members belong to the entry's transform (a typo
 * is refused rather than ignored), path syntax, vocabulary duplicates and sizes, hash bucket
 * counts. WHERE in a diagnostic is the JSON path of the culprit, e.g. features[3].vocabulary[7].
 */
#include "fxspec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define MAX_ENTRIES 65536
#define MAX_NAME 128
#define MAX_PATH_TEXT 256
#define MAX_STEPS 16
#define MAX_ALTERNATIVES 8
#define MAX_WORD 255          /* bytes; runtime/features_rt.c folds up to 256 */
#define MAX_WORDS 1000000
#define MAX_BUCKETS 16777216u /* 2^24: every bucket id is exact in float32 */

static const char *const transform_names[] = {"number", "vocabulary", "hash", "present",
                                              "hour", "dow", "area", "devicetype"};

/* Members each transform accepts besides name, transform, comment. */
static const char *const members[][9] = {
  [XGBC_FX_NUMBER] = {"path", "default", NULL},
  [XGBC_FX_VOCABULARY] = {"path", "default", "vocabulary", "unknown", "lowercase", NULL},
  [XGBC_FX_HASH] = {"path", "default", "buckets", "hash", "lowercase", NULL},
  [XGBC_FX_PRESENT] = {"path", NULL},
  [XGBC_FX_HOUR] = {"path", "default", "unit", "missing", "utcoffset", NULL},
  [XGBC_FX_DOW] = {"path", "default", "unit", "missing", "utcoffset", "week", NULL},
  [XGBC_FX_AREA] = {"path", "default", NULL},
  [XGBC_FX_DEVICETYPE] = {"path", "default", "ua", "scale", NULL},
};


static int fail(struct xgbc_diag *d, int code, const char *fmt_where, int i, const char *member,
                const char *why) {
  char where[256];

  snprintf(where, sizeof where, fmt_where, i, member);
  return xgbc_fail(d, code, where, "%s", why);
}


static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);

  if (p != NULL)
    memcpy(p, s, n);
  return p;
}


static void free_paths(struct xgbc_fx_paths *ps) {
  uint32_t i, j;

  for (i = 0; i < ps->num; i++) {
    for (j = 0; j < ps->alt[i].num_steps; j++)
      free(ps->alt[i].steps[j].key);
    free(ps->alt[i].steps);
    free(ps->alt[i].text);
  }
  free(ps->alt);
  memset(ps, 0, sizeof *ps);
}


void xgbc_features_free(struct xgbc_features *fs) {
  uint32_t i, j;

  for (i = 0; i < fs->num_entries; i++) {
    struct xgbc_fx_entry *e = &fs->entries[i];
    free(e->name);
    free_paths(&e->paths);
    free_paths(&e->aux);
    for (j = 0; j < e->num_words; j++)
      free(e->words[j].s);
    free(e->words);
  }
  free(fs->entries);
  memset(fs, 0, sizeof *fs);
}


/* Parse one path's text into p. Returns 0 or XGBC_E*, with why filled. */
static int parse_path(const char *text, struct xgbc_fx_path *p, char *why, size_t whysz) {
  const char *s = text;
  size_t n = strlen(text);

  memset(p, 0, sizeof *p);
  if (n == 0 || n > MAX_PATH_TEXT) {
    snprintf(why, whysz, "a path is 1 to %d bytes long", MAX_PATH_TEXT);
    return XGBC_EINVAL;
  }
  if ((p->text = dup_str(text)) == NULL)
    return XGBC_ENOMEM;
  if (strcmp(text, "$bidder") == 0) {
    p->root = XGBC_FX_ROOT_BIDDER;
    return 0;
  }
  if (text[0] == '$') {
    snprintf(why, whysz, "\"%s\": the only $ name is $bidder", text);
    return XGBC_EINVAL;
  }
  p->root = XGBC_FX_ROOT_REQUEST;
  if (strncmp(s, "imp[]", 5) == 0 && (s[5] == '\0' || s[5] == '.')) {
    p->root = XGBC_FX_ROOT_IMP;
    s += s[5] == '.' ? 6 : 5;
    if (s[-1] == '.' && *s == '\0') {
      snprintf(why, whysz, "\"%s\": a path does not end in '.'", text);
      return XGBC_EINVAL;
    }
  }
  p->steps = calloc(MAX_STEPS, sizeof *p->steps);
  if (p->steps == NULL)
    return XGBC_ENOMEM;
  while (*s != '\0') {
    size_t k = strcspn(s, ".[]");
    if (k == 0) {
      snprintf(why, whysz, "\"%s\": empty member name at byte %d (names are separated by "
               "single dots)", text, (int)(s - text));
      return XGBC_EINVAL;
    }
    if (p->num_steps == MAX_STEPS) {
      snprintf(why, whysz, "\"%s\": more than %d steps", text, MAX_STEPS);
      return XGBC_EINVAL;
    }
    {
      char *key = malloc(k + 1);
      if (key == NULL)
        return XGBC_ENOMEM;
      memcpy(key, s, k);
      key[k] = '\0';
      p->steps[p->num_steps++].key = key;
    }
    s += k;
    while (*s == '[') {
      char *end;
      long idx;
      if (s[1] == ']') {
        snprintf(why, whysz, "\"%s\": only the leading imp[] stands for every element; "
                 "elsewhere name one, e.g. [0]", text);
        return XGBC_EINVAL;
      }
      if (!(s[1] >= '0' && s[1] <= '9')) {
        snprintf(why, whysz, "\"%s\": expected an index like [0] at byte %d", text,
                 (int)(s - text));
        return XGBC_EINVAL;
      }
      idx = strtol(s + 1, &end, 10);
      if (*end != ']' || idx > 65535) {
        snprintf(why, whysz, "\"%s\": bad index at byte %d (0..65535 in brackets)", text,
                 (int)(s - text));
        return XGBC_EINVAL;
      }
      if (p->num_steps == MAX_STEPS) {
        snprintf(why, whysz, "\"%s\": more than %d steps", text, MAX_STEPS);
        return XGBC_EINVAL;
      }
      p->steps[p->num_steps].key = NULL;
      p->steps[p->num_steps++].index = (int)idx;
      s = end + 1;
    }
    if (*s == ']') {
      snprintf(why, whysz, "\"%s\": unmatched ']' at byte %d", text, (int)(s - text));
      return XGBC_EINVAL;
    }
    if (*s == '.') {
      s++;
      if (*s == '\0') {
        snprintf(why, whysz, "\"%s\": a path does not end in '.'", text);
        return XGBC_EINVAL;
      }
    }
  }
  return 0;
}


/* A path member: one string, or an array of alternatives. allow_bidder: $bidder may appear. */
static int read_paths(const cJSON *j, struct xgbc_fx_paths *ps, int allow_bidder,
                      int *uses_bidder, const char *where_fmt, int ei, const char *member,
                      struct xgbc_diag *d) {
  char why[512], where[256];
  const cJSON *c;
  int n, err;

  if (cJSON_IsString(j))
    n = 1;
  else if (cJSON_IsArray(j))
    n = cJSON_GetArraySize(j);
  else
    return fail(d, XGBC_ESCHEMA, where_fmt, ei, member,
                "must be a path string or an array of alternative paths");
  if (n < 1 || n > MAX_ALTERNATIVES) {
    snprintf(why, sizeof why, "holds %d paths; give 1 to %d alternatives", n, MAX_ALTERNATIVES);
    return fail(d, XGBC_EINVAL, where_fmt, ei, member, why);
  }
  ps->alt = calloc((size_t)n, sizeof *ps->alt);
  if (ps->alt == NULL)
    return XGBC_ENOMEM;
  for (c = cJSON_IsString(j) ? j : j->child; c != NULL && (int)ps->num < n; c = c->next) {
    struct xgbc_fx_path *p = &ps->alt[ps->num];
    snprintf(where, sizeof where, where_fmt, ei, member);
    if (cJSON_IsArray(j))
      snprintf(where + strlen(where), sizeof where - strlen(where), "[%u]", ps->num);
    if (!cJSON_IsString(c))
      return xgbc_fail(d, XGBC_ESCHEMA, where, "a path must be a string");
    why[0] = '\0';
    err = parse_path(c->valuestring, p, why, sizeof why);
    ps->num++; /* so free_paths releases what parse_path allocated */
    if (err)
      return why[0] ? xgbc_fail(d, err, where, "%s", why) : err;
    if (p->root == XGBC_FX_ROOT_BIDDER) {
      if (!allow_bidder)
        return xgbc_fail(d, XGBC_EINVAL, where, "$bidder is a string: it can feed number, "
                         "vocabulary, hash or present, not this transform");
      *uses_bidder = 1;
    }
  }
  return 0;
}


/* An optional finite number, or null (NaN); *out is left alone when the member is absent. */
static int read_number(const cJSON *j, float *out, const char *where_fmt, int ei,
                       const char *member, struct xgbc_diag *d) {
  if (j == NULL)
    return 0;
  if (cJSON_IsNull(j)) {
    *out = NAN;
    return 0;
  }
  if (!cJSON_IsNumber(j) || !isfinite((float)j->valuedouble))
    return fail(d, XGBC_ESCHEMA, where_fmt, ei, member,
                "must be a number that fits a float32, or null (missing)");
  *out = (float)j->valuedouble;
  return 0;
}


static int read_bool(const cJSON *j, int *out, const char *where_fmt, int ei, const char *member,
                     struct xgbc_diag *d) {
  if (j == NULL)
    return 0;
  if (!cJSON_IsBool(j))
    return fail(d, XGBC_ESCHEMA, where_fmt, ei, member, "must be true or false");
  *out = cJSON_IsTrue(j);
  return 0;
}


/* An optional string member that must be one of choices; *out is its index. */
static int read_choice(const cJSON *j, const char *const *choices, int *out,
                       const char *where_fmt, int ei, const char *member, struct xgbc_diag *d) {
  char why[256];
  int k;

  if (j == NULL)
    return 0;
  if (cJSON_IsString(j))
    for (k = 0; choices[k] != NULL; k++)
      if (strcmp(j->valuestring, choices[k]) == 0) {
        *out = k;
        return 0;
      }
  snprintf(why, sizeof why, "must be one of:");
  for (k = 0; choices[k] != NULL; k++)
    snprintf(why + strlen(why), sizeof why - strlen(why), "%s \"%s\"", k ? "," : "", choices[k]);
  return fail(d, XGBC_EINVAL, where_fmt, ei, member, why);
}


static int cmp_words(const void *a, const void *b) {
  const char *x = ((const struct xgbc_fx_word *)a)->s, *y = ((const struct xgbc_fx_word *)b)->s;
  size_t xn = strlen(x), yn = strlen(y);
  int c = memcmp(x, y, xn < yn ? xn : yn);

  /* The runtime's order (bg_fx_word_cmp): bytes unsigned, a prefix first. */
  return c != 0 ? c : (xn < yn ? -1 : xn > yn);
}


static int read_vocabulary(const cJSON *j, struct xgbc_fx_entry *e, int ei, struct xgbc_diag *d) {
  const char *fmt = "features[%d].%s";
  char where[256];
  const cJSON *c;
  int n, i;

  if (j == NULL)
    return fail(d, XGBC_ESCHEMA, fmt, ei, "vocabulary",
                "is required: an array of strings (id = position) or an object string -> id");
  if (!cJSON_IsArray(j) && !cJSON_IsObject(j))
    return fail(d, XGBC_ESCHEMA, fmt, ei, "vocabulary",
                "must be an array of strings (id = position) or an object string -> id");
  n = cJSON_GetArraySize(j);
  if (n < 1 || n > MAX_WORDS)
    return fail(d, XGBC_EINVAL, fmt, ei, "vocabulary", "must hold 1 to 1000000 strings");
  e->words = calloc((size_t)n, sizeof *e->words);
  if (e->words == NULL)
    return XGBC_ENOMEM;
  for (c = j->child, i = 0; c != NULL; c = c->next, i++) {
    const char *s = cJSON_IsArray(j) ? (cJSON_IsString(c) ? c->valuestring : NULL) : c->string;
    size_t len, k;
    if (cJSON_IsArray(j))
      snprintf(where, sizeof where, "features[%d].vocabulary[%d]", ei, i);
    else
      snprintf(where, sizeof where, "features[%d].vocabulary.%.64s", ei, c->string);
    if (s == NULL)
      return xgbc_fail(d, XGBC_ESCHEMA, where, "must be a string");
    len = strlen(s);
    if (len > MAX_WORD)
      return xgbc_fail(d, XGBC_EINVAL, where, "is %zu bytes long; words are at most %d",
                       len, MAX_WORD);
    if (cJSON_IsObject(j)) {
      if (!cJSON_IsNumber(c) || !isfinite((float)c->valuedouble))
        return xgbc_fail(d, XGBC_ESCHEMA, where, "the id must be a number that fits a float32");
      e->words[i].id = (float)c->valuedouble;
    } else {
      e->words[i].id = (float)i;
    }
    if ((e->words[i].s = dup_str(s)) == NULL)
      return XGBC_ENOMEM;
    e->num_words++;
    if (e->fold)
      for (k = 0; k < len; k++)
        if (e->words[i].s[k] >= 'A' && e->words[i].s[k] <= 'Z')
          e->words[i].s[k] = (char)(e->words[i].s[k] + ('a' - 'A'));
  }
  qsort(e->words, e->num_words, sizeof *e->words, cmp_words);
  for (i = 1; i < (int)e->num_words; i++)
    if (strcmp(e->words[i - 1].s, e->words[i].s) == 0) {
      snprintf(where, sizeof where, "features[%d].vocabulary", ei);
      return xgbc_fail(d, XGBC_EINVAL, where, "\"%.64s\" is listed twice%s", e->words[i].s,
                       e->fold ? " (comparing in lower case, as \"lowercase\" asks)" : "");
    }
  return 0;
}


static int known_member(enum xgbc_fx_transform t, const char *name) {
  int k;

  if (strcmp(name, "name") == 0 || strcmp(name, "transform") == 0 ||
      strcmp(name, "comment") == 0 || strcmp(name, "thrift") == 0)
    return 1;
  for (k = 0; members[t][k] != NULL; k++)
    if (strcmp(name, members[t][k]) == 0)
      return 1;
  return 0;
}


static int default_path(struct xgbc_fx_paths *ps, const char *text) {
  char why[256];
  int err;

  ps->alt = calloc(1, sizeof *ps->alt);
  if (ps->alt == NULL)
    return XGBC_ENOMEM;
  ps->num = 1;
  err = parse_path(text, &ps->alt[0], why, sizeof why);
  return err;
}


static int read_entry(const cJSON *j, struct xgbc_fx_entry *e, int ei, struct xgbc_diag *d) {
  static const char *const units[] = {"s", "ms", NULL};
  static const char *const missing[] = {"default", "clock", NULL};
  static const char *const weeks[] = {"spark", "iso", "unix", NULL};
  static const char *const scales[] = {"openrtb", "woothee", NULL};
  static const char *const hashes[] = {"fnv1a32", NULL};
  const char *fmt = "features[%d].%s";
  const cJSON *c, *t, *path;
  char where[256];
  int k, err, choice;

  e->dflt = NAN;
  e->unknown = NAN;
  if (!cJSON_IsObject(j))
    return fail(d, XGBC_ESCHEMA, "features[%d]%s", ei, "", "must be an object");
  c = cJSON_GetObjectItemCaseSensitive(j, "name");
  if (c == NULL || !cJSON_IsString(c) || c->valuestring[0] == '\0' ||
      strlen(c->valuestring) > MAX_NAME)
    return fail(d, XGBC_ESCHEMA, fmt, ei, "name", "must be a string of 1 to 128 bytes");
  if ((e->name = dup_str(c->valuestring)) == NULL)
    return XGBC_ENOMEM;
  t = cJSON_GetObjectItemCaseSensitive(j, "transform");
  for (k = 0; k < (int)(sizeof transform_names / sizeof transform_names[0]); k++)
    if (t != NULL && cJSON_IsString(t) && strcmp(t->valuestring, transform_names[k]) == 0)
      break;
  if (k == (int)(sizeof transform_names / sizeof transform_names[0]))
    return fail(d, XGBC_EINVAL, fmt, ei, "transform", "must be one of \"number\", "
                "\"vocabulary\", \"hash\", \"present\", \"hour\", \"dow\", \"area\", "
                "\"devicetype\"");
  e->transform = (enum xgbc_fx_transform)k;
  for (c = j->child; c != NULL; c = c->next)
    if (!known_member(e->transform, c->string)) {
      snprintf(where, sizeof where, "features[%d].%.64s", ei, c->string);
      return xgbc_fail(d, XGBC_EINVAL, where, "is not a member of a \"%s\" entry",
                       transform_names[k]);
    }
  for (c = j->child; c != NULL; c = c->next)
    if (cJSON_GetObjectItemCaseSensitive(j, c->string) != c) {
      snprintf(where, sizeof where, "features[%d].%.64s", ei, c->string);
      return xgbc_fail(d, XGBC_EINVAL, where, "is given twice");
    }
  c = cJSON_GetObjectItemCaseSensitive(j, "comment");
  if (c != NULL && !cJSON_IsString(c))
    return fail(d, XGBC_ESCHEMA, fmt, ei, "comment", "must be a string");

  if ((err = read_number(cJSON_GetObjectItemCaseSensitive(j, "default"), &e->dflt, fmt, ei,
                         "default", d)) ||
      (err = read_bool(cJSON_GetObjectItemCaseSensitive(j, "lowercase"), &e->fold, fmt, ei,
                       "lowercase", d)))
    return err;

  path = cJSON_GetObjectItemCaseSensitive(j, "path");
  switch (e->transform) {
  case XGBC_FX_NUMBER:
  case XGBC_FX_VOCABULARY:
  case XGBC_FX_HASH:
  case XGBC_FX_PRESENT:
    /* An entry read only from Thrift calls needs no OpenRTB path: it has no value there. */
    if (path == NULL && cJSON_GetObjectItemCaseSensitive(j, "thrift") == NULL)
      return fail(d, XGBC_ESCHEMA, fmt, ei, "path", "is required for this transform (or a "
                  "\"thrift\" source)");
    if (path != NULL &&
        (err = read_paths(path, &e->paths, 1, &e->uses_bidder, fmt, ei, "path", d)))
      return err;
    break;
  case XGBC_FX_HOUR:
  case XGBC_FX_DOW:
    if (path != NULL && (err = read_paths(path, &e->paths, 0, &e->uses_bidder, fmt, ei, "path",
                                          d)))
      return err;
    choice = 0;
    if ((err = read_choice(cJSON_GetObjectItemCaseSensitive(j, "unit"), units, &choice, fmt, ei,
                           "unit", d)))
      return err;
    e->ts_ms = choice;
    choice = path == NULL;
    if ((err = read_choice(cJSON_GetObjectItemCaseSensitive(j, "missing"), missing, &choice,
                           fmt, ei, "missing", d)))
      return err;
    e->ts_clock = choice;
    if (path == NULL && (cJSON_GetObjectItemCaseSensitive(j, "unit") != NULL ||
                         cJSON_GetObjectItemCaseSensitive(j, "missing") != NULL))
      return fail(d, XGBC_EINVAL, fmt, ei, cJSON_GetObjectItemCaseSensitive(j, "unit") ? "unit"
                  : "missing", "only applies to a timestamp \"path\" (without one the entry "
                  "reads the clock)");
    if (path == NULL && !e->ts_clock)
      return XGBC_EINVAL; /* unreachable: no path means the clock */
    c = cJSON_GetObjectItemCaseSensitive(j, "utcoffset");
    if (c == NULL)
      err = default_path(&e->aux, "device.geo.utcoffset");
    else if (!cJSON_IsNull(c))
      err = read_paths(c, &e->aux, 0, &e->uses_bidder, fmt, ei, "utcoffset", d);
    if (err)
      return err;
    choice = 0;
    if ((err = read_choice(cJSON_GetObjectItemCaseSensitive(j, "week"), weeks, &choice, fmt, ei,
                           "week", d)))
      return err;
    e->week = choice;
    break;
  case XGBC_FX_AREA:
    err = path != NULL ? read_paths(path, &e->paths, 0, &e->uses_bidder, fmt, ei, "path", d)
                       : default_path(&e->paths, "imp[].banner");
    if (err)
      return err;
    break;
  case XGBC_FX_DEVICETYPE:
    err = path != NULL ? read_paths(path, &e->paths, 0, &e->uses_bidder, fmt, ei, "path", d)
                       : default_path(&e->paths, "device.devicetype");
    if (err)
      return err;
    c = cJSON_GetObjectItemCaseSensitive(j, "ua");
    err = c != NULL ? read_paths(c, &e->aux, 0, &e->uses_bidder, fmt, ei, "ua", d)
                    : default_path(&e->aux, "device.ua");
    if (err)
      return err;
    choice = 0;
    if ((err = read_choice(cJSON_GetObjectItemCaseSensitive(j, "scale"), scales, &choice, fmt,
                           ei, "scale", d)))
      return err;
    e->scale = choice;
    break;
  }

  if (e->transform == XGBC_FX_VOCABULARY) {
    if ((err = read_number(cJSON_GetObjectItemCaseSensitive(j, "unknown"), &e->unknown, fmt, ei,
                           "unknown", d)) ||
        (err = read_vocabulary(cJSON_GetObjectItemCaseSensitive(j, "vocabulary"), e, ei, d)))
      return err;
  }
  if (e->transform == XGBC_FX_HASH) {
    c = cJSON_GetObjectItemCaseSensitive(j, "buckets");
    if (c == NULL || !cJSON_IsNumber(c) || !(c->valuedouble >= 1) ||
        c->valuedouble > MAX_BUCKETS || c->valuedouble != floor(c->valuedouble))
      return fail(d, c == NULL ? XGBC_ESCHEMA : XGBC_EINVAL, fmt, ei, "buckets",
                  "must be a whole number from 1 to 16777216 (2^24, so bucket ids are exact "
                  "in float32)");
    e->buckets = (uint32_t)c->valuedouble;
    choice = 0;
    if ((err = read_choice(cJSON_GetObjectItemCaseSensitive(j, "hash"), hashes, &choice, fmt, ei,
                           "hash", d)))
      return err;
  }
  return xgbc_read_fx_thrift(cJSON_GetObjectItemCaseSensitive(j, "thrift"), e, ei, d);
}


int xgbc_read_features(const char *text, size_t len, struct xgbc_features *fs,
                       struct xgbc_diag *d) {
  const char *end = NULL;
  cJSON *root, *list, *c;
  int err = 0, n, i;

  memset(fs, 0, sizeof *fs);
  fs->bidder_in_splits = 1; /* until xgbc_features_check has seen the model */
  root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  if (root == NULL) {
    const char *at = cJSON_GetErrorPtr();
    size_t off = at != NULL && at >= text && at <= text + len ? (size_t)(at - text) : 0, k;
    long line = 1, col = 1;
    for (k = 0; k < off; k++, col++)
      if (text[k] == '\n')
        line++, col = 0;
    return xgbc_fail(d, XGBC_ESYNTAX, "", "not valid JSON near line %ld, column %ld", line, col);
  }
  for (; end != NULL && end < text + len; end++)
    if (!(*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')) {
      cJSON_Delete(root);
      return xgbc_fail(d, XGBC_ESYNTAX, "", "text after the JSON document");
    }
  if (!cJSON_IsObject(root)) {
    err = xgbc_fail(d, XGBC_ESCHEMA, "", "a feature spec is an object with a \"features\" array");
    goto out;
  }
  for (c = root->child; c != NULL; c = c->next)
    if (strcmp(c->string, "features") != 0 && strcmp(c->string, "comment") != 0 &&
        strcmp(c->string, "version") != 0) {
      err = xgbc_fail(d, XGBC_EINVAL, c->string, "unknown member (a spec holds \"features\", "
                      "and optionally \"version\": 1 and \"comment\")");
      goto out;
    }
  c = cJSON_GetObjectItemCaseSensitive(root, "version");
  if (c != NULL && !(cJSON_IsNumber(c) && c->valuedouble == 1)) {
    err = xgbc_fail(d, XGBC_EUNSUPPORTED, "version", "this xgbc reads version 1 specs");
    goto out;
  }
  list = cJSON_GetObjectItemCaseSensitive(root, "features");
  if (list == NULL || !cJSON_IsArray(list)) {
    err = xgbc_fail(d, XGBC_ESCHEMA, "features", "is required: an array of entries, one per "
                    "model feature, in the model's order");
    goto out;
  }
  n = cJSON_GetArraySize(list);
  if (n < 1 || n > MAX_ENTRIES) {
    err = xgbc_fail(d, XGBC_EINVAL, "features", "holds %d entries; a spec has 1 to %d", n,
                    MAX_ENTRIES);
    goto out;
  }
  fs->entries = calloc((size_t)n, sizeof *fs->entries);
  if (fs->entries == NULL) {
    err = XGBC_ENOMEM;
    goto out;
  }
  for (c = list->child, i = 0; c != NULL; c = c->next, i++) {
    fs->num_entries++;
    if ((err = read_entry(c, &fs->entries[i], i, d)))
      goto out;
    fs->uses_bidder |= fs->entries[i].uses_bidder;
    fs->uses_thrift |= fs->entries[i].num_thrift > 0;
  }
  for (i = 0; i < n; i++) {
    int k;
    for (k = 0; k < i; k++)
      if (strcmp(fs->entries[i].name, fs->entries[k].name) == 0) {
        char where[64];
        snprintf(where, sizeof where, "features[%d].name", i);
        err = xgbc_fail(d, XGBC_EINVAL, where, "\"%.128s\" is also the name of features[%d]",
                        fs->entries[i].name, k);
        goto out;
      }
  }
out:
  cJSON_Delete(root);
  if (err)
    xgbc_features_free(fs);
  return err;
}


/* Whether a tree of m splits on a feature whose entry reads $bidder (nodes reachable from
 * each root only: the IR keeps pruned slots). */
static int bidder_in_splits(const struct xgbc_features *fs, const struct xgbc_model *m) {
  uint32_t t;

  if (m->num_trees == 0)
    return 1; /* no trees (a linear booster, say): every feature may count */
  for (t = 0; t < m->num_trees; t++) {
    const struct xgbc_tree *tr = &m->trees[t];
    int32_t stack[64], top = 0;
    if (tr->num_nodes == 0)
      continue;
    stack[top++] = 0;
    while (top > 0) {
      const struct xgbc_node *n = &tr->nodes[stack[--top]];
      if (n->left == XGBC_NO_CHILD)
        continue;
      if (n->feature < fs->num_entries && fs->entries[n->feature].uses_bidder)
        return 1;
      /* validate.c bounds the depth; a deeper tree is counted as splitting, to be safe. */
      if (top + 2 > 64)
        return 1;
      stack[top++] = n->left;
      stack[top++] = n->right;
    }
  }
  return 0;
}


int xgbc_features_check(struct xgbc_features *fs, const struct xgbc_model *m,
                        const char *model_file, struct xgbc_diag *d) {
  uint32_t i;

  if (fs->num_entries != m->num_features)
    return xgbc_fail(d, XGBC_EINVAL, "features", "%u entries, but the model %s has %u features "
                     "(learner_model_param.num_feature)", fs->num_entries, model_file,
                     m->num_features);
  for (i = 0; m->feature_names != NULL && i < fs->num_entries; i++)
    if (strcmp(fs->entries[i].name, m->feature_names[i]) != 0) {
      char where[64];
      snprintf(where, sizeof where, "features[%u].name", i);
      return xgbc_fail(d, XGBC_EINVAL, where, "\"%.128s\", but feature %u of the model %s is "
                       "named \"%.128s\"", fs->entries[i].name, i, model_file,
                       m->feature_names[i]);
    }
  fs->bidder_in_splits = bidder_in_splits(fs, m);
  return 0;
}
