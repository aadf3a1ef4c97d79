/* read_xgb_ubj.c - reader for XGBoost's save_model UBJSON (.ubj), into the IR.
 *
 * Universal Binary JSON (ubjson.org, draft 12) as XGBoost writes it: markers Z T F (null and
 * booleans), i U I l L (int8, uint8, int16, int32, int64), d D (float32, float64), C (a char,
 * which XGBoost reads as an integer), S (string: an integer length, then UTF-8 bytes), [ ] and
 * { } (object keys are a length and bytes, without the S), and the optimised containers
 * "$ TYPE # COUNT" (strongly typed: the elements follow without markers) and "# COUNT". All
 * numbers are big-endian. H (high-precision numbers) and N (no-op) are refused: XGBoost never
 * writes them.
 *
 * The bytes become the same cJSON document the JSON reader builds (a float32 is exact as a
 * double), and read_xgb_doc.c maps it to the IR: both formats mean exactly the same. Anything
 * malformed is refused with the byte offset where it starts: a length or count larger than
 * what is left of the input (which also bounds memory by the input size), nesting deeper than
 * MAX_DEPTH, a NUL inside a string, bytes after the top-level value.
 */
#include "read.h"
#include "read_doc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256

struct ubj {
  const unsigned char *p;
  size_t len, pos;
  char *str;            /* scratch: the last key or string read, NUL-terminated */
  size_t str_cap;
  struct xgbc_diag *d;
};


