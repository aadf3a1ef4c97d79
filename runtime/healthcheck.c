/* healthcheck.c - one GET /healthz over loopback with plain sockets and a deadline (see
 * healthcheck.h). No libuv: a one-shot client needs none. */
#define _DEFAULT_SOURCE
#include "healthcheck.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 2000


static long long now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


/* Wait until fd is ready for events or the deadline; 0, or -1 on timeout or error. */
static int wait_for(int fd, short events, long long deadline) {
  struct pollfd p = {fd, events, 0};
  long long left = deadline - now_ms();
  int r;

  if (left <= 0)
    return -1;
  do
    r = poll(&p, 1, (int)left);
  while (r < 0 && errno == EINTR);
  return r == 1 ? 0 : -1;
}


static int parse_port(const char *s, unsigned *port) {
  char *end;
  unsigned long v;

  if (s == NULL || *s < '0' || *s > '9')
    return -1;
  v = strtoul(s, &end, 10);
  if (*end != '\0' || v == 0 || v > 65535)
    return -1;
  *port = (unsigned)v;
  return 0;
}


/* The status of GET /healthz on 127.0.0.1:port, or -1 with *why set. */
static int get_healthz(unsigned port, const char **why) {
  static const char req[] = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bidgate "
                            "healthcheck\r\nConnection: close\r\n\r\n";
  long long deadline = now_ms() + DEADLINE_MS;
  struct sockaddr_in a;
  char buf[256];
  size_t got = 0, sent = 0;
  int fd, status = -1, soerr = 0;
  socklen_t len = sizeof soerr;

  fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *why = strerror(errno);
    return -1;
  }
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
    *why = strerror(errno);
    goto out;
  }
  if (wait_for(fd, POLLOUT, deadline) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
    *why = soerr != 0 ? strerror(soerr) : "connect timed out";
    goto out;
  }
  while (sent < sizeof req - 1) {
    ssize_t k = send(fd, req + sent, sizeof req - 1 - sent, MSG_NOSIGNAL);
    if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (wait_for(fd, POLLOUT, deadline) != 0) {
        *why = "send timed out";
        goto out;
      }
      continue;
    }
    if (k <= 0) {
      *why = strerror(errno);
      goto out;
    }
    sent += (size_t)k;
  }
  /* The status line is all that matters: "HTTP/1.1 200 ...". */
  while (got < sizeof buf - 1 && memchr(buf, '\n', got) == NULL) {
    ssize_t k;
    if (wait_for(fd, POLLIN, deadline) != 0) {
      *why = "no answer within 2 s";
      goto out;
    }
    k = recv(fd, buf + got, sizeof buf - 1 - got, 0);
    if (k < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (k <= 0) {
      *why = "the connection closed before an answer";
      goto out;
    }
    got += (size_t)k;
  }
  buf[got] = '\0';
  if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
    *why = "the answer is not HTTP";
    status = -1;
  }
out:
  close(fd);
  return status;
}


int bg_healthcheck_main(int argc, char **argv) {
  const char *env = getenv("BIDGATE_PORT"), *why = NULL;
  unsigned port = 8080;
  int status;

  if (env != NULL && *env != '\0' && parse_port(env, &port) != 0) {
    fprintf(stderr, "bidgate healthcheck: BIDGATE_PORT=\"%.40s\" is not a port\n", env);
    return 2;
  }
  if ((argc == 2 && strcmp(argv[0], "--port") == 0) ||
      (argc == 1 && strncmp(argv[0], "--port=", 7) == 0)) {
    const char *v = argc == 2 ? argv[1] : argv[0] + 7;
    if (parse_port(v, &port) != 0) {
      fprintf(stderr, "bidgate healthcheck: --port \"%.40s\" is not a port (1..65535)\n", v);
      return 2;
    }
  } else if (argc != 0) {
    fprintf(stderr, "usage: bidgate healthcheck [--port P]\n");
    return 2;
  }
  status = get_healthz(port, &why);
  if (status == 200)
    return 0;
  if (status > 0)
    fprintf(stderr, "bidgate healthcheck: 127.0.0.1:%u/healthz answered %d\n", port, status);
  else
    fprintf(stderr, "bidgate healthcheck: 127.0.0.1:%u/healthz: %s\n", port, why);
  return 1;
}
