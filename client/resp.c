/* resp.c - reads HTTP/1.x responses for bidload: heads found whole, three headers read (see
 * resp.h). */
#include "resp.h"

#include <string.h>

enum { R_HEAD, R_BODY, R_UNTIL_EOF, R_CHUNK_SIZE, R_CHUNK_EXT, R_CHUNK_DATA, R_CHUNK_END,
       R_TRAILER, R_DEAD };

#define MAX_LENGTH (1ULL << 53)         /* bodies beyond this are surely a malformed header */


void bl_resp_init(struct bl_resp *r) {
  r->state = R_HEAD;
  r->head_len = 0;
  r->left = 0;
}


/* a[0..n) equals the lowercase word w, ignoring the case of ASCII letters. */
static int word_is(const char *a, size_t n, const char *w, size_t wn) {
  size_t i;

  if (n != wn)
    return 0;
  for (i = 0; i < n; i++) {
    char c = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] | 0x20) : a[i];
    if (c != w[i])
      return 0;
  }
  return 1;
}


/* Does the comma-separated header value v[0..n) hold the token t (lowercase; any case in v)? */
static int has_token(const char *v, size_t n, const char *t) {
  size_t tl = strlen(t), i = 0;

  while (i < n) {
    size_t j, e;
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
      i++;
    for (j = i; j < n && v[j] != ','; j++)
      ;
    for (e = j; e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'); e--)
      ;
    if (word_is(v + i, e - i, t, tl))
      return 1;
    i = j;
  }
  return 0;
}


/* Reads a head from p[0..n): returns its length once its empty line is there (and sets the
 * status and how the body is framed), 0 while it is incomplete, -1 if it is malformed. One pass
 * over the lines; only the three framing headers are looked at. */
static int64_t parse_head(struct bl_resp *r, const char *p, size_t n) {
  const char *end = p + n, *line, *nl;
  int minor, have_length = 0, conn_close = 0, conn_keep = 0, chunked = 0;
  uint64_t length = 0;

  /* Status line: HTTP/1.x SSS[ reason] */
  if (n < 13)
    return memcmp(p, "HTTP/1.", n < 7 ? n : 7) == 0 ? 0 : -1;
  if (memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
      p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' ||
      (p[12] != ' ' && p[12] != '\r' && p[12] != '\n'))
    return -1;
  minor = p[7] - '0';
  if (!(nl = memchr(p + 12, '\n', n - 12)))
    return n > BL_RESP_HEAD_MAX ? -1 : 0;
  for (line = nl + 1;; line = nl + 1) {
    const char *colon, *v, *ve;
    if (line >= end || !(nl = memchr(line, '\n', (size_t)(end - line))))
      return 0;
    ve = nl > line && nl[-1] == '\r' ? nl - 1 : nl;
    if (ve == line)
      break;                            /* the empty line */
    for (colon = line; colon < ve && *colon != ':'; colon++)
      ;
    if (colon == ve || colon == line)
      return -1;
    for (v = colon + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
      ;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
      ve--;
    switch (colon - line) {
    case 14:
      if (word_is(line, 14, "content-length", 14)) {
        uint64_t x = 0;
        if (v == ve)
          return -1;
        for (; v < ve; v++) {
          if (*v < '0' || *v > '9' || x > MAX_LENGTH)
            return -1;
          x = x * 10 + (uint64_t)(*v - '0');
        }
        if (have_length && x != length)
          return -1;                    /* two different lengths: a smuggling attempt, refuse */
        have_length = 1;
        length = x;
      }
      break;
    case 17:
      if (word_is(line, 17, "transfer-encoding", 17))
        chunked = has_token(v, (size_t)(ve - v), "chunked");
      break;
    case 10:
      if (word_is(line, 10, "connection", 10)) {
        if (word_is(v, (size_t)(ve - v), "keep-alive", 10)) {
          conn_keep = 1;
        } else {
          conn_close |= has_token(v, (size_t)(ve - v), "close");
          conn_keep |= has_token(v, (size_t)(ve - v), "keep-alive");
        }
      }
      break;
    default:
      break;
    }
  }
  r->status = (unsigned)((p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0'));
  r->keep_alive = conn_close ? 0 : minor == 1 ? 1 : conn_keep;
  r->chunked = chunked;
  if ((r->status >= 100 && r->status < 200) || r->status == 204 || r->status == 304) {
    r->chunked = 0;
    r->left = 0;
    r->state = R_BODY;
  } else if (chunked) {
    r->left = 0;
    r->state = R_CHUNK_SIZE;
  } else if (have_length) {
    r->left = length;
    r->state = R_BODY;
  } else {
    r->keep_alive = 0;                  /* the body ends with the connection */
    r->state = R_UNTIL_EOF;
  }
  return nl + 1 - p;
}


static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}


/* The answer is complete: report it (1xx interim answers are skipped) and expect the next. */
static int finish(struct bl_resp *r, const struct bl_resp_cb *cb, void *ctx) {
  unsigned status = r->status;

  r->state = R_HEAD;
  r->head_len = 0;
  if (status >= 100 && status < 200 && status != 101)
    return 0;
  return cb->done(ctx, status, r->keep_alive) ? -1 : 0;
}


int bl_resp_feed(struct bl_resp *r, const char *data, size_t len, const struct bl_resp_cb *cb,
                 void *ctx) {
  const char *p = data, *end = data + len;

  while (p < end) {
    size_t n = (size_t)(end - p), k;
    int h;

    switch (r->state) {
    case R_HEAD: {
      int64_t got;
      if (r->head_len == 0 && (got = parse_head(r, p, n)) != 0) {
        /* The whole head in this read: read it in place (the common case). */
        if (got < 0)
          goto bad;
        p += got;
      } else {
        size_t old = r->head_len, room = BL_RESP_HEAD_MAX - old, take = n < room ? n : room;
        memcpy(r->head + old, p, take);
        r->head_len += take;
        got = parse_head(r, r->head, r->head_len);
        if (got < 0 || (got == 0 && r->head_len == BL_RESP_HEAD_MAX))
          goto bad;
        if (got == 0) {
          p += take;
          break;
        }
        p += (size_t)got - old;
        r->head_len = 0;
      }
      if (r->state == R_BODY && r->left == 0 && finish(r, cb, ctx) < 0)
        goto bad;
      break;
    }
    case R_BODY:
    case R_CHUNK_DATA:
      k = n < r->left ? n : (size_t)r->left;
      cb->body(ctx, p, k);
      p += k;
      r->left -= k;
      if (r->left == 0) {
        if (r->state == R_CHUNK_DATA)
          r->state = R_CHUNK_END;
        else if (finish(r, cb, ctx) < 0)
          goto bad;
      }
      break;
    case R_UNTIL_EOF:
      cb->body(ctx, p, n);
      p = end;
      break;
    case R_CHUNK_SIZE:
      /* hex digits, then maybe ;extensions, then CRLF (r->head_len counts the digits) */
      if ((h = hexval(*p)) >= 0) {
        if (r->left > MAX_LENGTH)
          goto bad;
        r->left = r->left * 16 + (uint64_t)h;
        r->head_len++;
        p++;
      } else if (r->head_len && (*p == ';' || *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        r->state = R_CHUNK_EXT;
      } else {
        goto bad;
      }
      break;
    case R_CHUNK_EXT: {
      const char *nl = memchr(p, '\n', n);
      if (!nl) {
        p = end;
        break;
      }
      p = nl + 1;
      r->head_len = 0;
      r->state = r->left ? R_CHUNK_DATA : R_TRAILER;
      break;
    }
    case R_CHUNK_END:
      /* CRLF after a chunk's data (head_len: 1 once the CR was seen) */
      if (*p == '\r' && !r->head_len) {
        r->head_len = 1;
        p++;
      } else if (*p == '\n') {
        r->head_len = 0;
        r->left = 0;
        r->state = R_CHUNK_SIZE;
        p++;
      } else {
        goto bad;
      }
      break;
    case R_TRAILER:
      /* Trailer lines until an empty one (head_len: characters on the current line). */
      if (*p == '\n') {
        p++;
        if (r->head_len == 0) {
          if (finish(r, cb, ctx) < 0)
            goto bad;
        } else {
          r->head_len = 0;
        }
      } else {
        if (*p != '\r')
          r->head_len++;
        p++;
      }
      break;
    default:
      return -1;
    }
  }
  return 0;

bad:
  r->state = R_DEAD;
  return -1;
}


int bl_resp_eof(struct bl_resp *r, const struct bl_resp_cb *cb, void *ctx) {
  if (r->state == R_UNTIL_EOF) {
    r->state = R_HEAD;
    return cb->done(ctx, r->status, 0) ? -1 : 1;
  }
  if (r->state == R_HEAD && r->head_len == 0)
    return 0;
  return -1;
}
