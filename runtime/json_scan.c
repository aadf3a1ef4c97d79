/* json_scan.c - the one-pass JSON checker and path recorder (see json_scan.h).
 *
 * The grammar is cJSON 1.7.15's, because the bodies bidgate took and refused before must stay
 * taken and refused (tests/test_json_scan.c compares the two on many thousand bodies):
 *   - a number is the longest prefix strtod accepts of the run of [0-9+-eE.] that starts with
 *     '-' or a digit (so "01", "1." and "-.5" are numbers, "1e" is the number 1 and an "e");
 *   - in a string a backslash hides the next byte from the search for the closing quote, then
 *     escapes are checked as cJSON decodes them: \uXXXX with non-hex digits reads as U+0000,
 *     and a surrogate must be a high one followed by \u and a low one;
 *   - raw tab, LF and CR are taken inside strings; other control bytes nowhere (that was the
 *     UTF-8 check before the parse).
 * Strings, where most of a request's bytes are, are checked a block at a time (16 bytes with
 * SSE2 or NEON, 8 in a word elsewhere).
 *
 * Scope of the recursion: containers the path table follows recurse (at most as deep as the
 * longest spec path); everything else is skipped by one loop with a bit stack, so 1000 nested
 * arrays cost 1000 bits, not 1000 stack frames.
 */
#include "json_scan.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "json_scan.c reads blocks of bytes as little-endian words"
#endif

#define DEPTH_LIMIT 1000 /* cJSON's CJSON_NESTING_LIMIT: containers inside each other */
#define MAX_KEY 256      /* longest member name a spec path holds (read_features.c) */

#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

typedef const unsigned char *ptr;

struct scan {
  ptr end;                      /* body + len, where the '\0' is */
  const struct bg_js_paths *paths;
  struct bg_arena *a;
  struct bg_js_doc *doc;
  struct bg_jv *base[2];        /* slots by scope: the request's, the impression's being read */
  uint32_t max_imps, imps_cap, bidders_cap;
  int nomem;                    /* the arena said no: keep checking, record nothing more */
};


/* ---- bytes ---- */

#define HOT static inline __attribute__((always_inline))

HOT int is_ws(unsigned c) {
  /* ' ', '\t', '\n', '\r': one test for the common case, a byte above ' ' */
  return c <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t');
}


HOT ptr skip_ws(ptr p) {
  while (is_ws(*p))
    p++;
  return p;
}


HOT int is_digit(unsigned c) {
  return c - '0' < 10u;
}


/* block_stops(p): the bytes of the BLOCK bytes at p that end a run of plain string bytes, as
 * a mask whose lowest set bit, through STOP_AT, is the offset of the first. One instruction
 * set per machine: SSE2 (every amd64), NEON (every arm64), else eight bytes in a word.
 * -DBG_JS_SWAR forces the word form (the tests run it too). */
#if defined(__SSE2__) && !defined(BG_JS_SWAR)
#include <emmintrin.h>
#define BLOCK 16
#define STOP_AT(m) ((unsigned)__builtin_ctzll(m))
HOT uint64_t block_stops(ptr p) {
  __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
  /* Signed compare: bytes >= 0x80 are negative, so below 0x20 as well. */
  __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                        _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                           _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
  return (uint64_t)(unsigned)_mm_movemask_epi8(m);
}
#elif defined(__aarch64__) && !defined(BG_JS_SWAR)
#include <arm_neon.h>
#define BLOCK 16
#define STOP_AT(m) ((unsigned)__builtin_ctzll(m) >> 2)
HOT uint64_t block_stops(ptr p) {
  uint8x16_t x = vld1q_u8(p);
  uint8x16_t m = vorrq_u8(vorrq_u8(vceqq_u8(x, vdupq_n_u8('"')), vceqq_u8(x, vdupq_n_u8('\\'))),
                          vorrq_u8(vcltq_u8(x, vdupq_n_u8(0x20)), vcgeq_u8(x, vdupq_n_u8(0x80))));
  /* Four bits per byte: narrow each 16-bit lane's halves into one byte. */
  return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(m), 4)), 0);
}
#else
#define BLOCK 8
#define STOP_AT(m) ((unsigned)__builtin_ctzll(m) >> 3)
/* The high bit of each byte of the word at p that is '"', '\\', a control byte or >= 0x80
 * (the lowest one set is exact: borrows only run upward from a true one). */
