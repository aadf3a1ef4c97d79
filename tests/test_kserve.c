/* test_kserve.c - the KServe / Open Inference Protocol v2 REST routes, end to end.
 *
 * Requests follow the protocol's own examples (kserve/open-inference-protocol, inference_rest.md:
 * "id": "42", an input with "name", "shape", "datatype", "data", an "outputs" list), with this
 * model's input: FP32 [rows, 7]. Every output value equals XGBoost's own prediction (C API) for
 * the same rows, bit for bit; the spec's example request as written (UINT32 and BOOL inputs)
 * is refused with the protocol's error object {"error": "..."}.
 */
#define _GNU_SOURCE
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"
#include "xgb.h"

#define NF 7

static struct bgt_server srv;
static char model_name[64], version[16];


static void start(void) {
  char *argv[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "info", NULL}, *out, *p;

  srv = bgt_server_start(NULL);
  cr_assert_eq(bgt_run(argv, NULL, &out, NULL), 0);
  cr_assert(sscanf(out, "model %63s", model_name) == 1, "%s", out);
  p = strstr(out, "sha256");
  cr_assert(p != NULL && sscanf(p, "sha256 %8s", version) == 1, "%s", out);
}


static void stop(void) {
  bgt_server_stop(&srv);
}


TestSuite(kserve, .init = start, .fini = stop, .timeout = 60);


static struct bgt_response get(const char *path) {
  char *req = bgt_fmt("GET %s HTTP/1.1\r\nHost: localhost:8000\r\n\r\n", path);
  struct bgt_response r = bgt_http(srv.port, req, strlen(req));

  free(req);
  return r;
}


static struct bgt_response post(const char *path, const char *body) {
  /* As the spec's example: Host, Content-Type, Content-Length. */
  char *req = bgt_fmt("POST %s HTTP/1.1\r\nHost: localhost:8000\r\nContent-Type: "
                      "application/json\r\nContent-Length: %zu\r\n\r\n%s",
                      path, strlen(body), body);
  struct bgt_response r = bgt_http(srv.port, req, strlen(req));

  free(req);
  return r;
}


static cJSON *json_of(const struct bgt_response *r) {
  cJSON *j = cJSON_Parse(r->body);

  cr_assert(j != NULL, "not JSON: %s", r->body);
  return j;
}


Test(kserve, health) {
  struct bgt_response r = get("/v2/health/live");
  cJSON *j;

  cr_assert_eq(r.status, 200);
  j = json_of(&r);
  cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "live")), "%s", r.body);
  r = get("/v2/health/ready");
  cr_assert_eq(r.status, 200);
  cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(json_of(&r), "ready")), "%s", r.body);
  r = get(bgt_fmt("/v2/models/%s/ready", model_name));
  cr_assert_eq(r.status, 200, "%s", r.body);
  j = json_of(&r);
  cr_assert_str_eq(cJSON_GetObjectItem(j, "name")->valuestring, model_name);
  cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "ready")));
  r = get(bgt_fmt("/v2/models/%s/versions/%s/ready", model_name, version));
  cr_assert_eq(r.status, 200, "%s", r.body);
  r = get("/v2");
  cr_assert_eq(r.status, 200, "%s", r.body);
  j = json_of(&r);
  cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "name")) &&
                cJSON_IsString(cJSON_GetObjectItem(j, "version")) &&
                cJSON_IsArray(cJSON_GetObjectItem(j, "extensions")),
            "server metadata: %s", r.body);
}


Test(kserve, model_metadata) {
  struct bgt_response r = get(bgt_fmt("/v2/models/%s", model_name));
  cJSON *j, *in, *out, *shape;

  cr_assert_eq(r.status, 200, "%s", r.body);
  j = json_of(&r);
  cr_assert_str_eq(cJSON_GetObjectItem(j, "name")->valuestring, model_name);
  cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "versions"), 0)->valuestring, version);
  cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "platform")));
  in = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "inputs"), 0);
  out = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "outputs"), 0);
  cr_assert_str_eq(cJSON_GetObjectItem(in, "datatype")->valuestring, "FP32");
  cr_assert_str_eq(cJSON_GetObjectItem(out, "datatype")->valuestring, "FP32");
  shape = cJSON_GetObjectItem(in, "shape");
  cr_assert_eq(cJSON_GetArraySize(shape), 2);
  cr_assert_eq(cJSON_GetArrayItem(shape, 0)->valueint, -1, "variable rows are -1");
  cr_assert_eq(cJSON_GetArrayItem(shape, 1)->valueint, NF);
  r = get(bgt_fmt("/v2/models/%s/versions/%s", model_name, version));
  cr_assert_eq(r.status, 200, "%s", r.body);
}


