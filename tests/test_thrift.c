/* test_thrift.c - the Thrift endpoint end to end, with a client bidgate did not write.
 *
 * The client is Debian's python3-thrift driving the code Debian's thrift compiler generated
 * from runtime/bidrequest.thrift at build time (tests/thrift/client.py). The central check
 * chains independent computations: for each call, this test builds the model's feature row
 * from the IDL fields itself, as models/aws-rtb/features.json says (its own decimal parser,
 * a linear scan of the spec's vocabularies, user agents labelled by hand), and the server's
 * likelihoodToBid must equal, bit for bit, XGBoost's prediction for that row (C API,
 * models/aws-rtb/model.json) and `bidgate predict` on it. Every transport and protocol
 * variant is checked (unframed and framed; strict, old-style and accelerated encodings),
 * with all calls of a run on one connection. Then calls pipelined in one write, and one call
 * sent a byte at a time, over raw sockets.
 */
#define _GNU_SOURCE /* strcasecmp, strndup */
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <xgboost/c_api.h>

#include "helpers.h"
#include "net.h"
#include "thrift_net.h"

TestSuite(thrift, .timeout = 180);

#define NF 7
#define XGB_OK(call) cr_assert((call) == 0, "%s failed: %s", #call, XGBGetLastError())

/* User agents and their device type on the woothee scale, labelled by hand. */
static const struct {
  const char *ua;
  float woothee;
} agents[] = {
  {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile", 0},
  {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36", 3},
  {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari", 0},
  {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 4},
  {"Roku/DVP-9.10 (289.10E04111A)", 2},
  {"DoCoMo/2.0 P07A3(c500;TB;W24H15)", 1},
  {"Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X)", 0},
  {"curl/8.5", 5},
  {"", NAN}, /* empty: no agent */
};
static const char *const hours[] = {"00", "09", "13", "23", "7", "+3", "12.5", "1e1", "x", "",
                                    " 7", "24", "-1", "0x1", "inf", "3."};
static const char *const domains[] = {"news.example.com", "NEWS.Example.COM", "shop.example.com",
                                      "com.example.chess", "unknown.example", "", "é.example"};
static const char *const regions[] = {"ca", "NY", "wa", "216", "ZZ", "tx"};
static const char *const cities[] = {"seattle", "New York", "Los Angeles", "Springfield", "1"};
static const char *const advertisers[] = {"dsp-alpha", "dsp-beta", "dsp-gamma", "dsp-delta",
                                          "DSP-ALPHA", "3358"};

#define PICK(a) (a)[rand_r(seed) % (sizeof(a) / sizeof((a)[0]))]


/* One BidRequest as the JSON object of the fields it sets (a third of them left out). */
static cJSON *make_call(unsigned *seed, int k) {
  cJSON *r = cJSON_CreateObject();
  char id[32];

  snprintf(id, sizeof id, "bid-%d", k);
  if (rand_r(seed) % 3)
    cJSON_AddStringToObject(r, "bidId", id);
  if (rand_r(seed) % 3)
    cJSON_AddNumberToObject(r, "dayOfWeek", 1 + rand_r(seed) % 7);
  if (rand_r(seed) % 3)
    cJSON_AddStringToObject(r, "hour", PICK(hours));
  if (rand_r(seed) % 3)
    cJSON_AddStringToObject(r, "regionId", PICK(regions));
  if (rand_r(seed) % 3)
    cJSON_AddStringToObject(r, "cityId", PICK(cities));
  if (rand_r(seed) % 3)
    cJSON_AddStringToObject(r, "domainId", PICK(domains));
  if (rand_r(seed) % 3)
    cJSON_AddStringToObject(r, "advertiserId", PICK(advertisers));
  if (rand_r(seed) % 3)
    cJSON_AddNumberToObject(r, "biddingPrice", rand_r(seed) % 100000);
  if (rand_r(seed) % 3)
    cJSON_AddNumberToObject(r, "payingPrice", rand_r(seed) % 100000);
  if (rand_r(seed) % 3)
    cJSON_AddStringToObject(r, "userAgent", agents[rand_r(seed) % 9].ua);
  if (rand_r(seed) % 3 == 0)
    cJSON_AddNumberToObject(r, "deviceTypeId", (int)(rand_r(seed) % 8) - 1);
  return r;
}


static cJSON *spec(void) {
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/features.json", bgt_env("BG_TEST_MODELS")),
                             NULL);
  cJSON *j = cJSON_Parse(text);

  cr_assert(j != NULL);
  free(text);
  return j;
}


/* The spec this test reads the IDL fields for: entry i's name and Thrift source. A change
 * of the spec should come with a change of this test. */
static void check_spec(cJSON *s) {
  static const char *const names[NF] = {"dow", "hour", "IndexAdvertiserID", "IndexDomain",
                                        "IndexRegionID", "IndexCityID", "device_type_id"};
  static const char *const sources[NF] = {"\"dayOfWeek\"", "\"hour\"", "\"advertiserId\"",
                                          "\"domainId\"", "\"regionId\"", "\"cityId\"",
                                          "[\"deviceTypeId\",\"userAgent\"]"};
  int i;

  for (i = 0; i < NF; i++) {
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "features"), i);
    char *src = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "thrift"));
    cr_assert_str_eq(cJSON_GetObjectItem(e, "name")->valuestring, names[i]);
    cr_assert_str_eq(src, sources[i], "features[%d].thrift is %s", i, src);
    free(src);
  }
}


