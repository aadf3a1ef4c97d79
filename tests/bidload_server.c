/* bidload_server.c - the delaying HTTP test server of bidload's tests (see bidload_server.h). */
#define _GNU_SOURCE
#include "bidload_server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <http_parser.h>
#include <uv.h>

#define QUEUE 256
#define MAX_CONNS 256

static const char default_body[] =
  "{\"id\":\"x\",\"model\":\"test@00000000\",\"imp\":[{\"id\":\"1\",\"bidders\":["
  "{\"bidder\":\"a\",\"score\":0.91,\"pass\":true,\"reason\":\"score\"},"
  "{\"bidder\":\"b\",\"score\":0.02,\"pass\":false,\"reason\":\"score\"},"
  "{\"bidder\":\"c\",\"score\":0.03,\"pass\":true,\"reason\":\"explore\"},"
  "{\"bidder\":\"d\",\"pass\":true,\"reason\":\"fail_open\"}]}]}";

struct sconn {
  uv_tcp_t tcp;
  struct blt_server *s;
  http_parser parser;
  char *body;
  size_t body_len;
  uint64_t recv[QUEUE], deadline[QUEUE];
  unsigned head, n;
  int closing;
};

struct blt_server {
  struct blt_server_cfg cfg;
  uv_loop_t loop;
  uv_tcp_t listener;
  uv_async_t stop;
  uv_poll_t tick;
  int tfd;
  pthread_t thread;
  int port;
  char url[64];
  uint64_t stall_until;
  struct sconn *conns[MAX_CONNS];
  unsigned n_conns;
  uint64_t requests, bad_bodies;
  unsigned max_inflight, accepted;
  uint64_t *holds;
  size_t n_holds, cap_holds;
  char *first_body;
  char answer[4096];
  size_t answer_len;
};

static char rbuf[65536];


static void arm(struct blt_server *s) {
  uint64_t earliest = UINT64_MAX;
  struct itimerspec its = {{0, 0}, {0, 0}};
  unsigned i;

  for (i = 0; i < s->n_conns; i++) {
    struct sconn *c = s->conns[i];
    if (c && !c->closing && c->n && c->deadline[c->head] < earliest)
      earliest = c->deadline[c->head];
  }
  if (earliest != UINT64_MAX) {
    its.it_value.tv_sec = (time_t)(earliest / 1000000000u);
    its.it_value.tv_nsec = (long)(earliest % 1000000000u);
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
      its.it_value.tv_nsec = 1;
  }
  timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}


static void free_conn(uv_handle_t *h) {
  struct sconn *c = h->data;

  free(c->body);
  free(c);
}


static void close_conn(struct sconn *c) {
  unsigned i;

  if (c->closing)
    return;
  c->closing = 1;
  for (i = 0; i < c->s->n_conns; i++)
    if (c->s->conns[i] == c)
      c->s->conns[i] = NULL;
  uv_close((uv_handle_t *)&c->tcp, free_conn);
}


/* Writes every answer that is due, in order on each connection. */
static void answer_due(struct blt_server *s) {
  uint64_t now = uv_hrtime();
  unsigned i;

  for (i = 0; i < s->n_conns; i++) {
    struct sconn *c = s->conns[i];
    while (c && !c->closing && c->n && c->deadline[c->head] <= now) {
      uv_buf_t b = uv_buf_init(s->answer, (unsigned)s->answer_len);
      if (s->n_holds == s->cap_holds) {
        s->cap_holds = s->cap_holds ? 2 * s->cap_holds : 4096;
        s->holds = realloc(s->holds, s->cap_holds * sizeof *s->holds);
      }
      s->holds[s->n_holds++] = (now - c->recv[c->head]) / 1000;
      c->head = (c->head + 1) % QUEUE;
      c->n--;
      /* Answers are small: the socket buffer always takes them whole on loopback. */
      if (uv_try_write((uv_stream_t *)&c->tcp, &b, 1) != (int)b.len || s->cfg.close_each) {
        close_conn(c);
        break;
      }
    }
  }
  arm(s);
}


static void tick_cb(uv_poll_t *h, int status, int events) {
  struct blt_server *s = h->data;
  uint64_t x;

  (void)status;
  (void)events;
  if (read(s->tfd, &x, sizeof x) < 0) {
    /* spurious wake-up: nothing to read */
  }
  answer_due(s);
}


static int on_begin(http_parser *p) {
  struct sconn *c = p->data;

  c->body_len = 0;
  return 0;
}


static int on_body(http_parser *p, const char *at, size_t len) {
  struct sconn *c = p->data;

  c->body = realloc(c->body, c->body_len + len + 1);
  memcpy(c->body + c->body_len, at, len);
  c->body_len += len;
  c->body[c->body_len] = 0;
  return 0;
}


