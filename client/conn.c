/* conn.c - bidload's load threads: connections, sending on schedule, reading answers, timeouts
 * (see conn.h). */
#define _GNU_SOURCE
#include "conn.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <uv.h>

#include "answer.h"
#include "buf.h"
#include "resp.h"
#include "schedule.h"
#include "synth.h"

#define RING 256                        /* bodies synthesised ahead of the send path */
#define READ_BUF 65536
#define MAX_BODY (1u << 20)             /* answer bytes kept for decision counting */
#define RETRY_NS 100000000ULL           /* wait before reconnecting after a failed connect */
#define SWEEP_MS 10
/* Open loop: how long before a send the thread stops sleeping and polls instead. Waking from
 * epoll_wait on a timer takes some 20-30 us here (a VM), as long as the gap between two sends at
 * 20,000-40,000 req/s: sleeping to the deadline makes every send late by about that much. A
 * longer window keeps the thread always runnable, and on a core shared with other work the
 * scheduler then makes it wait whole time slices: 100 us tripled the send lag p99 at load 5,
 * 20 us cut it by 2-3x against sleeping (same runs). */
#define SPIN_NS 20000ULL

enum { C_CLOSED, C_CONNECTING, C_OPEN, C_CLOSING, C_RETRY };
enum fail_kind { F_NONE, F_IO, F_TIMEOUT };

struct conn {
  uv_tcp_t tcp;
  uv_connect_t creq;
  uv_write_t wreq;
  struct bl_worker *w;
  const struct bl_target *t;
  unsigned target;
  int state, writing, queued, close_after;
  uint64_t retry_at;
  struct bl_resp resp;
  struct bl_buf out, wbuf, body;
  int body_over;
  uint64_t due[BL_MAX_PIPELINE], sent[BL_MAX_PIPELINE];
  unsigned head, inflight;
};

struct bl_worker {
  unsigned id;
  const struct bl_shared *sh;
  const struct bl_config *cfg;
  pthread_t thread;
  int started, rc;
  char err[160];
  struct bl_result res;
  atomic_uint_fast64_t answers, errors;
  atomic_uint_fast64_t sent_until;
  atomic_int finished;

  uv_loop_t loop;
  int loop_ok;
  int tfd;                              /* timerfd: sub-millisecond send times */
  uv_poll_t tick;
  uint64_t armed;
  uv_timer_t sweep;
  uv_prepare_t refill;
  uv_idle_t spin;                       /* active: the loop polls without sleeping */
  int spinning;
  int open_loop, send_done, shutting;
  uint64_t end_ns, grace_ns, timeout_ns;
  struct bl_sched sched;
  struct bl_synth synth;
  struct conn *conns;
  unsigned n_conns;
  unsigned *avail, avail_head, avail_len;
  unsigned total_inflight;
  struct bl_buf ring[RING];
  unsigned ring_head, ring_len;
  struct bl_buf prefix[BL_MAX_TARGETS]; /* request line and headers up to Content-Length */
  char rbuf[READ_BUF];
};

static void on_body(void *ctx, const char *at, size_t len);
static int on_answer(void *ctx, unsigned status, int keep_alive);

static const struct bl_resp_cb resp_cb = {on_body, on_answer};

static void pump(struct bl_worker *w);
static void conn_start(struct conn *c);


static void count_error(struct bl_worker *w, uint64_t *counter, uint64_t n) {
  *counter += n;
  atomic_fetch_add_explicit(&w->errors, n, memory_order_relaxed);
}


/* ---- shutting the thread down ---- */

static void close_cb_noop(uv_handle_t *h) {
  (void)h;
}


static void shutdown_all(struct bl_worker *w) {
  unsigned i;

  if (w->shutting)
    return;
  w->shutting = 1;
  for (i = 0; i < w->n_conns; i++) {
    struct conn *c = &w->conns[i];
    if (c->state == C_CONNECTING || c->state == C_OPEN) {
      c->state = C_CLOSING;
      uv_close((uv_handle_t *)&c->tcp, close_cb_noop);
    }
  }
  uv_close((uv_handle_t *)&w->tick, close_cb_noop);
  uv_close((uv_handle_t *)&w->sweep, close_cb_noop);
  uv_close((uv_handle_t *)&w->refill, close_cb_noop);
  uv_close((uv_handle_t *)&w->spin, close_cb_noop);
}