/* Rows: the sample's, then varied ones with missing values. */
static float *rows(size_t *n) {
  char *csv = bgt_read_file(bgt_fmt("%s/aws-rtb/sample.csv", bgt_env("BG_TEST_MODELS")), NULL);
  size_t k, base;
  float *x = bgt_csv_rows(csv, NF, &base);
  unsigned seed = 11;

  x = realloc(x, (base + 30) * NF * sizeof *x);
  for (k = base * NF; k < (base + 30) * NF; k++)
    x[k] = rand_r(&seed) % 6 == 0 ? NAN : (float)(rand_r(&seed) % 3000) / 100.0f - 3.0f;
  *n = base + 30;
  return x;
}


static char *number(float v) {
  return isnan(v) ? strdup("null") : bgt_fmt("%.9g", (double)v);
}


/* The data array: flat, or nested one array per row. */
static char *data_json(const float *x, size_t n, int nested) {
  char *s = strdup("["), *t, *v;
  size_t i;

  for (i = 0; i < n * NF; i++) {
    v = number(x[i]);
    t = bgt_fmt("%s%s%s%s%s", s, i && (!nested || i % NF) ? "," : "",
                nested && i % NF == 0 ? (i ? ",[" : "[") : "", v,
                nested && i % NF == NF - 1 ? "]" : "");
    free(s);
    free(v);
    s = t;
  }
  t = bgt_fmt("%s]", s);
  free(s);
  return t;
}


static void check_infer(const float *x, size_t n, const char *body, const char *id) {
  struct bgt_response r = post(bgt_fmt("/v2/models/%s/infer", model_name), body);
  cJSON *j, *out, *shape, *data;
  size_t per_row, i;
  float *want = bgt_xgb_predict(bgt_aws_rtb_model(), x, n, NF, &per_row);

  cr_assert_eq(r.status, 200, "%s", r.body);
  j = json_of(&r);
  cr_assert_str_eq(cJSON_GetObjectItem(j, "model_name")->valuestring, model_name);
  if (id != NULL)
    cr_assert_str_eq(cJSON_GetObjectItem(j, "id")->valuestring, id, "the id comes back");
  else
    cr_assert_null(cJSON_GetObjectItem(j, "id"));
  cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "outputs")), 1);
  out = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "outputs"), 0);
  cr_assert_str_eq(cJSON_GetObjectItem(out, "name")->valuestring, "output-0");
  cr_assert_str_eq(cJSON_GetObjectItem(out, "datatype")->valuestring, "FP32");
  shape = cJSON_GetObjectItem(out, "shape");
  cr_assert_eq(cJSON_GetArraySize(shape), 1);
  cr_assert_eq((size_t)cJSON_GetArrayItem(shape, 0)->valueint, n);
  data = cJSON_GetObjectItem(out, "data");
  cr_assert_eq((size_t)cJSON_GetArraySize(data), n * per_row);
  for (i = 0; i < n; i++) {
    float got = (float)cJSON_GetArrayItem(data, (int)i)->valuedouble;
    cr_assert_eq(bgt_bits(got), bgt_bits(want[i]), "row %zu: bidgate %a, XGBoost %a", i,
                 (double)got, (double)want[i]);
  }
  cJSON_Delete(j);
  free(want);
}


