/* test_bidload_load.c - bidload end to end against a delaying test server on loopback: measured
 * percentiles against the delays the server really held each request, a 200 ms stall at a fixed
 * rate seen the way coordinated-omission correction predicts, the achieved rate, errors by kind,
 * decisions, several targets, pipelining, and the JSON and SVG reports' shape. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "bidload_server.h"
#include "helpers.h"

static char *dir;

static void setup(void) {
  dir = bgt_mkdtemp();
}

static void teardown(void) {
  bgt_rmrf(dir);
  free(dir);
}

TestSuite(bidload_load, .init = setup, .fini = teardown, .timeout = 60);


/* Runs bidload with args (NULL-terminated, URL included) plus --json; returns the report and
 * the exit status. */
static cJSON *run(int *status, const char *const *args) {
  const char *argv[40];
  char *json = bgt_fmt("%s/report.json", dir), *out, *err, *text;
  size_t n = 0;
  cJSON *doc;

  argv[n++] = bgt_env("BG_TEST_BIDLOAD");
  while (*args)
    argv[n++] = *args++;
  argv[n++] = "--json";
  argv[n++] = json;
  argv[n] = NULL;
  *status = bgt_run((char *const *)argv, NULL, &out, &err);
  cr_log_info("bidload said:\n%s%s", out, err);
  text = bgt_read_file(json, NULL);
  doc = cJSON_Parse(text);
  cr_assert(doc, "report is not JSON: %s", text);
  free(text);
  free(out);
  free(err);
  unlink(json);
  free(json);
  return doc;
}


static const cJSON *get(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

  cr_assert(v, "report has no \"%s\"", k);
  return v;
}


static double num(const cJSON *o, const char *k) {
  const cJSON *v = get(o, k);

  cr_assert(cJSON_IsNumber(v), "\"%s\" is not a number", k);
  return v->valuedouble;
}


/* Exactly the keys of DESIGN.md's "Client report", with their types, plus send_lag_us (the
 * client's own delay in sending, open loop only). */
static void check_shape(const cJSON *r) {
  static const char *const top[] = {"target", "mode", "rate", "duration_s", "requests", "errors",
                                    "latency_us", "histogram", "decisions", "send_lag_us"};
  static const char *const lat[] = {"mean", "p50", "p90", "p99", "p99.9", "p99.99", "max"};
  static const char *const dec[] = {"pass", "drop", "explore", "fail_open"};
  const cJSON *v, *e;
  double prev = -1, total = 0;
  size_t i;

  cr_assert_eq(cJSON_GetArraySize(r), 10, "top-level keys");
  for (i = 0; i < 10; i++)
    get(r, top[i]);
  v = get(r, "send_lag_us");
  if (strcmp(get(r, "mode")->valuestring, "closed") == 0) {
    cr_assert(cJSON_IsNull(v), "no send lag without a schedule");
  } else {
    cr_assert_eq(cJSON_GetArraySize(v), 7);
    for (i = 0; i < 7; i++)
      num(v, lat[i]);
    for (i = 2; i < 7; i++)
      cr_assert(num(v, lat[i]) >= num(v, lat[i - 1]), "send lag %s >= %s", lat[i], lat[i - 1]);
  }
  cr_assert(cJSON_IsArray(get(r, "target")) && cJSON_GetArraySize(get(r, "target")) >= 1);
  cJSON_ArrayForEach(v, get(r, "target")) cr_assert(cJSON_IsString(v));
  cr_assert(strcmp(get(r, "mode")->valuestring, "open") == 0 || strcmp(get(r, "mode")->valuestring, "closed") == 0);
  v = get(r, "rate");
  cr_assert_eq(cJSON_GetArraySize(v), 2);
  cr_assert(cJSON_IsNumber(get(v, "asked")) || cJSON_IsNull(get(v, "asked")));
  cr_assert_eq(cJSON_IsNull(get(v, "asked")), strcmp(get(r, "mode")->valuestring, "closed") == 0);
  num(v, "achieved");
  num(r, "duration_s");
  num(r, "requests");
  v = get(r, "errors");
  cr_assert_eq(cJSON_GetArraySize(v), 3);
  num(v, "connect");
  num(v, "timeout");
  cr_assert(cJSON_IsObject(get(v, "status")));
  cJSON_ArrayForEach(e, get(v, "status")) {
    cr_assert(cJSON_IsNumber(e) && atoi(e->string) >= 100 && atoi(e->string) < 600 &&
              (atoi(e->string) < 200 || atoi(e->string) >= 300));
  }
  v = get(r, "latency_us");
  cr_assert_eq(cJSON_GetArraySize(v), 7);
  for (i = 0; i < 7; i++)
    num(v, lat[i]);
  for (i = 2; i < 7; i++)
    cr_assert(num(v, lat[i]) >= num(v, lat[i - 1]), "%s >= %s", lat[i], lat[i - 1]);
  cJSON_ArrayForEach(e, get(r, "histogram")) {
    cr_assert(cJSON_IsArray(e) && cJSON_GetArraySize(e) == 2);
    cr_assert(cJSON_GetArrayItem(e, 0)->valuedouble > prev, "histogram in increasing order");
    prev = cJSON_GetArrayItem(e, 0)->valuedouble;
    cr_assert(cJSON_GetArrayItem(e, 1)->valuedouble > 0);
    total += cJSON_GetArrayItem(e, 1)->valuedouble;
  }
  cr_assert_eq(total, num(r, "requests"), "histogram counts every answer");
  v = get(r, "decisions");
  cr_assert_eq(cJSON_GetArraySize(v), 4);
  for (i = 0; i < 4; i++)
    num(v, dec[i]);
}


