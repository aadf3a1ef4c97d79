/* thrift_server.c - the Thrift listener and its connections on one event loop (see
 * thrift_server.h).
 *
 * The shape follows server.c's HTTP connections: one read callback does all the work for the
 * bytes it got (every complete message is decoded and answered into the output buffer), then
 * one write sends all answers; while a write is pending reading stops, so a client that does
 * not read cannot make the server buffer without bound. Unconsumed bytes (a message not yet
 * complete) stay at the front of the connection's input buffer; the decoder resumes on them
 * (thrift_proto.h), and no message can grow the buffer past the message limit.
 *
 * A malformed message gets its TApplicationException (when the table names one), then the
 * connection shuts its write side and discards what still comes for a short while ("lingering
 * close", as for HTTP) so the client reads the answer rather than a reset. Timeouts: a message
 * must be complete within --request-timeout of its first byte; an idle connection closes after
 * --idle-timeout; one timer per loop sweeps the list.
 */
#define _DEFAULT_SOURCE /* SO_REUSEPORT */
#include "thrift_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <uv.h>

#include "buf.h"
#include "config.h"
#include "conn.h"
#include "thrift_call.h"

#define LINGER_MS 2000u
#define BACKLOG 1024
#define READ_CHUNK 16384 /* room offered to each socket read */

struct bg_thrift_srv;

struct tconn {
  uv_tcp_t tcp;                /* first: libuv hands back &tcp */
  struct bg_thrift_srv *srv;
  struct tconn *prev, *next;   /* the listener's list, swept for timeouts */
  struct bg_thrift_dec dec;
  uint8_t *in;                 /* bytes read and not yet consumed, from in[0] */
  size_t in_len, in_cap;
  struct bg_buf out;           /* answers not yet written */
  uv_write_t write_req;
  uv_shutdown_t shutdown_req;
  uint64_t deadline;           /* loop time (ms) when the sweep acts */
  unsigned writing : 1;        /* a uv_write is in flight (reading is stopped meanwhile) */
  unsigned close_after : 1;    /* close once the queued answers are written */
  unsigned lingering : 1;      /* write side shut; discarding until EOF or the deadline */
  unsigned closed : 1;         /* uv_close was called */
};

struct bg_thrift_srv {
  struct bg_loop *loop;
  uv_tcp_t listener;
  uv_timer_t sweep;
  struct bg_thrift_svc svc;
  struct tconn conns;          /* list head */
  unsigned num_conns;
  unsigned open_handles;       /* listener and timer not yet closed; 0: free this */
  size_t max_buffer;           /* input buffer cap: one whole message and some read-ahead */
  struct bg_thrift_counters counters;
};

/* Process totals, added to as each loop stops. */
static _Atomic uint64_t total_calls;
static _Atomic uint64_t total_errors[BG_THRIFT_E_COUNT];
/* The port the first loop bound, for the loops after it when the kernel chose it. */
static _Atomic unsigned bound_port;


static void list_add(struct bg_thrift_srv *s, struct tconn *c) {
  c->next = s->conns.next;
  c->prev = &s->conns;
  s->conns.next->prev = c;
  s->conns.next = c;
  s->num_conns++;
}


static void list_remove(struct bg_thrift_srv *s, struct tconn *c) {
  c->prev->next = c->next;
  c->next->prev = c->prev;
  c->prev = c->next = c;
  s->num_conns--;
}


static void on_conn_closed(uv_handle_t *h) {
  struct tconn *c = (struct tconn *)h;

  free(c->in);
  bg_buf_free(&c->out);
  free(c);
}


static void conn_close(struct tconn *c) {
  if (c->closed)
    return;
  c->closed = 1;
  list_remove(c->srv, c);
  uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}


static uint64_t now_ms(const struct tconn *c) {
  return uv_now(c->srv->loop->uv);
}


static void count(struct bg_thrift_srv *s, int e) {
  if (e > 0 && e < BG_THRIFT_E_COUNT)
    s->counters.errors[e]++;
}