/* The window is over (or the run was stopped): no more sends; wait for what is in flight. */
static void finish_sending(struct bl_worker *w, uint64_t now) {
  if (w->send_done)
    return;
  w->send_done = 1;
  if (now > w->end_ns)
    now = w->end_ns;
  atomic_store(&w->sent_until, now);
  if (w->open_loop) {
    /* Requests due in the window that never found a free connection. */
    uint64_t total = bl_sched_total(&w->sched);
    w->res.unsent = total > w->sched.next ? total - w->sched.next : 0;
  }
  w->grace_ns = uv_hrtime() + w->timeout_ns;
  if (w->total_inflight == 0)
    shutdown_all(w);
}


/* ---- connections ---- */

static void make_available(struct conn *c) {
  struct bl_worker *w = c->w;

  if (c->queued || c->state != C_OPEN || c->close_after || c->inflight >= w->cfg->pipeline)
    return;
  c->queued = 1;
  w->avail[(w->avail_head + w->avail_len) % w->n_conns] = (unsigned)(c - w->conns);
  w->avail_len++;
}


static struct conn *take_available(struct bl_worker *w) {
  while (w->avail_len) {
    struct conn *c = &w->conns[w->avail[w->avail_head]];
    w->avail_head = (w->avail_head + 1) % w->n_conns;
    w->avail_len--;
    c->queued = 0;
    if (c->state == C_OPEN && !c->close_after && c->inflight < w->cfg->pipeline)
      return c;
  }
  return NULL;
}


static void conn_closed(uv_handle_t *h) {
  struct conn *c = h->data;
  struct bl_worker *w = c->w;

  if (w->shutting || w->send_done) {
    c->state = C_CLOSED;
    if (w->send_done && w->total_inflight == 0)
      shutdown_all(w);
    return;
  }
  c->state = C_RETRY;
  if (uv_hrtime() >= c->retry_at)
    conn_start(c);
}


/* Closes c, counting its requests in flight as `kind` errors; reconnects after delay_ns. */
static void conn_close(struct conn *c, enum fail_kind kind, uint64_t delay_ns) {
  struct bl_worker *w = c->w;

  if (c->state == C_CLOSING || c->state == C_CLOSED || c->state == C_RETRY)
    return;
  if (kind == F_IO)
    count_error(w, &w->res.err_io, c->inflight);
  else if (kind == F_TIMEOUT)
    count_error(w, &w->res.err_timeout, c->inflight);
  w->total_inflight -= c->inflight;
  c->inflight = 0;
  c->head = 0;
  c->out.len = 0;
  c->close_after = 0;
  c->state = C_CLOSING;
  c->retry_at = uv_hrtime() + delay_ns;
  uv_close((uv_handle_t *)&c->tcp, conn_closed);
}


static void flush(struct conn *c);


static void write_cb(uv_write_t *req, int status) {
  struct conn *c = req->data;

  c->writing = 0;
  c->wbuf.len = 0;
  if (status == UV_ECANCELED || c->state != C_OPEN)
    return;
  if (status < 0) {
    conn_close(c, F_IO, 0);
    return;
  }
  flush(c);
}


static void flush(struct conn *c) {
  uv_buf_t b;
  struct bl_buf tmp;
  int n;

  if (c->writing || c->out.len == 0)
    return;
  b = uv_buf_init(c->out.data, (unsigned)c->out.len);
  n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
  if (n == UV_EAGAIN)
    n = 0;
  if (n < 0) {
    conn_close(c, F_IO, 0);
    return;
  }
  if ((size_t)n == c->out.len) {
    c->out.len = 0;
    return;
  }
  /* The rest goes through uv_write, which owns the bytes until write_cb: new requests gather in
   * the other buffer meanwhile. */
  tmp = c->wbuf;
  c->wbuf = c->out;
  c->out = tmp;
  c->out.len = 0;
  b = uv_buf_init(c->wbuf.data + n, (unsigned)(c->wbuf.len - (size_t)n));
  c->wreq.data = c;
  if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, write_cb) < 0) {
    c->wbuf.len = 0;
    conn_close(c, F_IO, 0);
    return;
  }
  c->writing = 1;
}


