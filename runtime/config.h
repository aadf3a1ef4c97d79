/* config.h - bidgate's settings: command-line flags, each with an environment variable.
 *
 * A flag wins over its variable, which wins over the default; `bidgate --help` prints the table
 * (BG_CONFIG_OPTIONS) with both names. ECS task definitions set the variables.
 */
#ifndef BG_CONFIG_H
#define BG_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BG_MAX_THREADS 256

struct bg_config {
  char host[64];              /* numeric IPv4 or IPv6 address to listen on */
  unsigned port;              /* 0: the kernel picks one (printed on stdout) */
  int thrift_port;            /* Thrift BidRequestFilter endpoint: -1 off, 0 the kernel picks */
  int thrift_framed;          /* its transport: 1 framed, 0 unframed (a plain stream) */
  double threshold;           /* pass when score >= threshold */
  double explore;             /* share of rows passed regardless, marked "explore" */
  uint64_t seed;              /* of the exploration PRNG; 0: from the clock and pid */
  int fail_closed;            /* drop, rather than pass, what cannot be scored */
  char bidders[4096];         /* comma-separated default candidate bidders */
  size_t max_body;            /* bytes */
  size_t max_header;          /* bytes of request line + headers */
  unsigned request_timeout_ms;/* from a request's first byte to its last */
  unsigned idle_timeout_ms;   /* keep-alive connection with no request in progress */
  unsigned max_conns;         /* open connections; more are closed at once */
  unsigned max_rows;          /* impressions x bidders scored per request */
  unsigned threads;           /* event loops; 0: one per CPU this process may use */
  double drain_timeout;       /* seconds from SIGTERM to exit, at most */
  unsigned emf_interval;      /* seconds between EMF lines on stdout; 0: none */
  char emf_service[128];      /* the EMF "Service" dimension */
};

/* The model's default threshold (runtime/linked_model.c). */
extern const char bg_linked_threshold[];

/* XX(FIELD, FLAG, ENV, KIND, DEFAULT, HELP); KIND: str, uint, size, real, share, bool, u64,
 * optport ("off" or a port), framing ("framed" or "unframed"),
 * secs (a duration in seconds: a number >= 0, fractions allowed) */
#define BG_CONFIG_OPTIONS(XX)                                                                  \
  XX(host, "--host", "BIDGATE_HOST", str, "0.0.0.0", "numeric address to listen on")           \
  XX(port, "--port", "BIDGATE_PORT", uint, "8080", "TCP port; 0 lets the kernel choose")       \
  XX(thrift_port, "--thrift-port", "BIDGATE_THRIFT_PORT", optport, "off", "Thrift "            \
     "BidRequestFilter port (off: none; 0 lets the kernel choose)")                            \
  XX(thrift_framed, "--thrift-transport", "BIDGATE_THRIFT_TRANSPORT", framing, "unframed",     \
     "Thrift transport: unframed (TSocket) or framed (TFramedTransport)")                      \
  XX(threshold, "--threshold", "BIDGATE_THRESHOLD", real, bg_linked_threshold, "pass when "  \
     "score >= this (the model's serving.json sets the default)")                            \
  XX(explore, "--explore", "BIDGATE_EXPLORE", share, "0", "share (0..1) of rows passed at "    \
     "random, marked \"explore\"")                                                             \
  XX(seed, "--seed", "BIDGATE_SEED", u64, "0", "seed of the exploration draws (0: random)")   \
  XX(fail_closed, "--fail-closed", "BIDGATE_FAIL_CLOSED", bool, "0", "drop what cannot be "    \
     "scored instead of passing it")                                                           \
  XX(bidders, "--bidders", "BIDGATE_BIDDERS", str, "", "comma-separated candidate bidders "    \
     "(a request's ext.bidders wins)")                                                         \
  XX(max_body, "--max-body", "BIDGATE_MAX_BODY", size, "1048576", "largest body, bytes")       \
  XX(max_header, "--max-header", "BIDGATE_MAX_HEADER", size, "16384", "largest request line "  \
     "+ headers, bytes")                                                                       \
  XX(request_timeout_ms, "--request-timeout", "BIDGATE_REQUEST_TIMEOUT", uint, "10000",        \
     "ms from a request's first byte to its last (then 408)")                                  \
  XX(idle_timeout_ms, "--idle-timeout", "BIDGATE_IDLE_TIMEOUT", uint, "60000", "ms an idle "   \
     "keep-alive connection stays open")                                                       \
  XX(max_conns, "--max-conns", "BIDGATE_MAX_CONNS", uint, "10000", "open connections")         \
  XX(max_rows, "--max-rows", "BIDGATE_MAX_ROWS", uint, "4096", "impressions x bidders per "    \
     "request (more: 413)")                                                                    \
  XX(threads, "--threads", "BIDGATE_THREADS", uint, "0", "event loops, one thread each (0: "   \
     "one per CPU this process may use)")                                                      \
  XX(drain_timeout, "--drain-timeout", "BIDGATE_DRAIN_TIMEOUT", secs, "20", "seconds from "    \
     "SIGTERM until exit, at most (in-flight requests finish)")                                \
  XX(emf_interval, "--emf-interval", "BIDGATE_EMF_INTERVAL", uint, "60", "seconds between "    \
     "CloudWatch EMF lines on stdout (0: none)")                                               \
  XX(emf_service, "--emf-service", "BIDGATE_EMF_SERVICE", str, "bidgate", "the EMF Service "   \
     "dimension")

/* Fill cfg from defaults, then the environment, then argv[0..argc) (flags only: the caller
 * removed the command). Returns 0, or -1 with a one-line reason in err. */
int bg_config_load(struct bg_config *cfg, int argc, char **argv, char *err, size_t errsz);

/* The options table as --help prints it. */
void bg_config_usage(FILE *out);

#endif /* BG_CONFIG_H */
