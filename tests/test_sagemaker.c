/* test_sagemaker.c - the Amazon SageMaker container contract (AWS: "Custom Inference Code with
 * Hosting Services"; request formats from "Common data formats for inference"), end to end on
 * the real binary started as SageMaker starts it (`serve`).
 *
 * GET /ping answers 200 with an empty body; POST /invocations takes text/csv rows ("1.5,16.0,
 * 14,23.0": one row per line, features in model order) or application/json (the documented
 * {"instances": [{"features": [...]}]}, {"instances": [{"data": {"features": {"values":
 * [...]}}}]}, {"features": [...]} shapes, and plain arrays of rows) and answers one score per
 * row in the type Accept asks for. Every score equals XGBoost's own prediction (C API) for the
 * same raw features, bit for bit.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"
#include "xgb.h"

#define NF 7

static struct bgt_server srv;


static void start(void) {
  /* As SageMaker runs the container: the argument "serve" (here on a loopback port). */
  static const char *const args[] = {"serve", "--host", "127.0.0.1", "--port", "0", NULL};
  srv = bgt_server_spawn(args, 0);
}


static void stop(void) {
  bgt_server_stop(&srv);
}


TestSuite(sagemaker, .init = start, .fini = stop, .timeout = 60);


static struct bgt_response post(const char *ctype, const char *accept, const char *body) {
  char *req = bgt_fmt("POST /invocations HTTP/1.1\r\nHost: t\r\n%s%s%s%s%s%s"
                      "Content-Length: %zu\r\n\r\n%s",
                      ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "",
                      accept ? "Accept: " : "", accept ? accept : "", accept ? "\r\n" : "",
                      strlen(body), body);
  struct bgt_response r = bgt_http(srv.port, req, strlen(req));

  free(req);
  return r;
}


/* The sample rows, rows with missing cells, and varied values printed as %.9g. */
static char *test_csv(void) {
  char *csv = bgt_read_file(bgt_fmt("%s/aws-rtb/sample.csv", bgt_env("BG_TEST_MODELS")), NULL);
  size_t cap = strlen(csv) + 8192, len = strlen(csv);
  unsigned seed = 7;
  int i, k;

  csv = realloc(csv, cap);
  len += (size_t)snprintf(csv + len, cap - len, ",,,,,,\n3,,0.5,,2,,1\r\n");
  for (i = 0; i < 40; i++)
    for (k = 0; k < NF; k++) {
      const char *sep = k + 1 < NF ? "," : "\n";
      if (rand_r(&seed) % 7 == 0)
        len += (size_t)snprintf(csv + len, cap - len, "%s", sep); /* missing */
      else
        len += (size_t)snprintf(csv + len, cap - len, "%.9g%s",
                                (double)((float)(rand_r(&seed) % 4000) / 100.0f - 5.0f), sep);
    }
  return csv;
}


/* Compare the answer's values (in order) with XGBoost's for rows. */
static void expect_xgboost(const float *x, size_t n, const float *got) {
  size_t per_row, i;
  float *want = bgt_xgb_predict(bgt_aws_rtb_model(), x, n, NF, &per_row);

  cr_assert_eq(per_row, 1);
  for (i = 0; i < n; i++)
    cr_assert_eq(bgt_bits(got[i]), bgt_bits(want[i]), "row %zu: bidgate %a (%.9g), XGBoost %a", i,
                 (double)got[i], (double)got[i], (double)want[i]);
  free(want);
}


Test(sagemaker, ping_is_200_with_an_empty_body) {
  static const char req[] = "GET /ping HTTP/1.1\r\nHost: t\r\n\r\n";
  struct bgt_response r = bgt_http(srv.port, req, sizeof req - 1);

  cr_assert_eq(r.status, 200);
  cr_assert_eq(r.body_len, 0);
}


