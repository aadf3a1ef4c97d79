/* buf.h - bidload's growable byte buffer and the JSON pieces the request writer needs.
 *
 * Appending never fails: a buffer that cannot grow aborts the process (bidload cannot do
 * anything useful without memory, and checking every append would hide the synthesis logic).
 * Number formatting is written out here because snprintf is the most expensive step of
 * building a request on the send path. */
#ifndef BL_BUF_H
#define BL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bl_buf {
  char *data;
  size_t len, cap;
};

void bl_buf_init(struct bl_buf *b, size_t cap);
void bl_buf_free(struct bl_buf *b);
/* Makes room for n more bytes. */
void bl_buf_reserve(struct bl_buf *b, size_t n);

static inline void bl_buf_add(struct bl_buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap)
    bl_buf_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static inline void bl_buf_char(struct bl_buf *b, char c) {
  if (b->len + 1 > b->cap)
    bl_buf_reserve(b, 1);
  b->data[b->len++] = c;
}

#define bl_buf_lit(b, s) bl_buf_add((b), (s), sizeof(s) - 1)

static inline void bl_buf_str(struct bl_buf *b, const char *s) {
  bl_buf_add(b, s, strlen(s));
}

/* "00" "01" .. "99": decimal digits two at a time. */
extern const char bl_digits2[201];

/* An unsigned decimal integer below 2^32, written in place (the request writer's common case). */
static inline void bl_buf_u32(struct bl_buf *b, uint32_t v) {
  char tmp[10], *p = tmp + sizeof tmp;

  while (v >= 100) {
    unsigned d = (v % 100) * 2;
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
  bl_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* A signed decimal integer. */
void bl_buf_int(struct bl_buf *b, int64_t v);
/* v with exactly `decimals` digits after the point (0..9), rounded half away from zero, trailing
 * zeros kept off; e.g. (1.5, 2) -> "1.5", (2, 2) -> "2". |v| must be below 9e9. */
void bl_buf_fixed(struct bl_buf *b, double v, int decimals);
/* s as a JSON string, quotes included, escaping what JSON requires. */
void bl_buf_json_str(struct bl_buf *b, const char *s);

#endif /* BL_BUF_H */