/* Room for the next read at the end of the unconsumed bytes, within max_buffer. */
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  struct tconn *c = (struct tconn *)h;
  size_t want = c->in_len + READ_CHUNK;

  (void)suggested;
  if (want > c->srv->max_buffer)
    want = c->srv->max_buffer;
  if (c->in_cap < want) {
    uint8_t *p = realloc(c->in, want);
    if (p != NULL) {
      c->in = p;
      c->in_cap = want;
    }
  }
  *buf = uv_buf_init((char *)c->in + c->in_len,
                     c->in != NULL ? (unsigned)(c->in_cap - c->in_len) : 0);
}


static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf);


static void on_shutdown(uv_shutdown_t *req, int status) {
  struct tconn *c = req->data;

  if (status < 0)
    conn_close(c);
}


/* Every answer is out and the connection must close: shut the write side, then discard what
 * still comes until EOF or a short deadline. */
static void linger(struct tconn *c) {
  c->lingering = 1;
  c->deadline = now_ms(c) + LINGER_MS;
  c->shutdown_req.data = c;
  if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) != 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}


static void on_written(uv_write_t *req, int status) {
  struct tconn *c = req->data;

  c->writing = 0;
  c->out.len = 0;
  if (c->closed)
    return;
  if (status < 0) {
    conn_close(c);
    return;
  }
  if (c->close_after) {
    linger(c);
    return;
  }
  if (c->in_len == 0)
    c->deadline = now_ms(c) + c->srv->loop->cfg->idle_timeout_ms;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}


/* Hand c->out to the kernel: at once if it takes it all, else by a uv_write, reading paused. */
static void flush(struct tconn *c) {
  if (c->closed || c->writing)
    return;
  if (c->out.len > 0) {
    uv_buf_t b = uv_buf_init(c->out.p, (unsigned)c->out.len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n == UV_EAGAIN)
      n = 0;
    if (n < 0) {
      conn_close(c);
      return;
    }
    if ((size_t)n < c->out.len) {
      b = uv_buf_init(c->out.p + n, (unsigned)(c->out.len - (size_t)n));
      c->write_req.data = c;
      if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
        conn_close(c);
        return;
      }
      c->writing = 1;
      c->deadline = now_ms(c) + c->srv->loop->cfg->idle_timeout_ms;
      uv_read_stop((uv_stream_t *)&c->tcp);
      return;
    }
    c->out.len = 0;
  }
  if (c->close_after && !c->lingering)
    linger(c);
}


/* Decode and answer every complete message in c->in; keep the rest for the next read.
 * had_partial: the bytes before this read were part of a message, whose clock runs. */
static void process(struct tconn *c, int had_partial) {
  struct bg_thrift_srv *s = c->srv;
  int64_t now = (int64_t)time(NULL);
  size_t off = 0;
  long n;
  int r;

  for (;;) {
    n = bg_thrift_decode(&c->dec, c->in + off, c->in_len - off);
    if (n == 0)
      break;
    if (n < 0) {
      /* The stream cannot be trusted past a malformed message (every decoder error closes):
       * answer it if the table says how, then close. */
      count(s, (int)-n);
      bg_thrift_answer_error(&s->svc, &c->dec, (int)-n, &c->out);
      c->close_after = 1;
      uv_read_stop((uv_stream_t *)&c->tcp);
      c->in_len = 0;
      return;
    }
    r = bg_thrift_answer(&s->svc, &c->dec.msg, now, &c->out);
    if (r < 0) {
      conn_close(c); /* out of memory: nothing sensible can be answered */
      return;
    }
    if (r == 0)
      s->counters.calls++;
    count(s, r);
    off += (size_t)n;
    had_partial = 0;
  }
  if (off > 0)
    memmove(c->in, c->in + off, c->in_len - off);
  c->in_len -= off;
  /* A message's clock starts at its first byte; an idle connection's at its last answer. */
  if (c->in_len == 0)
    c->deadline = now_ms(c) + s->loop->cfg->idle_timeout_ms;
  else if (!had_partial)
    c->deadline = now_ms(c) + s->loop->cfg->request_timeout_ms;
}


