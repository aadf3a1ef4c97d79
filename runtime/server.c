/* server.c - the event loop: listener, connections, reads, writes, timeouts (see server.h).
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
#define _DEFAULT_SOURCE /* SO_REUSEPORT */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "http.h"
#include "http_errors.h"
#include "respond.h"
#include "thrift_server.h"

#define LINGER_MS 2000u
#define BACKLOG 1024


static void list_add(struct bg_loop *l, struct bg_conn *c) {
  c->next = l->conns.next;
  c->prev = &l->conns;
  l->conns.next->prev = c;
  l->conns.next = c;
  l->num_conns++;
}


static void list_remove(struct bg_loop *l, struct bg_conn *c) {
  c->prev->next = c->next;
  c->next->prev = c->prev;
  c->prev = c->next = c;
  l->num_conns--;
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
  bg_http_feed(c, buf->base, (size_t)n);
  if (!c->in_request && c->state == BG_CONN_OPEN)
    c->deadline = uv_now(c->loop->uv) + c->loop->cfg->idle_timeout_ms;
  flush(c);
}


static void on_connection(uv_stream_t *server, int status) {
  struct bg_loop *l = server->data;
  struct bg_conn *c;

  if (status < 0)
    return;
  c = calloc(1, sizeof *c);
  if (c == NULL || uv_tcp_init(l->uv, &c->tcp) != 0) {
    free(c);
    return;
  }
  c->loop = l;
  c->prev = c->next = c;
  list_add(l, c);
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || l->num_conns > l->cfg->max_conns ||
      l->stopping) {
    conn_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  /* A JSON document takes far more memory as cJSON nodes than as text: allow for that. */
  bg_arena_init(&c->arena, 16384, 64 * l->cfg->max_body + (1u << 20));
  bg_http_init(c);
  c->deadline = uv_now(l->uv) + l->cfg->idle_timeout_ms;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}


static void on_sweep(uv_timer_t *t) {
  struct bg_loop *l = t->data;
  uint64_t now = uv_now(l->uv);
  struct bg_conn *c, *next;

  for (c = l->conns.next; c != &l->conns; c = next) {
    next = c->next;
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
      conn_close(c);
    }
  }
}


static void on_close_noop(uv_handle_t *h) {
  (void)h;
}


static void stop(struct bg_loop *l) {
  struct bg_conn *c, *next;

  if (l->stopping)
    return;
  l->stopping = 1;
  uv_close((uv_handle_t *)&l->listener, on_close_noop);
  uv_close((uv_handle_t *)&l->sweep, on_close_noop);
  uv_close((uv_handle_t *)&l->sigterm, on_close_noop);
  uv_close((uv_handle_t *)&l->sigint, on_close_noop);
  bg_thrift_stop(l);
  for (c = l->conns.next; c != &l->conns; c = next) {
    next = c->next;
    conn_close(c);
  }
}


static void on_signal(uv_signal_t *h, int signum) {
  (void)signum;
  stop(h->data);
}