HOT uint64_t block_stops(ptr p) {
  uint64_t x, q, b;

  memcpy(&x, p, 8);
  q = x ^ (ONES * '"');
  b = x ^ (ONES * '\\');
  return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x) | x) & HIGHS;
}
#endif


/* One UTF-8 sequence at p (*p >= 0x80): the byte after it, or NULL when it is not well formed
 * (overlong, surrogate, beyond U+10FFFF, cut short). */
static ptr utf8_seq(ptr p, ptr end) {
  unsigned c = *p;

  if (c >= 0xc2 && c <= 0xdf) {
    if (end - p < 2 || (p[1] & 0xc0) != 0x80)
      return NULL;
    return p + 2;
  }
  if (c >= 0xe0 && c <= 0xef) {
    unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    if (end - p < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
      return NULL;
    return p + 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    if (end - p < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80 ||
        (p[3] & 0xc0) != 0x80)
      return NULL;
    return p + 4;
  }
  return NULL;
}


int bg_utf8_valid(const char *str, size_t n) {
  ptr s = (ptr)str, end = s + n;

  while (s < end) {
    unsigned c = *s;
    /* Eight bytes at a time while they are printable ASCII (no byte >= 0x80 or < 0x20). */
    if (end - s >= 8) {
      uint64_t x;
      memcpy(&x, s, 8);
      if (((x | (x - ONES * 0x20)) & HIGHS) == 0) {
        s += 8;
        continue;
      }
    }
    if (c < 0x80) {
      /* JSON allows no raw control byte but whitespace, in or out of strings. */
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return 0;
      s++;
      continue;
    }
    if ((s = utf8_seq(s, end)) == NULL)
      return 0;
  }
  return 1;
}


/* ---- strings ---- */

/* cJSON's parse_hex4: four hex digits, or 0 when any is not one. */
static unsigned hex4(ptr p) {
  unsigned h = 0;
  int i;

  for (i = 0; i < 4; i++) {
    unsigned c = p[i];
    if (c - '0' < 10u)
      h = h << 4 | (c - '0');
    else if ((c | 0x20) - 'a' < 6u)
      h = h << 4 | ((c | 0x20) - 'a' + 10);
    else
      return 0;
  }
  return h;
}


/* The escape at q (q[0] == '\\', q < e, e the closing quote): the bytes it takes, with its
 * code point in *cp (a byte value for the one-letter escapes), or 0 when cJSON refuses it. */
static unsigned escape_at(ptr q, ptr e, uint32_t *cp) {
  unsigned c1, c2;

  switch (q[1]) { /* q[1] may be the closing quote itself, as in cJSON */
  case 'b': *cp = '\b'; return 2;
  case 'f': *cp = '\f'; return 2;
  case 'n': *cp = '\n'; return 2;
  case 'r': *cp = '\r'; return 2;
  case 't': *cp = '\t'; return 2;
  case '"': case '\\': case '/': *cp = q[1]; return 2;
  case 'u':
    if (e - q < 6)
      return 0;
    c1 = hex4(q + 2);
    if (c1 >= 0xdc00 && c1 <= 0xdfff)
      return 0;
    if (c1 < 0xd800 || c1 > 0xdbff) {
      *cp = c1;
      return 6;
    }
    if (e - (q + 6) < 6 || q[6] != '\\' || q[7] != 'u')
      return 0;
    c2 = hex4(q + 8);
    if (c2 < 0xdc00 || c2 > 0xdfff)
      return 0;
    *cp = 0x10000 + (((c1 & 0x3ff) << 10) | (c2 & 0x3ff));
    return 12;
  }
  return 0;
}


/* Whether every escape of the string q..e (e the closing quote) is one cJSON decodes. */
static int escapes_ok(ptr q, ptr e) {
  uint32_t cp;

  while (q < e) {
    unsigned k;
    if (*q != '\\') {
      q++;
      continue;
    }
    if ((k = escape_at(q, e, &cp)) == 0)
      return 0;
    q += k;
  }
  return 1;
}


/* The rest of a string from p, where a byte other than a plain one is (s: its first byte):
 * escapes, control bytes, UTF-8, the end of the body. As scan_string. */
static ptr __attribute__((noinline)) string_rest(ptr s, ptr p, ptr end, struct bg_jv *v) {
  unsigned esc = 0;

  for (;;) {
    unsigned c;
    while (end - p >= BLOCK) {
      uint64_t m = block_stops(p);
      if (m == 0) {
        p += BLOCK;
        continue;
      }
      p += STOP_AT(m);
      break;
    }
    c = *p;
    if (c == '"')
      break;
    if (c == '\\') {
      /* The next byte cannot close the string; it is checked like any other byte here and
       * as an escape once the string's end is known. */
      esc = 1;
      if (++p >= end)
        return NULL;
      c = *p;
      if (c == '"' || c == '\\') {
        p++;
        continue;
      }
    }
    if (c >= 0x20 && c < 0x80) {
      p++;
    } else if (c < 0x20) {
      if (c != '\t' && c != '\n' && c != '\r')
        return NULL; /* a control byte, or the '\0' at the end: unterminated */
      p++;
    } else if ((p = utf8_seq(p, end)) == NULL) {
      return NULL;
    }
  }
  if (esc && !escapes_ok(s, p))
    return NULL;
  v->p = (const char *)s;
  v->n = (uint32_t)(p - s);
  v->type = BG_JV_STRING;
  v->esc = (uint8_t)esc;
  return p + 1;
}


/* The string whose opening quote is at p: fills v, returns the byte after the closing quote,
 * or NULL when the string is unterminated, holds a byte JSON text may not, or an escape cJSON
 * refuses. Inline for the common case, printable ASCII up to the quote, a block a step. */
HOT ptr scan_string(ptr p, ptr end, struct bg_jv *v) {
  ptr s = ++p;

  while (end - p >= BLOCK) {
    uint64_t m = block_stops(p);
    if (m != 0) {
      p += STOP_AT(m);
      if (*p != '"')
        break;
      v->p = (const char *)s;
      v->n = (uint32_t)(p - s);
      v->type = BG_JV_STRING;
      v->esc = 0;
      return p + 1;
    }
    p += BLOCK;
  }
  return string_rest(s, p, end, v);
}


size_t bg_jv_decode(const struct bg_jv *v, size_t *pos, char *out, size_t cap) {
  ptr q = (ptr)v->p + *pos, e = (ptr)v->p + v->n;
  size_t o = 0;

  while (q < e) {
    uint32_t cp;
    unsigned k, len;
    if (*q != '\\') {
      if (o == cap)
        break;
      out[o++] = (char)*q++;
      continue;
    }
    k = escape_at(q, e, &cp); /* never 0: the scan checked every escape */
    if (k == 0 || cp == 0) {
      q = e; /* cJSON's C string ends at a decoded NUL */
      break;
    }
    len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (cap - o < len)
      break;
    if (len == 1) {
      out[o++] = (char)cp;
    } else {
      static const unsigned char lead[5] = {0, 0, 0xc0, 0xe0, 0xf0};
      unsigned i;
      for (i = len - 1; i > 0; i--, cp >>= 6)
        out[o + i] = (char)(0x80 | (cp & 0x3f));
      out[o] = (char)(lead[len] | cp);
      o += len;
    }
    q += k;
  }
  *pos = (size_t)(q - (ptr)v->p);
  return o;
}


size_t bg_jv_string(const struct bg_jv *v, struct bg_arena *a, const char **s) {
  size_t pos = 0, n;
  char *out;

  if (!v->esc) {
    *s = v->p;
    return v->n;
  }
  /* Decoding never lengthens: \uXXXX (6 bytes) is at most 3, a surrogate pair (12) 4. */
  if ((out = bg_arena_alloc(a, (size_t)v->n + 1)) == NULL)
    return (size_t)-1;
  n = bg_jv_decode(v, &pos, out, v->n);
  *s = out;
  return n;
}


/* ---- numbers ---- */

/* The end of the number at p (*p is '-' or a digit): the longest prefix glibc's strtod takes
 * of [-] digits [. digits] [e|E [+|-] digits], with a digit in the mantissa; NULL when none. */
HOT ptr scan_number(ptr p) {
  ptr q = p + (*p == '-'), m;
  size_t digits = 0;

  while (is_digit(*q))
    q++, digits++;
  if (*q == '.') {
    for (m = q + 1; is_digit(*m); m++)
      digits++;
    if (digits == 0)
      return NULL;
    q = m;
  }
  if (digits == 0)
    return NULL;
  if ((*q | 0x20) == 'e') {
    m = q + 1 + (q[1] == '+' || q[1] == '-');
    if (is_digit(*m)) {
      while (is_digit(*m))
        m++;
      q = m;
    }
  }
  return q;
}


double bg_jv_number(const struct bg_jv *v) {
  ptr p = (ptr)v->p, q = p + (*p == '-');
  size_t i, n = v->n - (size_t)(q - p);
  uint64_t x = 0;

  /* Up to 15 digits and nothing else: the integer is exact in a double, as strtod's is. */
  if (n > 0 && n <= 15) {
    for (i = 0; i < n && is_digit(q[i]); i++)
      x = x * 10 + (q[i] - '0');
    if (i == n)
      return p == q ? (double)x : -(double)x;
  }
  /* The scan ended the number where strtod ends it, before a byte (',', ']', '}',
   * whitespace, '\0') that no number continues with, so strtod reads the same text. */
  return strtod(v->p, NULL);
}


/* ---- values ---- */

/* A scalar at p (not a container): fills v, returns the byte after it, or NULL. */
HOT ptr scan_scalar(ptr p, ptr end, struct bg_jv *v) {
  switch (*p) {
  case '"':
    return scan_string(p, end, v);
  case 'n':
    if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
      v->type = BG_JV_NULL;
      return p + 4;
    }
    return NULL;
  case 't':
    if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
      v->type = BG_JV_TRUE;
      return p + 4;
    }
    return NULL;
  case 'f':
    if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
      v->type = BG_JV_FALSE;
      return p + 5;
    }
    return NULL;
  default:
    if (*p == '-' || is_digit(*p)) {
      ptr q = scan_number(p);
      if (q != NULL) {
        v->p = (const char *)p;
        v->n = (uint32_t)(q - p);
        v->type = BG_JV_NUMBER;
      }
      return q;
    }
    return NULL;
  }
}


