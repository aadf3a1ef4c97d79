/* conn.h - the state of one event loop, its connections and the request being read.
 *
 * Lifetimes (nginx's two pools): a bg_loop lives as long as the server; a bg_conn as long as
 * its TCP connection and owns what every request on it reuses (read buffer, parser, output
 * buffer, arena); a bg_request is reset at each new request and everything it points to lives
 * in the connection's arena until then. Only the loop's own thread touches any of it.
 */
#ifndef BG_CONN_H
#define BG_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>
#include <uv.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "decide.h"
#include "features_abi.h"
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
  enum bg_conn_state state;
  unsigned in_request : 1;     /* bytes of a request have arrived, not all of it */
  unsigned writing : 1;        /* a uv_write is in flight (reading is stopped meanwhile) */
  unsigned close_after : 1;    /* close once the queued responses are written */
  unsigned closed : 1;         /* uv_close was called */
};

struct bg_loop {
  uv_loop_t *uv;
  uv_tcp_t listener;
  uv_timer_t sweep;
  uv_signal_t sigterm, sigint;
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
};

#endif /* BG_CONN_H */
