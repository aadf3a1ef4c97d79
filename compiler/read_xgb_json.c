/* read_xgb_json.c - reader for XGBoost's save_model JSON, and the exact JSON parse that the
 * dump reader shares.
 *
 * The file is parsed with cJSON after one normalising pass over the text, which does two things
 * cJSON cannot:
 *  - XGBoost writes NaN, Infinity and -Infinity unquoted (not strict JSON). They become the
 *    string "NaN" and the numbers 1e999 / -1e999, which the getters below read back as floats.
 *  - cJSON converts every number with strtod to double. A float field read that way and then
 *    narrowed to float is rounded twice, which can differ from XGBoost's direct float parse in
 *    the last bit. So every non-integer number is parsed here with strtof and rewritten as the
 *    17-digit decimal of that float, which strtod reads back exactly.
 * Rewrites shift byte offsets, so the pass keeps a small map to report syntax errors at the
 * line and column of the original file. The parsed document goes to read_xgb_doc.c, which the
 * UBJSON reader shares.
 */
#include "read.h"
#include "read_doc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* A point where normalisation changed the text: norm[k] in the new text is orig[k] in the old. */
struct offset_map {
  size_t *norm, *orig;
  size_t n, cap;
};

struct buf {
  char *p;
  size_t n, cap;
};


static int buf_put(struct buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    char *p;
    while (b->n + n + 1 > cap)
      cap *= 2;
    p = realloc(b->p, cap);
    if (p == NULL)
      return XGBC_ENOMEM;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
  return 0;
}


static int map_add(struct offset_map *m, size_t norm, size_t orig) {
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    size_t *a = realloc(m->norm, cap * sizeof *a), *b;
    if (a == NULL)
      return XGBC_ENOMEM;
    m->norm = a;
    b = realloc(m->orig, cap * sizeof *b);
    if (b == NULL)
      return XGBC_ENOMEM;
    m->orig = b;
    m->cap = cap;
  }
  m->norm[m->n] = norm;
  m->orig[m->n] = orig;
  m->n++;
  return 0;
}


static size_t map_to_orig(const struct offset_map *m, size_t norm) {
  size_t lo = 0, hi = m->n;

  /* Last entry at or before norm; text between entries was copied unchanged. */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (m->norm[mid] <= norm)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return norm;
  return m->orig[lo - 1] + (norm - m->norm[lo - 1]);
}


static int is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}


/* The rewrite of the number or non-finite token at text[i..], or 0 bytes when it stays. */
static size_t rewrite_token(const char *text, size_t len, size_t i, char *out, size_t outsz,
                            size_t *consumed) {
  static const char *const words[][2] = {
    {"NaN", "\"NaN\""}, {"Infinity", "1e999"}, {"-Infinity", "-1e999"}, {"-NaN", "\"NaN\""},
  };
  char tok[64];
  size_t j, k, n;
  int fractional = 0;
  float f;

  for (k = 0; k < sizeof words / sizeof words[0]; k++) {
    n = strlen(words[k][0]);
    if (len - i >= n && memcmp(text + i, words[k][0], n) == 0) {
      *consumed = n;
      return (size_t)snprintf(out, outsz, "%s", words[k][1]);
    }
  }
  for (j = i; j < len && is_number_char(text[j]); j++)
    if (text[j] == '.' || text[j] == 'e' || text[j] == 'E')
      fractional = 1;
  n = j - i;
  *consumed = n;
  /* Integers of up to 15 digits are exact in double, so narrowing them rounds once; longer
   * ones go through strtof too (a count that long is refused later anyway). */
  if (n > 15)
    fractional = 1;
  if (!fractional || n == 0 || n >= sizeof tok)
    return 0; /* odd tokens are left for cJSON to reject */
  memcpy(tok, text + i, n);
  tok[n] = '\0';
  errno = 0;
  f = strtof(tok, NULL);
  /* Beyond float's range XGBoost reads infinity too; write it so that cJSON reads it back. */
  if (isinf(f))
    return (size_t)snprintf(out, outsz, "%s", f > 0 ? "1e999" : "-1e999");
  return (size_t)snprintf(out, outsz, "%.17g", (double)f);
}


