/* server.c - the event loops: listeners, connections, reads, writes, timeouts, drain (see
 * server.h).
 *
 * One loop per thread, each with its own listener on the same port (SO_REUSEPORT: the kernel
 * spreads new connections over them), its own connections and counters; a connection never
 * leaves its loop, so the request path takes no lock. The main thread runs a small control loop
 * of its own: signals, the EMF line, the drain deadline; it talks to the worker loops through
 * uv_async (their "wake" handle) and two atomic flags (draining, stopping).
 *
 * Drain (SIGTERM): every loop accepts what is already queued, closes its listener, closes its
 * idle connections, and lets each busy one finish its request, whose answer says
 * "Connection: close". A loop ends when its last connection has closed; the process exits 0 when
 * every loop has ended, or at --drain-timeout, whichever comes first.
 *
 * One read callback does all of a connection's work for the bytes it got: http.c parses them
 * and every complete request is answered into the connection's output buffer, then one write
 * (uv_try_write first: on loopback and healthy networks the kernel takes it all at once) sends
 * the answers of all pipelined requests together. While a write is pending, reading stops, so a
 * client that does not read its answers cannot make the server buffer without bound.
 *
 * Timeouts cost nothing per request: each connection keeps a deadline (loop time, ms) and one
 * timer per loop sweeps the list a few times per timeout period. A request still incomplete at
 * its deadline gets 408 and the connection closes; an idle keep-alive connection just closes.
 *
 * A connection that must close after an error answer "lingers" (as nginx does): it shuts its
 * write side, then reads and discards what the client still sends for a short while, so the
 * client receives the answer instead of a reset caused by unread data.
 */
#define _GNU_SOURCE /* SO_REUSEPORT, accept4, sched_getaffinity */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "emf.h"
#include "http.h"
#include "http_errors.h"
#include "respond.h"
#include "thrift_server.h"

#define LINGER_MS 2000u
#define BACKLOG 4096
#define DRAIN_SWEEP_MS 20u /* while draining, idle connections are looked at this often */
/* While draining, a connection idle this long is closed; one busier than that is likely to send
 * its next request soon, and answering it with "Connection: close" loses nothing, while
 * closing under a request the client is sending at that moment would. */
#define DRAIN_IDLE_MS 250u


static void list_add(struct bg_loop *l, struct bg_conn *c) {
  c->next = l->conns.next;
  c->prev = &l->conns;
  l->conns.next->prev = c;
  l->conns.next = c;
  l->num_conns++;
  atomic_fetch_add_explicit(&l->server->num_conns, 1, memory_order_relaxed);
}


static void list_remove(struct bg_loop *l, struct bg_conn *c) {
  c->prev->next = c->next;
  c->next->prev = c->prev;
  c->prev = c->next = c;
  l->num_conns--;
  atomic_fetch_sub_explicit(&l->server->num_conns, 1, memory_order_relaxed);
}


static void on_close_noop(uv_handle_t *h) {
  (void)h;
}


/* A draining loop ends once its last connection is gone: closing its last handles lets uv_run
 * return. */
static void maybe_end(struct bg_loop *l) {
  if (!l->draining || l->num_conns > 0 || l->stopping)
    return;
  l->stopping = 1;
  uv_close((uv_handle_t *)&l->sweep, on_close_noop);
  uv_close((uv_handle_t *)&l->wake, on_close_noop);
}


static void on_conn_closed(uv_handle_t *h) {
  struct bg_conn *c = (struct bg_conn *)h;

  free(c->rbuf);
  bg_buf_free(&c->out);
  bg_arena_free(&c->arena);
  free(c);
}


static void conn_close(struct bg_conn *c) {
  if (c->closed)
    return;
  c->closed = 1;
  list_remove(c->loop, c);
  uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
  maybe_end(c->loop);
}


static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  struct bg_conn *c = (struct bg_conn *)h;

  (void)suggested;
  if (c->rbuf == NULL)
    c->rbuf = malloc(BG_READ_BUF);
  *buf = uv_buf_init(c->rbuf, c->rbuf != NULL ? BG_READ_BUF : 0);
}


