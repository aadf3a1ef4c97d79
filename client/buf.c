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


static void add_uint(struct bl_buf *b, uint64_t v, int min_digits) {
  char tmp[24];
  int n = 0;

  do {
    tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v || n < min_digits);
  bl_buf_add(b, tmp + sizeof tmp - n, (size_t)n);
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


void bl_buf_json_str(struct bl_buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  const char *run = s;

  bl_buf_char(b, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    bl_buf_add(b, run, (size_t)(s - run));
    run = s + 1;
    if (c == '"' || c == '\\') {
      bl_buf_char(b, '\\');
      bl_buf_char(b, (char)c);
    } else {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      bl_buf_add(b, esc, sizeof esc);
    }
  }
  bl_buf_add(b, run, (size_t)(s - run));
  bl_buf_char(b, '"');
}
