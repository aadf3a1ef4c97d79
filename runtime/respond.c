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
  case 406: return "HTTP/1.1 406 Not Acceptable\r\n";
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
  const char *line = status_line(status), *date = date_header(c->loop, c->in_request ? 0 : c->req.now);
  size_t nline = strlen(line), ndate = strlen(date), nctype = strlen(ctype);
  size_t nallow = allow != NULL ? strlen(allow) : 0;
  char *p;

  /* Every answer is counted here, the one place they all pass (metrics.h). */
  bg_stats_response(&c->loop->stats, c->req.route, status,
                    c->req.t_begin ? (bg_clock_ns() - c->req.t_begin) / 1000 : 0);
  c->req.t_begin = 0;
  /* One reservation for the whole response, then plain copies. */
  if (bg_buf_reserve(o, nline + ndate + nctype + nallow + len + 128) != 0) {
    /* Out of memory: nothing of the response reaches the client. */
    c->close_after = 1;
    return;
  }
  p = bg_put(o->p + o->len, line, nline);
  p = BG_PUT_LIT(p, "Server: bidgate\r\n");
  p = bg_put(p, date, ndate);
  p = BG_PUT_LIT(p, "Content-Type: ");
  p = bg_put(p, ctype, nctype);
  p = BG_PUT_LIT(p, "\r\nContent-Length: ");
  p = bg_put_uint(p, len);
  p = BG_PUT_LIT(p, "\r\n");
  if (allow != NULL) {
    p = BG_PUT_LIT(p, "Allow: ");
    p = bg_put(p, allow, nallow);
    p = BG_PUT_LIT(p, "\r\n");
  }
  if (c->close_after)
    p = BG_PUT_LIT(p, "Connection: close\r\n");
  p = BG_PUT_LIT(p, "\r\n");
  p = bg_put(p, body, len);
  o->len = (size_t)(p - o->p);
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
  bg_count(&c->loop->stats.errors[err_index(err)], 1);
  b->len = 0;
  if (c->req.error_style == BG_ERROR_OIP ? /* the Open Inference Protocol's error object */
          bg_buf_puts(b, "{\"error\":") || bg_buf_json_string(b, message, strlen(message)) ||
              bg_buf_puts(b, "}\n")
      : bg_buf_puts(b, "{\"error\":{\"code\":") || bg_buf_json_string(b, code, strlen(code)) ||
              bg_buf_puts(b, ",\"message\":") || bg_buf_json_string(b, message, strlen(message)) ||
              bg_buf_puts(b, "}}\n")) {
    c->close_after = 1;
    return;
  }
  respond_with(c, bg_http_err_status(err), "application/json", b->p, b->len, allow);
}


/* The /v1/filter answer. Its size is bounded first (escaped strings take at most six bytes a
 * byte), so it is written with one reservation and plain copies. The bidders' fragments
 * ({"bidder":"NAME","score": and the like) are the same for every impression: written once,
 * then copied; a score with the same bits as the one before reuses its text. */