/* The byte after the string whose opening quote is at p, or NULL: scan_string without the
 * record, for what nobody reads. */
HOT ptr skip_string(ptr p, ptr end) {
  ptr s = ++p;
  struct bg_jv v;

  while (end - p >= BLOCK) {
    uint64_t m = block_stops(p);
    if (m != 0) {
      p += STOP_AT(m);
      if (*p == '"')
        return p + 1;
      break;
    }
    p += BLOCK;
  }
  return string_rest(s, p, end, &v);
}


/* The byte after the scalar at p, or NULL: scan_scalar without the record. */
HOT ptr skip_scalar(ptr p, ptr end) {
  switch (*p) {
  case '"':
    return skip_string(p, end);
  case 'n':
    return end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
  case 't':
    return end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
  case 'f':
    return end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
  default:
    return *p == '-' || is_digit(*p) ? scan_number(p) : NULL;
  }
}


/* Skip the array or object at p, inside depth containers, recording nothing: returns the byte
 * after it, or NULL. A state machine over the labels below, one state per kind of container
 * so that each knows what comes next without asking; bit i of open says whether the
 * container at level i (of this skip) is an object. */
static ptr skip_container(ptr p, ptr end, int depth) {
  uint64_t open[(DEPTH_LIMIT + 63) / 64];
  int top = 0;

open: /* p is at '[' or '{' */
  if (depth + top >= DEPTH_LIMIT)
    return NULL;
  if (*p == '{') {
    open[top >> 6] |= (uint64_t)1 << (top & 63);
    top++;
    p = skip_ws(p + 1);
    if (*p == '}') {
      p++;
      goto closed;
    }
    goto member;
  }
  open[top >> 6] &= ~((uint64_t)1 << (top & 63));
  top++;
  p = skip_ws(p + 1);
  if (*p == ']') {
    p++;
    goto closed;
  }
  goto element;

member: /* p is at a member of an object: "name": value */
  if (*p != '"' || (p = skip_string(p, end)) == NULL)
    return NULL;
  p = skip_ws(p);
  if (*p != ':')
    return NULL;
  p = skip_ws(p + 1);
  if (*p == '{' || *p == '[')
    goto open;
  if ((p = skip_scalar(p, end)) == NULL)
    return NULL;
after_member:
  p = skip_ws(p);
  if (*p == ',') {
    p = skip_ws(p + 1);
    goto member;
  }
  if (*p != '}')
    return NULL;
  p++;
  goto closed;

element: /* p is at an element of an array */
  if (*p == '{' || *p == '[')
    goto open;
  if ((p = skip_scalar(p, end)) == NULL)
    return NULL;
after_element:
  p = skip_ws(p);
  if (*p == ',') {
    p = skip_ws(p + 1);
    goto element;
  }
  if (*p != ']')
    return NULL;
  p++;

closed: /* the innermost open container ends just before p */
  if (--top == 0)
    return p;
  if (!((open[(top - 1) >> 6] >> ((top - 1) & 63)) & 1))
    goto after_element;
  goto after_member;
}