static void take_body(struct bl_worker *w, struct bl_buf *out) {
  struct bl_buf *body;

  if (w->ring_len == 0) {
    /* The ring ran dry (the loop never idled): synthesise on the spot. */
    body = &w->ring[w->ring_head];
    body->len = 0;
    bl_synth_request(&w->synth, body);
  } else {
    body = &w->ring[w->ring_head];
    w->ring_head = (w->ring_head + 1) % RING;
    w->ring_len--;
  }
  bl_buf_int(out, (int64_t)body->len);
  bl_buf_lit(out, "\r\n\r\n");
  bl_buf_add(out, body->data, body->len);
}


static void send_request(struct conn *c, uint64_t due, uint64_t now) {
  struct bl_worker *w = c->w;
  unsigned slot = (c->head + c->inflight) % BL_MAX_PIPELINE;
  const struct bl_buf *pre = &w->prefix[c->target];

  bl_buf_add(&c->out, pre->data, pre->len);
  take_body(w, &c->out);
  c->due[slot] = due;
  c->sent[slot] = now;
  c->inflight++;
  w->total_inflight++;
  if (w->open_loop)
    bl_hist_record(&w->res.lag, now > due ? (now - due + 500) / 1000 : 0);
  flush(c);
  make_available(c);
}


static void on_body(void *ctx, const char *at, size_t len) {
  struct conn *c = ctx;

  if (c->body.len + len > MAX_BODY)
    c->body_over = 1;
  else
    bl_buf_add(&c->body, at, len);
}


/* Does the body hold "pass" (a bidgate answer)? memmem costs more than the whole test on the
 * short bodies other servers send. */
static int has_pass(const char *b, size_t n) {
  const char *p = b, *end = b + n;

  while ((p = memchr(p, 'p', (size_t)(end - p)))) {
    if (p > b && p + 5 <= end && p[-1] == '"' && memcmp(p, "pass\"", 5) == 0)
      return 1;
    p++;
  }
  return 0;
}


static int on_answer(void *ctx, unsigned code, int keep_alive) {
  struct conn *c = ctx;
  struct bl_worker *w = c->w;
  uint64_t now = uv_hrtime(), due;

  if (c->inflight == 0)
    return -1;                          /* an answer nobody asked for: a broken server */
  due = c->due[c->head];
  c->head = (c->head + 1) % BL_MAX_PIPELINE;
  c->inflight--;
  w->total_inflight--;
  bl_hist_record(&w->res.hist, now > due ? (now - due + 500) / 1000 : 0);
  w->res.requests++;
  w->res.status[code < 600 ? code : 0]++;
  if (code >= 200 && code < 300) {
    /* Only answers that carry decisions are parsed (cheap for other servers' bodies). */
    if (!c->body_over && has_pass(c->body.data, c->body.len))
      bl_answer_count(c->body.data, c->body.len, w->res.decisions);
  } else {
    atomic_fetch_add_explicit(&w->errors, 1, memory_order_relaxed);
  }
  atomic_fetch_add_explicit(&w->answers, 1, memory_order_relaxed);
  if (!keep_alive)
    c->close_after = 1;
  c->body.len = 0;
  c->body_over = 0;
  return 0;
}


static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  struct conn *c = h->data;

  (void)hint;
  *buf = uv_buf_init(c->w->rbuf, READ_BUF);
}


