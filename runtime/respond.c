/* respond.c - status line, headers and bodies into the connection's output (see respond.h). */
#include "respond.h"

#include <string.h>
#include <time.h>

#include "http_errors.h"

#define XX(name, status, code, msg) status,
static const int err_status[] = {BG_HTTP_ERRORS(XX)};
#undef XX
#define XX(name, status, code, msg) code,
static const char *const err_code[] = {BG_HTTP_ERRORS(XX)};
#undef XX
#define XX(name, status, code, msg) msg,
static const char *const err_message[] = {BG_HTTP_ERRORS(XX)};
#undef XX


static int err_index(int err) {
  if (err <= BG_HTTP__ERR_FIRST || err >= BG_HTTP__ERR_END)
    err = BG_HTTP_ERR_INTERNAL;
  return err - BG_HTTP__ERR_FIRST - 1;
}


int bg_http_err_status(int err) {
  return err_status[err_index(err)];
}


const char *bg_http_err_code(int err) {
  return err_code[err_index(err)];
}


const char *bg_http_err_message(int err) {
  return err_message[err_index(err)];
}


static const char *status_line(int status) {
  switch (status) {
  case 100: return "HTTP/1.1 100 Continue\r\n";
  case 200: return "HTTP/1.1 200 OK\r\n";
  case 400: return "HTTP/1.1 400 Bad Request\r\n";
  case 404: return "HTTP/1.1 404 Not Found\r\n";
  case 405: return "HTTP/1.1 405 Method Not Allowed\r\n";
  case 408: return "HTTP/1.1 408 Request Timeout\r\n";
  case 411: return "HTTP/1.1 411 Length Required\r\n";
  case 413: return "HTTP/1.1 413 Content Too Large\r\n";
  case 414: return "HTTP/1.1 414 URI Too Long\r\n";
  case 415: return "HTTP/1.1 415 Unsupported Media Type\r\n";
  case 431: return "HTTP/1.1 431 Request Header Fields Too Large\r\n";
  case 501: return "HTTP/1.1 501 Not Implemented\r\n";
  case 503: return "HTTP/1.1 503 Service Unavailable\r\n";
  }
  return "HTTP/1.1 500 Internal Server Error\r\n";
}


/* "Date: <IMF-fixdate>\r\n", formatted once per second per loop. The time is the request's
 * clock (the one its features read) when it has one, so a client can replay the extraction. */