/* Copy text into b, rewriting numbers and non-finite words outside strings (see the top). */
static int normalise(const char *text, size_t len, struct buf *b, struct offset_map *map) {
  size_t i = 0, start;
  int err;

  while (i < len) {
    char c = text[i];
    if (c == '"') {
      /* Copy a string verbatim, escapes included. */
      start = i++;
      while (i < len && text[i] != '"')
        i += (text[i] == '\\' && i + 1 < len) ? 2 : 1;
      if (i < len)
        i++;
      if ((err = buf_put(b, text + start, i - start)))
        return err;
    } else if (c == '-' || c == 'N' || c == 'I' || (c >= '0' && c <= '9')) {
      char out[64];
      size_t consumed, n = rewrite_token(text, len, i, out, sizeof out, &consumed);
      if (consumed == 0)
        consumed = 1;
      if (n > 0) {
        if ((err = map_add(map, b->n, i)) || (err = buf_put(b, out, n)) ||
            (err = map_add(map, b->n, i + consumed)))
          return err;
      } else if ((err = buf_put(b, text + i, consumed))) {
        return err;
      }
      i += consumed;
    } else {
      start = i;
      while (i < len && text[i] != '"' && text[i] != '-' && text[i] != 'N' && text[i] != 'I' &&
             !(text[i] >= '0' && text[i] <= '9'))
        i++;
      if ((err = buf_put(b, text + start, i - start)))
        return err;
    }
  }
  return buf_put(b, "", 0); /* always NUL-terminated, even when empty */
}


static void line_col(const char *text, size_t len, size_t off, size_t *line, size_t *col) {
  size_t i;

  *line = 1;
  *col = 1;
  for (i = 0; i < off && i < len; i++) {
    if (text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}


int xgbc_json_parse(const char *text, size_t len, cJSON **out, struct xgbc_diag *d) {
  struct buf b = {0};
  struct offset_map map = {0};
  const char *end = NULL;
  cJSON *root;
  int err = 0;

  *out = NULL;
  /* A UTF-8 byte order mark, as some editors write, is not part of the JSON. */
  if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
    text += 3, len -= 3;
  if (len == 0)
    return xgbc_fail(d, XGBC_ESYNTAX, "line 1, column 1", "the file is empty");
  if ((err = normalise(text, len, &b, &map))) {
    err = xgbc_fail(d, XGBC_ENOMEM, "", "out of memory");
    goto out;
  }
  /* The length includes the terminating NUL: cJSON checks for it inside the length. */
  root = cJSON_ParseWithLengthOpts(b.p, b.n + 1, &end, 1);
  if (root == NULL) {
    size_t off = end ? map_to_orig(&map, (size_t)(end - b.p)) : 0, line, col;
    char where[64];
    line_col(text, len, off, &line, &col);
    snprintf(where, sizeof where, "line %zu, column %zu", line, col);
    if (off >= len)
      err = xgbc_fail(d, XGBC_ESYNTAX, where, "unexpected end of file: the JSON is truncated");
    else
      err = xgbc_fail(d, XGBC_ESYNTAX, where, "not valid JSON here (near '%.*s')",
                      (int)(len - off < 16 ? len - off : 16), text + off);
    goto out;
  }
  *out = root;
out:
  free(b.p);
  free(map.norm);
  free(map.orig);
  return err;
}


int xgbc_read_xgb_json(const char *text, size_t len, struct xgbc_model *m, struct xgbc_diag *d) {
  cJSON *root = NULL;
  int err;

  memset(m, 0, sizeof *m);
  if ((err = xgbc_json_parse(text, len, &root, d)) == 0) {
    if (cJSON_IsArray(root))
      err = xgbc_fail(d, XGBC_ESCHEMA, "(top level)",
                      "a JSON array: this looks like a text dump (get_dump), not a save_model "
                      "file");
    else
      err = xgbc_doc_to_model(root, m, d);
  }
  cJSON_Delete(root);
  if (err)
    xgbc_model_free(m);
  return err;
}