/* Listen on cfg's address; print the documented line. */
static int listen_on(struct bg_loop *l, char *err, size_t errsz) {
  const struct bg_config *cfg = l->cfg;
  struct sockaddr_storage addr;
  int family, fd, one = 1, r, namelen = sizeof addr;
  char shown[INET6_ADDRSTRLEN];

  memset(&addr, 0, sizeof addr);
  if (uv_ip4_addr(cfg->host, (int)cfg->port, (struct sockaddr_in *)&addr) == 0) {
    family = AF_INET;
  } else if (uv_ip6_addr(cfg->host, (int)cfg->port, (struct sockaddr_in6 *)&addr) == 0) {
    family = AF_INET6;
  } else {
    snprintf(err, errsz, "--host %s is not a numeric IPv4 or IPv6 address", cfg->host);
    return -1;
  }
  if ((r = uv_tcp_init_ex(l->uv, &l->listener, (unsigned)family)) != 0) {
    snprintf(err, errsz, "socket: %s", uv_strerror(r));
    return -1;
  }
  l->listener.data = l;
  /* libuv 1.44 has no UV_TCP_REUSEPORT: set it on the socket, so one listener per loop can
   * share the port (toolchain.md). */
  if (uv_fileno((uv_handle_t *)&l->listener, &fd) == 0)
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if ((r = uv_tcp_bind(&l->listener, (struct sockaddr *)&addr, 0)) != 0 ||
      (r = uv_listen((uv_stream_t *)&l->listener, BACKLOG, on_connection)) != 0) {
    snprintf(err, errsz, "cannot listen on %s port %u: %s", cfg->host, cfg->port,
             uv_strerror(r));
    return -1;
  }
  if ((r = uv_tcp_getsockname(&l->listener, (struct sockaddr *)&addr, &namelen)) != 0) {
    snprintf(err, errsz, "getsockname: %s", uv_strerror(r));
    return -1;
  }
  if (family == AF_INET) {
    uv_ip4_name((struct sockaddr_in *)&addr, shown, sizeof shown);
    printf("bidgate: listening on http://%s:%u (model %s)\n", shown,
           ntohs(((struct sockaddr_in *)&addr)->sin_port), l->model_id);
  } else {
    uv_ip6_name((struct sockaddr_in6 *)&addr, shown, sizeof shown);
    printf("bidgate: listening on http://[%s]:%u (model %s)\n", shown,
           ntohs(((struct sockaddr_in6 *)&addr)->sin6_port), l->model_id);
  }
  fflush(stdout);
  return 0;
}


int bg_server_run(const struct bg_config *cfg, const struct bg_model *m,
                  const struct bg_features *fx, char *err, size_t errsz) {
  struct bg_loop *l = calloc(1, sizeof *l);
  uv_loop_t *uv = calloc(1, sizeof *uv);
  uint64_t period;
  int rc = -1;

  if (l == NULL || uv == NULL || uv_loop_init(uv) != 0) {
    snprintf(err, errsz, "out of memory");
    free(l);
    free(uv);
    return -1;
  }
  signal(SIGPIPE, SIG_IGN);
  bg_json_hooks_install();
  l->uv = uv;
  l->cfg = cfg;
  l->model = m;
  l->features = fx;
  l->conns.next = l->conns.prev = &l->conns;
  l->date_second = -1;
  snprintf(l->model_id, sizeof l->model_id, "%s@%.8s", m->name, m->sha256);
  bg_decide_init(&l->decide, cfg->threshold, cfg->explore, cfg->fail_closed);
  bg_prng_seed(&l->prng, cfg->seed != 0 ? cfg->seed
                                        : (uint64_t)time(NULL) * 0x9e3779b97f4a7c15u ^
                                              (uint64_t)getpid() ^ (uint64_t)(uintptr_t)l);
  if (bg_bidders_from_list(cfg->bidders, &l->bidders) != 0) {
    snprintf(err, errsz, "out of memory");
    goto out;
  }
  if (listen_on(l, err, errsz) != 0 || bg_thrift_start(l, err, errsz) != 0)
    goto out;
  uv_timer_init(uv, &l->sweep);
  l->sweep.data = l;
  period = (cfg->request_timeout_ms < cfg->idle_timeout_ms ? cfg->request_timeout_ms
                                                           : cfg->idle_timeout_ms) / 4;
  period = period < 10 ? 10 : period > 1000 ? 1000 : period;
  uv_timer_start(&l->sweep, on_sweep, period, period);
  uv_signal_init(uv, &l->sigterm);
  uv_signal_init(uv, &l->sigint);
  l->sigterm.data = l->sigint.data = l;
  uv_signal_start(&l->sigterm, on_signal, SIGTERM);
  uv_signal_start(&l->sigint, on_signal, SIGINT);
  uv_run(uv, UV_RUN_DEFAULT);
  rc = 0;
out:
  if (rc != 0 && l->listener.type == UV_TCP)
    uv_close((uv_handle_t *)&l->listener, on_close_noop);
  uv_run(uv, UV_RUN_DEFAULT); /* let close callbacks run */
  uv_loop_close(uv);
  bg_buf_free(&l->scratch);
  free(l);
  free(uv);
  return rc;
}
