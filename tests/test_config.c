/* test_config.c - configuration and the container health check.
 *
 * Every option is a flag and a BIDGATE_* variable, and `bidgate --help` lists each with its
 * default; every variable the ECS task definition (infra/service.yaml) passes is one of them;
 * invalid values are refused at start with a message naming the option and what it takes;
 * `bidgate healthcheck` (the task's health check: the image has no shell) exits 0 only while
 * /healthz answers 200.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"

TestSuite(config, .timeout = 60);


static char *help(void) {
  char *argv[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "--help", NULL}, *out;

  cr_assert_eq(bgt_run(argv, NULL, &out, NULL), 0);
  return out;
}


Test(config, help_lists_every_option_with_its_variable_and_default) {
  static const char *const want[][3] = {
    {"--host", "BIDGATE_HOST", "0.0.0.0"}, {"--port", "BIDGATE_PORT", "8080"},
    {"--threads", "BIDGATE_THREADS", "0"}, {"--drain-timeout", "BIDGATE_DRAIN_TIMEOUT", "20"},
    {"--emf-interval", "BIDGATE_EMF_INTERVAL", "60"},
    {"--emf-service", "BIDGATE_EMF_SERVICE", "bidgate"},
    {"--max-body", "BIDGATE_MAX_BODY", "1048576"}, {"--max-header", "BIDGATE_MAX_HEADER", "16384"},
    {"--max-conns", "BIDGATE_MAX_CONNS", "10000"},
    {"--idle-timeout", "BIDGATE_IDLE_TIMEOUT", "60000"},
    {"--request-timeout", "BIDGATE_REQUEST_TIMEOUT", "10000"},
    {"--threshold", "BIDGATE_THRESHOLD", "0.5"}};
  char *out = help(), *line;
  size_t i, options = 0;

  for (i = 0; i < sizeof want / sizeof want[0]; i++) {
    line = strstr(out, bgt_fmt("  %s ", want[i][0]));
    cr_assert(line != NULL, "--help lacks %s:\n%s", want[i][0], out);
    line = strndup(line, strcspn(line, "\n"));
    cr_assert(strstr(line, want[i][1]) != NULL, "%s", line);
    cr_assert(strstr(line, bgt_fmt("(default %s)", want[i][2])) != NULL, "%s", line);
  }
  /* Each option line names its variable and a default. */
  for (line = strstr(out, "\n  --"); line != NULL; line = strstr(line + 1, "\n  --")) {
    char *l = strndup(line + 1, strcspn(line + 1, "\n"));
    cr_assert(strstr(l, " BIDGATE_") != NULL && strstr(l, "(default ") != NULL, "%s", l);
    options++;
  }
  cr_assert_geq(options, 17);
}