/* Requests with latency above x us, from the report's histogram (buckets whose top is above x
 * count whole: x on a bucket edge makes it exact). */
static double above(const cJSON *r, double x) {
  const cJSON *e;
  double n = 0;

  cJSON_ArrayForEach(e, get(r, "histogram")) {
    if (cJSON_GetArrayItem(e, 0)->valuedouble > x)
      n += cJSON_GetArrayItem(e, 1)->valuedouble;
  }
  return n;
}


static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}


/* 45% 2 ms, 40% 5 ms, 10% 20 ms, 5% 50 ms, by arrival order. */
static uint64_t modes(uint64_t n) {
  unsigned k = (unsigned)(n * 37 % 100);
  return k < 45 ? 2000 : k < 85 ? 5000 : k < 95 ? 20000 : 50000;
}


Test(bidload_load, percentiles_match_the_injected_delays) {
  struct blt_server_cfg cfg = {.delay_us = modes};
  struct blt_server *s = blt_server_start(&cfg);
  const char *args[] = {blt_server_url(s), "--duration", "2", "--connections", "4", NULL};
  static const struct { const char *name; double p; } ps[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}};
  const uint64_t *holds;
  uint64_t *sorted;
  size_t n, i;
  int status;
  cJSON *r = run(&status, args), *lat;

  blt_server_stop(s);
  cr_assert_eq(status, 0);
  check_shape(r);
  holds = blt_server_holds(s, &n);
  cr_assert_eq(n, (size_t)num(r, "requests"), "the server answered what the client counted");
  cr_assert(n > 500, "enough requests: %zu", n);
  cr_expect_eq(blt_server_bad_bodies(s), 0, "every body was a JSON object");
  sorted = malloc(n * sizeof *sorted);
  memcpy(sorted, holds, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, cmp_u64);
  lat = (cJSON *)get(r, "latency_us");
  for (i = 0; i < sizeof ps / sizeof *ps; i++) {
    uint64_t held = sorted[(size_t)ceil(ps[i].p / 100 * (double)n) - 1];
    double got = num(lat, ps[i].name);
    /* Every latency is at least its hold time (the client sent before the server received and
     * read after it answered), so each order statistic is too, to the histogram's precision;
     * above, loopback and scheduling noise on a shared machine: 3 ms + 10%. */
    cr_expect(got >= held - held / 1024.0, "%s: %g < held %llu", ps[i].name, got, (unsigned long long)held);
    cr_expect(got <= held * 1.1 + 3000, "%s: %g >> held %llu", ps[i].name, got, (unsigned long long)held);
  }
  /* The holds themselves are the modes asked for (the server's timer fires at or after them). */
  cr_expect(sorted[n / 2] >= 5000 && sorted[n / 2] < 5000 + 3000);
  cr_expect(num(lat, "max") >= 50000);
  cr_expect(num(get(r, "decisions"), "pass") == n && num(get(r, "decisions"), "drop") == n &&
            num(get(r, "decisions"), "explore") == n && num(get(r, "decisions"), "fail_open") == n,
            "one decision of each kind per answer");
  free(sorted);
  cJSON_Delete(r);
  blt_server_free(s);
}


