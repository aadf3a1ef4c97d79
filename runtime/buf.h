/* buf.h - a growable byte buffer for output (responses, CSV). Owned by a connection or a loop
 * and reused: after warm-up, appending allocates nothing. */
#ifndef BG_BUF_H
#define BG_BUF_H

#include <stddef.h>
#include <string.h>

struct bg_buf {
  char *p;
  size_t len, cap;
};

/* Make room for n more bytes. Returns 0, or -1 when memory is out (the buffer is unchanged). */
int bg_buf_reserve(struct bg_buf *b, size_t n);

/* Release the memory; the buffer is empty and usable again. Never fails. */
void bg_buf_free(struct bg_buf *b);

/* Append; return 0 or -1 as bg_buf_reserve. */
static inline int bg_buf_put(struct bg_buf *b, const void *s, size_t n) {
  if (n == 0) /* an empty buffer has no memory yet: memcpy to NULL is undefined even for 0 */
    return 0;
  if (b->cap - b->len < n && bg_buf_reserve(b, n) != 0)
    return -1;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  return 0;
}

static inline int bg_buf_puts(struct bg_buf *b, const char *s) {
  return bg_buf_put(b, s, strlen(s));
}

/* Append a JSON string literal (with quotes) for the n bytes at s: '"', '\\' and control bytes
 * escaped; other bytes copied (the caller checked they are UTF-8). */
int bg_buf_json_string(struct bg_buf *b, const char *s, size_t n);

/* Append an unsigned decimal. */
int bg_buf_uint(struct bg_buf *b, unsigned long long v);

/* Append f so that it reads back as the same float32 (%.9g); NaN and infinities as null. */
int bg_buf_float(struct bg_buf *b, float f);

/* ---- unchecked writers: the caller has reserved the room; each returns the end ---- */

#define BG_JSON_STRING_MAX(n) (6 * (n) + 2) /* bytes bg_put_json_string may write */
#define BG_FLOAT_MAX 16                     /* bytes bg_put_float may write */
#define BG_UINT_MAX 20                      /* bytes bg_put_uint may write */

char *bg_put_json_string(char *o, const char *s, size_t n);
char *bg_put_float(char *o, float f);
char *bg_put_uint(char *o, unsigned long long v);

/* Append n bytes the caller knows fit (after bg_buf_reserve). */
static inline char *bg_put(char *o, const void *s, size_t n) {
  memcpy(o, s, n);
  return o + n;
}

/* A string literal: its length is known where it is written. */
#define BG_PUT_LIT(o, lit) bg_put((o), (lit), sizeof(lit) - 1)

#endif /* BG_BUF_H */
