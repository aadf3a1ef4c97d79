/* server.h - bidgate's HTTP server: a libuv loop that accepts, reads, times out and writes.
 *
 * Listening: a numeric address (the binary is static, so no name service) and port; port 0
 * lets the kernel choose. Once listening, one line goes to stdout and is flushed:
 *
 *     bidgate: listening on http://ADDRESS:PORT (model NAME@SHA8)
 *
 * so scripts and tests can read the port. SIGTERM and SIGINT stop the loop; the server then
 * closes its connections and returns.
 */
#ifndef BG_SERVER_H
#define BG_SERVER_H

#include "config.h"
#include "features_abi.h"
#include "model_abi.h"

/* Serve until SIGTERM/SIGINT. fx may be NULL (then /v1/filter answers 503). Returns 0 after a
 * signal, or -1 when the server could not start, with a one-line reason in err. */
int bg_server_run(const struct bg_config *cfg, const struct bg_model *m,
                  const struct bg_features *fx, char *err, size_t errsz);

#endif /* BG_SERVER_H */