static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
  struct tconn *c = (struct tconn *)st;

  (void)buf;
  if (n == 0 || c->closed)
    return;
  if (n < 0) {
    /* EOF or error. A message cut off by it is counted; answers already queued still go. */
    if (c->lingering) {
      conn_close(c);
      return;
    }
    if (c->in_len > 0) {
      count(c->srv, BG_THRIFT_E_TRUNCATED);
      c->in_len = 0;
    }
    if (n != UV_EOF || (c->out.len == 0 && !c->writing)) {
      conn_close(c);
      return;
    }
    c->close_after = 1;
    uv_read_stop(st);
    flush(c);
    return;
  }
  if (c->lingering)
    return; /* discard */
  c->in_len += (size_t)n;
  process(c, c->in_len > (size_t)n);
  flush(c);
}


static void on_connection(uv_stream_t *server, int status) {
  struct bg_thrift_srv *s = server->data;
  const struct bg_config *cfg = s->loop->cfg;
  struct tconn *c;

  if (status < 0)
    return;
  c = calloc(1, sizeof *c);
  if (c == NULL || uv_tcp_init(s->loop->uv, &c->tcp) != 0) {
    free(c);
    return;
  }
  c->srv = s;
  c->prev = c->next = c;
  list_add(s, c);
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || s->num_conns > cfg->max_conns) {
    conn_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  bg_thrift_dec_init(&c->dec, cfg->max_body, cfg->thrift_framed);
  c->deadline = uv_now(s->loop->uv) + cfg->idle_timeout_ms;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}


static void on_sweep(uv_timer_t *t) {
  struct bg_thrift_srv *s = t->data;
  uint64_t now = uv_now(s->loop->uv);
  struct tconn *c, *next;

  for (c = s->conns.next; c != &s->conns; c = next) {
    next = c->next;
    if (now < c->deadline)
      continue;
    /* A message still incomplete: no answer can name it reliably, so close cleanly. */
    if (!c->lingering && c->in_len > 0)
      count(s, BG_THRIFT_E_TIMEOUT);
    conn_close(c);
  }
}


static void on_handle_closed(uv_handle_t *h) {
  struct bg_thrift_srv *s = h->data;

  if (--s->open_handles == 0) {
    bg_thrift_svc_free(&s->svc);
    free(s);
  }
}


/* Bind and listen on cfg's host and port p; *bound gets the port. Returns 0 or -1 with err. */
static int listen_on(struct bg_thrift_srv *s, unsigned p, unsigned *bound, char *err,
                     size_t errsz) {
  const struct bg_config *cfg = s->loop->cfg;
  struct sockaddr_storage addr;
  int family, fd, one = 1, r, namelen = sizeof addr;

  memset(&addr, 0, sizeof addr);
  if (uv_ip4_addr(cfg->host, (int)p, (struct sockaddr_in *)&addr) == 0) {
    family = AF_INET;
  } else if (uv_ip6_addr(cfg->host, (int)p, (struct sockaddr_in6 *)&addr) == 0) {
    family = AF_INET6;
  } else {
    snprintf(err, errsz, "--host %s is not a numeric IPv4 or IPv6 address", cfg->host);
    return -1;
  }
  if ((r = uv_tcp_init_ex(s->loop->uv, &s->listener, (unsigned)family)) != 0) {
    snprintf(err, errsz, "thrift socket: %s", uv_strerror(r));
    return -1;
  }
  s->listener.data = s;
  s->open_handles++;
  if (uv_fileno((uv_handle_t *)&s->listener, &fd) == 0)
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if ((r = uv_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0)) != 0 ||
      (r = uv_listen((uv_stream_t *)&s->listener, BACKLOG, on_connection)) != 0 ||
      (r = uv_tcp_getsockname(&s->listener, (struct sockaddr *)&addr, &namelen)) != 0) {
    snprintf(err, errsz, "cannot listen for Thrift on %s port %u: %s", cfg->host, p,
             uv_strerror(r));
    return -1;
  }
  *bound = ntohs(family == AF_INET ? ((struct sockaddr_in *)&addr)->sin_port
                                   : ((struct sockaddr_in6 *)&addr)->sin6_port);
  return 0;
}