static int on_complete(http_parser *p) {
  struct sconn *c = p->data;
  struct blt_server *s = c->s;
  uint64_t now = uv_hrtime(), n = s->requests++, delay;
  unsigned slot;
  cJSON *doc;

  doc = c->body_len ? cJSON_ParseWithLength(c->body, c->body_len) : NULL;
  if (!cJSON_IsObject(doc))
    s->bad_bodies++;
  cJSON_Delete(doc);
  if (!s->first_body && c->body_len)
    s->first_body = strdup(c->body);
  if (s->cfg.stall_us && n == s->cfg.stall_at)
    s->stall_until = now + s->cfg.stall_us * 1000;
  if (s->cfg.never_answer)
    return 0;
  if (c->n == QUEUE)
    return -1;
  delay = s->cfg.delay_us ? s->cfg.delay_us(n) * 1000 : 0;
  slot = (c->head + c->n) % QUEUE;
  c->recv[slot] = now;
  c->deadline[slot] = now + delay > s->stall_until ? now + delay : s->stall_until;
  c->n++;
  if (c->n > s->max_inflight)
    s->max_inflight = c->n;
  return 0;
}


static const http_parser_settings settings = {
  .on_message_begin = on_begin,
  .on_body = on_body,
  .on_message_complete = on_complete,
};


static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  *buf = uv_buf_init(rbuf, sizeof rbuf);
}


static void read_cb(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf) {
  struct sconn *c = st->data;

  if (nread < 0) {
    close_conn(c);
    return;
  }
  if (nread > 0) {
    http_parser_execute(&c->parser, &settings, buf->base, (size_t)nread);
    if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK) {
      close_conn(c);
      return;
    }
  }
  answer_due(c->s);
}


static void on_connection(uv_stream_t *l, int status) {
  struct blt_server *s = l->data;
  struct sconn *c;
  unsigned i;

  if (status < 0)
    return;
  c = calloc(1, sizeof *c);
  c->s = s;
  uv_tcp_init(&s->loop, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(l, (uv_stream_t *)&c->tcp) < 0) {
    uv_close((uv_handle_t *)&c->tcp, free_conn);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  s->accepted++;
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  for (i = 0; i < s->n_conns && s->conns[i]; i++)
    ;
  if (i == MAX_CONNS) {
    uv_close((uv_handle_t *)&c->tcp, free_conn);
    return;
  }
  s->conns[i] = c;
  if (i == s->n_conns)
    s->n_conns++;
  uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
}


static void close_any(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) {
    if (h->type == UV_TCP && h->data && h->data != arg)
      close_conn(h->data);
    else
      uv_close(h, NULL);
  }
}


static void stop_cb(uv_async_t *a) {
  struct blt_server *s = a->data;

  uv_walk(&s->loop, close_any, s);
}


static void *server_main(void *arg) {
  struct blt_server *s = arg;

  uv_run(&s->loop, UV_RUN_DEFAULT);
  return NULL;
}


struct blt_server *blt_server_start(const struct blt_server_cfg *cfg) {
  struct blt_server *s = calloc(1, sizeof *s);
  struct sockaddr_in addr;
  struct sockaddr_storage got;
  int len = sizeof got;
  const char *body;

  cr_assert(s != NULL);
  s->cfg = *cfg;
  body = cfg->body ? cfg->body : default_body;
  s->answer_len = (size_t)snprintf(s->answer, sizeof s->answer,
                                   "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                                   "Content-Length: %zu\r\n%s\r\n%s",
                                   cfg->status ? cfg->status : 200, strlen(body),
                                   cfg->close_each ? "Connection: close\r\n" : "", body);
  cr_assert(uv_loop_init(&s->loop) == 0);
  cr_assert(uv_tcp_init(&s->loop, &s->listener) == 0);
  s->listener.data = s;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  cr_assert(uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0) == 0);
  cr_assert(uv_listen((uv_stream_t *)&s->listener, 128, on_connection) == 0);
  cr_assert(uv_tcp_getsockname(&s->listener, (struct sockaddr *)&got, &len) == 0);
  s->port = ntohs(((struct sockaddr_in *)&got)->sin_port);
  snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d/v1/filter", s->port);
  s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  cr_assert(s->tfd >= 0);
  uv_poll_init(&s->loop, &s->tick, s->tfd);
  s->tick.data = s;
  uv_poll_start(&s->tick, UV_READABLE, tick_cb);
  uv_async_init(&s->loop, &s->stop, stop_cb);
  s->stop.data = s;
  cr_assert(pthread_create(&s->thread, NULL, server_main, s) == 0);
  return s;
}


int blt_server_port(const struct blt_server *s) {
  return s->port;
}


const char *blt_server_url(const struct blt_server *s) {
  return s->url;
}


void blt_server_stop(struct blt_server *s) {
  if (s->thread) {
    uv_async_send(&s->stop);
    pthread_join(s->thread, NULL);
    s->thread = 0;
    uv_loop_close(&s->loop);
    close(s->tfd);
  }
}


void blt_server_free(struct blt_server *s) {
  blt_server_stop(s);
  free(s->holds);
  free(s->first_body);
  free(s);
}


uint64_t blt_server_requests(const struct blt_server *s) {
  return s->requests;
}


uint64_t blt_server_bad_bodies(const struct blt_server *s) {
  return s->bad_bodies;
}


unsigned blt_server_max_inflight(const struct blt_server *s) {
  return s->max_inflight;
}


unsigned blt_server_connections(const struct blt_server *s) {
  return s->accepted;
}


const uint64_t *blt_server_holds(const struct blt_server *s, size_t *n) {
  *n = s->n_holds;
  return s->holds;
}


const char *blt_server_first_body(const struct blt_server *s) {
  return s->first_body;
}
