/* thrift_proto.c - the binary protocol's decoder and encoders (see thrift_proto.h).
 *
 * The decoder is an explicit stack machine rather than a recursive reader, so it can stop at
 * any byte and resume, and so nesting costs a bounded array instead of C stack. Its state:
 * the stack of open structs and containers (each with what remains to read), and "want", the
 * type of the value to read next. One step reads one field header, one value, or one
 * container header; it only moves forward when all bytes of that piece are there.
 */
#include "thrift_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { ROLE_OTHER, ROLE_ARGS, ROLE_REQUEST };

static const uint8_t idl_type[BG_THRIFT_MAX_ID + 1] = {
#define XX(id, name, type) [id] = type,
  BG_THRIFT_BIDREQUEST_FIELDS(XX)
#undef XX
};

static const char *const labels[BG_THRIFT_E_COUNT] = {
  "ok",
#define XX(name, label, tae, closes) label,
  BG_THRIFT_ERRORS(XX)
#undef XX
};

static const uint8_t taes[BG_THRIFT_E_COUNT] = {
  0,
#define XX(name, label, tae, closes) tae,
  BG_THRIFT_ERRORS(XX)
#undef XX
};

static const uint8_t closing[BG_THRIFT_E_COUNT] = {
  0,
#define XX(name, label, tae, closes) closes,
  BG_THRIFT_ERRORS(XX)
#undef XX
};


const char *bg_thrift_err_label(int e) {
  return e > 0 && e < BG_THRIFT_E_COUNT ? labels[e] : "unknown";
}


int bg_thrift_err_tae(int e) {
  return e > 0 && e < BG_THRIFT_E_COUNT ? taes[e] : BG_TAE_INTERNAL_ERROR;
}


int bg_thrift_err_closes(int e) {
  return e > 0 && e < BG_THRIFT_E_COUNT ? closing[e] : 1;
}


static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}


static uint64_t be64(const uint8_t *p) {
  return (uint64_t)be32(p) << 32 | be32(p + 4);
}


static int valid_type(unsigned t) {
  switch (t) {
  case BG_TT_BOOL:
  case BG_TT_BYTE:
  case BG_TT_DOUBLE:
  case BG_TT_I16:
  case BG_TT_I32:
  case BG_TT_I64:
  case BG_TT_STRING:
  case BG_TT_STRUCT:
  case BG_TT_MAP:
  case BG_TT_SET:
  case BG_TT_LIST:
    return 1;
  default:
    return 0;
  }
}


/* The fewest bytes a value of type t takes (t valid): what bounds a container's count. */
static unsigned min_size(unsigned t) {
  switch (t) {
  case BG_TT_I16:
    return 2;
  case BG_TT_I32:
  case BG_TT_STRING:
    return 4;
  case BG_TT_DOUBLE:
  case BG_TT_I64:
    return 8;
  case BG_TT_MAP:
    return 6;
  case BG_TT_SET:
  case BG_TT_LIST:
    return 5;
  default:
    return 1; /* bool, byte, a struct's STOP */
  }
}


static int fail(struct bg_thrift_dec *d, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct bg_thrift_dec *d, int e, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(d->why, sizeof d->why, fmt, ap);
  va_end(ap);
  d->stage = 2;
  return -e;
}


/* Whether the message may be extra bytes longer than what was read: the limit, and a frame's
 * end. Returns 0 or -BG_THRIFT_E_*. */
static int fits(struct bg_thrift_dec *d, uint64_t extra, const char *what) {
  uint64_t end = d->pos + extra;

  if (end > d->limit)
    return fail(d, BG_THRIFT_E_TOO_LONG, "%s at byte %zu makes the message longer than the "
                "%zu-byte limit", what, d->pos, d->limit);
  if (d->framed && end > d->frame)
    return fail(d, BG_THRIFT_E_BAD_FRAME, "%s at byte %zu runs past the end of its %zu-byte "
                "frame", what, d->pos, d->frame);
  return 0;
}


