/* buf.c - growable byte buffer and JSON scalars (see buf.h). */
#include "buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>


int bg_buf_reserve(struct bg_buf *b, size_t n) {
  size_t cap = b->cap ? b->cap : 1024;
  char *p;

  if (b->cap - b->len >= n)
    return 0;
  while (cap - b->len < n)
    cap *= 2;
  p = realloc(b->p, cap);
  if (p == NULL)
    return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}


void bg_buf_free(struct bg_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}


int bg_buf_json_string(struct bg_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i;
  char *o;

  /* Worst case: every byte becomes \u00XX. */
  if (bg_buf_reserve(b, 6 * n + 2) != 0)
    return -1;
  o = b->p + b->len;
  *o++ = '"';
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c < 0x20 || c == 0x7f) {
      *o++ = '\\';
      *o++ = 'u';
      *o++ = '0';
      *o++ = '0';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '"';
  b->len = (size_t)(o - b->p);
  return 0;
}


int bg_buf_uint(struct bg_buf *b, unsigned long long v) {
  char tmp[24];
  int n = 0;

  do
    tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  return bg_buf_put(b, tmp + sizeof tmp - n, (size_t)n);
}


int bg_buf_float(struct bg_buf *b, float f) {
  char tmp[32];
  int n;

  if (!isfinite(f))
    return bg_buf_put(b, "null", 4);
  n = snprintf(tmp, sizeof tmp, "%.9g", (double)f);
  return bg_buf_put(b, tmp, (size_t)n);
}