/* A decimal number as the spec defines it, by a regular expression; else NaN. */
static float decimal(const char *s) {
  static regex_t re;
  static int ready;

  if (!ready) {
    cr_assert(regcomp(&re, "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$",
                      REG_EXTENDED | REG_NOSUB) == 0);
    ready = 1;
  }
  return regexec(&re, s, 0, NULL, 0) == 0 ? (float)strtod(s, NULL) : NAN;
}


/* The vocabulary id of string s by a linear scan of spec entry i; NaN when s is NULL. */
static float vocab(cJSON *sp, int i, const char *s) {
  cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(sp, "features"), i), *w;
  int fold = cJSON_IsTrue(cJSON_GetObjectItem(e, "lowercase")), k = 0;

  if (s == NULL)
    return NAN;
  cJSON_ArrayForEach(w, cJSON_GetObjectItem(e, "vocabulary")) {
    if (fold ? strcasecmp(w->valuestring, s) == 0 : strcmp(w->valuestring, s) == 0)
      return (float)k;
    k++;
  }
  return (float)cJSON_GetObjectItem(e, "unknown")->valuedouble;
}


static const char *str_of(cJSON *call, const char *field) {
  cJSON *v = cJSON_GetObjectItem(call, field);

  return v != NULL ? v->valuestring : NULL;
}


/* The feature row of one call, computed here from the spec's rules. */
static void row_of(cJSON *sp, cJSON *call, float *x) {
  cJSON *dow = cJSON_GetObjectItem(call, "dayOfWeek"), *dt = cJSON_GetObjectItem(call,
                                                                                  "deviceTypeId");
  const char *hour = str_of(call, "hour"), *ua = str_of(call, "userAgent");
  size_t k;

  x[0] = dow != NULL ? (float)dow->valuedouble : NAN;
  x[1] = hour != NULL ? decimal(hour) : NAN;
  x[2] = vocab(sp, 2, str_of(call, "advertiserId"));
  x[3] = vocab(sp, 3, str_of(call, "domainId"));
  x[4] = vocab(sp, 4, str_of(call, "regionId"));
  x[5] = vocab(sp, 5, str_of(call, "cityId"));
  x[6] = NAN;
  if (dt != NULL) {
    x[6] = (float)dt->valuedouble;
  } else if (ua != NULL) {
    for (k = 0; k < sizeof agents / sizeof agents[0]; k++)
      if (strcmp(agents[k].ua, ua) == 0)
        x[6] = agents[k].woothee;
  }
}


static uint32_t bits(float f) {
  uint32_t u;

  memcpy(&u, &f, sizeof u);
  return u;
}