int bg_respond_filter(struct bg_conn *c, const struct bg_bidreq *br, const struct bg_rows *rows) {
#define REASON(word) {",\"reason\":\"" word "\"}", sizeof ",\"reason\":\"" word "\"}" - 1}
  static const struct {
    const char *s;
    size_t n;
  } reasons[] = {REASON("score"), REASON("explore"), REASON("fail_open"), REASON("fail_closed")};
#undef REASON
  struct bg_loop *l = c->loop;
  struct bg_buf *b = &l->scratch;
  int uses_bidder = l->features->uses_bidder;
  uint32_t i, k, r = 0, per = rows->per_imp, last_bits = 0;
  size_t bound, frag_bytes = 0, nfrag, *frag_at, model_len = strlen(l->model_id);
  char *p, *frags, *last_score = NULL;
  size_t last_len = 0;

  /* The fragments: ",{\"bidder\":NAME,\"score\":" per bidder, or one ",{\"score\":" without
   * bidders (the comma is left out before the first), in the arena. */
  nfrag = uses_bidder ? per : 1;
  frag_at = bg_arena_alloc(&c->arena, (nfrag + 1) * sizeof *frag_at);
  for (k = 0; uses_bidder && k < per; k++)
    frag_bytes += BG_JSON_STRING_MAX((size_t)br->bidders.item[k].n);
  frags = bg_arena_alloc(&c->arena, frag_bytes + 24 * (size_t)nfrag);
  if (frag_at == NULL || frags == NULL)
    return BG_HTTP_ERR_INTERNAL;
  p = frags;
  for (k = 0; k < nfrag; k++) {
    frag_at[k] = (size_t)(p - frags);
    if (uses_bidder) {
      p = BG_PUT_LIT(p, ",{\"bidder\":");
      p = bg_put_json_string(p, br->bidders.item[k].p, br->bidders.item[k].n);
      p = BG_PUT_LIT(p, ",\"score\":");
    } else {
      p = BG_PUT_LIT(p, ",{\"score\":");
    }
  }
  frag_at[nfrag] = (size_t)(p - frags);

  bound = 64 + BG_JSON_STRING_MAX(br->id_len) + model_len +
          (size_t)rows->n * (frag_at[nfrag] + BG_FLOAT_MAX + 40);
  for (i = 0; i < br->n_imp; i++)
    bound += 32 + BG_JSON_STRING_MAX((size_t)br->imps[(size_t)i * br->imp_stride +
                                                      BG_JS_IMP_ID].n);
  b->len = 0;
  if (bg_buf_reserve(b, bound) != 0)
    return BG_HTTP_ERR_INTERNAL;
  p = BG_PUT_LIT(b->p, "{\"id\":");
  p = bg_put_json_string(p, br->id, br->id_len);
  p = BG_PUT_LIT(p, ",\"model\":\"");
  p = bg_put(p, l->model_id, model_len);
  p = BG_PUT_LIT(p, "\",\"imp\":[");
  for (i = 0; i < br->n_imp; i++) {
    const char *id = NULL;
    size_t id_len = 0;
    int has_id = bg_openrtb_imp_id(br, i, &c->arena, &id, &id_len);
    if (has_id < 0)
      return BG_HTTP_ERR_INTERNAL;
    p = i ? BG_PUT_LIT(p, ",{\"id\":") : BG_PUT_LIT(p, "{\"id\":");
    p = has_id == 0 ? bg_put_json_string(p, id, id_len) : BG_PUT_LIT(p, "null");
    p = BG_PUT_LIT(p, ",\"bidders\":[");
    for (k = 0; k < per; k++, r++) {
      size_t f = uses_bidder ? k : 0;
      /* the fragment, without its leading comma for the first bidder */
      p = bg_put(p, frags + frag_at[f] + (k == 0), frag_at[f + 1] - frag_at[f] - (k == 0));
      if (!rows->ok[r]) {
        p = BG_PUT_LIT(p, "null");
      } else {
        float score = rows->out[(size_t)r * rows->width];
        uint32_t bits;
        memcpy(&bits, &score, sizeof bits);
        if (last_score != NULL && bits == last_bits) {
          p = bg_put(p, last_score, last_len);
        } else {
          char *at = p;
          p = bg_put_float(p, score);
          last_score = at;
          last_len = (size_t)(p - at);
          last_bits = bits;
        }
      }
      p = rows->pass[r] ? BG_PUT_LIT(p, ",\"pass\":true") : BG_PUT_LIT(p, ",\"pass\":false");
      p = bg_put(p, reasons[rows->reason[r]].s, reasons[rows->reason[r]].n);
    }
    p = BG_PUT_LIT(p, "]}");
  }
  p = BG_PUT_LIT(p, "]}\n");
  b->len = (size_t)(p - b->p);
  bg_respond(c, 200, "application/json", b->p, b->len);
  return 0;
}
