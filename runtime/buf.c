/* buf.c - growable byte buffer and JSON scalars (see buf.h). */
#include "buf.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif


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


char *bg_put_json_string(char *o, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  size_t i = 0;

  *o++ = '"';
  while (i < n) {
    unsigned char c;
#ifdef __SSE2__
    /* Sixteen bytes at a time while none needs escaping: '"', '\\', 0x7f, <= 0x1f (unsigned:
     * UTF-8 bytes >= 0x80 are copied). */
    if (n - i >= 16) {
      __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
      __m128i m = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)),
                       _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f))));
      if (_mm_movemask_epi8(m) == 0) {
        _mm_storeu_si128((__m128i *)(void *)o, x);
        o += 16;
        i += 16;
        continue;
      }
    }
#endif
    /* Eight bytes at a time while none needs escaping ('"', '\\', < 0x20, 0x7f). */
    if (n - i >= 8) {
      uint64_t x, q, e, d;
      memcpy(&x, s + i, 8);
      q = x ^ (ones * '"');
      e = x ^ (ones * '\\');
      d = x ^ (ones * 0x7f);
      if (((((q - ones) & ~q) | ((e - ones) & ~e) | ((d - ones) & ~d) |
            ((x - ones * 0x20) & ~x)) & highs) == 0) {
        memcpy(o, &x, 8);
        o += 8;
        i += 8;
        continue;
      }
    }
    c = (unsigned char)s[i++];
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
  return o;
}


int bg_buf_json_string(struct bg_buf *b, const char *s, size_t n) {
  if (bg_buf_reserve(b, BG_JSON_STRING_MAX(n)) != 0)
    return -1;
  b->len = (size_t)(bg_put_json_string(b->p + b->len, s, n) - b->p);
  return 0;
}


char *bg_put_uint(char *o, unsigned long long v) {
  char tmp[BG_UINT_MAX];
  int n = 0;

  do
    tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  return bg_put(o, tmp + sizeof tmp - n, (size_t)n);
}


int bg_buf_uint(struct bg_buf *b, unsigned long long v) {
  if (bg_buf_reserve(b, BG_UINT_MAX) != 0)
    return -1;
  b->len = (size_t)(bg_put_uint(b->p + b->len, v) - b->p);
  return 0;
}


/* 10^k for k in -60..60 (k + 60 indexes it): a float's 9-digit scaling needs -30..53. The
 * compiler rounds each literal correctly. */
static const double pow10_table[121] = {
  1e-60, 1e-59, 1e-58, 1e-57, 1e-56, 1e-55, 1e-54, 1e-53, 1e-52, 1e-51, 1e-50, 1e-49, 1e-48,
  1e-47, 1e-46, 1e-45, 1e-44, 1e-43, 1e-42, 1e-41, 1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35,
  1e-34, 1e-33, 1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22,
  1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8,
  1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
  1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25,
  1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39, 1e40, 1e41,
  1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48, 1e49, 1e50, 1e51, 1e52, 1e53, 1e54, 1e55, 1e56, 1e57,
  1e58, 1e59, 1e60
};


static double pow10_of(int k) {
  return pow10_table[k + 60];
}


char *bg_put_float(char *o, float f) {
  char tmp[32], digits[10];
  double d = fabs((double)f), m;
  long long q;
  int e, n = 0, nd, i;

  if (!isfinite(f))
    return BG_PUT_LIT(o, "null");
  if (signbit(f))
    tmp[n++] = '-';
  if (d == 0) {
    tmp[n++] = '0';
    return bg_put(o, tmp, (size_t)n);
  }
  /* What printf("%.9g") prints, without printf: 9 significant digits of the float (computed
   * in double: the error is far below half a float ulp, so the text reads back as f), then
   * %g's layout. */
  e = (int)floor(log10(d));
  m = d * pow10_of(8 - e);
  if (m >= 999999999.5) {
    e++;
    m = d * pow10_of(8 - e);
  } else if (m < 99999999.5) {
    e--;
    m = d * pow10_of(8 - e);
  }
  q = llrint(m); /* ties to even, as printf rounds an exact decimal tie */
  if (q >= 1000000000) {
    q /= 10;
    e++;
  }
  for (i = 8; i >= 0; i--, q /= 10)
    digits[i] = (char)('0' + q % 10);
  for (nd = 9; nd > 1 && digits[nd - 1] == '0'; nd--)
    ;
  if (e < -4 || e >= 9) {
    tmp[n++] = digits[0];
    if (nd > 1) {
      tmp[n++] = '.';
      for (i = 1; i < nd; i++)
        tmp[n++] = digits[i];
    }
    tmp[n++] = 'e';
    tmp[n++] = e < 0 ? '-' : '+';
    e = e < 0 ? -e : e;
    if (e >= 100)
      tmp[n++] = (char)('0' + e / 100);
    tmp[n++] = (char)('0' + e / 10 % 10);
    tmp[n++] = (char)('0' + e % 10);
  } else if (e < 0) {
    tmp[n++] = '0';
    tmp[n++] = '.';
    for (i = -1; i > e; i--)
      tmp[n++] = '0';
    for (i = 0; i < nd; i++)
      tmp[n++] = digits[i];
  } else {
    for (i = 0; i <= e; i++)
      tmp[n++] = digits[i];
    if (nd > e + 1) {
      tmp[n++] = '.';
      for (i = e + 1; i < nd; i++)
        tmp[n++] = digits[i];
    }
  }
  return bg_put(o, tmp, (size_t)n);
}


int bg_buf_float(struct bg_buf *b, float f) {
  if (bg_buf_reserve(b, BG_FLOAT_MAX) != 0)
    return -1;
  b->len = (size_t)(bg_put_float(b->p + b->len, f) - b->p);
  return 0;
}
