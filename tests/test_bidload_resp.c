/* test_bidload_resp.c - bidload's HTTP response reader (client/resp.c) against http-parser, the
 * parser the server uses, as the oracle: the same answers (status, keep-alive, body bytes) from
 * the same byte streams however the stream is cut into reads, and an error where http-parser
 * sees a malformed response. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <http_parser.h>

#include "resp.h"

/* What a reader saw: one line per answer, "STATUS KEEP BODYLEN:BODY\n", then "EOF" or "ERR". */
struct seen {
  char text[65536];
  size_t len;
  char body[16384];
  size_t body_len;
};

static void add(struct seen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct seen *s, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  s->len += (size_t)vsnprintf(s->text + s->len, sizeof s->text - s->len, fmt, ap);
  va_end(ap);
  cr_assert(s->len < sizeof s->text);
}


static void answer(struct seen *s, unsigned status, int keep) {
  add(s, "%u %d %zu:%.*s\n", status, keep, s->body_len, (int)s->body_len, s->body);
  s->body_len = 0;
}


static void body_piece(struct seen *s, const char *at, size_t len) {
  cr_assert(s->body_len + len <= sizeof s->body);
  memcpy(s->body + s->body_len, at, len);
  s->body_len += len;
}

/* ---- the oracle ---- */

static int hp_body(http_parser *p, const char *at, size_t len) {
  body_piece(p->data, at, len);
  return 0;
}


static int hp_done(http_parser *p) {
  /* bidload skips interim 1xx answers; so does the comparison. */
  if (p->status_code >= 100 && p->status_code < 200)
    ((struct seen *)p->data)->body_len = 0;
  else
    answer(p->data, p->status_code, http_should_keep_alive(p));
  return 0;
}


static void oracle(const char *stream, size_t n, int eof, struct seen *s) {
  http_parser_settings set = {.on_body = hp_body, .on_message_complete = hp_done};
  http_parser p;

  memset(s, 0, sizeof *s);
  http_parser_init(&p, HTTP_RESPONSE);
  p.data = s;
  http_parser_execute(&p, &set, stream, n);
  if (HTTP_PARSER_ERRNO(&p) == HPE_OK && eof)
    http_parser_execute(&p, &set, NULL, 0);
  add(s, HTTP_PARSER_ERRNO(&p) == HPE_OK ? "OK" : "ERR");
}

/* ---- bidload's reader, fed in pieces ---- */

static void r_body(void *ctx, const char *at, size_t len) {
  body_piece(ctx, at, len);
}


static int r_done(void *ctx, unsigned status, int keep) {
  answer(ctx, status, keep);
  return 0;
}


static const struct bl_resp_cb cbs = {r_body, r_done};

/* Feeds the stream in reads of the sizes cut() gives; then the end of the connection if eof. */
static void reader(const char *stream, size_t n, int eof, size_t (*cut)(size_t i, void *arg),
                   void *arg, struct seen *s) {
  static struct bl_resp r;
  size_t at = 0, i = 0;
  int bad = 0;

  memset(s, 0, sizeof *s);
  bl_resp_init(&r);
  while (at < n && !bad) {
    size_t k = cut(i++, arg);
    if (k > n - at)
      k = n - at;
    bad = bl_resp_feed(&r, stream + at, k, &cbs, s) < 0;
    at += k;
  }
  if (!bad && eof)
    bad = bl_resp_eof(&r, &cbs, s) < 0;
  add(s, bad ? "ERR" : "OK");
}


static size_t whole(size_t i, void *arg) {
  (void)i;
  (void)arg;
  return SIZE_MAX;
}


static size_t split_at(size_t i, void *arg) {
  return i == 0 ? *(size_t *)arg : SIZE_MAX;
}


static size_t random_reads(size_t i, void *arg) {
  uint64_t *x = arg;

  (void)i;
  *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
  return 1 + (*x >> 33) % 40;
}