Test(bidload_load, a_stall_shows_in_the_corrected_percentiles) {
  /* At 1000 req/s the server freezes for 200 ms at request 500. Requests due during the stall
   * wait for it to end: the one due t ms into it waits about 200 - t ms. So about R * (S - X)
   * requests take longer than X: 100 above 100 ms, 150 above 50 ms. A closed-loop client would
   * have sent nothing during the stall and seen only its requests in flight stall. After the
   * stall the backlog drains over 16 connections; on a busy machine that takes some
   * milliseconds, which adds a few requests above each mark (hence the upper margins). */
  struct blt_server_cfg cfg = {.stall_at = 500, .stall_us = 200000};
  struct blt_server *s = blt_server_start(&cfg);
  const char *args[] = {blt_server_url(s), "--rate", "1000", "--duration", "2", "--connections", "16", NULL};
  int status;
  cJSON *r = run(&status, args);
  const cJSON *lag;
  double a100, a50, total;

  blt_server_stop(s);
  cr_assert_eq(status, 0);
  check_shape(r);
  total = num(r, "requests");
  cr_log_info("above 100 ms: %g, above 50 ms: %g", above(r, 100351), above(r, 50175));
  a100 = above(r, 100351);              /* top of the bucket holding 100 ms */
  a50 = above(r, 50175);                /* top of the bucket holding 50 ms */
  cr_expect(total >= 1980 && total <= 2000, "requests %g", total);
  cr_expect(a100 >= 90 && a100 <= 130, "above 100 ms: %g, predicted 100", a100);
  cr_expect(a50 >= 140 && a50 <= 190, "above 50 ms: %g, predicted 150", a50);
  cr_expect(num(get(r, "latency_us"), "max") >= 200000 && num(get(r, "latency_us"), "max") < 260000,
            "max %g: the stall", num(get(r, "latency_us"), "max"));
  /* The client could not send during the stall either: once its 16 connections were all
   * waiting (16 ms in), the requests due in the remaining ~184 ms were sent only when the
   * stall ended, so its own send lag shows the stall too, and is part of the latency. */
  lag = get(r, "send_lag_us");
  cr_expect(num(lag, "max") >= 150000 && num(lag, "max") <= num(get(r, "latency_us"), "max"),
            "send lag max %g", num(lag, "max"));
  cr_expect(num(lag, "p50") < 20000, "most sends were on time: lag p50 %g", num(lag, "p50"));
  /* 10% of the requests are stalled: p90 sits below the stall, p99 well inside it. */
  cr_expect(num(get(r, "latency_us"), "p99") > 150000, "p99 %g", num(get(r, "latency_us"), "p99"));
  cr_expect(num(get(r, "latency_us"), "p50") < 20000);
  cJSON_Delete(r);
  blt_server_free(s);
}


Test(bidload_load, the_achieved_rate_is_the_asked_rate) {
  struct blt_server_cfg cfg = {0};
  struct blt_server *s = blt_server_start(&cfg);
  const char *args[] = {blt_server_url(s), "--rate", "2000", "--duration", "2", "-c", "4", "-t", "2", NULL};
  int status;
  cJSON *r = run(&status, args);
  double achieved;

  blt_server_stop(s);
  cr_assert_eq(status, 0);
  check_shape(r);
  achieved = num(get(r, "rate"), "achieved");
  cr_expect_eq(num(get(r, "rate"), "asked"), 2000);
  cr_expect(fabs(achieved - 2000) <= 20, "achieved %g of 2000", achieved);
  cr_expect(fabs(num(r, "requests") - 4000) <= 40, "requests %g of 4000", num(r, "requests"));
  cr_expect_eq(blt_server_requests(s), (uint64_t)num(r, "requests"));
  cr_expect_str_eq(get(r, "mode")->valuestring, "open");
  cJSON_Delete(r);
  blt_server_free(s);
}