static int fail_at(struct ubj *u, int code, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(struct ubj *u, int code, size_t off, const char *fmt, ...) {
  char where[48], why[256];
  va_list ap;

  snprintf(where, sizeof where, "byte %zu", off);
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  return xgbc_fail(u->d, code, where, "%s", why);
}


static int need(struct ubj *u, size_t n, const char *what) {
  if (u->len - u->pos >= n)
    return 0;
  return fail_at(u, XGBC_ESYNTAX, u->pos, "the data ends inside %s (%zu more bytes needed, %zu "
                 "left): the file is truncated", what, n, u->len - u->pos);
}


/* n big-endian bytes as an unsigned number; need() was checked. */
static uint64_t take_be(struct ubj *u, size_t n) {
  uint64_t v = 0;
  size_t i;

  for (i = 0; i < n; i++)
    v = (v << 8) | u->p[u->pos + i];
  u->pos += n;
  return v;
}


/* Bytes of an integer marker's payload, or 0 when the marker is not an integer type. */
static size_t int_size(int marker) {
  switch (marker) {
  case 'i':
  case 'U':
    return 1;
  case 'I':
    return 2;
  case 'l':
    return 4;
  case 'L':
    return 8;
  }
  return 0;
}


/* The payload of integer marker (already consumed) as a signed 64-bit value. */
static int take_int(struct ubj *u, int marker, int64_t *out) {
  size_t n = int_size(marker);
  uint64_t v;
  int err;

  if ((err = need(u, n, "an integer")))
    return err;
  v = take_be(u, n);
  switch (marker) {
  case 'i':
    *out = (int8_t)(uint8_t)v;
    break;
  case 'U':
    *out = (int64_t)v;
    break;
  case 'I':
    *out = (int16_t)(uint16_t)v;
    break;
  case 'l':
    *out = (int32_t)(uint32_t)v;
    break;
  default:
    /* Two's complement without relying on an implementation-defined conversion. */
    *out = v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
    break;
  }
  return 0;
}


/* A length or count: an integer marker and payload, at least 0 and at most the number of bytes
 * left after it (every element or byte it counts takes at least one). */
static int take_length(struct ubj *u, const char *what, size_t *out) {
  size_t at = u->pos;
  int64_t v;
  int err;

  if ((err = need(u, 1, what)))
    return err;
  if (int_size(u->p[u->pos]) == 0)
    return fail_at(u, XGBC_ESYNTAX, at, "%s must start with an integer marker (i U I l L), "
                   "found 0x%02x", what, u->p[u->pos]);
  u->pos++;
  if ((err = take_int(u, u->p[u->pos - 1], &v)))
    return err;
  if (v < 0)
    return fail_at(u, XGBC_ESYNTAX, at, "%s is negative (%lld)", what, (long long)v);
  if ((uint64_t)v > u->len - u->pos)
    return fail_at(u, XGBC_ESYNTAX, at, "%s %lld is more than the %zu bytes left: the file is "
                   "truncated or corrupt", what, (long long)v, u->len - u->pos);
  *out = (size_t)v;
  return 0;
}


/* A cJSON number for v, without cJSON_CreateNumber's (int) conversion of NaN or huge values. */
static cJSON *make_number(double v) {
  cJSON *n = cJSON_CreateNumber(0);

  if (n != NULL) {
    n->valuedouble = v;
    n->valueint = v >= (double)INT_MAX ? INT_MAX : v <= (double)INT_MIN ? INT_MIN
                  : v == v ? (int)v : 0;
  }
  return n;
}


/* Length-prefixed bytes (a string or a key) as a NUL-terminated string in u->str. */
static int take_bytes(struct ubj *u, const char *what) {
  size_t n, at;
  int err;

  if ((err = take_length(u, what, &n)))
    return err;
  at = u->pos;
  if (memchr(u->p + at, '\0', n) != NULL)
    return fail_at(u, XGBC_ESYNTAX, at, "%s holds a NUL byte", what);
  if (n + 1 > u->str_cap) {
    char *k = realloc(u->str, n + 1);
    if (k == NULL)
      return XGBC_ENOMEM;
    u->str = k;
    u->str_cap = n + 1;
  }
  memcpy(u->str, u->p + at, n);
  u->str[n] = '\0';
  u->pos += n;
  return 0;
}


static int parse_value(struct ubj *u, int marker, size_t at, int depth, cJSON **out);


/* A container after its '[' or '{'; depth is its own nesting level. */
static int parse_container(struct ubj *u, int is_object, size_t open_at, int depth,
                           cJSON **out) {
  const char *what = is_object ? "an object" : "an array";
  int type = 0, err = 0, counted = 0;
  size_t count = 0, i;
  cJSON *c;

  if (depth > MAX_DEPTH)
    return fail_at(u, XGBC_EUNSUPPORTED, open_at, "containers nested more than %d deep",
                   MAX_DEPTH);
  if ((err = need(u, 1, what)))
    return err;
  if (u->p[u->pos] == '$') {
    size_t at = u->pos++;
    if ((err = need(u, 2, "a typed container's header")))
      return err;
    type = u->p[u->pos++];
    /* Types without a payload would let a small count stand for a huge container. */
    if (strchr("iUIlLdDCS[{", type) == NULL || type == 0)
      return fail_at(u, XGBC_ESYNTAX, at + 1, "0x%02x cannot be the element type of a typed "
                     "container", type);
    if (u->p[u->pos] != '#')
      return fail_at(u, XGBC_ESYNTAX, u->pos, "a typed container needs a count ('#') after its "
                     "type");
  }
  if (u->pos < u->len && u->p[u->pos] == '#') {
    size_t left, min;
    u->pos++;
    if ((err = take_length(u, "the element count", &count)))
      return err;
    /* Every element takes at least this many bytes, so the count is bounded by the input. */
    min = type ? (int_size(type) ? int_size(type) : type == 'd' ? 4 : type == 'D' ? 8 : 1) : 1;
    if (is_object)
      min += 1; /* each key has at least its length marker */
    left = u->len - u->pos;
    if (count > left / min)
      return fail_at(u, XGBC_ESYNTAX, open_at, "%s of %zu elements cannot fit in the %zu bytes "
                     "left: the file is truncated or corrupt", what, count, left);
    counted = 1;
  }
  c = is_object ? cJSON_CreateObject() : cJSON_CreateArray();
  if (c == NULL)
    return XGBC_ENOMEM;
  for (i = 0; err == 0; i++) {
    cJSON *v = NULL;
    char *key = NULL;
    size_t at;
    int m;

    if (counted && i == count)
      break;
    if ((err = need(u, 1, what)))
      break;
    if (!counted && u->p[u->pos] == (is_object ? '}' : ']')) {
      u->pos++;
      break;
    }
    if (is_object) {
      if ((err = take_bytes(u, "an object key")))
        break;
      if ((key = strdup(u->str)) == NULL) {
        err = XGBC_ENOMEM;
        break;
      }
    }
    at = u->pos;
    if (type) {
      m = type;
    } else {
      if ((err = need(u, 1, "a value"))) {
        free(key);
        break;
      }
      m = u->p[u->pos++];
    }
    err = parse_value(u, m, at, depth, &v);
    if (err == 0 &&
        !(is_object ? cJSON_AddItemToObject(c, key, v) : cJSON_AddItemToArray(c, v))) {
      cJSON_Delete(v);
      err = XGBC_ENOMEM;
    }
    free(key);
  }
  if (err) {
    cJSON_Delete(c);
    return err;
  }
  *out = c;
  return 0;
}


/* The value whose marker (at byte at) was just consumed, or whose type a typed container set. */
static int parse_value(struct ubj *u, int marker, size_t at, int depth, cJSON **out) {
  int64_t i;
  uint64_t bits;
  int err;

  *out = NULL;
  switch (marker) {
  case 'Z':
    *out = cJSON_CreateNull();
    break;
  case 'T':
  case 'F':
    *out = cJSON_CreateBool(marker == 'T');
    break;
  case 'i':
  case 'U':
  case 'I':
  case 'l':
  case 'L':
    if ((err = take_int(u, marker, &i)))
      return err;
    *out = make_number((double)i);
    break;
  case 'C':
    if ((err = need(u, 1, "a char")))
      return err;
    *out = make_number((double)(int8_t)u->p[u->pos++]);
    break;
  case 'd': {
    float f;
    uint32_t b32;
    if ((err = need(u, 4, "a float32")))
      return err;
    b32 = (uint32_t)take_be(u, 4);
    memcpy(&f, &b32, sizeof f);
    *out = make_number((double)f); /* exact: every float is a double */
    break;
  }
  case 'D': {
    double g;
    if ((err = need(u, 8, "a float64")))
      return err;
    bits = take_be(u, 8);
    memcpy(&g, &bits, sizeof g);
    *out = make_number(g);
    break;
  }
  case 'S':
    if ((err = take_bytes(u, "a string")))
      return err;
    *out = cJSON_CreateString(u->str);
    break;
  case '[':
  case '{':
    return parse_container(u, marker == '{', at, depth + 1, out);
  case 'H':
    return fail_at(u, XGBC_EUNSUPPORTED, at, "high-precision numbers ('H') are not supported "
                   "(XGBoost does not write them)");
  case 'N':
    return fail_at(u, XGBC_EUNSUPPORTED, at, "no-op markers ('N') are not supported (XGBoost "
                   "does not write them)");
  default:
    if (marker >= 0x21 && marker < 0x7f)
      return fail_at(u, XGBC_ESYNTAX, at, "'%c' is not a UBJSON type marker", marker);
    return fail_at(u, XGBC_ESYNTAX, at, "0x%02x is not a UBJSON type marker", marker);
  }
  return *out == NULL ? XGBC_ENOMEM : 0;
}


int xgbc_read_xgb_ubj(const char *data, size_t len, struct xgbc_model *m, struct xgbc_diag *d) {
  struct ubj u = {(const unsigned char *)data, len, 0, NULL, 0, d};
  cJSON *root = NULL;
  int err;

  memset(m, 0, sizeof *m);
  if (len == 0)
    return xgbc_fail(d, XGBC_ESYNTAX, "byte 0", "the file is empty");
  u.pos = 1;
  err = parse_value(&u, u.p[0], 0, 0, &root);
  if (err == 0 && u.pos != len)
    err = fail_at(&u, XGBC_ESYNTAX, u.pos, "%zu bytes of trailing data after the model",
                  len - u.pos);
  if (err == XGBC_ENOMEM)
    err = xgbc_fail(d, XGBC_ENOMEM, "", "out of memory");
  if (err == 0)
    err = xgbc_doc_to_model(root, m, d);
  cJSON_Delete(root);
  free(u.str);
  if (err)
    xgbc_model_free(m);
  return err;
}