static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void flush(struct bg_conn *c);


static void on_shutdown(uv_shutdown_t *req, int status) {
  struct bg_conn *c = req->data;

  if (status < 0)
    conn_close(c);
}


/* All answers are out and the connection must close: shut the write side, then discard what
 * still comes until EOF or a short deadline. */
static void linger(struct bg_conn *c) {
  c->state = BG_CONN_LINGER;
  c->deadline = uv_now(c->loop->uv) + LINGER_MS;
  c->shutdown_req.data = c;
  if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) != 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}


static void on_written(uv_write_t *req, int status) {
  struct bg_conn *c = req->data;

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
  c->deadline = uv_now(c->loop->uv) + c->loop->cfg->idle_timeout_ms;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}


/* Hand c->out to the kernel: at once if it takes it, else by a uv_write, reading paused. */
static void flush(struct bg_conn *c) {
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
      c->deadline = uv_now(c->loop->uv) + c->loop->cfg->idle_timeout_ms;
      uv_read_stop((uv_stream_t *)&c->tcp);
      return;
    }
    c->out.len = 0;
  }
  if (c->close_after && c->state != BG_CONN_LINGER)
    linger(c);
}


static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  struct bg_conn *c = (struct bg_conn *)s;

  if (n == 0 || c->closed)
    return;
  if (n < 0) {
    /* EOF or error. A client that half-closed after its requests still gets their answers. */
    if (c->state == BG_CONN_LINGER || n != UV_EOF || (c->out.len == 0 && !c->writing)) {
      conn_close(c);
      return;
    }
    c->in_request = 0;
    c->close_after = 1;
    uv_read_stop(s);
    flush(c);
    return;
  }
  if (c->state != BG_CONN_OPEN)
    return; /* lingering: discard */
  c->last_read = uv_now(c->loop->uv);
  bg_http_feed(c, buf->base, (size_t)n);
  if (!c->in_request && c->state == BG_CONN_OPEN)
    c->deadline = uv_now(c->loop->uv) + c->loop->cfg->idle_timeout_ms;
  flush(c);
}


/* A new connection on loop l (accepted into c->tcp already, counted in the loop's list). */
static void conn_start(struct bg_loop *l, struct bg_conn *c) {
  bg_count(&l->stats.conns_accepted, 1);
  if (atomic_load_explicit(&l->server->num_conns, memory_order_relaxed) > l->cfg->max_conns) {
    bg_count(&l->stats.conns_rejected, 1);
    conn_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  /* A JSON document takes far more memory as cJSON nodes than as text: allow for that. */
  bg_arena_init(&c->arena, 16384, 64 * l->cfg->max_body + (1u << 20));
  bg_http_init(c);
  c->deadline = uv_now(l->uv) + l->cfg->idle_timeout_ms;
  c->last_read = uv_now(l->uv);
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}


static struct bg_conn *conn_new(struct bg_loop *l) {
  struct bg_conn *c = calloc(1, sizeof *c);

  if (c == NULL || uv_tcp_init(l->uv, &c->tcp) != 0) {
    free(c);
    return NULL;
  }
  c->loop = l;
  c->prev = c->next = c;
  list_add(l, c);
  return c;
}


static void on_connection(uv_stream_t *server, int status) {
  struct bg_loop *l = server->data;
  struct bg_conn *c;

  if (status < 0 || l->draining)
    return;
  if ((c = conn_new(l)) == NULL)
    return;
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
    conn_close(c);
    return;
  }
  conn_start(l, c);
}


/* Whether the client has sent bytes not yet read: such a connection is not idle. */
static int has_unread(struct bg_conn *c) {
  char b;
  int fd;

  if (uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0)
    return 0;
  return recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}


