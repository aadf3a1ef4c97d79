/* test_idle_conns.c - 10,000 idle keep-alive connections do not slow the active ones.
 *
 * One client connection sends /v1/filter requests back to back and times each; its p99 is
 * measured (median of several runs) with no other connection open, then with 10,000 idle
 * keep-alive connections open (each has made one request), then again after they close. The p99
 * with them open must stay under twice the larger of the two baselines: an event loop pays
 * nothing per idle connection per request (no scan, no timer per connection). Timing on a
 * shared 2-core machine is noisy, hence medians, a baseline on both sides, and this suite
 * running alone (SERIAL_TESTS).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"

#define IDLE 10000
#define REQUESTS 1500
#define RUNS 5

TestSuite(idle_conns, .timeout = 240);


static double now_us(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}


static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}


/* p99 of REQUESTS back-to-back requests on one keep-alive connection, in microseconds. */
static double p99_once(int port, const char *req, size_t n) {
  static double lat[REQUESTS];
  int fd = bgt_connect(port), i;

  for (i = 0; i < REQUESTS; i++) {
    double t0 = now_us();
    struct bgt_response r;
    cr_assert(bgt_send(fd, req, n) == 0);
    r = bgt_read_response(fd);
    lat[i] = now_us() - t0;
    cr_assert_eq(r.status, 200, "%s", r.body);
    bgt_response_free(&r);
  }
  bgt_close(fd);
  qsort(lat, REQUESTS, sizeof lat[0], cmp_double);
  return lat[REQUESTS * 99 / 100];
}


static double p99_median(int port, const char *req, size_t n) {
  double runs[RUNS];
  int i;

  for (i = 0; i < RUNS; i++)
    runs[i] = p99_once(port, req, n);
  qsort(runs, RUNS, sizeof runs[0], cmp_double);
  return runs[RUNS / 2];
}


Test(idle_conns, ten_thousand_idle_connections_do_not_double_p99) {
  static const char *const args[] = {"--max-conns", "20000", "--bidders", "dsp-alpha,dsp-beta",
                                     "--emf-interval", "0", NULL};
  static const char health[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
  struct rlimit rl;
  struct bgt_server s;
  char *body = bgt_read_file(bgt_fmt("%s/aws-rtb/request.json", bgt_env("BG_TEST_MODELS")), NULL);
  size_t n;
  char *req = bgt_post(body, &n);
  double before, during, after, base;
  static int fds[IDLE];
  int i;

  /* Room for the idle connections on both ends (the server inherits this limit). */
  cr_assert(getrlimit(RLIMIT_NOFILE, &rl) == 0);
  if (rl.rlim_max < IDLE + 2048)
    rl.rlim_max = IDLE + 2048;
  rl.rlim_cur = rl.rlim_max;
  cr_assert(setrlimit(RLIMIT_NOFILE, &rl) == 0, "cannot raise RLIMIT_NOFILE to %lu",
            (unsigned long)rl.rlim_max);
  s = bgt_server_start(args);

  p99_once(s.port, req, n); /* warm-up */
  before = p99_median(s.port, req, n);
  for (i = 0; i < IDLE; i++) {
    struct bgt_response r;
    fds[i] = bgt_connect(s.port);
    cr_assert(bgt_send(fds[i], health, sizeof health - 1) == 0);
    r = bgt_read_response(fds[i]);
    cr_assert_eq(r.status, 200, "idle connection %d", i);
    bgt_response_free(&r);
  }
  {
    struct bgt_response r = bgt_http(s.port, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", 34);
    cr_assert(strstr(r.body, bgt_fmt("\nbidgate_connections %d\n", IDLE + 1)) != NULL,
              "the server holds all %d idle connections", IDLE);
  }
  during = p99_median(s.port, req, n);
  for (i = 0; i < IDLE; i++)
    bgt_close(fds[i]);
  usleep(200000);
  after = p99_median(s.port, req, n);
  base = before > after ? before : after;
  fprintf(stderr, "idle_conns: p99 %.0f us before, %.0f us with %d idle connections, %.0f us after\n",
          before, during, IDLE, after);
  cr_assert_lt(during, 2 * base, "p99 %.0f us with %d idle connections; %.0f / %.0f us without",
               during, IDLE, before, after);
  bgt_server_stop(&s);
}
