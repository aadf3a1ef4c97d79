/* test_server.c - the real static bidgate binary, end to end over loopback sockets.
 *
 * The server starts on a port the kernel picks (--port 0; its "listening on" line names it).
 * The central check chains three independent computations: the score the server answers for a
 * BidRequest equals, bit for bit, `bidgate predict` on the rows `bidgate extract` gives for the
 * same request at the same clock (the server's Date header is the clock its features read),
 * and those equal XGBoost's own predictions (C API, models/aws-rtb/model.json) for the rows.
 * Then keep-alive, pipelining (also split at odd byte boundaries), decisions (threshold,
 * exploration, fail-open/closed), bidder sources, configuration by environment, static link.
 */
#define _GNU_SOURCE /* strptime, timegm */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <xgboost/c_api.h>

#include "helpers.h"
#include "net.h"

TestSuite(server, .timeout = 120);

#define XGB_OK(call) cr_assert((call) == 0, "%s failed: %s", #call, XGBGetLastError())

static const char *const domains[] = {"news.example.com", "NEWS.Example.com", "shop.example.com",
                                      "unknown-site.example", "games.example.io", ""};
static const char *const bundles[] = {"com.example.chess", "com.example.maps", "org.unknown.app"};
static const char *const regions[] = {"NY", "ca", "tx", "ZZ", "wa"};
static const char *const cities[] = {"New York", "seattle", "Springfield", "los angeles"};
static const char *const uas[] = {
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Roku/DVP-9.10 (289.10E04111A)", "DoCoMo/2.0 P07A3(c500;TB;W24H15)", "curl/8.5"};
static const char *const bidder_names[] = {"dsp-alpha", "dsp-beta", "dsp-gamma", "dsp-delta",
                                           "dsp-unknown"};


/* One varied BidRequest (several fields absent or of a wrong type on purpose). */
static char *make_request(unsigned seed, int k) {
  cJSON *r = cJSON_CreateObject(), *imps, *dev, *geo, *ext, *list;
  int n_imp = 1 + rand_r(&seed) % 3, i, n_b;
  char id[32];
  char *s;

  snprintf(id, sizeof id, "req-%d", k);
  cJSON_AddStringToObject(r, "id", id);
  imps = cJSON_AddArrayToObject(r, "imp");
  for (i = 0; i < n_imp; i++) {
    cJSON *imp = cJSON_CreateObject(), *b = cJSON_AddObjectToObject(imp, "banner");
    char iid[8];
    snprintf(iid, sizeof iid, "%d", i + 1);
    cJSON_AddStringToObject(imp, "id", iid);
    cJSON_AddNumberToObject(b, "w", 300);
    cJSON_AddNumberToObject(b, "h", 250);
    cJSON_AddItemToArray(imps, imp);
  }
  switch (rand_r(&seed) % 4) {
  case 0:
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "app"), "bundle",
                            bundles[rand_r(&seed) % 3]);
    break;
  case 1:
    break; /* neither site nor app */
  default:
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "site"), "domain",
                            domains[rand_r(&seed) % 6]);
  }
  dev = cJSON_AddObjectToObject(r, "device");
  if (rand_r(&seed) % 4 != 0)
    cJSON_AddStringToObject(dev, "ua", uas[rand_r(&seed) % 7]);
  if (rand_r(&seed) % 3 == 0)
    cJSON_AddNumberToObject(dev, "devicetype", rand_r(&seed) % 9);
  geo = cJSON_AddObjectToObject(dev, "geo");
  if (rand_r(&seed) % 5 != 0)
    cJSON_AddStringToObject(geo, "region", regions[rand_r(&seed) % 5]);
  else
    cJSON_AddNumberToObject(geo, "region", 12); /* wrong type: missing */
  if (rand_r(&seed) % 5 != 0)
    cJSON_AddStringToObject(geo, "city", cities[rand_r(&seed) % 4]);
  if (rand_r(&seed) % 4 != 0)
    cJSON_AddNumberToObject(geo, "utcoffset", (int)(rand_r(&seed) % 1561) - 720);
  ext = cJSON_AddObjectToObject(r, "ext");
  list = cJSON_AddArrayToObject(ext, "bidders");
  n_b = 1 + rand_r(&seed) % 4;
  for (i = 0; i < n_b; i++)
    cJSON_AddItemToArray(list, cJSON_CreateString(bidder_names[(k + i) % 5]));
  s = cJSON_PrintUnformatted(r);
  cJSON_Delete(r);
  return s;
}