static void on_sweep(uv_timer_t *t) {
  struct bg_loop *l = t->data;
  uint64_t now = uv_now(l->uv);
  struct bg_conn *c, *next;

  for (c = l->conns.next; c != &l->conns; c = next) {
    next = c->next;
    if (l->draining && c->state == BG_CONN_OPEN && !c->in_request && !c->writing &&
        c->out.len == 0 && now - c->last_read >= DRAIN_IDLE_MS && !has_unread(c)) {
      conn_close(c); /* idle while draining: nothing is lost by closing it now */
      continue;
    }
    if (now < c->deadline)
      continue;
    if (c->state == BG_CONN_OPEN && c->in_request && !c->writing) {
      c->in_request = 0;
      c->close_after = 1;
      c->state = BG_CONN_CLOSING;
      bg_respond_error(c, BG_HTTP_ERR_TIMEOUT, NULL, NULL);
      flush(c);
      /* The client may never read: give the answer one more period, then close. */
      if (!c->closed && c->state != BG_CONN_LINGER)
        c->deadline = now + LINGER_MS;
    } else {
      if (c->state == BG_CONN_OPEN && !c->writing)
        bg_count(&l->stats.conns_idle_closed, 1);
      conn_close(c);
    }
  }
}


/* SIGTERM reached this loop: take what the kernel already accepted, close the listener, close
 * idle connections; busy ones close after their current answer (http.c), the rest go on the
 * next sweeps. */
static void drain_begin(struct bg_loop *l) {
  int lfd, fd;

  if (l->draining)
    return;
  l->draining = 1;
  if (uv_fileno((uv_handle_t *)&l->listener, &lfd) == 0) {
    /* Connections completed by the kernel but not yet accepted would be reset by the close:
     * they are clients that already sent (or are sending) a request, so serve them too. */
    while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
      struct bg_conn *c = conn_new(l);
      if (c == NULL || uv_tcp_open(&c->tcp, fd) != 0) {
        close(fd);
        if (c != NULL)
          conn_close(c);
        continue;
      }
      conn_start(l, c);
    }
  }
  uv_close((uv_handle_t *)&l->listener, on_close_noop);
  bg_thrift_stop(l); /* Thrift connections close at once; they have no drain (docs/thrift.md) */
  uv_timer_start(&l->sweep, on_sweep, 0, DRAIN_SWEEP_MS);
  maybe_end(l);
}


/* The drain deadline passed (or a second signal came): close everything now. */
static void stop_now(struct bg_loop *l) {
  struct bg_conn *c, *next;

  drain_begin(l);
  for (c = l->conns.next; c != &l->conns; c = next) {
    next = c->next;
    conn_close(c);
  }
  maybe_end(l);
}


static void on_wake(uv_async_t *h) {
  struct bg_loop *l = h->data;
  struct bg_server *srv = l->server;

  if (l->stopping)
    return;
  if (atomic_load(&srv->stopping))
    stop_now(l);
  else if (atomic_load(&srv->draining))
    drain_begin(l);
}


/* The numeric address to listen on (the binary is static: no name service). */
static int parse_address(const struct bg_config *cfg, struct sockaddr_storage *addr,
                         char *err, size_t errsz) {
  memset(addr, 0, sizeof *addr);
  if (uv_ip4_addr(cfg->host, (int)cfg->port, (struct sockaddr_in *)addr) == 0)
    return AF_INET;
  if (uv_ip6_addr(cfg->host, (int)cfg->port, (struct sockaddr_in6 *)addr) == 0)
    return AF_INET6;
  snprintf(err, errsz, "--host %s is not a numeric IPv4 or IPv6 address", cfg->host);
  return -1;
}


static unsigned port_of(const struct sockaddr_storage *addr) {
  return addr->ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)addr)->sin_port)
                                    : ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
}


/* The HTTP listener of loop l on addr, with SO_REUSEPORT so every loop has one on the same
 * port. With port 0 the kernel picks one; addr then gets it, for the next loops. (One function
 * per kind of listener: another protocol gets its own.) */
