/* bidload_server.h - a tiny HTTP server on loopback for bidload's tests: answers each POST after
 * a delay the test chooses, can stall everything for a while, answer with any status, close after
 * each answer, or never answer. It runs on its own thread and libuv loop, binds port 0 and
 * reports the port it got, and records how long it held each request (its own clock), which is
 * the oracle the client's measurements are checked against. Failures fail the calling test. */
#ifndef BLT_SERVER_H
#define BLT_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct blt_server_cfg {
  /* Delay (us) before answering the n-th request (0-based, in arrival order); NULL: none. */
  uint64_t (*delay_us)(uint64_t n);
  /* When request number stall_at arrives, hold every answer until stall_us later (0: never). */
  uint64_t stall_at, stall_us;
  int status;                 /* answer status (0: 200) */
  const char *body;           /* answer body (NULL: a bidgate answer with one of each decision) */
  int close_each;             /* answer with Connection: close and close */
  int never_answer;
};

struct blt_server;

struct blt_server *blt_server_start(const struct blt_server_cfg *cfg);
int blt_server_port(const struct blt_server *s);
/* "http://127.0.0.1:PORT/v1/filter" (owned by s). */
const char *blt_server_url(const struct blt_server *s);

/* Stops the server (joins its thread). The counts below stay readable until blt_server_free. */
void blt_server_stop(struct blt_server *s);
void blt_server_free(struct blt_server *s);

uint64_t blt_server_requests(const struct blt_server *s);     /* requests received */
uint64_t blt_server_bad_bodies(const struct blt_server *s);   /* bodies that were not JSON objects */
unsigned blt_server_max_inflight(const struct blt_server *s); /* most unanswered on one connection */
unsigned blt_server_connections(const struct blt_server *s);  /* connections accepted */
/* How long (us, server clock) each answered request was held, in answer order; *n is the count. */
const uint64_t *blt_server_holds(const struct blt_server *s, size_t *n);

/* The body of the first request received (NUL-terminated), or NULL. */
const char *blt_server_first_body(const struct blt_server *s);

#endif /* BLT_SERVER_H */
