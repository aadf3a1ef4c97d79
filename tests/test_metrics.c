/* test_metrics.c - GET /metrics (Prometheus text) and the CloudWatch EMF lines on stdout.
 *
 * A known mix of requests goes to a server with two loops; /metrics must count each by route
 * and status, its histogram must hold every answered request, the decisions must equal those the
 * /v1/filter answers carried, the model gauge must name the model and its sha256 as
 * `bidgate info` prints them. The EMF lines must pass tools/cfn/check.js --emf (the metric names
 * and units of infra/emf-metrics.json) and add up to the requests sent.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"

TestSuite(metrics, .timeout = 90);


static struct bgt_response get(int port, const char *path) {
  char *req = bgt_fmt("GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
  struct bgt_response r = bgt_http(port, req, strlen(req));

  free(req);
  return r;
}


/* The value of the sample whose line starts with series (name and labels), or -1. */
static double sample(const char *text, const char *series) {
  size_t n = strlen(series);
  const char *p = text;

  while (p != NULL && *p != '\0') {
    if (strncmp(p, series, n) == 0 && p[n] == ' ')
      return strtod(p + n + 1, NULL);
    p = strchr(p, '\n');
    p = p != NULL ? p + 1 : NULL;
  }
  return -1;
}


static char *request_json(void) {
  return bgt_read_file(bgt_fmt("%s/aws-rtb/request.json", bgt_env("BG_TEST_MODELS")), NULL);
}


/* Send the mix: filter x5, healthz x3, 404 x2, 405 x1, bad JSON x2, invocations x1. Returns the
 * pass/drop decisions the filter answers carried. */
static void send_mix(int port, int *pass, int *drop, int *total) {
  char *body = request_json(), *bad = "{\"id\": ";
  size_t n;
  int i;

  *pass = *drop = 0;
  for (i = 0; i < 5; i++) {
    char *req = bgt_post(body, &n);
    struct bgt_response r = bgt_http(port, req, n);
    cJSON *j = cJSON_Parse(r.body), *imp, *b;
    cr_assert_eq(r.status, 200, "%s", r.body);
    cJSON_ArrayForEach(imp, cJSON_GetObjectItem(j, "imp"))
      cJSON_ArrayForEach(b, cJSON_GetObjectItem(imp, "bidders"))
        *(cJSON_IsTrue(cJSON_GetObjectItem(b, "pass")) ? pass : drop) += 1;
    cJSON_Delete(j);
  }
  for (i = 0; i < 3; i++)
    cr_assert_eq(get(port, "/healthz").status, 200);
  cr_assert_eq(get(port, "/nope").status, 404);
  cr_assert_eq(get(port, "/v1/nothing").status, 404);
  cr_assert_eq(get(port, "/v1/filter").status, 405);
  for (i = 0; i < 2; i++) {
    char *req = bgt_post(bad, &n);
    cr_assert_eq(bgt_http(port, req, n).status, 400);
  }
  {
    static const char inv[] = "POST /invocations HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv"
                              "\r\nContent-Length: 14\r\n\r\n1,2,3,4,5,6,7\n";
    cr_assert_eq(bgt_http(port, inv, sizeof inv - 1).status, 200);
  }
  *total = 5 + 3 + 2 + 1 + 2 + 1;
}