static const char *date_header(struct bg_loop *l, int64_t clock) {
  time_t now = clock > 0 ? (time_t)clock : time(NULL);

  if ((int64_t)now != l->date_second) {
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(l->date, sizeof l->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    l->date_second = (int64_t)now;
  }
  return l->date;
}


static void respond_with(struct bg_conn *c, int status, const char *ctype, const char *body,
                         size_t len, const char *allow) {
  struct bg_buf *o = &c->out;
  size_t mark = o->len;
  int err;

  err = bg_buf_puts(o, status_line(status)) || bg_buf_puts(o, "Server: bidgate\r\n") ||
        bg_buf_puts(o, date_header(c->loop, c->in_request ? 0 : c->req.now)) || bg_buf_puts(o, "Content-Type: ") ||
        bg_buf_puts(o, ctype) || bg_buf_puts(o, "\r\nContent-Length: ") ||
        bg_buf_uint(o, len) || bg_buf_puts(o, "\r\n");
  if (!err && allow != NULL)
    err = bg_buf_puts(o, "Allow: ") || bg_buf_puts(o, allow) || bg_buf_puts(o, "\r\n");
  if (!err && c->close_after)
    err = bg_buf_puts(o, "Connection: close\r\n");
  if (!err)
    err = bg_buf_puts(o, "\r\n") || bg_buf_put(o, body, len);
  if (err) {
    /* Out of memory: a half-written response must not reach the client. */
    o->len = mark;
    c->close_after = 1;
  }
}


void bg_respond(struct bg_conn *c, int status, const char *ctype, const char *body, size_t len) {
  respond_with(c, status, ctype, body, len, NULL);
}


void bg_respond_continue(struct bg_conn *c) {
  bg_buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
}


void bg_respond_error(struct bg_conn *c, int err, const char *message, const char *allow) {
  struct bg_buf *b = &c->loop->scratch;
  const char *code = bg_http_err_code(err);

  if (message == NULL)
    message = bg_http_err_message(err);
  b->len = 0;
  if (bg_buf_puts(b, "{\"error\":{\"code\":") || bg_buf_json_string(b, code, strlen(code)) ||
      bg_buf_puts(b, ",\"message\":") || bg_buf_json_string(b, message, strlen(message)) ||
      bg_buf_puts(b, "}}\n")) {
    c->close_after = 1;
    return;
  }
  respond_with(c, bg_http_err_status(err), "application/json", b->p, b->len, allow);
}


/* A score as bg_buf_float writes it; the same bits as the last score reuse its text (the
 * rows of one impression's bidders mostly share a score). */
static int put_score(struct bg_buf *b, float f, uint32_t *last_bits, size_t *last_at,
                     size_t *last_len) {
  uint32_t bits;
  size_t at = b->len;

  memcpy(&bits, &f, sizeof bits);
  if (*last_len > 0 && bits == *last_bits) {
    if (bg_buf_reserve(b, *last_len) != 0)
      return -1;
    memcpy(b->p + b->len, b->p + *last_at, *last_len);
    b->len += *last_len;
    return 0;
  }
  if (bg_buf_float(b, f) != 0)
    return -1;
  *last_bits = bits;
  *last_at = at;
  *last_len = b->len - at;
  return 0;
}


int bg_respond_filter(struct bg_conn *c, const struct bg_bidreq *br, const struct bg_rows *rows) {
  static const char *const reasons[] = {",\"reason\":\"score\"}", ",\"reason\":\"explore\"}",
                                        ",\"reason\":\"fail_open\"}",
                                        ",\"reason\":\"fail_closed\"}"};
  struct bg_loop *l = c->loop;
  struct bg_buf *b = &l->scratch;
  int uses_bidder = l->features->uses_bidder;
  uint32_t i, k, r = 0, last_bits = 0;
  size_t last_at = 0, last_len = 0; /* the text of the last score written, in b */
  int err;

  b->len = 0;
  err = bg_buf_puts(b, "{\"id\":") || bg_buf_json_string(b, br->id, br->id_len) ||
        bg_buf_puts(b, ",\"model\":\"") || bg_buf_puts(b, l->model_id) ||
        bg_buf_puts(b, "\",\"imp\":[");
  for (i = 0; i < br->n_imp && !err; i++) {
    const char *id = NULL;
    size_t id_len = 0;
    int has_id = bg_openrtb_imp_id(br, i, &c->arena, &id, &id_len);
    err = has_id < 0 || bg_buf_puts(b, i ? ",{\"id\":" : "{\"id\":") ||
          (has_id == 0 ? bg_buf_json_string(b, id, id_len) : bg_buf_puts(b, "null")) ||
          bg_buf_puts(b, ",\"bidders\":[");
    for (k = 0; k < rows->per_imp && !err; k++, r++) {
      err = bg_buf_puts(b, k ? ",{" : "{");
      if (!err && uses_bidder) {
        const struct bg_jv *name = &br->bidders.item[k];
        err = bg_buf_puts(b, "\"bidder\":") || bg_buf_json_string(b, name->p, name->n) ||
              bg_buf_puts(b, ",");
      }
      err = err || bg_buf_puts(b, "\"score\":") ||
            (rows->ok[r] ? put_score(b, rows->out[(size_t)r * rows->width], &last_bits,
                                     &last_at, &last_len)
                         : bg_buf_puts(b, "null")) ||
            bg_buf_puts(b, rows->pass[r] ? ",\"pass\":true" : ",\"pass\":false") ||
            bg_buf_puts(b, reasons[rows->reason[r]]);
    }
    err = err || bg_buf_puts(b, "]}");
  }
  err = err || bg_buf_puts(b, "]}\n");
  if (err)
    return BG_HTTP_ERR_INTERNAL;
  bg_respond(c, 200, "application/json", b->p, b->len);
  return 0;
}