static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  struct conn *c = s->data;
  struct bl_worker *w = c->w;

  if (nread > 0) {
    if (bl_resp_feed(&c->resp, buf->base, (size_t)nread, &resp_cb, c) < 0) {
      conn_close(c, F_IO, 0);
    } else if (c->close_after && c->inflight == 0) {
      conn_close(c, F_NONE, 0);
    } else {
      make_available(c);
    }
  } else if (nread < 0) {
    /* EOF may end an answer whose length is "until close". */
    if (nread == UV_EOF)
      bl_resp_eof(&c->resp, &resp_cb, c);
    conn_close(c, F_IO, 0);
  }
  if (w->send_done) {
    if (w->total_inflight == 0)
      shutdown_all(w);
    return;
  }
  pump(w);
}


static void connect_cb(uv_connect_t *req, int status) {
  struct conn *c = req->data;
  struct bl_worker *w = c->w;

  if (status == UV_ECANCELED || c->state != C_CONNECTING)
    return;
  if (status < 0) {
    count_error(w, &w->res.err_connect, 1);
    c->state = C_OPEN;                  /* so conn_close takes it */
    conn_close(c, F_NONE, RETRY_NS);
    return;
  }
  c->state = C_OPEN;
  if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) < 0) {
    conn_close(c, F_IO, RETRY_NS);
    return;
  }
  make_available(c);
  pump(w);
}


static void conn_start(struct conn *c) {
  struct bl_worker *w = c->w;
  int rc;

  c->state = C_CONNECTING;
  c->inflight = c->head = 0;
  c->close_after = c->writing = 0;
  c->out.len = c->wbuf.len = 0;
  uv_tcp_init(&w->loop, &c->tcp);
  c->tcp.data = c;
  c->creq.data = c;
  bl_resp_init(&c->resp);
  c->body.len = 0;
  c->body_over = 0;
  uv_tcp_nodelay(&c->tcp, 1);
  rc = uv_tcp_connect(&c->creq, &c->tcp, (const struct sockaddr *)&c->t->addr, connect_cb);
  if (rc < 0) {
    count_error(w, &w->res.err_connect, 1);
    c->state = C_OPEN;
    conn_close(c, F_NONE, RETRY_NS);
  }
}


/* ---- timing ---- */

/* Wakes the loop at t (uv_hrtime clock) through the timerfd: libuv's own timers count whole
 * milliseconds, too coarse for send times microseconds apart. */