Test(config, the_task_definition_passes_only_known_variables) {
  char *yaml = bgt_read_file(bgt_fmt("%s/infra/service.yaml", bgt_env("BG_TEST_ROOT")), NULL);
  char *out = help(), *p = yaml;
  int seen = 0;

  while ((p = strstr(p, "Name: BIDGATE_")) != NULL) {
    char *name = strndup(p + 6, strspn(p + 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"));
    cr_assert(strstr(out, bgt_fmt(" %s ", name)) != NULL,
              "infra/service.yaml sets %s, which bidgate does not read", name);
    seen++;
    p += 6;
  }
  cr_assert_geq(seen, 8, "the task definition's variables were not found");
  /* The container health check is the binary's own command. */
  cr_assert(strstr(yaml, "\"/bidgate\", \"healthcheck\"") != NULL);
}


/* Run bidgate with args and env (NULL or "NAME=value"): exit status and stderr. */
static int refused(const char *env, const char *a1, const char *a2, char **err) {
  char *argv[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "serve", "--host", "127.0.0.1",
                  "--port", "0", (char *)a1, (char *)a2, NULL};
  char *name = NULL;
  int status;

  if (env != NULL) {
    name = strndup(env, strcspn(env, "="));
    setenv(name, strchr(env, '=') + 1, 1);
  }
  status = bgt_run(argv, NULL, NULL, err);
  if (name != NULL)
    unsetenv(name);
  return status;
}


Test(config, invalid_values_are_refused_at_start) {
  static const char *const cases[][4] = {
    /* flag, value, what the message must say, environment form */
    {"--threads", "two", "whole number", "BIDGATE_THREADS=two"},
    {"--threads", "100000", "more than", "BIDGATE_THREADS=100000"},
    {"--drain-timeout", "-1", "seconds", "BIDGATE_DRAIN_TIMEOUT=soon"},
    {"--emf-interval", "1.5", "whole number", "BIDGATE_EMF_INTERVAL=x"},
    {"--emf-interval", "100000", "more than a day", "BIDGATE_EMF_INTERVAL=100000"},
    {"--emf-service", "", "non-empty", "BIDGATE_EMF_SERVICE="},
    {"--max-body", "1e6", "whole number", "BIDGATE_MAX_BODY=big"},
    {"--max-conns", "0", "positive", "BIDGATE_MAX_CONNS=0"},
    {"--idle-timeout", "0", "positive", "BIDGATE_IDLE_TIMEOUT=0"},
    {"--max-header", "100", "at least 256", "BIDGATE_MAX_HEADER=100"},
    {"--port", "70000", "out of range", "BIDGATE_MAX_ROWS=0"},
    {"--explore", "2", "0 to 1", "BIDGATE_EXPLORE=2"},
  };
  size_t i;
  char *err;

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cr_assert_eq(refused(NULL, cases[i][0], cases[i][1], &err), 2, "%s %s was accepted",
                 cases[i][0], cases[i][1]);
    cr_assert(strstr(err, cases[i][2]) != NULL, "%s %s: %s", cases[i][0], cases[i][1], err);
    cr_assert(strstr(err, "bidgate: ") == err, "%s", err);
    cr_assert_eq(refused(cases[i][3], NULL, NULL, &err), 2, "%s was accepted", cases[i][3]);
  }
}


Test(config, environment_sets_threads_and_flags_win) {
  static const char *const args[] = {"--threads", "3", NULL};
  struct bgt_server s;
  struct bgt_response r;

  setenv("BIDGATE_THREADS", "2", 1);
  s = bgt_server_start(NULL);
  r = bgt_http(s.port, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", 34);
  cr_assert(strstr(r.body, "\nbidgate_threads 2\n") != NULL, "%s", r.body);
  bgt_server_stop(&s);
  s = bgt_server_start(args);
  r = bgt_http(s.port, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", 34);
  cr_assert(strstr(r.body, "\nbidgate_threads 3\n") != NULL, "%s", r.body);
  bgt_server_stop(&s);
  unsetenv("BIDGATE_THREADS");
}


Test(config, healthcheck_command) {
  struct bgt_server s = bgt_server_start(NULL);
  char *port = bgt_fmt("%d", s.port), *err;
  char *ok[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "healthcheck", "--port", port, NULL};
  char *by_env[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "healthcheck", NULL};
  char *bad[] = {(char *)bgt_env("BG_TEST_BIDGATE"), "healthcheck", "--port", "x", NULL};
  static const char head[] = "GET /v1/nothing HTTP/1.1\r\nHost: t\r\n";
  int busy;

  cr_assert_eq(bgt_run(ok, NULL, NULL, &err), 0, "%s", err);
  setenv("BIDGATE_PORT", port, 1);
  cr_assert_eq(bgt_run(by_env, NULL, NULL, &err), 0, "BIDGATE_PORT: %s", err);
  unsetenv("BIDGATE_PORT");
  cr_assert_eq(bgt_run(bad, NULL, NULL, &err), 2);
  /* Draining (a request keeps the server up): the listener is closed, so unhealthy. */
  busy = bgt_connect(s.port);
  cr_assert(bgt_send(busy, head, sizeof head - 1) == 0);
  usleep(100000);
  kill(s.pid, SIGTERM);
  usleep(200000);
  cr_assert_eq(bgt_run(ok, NULL, NULL, &err), 1, "healthy while draining");
  cr_assert(strstr(err, "bidgate healthcheck: 127.0.0.1:") != NULL, "%s", err);
  bgt_send(busy, "\r\n", 2);
  bgt_close(busy);
  bgt_server_stop(&s);
  /* Nothing listening at all. */
  cr_assert_eq(bgt_run(ok, NULL, NULL, &err), 1);
  cr_assert(strstr(err, "refused") != NULL, "%s", err);
}
