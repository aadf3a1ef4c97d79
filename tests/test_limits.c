/* test_limits.c - each configurable limit: past it, the right status or a clean close, and a
 * count in /metrics.
 *
 * --max-header (431), --max-body (413), --request-timeout (408 for a request that stops
 * arriving), --idle-timeout (an idle keep-alive connection closes without an answer),
 * --max-conns (a connection past it is closed at once, all loops together).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"

TestSuite(limits, .timeout = 60);


static double metric(int port, const char *series) {
  static const char req[] = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n";
  struct bgt_response r = bgt_http(port, req, sizeof req - 1);
  char *p = strstr(r.body, bgt_fmt("\n%s ", series));
  double v;

  cr_assert(p != NULL, "no %s in:\n%s", series, r.body);
  v = strtod(p + strlen(series) + 2, NULL);
  bgt_response_free(&r);
  return v;
}


Test(limits, header_body_and_request_time) {
  static const char *const args[] = {"--threads", "2", "--max-header", "512", "--max-body", "1024",
                                     "--request-timeout", "300", "--emf-interval", "0", NULL};
  struct bgt_server s = bgt_server_start(args);
  char big[700];
  char *req;
  struct bgt_response r;
  int fd;

  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  req = bgt_fmt("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n", big);
  r = bgt_http(s.port, req, strlen(req));
  cr_assert_eq(r.status, 431);
  cr_assert(r.closes);
  req = bgt_fmt("POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n");
  r = bgt_http(s.port, req, strlen(req));
  cr_assert_eq(r.status, 413);
  fd = bgt_connect(s.port);
  cr_assert(bgt_send(fd, "POST /v1/filter HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n{", 57) == 0);
  r = bgt_read_response(fd); /* the server answers when the request time is up */
  cr_assert_eq(r.status, 408);
  cr_assert(r.closes);
  bgt_close(fd);
  cr_assert_eq(metric(s.port, "bidgate_errors_total{code=\"headers_too_large\"}"), 1);
  cr_assert_eq(metric(s.port, "bidgate_errors_total{code=\"body_too_large\"}"), 1);
  cr_assert_eq(metric(s.port, "bidgate_errors_total{code=\"request_timeout\"}"), 1);
  cr_assert_eq(metric(s.port, "bidgate_requests_total{route=\"none\",status=\"408\"}"), 1);
  bgt_server_stop(&s);
}


Test(limits, idle_timeout_closes_cleanly) {
  static const char *const args[] = {"--idle-timeout", "300", "--emf-interval", "0", NULL};
  static const char health[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
  struct bgt_server s = bgt_server_start(args);
  int fd = bgt_connect(s.port);
  struct bgt_response r;

  cr_assert(bgt_send(fd, health, sizeof health - 1) == 0);
  r = bgt_read_response(fd);
  cr_assert_eq(r.status, 200);
  cr_assert(bgt_closed(fd, 3000), "an idle keep-alive connection closes after --idle-timeout");
  r = bgt_read_response(fd);
  cr_assert_eq(r.status, 0, "and says nothing");
  bgt_close(fd);
  cr_assert_geq(metric(s.port, "bidgate_connections_closed_total{reason=\"idle_timeout\"}"), 1);
  bgt_server_stop(&s);
}


Test(limits, max_conns_counts_every_loop) {
  static const char *const args[] = {"--threads", "2", "--max-conns", "4", "--emf-interval", "0",
                                     NULL};
  static const char health[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
  struct bgt_server s = bgt_server_start(args);
  int fds[5], i;

  for (i = 0; i < 4; i++) {
    struct bgt_response r;
    fds[i] = bgt_connect(s.port);
    cr_assert(bgt_send(fds[i], health, sizeof health - 1) == 0);
    r = bgt_read_response(fds[i]);
    cr_assert_eq(r.status, 200, "connection %d of 4", i + 1);
  }
  /* The fifth, whichever loop gets it, is closed at once, without an answer. */
  fds[4] = bgt_connect(s.port);
  bgt_send(fds[4], health, sizeof health - 1);
  cr_assert(bgt_closed(fds[4], 3000), "a connection past --max-conns is closed");
  bgt_close(fds[4]);
  bgt_close(fds[3]);
  usleep(200000); /* its close reaches the server: room for the metrics request */
  cr_assert_eq(metric(s.port, "bidgate_connections_closed_total{reason=\"max_conns\"}"), 1);
  for (i = 0; i < 3; i++)
    bgt_close(fds[i]);
  bgt_server_stop(&s);
}
