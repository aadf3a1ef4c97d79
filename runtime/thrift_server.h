/* thrift_server.h - the Thrift endpoint: BidRequestFilter.filter on the server's event loop.
 *
 * With --thrift-port set, each event loop also listens there (SO_REUSEPORT, like the HTTP
 * listener) for Thrift binary-protocol calls over the transport --thrift-transport names, and
 * answers each call of filter with the model's score (thrift_call.h); docs/thrift.md. Once the
 * first loop listens, one line goes to stdout, after the HTTP one, and is flushed:
 *
 *     bidgate: thrift on ADDRESS:PORT (TRANSPORT, BidRequestFilter.filter)
 *
 * Every malformed or unexpected message is counted by kind (BG_THRIFT_ERRORS); each loop keeps
 * its own counters (no sharing on the request path), folded into process totals when it stops.
 */
#ifndef BG_THRIFT_SERVER_H
#define BG_THRIFT_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "thrift_proto.h"

struct bg_loop;

struct bg_thrift_counters {
  uint64_t calls;                      /* calls of filter scored and answered */
  uint64_t errors[BG_THRIFT_E_COUNT];  /* by BG_THRIFT_E_*; [0] unused */
};

/* Start loop l's Thrift listener on l->cfg->host and l->cfg->thrift_port (a port of 0 is
 * chosen by the kernel for the first loop and reused by the others). Returns 0 (also when
 * thrift_port is -1: the endpoint is off), or -1 with a one-line reason in err: the model
 * cannot serve Thrift (thrift_call.h), the address cannot be bound, memory is out; nothing is
 * left open then. Call from l's thread before its loop runs. */
int bg_thrift_start(struct bg_loop *l, char *err, size_t errsz);

/* Close l's Thrift listener and connections (their memory goes as their handles close) and
 * add l's counters to the totals. Safe to call when the endpoint is off or already stopped. */
void bg_thrift_stop(struct bg_loop *l);

/* Print the "bidgate: thrift on ADDR:PORT (...)" line (after the HTTP "listening on" line,
 * once every loop is listening); nothing when --thrift-port is off. */
struct bg_config;
void bg_thrift_announce(const struct bg_config *cfg);

/* Loop l's counters so far (all zero when the endpoint is off). Only from l's thread. */
void bg_thrift_counters(const struct bg_loop *l, struct bg_thrift_counters *out);

/* The counters of every loop stopped so far, summed. Thread-safe. */
void bg_thrift_totals(struct bg_thrift_counters *out);

/* c as one line, e.g. "calls=12 errors=2 bad_type=1 truncated=1" (the error kinds that
 * occurred, by their labels), into buf (n bytes, NUL-terminated, cut to fit). */
void bg_thrift_counters_format(const struct bg_thrift_counters *c, char *buf, size_t n);

#endif /* BG_THRIFT_SERVER_H */
