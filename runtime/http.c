/* http.c - http-parser callbacks filling struct bg_request within the limits (see http.h). */
#include "http.h"

#include <string.h>
#include <time.h>

#include "ascii.h"
#include "http_errors.h"
#include "respond.h"
#include "router.h"

enum { HS_FIELD, HS_OTHER, HS_CONTENT_TYPE, HS_EXPECT, HS_ACCEPT };

/* The body of a request without one; per thread, since the terminating NUL is written. */
static _Thread_local char empty_body[1];


static struct bg_conn *conn_of(http_parser *p) {
  return p->data;
}


/* Record the first error of this request and stop the parser (a callback returning non-zero
 * makes http_parser_execute return with HPE_CB_*). */
static int stop(struct bg_conn *c, int err, const char *message) {
  if (c->req.error == 0) {
    c->req.error = err;
    c->req.message = message;
  }
  return -1;
}


static int count_header_bytes(struct bg_conn *c, size_t n) {
  c->req.header_bytes += n;
  if (c->req.header_bytes > c->loop->cfg->max_header)
    return stop(c, BG_HTTP_ERR_HEADERS_TOO_LARGE, NULL);
  return 0;
}


static int on_message_begin(http_parser *p) {
  struct bg_conn *c = conn_of(p);
  struct bg_request *r = &c->req;

  /* Everything of the last request is gone: its answer is already in c->out. */
  bg_arena_reset(&c->arena);
  r->target_len = r->content_type_len = r->field_len = r->expect_len = 0;
  r->target[0] = r->content_type[0] = '\0';
  r->header_state = HS_FIELD;
  r->header_bytes = 0;
  r->has_content_type = 0;
  r->body = empty_body;
  r->body_len = r->body_cap = 0;
  r->error = 0;
  r->message = NULL;
  r->now = 0;
  r->route = BG_ROUTE_NONE;
  r->error_style = BG_ERROR_BIDGATE;
  r->accept_len = 0;
  r->accept[0] = '\0';
  r->allow = NULL;
  r->t_begin = bg_clock_ns();
  c->in_request = 1;
  c->deadline = uv_now(c->loop->uv) + c->loop->cfg->request_timeout_ms;
  return 0;
}


static int on_url(http_parser *p, const char *at, size_t n) {
  struct bg_conn *c = conn_of(p);
  struct bg_request *r = &c->req;

  if (count_header_bytes(c, n) != 0)
    return -1;
  if (r->target_len + n > BG_MAX_TARGET)
    return stop(c, BG_HTTP_ERR_URI_TOO_LONG, NULL);
  memcpy(r->target + r->target_len, at, n);
  r->target_len += n;
  r->target[r->target_len] = '\0';
  return 0;
}


/* Append at[0..n) lower-cased to dst[*len..cap), counting every byte in *len (so a longer
 * text never matches a shorter name). */
static void append_lower(char *dst, size_t cap, size_t *len, const char *at, size_t n) {
  size_t have = *len, room = have < cap ? cap - have : 0;

  bg_ascii_lower(dst + have, at, n < room ? n : room);
  *len = have + n;
}


static int on_header_field(http_parser *p, const char *at, size_t n) {
  struct bg_conn *c = conn_of(p);
  struct bg_request *r = &c->req;

  if (count_header_bytes(c, n) != 0)
    return -1;
  if (r->header_state != HS_FIELD) {
    r->header_state = HS_FIELD;
    r->field_len = 0;
  }
  /* Longer names keep counting past the buffer, so they never match a short one. */
  append_lower(r->field, sizeof r->field, &r->field_len, at, n);
  return 0;
}


static int field_is(const struct bg_request *r, const char *name) {
  size_t n = strlen(name);

  return r->field_len == n && memcmp(r->field, name, n) == 0;
}


static int on_header_value(http_parser *p, const char *at, size_t n) {
  struct bg_conn *c = conn_of(p);
  struct bg_request *r = &c->req;

  if (count_header_bytes(c, n) != 0)
    return -1;
  if (r->header_state == HS_FIELD) {
    if (field_is(r, "content-type")) {
      r->header_state = HS_CONTENT_TYPE;
      r->has_content_type = 1;
      r->content_type_len = 0; /* a repeated header: the last one counts */
    } else if (field_is(r, "expect")) {
      r->header_state = HS_EXPECT;
      r->expect_len = 0;
    } else if (field_is(r, "accept")) {
      r->header_state = HS_ACCEPT;
      r->accept_len = 0;
    } else {
      r->header_state = HS_OTHER;
    }
  }
  if (r->header_state == HS_CONTENT_TYPE) {
    append_lower(r->content_type, BG_MAX_CONTENT_TYPE, &r->content_type_len, at, n);
    r->content_type[r->content_type_len < BG_MAX_CONTENT_TYPE ? r->content_type_len
                                                               : BG_MAX_CONTENT_TYPE] = '\0';
  } else if (r->header_state == HS_EXPECT) {
    append_lower(r->expect, sizeof r->expect - 1, &r->expect_len, at, n);
    r->expect[r->expect_len < sizeof r->expect - 1 ? r->expect_len : sizeof r->expect - 1] = 0;
  } else if (r->header_state == HS_ACCEPT) {
    append_lower(r->accept, sizeof r->accept - 1, &r->accept_len, at, n);
    r->accept[r->accept_len < sizeof r->accept - 1 ? r->accept_len : sizeof r->accept - 1] = 0;
  }
  return 0;
}