static int64_t date_of(const struct bgt_response *r) {
  char *d = bgt_header(r, "Date");
  struct tm tm;

  cr_assert(d != NULL, "no Date header");
  memset(&tm, 0, sizeof tm);
  cr_assert(strptime(d, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL, "bad Date: %s", d);
  free(d);
  return (int64_t)timegm(&tm);
}


static uint32_t bits(float f) {
  uint32_t u;

  memcpy(&u, &f, sizeof u);
  return u;
}


/* Parse CSV rows of nf cells (empty = NaN) into a new array; *n_rows set. */
static float *parse_csv(const char *csv, size_t nf, size_t *n_rows) {
  size_t cap = 64, n = 0, k;
  float *x = malloc(cap * nf * sizeof *x);
  const char *p = csv;

  while (*p) {
    if (n == cap)
      x = realloc(x, (cap *= 2) * nf * sizeof *x);
    for (k = 0; k < nf; k++) {
      char *end;
      if (*p == ',' || *p == '\n') {
        x[n * nf + k] = NAN;
        end = (char *)p;
      } else {
        x[n * nf + k] = strtof(p, &end);
      }
      cr_assert(k + 1 < nf ? *end == ',' : *end == '\n', "bad CSV at row %zu cell %zu", n, k);
      p = end + 1;
    }
    n++;
  }
  *n_rows = n;
  return x;
}


Test(server, scores_equal_extract_predict_and_xgboost) {
  const char *bin = bgt_env("BG_TEST_BIDGATE");
  const char *args[] = {NULL};
  struct bgt_server s = bgt_server_start(args);
  char *dir = bgt_mkdtemp(), *req_path = bgt_fmt("%s/req.jsonl", dir);
  char *csv_path = bgt_fmt("%s/rows.csv", dir);
  BoosterHandle h;
  size_t total_rows = 0;
  int k;

  XGB_OK(XGBoosterCreate(NULL, 0, &h));
  XGB_OK(XGBoosterLoadModel(h, bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"))));
  for (k = 0; k < 60; k++) {
    char *body = make_request(1000u + (unsigned)k, k), *req, *line, *csv, *pred, *err;
    size_t n, n_rows, r = 0, i, j;
    struct bgt_response resp;
    cJSON *j_resp, *imp, *bid;
    const char *p;
    float *x;
    const float *want;
    bst_ulong want_len;
    DMatrixHandle dm;

    req = bgt_post(body, &n);
    resp = bgt_http(s.port, req, n);
    cr_assert_eq(resp.status, 200, "request %d: status %d: %s\nbody: %s", k, resp.status,
                 resp.body, body);

    /* The same request through extract (same clock) and predict. */
    line = bgt_fmt("%s\n", body);
    bgt_write_file(req_path, line, strlen(line));
    {
      char *now = bgt_fmt("%lld", (long long)date_of(&resp));
      char *argv[] = {(char *)bin, "extract", "--now", now, NULL};
      cr_assert_eq(bgt_run(argv, req_path, &csv, &err), 0, "extract: %s", err);
      free(err);
    }
    bgt_write_file(csv_path, csv, strlen(csv));
    {
      char *argv[] = {(char *)bin, "predict", NULL};
      cr_assert_eq(bgt_run(argv, csv_path, &pred, &err), 0, "predict: %s", err);
      free(err);
    }

    /* XGBoost on the extracted rows. */
    x = parse_csv(csv, 7, &n_rows);
    XGB_OK(XGDMatrixCreateFromMat(x, n_rows, 7, NAN, &dm));
    XGB_OK(XGBoosterPredict(h, dm, 0, 0, 0, &want_len, &want));
    cr_assert_eq(want_len, n_rows);

    j_resp = cJSON_Parse(resp.body);
    cr_assert(j_resp != NULL, "not JSON: %s", resp.body);
    cr_assert_str_eq(cJSON_GetObjectItem(j_resp, "id")->valuestring, bgt_fmt("req-%d", k));
    cr_assert_str_eq(cJSON_GetObjectItem(j_resp, "model")->valuestring, "aws_rtb@4877906f");
    p = pred;
    i = 0;
    cJSON_ArrayForEach(imp, cJSON_GetObjectItem(j_resp, "imp")) {
      cr_assert_str_eq(cJSON_GetObjectItem(imp, "id")->valuestring, bgt_fmt("%zu", ++i));
      j = 0;
      cJSON_ArrayForEach(bid, cJSON_GetObjectItem(imp, "bidders")) {
        float got = (float)cJSON_GetObjectItem(bid, "score")->valuedouble, line_score;
        char *end;
        cr_assert(r < n_rows, "request %d: the server answered more rows than extract gave", k);
        line_score = strtof(p, &end);
        cr_assert(*end == '\n');
        p = end + 1;
        cr_assert_eq(bits(got), bits(line_score), "request %d row %zu: server %a, predict %a",
                     k, r, (double)got, (double)line_score);
        cr_assert_eq(bits(line_score), bits(want[r]), "request %d row %zu: predict %a, "
                     "XGBoost %a", k, r, (double)line_score, (double)want[r]);
        cr_assert_str_eq(cJSON_GetObjectItem(bid, "bidder")->valuestring,
                         bidder_names[(k + j++) % 5]);
        cr_assert_eq(cJSON_IsTrue(cJSON_GetObjectItem(bid, "pass")), got >= 0.5f);
        cr_assert_str_eq(cJSON_GetObjectItem(bid, "reason")->valuestring, "score");
        r++;
      }
    }
    cr_assert_eq(r, n_rows, "request %d: %zu answers, %zu extracted rows", k, r, n_rows);
    total_rows += r;
    XGDMatrixFree(dm);
    cJSON_Delete(j_resp);
    bgt_response_free(&resp);
    free(x);
    free(csv);
    free(pred);
    free(line);
    free(req);
    free(body);
  }
  cr_assert_geq(total_rows, 150);
  XGBoosterFree(h);
  bgt_server_stop(&s);
  bgt_rmrf(dir);
}


Test(server, healthz) {
  struct bgt_server s = bgt_server_start(NULL);
  static const char req[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
  struct bgt_response r = bgt_http(s.port, req, sizeof req - 1);

  cr_assert_eq(r.status, 200);
  cr_assert_str_eq(r.body, "{\"status\":\"ok\"}\n");
  cr_assert_not(r.closes);
  bgt_response_free(&r);
  bgt_server_stop(&s);
}


static char *request_file(void) {
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/request.json", bgt_env("BG_TEST_MODELS")), NULL);
  cJSON *j = cJSON_Parse(text);
  char *s;

  cr_assert(j != NULL, "models/aws-rtb/request.json is not JSON");
  s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  free(text);
  return s;
}


/* A request with id ID and the sample's other fields. */
static char *request_with_id(const char *id) {
  cJSON *j = cJSON_Parse(request_file());
  char *s;

  cJSON_ReplaceItemInObject(j, "id", cJSON_CreateString(id));
  s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return s;
}


static char *id_of(const struct bgt_response *r) {
  cJSON *j = cJSON_Parse(r->body);
  char *id;

  cr_assert(j != NULL, "not JSON: %s", r->body);
  id = strdup(cJSON_GetObjectItem(j, "id")->valuestring);
  cJSON_Delete(j);
  return id;
}


Test(server, keep_alive) {
  struct bgt_server s = bgt_server_start(NULL);
  int fd = bgt_connect(s.port), k;

  for (k = 0; k < 40; k++) {
    struct bgt_response r;
    size_t n;
    char *id = bgt_fmt("ka-%d", k), *req;
    if (k % 4 == 3) {
      req = strdup("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
      n = strlen(req);
    } else {
      req = bgt_post(request_with_id(id), &n);
    }
    cr_assert_eq(bgt_send(fd, req, n), 0, "the server closed the connection at request %d", k);
    r = bgt_read_response(fd);
    cr_assert_eq(r.status, 200, "request %d: %d %s", k, r.status, r.body);
    cr_assert_not(r.closes);
    if (k % 4 != 3)
      cr_assert_str_eq(id_of(&r), id);
    bgt_response_free(&r);
  }
  bgt_close(fd);
  bgt_server_stop(&s);
}


/* Requests of a pipeline: filter with ids p-0.., a healthz and a 404 among them. */
static char *pipeline(int count, size_t *len) {
  char *all = strdup("");
  int k;

  for (k = 0; k < count; k++) {
    size_t n;
    char *req, *next;
    if (k % 7 == 3)
      req = strdup("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    else if (k % 7 == 5)
      req = strdup("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n");
    else
      req = bgt_post(request_with_id(bgt_fmt("p-%d", k)), &n);
    next = bgt_fmt("%s%s", all, req);
    free(all);
    free(req);
    all = next;
  }
  *len = strlen(all);
  return all;
}


static void read_pipeline(int fd, int count) {
  int k;

  for (k = 0; k < count; k++) {
    struct bgt_response r = bgt_read_response(fd);
    if (k % 7 == 3) {
      cr_assert_eq(r.status, 200, "answer %d", k);
      cr_assert_str_eq(r.body, "{\"status\":\"ok\"}\n");
    } else if (k % 7 == 5) {
      cr_assert_eq(r.status, 404, "answer %d", k);
    } else {
      cr_assert_eq(r.status, 200, "answer %d: %d %s", k, r.status, r.body);
      cr_assert_str_eq(id_of(&r), bgt_fmt("p-%d", k), "answers out of order at %d", k);
    }
    bgt_response_free(&r);
  }
}


Test(server, pipelined_in_one_write) {
  struct bgt_server s = bgt_server_start(NULL);
  int fd = bgt_connect(s.port);
  size_t len;
  char *all = pipeline(30, &len);

  cr_assert_eq(bgt_send(fd, all, len), 0);
  read_pipeline(fd, 30);
  bgt_close(fd);
  bgt_server_stop(&s);
}


Test(server, pipelined_split_at_odd_boundaries) {
  struct bgt_server s = bgt_server_start(NULL);
  int fd = bgt_connect(s.port);
  unsigned seed = 7;
  size_t len, off = 0;
  char *all = pipeline(8, &len);

  while (off < len) {
    size_t n = 1 + (size_t)(rand_r(&seed) % 97);
    if (n > len - off)
      n = len - off;
    cr_assert_eq(bgt_send(fd, all + off, n), 0);
    off += n;
    usleep(200);
  }
  read_pipeline(fd, 8);
  bgt_close(fd);
  bgt_server_stop(&s);
}


Test(server, pipeline_ends_at_connection_close) {
  struct bgt_server s = bgt_server_start(NULL);
  int fd = bgt_connect(s.port);
  static const char reqs[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                             "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                             "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
  struct bgt_response a, b, c;

  cr_assert_eq(bgt_send(fd, reqs, sizeof reqs - 1), 0);
  a = bgt_read_response(fd);
  b = bgt_read_response(fd);
  cr_assert_eq(a.status, 200);
  cr_assert_eq(b.status, 200);
  cr_assert(b.closes, "the answer to Connection: close says so");
  c = bgt_read_response(fd);
  cr_assert_eq(c.status, 0, "nothing after Connection: close is answered");
  bgt_close(fd);
  bgt_server_stop(&s);
}


/* Decisions of one request under the given server arguments: "pass reason" per row. */
static cJSON *filter_answer(int port, const char *body) {
  size_t n;
  char *req = bgt_post(body, &n);
  struct bgt_response r = bgt_http(port, req, n);
  cJSON *j;

  cr_assert_eq(r.status, 200, "%d %s", r.status, r.body);
  j = cJSON_Parse(r.body);
  cr_assert(j != NULL);
  bgt_response_free(&r);
  return j;
}


/* Count rows by reason and pass over the sample request repeated count times. */
static void tally(int port, int count, int *passed, int *explored, int *rows) {
  int k;

  *passed = *explored = *rows = 0;
  for (k = 0; k < count; k++) {
    cJSON *j = filter_answer(port, request_file()), *imp, *b;
    cJSON_ArrayForEach(imp, cJSON_GetObjectItem(j, "imp")) {
      cJSON_ArrayForEach(b, cJSON_GetObjectItem(imp, "bidders")) {
        (*rows)++;
        *passed += cJSON_IsTrue(cJSON_GetObjectItem(b, "pass"));
        *explored += strcmp(cJSON_GetObjectItem(b, "reason")->valuestring, "explore") == 0;
      }
    }
    cJSON_Delete(j);
  }
}


Test(server, threshold_decides) {
  const char *low[] = {"--threshold", "0", NULL}, *high[] = {"--threshold", "1.5", NULL};
  struct bgt_server s = bgt_server_start(low);
  int passed, explored, rows;

  tally(s.port, 3, &passed, &explored, &rows);
  cr_assert_eq(rows, 18);
  cr_assert_eq(passed, rows, "threshold 0 passes every row");
  cr_assert_eq(explored, 0);
  bgt_server_stop(&s);
  s = bgt_server_start(high);
  tally(s.port, 3, &passed, &explored, &rows);
  cr_assert_eq(passed, 0, "no score reaches 1.5");
  bgt_server_stop(&s);
}


Test(server, exploration_share) {
  const char *all[] = {"--threshold", "1.5", "--explore", "1", NULL};
  const char *some[] = {"--threshold", "1.5", "--explore", "0.25", "--seed", "42", NULL};
  struct bgt_server s = bgt_server_start(all);
  int passed, explored, rows;

  tally(s.port, 2, &passed, &explored, &rows);
  cr_assert_eq(explored, rows, "share 1 explores every row");
  cr_assert_eq(passed, rows);
  bgt_server_stop(&s);
  s = bgt_server_start(some);
  tally(s.port, 50, &passed, &explored, &rows);
  /* 300 draws with a fixed seed: deterministic, and near a quarter. */
  cr_assert(explored > 30 && explored < 120, "%d of %d rows explored at share 0.25", explored,
            rows);
  cr_assert_eq(passed, explored, "with threshold 1.5 only explored rows pass");
  bgt_server_stop(&s);
}


Test(server, fail_open_and_fail_closed) {
  const char *closed[] = {"--bidders", "a,b", "--fail-closed", NULL};
  const char *open_[] = {"--bidders", "a,b", NULL};
  const char *body = "{\"id\":\"f\",\"imp\":[{\"id\":\"1\"},7]}";
  struct bgt_server s = bgt_server_start(open_);
  cJSON *j = filter_answer(s.port, body), *bad;

  bad = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "imp"),
                                                                   1), "bidders"), 1);
  cr_assert(cJSON_IsNull(cJSON_GetObjectItem(bad, "score")));
  cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(bad, "pass")));
  cr_assert_str_eq(cJSON_GetObjectItem(bad, "reason")->valuestring, "fail_open");
  cr_assert_str_eq(cJSON_GetObjectItem(bad, "bidder")->valuestring, "b");
  cJSON_Delete(j);
  bgt_server_stop(&s);
  s = bgt_server_start(closed);
  j = filter_answer(s.port, body);
  bad = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "imp"),
                                                                  1), "bidders"), 0);
  cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(bad, "pass")));
  cr_assert_str_eq(cJSON_GetObjectItem(bad, "reason")->valuestring, "fail_closed");
  cJSON_Delete(j);
  bgt_server_stop(&s);
}