int bg_thrift_start(struct bg_loop *l, char *err, size_t errsz) {
  const struct bg_config *cfg = l->cfg;
  struct bg_thrift_srv *s;
  unsigned port, bound = 0;
  uint64_t period;

  if (cfg->thrift_port < 0 || l->thrift != NULL)
    return 0;
  s = calloc(1, sizeof *s);
  if (s == NULL) {
    snprintf(err, errsz, "out of memory");
    return -1;
  }
  s->loop = l;
  s->conns.next = s->conns.prev = &s->conns;
  s->max_buffer = (cfg->max_body < 0x7fffffff ? cfg->max_body : 0x7fffffff) + 4 + READ_CHUNK;
  if (bg_thrift_svc_init(&s->svc, l->model, l->features, cfg->thrift_framed, err, errsz) != 0) {
    free(s);
    return -1;
  }
  port = (unsigned)cfg->thrift_port;
  if (port == 0)
    port = atomic_load(&bound_port);
  if (listen_on(s, port, &bound, err, errsz) != 0) {
    if (s->open_handles > 0) {
      uv_close((uv_handle_t *)&s->listener, on_handle_closed);
    } else {
      bg_thrift_svc_free(&s->svc);
      free(s);
    }
    return -1;
  }
  if (atomic_load(&bound_port) == 0) {
    atomic_store(&bound_port, bound);
  }
  uv_timer_init(l->uv, &s->sweep);
  s->sweep.data = s;
  s->open_handles++;
  period = (cfg->request_timeout_ms < cfg->idle_timeout_ms ? cfg->request_timeout_ms
                                                           : cfg->idle_timeout_ms) / 4;
  period = period < 10 ? 10 : period > 1000 ? 1000 : period;
  uv_timer_start(&s->sweep, on_sweep, period, period);
  l->thrift = s;
  return 0;
}


void bg_thrift_announce(const struct bg_config *cfg) {
  if (cfg->thrift_port < 0)
    return;
  printf("bidgate: thrift on %s%s%s:%u (%s, %s.%s)\n", strchr(cfg->host, ':') ? "[" : "",
         cfg->host, strchr(cfg->host, ':') ? "]" : "", atomic_load(&bound_port),
         cfg->thrift_framed ? "framed" : "unframed", BG_THRIFT_SERVICE, BG_THRIFT_METHOD);
  fflush(stdout);
}


void bg_thrift_stop(struct bg_loop *l) {
  struct bg_thrift_srv *s = l->thrift;
  struct tconn *c, *next;
  int e;

  if (s == NULL)
    return;
  l->thrift = NULL;
  atomic_fetch_add(&total_calls, s->counters.calls);
  for (e = 1; e < BG_THRIFT_E_COUNT; e++)
    atomic_fetch_add(&total_errors[e], s->counters.errors[e]);
  for (c = s->conns.next; c != &s->conns; c = next) {
    next = c->next;
    conn_close(c);
  }
  uv_close((uv_handle_t *)&s->listener, on_handle_closed);
  uv_close((uv_handle_t *)&s->sweep, on_handle_closed);
}


void bg_thrift_counters(const struct bg_loop *l, struct bg_thrift_counters *out) {
  if (l->thrift != NULL)
    *out = l->thrift->counters;
  else
    memset(out, 0, sizeof *out);
}


void bg_thrift_totals(struct bg_thrift_counters *out) {
  int e;

  memset(out, 0, sizeof *out);
  out->calls = atomic_load(&total_calls);
  for (e = 1; e < BG_THRIFT_E_COUNT; e++)
    out->errors[e] = atomic_load(&total_errors[e]);
}


void bg_thrift_counters_format(const struct bg_thrift_counters *c, char *buf, size_t n) {
  uint64_t errors = 0;
  size_t len;
  int e;

  for (e = 1; e < BG_THRIFT_E_COUNT; e++)
    errors += c->errors[e];
  snprintf(buf, n, "calls=%llu errors=%llu", (unsigned long long)c->calls,
           (unsigned long long)errors);
  for (e = 1; e < BG_THRIFT_E_COUNT; e++) {
    len = strlen(buf);
    if (c->errors[e] > 0 && len < n)
      snprintf(buf + len, n - len, " %s=%llu", bg_thrift_err_label(e),
               (unsigned long long)c->errors[e]);
  }
}