Test(bidload_load, the_send_lag_is_reported_apart_from_the_latency) {
  struct blt_server_cfg cfg = {0};
  struct blt_server *s = blt_server_start(&cfg);
  const char *args[] = {blt_server_url(s), "--rate", "5000", "--duration", "2", "-c", "8", NULL};
  int status;
  cJSON *r = run(&status, args);
  const cJSON *lag, *lat;

  blt_server_stop(s);
  cr_assert_eq(status, 0);
  check_shape(r);
  lag = get(r, "send_lag_us");
  lat = get(r, "latency_us");
  cr_log_info("send lag p50 %g p99 %g max %g; latency p50 %g p99 %g", num(lag, "p50"),
              num(lag, "p99"), num(lag, "max"), num(lat, "p50"), num(lat, "p99"));
  cr_expect(fabs(num(get(r, "rate"), "achieved") - 5000) <= 50, "achieved %g of 5000",
            num(get(r, "rate"), "achieved"));
  /* Latency counts from the scheduled time, so each request's includes its send lag: the
   * latency distribution dominates the lag's, percentile by percentile. */
  cr_expect(num(lag, "p50") <= num(lat, "p50") && num(lag, "p90") <= num(lat, "p90") &&
            num(lag, "p99") <= num(lat, "p99"), "lag within latency");
  cr_expect(num(lag, "mean") <= num(lat, "mean"));
  cJSON_Delete(r);
  blt_server_free(s);
}


Test(bidload_load, connection_refused_is_a_connect_error) {
  int fd = socket(AF_INET, SOCK_STREAM, 0), status;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
  socklen_t len = sizeof a;
  char *url;
  cJSON *r;

  /* A port that was free a moment ago and has no listener. */
  cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  cr_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
  close(fd);
  url = bgt_fmt("http://127.0.0.1:%d/", ntohs(a.sin_port));
  {
    const char *args[] = {url, "--duration", "300ms", "-c", "2", NULL};
    r = run(&status, args);
  }
  cr_expect_eq(status, 1, "nothing answered: exit 1");
  check_shape(r);
  cr_expect_eq(num(r, "requests"), 0);
  cr_expect(num(get(r, "errors"), "connect") >= 2);
  cJSON_Delete(r);
  free(url);
}


Test(bidload_load, status_codes_are_counted_by_code) {
  struct blt_server_cfg cfg = {.status = 503, .body = "{\"error\":{\"code\":\"draining\",\"message\":\"x\"}}"};
  struct blt_server *s = blt_server_start(&cfg);
  const char *args[] = {blt_server_url(s), "--duration", "300ms", "-c", "2", NULL};
  int status;
  cJSON *r = run(&status, args);

  blt_server_stop(s);
  check_shape(r);
  cr_expect(num(r, "requests") > 10);
  cr_expect_eq(num(get(get(r, "errors"), "status"), "503"), num(r, "requests"));
  cr_expect_eq(num(get(r, "decisions"), "pass"), 0, "error answers carry no decisions");
  cJSON_Delete(r);
  blt_server_free(s);
}


Test(bidload_load, silence_is_a_timeout_and_the_run_still_ends) {
  struct blt_server_cfg cfg = {.never_answer = 1};
  struct blt_server *s = blt_server_start(&cfg);
  const char *args[] = {blt_server_url(s), "--duration", "500ms", "-c", "3", "--timeout", "200", NULL};
  uint64_t t0 = (uint64_t)time(NULL);
  int status;
  cJSON *r = run(&status, args);

  blt_server_stop(s);
  check_shape(r);
  cr_expect_eq(status, 1);
  cr_expect_eq(num(r, "requests"), 0);
  /* Each connection's request times out after 200 ms, reconnects and sends again. */
  cr_expect(num(get(r, "errors"), "timeout") >= 3, "timeouts %g", num(get(r, "errors"), "timeout"));
  cr_expect((uint64_t)time(NULL) - t0 < 10, "bounded");
  cJSON_Delete(r);
  blt_server_free(s);
}


Test(bidload_load, connection_close_answers_reconnect_without_errors) {
  struct blt_server_cfg cfg = {.close_each = 1};
  struct blt_server *s = blt_server_start(&cfg);
  const char *args[] = {blt_server_url(s), "--duration", "300ms", "-c", "2", NULL};
  int status;
  cJSON *r = run(&status, args);

  blt_server_stop(s);
  cr_assert_eq(status, 0);
  cr_expect(num(r, "requests") > 10);
  cr_expect_eq(num(get(r, "errors"), "connect"), 0);
  cr_expect(blt_server_connections(s) >= num(r, "requests"), "one connection per answer");
  cJSON_Delete(r);
  blt_server_free(s);
}


