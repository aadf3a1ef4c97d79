/* server.h - bidgate's HTTP server: one libuv loop per thread, each accepting, reading, timing
 * out and writing its own connections, and a control loop for signals, metrics and the drain.
 *
 * Listening: a numeric address (the binary is static, so no name service) and port; port 0
 * lets the kernel choose. Once every loop listens, one line goes to stdout and is flushed:
 *
 *     bidgate: listening on http://ADDRESS:PORT (model NAME@SHA8, N threads)
 *
 * so scripts and tests can read the port. Every --emf-interval seconds one CloudWatch EMF line
 * follows on stdout (emf.h). SIGTERM or SIGINT drains: health checks answer 503, listeners
 * close, in-flight requests finish (their answers close their connections), idle connections
 * close; the server returns when none is left or at --drain-timeout. A second signal stops at
 * once.
 */
#ifndef BG_SERVER_H
#define BG_SERVER_H

#include "config.h"
#include "features_abi.h"
#include "model_abi.h"

/* Serve until SIGTERM/SIGINT and the drain. fx may be NULL (then /v1/filter answers 503).
 * Returns 0 after the drain, or -1 when the server could not start, with a one-line reason in
 * err. */
int bg_server_run(const struct bg_config *cfg, const struct bg_model *m,
                  const struct bg_features *fx, char *err, size_t errsz);

/* The number of CPUs this process may run on (sched_getaffinity), at least 1: the default
 * number of loops. */
unsigned bg_cpus_allowed(void);

#endif /* BG_SERVER_H */