/* 1 when the n bytes from pos are there, 0 when more must come, or -BG_THRIFT_E_*. */
static int need(struct bg_thrift_dec *d, uint64_t n, size_t avail, const char *what) {
  int r = fits(d, n, what);

  if (r < 0)
    return r;
  return d->pos + n <= avail;
}


static int push(struct bg_thrift_dec *d, uint8_t kind, uint8_t role, uint8_t t1, uint8_t t2,
                uint64_t left) {
  struct bg_thrift_frame *f;

  if (d->depth == BG_THRIFT_MAX_DEPTH)
    return fail(d, BG_THRIFT_E_TOO_DEEP, "structs and containers nest deeper than %d levels "
                "at byte %zu", BG_THRIFT_MAX_DEPTH, d->pos);
  f = &d->stack[d->depth++];
  f->kind = kind;
  f->role = role;
  f->t1 = t1;
  f->t2 = t2;
  f->left = left;
  return 0;
}


/* Keep value v (of the type being read) when it is a BidRequest field the IDL names. */
static void record(struct bg_thrift_dec *d, int64_t i, double f, uint32_t off, uint32_t len) {
  struct bg_tx_value *v;

  if (d->want_field == 0)
    return;
  v = &d->msg.field[d->want_field];
  v->type = d->want;
  v->i = i;
  v->d = f;
  v->s = NULL;
  v->len = len;
  d->str_off[d->want_field] = off;
}


/* Read the value d->want at pos. Returns 1 when read, 0 when more bytes must come, or
 * -BG_THRIFT_E_*. */
static int read_value(struct bg_thrift_dec *d, const uint8_t *p, size_t avail) {
  const uint8_t *q = p + d->pos;
  uint64_t u;
  int64_t n;
  double f;
  int r;

  switch (d->want) {
  case BG_TT_BOOL:
  case BG_TT_BYTE:
    if ((r = need(d, 1, avail, "a byte")) <= 0)
      return r;
    record(d, d->want == BG_TT_BOOL ? q[0] != 0 : (int8_t)q[0], 0, 0, 0);
    d->pos += 1;
    return 1;
  case BG_TT_I16:
    if ((r = need(d, 2, avail, "an i16")) <= 0)
      return r;
    record(d, (int16_t)(q[0] << 8 | q[1]), 0, 0, 0);
    d->pos += 2;
    return 1;
  case BG_TT_I32:
    if ((r = need(d, 4, avail, "an i32")) <= 0)
      return r;
    record(d, (int32_t)be32(q), 0, 0, 0);
    d->pos += 4;
    return 1;
  case BG_TT_I64:
  case BG_TT_DOUBLE:
    if ((r = need(d, 8, avail, "an 8-byte value")) <= 0)
      return r;
    u = be64(q);
    memcpy(&f, &u, sizeof f);
    record(d, (int64_t)u, f, 0, 0);
    d->pos += 8;
    return 1;
  case BG_TT_STRING:
    if ((r = need(d, 4, avail, "a string length")) <= 0)
      return r;
    n = (int32_t)be32(q);
    if (n < 0)
      return fail(d, BG_THRIFT_E_BAD_SIZE, "a string at byte %zu has a negative length "
                  "(%lld)", d->pos, (long long)n);
    if ((r = need(d, 4 + (uint64_t)n, avail, "a string")) <= 0)
      return r;
    record(d, 0, 0, (uint32_t)(d->pos + 4), (uint32_t)n);
    d->pos += 4 + (size_t)n;
    return 1;
  case BG_TT_STRUCT:
    if ((r = push(d, BG_TT_STRUCT, d->want_role, 0, 0, 0)) < 0)
      return r;
    if (d->want_role == ROLE_REQUEST) {
      /* A repeated request argument replaces the earlier one, as Thrift's readers do. */
      memset(d->msg.field, 0, sizeof d->msg.field);
    }
    return 1;
  case BG_TT_LIST:
  case BG_TT_SET:
    if ((r = need(d, 5, avail, "a list header")) <= 0)
      return r;
    n = (int32_t)be32(q + 1);
    if (n < 0)
      return fail(d, BG_THRIFT_E_BAD_SIZE, "a list at byte %zu has a negative size (%lld)",
                  d->pos, (long long)n);
    if (n > 0 && !valid_type(q[0]))
      return fail(d, BG_THRIFT_E_BAD_TYPE, "element type %u of the list at byte %zu is not a "
                  "Thrift type", q[0], d->pos);
    if ((r = fits(d, 5 + (uint64_t)n * min_size(q[0]), "a list")) < 0 ||
        (r = push(d, BG_TT_LIST, ROLE_OTHER, q[0], 0, (uint64_t)n)) < 0)
      return r;
    d->pos += 5;
    return 1;
  case BG_TT_MAP:
    if ((r = need(d, 6, avail, "a map header")) <= 0)
      return r;
    n = (int32_t)be32(q + 2);
    if (n < 0)
      return fail(d, BG_THRIFT_E_BAD_SIZE, "a map at byte %zu has a negative size (%lld)",
                  d->pos, (long long)n);
    if (n > 0 && !(valid_type(q[0]) && valid_type(q[1])))
      return fail(d, BG_THRIFT_E_BAD_TYPE, "key or value type (%u, %u) of the map at byte %zu "
                  "is not a Thrift type", q[0], q[1], d->pos);
    if ((r = fits(d, 6 + (uint64_t)n * (min_size(q[0]) + min_size(q[1])), "a map")) < 0 ||
        (r = push(d, BG_TT_MAP, ROLE_OTHER, q[0], q[1], 2 * (uint64_t)n)) < 0)
      return r;
    d->pos += 6;
    return 1;
  default: /* cannot happen: types are checked where they are read */
    return fail(d, BG_THRIFT_E_BAD_TYPE, "type %u at byte %zu is not a Thrift type", d->want,
                d->pos);
  }
}