/* XGBoost's and `bidgate predict`'s scores for n rows. */
static void oracles(const float *x, size_t n, float *xgb, float *pred) {
  BoosterHandle h;
  DMatrixHandle dm;
  const float *out;
  bst_ulong len;
  char *dir = bgt_mkdtemp(), *path = bgt_fmt("%s/rows.csv", dir), *csv = strdup(""), *text, *err;
  char *argv[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "predict", NULL};
  const char *p;
  size_t r, k;

  XGB_OK(XGBoosterCreate(NULL, 0, &h));
  XGB_OK(XGBoosterLoadModel(h, bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"))));
  XGB_OK(XGDMatrixCreateFromMat(x, n, NF, NAN, &dm));
  XGB_OK(XGBoosterPredict(h, dm, 0, 0, 0, &len, &out));
  cr_assert_eq(len, n);
  memcpy(xgb, out, n * sizeof *xgb);
  XGDMatrixFree(dm);
  XGBoosterFree(h);

  for (r = 0; r < n; r++)
    for (k = 0; k < NF; k++) {
      char *next = isnan(x[r * NF + k]) ? bgt_fmt("%s%s", csv, k + 1 < NF ? "," : "\n")
                   : bgt_fmt("%s%.9g%s", csv, (double)x[r * NF + k], k + 1 < NF ? "," : "\n");
      free(csv);
      csv = next;
    }
  bgt_write_file(path, csv, strlen(csv));
  cr_assert_eq(bgt_run(argv, path, &text, &err), 0, "bidgate predict: %s", err);
  for (p = text, r = 0; r < n; r++) {
    char *end;
    pred[r] = strtof(p, &end);
    cr_assert(end != p && *end == '\n', "predict line %zu", r);
    p = end + 1;
  }
  free(text);
  free(err);
  free(csv);
  bgt_rmrf(dir);
}


struct calls {
  size_t n;
  char *path;  /* JSON lines */
  float *x;    /* n rows */
  float *xgb, *pred;
};


static struct calls make_calls(size_t n, unsigned seed0) {
  struct calls c = {n, NULL, malloc(n * NF * sizeof(float)), malloc(n * sizeof(float)),
                    malloc(n * sizeof(float))};
  char *dir = bgt_mkdtemp(), *text = strdup("");
  cJSON *sp = spec();
  unsigned seed = seed0;
  size_t i;

  check_spec(sp);
  for (i = 0; i < n; i++) {
    cJSON *call = make_call(&seed, (int)i);
    char *line = cJSON_PrintUnformatted(call), *next = bgt_fmt("%s%s\n", text, line);
    row_of(sp, call, c.x + i * NF);
    free(text);
    free(line);
    text = next;
    cJSON_Delete(call);
  }
  c.path = bgt_fmt("%s/calls.jsonl", dir);
  bgt_write_file(c.path, text, strlen(text));
  free(text);
  cJSON_Delete(sp);
  oracles(c.x, n, c.xgb, c.pred);
  return c;
}


/* Run the Python client over all calls on one connection; check every answer. */
static void check_client(const struct calls *c, const char *transport, const char *protocol) {
  const char *args[] = {"--thrift-transport", transport, NULL};
  struct bgt_tserver s = bgt_tserver_start(args);
  char *port = bgt_fmt("%d", s.thrift_port), *out, *err, *srv_err;
  char *argv[] = {"/usr/bin/python3", (char *)bgt_fmt("%s/client.py", bgt_env("BG_TEST_THRIFT")),
                  (char *)bgt_env("BG_TEST_THRIFT_PY"), "call", port, (char *)transport,
                  (char *)protocol, NULL};
  const char *p;
  size_t i;

  cr_assert_eq(bgt_run(argv, c->path, &out, &err), 0, "%s %s client: %s", transport, protocol,
               err);
  for (p = out, i = 0; i < c->n; i++) {
    char *end;
    double d;
    float f;
    cr_assert(strncmp(p, "reply ", 6) == 0, "%s/%s call %zu: %.200s", transport, protocol, i, p);
    d = strtod(p + 6, &end);
    cr_assert(*end == '\n' || *end == '\0');
    p = *end ? end + 1 : end;
    f = (float)d;
    cr_assert_eq((double)f, d, "call %zu: likelihoodToBid %a is not a float32 score", i, d);
    cr_assert_eq(bits(f), bits(c->xgb[i]), "%s/%s call %zu: server %a, XGBoost %a", transport,
                 protocol, i, (double)f, (double)c->xgb[i]);
    cr_assert_eq(bits(f), bits(c->pred[i]), "%s/%s call %zu: server %a, predict %a", transport,
                 protocol, i, (double)f, (double)c->pred[i]);
  }
  cr_assert(*p == '\0', "more answers than calls: %.100s", p);
  srv_err = bgt_tserver_stop(&s);
  cr_assert_eq(bgt_tcount(srv_err, "calls"), (long)c->n, "%s", srv_err);
  cr_assert_eq(bgt_tcount(srv_err, "errors"), 0, "%s", srv_err);
  free(srv_err);
  free(out);
  free(err);
}


Test(thrift, python_client_scores_equal_xgboost_and_predict) {
  struct calls c = make_calls(300, 7);
  size_t i, missing = 0, distinct = 0;

  /* The calls must cover the model's interesting cases, not just one score. */
  for (i = 0; i < c.n; i++) {
    missing += isnan(c.x[i * NF + 1]) || isnan(c.x[i * NF + 6]);
    distinct += i > 0 && bits(c.xgb[i]) != bits(c.xgb[i - 1]);
  }
  cr_assert_gt(missing, 30);
  cr_assert_gt(distinct, 100);
  check_client(&c, "unframed", "binary");
  check_client(&c, "unframed", "old");
  check_client(&c, "unframed", "accelerated");
  check_client(&c, "framed", "binary");
  check_client(&c, "framed", "accelerated");
}


static char *client_py(void) {
  return bgt_fmt("%s/client.py", bgt_env("BG_TEST_THRIFT"));
}


/* Send bytes on a new connection, half-close, and read every answer byte until the server
 * closes. *n gets the count. */
static char *exchange(int port, const void *bytes, size_t len, size_t *n) {
  int fd = bgt_connect(port);
  size_t cap = 1 << 16, got = 0;
  char *buf = malloc(cap);
  ssize_t k;

  cr_assert_eq(bgt_send(fd, bytes, len), 0);
  shutdown(fd, SHUT_WR);
  while ((k = recv(fd, buf + got, cap - got, 0)) > 0) {
    got += (size_t)k;
    if (got == cap)
      buf = realloc(buf, cap *= 2);
  }
  close(fd);
  *n = got;
  return buf;
}


/* Calls encoded by python3-thrift, pipelined in one write with an unknown method's call,
 * answered; python3-thrift decodes the answers. */
static void check_python_decodes(const char *transport) {
  const char *args[] = {"--thrift-transport", transport, NULL};
  struct calls c = make_calls(6, 11);
  struct bgt_tserver s = bgt_tserver_start(args);
  char *dir = bgt_mkdtemp(), *calls = bgt_fmt("%s/calls.bin", dir);
  char *answers = bgt_fmt("%s/answers.bin", dir), *out, *err, *bytes, *got, *srv_err;
  char *enc[] = {"/usr/bin/python3", client_py(), (char *)bgt_env("BG_TEST_THRIFT_PY"),
                 "encode", (char *)transport, "binary", calls, NULL};
  char *dec[] = {enc[0], enc[1], enc[2], "decode", (char *)transport, answers, NULL};
  struct bgt_bytes all = {NULL, 0, 0}, bad = {NULL, 0, 0};
  int framed = strcmp(transport, "framed") == 0;
  const char *p;
  size_t n, i;

  cr_assert_eq(bgt_run(enc, c.path, &out, &err), 0, "encode: %s", err);
  bytes = bgt_read_file(calls, &n);
  bgt_bput(&all, bytes, n);
  bgt_bheader(&bad, 1, "nosuch", 99);
  bgt_b8(&bad, 0); /* an empty argument struct */
  if (framed)
    bad = bgt_framed(&bad);
  bgt_bput(&all, bad.p, bad.len);
  got = exchange(s.thrift_port, all.p, all.len, &n);
  bgt_write_file(answers, got, n);
  cr_assert_eq(bgt_run(dec, NULL, &out, &err), 0, "python could not decode the answers: %s",
               err);
  for (p = out, i = 0; i < c.n; i++) {
    char *end;
    float f;
    cr_assert(strncmp(p, "reply ", 6) == 0, "answer %zu: %.200s", i, p);
    f = (float)strtod(p + 6, &end);
    cr_assert_eq(bits(f), bits(c.xgb[i]), "answer %zu: %a, XGBoost %a", i, (double)f,
                 (double)c.xgb[i]);
    /* python3-thrift's generated client sends every call with seqid 0. */
    cr_assert(strncmp(end, " filter 0\n", 10) == 0, "answer %zu: %.40s", i, end);
    p = end + 10;
  }
  cr_assert_str_eq(p, "exception 1 nosuch 99 Invalid method name: 'nosuch'\neof\n");
  srv_err = bgt_tserver_stop(&s);
  cr_assert_eq(bgt_tcount(srv_err, "calls"), 6);
  cr_assert_eq(bgt_tcount(srv_err, "unknown_method"), 1);
  bgt_rmrf(dir);
}


Test(thrift, python_decodes_pipelined_answers_unframed) {
  check_python_decodes("unframed");
}


Test(thrift, python_decodes_pipelined_answers_framed) {
  check_python_decodes("framed");
}


/* One call of the aws-rtb fields, by hand: strict or old-style header. */
static void put_call(struct bgt_bytes *b, cJSON *call, int32_t seqid, int old) {
  static const struct {
    int id, type;
    const char *name;
  } f[] = {{1, 11, "bidId"}, {2, 8, "dayOfWeek"}, {3, 11, "hour"}, {4, 11, "regionId"},
           {5, 11, "cityId"}, {6, 11, "domainId"}, {7, 11, "advertiserId"},
           {8, 10, "biddingPrice"}, {9, 10, "payingPrice"}, {10, 11, "userAgent"},
           {11, 8, "deviceTypeId"}};
  size_t k;

  if (old) {
    bgt_bstr(b, "filter");
    bgt_b8(b, 1);
    bgt_b32(b, (uint32_t)seqid);
  } else {
    bgt_bheader(b, 1, "filter", seqid);
  }
  bgt_b8(b, 12); /* 1: BidRequest request */
  bgt_b16(b, 1);
  /* Fields in reverse order, and an unknown one first: order must not matter. */
  bgt_b8(b, 15);
  bgt_b16(b, 99);
  bgt_b8(b, 11);
  bgt_b32(b, 1);
  bgt_bstr(b, "ignored");
  for (k = sizeof f / sizeof f[0]; k-- > 0;) {
    cJSON *v = cJSON_GetObjectItem(call, f[k].name);
    if (v == NULL)
      continue;
    bgt_b8(b, (unsigned)f[k].type);
    bgt_b16(b, (unsigned)f[k].id);
    if (f[k].type == 11)
      bgt_bstr(b, v->valuestring);
    else if (f[k].type == 8)
      bgt_b32(b, (uint32_t)(int32_t)v->valuedouble);
    else
      bgt_b64(b, (uint64_t)(int64_t)v->valuedouble);
  }
  bgt_b8(b, 0); /* end of BidRequest */
  bgt_b8(b, 0); /* end of the arguments */
}


/* n calls pipelined in one write (every third with an old-style header); the answers come
 * in order, with their seqids and XGBoost's scores. */
static void check_pipelined(const char *transport, size_t n) {
  const char *args[] = {"--thrift-transport", transport, NULL};
  struct calls c = make_calls(n, 23);
  struct bgt_tserver s = bgt_tserver_start(args);
  char *text = bgt_read_file(c.path, NULL), *line, *save = NULL, *srv_err;
  int framed = strcmp(transport, "framed") == 0, fd;
  struct bgt_bytes all = {NULL, 0, 0};
  size_t i = 0;

  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    struct bgt_bytes one = {NULL, 0, 0};
    cJSON *call = cJSON_Parse(line);
    put_call(&one, call, (int32_t)(1000 + i), i % 3 == 2);
    if (framed)
      one = bgt_framed(&one);
    bgt_bput(&all, one.p, one.len);
    cJSON_Delete(call);
    i++;
  }
  cr_assert_eq(i, n);
  fd = bgt_connect(s.thrift_port);
  cr_assert_eq(bgt_send(fd, all.p, all.len), 0);
  for (i = 0; i < n; i++) {
    struct bgt_tanswer a = bgt_tread(fd, framed);
    cr_assert_eq(a.kind, 1, "%s call %zu: no reply (%d %s)", transport, i, a.kind, a.message);
    cr_assert_eq(a.seqid, (int32_t)(1000 + i));
    cr_assert_str_eq(a.name, "filter");
    cr_assert_eq(bits((float)a.score), bits(c.xgb[i]), "%s call %zu: %a, XGBoost %a", transport,
                 i, a.score, (double)c.xgb[i]);
  }
  close(fd);
  srv_err = bgt_tserver_stop(&s);
  cr_assert_eq(bgt_tcount(srv_err, "calls"), (long)n, "%s", srv_err);
  cr_assert_eq(bgt_tcount(srv_err, "errors"), 0, "%s", srv_err);
}


Test(thrift, pipelined_calls_unframed) {
  check_pipelined("unframed", 400);
}


Test(thrift, pipelined_calls_framed) {
  check_pipelined("framed", 400);
}


/* One call sent a byte at a time (TCP_NODELAY, a pause between bytes), then a second call on
 * the same connection: the decoder resumes at every byte boundary. */
static void check_dribble(const char *transport) {
  const char *args[] = {"--thrift-transport", transport, NULL};
  struct calls c = make_calls(2, 31);
  struct bgt_tserver s = bgt_tserver_start(args);
  char *text = bgt_read_file(c.path, NULL), *nl = strchr(text, '\n');
  int framed = strcmp(transport, "framed") == 0, fd, one = 1, k;
  struct bgt_tanswer a;

  *nl = '\0';
  fd = bgt_connect(s.thrift_port);
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  for (k = 0; k < 2; k++) {
    struct bgt_bytes m = {NULL, 0, 0};
    cJSON *call = cJSON_Parse(k == 0 ? text : nl + 1);
    size_t i;
    put_call(&m, call, k, 0);
    if (framed)
      m = bgt_framed(&m);
    for (i = 0; i < m.len; i++) {
      cr_assert_eq(bgt_send(fd, m.p + i, 1), 0);
      usleep(500);
    }
    a = bgt_tread(fd, framed);
    cr_assert_eq(a.kind, 1);
    cr_assert_eq(a.seqid, k);
    cr_assert_eq(bits((float)a.score), bits(c.xgb[k]));
    cJSON_Delete(call);
  }
  close(fd);
  free(bgt_tserver_stop(&s));
}


Test(thrift, byte_at_a_time_unframed) {
  check_dribble("unframed");
}


Test(thrift, byte_at_a_time_framed) {
  check_dribble("framed");
}


Test(thrift, configured_by_environment) {
  struct bgt_tserver s;
  struct bgt_bytes call = {NULL, 0, 0}, framed;
  struct bgt_tanswer a;
  cJSON *fields = cJSON_Parse("{\"hour\":\"13\",\"deviceTypeId\":3}");
  int fd;

  setenv("BIDGATE_THRIFT_PORT", "0", 1);
  setenv("BIDGATE_THRIFT_TRANSPORT", "framed", 1);
  s = bgt_tserver_start(NULL);
  put_call(&call, fields, 9, 0);
  framed = bgt_framed(&call);
  fd = bgt_connect(s.thrift_port);
  cr_assert_eq(bgt_send(fd, framed.p, framed.len), 0);
  a = bgt_tread(fd, 1);
  cr_assert_eq(a.kind, 1, "no framed reply: %d %s", a.kind, a.message);
  cr_assert_eq(a.seqid, 9);
  close(fd);
  free(bgt_tserver_stop(&s));
  cJSON_Delete(fields);
}


/* Bad settings stop bidgate before it listens, with exit status 2 and one line. */
Test(thrift, bad_settings_refused) {
  static const char *const bad[][3] = {
    {"--thrift-port", "70000", "--thrift-port \"70000\" is not a valid value"},
    {"--thrift-port", "-1", "--thrift-port \"-1\" is not a valid value"},
    {"--thrift-transport", "compact", "--thrift-transport \"compact\" is not a valid value"},
    {"--thrift-port", "8080", "--thrift-port 8080 is also --port"},
  };
  size_t k;

  for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    char *argv[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "--port", "8080", (char *)bad[k][0],
                    (char *)bad[k][1], NULL};
    char *out, *err;
    cr_assert_eq(bgt_run(argv, NULL, &out, &err), 2, "%s %s was accepted", bad[k][0],
                 bad[k][1]);
    cr_assert(strstr(err, bad[k][2]) != NULL, "stderr: %s", err);
    cr_assert_str_eq(out, "");
  }
}