Test(kserve, infer_equals_xgboost) {
  size_t n;
  float *x = rows(&n);

  /* The spec's example shape: id "42", one input, an outputs list naming the output. */
  check_infer(x, n,
              bgt_fmt("{\"id\":\"42\",\"inputs\":[{\"name\":\"input-0\",\"shape\":[%zu,%d],"
                      "\"datatype\":\"FP32\",\"data\":%s}],\"outputs\":[{\"name\":\"output-0\"}]}",
                      n, NF, data_json(x, n, 0)),
              "42");
  /* Nested data ("natural format"), no id, no outputs list, parameters present. */
  check_infer(x, n,
              bgt_fmt("{\"parameters\":{\"content_type\":\"np\"},\"inputs\":[{\"name\":"
                      "\"input-0\",\"shape\":[%zu,%d],\"datatype\":\"FP32\",\"data\":%s}]}",
                      n, NF, data_json(x, n, 1)),
              NULL);
  /* One row as shape [7], through the versioned path too. */
  check_infer(x, 1,
              bgt_fmt("{\"id\":\"one\",\"inputs\":[{\"name\":\"input-0\",\"shape\":[%d],"
                      "\"datatype\":\"FP32\",\"data\":%s}]}",
                      NF, data_json(x, 1, 0)),
              "one");
}


static void expect_error(struct bgt_response r, int status, const char *what) {
  cJSON *j = cJSON_Parse(r.body);

  cr_assert_eq(r.status, status, "%s: %d %s", what, r.status, r.body);
  /* The protocol's error object: "error" is the message string. */
  cr_assert(j != NULL && cJSON_IsString(cJSON_GetObjectItem(j, "error")), "%s: %s", what,
            r.body);
  cJSON_Delete(j);
}


Test(kserve, errors_are_the_protocols_error_object) {
  const char *infer = bgt_fmt("/v2/models/%s/infer", model_name);

  /* The specification's example request, verbatim: UINT32 and BOOL inputs. */
  expect_error(post(infer, "{\"id\" : \"42\",\"inputs\" : [{\"name\" : \"input0\",\"shape\" : "
                           "[ 2, 2 ],\"datatype\" : \"UINT32\",\"data\" : [ 1, 2, 3, 4 ]},"
                           "{\"name\" : \"input1\",\"shape\" : [ 3 ],\"datatype\" : \"BOOL\","
                           "\"data\" : [ true ]}],\"outputs\" : [{\"name\" : \"output0\"}]}"),
               400, "the spec's example");
  expect_error(post(infer, "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,7],\"datatype\":"
                           "\"FP64\",\"data\":[1,2,3,4,5,6,7]}]}"),
               400, "FP64");
  expect_error(post(infer, "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[2,7],\"datatype\":"
                           "\"FP32\",\"data\":[1,2,3,4,5,6,7]}]}"),
               400, "data shorter than the shape");
  expect_error(post(infer, "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,6],\"datatype\":"
                           "\"FP32\",\"data\":[1,2,3,4,5,6]}]}"),
               400, "six features");
  expect_error(post(infer, "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,7],\"datatype\":"
                           "\"FP32\",\"data\":[1,2,3,\"4\",5,6,7]}]}"),
               400, "a string value");
  expect_error(post(infer, "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,7],\"datatype\":"
                           "\"FP32\",\"data\":[1,2,3,4,5,6,7]}],\"outputs\":[{\"name\":\"x\"}]}"),
               400, "an unknown output");
  expect_error(post(infer, "{\"inputs\":[]}"), 400, "no input");
  expect_error(post(infer, "not json"), 400, "not JSON");
  expect_error(post("/v2/models/no_such_model/infer", "{\"inputs\":[]}"), 404, "unknown model");
  expect_error(get("/v2/models/no_such_model"), 404, "unknown model metadata");
  expect_error(get(bgt_fmt("/v2/models/%s/versions/00000000", model_name)), 404,
               "unknown version");
  expect_error(get("/v2/nothing/here"), 404, "unknown path");
  expect_error(get(infer), 405, "GET on infer");
}


Test(kserve, ready_turns_503_when_draining) {
  static const char head[] = "GET /v2/health/ready HTTP/1.1\r\nHost: t\r\n";
  int busy = bgt_connect(srv.port);
  struct bgt_response r;

  cr_assert(bgt_send(busy, head, sizeof head - 1) == 0);
  usleep(100000);
  kill(srv.pid, SIGTERM);
  usleep(100000);
  cr_assert(bgt_send(busy, "\r\n", 2) == 0);
  r = bgt_read_response(busy);
  cr_assert_eq(r.status, 503, "%s", r.body);
  cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(json_of(&r), "ready")), "%s", r.body);
  bgt_close(busy);
}
