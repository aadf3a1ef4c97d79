/* jsonbody.c - checked JSON bodies, numbers into float rows, media types (see jsonbody.h). */
#include "jsonbody.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http_errors.h"
#include "openrtb.h"

#define MAX_NESTING 32


static int is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}


int bg_json_body(const char *body, size_t len, struct bg_arena *a, cJSON **root,
                 const char **message) {
  const char *end = NULL;
  size_t before = a->total;

  *root = NULL;
  if (!bg_utf8_valid(body, len)) {
    *message = "the body is not valid UTF-8 JSON text (or holds a raw control byte)";
    return BG_HTTP_ERR_BAD_JSON;
  }
  *root = cJSON_ParseWithLengthOpts(body, len + 1, &end, 0);
  if (*root == NULL) {
    /* cJSON reports a failed allocation as a syntax error; the arena knows better. */
    if (a->total + 4096 >= a->limit && a->total > before) {
      *message = "the JSON document needs more memory than the limit allows";
      return BG_HTTP_ERR_TOO_LARGE;
    }
    *message = len == 0 ? "the body is empty" : "the body is not valid JSON";
    return BG_HTTP_ERR_BAD_JSON;
  }
  while (end < body + len && is_ws(*end))
    end++;
  if (end != body + len) {
    *message = "the body holds something after the JSON value (or a NUL byte)";
    return BG_HTTP_ERR_BAD_JSON;
  }
  return 0;
}


static long count(const cJSON *a, int depth) {
  const cJSON *e;
  long n = 0, k;

  if (depth > MAX_NESTING)
    return -1;
  for (e = a->child; e != NULL; e = e->next) {
    if (cJSON_IsNumber(e) || cJSON_IsNull(e)) {
      n++;
    } else if (cJSON_IsArray(e)) {
      if ((k = count(e, depth + 1)) < 0)
        return -1;
      n += k;
    } else {
      return -1;
    }
  }
  return n;
}


long bg_json_count_numbers(const cJSON *array) {
  return cJSON_IsArray(array) ? count(array, 0) : -1;
}


size_t bg_json_floats(const cJSON *array, float *out) {
  const cJSON *e;
  size_t n = 0;

  for (e = array->child; e != NULL; e = e->next) {
    if (cJSON_IsArray(e))
      n += bg_json_floats(e, out + n);
    else
      out[n++] = cJSON_IsNumber(e) ? (float)e->valuedouble : NAN;
  }
  return n;
}


/* The media type of s: start and length, without parameters and surrounding blanks. */
static size_t media_type(const char **s) {
  const char *t = *s;
  size_t n;

  while (*t == ' ' || *t == '\t')
    t++;
  n = strcspn(t, ";,");
  while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
    n--;
  *s = t;
  return n;
}


int bg_media_type_is(const char *content_type, const char *type) {
  size_t n = media_type(&content_type);

  return n == strlen(type) && memcmp(content_type, type, n) == 0;
}


/* Whether the range r[0..n) (any type, a whole top-level type such as text, or one type)
 * covers type. */
static int range_covers(const char *r, size_t n, const char *type) {
  size_t slash = strcspn(type, "/");

  if (n == 3 && memcmp(r, "*/*", 3) == 0)
    return 1;
  if (n == slash + 2 && memcmp(r, type, slash + 1) == 0 && r[slash + 1] == '*')
    return 1;
  return n == strlen(type) && memcmp(r, type, n) == 0;
}


/* q of the parameters p[0..n) of one Accept element: 0 when "q=0" (or 0.0...), else 1. */
static int q_zero(const char *p, size_t n) {
  const char *q;

  for (q = p; q + 1 < p + n; q++)
    if ((q[0] == 'q') && q[1] == '=' && (q == p || q[-1] == ';' || q[-1] == ' ')) {
      double v = strtod(q + 2, NULL);
      return v <= 0;
    }
  return 0;
}


int bg_accept_pick(const char *accept, const char *const *offered) {
  const char *p = accept;
  int i;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0')
    return 0;
  while (*p != '\0') {
    const char *r = p, *elem_end;
    size_t n = media_type(&r), elem;
    elem = strcspn(p, ",");
    elem_end = p + elem;
    if (n > 0 && !q_zero(r + n, (size_t)(elem_end - (r + n))))
      for (i = 0; offered[i] != NULL; i++)
        if (range_covers(r, n, offered[i]))
          return i;
    p = *elem_end == ',' ? elem_end + 1 : elem_end;
  }
  return -1;
}