Test(bidload_load, several_targets_share_the_load) {
  struct blt_server_cfg cfg = {0};
  struct blt_server *a = blt_server_start(&cfg), *b = blt_server_start(&cfg);
  char *urls = bgt_fmt("%s,%s", blt_server_url(a), blt_server_url(b));
  const char *args[] = {"--url", urls, "--rate", "1000", "--duration", "1", "-c", "4", NULL};
  int status;
  cJSON *r = run(&status, args);
  uint64_t served, answered;

  blt_server_stop(a);
  blt_server_stop(b);
  cr_assert_eq(status, 0);
  cr_expect_eq(cJSON_GetArraySize(get(r, "target")), 2);
  /* ~1000 requests over two targets: each gets a fair part, not all or nothing. */
  cr_expect(blt_server_requests(a) > 200 && blt_server_requests(b) > 200, "%llu / %llu",
            (unsigned long long)blt_server_requests(a), (unsigned long long)blt_server_requests(b));
  /* Every answered request reached a server; at most one per connection (4 per target) may
   * have reached one and still been in flight when the run ended. */
  served = blt_server_requests(a) + blt_server_requests(b);
  answered = (uint64_t)num(r, "requests");
  cr_expect(served >= answered && served <= answered + 8, "served %llu, answered %llu",
            (unsigned long long)served, (unsigned long long)answered);
  cJSON_Delete(r);
  blt_server_free(a);
  blt_server_free(b);
  free(urls);
}


Test(bidload_load, pipelining_only_when_asked) {
  struct blt_server_cfg cfg = {.delay_us = modes};
  struct blt_server *s = blt_server_start(&cfg), *p = blt_server_start(&cfg);
  const char *plain[] = {blt_server_url(s), "--duration", "300ms", "-c", "2", NULL};
  const char *piped[] = {blt_server_url(p), "--duration", "300ms", "-c", "2", "--pipeline", "4", NULL};
  int status;
  cJSON *r1 = run(&status, plain), *r2;

  cr_expect_eq(status, 0);
  r2 = run(&status, piped);
  cr_expect_eq(status, 0);
  blt_server_stop(s);
  blt_server_stop(p);
  cr_expect_eq(blt_server_max_inflight(s), 1, "no pipelining by default");
  cr_expect_eq(blt_server_max_inflight(p), 4, "--pipeline 4");
  cr_expect_eq(num(get(r2, "errors"), "connect") + num(get(r2, "errors"), "timeout"), 0);
  cJSON_Delete(r1);
  cJSON_Delete(r2);
  blt_server_free(s);
  blt_server_free(p);
}


Test(bidload_load, svg_is_well_formed) {
  struct blt_server_cfg cfg = {.delay_us = modes};
  struct blt_server *s = blt_server_start(&cfg);
  char *svg = bgt_fmt("%s/plot.svg", dir);
  const char *args[] = {blt_server_url(s), "--duration", "300ms", "-c", "2", "--svg", svg, NULL};
  int status, lines = 0;
  cJSON *r = run(&status, args);
  xmlDocPtr doc;
  xmlNodePtr root, n;
  xmlChar *points = NULL;

  blt_server_stop(s);
  cr_assert_eq(status, 0);
  doc = xmlReadFile(svg, NULL, XML_PARSE_NONET);
  cr_assert(doc, "the SVG does not parse as XML");
  root = xmlDocGetRootElement(doc);
  cr_assert_str_eq((const char *)root->name, "svg");
  cr_assert(root->ns && strcmp((const char *)root->ns->href, "http://www.w3.org/2000/svg") == 0);
  for (n = root->children; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "polyline") == 0)
      points = xmlGetProp(n, BAD_CAST "points");
    lines += n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "line") == 0;
  }
  cr_assert(points && strlen((const char *)points) > 20, "a latency curve");
  cr_expect(lines >= 10, "axes and grid");
  xmlFree(points);
  xmlFreeDoc(doc);
  cJSON_Delete(r);
  blt_server_free(s);
  free(svg);
}
