/* thrift_load.c - closed-loop load for bidgate's Thrift endpoint (make bench-thrift).
 *
 *   thrift-load --port P [--host 127.0.0.1] [--connections 64] [--duration 5] [--framed]
 *               --calls FILE
 *
 * FILE holds one call per line, tab-separated: domainId, regionId, cityId, userAgent,
 * advertiserId (empty: the field is not sent); every call also carries bidId, dayOfWeek and
 * hour. Each connection sends a call, waits for its reply, sends the next (cycling through
 * FILE), like the sample's synchronous clients but many at once, from one thread with epoll.
 * At the end one line goes to stdout:
 *
 *   calls=N seconds=S rate=R errors=E p50_us=A p90_us=B p99_us=C max_us=D
 *
 * errors counts answers that are not a REPLY and connections lost. The Python client is far
 * too slow to load the server; this is the smallest thing that is not.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CALLS 4096
#define MAX_CALL 4096
#define HIST_US 100000 /* 1 us buckets up to 100 ms; slower calls land in the last one */

struct call {
  unsigned char b[MAX_CALL];
  size_t len;
};

struct conn {
  int fd;
  size_t next;            /* index of the call being sent */
  size_t sent;            /* bytes of it sent */
  unsigned char in[512];  /* the reply being read */
  size_t got;
  uint64_t start_ns;
};

static struct call calls[MAX_CALLS];
static size_t n_calls;
static uint32_t hist[HIST_US + 1];


static uint64_t now_ns(void) {
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}


static void put32(struct call *c, uint32_t v) {
  c->b[c->len++] = (unsigned char)(v >> 24);
  c->b[c->len++] = (unsigned char)(v >> 16);
  c->b[c->len++] = (unsigned char)(v >> 8);
  c->b[c->len++] = (unsigned char)v;
}


static void put_field(struct call *c, unsigned type, unsigned id) {
  c->b[c->len++] = (unsigned char)type;
  c->b[c->len++] = (unsigned char)(id >> 8);
  c->b[c->len++] = (unsigned char)id;
}


static void put_str(struct call *c, unsigned id, const char *s, size_t n) {
  put_field(c, 11, id);
  put32(c, (uint32_t)n);
  memcpy(c->b + c->len, s, n);
  c->len += n;
}


/* One call from a TSV line (fields cut to fit MAX_CALL). Returns 0 or -1. */
static int make_call(struct call *c, char *line, int framed, size_t k) {
  static const unsigned ids[] = {6, 4, 5, 10, 7}; /* domainId regionId cityId userAgent adv. */
  char bid[32], hour[8];
  char *f = line;
  size_t i;

  c->len = framed ? 4 : 0;
  put32(c, 0x80010001u);
  put32(c, 6);
  memcpy(c->b + c->len, "filter", 6);
  c->len += 6;
  put32(c, (uint32_t)k);
  put_field(c, 12, 1);
  snprintf(bid, sizeof bid, "bid-%zu", k);
  put_str(c, 1, bid, strlen(bid));
  put_field(c, 8, 2);
  put32(c, 1 + (uint32_t)(k % 7));
  snprintf(hour, sizeof hour, "%02zu", k % 24);
  put_str(c, 3, hour, 2);
  for (i = 0; i < 5; i++) {
    char *end = strchr(f, i < 4 ? '\t' : '\n');
    size_t n;
    if (end == NULL && i < 4)
      return -1;
    n = end != NULL ? (size_t)(end - f) : strlen(f);
    if (n > 0 && n < 1024)
      put_str(c, ids[i], f, n);
    f = end != NULL ? end + 1 : f + n;
  }
  c->b[c->len++] = 0;
  c->b[c->len++] = 0;
  if (framed) {
    uint32_t n = (uint32_t)(c->len - 4);
    c->b[0] = (unsigned char)(n >> 24);
    c->b[1] = (unsigned char)(n >> 16);
    c->b[2] = (unsigned char)(n >> 8);
    c->b[3] = (unsigned char)n;
  }
  return 0;
}


static int connect_to(const char *host, int port) {
  struct sockaddr_in a;
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

  if (fd < 0)
    return -1;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
      connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}


/* Send what remains of c's call; -1 when the connection is gone. */
static int send_more(struct conn *c) {
  const struct call *k = &calls[c->next % n_calls];

  while (c->sent < k->len) {
    ssize_t n = send(c->fd, k->b + c->sent, k->len - c->sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN)
      return 0;
    if (n <= 0)
      return -1;
    c->sent += (size_t)n;
  }
  return 0;
}


/* The length of the answer at c->in when complete, 0 when more is needed, -1 if malformed.
 * *ok: it is a REPLY. */