/* Room for one more element of a growing array in the arena (the newest allocation while it
 * grows, so mostly in place). Returns 0, or -1 when the arena is out. */
static int grow(struct bg_arena *a, struct bg_jv **p, uint32_t n, uint32_t *cap, size_t per) {
  size_t old, want;
  struct bg_jv *q;

  if (n + 1 <= *cap)
    return 0;
  old = (size_t)*cap * per * sizeof **p;
  want = (*cap ? (size_t)*cap * 2 : 4) * per * sizeof **p;
  if ((q = bg_arena_grow(a, *p, old, want)) == NULL)
    return -1;
  *p = q;
  *cap = *cap ? *cap * 2 : 4;
  return 0;
}


static struct bg_jv *slot_of(struct scan *s, int node) {
  const struct bg_js_node *n = &s->paths->node[node];

  return s->base[n->scope] + n->slot;
}


/* The closing quote of the plain member name starting at k (printable ASCII up to the quote,
 * the common case), or NULL for anything else (escapes, UTF-8, the end of the body near). */
HOT ptr plain_name_end(ptr k, ptr end) {
  while (end - k >= BLOCK) {
    uint64_t m = block_stops(k);
    if (m != 0) {
      k += STOP_AT(m);
      return *k == '"' ? k : NULL;
    }
    k += BLOCK;
  }
  return NULL;
}