Test(sagemaker, csv_rows_score_as_xgboost) {
  char *csv = test_csv();
  size_t n, got_n = 0;
  float *x = bgt_csv_rows(csv, NF, &n), *got = malloc(n * sizeof *got);
  struct bgt_response r = post("text/csv", NULL, csv);
  char *ctype = bgt_header(&r, "Content-Type"), *line, *save = NULL;

  cr_assert_eq(r.status, 200, "%s", r.body);
  cr_assert_str_eq(ctype, "text/csv");
  for (line = strtok_r(r.body, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    cr_assert_lt(got_n, n, "more lines than rows");
    got[got_n++] = strtof(line, NULL);
  }
  cr_assert_eq(got_n, n, "%zu lines for %zu rows", got_n, n);
  expect_xgboost(x, n, got);
}


Test(sagemaker, csv_answered_as_json_when_accept_asks) {
  char *csv = bgt_read_file(bgt_fmt("%s/aws-rtb/sample.csv", bgt_env("BG_TEST_MODELS")), NULL);
  size_t n, i;
  float *x = bgt_csv_rows(csv, NF, &n), *got = malloc(n * sizeof *got);
  struct bgt_response r = post("text/csv", "application/json", csv);
  cJSON *j = cJSON_Parse(r.body), *preds = cJSON_GetObjectItem(j, "predictions");

  cr_assert_eq(r.status, 200, "%s", r.body);
  cr_assert_eq(cJSON_GetArraySize(preds), (int)n, "%s", r.body);
  for (i = 0; i < n; i++)
    got[i] = (float)cJSON_GetObjectItem(cJSON_GetArrayItem(preds, (int)i), "score")->valuedouble;
  expect_xgboost(x, n, got);
  cJSON_Delete(j);
}


/* One row as a JSON array text ("null" for NaN). */
static char *row_json(const float *row) {
  char *s = strdup("["), *t;
  int k;

  for (k = 0; k < NF; k++) {
    t = isnan(row[k]) ? bgt_fmt("%snull%s", s, k + 1 < NF ? "," : "]")
                      : bgt_fmt("%s%.9g%s", s, (double)row[k], k + 1 < NF ? "," : "]");
    free(s);
    s = t;
  }
  return s;
}


Test(sagemaker, json_documented_formats_score_as_xgboost) {
  char *csv = test_csv();
  size_t n, i;
  float *x = bgt_csv_rows(csv, NF, &n), *got = malloc(n * sizeof *got);
  int form;

  for (form = 0; form < 3; form++) {
    char *body = strdup("{\"instances\":["), *t;
    struct bgt_response r;
    cJSON *j, *preds;
    for (i = 0; i < n; i++) {
      char *row = row_json(x + i * NF);
      t = form == 0 ? bgt_fmt("%s%s{\"features\":%s}", body, i ? "," : "", row)
          : form == 1 ? bgt_fmt("%s%s{\"data\":{\"features\":{\"values\":%s}}}", body,
                                i ? "," : "", row)
                      : bgt_fmt("%s%s%s", body, i ? "," : "", row);
      free(body);
      free(row);
      body = t;
    }
    t = bgt_fmt("%s]}", body);
    r = post("application/json", NULL, t);
    cr_assert_eq(r.status, 200, "form %d: %s", form, r.body);
    j = cJSON_Parse(r.body);
    preds = cJSON_GetObjectItem(j, "predictions");
    cr_assert_eq(cJSON_GetArraySize(preds), (int)n, "%s", r.body);
    for (i = 0; i < n; i++)
      got[i] = (float)cJSON_GetObjectItem(cJSON_GetArrayItem(preds, (int)i), "score")->valuedouble;
    expect_xgboost(x, n, got);
    cJSON_Delete(j);
    bgt_response_free(&r);
  }
  /* {"features": [...]} alone is one row; Accept: text/csv answers it as one line. */
  {
    char *row = row_json(x), *body = bgt_fmt("{\"features\":%s}", row);
    struct bgt_response r = post("application/json", "text/csv", body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    got[0] = strtof(r.body, NULL);
    cr_assert_eq(strchr(r.body, '\n'), r.body + r.body_len - 1, "%s", r.body);
    expect_xgboost(x, 1, got);
  }
}


static void expect_error(struct bgt_response r, int status, const char *code, const char *what) {
  cJSON *j = cJSON_Parse(r.body), *e = cJSON_GetObjectItem(j, "error");

  cr_assert_eq(r.status, status, "%s: %d %s", what, r.status, r.body);
  cr_assert(cJSON_IsObject(e), "%s: %s", what, r.body);
  cr_assert_str_eq(cJSON_GetObjectItem(e, "code")->valuestring, code, "%s: %s", what, r.body);
  cJSON_Delete(j);
}


Test(sagemaker, refusals_are_clear) {
  struct bgt_response r;
  char *many = strdup(""), *t;
  int i;

  /* AWS's own example row has four features; this model takes seven. */
  r = post("text/csv", NULL, "1.5,16.0,14,23.0");
  expect_error(r, 400, "bad_csv", "the documented 4-feature row");
  cr_assert(strstr(r.body, "line 1 has 4 cells") != NULL, "%s", r.body);
  expect_error(post("text/csv", NULL, "1,2,3,x,5,6,7\n"), 400, "bad_csv", "a word");
  expect_error(post("text/csv", NULL, "\n\n"), 400, "bad_csv", "no row");
  expect_error(post("application/json", NULL, "{\"instances\":[[1,2]]}"), 400, "bad_json",
               "short JSON row");
  expect_error(post("application/json", NULL, "{\"instances\":[[1,2,3,4,5,6,\"7\"]]}"), 400,
               "bad_json", "a string value");
  expect_error(post("application/json", NULL, "{\"rows\":[]}"), 400, "bad_json", "no rows");
  expect_error(post("application/x-recordio-protobuf", NULL, "x"), 415,
               "unsupported_media_type", "protobuf");
  expect_error(post("text/csv", "image/png", "1,2,3,4,5,6,7"), 406, "not_acceptable", "png");
  for (i = 0; i < 4097; i++) {
    t = bgt_fmt("%s1,2,3,4,5,6,7\n", many);
    free(many);
    many = t;
  }
  expect_error(post("text/csv", NULL, many), 413, "too_many_rows", "4097 rows");
  r = bgt_http(srv.port, "GET /invocations HTTP/1.1\r\nHost: t\r\n\r\n", 38);
  expect_error(r, 405, "method_not_allowed", "GET /invocations");
  cr_assert_str_eq(bgt_header(&r, "Allow"), "POST");
}


Test(sagemaker, ping_turns_503_when_draining) {
  /* Requests in flight when SIGTERM comes finish: /ping's answer is then 503, an invocation's
   * is its scores, and both close their connection; idle keep-alive connections close. */
  static const char ping[] = "GET /ping HTTP/1.1\r\nHost: t\r\n\r\n";
  static const char ping_head[] = "GET /ping HTTP/1.1\r\nHost: t\r\n";
  static const char partial[] = "POST /invocations HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv"
                                "\r\nContent-Length: 13\r\n\r\n1,2,3,";
  int idle = bgt_connect(srv.port), busy_ping = bgt_connect(srv.port);
  int busy_inv = bgt_connect(srv.port);
  struct bgt_response r;

  cr_assert(bgt_send(idle, ping, sizeof ping - 1) == 0);
  r = bgt_read_response(idle);
  cr_assert_eq(r.status, 200);
  cr_assert(bgt_send(busy_ping, ping_head, sizeof ping_head - 1) == 0);
  cr_assert(bgt_send(busy_inv, partial, sizeof partial - 1) == 0);
  usleep(100000);
  kill(srv.pid, SIGTERM);
  cr_assert(bgt_closed(idle, 3000), "an idle keep-alive connection closes on SIGTERM");
  cr_assert(bgt_send(busy_ping, "\r\n", 2) == 0);
  r = bgt_read_response(busy_ping);
  cr_assert_eq(r.status, 503, "/ping while draining: %d", r.status);
  cr_assert(r.closes, "the answer during the drain says Connection: close");
  cr_assert(bgt_send(busy_inv, "4,5,6,7", 7) == 0);
  r = bgt_read_response(busy_inv);
  cr_assert_eq(r.status, 200, "%s", r.body);
  cr_assert(r.closes, "the answer during the drain says Connection: close");
  bgt_close(busy_ping);
  bgt_close(busy_inv);
  bgt_close(idle);
}
