/* test_drain.c - SIGTERM under load: nothing accepted before the signal is lost.
 *
 * bidload sends /v1/filter requests at a fixed rate over keep-alive connections to a server
 * with two loops; SIGTERM comes in the middle. Every request bidload got an answer for, or had
 * in flight on a connection the server had accepted, must be answered 200: no timeouts, no
 * requests lost with their connection, no error statuses. Only new connections after the signal
 * may fail (the listeners are closed). The server exits 0 well within --drain-timeout. A request
 * that never completes holds the drain only until --drain-timeout.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"

TestSuite(drain, .timeout = 120);


static double now_s(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


/* Wait for pid to exit within limit seconds; its status, or -1 (then it is killed). */
static int wait_exit(pid_t pid, double limit) {
  double end = now_s() + limit;
  int status;

  while (now_s() < end) {
    if (waitpid(pid, &status, WNOHANG) == pid)
      return status;
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}


Test(drain, sigterm_under_load_loses_no_accepted_request) {
  static const char *const args[] = {"--threads", "2", "--drain-timeout", "10", "--bidders",
                                     "dsp-alpha,dsp-beta", "--emf-interval", "0", NULL};
  struct bgt_server s = bgt_server_start(args);
  char *dir = bgt_mkdtemp(), *json = bgt_fmt("%s/report.json", dir);
  char *text = bgt_fmt("%s/report.txt", dir), *url = bgt_fmt("http://127.0.0.1:%d/v1/filter",
                                                             s.port);
  const char *bidload = bgt_env("BG_TEST_BIDLOAD");
  pid_t load;
  int status;
  double t0;
  char *report, *lost;
  cJSON *j, *errors;

  fflush(NULL);
  load = fork();
  cr_assert(load >= 0);
  if (load == 0) {
    int fd = open(text, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    execl(bidload, bidload, url, "--rate", "1500", "--duration", "4s", "--connections", "16",
          "--timeout", "3000", "--json", json, (char *)NULL);
    _exit(127);
  }
  usleep(1500000);
  t0 = now_s();
  kill(s.pid, SIGTERM);
  status = wait_exit(s.pid, 15);
  s.pid = 0;
  cr_assert(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "the server exits 0 after SIGTERM (status 0x%x)", status);
  cr_assert_lt(now_s() - t0, 10, "the drain ends before --drain-timeout when all is answered");
  status = wait_exit(load, 30);
  cr_assert(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "bidload: 0x%x",
            status);
  report = bgt_read_file(text, NULL);
  j = cJSON_Parse(bgt_read_file(json, NULL));
  cr_assert(j != NULL, "no JSON report; text report:\n%s", report);
  errors = cJSON_GetObjectItem(j, "errors");
  cr_assert_gt(cJSON_GetObjectItem(j, "requests")->valuedouble, 1000,
               "requests answered before the signal:\n%s", report);
  cr_assert_eq(cJSON_GetObjectItem(errors, "timeout")->valuedouble, 0, "%s", report);
  cr_assert_null(cJSON_GetObjectItem(errors, "status")->child, "error statuses:\n%s", report);
  lost = strstr(report, "lost with their connection ");
  cr_assert(lost != NULL, "%s", report);
  cr_assert_eq(atoi(lost + strlen("lost with their connection ")), 0,
               "requests lost with a connection the server had accepted:\n%s", report);
  cJSON_Delete(j);
  bgt_rmrf(dir);
}


Test(drain, an_unfinished_request_holds_the_drain_only_until_the_deadline) {
  static const char *const args[] = {"--drain-timeout", "1", "--request-timeout", "60000",
                                     "--emf-interval", "0", NULL};
  static const char head[] = "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{";
  struct bgt_server s = bgt_server_start(args);
  int fd = bgt_connect(s.port), status;
  double t0, took;

  cr_assert(bgt_send(fd, head, sizeof head - 1) == 0);
  usleep(100000);
  t0 = now_s();
  kill(s.pid, SIGTERM);
  status = wait_exit(s.pid, 20);
  took = now_s() - t0;
  s.pid = 0;
  cr_assert(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
  cr_assert_geq(took, 0.9, "the drain waited for the request until the deadline (%.2f s)", took);
  cr_assert_lt(took, 10, "exit came at the deadline, not much later (%.2f s)", took);
  cr_assert(bgt_closed(fd, 1000));
  bgt_close(fd);
}