Test(server, bidders_from_flag_env_or_request) {
  const char *flag[] = {"--bidders", " x , y ,", NULL};
  const char *body = "{\"id\":\"b\",\"imp\":[{\"id\":\"1\"}]}";
  const char *with_ext = "{\"id\":\"b\",\"imp\":[{\"id\":\"1\"}],\"ext\":{\"bidders\":[\"q\"]}}";
  struct bgt_server s = bgt_server_start(NULL);
  struct bgt_response r;
  cJSON *j, *list;
  size_t n;
  char *req = bgt_post(body, &n);

  r = bgt_http(s.port, req, n);
  cr_assert_eq(r.status, 400);
  cr_assert(strstr(r.body, "\"no_bidders\"") != NULL, "%s", r.body);
  bgt_server_stop(&s);

  s = bgt_server_start(flag);
  j = filter_answer(s.port, body);
  list = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "imp"), 0), "bidders");
  cr_assert_eq(cJSON_GetArraySize(list), 2);
  cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "bidder")->valuestring, "x");
  cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "bidder")->valuestring, "y");
  cJSON_Delete(j);
  j = filter_answer(s.port, with_ext); /* the request's list wins */
  list = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "imp"), 0), "bidders");
  cr_assert_eq(cJSON_GetArraySize(list), 1);
  cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "bidder")->valuestring, "q");
  cJSON_Delete(j);
  bgt_server_stop(&s);

  setenv("BIDGATE_BIDDERS", "envbidder", 1);
  setenv("BIDGATE_THRESHOLD", "0", 1);
  setenv("BIDGATE_PORT", "1", 1); /* --port 0 from the test helper must win */
  s = bgt_server_start(NULL);
  j = filter_answer(s.port, body);
  list = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "imp"), 0), "bidders");
  cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "bidder")->valuestring,
                   "envbidder");
  cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "pass")),
            "BIDGATE_THRESHOLD=0 passes everything");
  cJSON_Delete(j);
  bgt_server_stop(&s);
}


