/* buf.c - bidload's growable byte buffer and fast JSON number and string writers. */
#include "buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>


void bl_buf_init(struct bl_buf *b, size_t cap) {
  b->data = NULL;
  b->len = b->cap = 0;
  if (cap)
    bl_buf_reserve(b, cap);
}


void bl_buf_free(struct bl_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}


void bl_buf_reserve(struct bl_buf *b, size_t n) {
  size_t cap = b->cap ? b->cap : 256;
  char *p;

  if (b->len + n <= b->cap)
    return;
  while (cap < b->len + n)
    cap *= 2;
  p = realloc(b->data, cap);
  if (!p) {
    fputs("bidload: out of memory\n", stderr);
    abort();
  }
  b->data = p;
  b->cap = cap;
}


/* Two digits at a time from a table: the writer's hottest loop. */
const char bl_digits2[201] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

static void add_uint(struct bl_buf *b, uint64_t v, int min_digits) {
  char tmp[24], *p = tmp + sizeof tmp;

  while (v >= 100) {
    unsigned d = (unsigned)(v % 100) * 2;
    v /= 100;
    *--p = bl_digits2[d + 1];
    *--p = bl_digits2[d];
  }
  if (v >= 10) {
    *--p = bl_digits2[v * 2 + 1];
    *--p = bl_digits2[v * 2];
  } else {
    *--p = (char)('0' + v);
  }
  while (tmp + sizeof tmp - p < min_digits)
    *--p = '0';
  bl_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}


void bl_buf_int(struct bl_buf *b, int64_t v) {
  if (v < 0) {
    bl_buf_char(b, '-');
    add_uint(b, (uint64_t)0 - (uint64_t)v, 1);
  } else {
    add_uint(b, (uint64_t)v, 1);
  }
}


void bl_buf_fixed(struct bl_buf *b, double v, int decimals) {
  static const uint64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                   100000000, 1000000000};
  uint64_t scale = pow10[decimals], scaled, whole, frac;

  if (v < 0) {
    v = -v;
    scaled = (uint64_t)llround(v * (double)scale);
    if (scaled)
      bl_buf_char(b, '-');
  } else {
    scaled = (uint64_t)llround(v * (double)scale);
  }
  whole = scaled / scale;
  frac = scaled % scale;
  add_uint(b, whole, 1);
  if (frac) {
    while (frac % 10 == 0) {
      frac /= 10;
      decimals--;
    }
    bl_buf_char(b, '.');
    add_uint(b, frac, decimals);
  }
}


/* Nonzero when one of the 8 bytes in w is a control character, '"' or '\\' (SWAR: a byte b
 * has its top bit set in haszero(x) iff b == 0 in x). */
static uint64_t needs_escape(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
  uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');

  return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash)) & high;
}


void bl_buf_json_str(struct bl_buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  size_t n = strlen(s), i = 0, run = 0;

  bl_buf_reserve(b, n + 2);
  bl_buf_char(b, '"');
  /* Whole words first: most strings need no escaping at all. */
  while (i + 8 <= n) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (needs_escape(w))
      break;
    i += 8;
  }
  for (; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    bl_buf_add(b, s + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      bl_buf_char(b, '\\');
      bl_buf_char(b, (char)c);
    } else {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      bl_buf_add(b, esc, sizeof esc);
    }
  }
  bl_buf_add(b, s + run, n - run);
  bl_buf_char(b, '"');
}