static long answer_len(const struct conn *c, int framed, int *ok) {
  const unsigned char *p = c->in + (framed ? 4 : 0);
  size_t have = c->got - (framed ? 4 : 0), name;

  if (framed) {
    uint32_t n;
    if (c->got < 4)
      return 0;
    n = (uint32_t)c->in[0] << 24 | (uint32_t)c->in[1] << 16 | (uint32_t)c->in[2] << 8 | c->in[3];
    if (n > sizeof c->in - 4)
      return -1;
    *ok = c->got >= 8 && p[3] == 2;
    return c->got >= 4 + n ? (long)(4 + n) : 0;
  }
  if (have < 8)
    return 0;
  if (p[0] != 0x80 || p[1] != 1)
    return -1;
  name = (size_t)p[4] << 24 | (size_t)p[5] << 16 | (size_t)p[6] << 8 | p[7];
  if (name > 256)
    return -1;
  *ok = p[3] == 2;
  if (!*ok)
    return -1; /* an exception's length is not worth parsing here: count it, drop the conn */
  /* REPLY: header (12 + name), STRUCT 0 { DOUBLE 1 x STOP } STOP = 16 bytes. */
  return have >= 12 + name + 16 ? (long)(12 + name + 16) : 0;
}


int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *path = NULL;
  int port = 0, conns = 64, framed = 0, ep, i;
  double duration = 5;
  uint64_t start, end, count = 0, errors = 0, max_us = 0;
  struct conn *cs;
  struct epoll_event ev, evs[256];
  char line[8192];
  FILE *f;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--framed") == 0)
      framed = 1;
    else if (i + 1 < argc && strcmp(argv[i], "--port") == 0)
      port = atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--host") == 0)
      host = argv[++i];
    else if (i + 1 < argc && strcmp(argv[i], "--connections") == 0)
      conns = atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--duration") == 0)
      duration = atof(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--calls") == 0)
      path = argv[++i];
    else {
      fprintf(stderr, "thrift-load: unknown option %s (see the file's header)\n", argv[i]);
      return 2;
    }
  }
  if (port <= 0 || path == NULL || conns < 1 || conns > 10000 || !(duration > 0)) {
    fprintf(stderr, "thrift-load: --port and --calls are required\n");
    return 2;
  }
  if ((f = fopen(path, "r")) == NULL) {
    fprintf(stderr, "thrift-load: cannot read %s\n", path);
    return 1;
  }
  while (n_calls < MAX_CALLS && fgets(line, sizeof line, f) != NULL)
    if (make_call(&calls[n_calls], line, framed, n_calls) == 0)
      n_calls++;
  fclose(f);
  if (n_calls == 0) {
    fprintf(stderr, "thrift-load: no calls in %s\n", path);
    return 1;
  }
  cs = calloc((size_t)conns, sizeof *cs);
  ep = epoll_create1(0);
  if (cs == NULL || ep < 0) {
    fprintf(stderr, "thrift-load: out of resources\n");
    return 1;
  }
  start = now_ns();
  for (i = 0; i < conns; i++) {
    cs[i].fd = connect_to(host, port);
    cs[i].next = (size_t)i;
    if (cs[i].fd < 0) {
      fprintf(stderr, "thrift-load: cannot connect to %s:%d\n", host, port);
      return 1;
    }
    ev.events = EPOLLIN;
    ev.data.ptr = &cs[i];
    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    cs[i].start_ns = now_ns();
    if (send_more(&cs[i]) != 0)
      return 1;
  }
  end = start + (uint64_t)(duration * 1e9);
  while (now_ns() < end) {
    int n = epoll_wait(ep, evs, 256, 100), k;
    for (k = 0; k < n; k++) {
      struct conn *c = evs[k].data.ptr;
      ssize_t r;
      long len;
      int ok = 0;
      if (c->fd < 0)
        continue;
      if (send_more(c) != 0)
        goto lost;
      r = recv(c->fd, c->in + c->got, sizeof c->in - c->got, 0);
      if (r < 0 && errno == EAGAIN)
        continue;
      if (r <= 0)
        goto lost;
      c->got += (size_t)r;
      while ((len = answer_len(c, framed, &ok)) > 0) {
        uint64_t t = now_ns(), us = (t - c->start_ns) / 1000;
        if (ok) {
          count++;
          hist[us < HIST_US ? us : HIST_US]++;
          max_us = us > max_us ? us : max_us;
        } else {
          errors++;
        }
        memmove(c->in, c->in + len, c->got - (size_t)len);
        c->got -= (size_t)len;
        c->next += (size_t)conns;
        c->sent = 0;
        c->start_ns = t;
        if (send_more(c) != 0)
          goto lost;
      }
      if (len < 0)
        goto lost;
      continue;
    lost:
      errors++;
      close(c->fd);
      c->fd = -1;
    }
  }
  {
    double secs = (double)(now_ns() - start) / 1e9;
    uint64_t seen = 0, p50 = 0, p90 = 0, p99 = 0;
    int have50 = 0, have90 = 0, have99 = 0;
    size_t us;
    for (us = 0; us <= HIST_US && count > 0; us++) {
      seen += hist[us];
      if (!have50 && seen * 100 >= count * 50)
        p50 = us, have50 = 1;
      if (!have90 && seen * 100 >= count * 90)
        p90 = us, have90 = 1;
      if (!have99 && seen * 100 >= count * 99)
        p99 = us, have99 = 1;
    }
    printf("calls=%llu seconds=%.2f rate=%.0f errors=%llu p50_us=%llu p90_us=%llu p99_us=%llu "
           "max_us=%llu\n", (unsigned long long)count, secs, (double)count / secs,
           (unsigned long long)errors, (unsigned long long)p50, (unsigned long long)p90,
           (unsigned long long)p99, (unsigned long long)max_us);
  }
  return 0;
}