static int listen_http(struct bg_loop *l, struct sockaddr_storage *addr, char *err,
                       size_t errsz) {
  int fd, one = 1, r, namelen = sizeof *addr;

  if ((r = uv_tcp_init_ex(l->uv, &l->listener, addr->ss_family)) != 0) {
    snprintf(err, errsz, "socket: %s", uv_strerror(r));
    return -1;
  }
  l->listener.data = l;
  /* libuv 1.44 has no UV_TCP_REUSEPORT: set it on the socket (toolchain.md). */
  if (uv_fileno((uv_handle_t *)&l->listener, &fd) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    snprintf(err, errsz, "SO_REUSEPORT: %s", strerror(errno));
    return -1;
  }
  if ((r = uv_tcp_bind(&l->listener, (struct sockaddr *)addr, 0)) != 0 ||
      (r = uv_listen((uv_stream_t *)&l->listener, BACKLOG, on_connection)) != 0) {
    snprintf(err, errsz, "cannot listen on %s port %u: %s", l->cfg->host, port_of(addr),
             uv_strerror(r));
    return -1;
  }
  if ((r = uv_tcp_getsockname(&l->listener, (struct sockaddr *)addr, &namelen)) != 0) {
    snprintf(err, errsz, "getsockname: %s", uv_strerror(r));
    return -1;
  }
  return 0;
}


/* The documented line, once every listener is up. */
static void print_listening(const struct bg_server *srv, const struct sockaddr_storage *addr) {
  char shown[INET6_ADDRSTRLEN];

  if (addr->ss_family == AF_INET) {
    uv_ip4_name((const struct sockaddr_in *)addr, shown, sizeof shown);
    printf("bidgate: listening on http://%s:%u (model %s, %u threads)\n", shown, port_of(addr),
           srv->model_id, srv->n_loops);
  } else {
    uv_ip6_name((const struct sockaddr_in6 *)addr, shown, sizeof shown);
    printf("bidgate: listening on http://[%s]:%u (model %s, %u threads)\n", shown,
           port_of(addr), srv->model_id, srv->n_loops);
  }
  bg_thrift_announce(srv->cfg);
  fflush(stdout);
}


unsigned bg_cpus_allowed(void) {
  cpu_set_t set;
  int n;

  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return 1;
  n = CPU_COUNT(&set);
  return n > 0 ? (unsigned)n : 1;
}


/* Loop idx: its libuv loop, listener, timer and wake handle, on the calling thread; it runs on
 * its own thread later (libuv allows that once this thread no longer touches it). */
static int loop_init(struct bg_server *srv, unsigned idx, struct sockaddr_storage *addr,
                     char *err, size_t errsz) {
  const struct bg_config *cfg = srv->cfg;
  struct bg_loop *l = srv->loops[idx];
  uint64_t period;

  l->uv = calloc(1, sizeof *l->uv);
  if (l->uv == NULL || uv_loop_init(l->uv) != 0) {
    free(l->uv);
    l->uv = NULL;
    snprintf(err, errsz, "out of memory");
    return -1;
  }
  l->server = srv;
  l->index = idx;
  l->cfg = cfg;
  l->model = srv->model;
  l->features = srv->features;
  l->conns.next = l->conns.prev = &l->conns;
  l->date_second = -1;
  memcpy(l->model_id, srv->model_id, sizeof l->model_id);
  bg_decide_init(&l->decide, cfg->threshold, cfg->explore, cfg->fail_closed);
  /* Each loop draws its own exploration stream: seed + index keeps a fixed seed repeatable. */
  bg_prng_seed(&l->prng, cfg->seed != 0 ? cfg->seed + idx
                                        : (uint64_t)time(NULL) * 0x9e3779b97f4a7c15u ^
                                              (uint64_t)getpid() ^ (uint64_t)(uintptr_t)l);
  if (bg_bidders_from_list(cfg->bidders, &l->bidders) != 0) {
    snprintf(err, errsz, "out of memory");
    return -1;
  }
  if (listen_http(l, addr, err, errsz) != 0 || bg_thrift_start(l, err, errsz) != 0)
    return -1;
  uv_timer_init(l->uv, &l->sweep);
  l->sweep.data = l;
  period = (cfg->request_timeout_ms < cfg->idle_timeout_ms ? cfg->request_timeout_ms
                                                           : cfg->idle_timeout_ms) / 4;
  period = period < 10 ? 10 : period > 1000 ? 1000 : period;
  uv_timer_start(&l->sweep, on_sweep, period, period);
  uv_async_init(l->uv, &l->wake, on_wake);
  l->wake.data = l;
  return 0;
}