static ptr value(struct scan *s, ptr p, int node, int depth, struct bg_jv *v);


/* The child of node named by a member name with escapes (rare: decoded apart, so the common
 * path keeps a small frame). */
static int __attribute__((noinline)) escaped_key(const struct bg_js_paths *t, int node,
                                                 const struct bg_jv *key) {
  char buf[MAX_KEY + 4];
  size_t pos = 0, n = bg_jv_decode(key, &pos, buf, sizeof buf);

  return n <= MAX_KEY ? t->key(node, buf, n) : -1;
}


/* The object at p, at a node with member children. */
static ptr object(struct scan *s, ptr p, int node, int depth) {
  const struct bg_js_paths *t = s->paths;
  ptr end = s->end;

  p = skip_ws(p + 1);
  if (*p == '}')
    return p + 1;
  for (;;) {
    struct bg_jv *at;
    ptr q;
    int child;
    if (*p != '"')
      return NULL;
    if ((q = plain_name_end(p + 1, end)) != NULL) {
      child = t->key(node, (const char *)p + 1, (size_t)(q - p - 1));
      p = q + 1;
    } else {
      struct bg_jv key;
      if ((p = string_rest(p + 1, p + 1, end, &key)) == NULL)
        return NULL;
      child = !key.esc ? t->key(node, key.p, key.n) : escaped_key(t, node, &key);
    }
    p = skip_ws(p);
    if (*p != ':')
      return NULL;
    p = skip_ws(p + 1);
    /* The first member of a name counts; its later twins are only checked. */
    at = child >= 0 && !s->nomem ? slot_of(s, child) : NULL;
    if (at != NULL && at->type == BG_JV_ABSENT)
      p = *p == '{' || *p == '[' ? value(s, p, child, depth, at) : scan_scalar(p, end, at);
    else if (*p == '{' || *p == '[')
      p = depth < DEPTH_LIMIT ? skip_container(p, end, depth) : NULL;
    else
      p = skip_scalar(p, end);
    if (p == NULL)
      return NULL;
    p = skip_ws(p);
    if (*p == ',') {
      p = skip_ws(p + 1);
      continue;
    }
    return *p == '}' ? p + 1 : NULL;
  }
}


/* One element of the imp list: scanned at the impression node into slots of its own while
 * fewer than max_imps are kept. */
static ptr imp_element(struct scan *s, ptr p, int depth) {
  struct bg_js_doc *d = s->doc;
  uint32_t per = s->paths->num_imp_slots;
  struct bg_jv ignored;

  d->n_imps++;
  if (s->nomem || d->n_imps_kept >= s->max_imps)
    return value(s, p, -1, depth, &ignored);
  if (grow(s->a, &d->imps, d->n_imps_kept, &s->imps_cap, per) != 0) {
    s->nomem = 1;
    return value(s, p, -1, depth, &ignored);
  }
  s->base[BG_JS_SCOPE_IMP] = d->imps + (size_t)d->n_imps_kept++ * per;
  memset(s->base[BG_JS_SCOPE_IMP], 0, per * sizeof *d->imps);
  p = value(s, p, BG_JS_NODE_IMP, depth, s->base[BG_JS_SCOPE_IMP] + BG_JS_IMP_SELF);
  s->base[BG_JS_SCOPE_IMP] = NULL;
  return p;
}