Test(metrics, prometheus_counts_what_was_answered) {
  static const char *const args[] = {"--threads", "2", "--bidders", "dsp-alpha,dsp-beta",
                                     "--emf-interval", "0", NULL};
  struct bgt_server s = bgt_server_start(args);
  char *info_argv[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "info", NULL}, *info, name[64],
       sha[80];
  int pass, drop, total;
  struct bgt_response r;
  const char *t;
  char *ctype;

  send_mix(s.port, &pass, &drop, &total);
  r = get(s.port, "/metrics");
  cr_assert_eq(r.status, 200);
  ctype = bgt_header(&r, "Content-Type");
  cr_assert(strncmp(ctype, "text/plain; version=0.0.4", 25) == 0, "%s", ctype);
  t = r.body;
  cr_assert_eq(sample(t, "bidgate_requests_total{route=\"/v1/filter\",status=\"200\"}"), 5, "%s", t);
  cr_assert_eq(sample(t, "bidgate_requests_total{route=\"/v1/filter\",status=\"400\"}"), 2, "%s", t);
  cr_assert_eq(sample(t, "bidgate_requests_total{route=\"/v1/filter\",status=\"405\"}"), 1, "%s", t);
  cr_assert_eq(sample(t, "bidgate_requests_total{route=\"/healthz\",status=\"200\"}"), 3);
  cr_assert_eq(sample(t, "bidgate_requests_total{route=\"none\",status=\"404\"}"), 2);
  cr_assert_eq(sample(t, "bidgate_requests_total{route=\"/invocations\",status=\"200\"}"), 1);
  /* The histogram holds every answer before this one; its buckets only grow. */
  cr_assert_eq(sample(t, "bidgate_request_duration_seconds_count"), total);
  cr_assert_eq(sample(t, "bidgate_request_duration_seconds_bucket{le=\"+Inf\"}"), total);
  cr_assert_leq(sample(t, "bidgate_request_duration_seconds_bucket{le=\"0.000032\"}"),
                sample(t, "bidgate_request_duration_seconds_bucket{le=\"2.097152\"}"));
  cr_assert_eq(sample(t, "bidgate_decisions_total{decision=\"pass\",reason=\"score\"}"), pass);
  cr_assert_eq(sample(t, "bidgate_decisions_total{decision=\"drop\",reason=\"score\"}"), drop);
  cr_assert_gt(pass + drop, 0);
  cr_assert_eq(sample(t, "bidgate_errors_total{code=\"bad_json\"}"), 2);
  cr_assert_eq(sample(t, "bidgate_errors_total{code=\"not_found\"}"), 2);
  cr_assert_eq(sample(t, "bidgate_parse_errors_total{layer=\"body\"}"), 2);
  cr_assert_eq(sample(t, "bidgate_parse_errors_total{layer=\"http\"}"), 0);
  cr_assert_eq(sample(t, "bidgate_threads"), 2);
  cr_assert_eq(sample(t, "bidgate_connections"), 1, "this connection only");
  cr_assert_eq(sample(t, "bidgate_connections_accepted_total"), total + 1);
  cr_assert_eq(bgt_run(info_argv, NULL, &info, NULL), 0);
  cr_assert(sscanf(info, "model %63s", name) == 1);
  cr_assert(sscanf(strstr(info, "sha256"), "sha256 %79s", sha) == 1);
  {
    const char *mi = strstr(t, bgt_fmt("bidgate_model_info{name=\"%s\",sha256=\"%s\",", name,
                                       sha));
    cr_assert(mi != NULL, "model gauge for %s %s: %s", name, sha, t);
    cr_assert(strncmp(strchr(mi, '}'), "} 1\n", 4) == 0, "%.200s", mi);
  }
  /* A parse error of HTTP itself. */
  cr_assert_eq(bgt_http(s.port, "BLAH\r\n\r\n", 8).status, 400);
  r = get(s.port, "/metrics");
  cr_assert_eq(sample(r.body, "bidgate_parse_errors_total{layer=\"http\"}"), 1);
  bgt_server_stop(&s);
}


Test(metrics, emf_lines_pass_the_checker_and_add_up) {
  static const char *const args[] = {"--host", "127.0.0.1", "--port", "0", "--threads", "2",
                                     "--bidders", "dsp-alpha", "--emf-interval", "1",
                                     "--emf-service", "bidgate-test", NULL};
  struct bgt_server s = bgt_server_spawn(args, BGT_KEEP_OUT);
  char *dir = bgt_mkdtemp(), *log = bgt_fmt("%s/emf.log", dir), line[8192], *out;
  char *argv[] = {"node", bgt_fmt("%s/tools/cfn/check.js", bgt_env("BG_TEST_ROOT")), "--emf",
                  log, NULL};
  FILE *f = fopen(log, "w");
  int pass, drop, total, lines = 0, status;
  double requests = 0, filter = 0, passes = 0, drops = 0, e4 = 0;

  send_mix(s.port, &pass, &drop, &total);
  usleep(1300000); /* at least one interval's line */
  kill(s.pid, SIGTERM);
  while (fgets(line, sizeof line, s.out) != NULL) {
    cJSON *j = cJSON_Parse(line);
    fputs(line, f);
    cr_assert(j != NULL, "stdout line is not JSON: %s", line);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "Service")->valuestring, "bidgate-test");
    requests += cJSON_GetObjectItem(j, "Requests")->valuedouble;
    filter += cJSON_GetObjectItem(j, "FilterRequests")->valuedouble;
    passes += cJSON_GetObjectItem(j, "Pass")->valuedouble;
    drops += cJSON_GetObjectItem(j, "Drop")->valuedouble;
    e4 += cJSON_GetObjectItem(j, "Errors4xx")->valuedouble;
    cr_assert_leq(cJSON_GetObjectItem(j, "LatencyP50Us")->valuedouble,
                  cJSON_GetObjectItem(j, "LatencyP99Us")->valuedouble);
    cr_assert_leq(cJSON_GetObjectItem(j, "LatencyP99Us")->valuedouble,
                  cJSON_GetObjectItem(j, "LatencyMaxUs")->valuedouble);
    cJSON_Delete(j);
    lines++;
  }
  fclose(f);
  cr_assert_eq(waitpid(s.pid, &status, 0), s.pid);
  s.pid = 0;
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status 0x%x", status);
  cr_assert_geq(lines, 2, "one line per interval and one at exit");
  cr_assert_eq(bgt_run(argv, NULL, &out, NULL), 0, "check.js --emf: %s", out);
  cr_assert_eq(requests, total, "EMF Requests add up to what was sent");
  cr_assert_eq(filter, 5 + 2 + 1);
  cr_assert_eq(passes, pass);
  cr_assert_eq(drops, drop);
  cr_assert_eq(e4, 2 + 1 + 2);
  bgt_rmrf(dir);
  fclose(s.out);
}