/* The message header. Returns 1 when read, 0 for more bytes, or -BG_THRIFT_E_*. */
static int read_header(struct bg_thrift_dec *d, const uint8_t *p, size_t avail) {
  int64_t v, n;
  int r;

  if ((r = need(d, 4, avail, "the message header")) <= 0)
    return r;
  v = (int32_t)be32(p);
  if (v < 0) {
    /* Strict: version | type, name length, name, seqid. */
    if ((be32(p) & 0xffff0000u) != 0x80010000u)
      return fail(d, BG_THRIFT_E_BAD_HEADER, "version 0x%08x is not Thrift's binary protocol "
                  "(0x8001)", be32(p));
    if ((r = need(d, 8, avail, "the message header")) <= 0)
      return r;
    n = (int32_t)be32(p + 4);
    if (n < 0 || n > BG_THRIFT_MAX_NAME)
      return fail(d, BG_THRIFT_E_BAD_HEADER, "a method name of %lld bytes (at most %d)",
                  (long long)n, BG_THRIFT_MAX_NAME);
    if ((r = need(d, 12 + (uint64_t)n, avail, "the message header")) <= 0)
      return r;
    d->msg.type = p[3];
    d->name_off = 8;
    d->msg.seqid = (int32_t)be32(p + 8 + n);
    d->pos = 12 + (size_t)n;
  } else {
    /* Old style: name length, name, type, seqid. Anything else (HTTP, TLS, ...) that starts
     * with a positive number lands here and fails on the length. */
    n = v;
    if (n > BG_THRIFT_MAX_NAME)
      return fail(d, BG_THRIFT_E_BAD_HEADER, "not a Thrift binary-protocol message: its "
                  "header would name a method of %lld bytes (at most %d)", (long long)n,
                  BG_THRIFT_MAX_NAME);
    if ((r = need(d, 9 + (uint64_t)n, avail, "the message header")) <= 0)
      return r;
    d->msg.type = p[4 + n];
    d->name_off = 4;
    d->msg.seqid = (int32_t)be32(p + 5 + n);
    d->pos = 9 + (size_t)n;
  }
  d->msg.name_len = (uint32_t)n;
  d->msg.have_header = 1;
  d->depth = 0;
  if ((r = push(d, BG_TT_STRUCT, ROLE_ARGS, 0, 0, 0)) < 0)
    return r;
  return 1;
}