static void loop_thread(void *arg) {
  struct bg_loop *l = arg;

  uv_run(l->uv, UV_RUN_DEFAULT);
  atomic_fetch_add(&l->server->loops_done, 1);
  uv_async_send(&l->server->loop_done);
}


static void close_any(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}


/* Close a loop's handles (after its thread ended, or when it never ran) and free it. */
static void loop_free(struct bg_loop *l) {
  struct bg_conn *c, *next;

  if (l == NULL)
    return;
  if (l->uv != NULL) {
    l->stopping = 1;
    for (c = l->conns.next; c != NULL && c != &l->conns; c = next) {
      next = c->next;
      conn_close(c);
    }
    uv_walk(l->uv, close_any, NULL);
    uv_run(l->uv, UV_RUN_DEFAULT);
    uv_loop_close(l->uv);
    free(l->uv);
  }
  bg_bidders_free(&l->bidders);
  bg_buf_free(&l->scratch);
  free(l);
}


/* ---- the control loop (main thread) ---- */

static void wake_all(struct bg_server *srv) {
  unsigned i;

  for (i = 0; i < srv->n_loops; i++)
    uv_async_send(&srv->loops[i]->wake);
}


static void on_drain_deadline(uv_timer_t *t) {
  struct bg_server *srv = t->data;

  atomic_store(&srv->stopping, 1);
  wake_all(srv);
}


static void on_signal(uv_signal_t *h, int signum) {
  struct bg_server *srv = h->data;

  (void)signum;
  if (atomic_exchange(&srv->draining, 1) == 0) {
    wake_all(srv);
    uv_timer_start(&srv->drain_timer, on_drain_deadline,
                   (uint64_t)(srv->cfg->drain_timeout * 1000.0), 0);
  } else {
    on_drain_deadline(&srv->drain_timer); /* a second signal: stop at once */
  }
}


/* One EMF line for the interval since the last one. */
static void emit_emf(struct bg_server *srv) {
  struct bg_stats_snap now;
  struct bg_buf line = {NULL, 0, 0};
  uint64_t now_ms = uv_now(&srv->control), max_us = 0;
  unsigned i;

  memset(&now, 0, sizeof now);
  for (i = 0; i < srv->n_loops; i++) {
    uint64_t m = atomic_exchange_explicit(&srv->loops[i]->stats.lat_max_us, 0,
                                          memory_order_relaxed);
    bg_stats_add(&now, &srv->loops[i]->stats);
    max_us = m > max_us ? m : max_us;
  }
  if (bg_emf_line(srv, &now, &srv->emf_prev, (double)(now_ms - srv->emf_prev_ms) / 1000.0,
                  max_us, &line) == 0) {
    fwrite(line.p, 1, line.len, stdout);
    fflush(stdout);
  }
  bg_buf_free(&line);
  srv->emf_prev = now;
  srv->emf_prev_ms = now_ms;
}


static void on_emf(uv_timer_t *t) {
  emit_emf(t->data);
}


static void on_loop_done(uv_async_t *h) {
  struct bg_server *srv = h->data;

  if (atomic_load(&srv->loops_done) < srv->n_loops)
    return;
  /* Every loop has ended: the last (partial) interval's EMF line, then the control loop's
   * handles go, so its uv_run returns. */
  if (srv->cfg->emf_interval > 0)
    emit_emf(srv);
  uv_close((uv_handle_t *)&srv->sigterm, on_close_noop);
  uv_close((uv_handle_t *)&srv->sigint, on_close_noop);
  /* Closing the last watcher restored the default action; a signal now (a second SIGTERM
   * while the process winds down) must not turn the drained exit 0 into a kill. */
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  uv_close((uv_handle_t *)&srv->emf_timer, on_close_noop);
  uv_close((uv_handle_t *)&srv->drain_timer, on_close_noop);
  uv_close((uv_handle_t *)&srv->loop_done, on_close_noop);
}