Test(server, bad_configuration_is_refused) {
  const char *bin = bgt_env("BG_TEST_BIDGATE");
  char *a1[] = {(char *)bin, "--port", "70000", NULL};
  char *a2[] = {(char *)bin, "--host", "localhost", "--port", "0", NULL};
  char *a3[] = {(char *)bin, "--explore", "1.5", NULL};
  char *a4[] = {(char *)bin, "--no-such-flag", NULL};
  char *err;

  cr_assert_eq(bgt_run(a1, NULL, NULL, &err), 2);
  cr_assert(strstr(err, "70000") != NULL, "%s", err);
  cr_assert_eq(bgt_run(a2, NULL, NULL, &err), 1, "names are not resolved (static binary)");
  cr_assert(strstr(err, "numeric") != NULL, "%s", err);
  cr_assert_eq(bgt_run(a3, NULL, NULL, &err), 2);
  cr_assert_eq(bgt_run(a4, NULL, NULL, &err), 2);
  cr_assert(strstr(err, "--no-such-flag") != NULL, "%s", err);
}


Test(server, binary_is_static_and_documents_its_options) {
  const char *bin = bgt_env("BG_TEST_BIDGATE");
  char *file_argv[] = {"file", (char *)bin, NULL};
  char *help_argv[] = {(char *)bin, "--help", NULL};
  char *out;

  cr_assert_eq(bgt_run(file_argv, NULL, &out, NULL), 0);
  /* Sanitizer builds (make test SANITIZE=1) cannot link statically. */
  if (getenv("BG_TEST_SANITIZE") == NULL || *getenv("BG_TEST_SANITIZE") == '\0')
    cr_assert(strstr(out, "statically linked") != NULL, "file says: %s", out);
  cr_assert_eq(bgt_run(help_argv, NULL, &out, NULL), 0);
  cr_assert(strstr(out, "--port") && strstr(out, "BIDGATE_PORT") && strstr(out, "--threshold") &&
                strstr(out, "--bidders") && strstr(out, "extract"),
            "%s", out);
}


