/* conn.h - the state of the server, of one event loop, its connections and the request being
 * read.
 *
 * Lifetimes (nginx's two pools): a bg_server and its bg_loops live as long as the process; a
 * bg_conn as long as its TCP connection and owns what every request on it reuses (read buffer,
 * parser, output buffer, arena); a bg_request is reset at each new request and everything it
 * points to lives in the connection's arena until then. Only the loop's own thread touches a
 * loop, its connections and requests; what other threads may read is marked _Atomic (the
 * counters of metrics.h, the server's connection count and drain state).
 */
#ifndef BG_CONN_H
#define BG_CONN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>
#include <uv.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "decide.h"
#include "features_abi.h"
#include "metrics.h"
#include "model_abi.h"
#include "openrtb.h"

#define BG_MAX_TARGET 2048     /* bytes of the request target (path and query) */
#define BG_MAX_CONTENT_TYPE 128
#define BG_READ_BUF 16384      /* bytes per socket read */

struct bg_request {
  unsigned method;                       /* enum http_method */
  char target[BG_MAX_TARGET + 1];
  size_t target_len;
  char content_type[BG_MAX_CONTENT_TYPE + 1];
  size_t content_type_len;
  char field[24];                        /* the header name being read, lower case, truncated */
  size_t field_len;
  int header_state;                      /* which header the value being read belongs to */
  size_t header_bytes;                   /* request line + headers so far */
  char expect[16];                       /* the Expect header, lower case, truncated */
  size_t expect_len;
  unsigned has_content_type : 1;
  char *body;                            /* arena; NUL-terminated */
  size_t body_len, body_cap;
  int64_t now;                           /* wall clock (epoch s) when the request completed */
  int error;                             /* first BG_HTTP_ERR_* met while reading, or 0 */
  const char *message;                   /* its detail (static text) */
  int route;                             /* enum bg_route, for the metrics */
  int error_style;                       /* enum bg_error_style of the error writer */
  uint64_t t_begin;                      /* bg_clock_ns() at the first byte, 0: none */
  char accept[64];                       /* the Accept header, lower case, truncated */
  size_t accept_len;
  const char *allow;                     /* Allow header of a handler's 405 answer */
};

/* How the one error writer shapes an error body. */
enum bg_error_style {
  BG_ERROR_BIDGATE, /* {"error": {"code": "...", "message": "..."}} */
  BG_ERROR_OIP      /* {"error": "..."}: the Open Inference Protocol's error object */
};

struct bg_loop;
struct bg_thrift_srv;

enum bg_conn_state {
  BG_CONN_OPEN,    /* reading requests */
  BG_CONN_CLOSING, /* the last response is queued; then linger */
  BG_CONN_LINGER   /* write side shut; reading and discarding until EOF or the deadline */
};

struct bg_conn {
  uv_tcp_t tcp;                /* first: libuv hands back &tcp */
  struct bg_loop *loop;
  struct bg_conn *prev, *next; /* the loop's list, swept for timeouts */
  http_parser parser;
  struct bg_request req;
  struct bg_arena arena;
  struct bg_buf out;           /* responses not yet written */
  uv_write_t write_req;
  uv_shutdown_t shutdown_req;
  char *rbuf;                  /* BG_READ_BUF bytes, taken at the first read */
  uint64_t deadline;           /* loop time (ms) when the sweep acts */
  uint64_t last_read;          /* loop time (ms) of the last bytes read */
  enum bg_conn_state state;
  unsigned in_request : 1;     /* bytes of a request have arrived, not all of it */
  unsigned writing : 1;        /* a uv_write is in flight (reading is stopped meanwhile) */
  unsigned close_after : 1;    /* close once the queued responses are written */
  unsigned closed : 1;         /* uv_close was called */
};

struct bg_server;

struct bg_loop {
  uv_loop_t *uv;
  uv_tcp_t listener;
  uv_timer_t sweep;
  uv_async_t wake;                     /* the control thread asks: drain, or stop */
  struct bg_server *server;
  unsigned index;                      /* 0 .. threads-1 */
  int draining;                        /* this loop has begun to drain */
  const struct bg_config *cfg;
  const struct bg_model *model;
  const struct bg_features *features;  /* NULL: built without a spec */
  char model_id[80];                   /* "<name>@<sha8>" */
  struct bg_bidders bidders;           /* the configured candidates */
  struct bg_decide_cfg decide;
  struct bg_prng prng;
  struct bg_conn conns;                /* list head */
  unsigned num_conns;
  struct bg_buf scratch;               /* a response body being built */
  char date[64];                       /* "Date: ...\r\n" */
  int64_t date_second;
  int stopping;
  struct bg_thrift_srv *thrift;        /* the Thrift endpoint (thrift_server.h), or NULL */
  uv_thread_t thread;
  _Alignas(64) struct bg_stats stats;  /* written by this loop alone (metrics.h) */
};

struct bg_server {
  const struct bg_config *cfg;
  const struct bg_model *model;
  const struct bg_features *features;
  char model_id[80];                   /* "<name>@<sha8>" */
  unsigned n_loops;
  struct bg_loop **loops;
  _Atomic unsigned num_conns;          /* open client connections, every loop */
  atomic_int draining;                 /* SIGTERM came: health checks answer 503 */
  atomic_int stopping;                 /* the drain deadline passed: close everything */
  _Atomic unsigned loops_done;
  /* The control loop (main thread): signals, the EMF line, the drain deadline. */
  uv_loop_t control;
  uv_signal_t sigterm, sigint;
  uv_timer_t emf_timer, drain_timer;
  uv_async_t loop_done;
  struct bg_stats_snap emf_prev;
  uint64_t emf_prev_ms;
  char task[80];                       /* EMF "Task": the ECS task id, else the host name */
};

#endif /* BG_CONN_H */