static int on_headers_complete(http_parser *p) {
  struct bg_conn *c = conn_of(p);
  struct bg_request *r = &c->req;
  const struct bg_config *cfg = c->loop->cfg;
  int has_body = 0;

  r->method = p->method;
  if (p->flags & F_CHUNKED) {
    has_body = 1;
  } else if (p->flags & F_CONTENTLENGTH) {
    if (p->content_length > cfg->max_body)
      return stop(c, BG_HTTP_ERR_TOO_LARGE, NULL);
    has_body = p->content_length > 0;
    if (has_body) {
      r->body = bg_arena_alloc(&c->arena, (size_t)p->content_length + 1);
      if (r->body == NULL)
        return stop(c, BG_HTTP_ERR_TOO_LARGE, NULL);
      r->body_cap = (size_t)p->content_length;
    }
  } else if (p->method == HTTP_POST || p->method == HTTP_PUT || p->method == HTTP_PATCH) {
    return stop(c, BG_HTTP_ERR_LENGTH_REQUIRED, NULL);
  }
  /* A client that waits for permission before sending the body gets it now. */
  if (has_body && r->expect_len == 12 && memcmp(r->expect, "100-continue", 12) == 0 &&
      p->http_major == 1 && p->http_minor >= 1)
    bg_respond_continue(c);
  return 0;
}


static int on_body(http_parser *p, const char *at, size_t n) {
  struct bg_conn *c = conn_of(p);
  struct bg_request *r = &c->req;
  size_t max = c->loop->cfg->max_body;

  if (n > max || r->body_len > max - n)
    return stop(c, BG_HTTP_ERR_TOO_LARGE, NULL);
  if (r->body_len + n > r->body_cap) {
    /* Chunked: grow geometrically within the arena. */
    size_t cap = r->body_cap ? r->body_cap * 2 : 4096;
    char *grown;
    while (cap < r->body_len + n)
      cap *= 2;
    if (cap > max)
      cap = max;
    grown = bg_arena_grow(&c->arena, r->body == empty_body ? NULL : r->body,
                          r->body_cap ? r->body_cap + 1 : 0, cap + 1);
    if (grown == NULL)
      return stop(c, BG_HTTP_ERR_TOO_LARGE, NULL);
    r->body = grown;
    r->body_cap = cap;
  }
  memcpy(r->body + r->body_len, at, n);
  r->body_len += n;
  return 0;
}


static int on_message_complete(http_parser *p) {
  struct bg_conn *c = conn_of(p);
  struct bg_request *r = &c->req;

  r->body[r->body_len] = '\0';
  r->now = (int64_t)time(NULL);
  c->in_request = 0;
  /* While draining, each connection closes after the answer to the request it is reading. */
  if (!http_should_keep_alive(p) || c->loop->draining)
    c->close_after = 1;
  bg_handle_request(c);
  /* Nothing after a request that closes the connection is read. */
  if (c->close_after)
    http_parser_pause(p, 1);
  return 0;
}


static const http_parser_settings settings = {
  .on_message_begin = on_message_begin,
  .on_url = on_url,
  .on_header_field = on_header_field,
  .on_header_value = on_header_value,
  .on_headers_complete = on_headers_complete,
  .on_body = on_body,
  .on_message_complete = on_message_complete,
};


void bg_http_init(struct bg_conn *c) {
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  c->req.body = empty_body;
}


void bg_http_feed(struct bg_conn *c, const char *data, size_t n) {
  enum http_errno e;
  int err;

  if (c->state != BG_CONN_OPEN || c->close_after)
    return;
  http_parser_execute(&c->parser, &settings, data, n);
  e = HTTP_PARSER_ERRNO(&c->parser);
  if (c->parser.upgrade) {
    /* No protocol switching here: answer what was asked (done), then close. */
    c->close_after = 1;
  } else if (e != HPE_OK && e != HPE_PAUSED) {
    if (c->req.error != 0)
      err = c->req.error;
    else if (e == HPE_HEADER_OVERFLOW)
      err = BG_HTTP_ERR_HEADERS_TOO_LARGE;
    else
      err = BG_HTTP_ERR_BAD_REQUEST;
    c->in_request = 0;
    c->close_after = 1;
    bg_respond_error(c, err, c->req.error != 0 ? c->req.message : http_errno_description(e),
                     NULL);
  }
  if (c->close_after)
    c->state = BG_CONN_CLOSING;
}
