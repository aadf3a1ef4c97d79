/* test_http_errors.c - malformed requests get the right status and JSON error, and the server
 * keeps serving.
 *
 * One server (short request timeout, small row limit) takes a table of bad requests, each on a
 * new connection: the answer must carry the expected status and an {"error": {"code": ...,
 * "message": ...}} body with the expected code (or, where HTTP requires it, the connection just
 * closes). After each case, a good request on another connection must still get its 200; cases
 * that break the HTTP framing must also close their own connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "helpers.h"
#include "net.h"

#define GOOD "{\"id\":\"g\",\"imp\":[{\"id\":\"1\"}]}"

enum send_mode {
  WHOLE,      /* the request bytes in one go */
  THEN_WAIT,  /* the bytes, then nothing more: the server must time out (408) */
};

struct bad_case {
  char name[48];
  int status;        /* expected status; 0: the connection closes without an answer */
  char code[32];     /* expected error code; "" for a 200 answer */
  int closes;        /* the server must close the connection after answering */
  enum send_mode mode;
  int kind;          /* how to build the request: see build() */
  char arg[200];
  size_t arg_len;    /* bytes of arg (it may hold a NUL) */
};

/* kinds: 0 POST /v1/filter with body arg; 1 raw bytes arg (\r\n written as is);
 * 2 a huge body declared by Content-Length; 3 a 100 KB header; 4 a deep array;
 * 5 a chunked body of 2 MB; 6 a body with a NUL byte; 7 a body with invalid UTF-8;
 * 8 a 3000-byte target; 9 300 impressions (more rows than --max-rows 100) */
#define C(name, status, code, closes, mode, kind, arg)                                          \
  {name, status, code, closes, mode, kind, arg, sizeof(arg) - 1}