/* Walk the message at p (avail bytes of it are there) from where the last call stopped.
 * Returns 1 when it is complete (d->pos bytes), 0 for more bytes, or -BG_THRIFT_E_*. */
static int scan(struct bg_thrift_dec *d, const uint8_t *p, size_t avail) {
  int r;

  if (d->stage == 0) {
    if ((r = read_header(d, p, avail)) <= 0)
      return r;
    d->stage = 1;
  }
  d->msg.name = (const char *)p + d->name_off;
  for (;;) {
    struct bg_thrift_frame *top;
    if (d->want != BG_TT_STOP) {
      if ((r = read_value(d, p, avail)) <= 0)
        return r;
      d->want = BG_TT_STOP;
      continue;
    }
    if (d->depth == 0)
      return 1;
    top = &d->stack[d->depth - 1];
    if (top->kind == BG_TT_STRUCT) {
      const uint8_t *q = p + d->pos;
      int id;
      if ((r = need(d, 1, avail, "a field header")) <= 0)
        return r;
      if (q[0] == BG_TT_STOP) {
        d->pos++;
        d->depth--;
        continue;
      }
      if ((r = need(d, 3, avail, "a field header")) <= 0)
        return r;
      if (!valid_type(q[0]))
        return fail(d, BG_THRIFT_E_BAD_TYPE, "field type %u at byte %zu is not a Thrift type",
                    q[0], d->pos);
      id = (int16_t)(q[1] << 8 | q[2]);
      d->want = q[0];
      d->want_field = top->role == ROLE_REQUEST && id >= 1 && id <= BG_THRIFT_MAX_ID &&
                              idl_type[id] == q[0] ? (uint8_t)id : 0;
      d->want_role = top->role == ROLE_ARGS && id == BG_THRIFT_ARG_ID && q[0] == BG_TT_STRUCT
                         ? ROLE_REQUEST : ROLE_OTHER;
      d->pos += 3;
    } else if (top->left == 0) {
      d->depth--;
    } else {
      /* A map alternates key, value: keys when an even number is left. */
      d->want = top->kind == BG_TT_MAP && top->left % 2 == 1 ? top->t2 : top->t1;
      d->want_field = 0;
      d->want_role = ROLE_OTHER;
      top->left--;
    }
  }
}


static void reset(struct bg_thrift_dec *d) {
  d->stage = 0;
  d->base = 0;
  d->frame = 0;
  d->pos = 0;
  d->want = BG_TT_STOP;
  d->want_field = 0;
  d->want_role = ROLE_OTHER;
  d->name_off = 0;
  d->depth = 0;
  memset(&d->msg, 0, sizeof d->msg);
  d->why[0] = '\0';
}


void bg_thrift_dec_init(struct bg_thrift_dec *d, size_t limit, int framed) {
  memset(d, 0, sizeof *d);
  d->limit = limit > 0x7fffffff ? 0x7fffffff : limit;
  d->framed = framed;
  reset(d);
}