int bg_server_run(const struct bg_config *cfg, const struct bg_model *m,
                  const struct bg_features *fx, char *err, size_t errsz) {
  struct bg_server *srv = calloc(1, sizeof *srv);
  struct sockaddr_storage addr;
  unsigned i, started = 0;
  int rc = -1;

  if (srv == NULL) {
    snprintf(err, errsz, "out of memory");
    return -1;
  }
  signal(SIGPIPE, SIG_IGN);
  bg_json_hooks_install();
  srv->cfg = cfg;
  srv->model = m;
  srv->features = fx;
  snprintf(srv->model_id, sizeof srv->model_id, "%s@%.8s", m->name, m->sha256);
  bg_emf_task_id(srv->task, sizeof srv->task);
  srv->n_loops = cfg->threads != 0 ? cfg->threads : bg_cpus_allowed();
  srv->loops = calloc(srv->n_loops, sizeof *srv->loops);
  if (srv->loops == NULL || uv_loop_init(&srv->control) != 0) {
    snprintf(err, errsz, "out of memory");
    free(srv->loops);
    free(srv);
    return -1;
  }
  if (parse_address(cfg, &addr, err, errsz) < 0)
    goto out;
  for (i = 0; i < srv->n_loops; i++) {
    /* 64-byte aligned: the counters of two loops never share a cache line. */
    size_t size = (sizeof(struct bg_loop) + 63) & ~(size_t)63;
    srv->loops[i] = aligned_alloc(64, size);
    if (srv->loops[i] == NULL) {
      snprintf(err, errsz, "out of memory");
      goto out;
    }
    memset(srv->loops[i], 0, size);
    if (loop_init(srv, i, &addr, err, errsz) != 0)
      goto out;
  }
  uv_signal_init(&srv->control, &srv->sigterm);
  uv_signal_init(&srv->control, &srv->sigint);
  srv->sigterm.data = srv->sigint.data = srv;
  uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
  uv_signal_start(&srv->sigint, on_signal, SIGINT);
  uv_timer_init(&srv->control, &srv->drain_timer);
  uv_timer_init(&srv->control, &srv->emf_timer);
  srv->drain_timer.data = srv->emf_timer.data = srv;
  srv->emf_prev_ms = uv_now(&srv->control);
  if (cfg->emf_interval > 0)
    uv_timer_start(&srv->emf_timer, on_emf, cfg->emf_interval * 1000u,
                   cfg->emf_interval * 1000u);
  uv_async_init(&srv->control, &srv->loop_done, on_loop_done);
  srv->loop_done.data = srv;
  print_listening(srv, &addr);
  for (i = 0; i < srv->n_loops; i++, started++)
    if (uv_thread_create(&srv->loops[i]->thread, loop_thread, srv->loops[i]) != 0)
      break;
  if (started < srv->n_loops) {
    /* Could not start them all: stop the ones that run. */
    snprintf(err, errsz, "cannot start thread %u of %u", started + 1, srv->n_loops);
    atomic_fetch_add(&srv->loops_done, srv->n_loops - started);
    on_signal(&srv->sigterm, SIGTERM);
    on_drain_deadline(&srv->drain_timer);
  } else {
    rc = 0;
  }
  uv_run(&srv->control, UV_RUN_DEFAULT);
  for (i = 0; i < started; i++)
    uv_thread_join(&srv->loops[i]->thread);
out:
  for (i = 0; i < srv->n_loops; i++)
    loop_free(srv->loops[i]);
  /* The control loop: close whatever is still open (after a failed start), then the loop. */
  uv_walk(&srv->control, close_any, NULL);
  uv_run(&srv->control, UV_RUN_DEFAULT);
  uv_loop_close(&srv->control);
  free(srv->loops);
  free(srv);
  return rc;
}
