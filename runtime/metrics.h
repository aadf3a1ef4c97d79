/* metrics.h - what the server counts, per event loop, and how the counts are read.
 *
 * Each loop owns one struct bg_stats and is its only writer, so counting takes no lock and no
 * atomic read-modify-write: a counter is bumped with a relaxed load and a relaxed store (plain
 * moves on x86-64 and arm64). Readers on other threads (GET /metrics on any loop, the EMF line
 * on the control thread) load each counter relaxed and sum the loops into a struct
 * bg_stats_snap; a sum may mix moments a few nanoseconds apart, never torn values.
 *
 * Latency: from the first byte of a request parsed to its response queued for writing (it is
 * handed to the kernel in the same loop iteration), in microseconds, into a log-linear histogram
 * (16 buckets per power of two: each value known within 6.25%). Bucket b holds v where v - 1
 * falls in [lower(b), upper(b)), so "v <= upper(b)" is exact: the Prometheus buckets, powers of
 * two of microseconds, are sums of whole buckets.
 */
#ifndef BG_METRICS_H
#define BG_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "http_errors.h"

/* XX(NAME, LABEL): the routes requests are counted under (LABEL is the Prometheus label). */
#define BG_ROUTES(XX)                                                                          \
  XX(NONE, "none")                                                                             \
  XX(FILTER, "/v1/filter")                                                                     \
  XX(HEALTHZ, "/healthz")                                                                      \
  XX(PING, "/ping")                                                                            \
  XX(INVOCATIONS, "/invocations")                                                              \
  XX(METRICS, "/metrics")                                                                      \
  XX(V2_SERVER, "/v2")                                                                         \
  XX(V2_LIVE, "/v2/health/live")                                                               \
  XX(V2_READY, "/v2/health/ready")                                                             \
  XX(V2_MODEL, "/v2/models/{model}")                                                           \
  XX(V2_MODEL_READY, "/v2/models/{model}/ready")                                               \
  XX(V2_INFER, "/v2/models/{model}/infer")

enum bg_route {
#define XX(name, label) BG_ROUTE_##name,
  BG_ROUTES(XX)
#undef XX
  BG_ROUTE_N
};

/* The statuses counted one by one; any other counts as "other". */
#define BG_STATUSES(XX)                                                                        \
  XX(200) XX(400) XX(404) XX(405) XX(406) XX(408) XX(411) XX(413) XX(414) XX(415) XX(431)      \
  XX(500) XX(501) XX(503)

enum {
#define XX(s) BG_STATUS_##s,
  BG_STATUSES(XX)
#undef XX
  BG_STATUS_OTHER,
  BG_STATUS_N
};

/* Decisions of /v1/filter rows. */
enum bg_decision {
  BG_DECISION_PASS,        /* passed on score */
  BG_DECISION_DROP,        /* dropped on score */
  BG_DECISION_EXPLORE,     /* passed by the exploration share */
  BG_DECISION_FAIL_OPEN,   /* could not be scored, passed */
  BG_DECISION_FAIL_CLOSED, /* could not be scored, dropped */
  BG_DECISION_N
};

#define BG_NUM_ERRORS (BG_HTTP__ERR_END - BG_HTTP__ERR_FIRST - 1)
#define BG_LAT_SUB 16
#define BG_LAT_BUCKETS (BG_LAT_SUB * 25) /* up to 2^28 us (268 s); longer: the last bucket */

typedef _Atomic uint64_t bg_counter;

struct bg_stats {
  bg_counter requests[BG_ROUTE_N][BG_STATUS_N];
  bg_counter lat[BG_LAT_BUCKETS];
  bg_counter lat_sum_us;
  bg_counter lat_max_us;         /* largest since the last EMF line (which resets it) */
  bg_counter decisions[BG_DECISION_N];
  bg_counter errors[BG_NUM_ERRORS]; /* by BG_HTTP_ERR_*, every error answer */
  bg_counter conns_accepted;
  bg_counter conns_rejected;     /* over --max-conns: closed at once */
  bg_counter conns_idle_closed;  /* closed by --idle-timeout */
};

/* The sum of every loop's counters at one moment. */
struct bg_stats_snap {
  uint64_t requests[BG_ROUTE_N][BG_STATUS_N];
  uint64_t lat[BG_LAT_BUCKETS];
  uint64_t lat_sum_us;
  uint64_t decisions[BG_DECISION_N];
  uint64_t errors[BG_NUM_ERRORS];
  uint64_t conns_accepted, conns_rejected, conns_idle_closed;
};

/* Add n to a counter this thread alone writes. */
static inline void bg_count(bg_counter *c, uint64_t n) {
  atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                        memory_order_relaxed);
}

/* Monotonic clock in nanoseconds, for latencies (vDSO: no system call). */
static inline uint64_t bg_clock_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The status's column in requests[][]. */
int bg_status_index(int status);

/* Count one answered request of route with status and latency_us. Never fails. */
void bg_stats_response(struct bg_stats *s, int route, int status, uint64_t latency_us);

struct bg_rows;

/* Count the decisions of a /v1/filter request's rows (decide.c filled them). Never fails. */
void bg_stats_decisions(struct bg_stats *s, const struct bg_rows *rows);

/* Add every loop's counters (n of them) into snap (which the caller zeroed or filled). */
void bg_stats_add(struct bg_stats_snap *snap, const struct bg_stats *s);

/* The value at quantile q (0..1) of the histogram lat (a difference of two snapshots may be
 * passed), as the top of the bucket holding it; 0 when it is empty. */
uint64_t bg_lat_quantile(const uint64_t *lat, double q);

/* Upper bound of bucket b in microseconds ("v <= upper"). */
uint64_t bg_lat_upper(unsigned b);

/* The bucket of a latency in microseconds. */
unsigned bg_lat_bucket(uint64_t us);

struct bg_server;

/* Everything as Prometheus text exposition (version 0.0.4) appended to out: the loops' sums,
 * the model, connections, threads. Returns 0 or -1 when memory is out. */
int bg_metrics_prometheus(const struct bg_server *srv, struct bg_buf *out);

#endif /* BG_METRICS_H */