static const char *const good[] = {
  /* nginx's keep-alive answer, twice in one stream (pipelined) */
  "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
  "Connection: keep-alive\r\n\r\n{\"imp\":[1,2]}"
  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
  /* bidgate-like, mixed-case names, spaces around values, a status without a reason */
  "HTTP/1.1 503\r\ncontent-LENGTH:   5  \r\nRetry-After: 1\r\n\r\nbusy!",
  /* chunked with extensions and a trailer, then another answer */
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\n"
  "0\r\nX-Trailer: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
  /* close, and a 1.0 answer without keep-alive */
  "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc",
  "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
  "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nz",
  /* an interim 100 before the answer */
  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
  /* a 304 (no body), then a 404 */
  "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\nHTTP/1.1 404 Not Found\r\n"
  "Content-Length: 0\r\n\r\n",
  /* bare LF line ends */
  "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi",
  /* a long header */
  "HTTP/1.1 200 OK\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
  "Content-Length: 4\r\n\r\nlong",
};

/* Bodies that run until the connection closes. */
static const char *const until_eof[] = {
  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end",
  "HTTP/1.0 500 Oops\r\n\r\n",
};

static const char *const bad[] = {
  "HTTP/2 200 OK\r\n\r\n",
  "XTTP/1.1 200 OK\r\n\r\n",
  "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
  "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
  "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n",
  "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
  "garbage",
};


static void same(const char *what, const char *stream, int eof) {
  static struct seen want, got;
  size_t n = strlen(stream), k;
  uint64_t seed;
  int round;

  oracle(stream, n, eof, &want);
  reader(stream, n, eof, whole, NULL, &got);
  cr_assert_str_eq(got.text, want.text, "%s, in one read: %s", what, stream);
  for (k = 1; k < n; k++) {
    reader(stream, n, eof, split_at, &k, &got);
    cr_assert_str_eq(got.text, want.text, "%s, cut at %zu: %s", what, k, stream);
  }
  for (seed = 1, round = 0; round < 50; round++) {
    reader(stream, n, eof, random_reads, &seed, &got);
    cr_assert_str_eq(got.text, want.text, "%s, random reads: %s", what, stream);
  }
}


Test(bidload_resp, answers_agree_with_http_parser, .timeout = 30) {
  size_t i;

  for (i = 0; i < sizeof good / sizeof *good; i++)
    same("keep-alive answers", good[i], 0);
  for (i = 0; i < sizeof until_eof / sizeof *until_eof; i++)
    same("bodies until the close", until_eof[i], 1);
}


Test(bidload_resp, malformed_answers_are_errors_as_for_http_parser, .timeout = 30) {
  static struct seen want, got;
  size_t i;

  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    size_t n = strlen(bad[i]);
    oracle(bad[i], n, 0, &want);
    cr_assert(strstr(want.text, "ERR"), "the oracle accepts case %zu: %s -> %s", i, bad[i], want.text);
    reader(bad[i], n, 0, whole, NULL, &got);
    cr_expect(strstr(got.text, "ERR"), "case %zu accepted: %s -> %s", i, bad[i], got.text);
  }
}


Test(bidload_resp, an_answer_cut_by_the_close_is_an_error, .timeout = 10) {
  static struct bl_resp r;
  static struct seen s;
  const char *cut = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";

  memset(&s, 0, sizeof s);
  bl_resp_init(&r);
  cr_assert_eq(bl_resp_feed(&r, cut, strlen(cut), &cbs, &s), 0);
  cr_expect_eq(bl_resp_eof(&r, &cbs, &s), -1);
  bl_resp_init(&r);
  cr_expect_eq(bl_resp_eof(&r, &cbs, &s), 0, "a close between answers is no error");
}


Test(bidload_resp, an_endless_head_is_an_error, .timeout = 10) {
  static struct bl_resp r;
  static struct seen s;
  static char big[BL_RESP_HEAD_MAX + 100];
  int rc = 0;
  size_t at;

  memset(big, 'a', sizeof big);
  memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
  memset(&s, 0, sizeof s);
  bl_resp_init(&r);
  for (at = 0; at < sizeof big && rc == 0; at += 1000)
    rc = bl_resp_feed(&r, big + at, sizeof big - at < 1000 ? sizeof big - at : 1000, &cbs, &s);
  cr_expect_eq(rc, -1);
}