/* The array at p, at a node with element children or a list to fill. */
static ptr array(struct scan *s, ptr p, int node, int depth) {
  const struct bg_js_paths *t = s->paths;
  unsigned flags = t->node[node].flags;
  struct bg_js_doc *d = s->doc;
  uint32_t i;

  p = skip_ws(p + 1);
  if (*p == ']')
    return p + 1;
  for (i = 0;; i++) {
    if (flags & BG_JS_IMPS) {
      p = imp_element(s, p, depth);
    } else {
      struct bg_jv v = {0}, *at = &v;
      int child = (flags & BG_JS_INDICES) && !s->nomem ? t->index(node, i) : -1;
      if (child >= 0)
        at = slot_of(s, child);
      p = value(s, p, child, depth, at);
      if (p != NULL && (flags & BG_JS_BIDDERS) && !s->nomem) {
        if (grow(s->a, &d->bidders, d->n_bidders, &s->bidders_cap, 1) != 0)
          s->nomem = 1;
        else
          d->bidders[d->n_bidders++] = *at;
      }
    }
    if (p == NULL)
      return NULL;
    p = skip_ws(p);
    if (*p == ',') {
      p = skip_ws(p + 1);
      continue;
    }
    return *p == ']' ? p + 1 : NULL;
  }
}


/* The value at p (whitespace skipped), inside depth containers, recorded into v; node is its
 * place in the path table, or -1. Returns the byte after it, or NULL. */
static ptr value(struct scan *s, ptr p, int node, int depth, struct bg_jv *v) {
  unsigned flags;

  if (*p != '{' && *p != '[')
    return scan_scalar(p, s->end, v);
  v->p = (const char *)p;
  v->n = 0;
  v->type = *p == '{' ? BG_JV_OBJECT : BG_JV_ARRAY;
  flags = node >= 0 ? s->paths->node[node].flags : 0;
  if (*p == '{' && (flags & BG_JS_KEYS)) {
    if (depth >= DEPTH_LIMIT)
      return NULL;
    return object(s, p, node, depth + 1);
  }
  if (*p == '[' && (flags & (BG_JS_INDICES | BG_JS_IMPS | BG_JS_BIDDERS))) {
    if (depth >= DEPTH_LIMIT)
      return NULL;
    return array(s, p, node, depth + 1);
  }
  return skip_container(p, s->end, depth);
}


int bg_js_scan(const char *body, size_t len, const struct bg_js_paths *paths, uint32_t max_imps,
               struct bg_arena *a, struct bg_js_doc *doc, const char **message) {
  struct scan s;
  ptr p = (ptr)body, end = p + len;
  int parsed = 0;

  memset(doc, 0, sizeof *doc);
  if (len >= UINT32_MAX)
    return BG_JS_ENOMEM;
  memset(&s, 0, sizeof s);
  s.end = end;
  s.paths = paths;
  s.a = a;
  s.doc = doc;
  s.max_imps = max_imps;
  doc->request = bg_arena_alloc(a, paths->num_request_slots * sizeof *doc->request);
  if (doc->request == NULL)
    return BG_JS_ENOMEM;
  memset(doc->request, 0, paths->num_request_slots * sizeof *doc->request);
  s.base[BG_JS_SCOPE_REQUEST] = doc->request;
  /* cJSON skips a byte order mark when the buffer (with its '\0') is longer than 4. */
  if (len >= 4 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
    p += 3;
  p = value(&s, skip_ws(p), BG_JS_NODE_REQUEST, 0, doc->request + BG_JS_REQ_SELF);
  if (p != NULL) {
    parsed = 1;
    p = skip_ws(p);
  }
  if (p == end) {
    if (s.nomem)
      return BG_JS_ENOMEM;
    return 0;
  }
  /* Refused. The reason, in the order the checks ran before: bytes, then syntax. */
  if (!bg_utf8_valid(body, len))
    *message = "the body is not valid UTF-8 JSON text (or holds a raw control byte)";
  else if (parsed)
    *message = "the body holds something after the JSON value (or a NUL byte)";
  else
    *message = len == 0 ? "the body is empty" : "the body is not valid JSON";
  return BG_JS_EBAD;
}