static void arm(struct bl_worker *w, uint64_t t) {
  struct itimerspec its = {{0, 0}, {0, 0}};

  if (t == w->armed)
    return;
  w->armed = t;
  if (t == 0)
    t = 1;
  its.it_value.tv_sec = (time_t)(t / 1000000000u);
  its.it_value.tv_nsec = (long)(t % 1000000000u);
  timerfd_settime(w->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}


static void spin_cb(uv_idle_t *h) {
  pump(h->data);
}


/* Keeps the loop polling without sleeping (on) or lets it sleep until the timerfd (off). */
static void spin(struct bl_worker *w, int on) {
  if (on == w->spinning || w->shutting)
    return;
  w->spinning = on;
  if (on)
    uv_idle_start(&w->spin, spin_cb);
  else
    uv_idle_stop(&w->spin);
}


static void pump(struct bl_worker *w) {
  uint64_t now, due;
  struct conn *c;

  if (w->send_done)
    return;
  now = uv_hrtime();
  if (now >= w->end_ns) {
    finish_sending(w, now);
    return;
  }
  if (w->open_loop) {
    while ((due = bl_sched_next(&w->sched)) <= now) {
      if (!(c = take_available(w))) {
        spin(w, 0);                     /* a backlog: the next free connection calls pump */
        return;
      }
      send_request(c, due, now);
      bl_sched_advance(&w->sched);
      now = uv_hrtime();
    }
    if (due > w->end_ns)
      due = w->end_ns;
    /* Sleep until shortly before the next send, then poll up to it (see SPIN_NS). */
    if (due - now <= SPIN_NS) {
      spin(w, 1);
    } else {
      spin(w, 0);
      arm(w, due - SPIN_NS);
    }
  } else {
    if (now < w->sh->start_ns) {
      arm(w, w->sh->start_ns);
      return;
    }
    while ((c = take_available(w)))
      send_request(c, now, now);
    arm(w, w->end_ns);
  }
}


static void tick_cb(uv_poll_t *h, int status, int events) {
  struct bl_worker *w = h->data;
  uint64_t expirations;

  (void)status;
  (void)events;
  if (read(w->tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
    return;
  w->armed = 0;
  pump(w);
}


/* Every few milliseconds: timeouts, reconnects, the end of the window and of the grace time. */
static void sweep_cb(uv_timer_t *h) {
  struct bl_worker *w = h->data;
  uint64_t now = uv_hrtime();
  unsigned i;

  if (atomic_load_explicit(w->sh->stop, memory_order_relaxed) && !w->send_done)
    finish_sending(w, now);
  if (!w->send_done && now >= w->end_ns)
    finish_sending(w, now);
  if (w->shutting)
    return;
  for (i = 0; i < w->n_conns; i++) {
    struct conn *c = &w->conns[i];
    if (c->state == C_OPEN && c->inflight && now - c->sent[c->head] > w->timeout_ns)
      conn_close(c, F_TIMEOUT, 0);
    else if (c->state == C_RETRY && !w->send_done && now >= c->retry_at)
      conn_start(c);
  }
  if (w->send_done) {
    if (now >= w->grace_ns) {
      for (i = 0; i < w->n_conns; i++)
        if (w->conns[i].state == C_OPEN && w->conns[i].inflight)
          count_error(w, &w->res.err_timeout, w->conns[i].inflight);
      shutdown_all(w);
    } else if (w->total_inflight == 0) {
      shutdown_all(w);
    }
  } else {
    pump(w);
  }
}


static void refill_cb(uv_prepare_t *h) {
  struct bl_worker *w = h->data;

  while (w->ring_len < RING) {
    struct bl_buf *b = &w->ring[(w->ring_head + w->ring_len) % RING];
    b->len = 0;
    bl_synth_request(&w->synth, b);
    w->ring_len++;
  }
}


/* ---- the thread ---- */

static int setup(struct bl_worker *w) {
  const struct bl_config *cfg = w->cfg;
  unsigned i, j, k;
  int rc;

  if ((rc = uv_loop_init(&w->loop)) < 0) {
    snprintf(w->err, sizeof w->err, "thread %u: event loop: %s", w->id, uv_strerror(rc));
    return rc;
  }
  w->loop_ok = 1;
  w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (w->tfd < 0) {
    rc = -errno;
    snprintf(w->err, sizeof w->err, "thread %u: timerfd: %s", w->id, strerror(errno));
    return rc;
  }
  uv_poll_init(&w->loop, &w->tick, w->tfd);
  w->tick.data = w;
  uv_poll_start(&w->tick, UV_READABLE, tick_cb);
  uv_timer_init(&w->loop, &w->sweep);
  w->sweep.data = w;
  uv_timer_start(&w->sweep, sweep_cb, SWEEP_MS, SWEEP_MS);
  uv_idle_init(&w->loop, &w->spin);
  w->spin.data = w;
  uv_prepare_init(&w->loop, &w->refill);
  w->refill.data = w;
  uv_prepare_start(&w->refill, refill_cb);

  for (i = 0; i < cfg->n_targets; i++) {
    const struct bl_target *t = &cfg->targets[i];
    bl_buf_lit(&w->prefix[i], "POST ");
    bl_buf_str(&w->prefix[i], t->path);
    bl_buf_lit(&w->prefix[i], " HTTP/1.1\r\nHost: ");
    bl_buf_str(&w->prefix[i], t->hostport);
    bl_buf_lit(&w->prefix[i], "\r\nUser-Agent: bidload\r\nContent-Type: application/json\r\n"
                              "Content-Length: ");
  }
  /* This thread's connections: every threads-th of the run's, spread over the targets. */
  for (j = w->id, k = 0; j < cfg->connections; j += cfg->threads, k++) {
    struct conn *c = &w->conns[k];
    c->w = w;
    c->target = (j / cfg->threads) % (unsigned)cfg->n_targets;
    c->t = &cfg->targets[c->target];
    conn_start(c);
  }
  refill_cb(&w->refill);
  pump(w);
  return 0;
}


static void *worker_main(void *arg) {
  struct bl_worker *w = arg;

  /* The kernel may fire a timer up to the thread's slack late (50 us by default) to batch
   * wakeups: at tens of thousands of sends a second that is a whole period. 1 ns asks for none. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  w->rc = setup(w);
  if (w->rc == 0)
    uv_run(&w->loop, UV_RUN_DEFAULT);
  if (!w->send_done)
    atomic_store(&w->sent_until, uv_hrtime() < w->end_ns ? uv_hrtime() : w->end_ns);
  atomic_store(&w->finished, 1);
  return NULL;
}


struct bl_worker *bl_worker_new(unsigned id, const struct bl_shared *sh) {
  const struct bl_config *cfg = sh->cfg;
  struct bl_worker *w = calloc(1, sizeof *w);
  unsigned n;

  if (!w)
    return NULL;
  n = cfg->connections / cfg->threads + (id < cfg->connections % cfg->threads);
  w->conns = calloc(n ? n : 1, sizeof *w->conns);
  w->avail = calloc(n ? n : 1, sizeof *w->avail);
  if (!w->conns || !w->avail) {
    free(w->conns);
    free(w->avail);
    free(w);
    return NULL;
  }
  w->n_conns = n;
  w->id = id;
  w->sh = sh;
  w->cfg = cfg;
  w->tfd = -1;
  w->open_loop = cfg->rate > 0;
  w->end_ns = sh->end_ns;
  w->timeout_ns = (uint64_t)cfg->timeout_ms * 1000000u;
  bl_hist_reset(&w->res.hist);
  bl_hist_reset(&w->res.lag);
  if (w->open_loop)
    bl_sched_init(&w->sched, cfg->rate, cfg->threads, id, sh->start_ns, sh->end_ns);
  bl_synth_init(&w->synth, sh->profile, cfg->seed, id);
  return w;
}


int bl_worker_start(struct bl_worker *w) {
  int rc = pthread_create(&w->thread, NULL, worker_main, w);

  if (rc)
    return -rc;
  w->started = 1;
  return 0;
}


int bl_worker_join(struct bl_worker *w, struct bl_result *out, char *err, size_t errlen) {
  if (w->started) {
    pthread_join(w->thread, NULL);
    w->started = 0;
  }
  if (w->rc < 0) {
    snprintf(err, errlen, "%s", w->err);
    return w->rc;
  }
  bl_result_merge(out, &w->res);
  return 0;
}


uint64_t bl_worker_answers(struct bl_worker *w) {
  return atomic_load_explicit(&w->answers, memory_order_relaxed);
}


uint64_t bl_worker_errors(struct bl_worker *w) {
  return atomic_load_explicit(&w->errors, memory_order_relaxed);
}


int bl_worker_finished(struct bl_worker *w) {
  return atomic_load(&w->finished);
}


uint64_t bl_worker_sent_until(struct bl_worker *w) {
  return atomic_load(&w->sent_until);
}


void bl_worker_free(struct bl_worker *w) {
  unsigned i;

  if (!w)
    return;
  if (w->loop_ok) {
    uv_run(&w->loop, UV_RUN_DEFAULT);   /* let close callbacks run */
    uv_loop_close(&w->loop);
  }
  if (w->tfd >= 0)
    close(w->tfd);
  for (i = 0; i < w->n_conns; i++) {
    bl_buf_free(&w->conns[i].out);
    bl_buf_free(&w->conns[i].wbuf);
    bl_buf_free(&w->conns[i].body);
  }
  for (i = 0; i < RING; i++)
    bl_buf_free(&w->ring[i]);
  for (i = 0; i < BL_MAX_TARGETS; i++)
    bl_buf_free(&w->prefix[i]);
  free(w->conns);
  free(w->avail);
  free(w);
}