long bg_thrift_decode(struct bg_thrift_dec *d, const uint8_t *buf, size_t len) {
  size_t avail = len;
  int r, k;

  if (d->stage == 2)
    reset(d);
  if (d->framed) {
    if (d->base == 0) {
      int64_t n;
      if (len < 4)
        return 0;
      n = (int32_t)be32(buf);
      if (n <= 0)
        return fail(d, BG_THRIFT_E_BAD_FRAME, "a frame of %lld bytes (a message needs at "
                    "least one)", (long long)n);
      if ((uint64_t)n > d->limit)
        return fail(d, BG_THRIFT_E_TOO_LONG, "a frame of %lld bytes is longer than the "
                    "%zu-byte limit", (long long)n, d->limit);
      d->frame = (size_t)n;
      d->base = 4;
    }
    /* The frame says where the message ends: walk it once it is all there. */
    if (len - 4 < d->frame)
      return 0;
    avail = d->frame;
  }
  r = scan(d, buf + d->base, avail);
  if (r < 0)
    return r;
  if (r == 0) {
    if (d->framed)
      return fail(d, BG_THRIFT_E_BAD_FRAME, "the %zu-byte frame ends inside its message",
                  d->frame);
    return 0;
  }
  if (d->framed && d->pos != d->frame)
    return fail(d, BG_THRIFT_E_BAD_FRAME, "%zu bytes follow the message in its %zu-byte frame",
                d->frame - d->pos, d->frame);
  for (k = 1; k <= BG_THRIFT_MAX_ID; k++)
    if (d->msg.field[k].type == BG_TT_STRING)
      d->msg.field[k].s = (const char *)buf + d->base + d->str_off[k];
  d->stage = 2;
  return (long)(d->base + d->pos);
}


static uint8_t *put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
  return p + 4;
}


/* Reserve a message of body_len bytes after its header; returns where the body goes. */
static uint8_t *begin(struct bg_buf *out, int framed, uint8_t type, const char *name,
                      uint32_t name_len, int32_t seqid, size_t body_len) {
  size_t n = 12 + (size_t)name_len + body_len;
  uint8_t *p;

  if (bg_buf_reserve(out, n + 4) != 0)
    return NULL;
  p = (uint8_t *)out->p + out->len;
  if (framed)
    p = put32(p, (uint32_t)n);
  p = put32(p, 0x80010000u | type);
  p = put32(p, name_len);
  memcpy(p, name, name_len);
  p = put32(p + name_len, (uint32_t)seqid);
  out->len += n + (framed ? 4 : 0);
  return p;
}


int bg_thrift_put_reply(struct bg_buf *out, int framed, const char *name, uint32_t name_len,
                        int32_t seqid, double score) {
  /* result { 0: BidResponse success } = STRUCT 0 { DOUBLE 1 score, STOP }, STOP */
  uint8_t *p = begin(out, framed, BG_TM_REPLY, name, name_len, seqid, 3 + 3 + 8 + 1 + 1);
  uint64_t u;

  if (p == NULL)
    return -1;
  memcpy(&u, &score, sizeof u);
  *p++ = BG_TT_STRUCT;
  *p++ = 0;
  *p++ = BG_THRIFT_RESULT_ID;
  *p++ = BG_TT_DOUBLE;
  *p++ = 0;
  *p++ = BG_THRIFT_SCORE_ID;
  p = put32(p, (uint32_t)(u >> 32));
  p = put32(p, (uint32_t)u);
  *p++ = BG_TT_STOP;
  *p = BG_TT_STOP;
  return 0;
}


int bg_thrift_put_exception(struct bg_buf *out, int framed, const char *name, uint32_t name_len,
                            int32_t seqid, int type, const char *message) {
  /* TApplicationException { 1: string message, 2: i32 type } */
  size_t len = strlen(message), i;
  uint8_t *p = begin(out, framed, BG_TM_EXCEPTION, name, name_len, seqid,
                     3 + 4 + len + 3 + 4 + 1);

  if (p == NULL)
    return -1;
  *p++ = BG_TT_STRING;
  *p++ = 0;
  *p++ = 1;
  p = put32(p, (uint32_t)len);
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)message[i];
    *p++ = c >= 0x20 && c < 0x7f ? c : '?';
  }
  *p++ = BG_TT_I32;
  *p++ = 0;
  *p++ = 2;
  p = put32(p, (uint32_t)type);
  *p = BG_TT_STOP;
  return 0;
}