Test(server, extract_checks_the_spec_file) {
  const char *bin = bgt_env("BG_TEST_BIDGATE");
  char *dir = bgt_mkdtemp(), *req = bgt_fmt("%s/r.jsonl", dir), *other = bgt_fmt("%s/o.json", dir);
  char *spec = bgt_fmt("%s/aws-rtb/features.json", bgt_env("BG_TEST_MODELS"));
  char *ok_argv[] = {(char *)bin, "extract", "--features", spec, "--now", "0", NULL};
  char *bad_argv[] = {(char *)bin, "extract", "--features", other, "--now", "0", NULL};
  char *body = bgt_fmt("%s\n\n%s\n", request_file(), "{\"id\":\"z\",\"imp\":[]}");
  char *out, *err;

  bgt_write_file(req, body, strlen(body));
  bgt_write_file(other, "{}", 2);
  cr_assert_eq(bgt_run(bad_argv, req, &out, &err), 1);
  cr_assert(strstr(err, "not the spec compiled into this binary") != NULL, "%s", err);
  /* The first request's 6 rows, then line 3 is refused with its line number. */
  cr_assert_eq(bgt_run(ok_argv, req, &out, &err), 1);
  cr_assert(strstr(err, "stdin:3: not_bidrequest") != NULL, "%s", err);
  bgt_rmrf(dir);
}