static struct bad_case cases[] = {
  C("truncated_json", 400, "bad_json", 0, WHOLE, 0, "{\"id\":\"1\",\"imp\":[{\"id\":\"1\"}"),
  C("not_json", 400, "bad_json", 0, WHOLE, 0, "id=1&imp=2"),
  C("empty_body", 400, "bad_json", 0, WHOLE, 0, ""),
  C("trailing_garbage", 400, "bad_json", 0, WHOLE, 0, GOOD "x"),
  C("id_is_a_number", 400, "not_bidrequest", 0, WHOLE, 0, "{\"id\":1,\"imp\":[{\"id\":\"1\"}]}"),
  C("id_missing", 400, "not_bidrequest", 0, WHOLE, 0, "{\"imp\":[{\"id\":\"1\"}]}"),
  C("id_empty", 400, "not_bidrequest", 0, WHOLE, 0, "{\"id\":\"\",\"imp\":[{\"id\":\"1\"}]}"),
  C("imp_missing", 400, "not_bidrequest", 0, WHOLE, 0, "{\"id\":\"1\"}"),
  C("imp_empty", 400, "not_bidrequest", 0, WHOLE, 0, "{\"id\":\"1\",\"imp\":[]}"),
  C("imp_is_object", 400, "not_bidrequest", 0, WHOLE, 0, "{\"id\":\"1\",\"imp\":{\"id\":\"1\"}}"),
  C("body_is_array", 400, "not_bidrequest", 0, WHOLE, 0, "[" GOOD "]"),
  C("huge_number_id", 400, "not_bidrequest", 0, WHOLE, 0, "{\"id\":1e999,\"imp\":[{}]}"),
  C("huge_numbers_in_fields", 200, "", 0, WHOLE, 0,
    "{\"id\":\"h\",\"imp\":[{\"id\":\"1\",\"banner\":{\"w\":1e999,\"h\":-1e308}}],"
    "\"device\":{\"devicetype\":1e400,\"geo\":{\"utcoffset\":1e300}}}"),
  C("bidders_wrong_type", 400, "not_bidrequest", 0, WHOLE, 0,
    "{\"id\":\"1\",\"imp\":[{\"id\":\"1\"}],\"ext\":{\"bidders\":\"a\"}}"),
  C("nul_byte_in_body", 400, "bad_json", 0, WHOLE, 6, ""),
  C("invalid_utf8", 400, "bad_json", 0, WHOLE, 7, ""),
  C("deep_nesting", 400, "bad_json", 0, WHOLE, 4, ""),
  C("too_many_rows", 413, "too_many_rows", 0, WHOLE, 9, ""),
  C("body_10MB", 413, "body_too_large", 1, WHOLE, 2, ""),
  C("chunked_2MB", 413, "body_too_large", 1, WHOLE, 5, ""),
  C("header_100KB", 431, "headers_too_large", 1, WHOLE, 3, ""),
  C("target_3000_bytes", 414, "uri_too_long", 1, WHOLE, 8, ""),
  C("no_content_length", 411, "length_required", 1, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\r\n" GOOD),
  C("negative_content_length", 400, "bad_request", 1, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n" GOOD),
  C("content_length_not_a_number", 400, "bad_request", 1, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: 12ab\r\n\r\n" GOOD),
  C("content_length_oversized", 413, "body_too_large", 1, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999\r\n\r\n" GOOD),
  C("two_content_lengths", 400, "bad_request", 1, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
    GOOD),
  C("content_length_and_chunked", 400, "bad_request", 1, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
  C("bad_chunk_size", 400, "bad_request", 1, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n"),
  C("chunked_ok", 200, "", 0, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n\r\n6\r\n{\"id\":\r\n17\r\n\"c\",\"imp\":[{\"id\":\"1\"}]}\r\n"
    "0\r\n\r\n"),
  C("wrong_content_type", 415, "unsupported_media_type", 0, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 29\r\n"
    "\r\n" GOOD),
  C("json_with_charset_ok", 200, "", 0, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Type: Application/JSON; charset=utf-8\r\n"
    "Content-Length: 29\r\n\r\n" GOOD),
  C("get_on_filter", 405, "method_not_allowed", 0, WHOLE, 1,
    "GET /v1/filter HTTP/1.1\r\nHost: t\r\n\r\n"),
  C("delete_on_healthz", 405, "method_not_allowed", 0, WHOLE, 1,
    "DELETE /healthz HTTP/1.1\r\nHost: t\r\n\r\n"),
  C("unknown_route", 404, "not_found", 0, WHOLE, 1, "GET /v3/filter HTTP/1.1\r\nHost: t\r\n\r\n"),
  C("unknown_method", 400, "bad_request", 1, WHOLE, 1, "BREW /healthz HTTP/1.1\r\nHost: t\r\n\r\n"),
  C("garbage_request_line", 400, "bad_request", 1, WHOLE, 1, "\x16\x03\x01\x02\x00\x01\r\n\r\n"),
  C("nul_in_header", 400, "bad_request", 1, WHOLE, 1,
    "GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\0b\r\n\r\n"),
  C("http10_closes", 200, "", 1, WHOLE, 1, "GET /healthz HTTP/1.0\r\n\r\n"),
  C("slowloris_headers", 408, "request_timeout", 1, THEN_WAIT, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Type: appl"),
  C("slowloris_body", 408, "request_timeout", 1, THEN_WAIT, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: 30\r\n\r\n{\"id\":"),
  C("expect_100_continue", 100, "", 0, WHOLE, 1,
    "POST /v1/filter HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 29\r\n"
    "\r\n" GOOD),
};

static struct bgt_server server;

static void start(void) {
  const char *args[] = {"--request-timeout", "400", "--max-rows", "100", "--bidders", "a,b",
                        NULL};
  server = bgt_server_start(args);
}

static void stop(void) {
  bgt_server_stop(&server);
}


ParameterizedTestParameters(http_errors, answered) {
  return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}


/* The request bytes of case c; *n their length. */
static char *build(const struct bad_case *c, size_t *n) {
  char *body, *s;
  size_t i, len;

  switch (c->kind) {
  case 0:
    return bgt_post(c->arg, n);
  case 1:
    s = malloc(c->arg_len + 1);
    memcpy(s, c->arg, c->arg_len);
    *n = c->arg_len;
    return s;
  case 2:
    s = bgt_fmt("POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\n\r\n", 10 << 20);
    len = strlen(s);
    s = realloc(s, len + (1 << 20));
    memset(s + len, ' ', 1 << 20); /* the first MB of the 10 MB; the answer comes first */
    *n = len + (1 << 20);
    return s;
  case 3:
    s = malloc(120 << 10);
    len = (size_t)sprintf(s, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ");
    memset(s + len, 'a', 100 << 10);
    len += 100 << 10;
    len += (size_t)sprintf(s + len, "\r\n\r\n");
    *n = len;
    return s;
  case 4:
    body = malloc(20001);
    memset(body, '[', 10000);
    memset(body + 10000, ']', 10000);
    body[20000] = '\0';
    return bgt_post(body, n);
  case 5: {
    /* 2 MB in 64 KB chunks, past the 1 MB limit. */
    size_t chunk = 65536, k;
    s = bgt_fmt("POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n");
    len = strlen(s);
    s = realloc(s, len + 32 * (chunk + 16));
    for (k = 0; k < 32; k++) {
      len += (size_t)sprintf(s + len, "%zx\r\n", chunk);
      memset(s + len, ' ', chunk);
      len += chunk;
      len += (size_t)sprintf(s + len, "\r\n");
    }
    *n = len;
    return s;
  }
  case 6: {
    static const char b[] = "{\"id\":\"g\0x\",\"imp\":[{\"id\":\"1\"}]}";
    s = bgt_fmt("POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n",
                sizeof b - 1);
    len = strlen(s);
    s = realloc(s, len + sizeof b);
    memcpy(s + len, b, sizeof b - 1);
    *n = len + sizeof b - 1;
    return s;
  }
  case 7:
    body = strdup("{\"id\":\"\xff\xfe bad\",\"imp\":[{\"id\":\"1\"}]}");
    return bgt_post(body, n);
  case 8:
    s = malloc(4000);
    len = (size_t)sprintf(s, "GET /healthz?");
    memset(s + len, 'q', 3000);
    len += 3000;
    len += (size_t)sprintf(s + len, " HTTP/1.1\r\nHost: t\r\n\r\n");
    *n = len;
    return s;
  case 9:
    body = strdup("{\"id\":\"m\",\"imp\":[{\"id\":\"0\"}");
    for (i = 1; i < 300; i++) {
      char *next = bgt_fmt("%s,{\"id\":\"%zu\"}", body, i);
      free(body);
      body = next;
    }
    s = bgt_fmt("%s]}", body);
    return bgt_post(s, n);
  }
  cr_assert_fail("unknown kind");
  return NULL;
}


static void expect_good_request_served(void) {
  size_t n;
  char *req = bgt_post(GOOD, &n);
  struct bgt_response r = bgt_http(server.port, req, n);

  cr_assert_eq(r.status, 200, "a good request after the bad one got %d: %s", r.status, r.body);
  cr_assert(strstr(r.body, "\"id\":\"g\"") != NULL);
  bgt_response_free(&r);
  free(req);
}


ParameterizedTest(struct bad_case *c, http_errors, answered, .init = start, .fini = stop,
                  .timeout = 30) {
  int fd = bgt_connect(server.port);
  size_t n;
  char *req = build(c, &n);
  struct bgt_response r;

  /* A server that refuses early may close while a big body is still being sent. */
  bgt_send(fd, req, n);
  r = bgt_read_response(fd);
  if (c->status == 100) {
    cr_assert_eq(r.status, 100, "%s: expected 100 Continue first, got %d", c->name, r.status);
    bgt_response_free(&r);
    r = bgt_read_response(fd);
    cr_assert_eq(r.status, 200, "%s: then %d", c->name, r.status);
  } else {
    cr_assert_eq(r.status, c->status, "%s: status %d, expected %d; body: %.300s", c->name,
                 r.status, c->status, r.body);
  }
  if (c->code[0] != '\0') {
    cJSON *j = cJSON_Parse(r.body), *e = cJSON_GetObjectItem(j, "error");
    cr_assert(j != NULL, "%s: the error body is not JSON: %s", c->name, r.body);
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(e, "code")), "%s: %s", c->name, r.body);
    cr_assert_str_eq(cJSON_GetObjectItem(e, "code")->valuestring, c->code, "%s", c->name);
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(e, "message")) &&
                  cJSON_GetObjectItem(e, "message")->valuestring[0] != '\0',
              "%s: no message: %s", c->name, r.body);
    cJSON_Delete(j);
  }
  if (c->closes) {
    cr_assert(r.closes, "%s: the answer should say Connection: close", c->name);
    cr_assert(bgt_closed(fd, 5000), "%s: the server kept the connection open", c->name);
  } else {
    /* The same connection still works. */
    static const char health[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    struct bgt_response again;
    cr_assert_not(r.closes, "%s: unexpected Connection: close", c->name);
    cr_assert_eq(bgt_send(fd, health, sizeof health - 1), 0);
    again = bgt_read_response(fd);
    cr_assert_eq(again.status, 200, "%s: the connection is unusable afterwards", c->name);
    bgt_response_free(&again);
  }
  bgt_response_free(&r);
  bgt_close(fd);
  expect_good_request_served();
  free(req);
}


Test(http_errors, idle_connection_closes_without_answer, .init = start, .fini = stop,
     .timeout = 30) {
  const char *args[] = {"--idle-timeout", "300", NULL};
  struct bgt_server s = bgt_server_start(args);
  int fd = bgt_connect(s.port);
  struct bgt_response r;

  r = bgt_read_response(fd); /* waits until the server closes the idle connection */
  cr_assert_eq(r.status, 0, "an idle connection is closed silently");
  bgt_close(fd);
  bgt_server_stop(&s);
}


Test(http_errors, table_is_big_enough) {
  cr_assert_geq(sizeof cases / sizeof cases[0], 25);
}
