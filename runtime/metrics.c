/* metrics.c - counters per loop, their sums, and the Prometheus text (see metrics.h). */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "rows.h"

#define XX(name, label) label,
static const char *const route_label[] = {BG_ROUTES(XX)};
#undef XX
#define XX(s) s,
static const int status_code[] = {BG_STATUSES(XX)};
#undef XX
#define XX(name, status, code, msg) code,
static const char *const error_code[] = {BG_HTTP_ERRORS(XX)};
#undef XX


int bg_status_index(int status) {
  switch (status) {
#define XX(s)                                                                                  \
  case s:                                                                                      \
    return BG_STATUS_##s;
    BG_STATUSES(XX)
#undef XX
  }
  return BG_STATUS_OTHER;
}


unsigned bg_lat_bucket(uint64_t us) {
  uint64_t v = us > 0 ? us - 1 : 0;
  unsigned e, b;

  if (v < BG_LAT_SUB)
    return (unsigned)v;
  e = 63u - (unsigned)__builtin_clzll(v); /* v >= 16, so e >= 4 */
  b = (e - 3) * BG_LAT_SUB + (unsigned)((v >> (e - 4)) & (BG_LAT_SUB - 1));
  return b < BG_LAT_BUCKETS ? b : BG_LAT_BUCKETS - 1;
}


uint64_t bg_lat_upper(unsigned b) {
  unsigned e = b / BG_LAT_SUB + 3;

  if (b < BG_LAT_SUB)
    return (uint64_t)b + 1;
  return (uint64_t)(BG_LAT_SUB + b % BG_LAT_SUB + 1) << (e - 4);
}


void bg_stats_response(struct bg_stats *s, int route, int status, uint64_t latency_us) {
  if (route < 0 || route >= BG_ROUTE_N)
    route = BG_ROUTE_NONE;
  bg_count(&s->requests[route][bg_status_index(status)], 1);
  bg_count(&s->lat[bg_lat_bucket(latency_us)], 1);
  bg_count(&s->lat_sum_us, latency_us);
  if (latency_us > atomic_load_explicit(&s->lat_max_us, memory_order_relaxed))
    atomic_store_explicit(&s->lat_max_us, latency_us, memory_order_relaxed);
}


void bg_stats_decisions(struct bg_stats *s, const struct bg_rows *rows) {
  uint64_t n[BG_DECISION_N] = {0};
  uint32_t r;
  int i;

  for (r = 0; r < rows->n; r++)
    switch (rows->reason[r]) {
    case BG_REASON_SCORE:
      n[rows->pass[r] ? BG_DECISION_PASS : BG_DECISION_DROP]++;
      break;
    case BG_REASON_EXPLORE:
      n[BG_DECISION_EXPLORE]++;
      break;
    case BG_REASON_FAIL_OPEN:
      n[BG_DECISION_FAIL_OPEN]++;
      break;
    default:
      n[BG_DECISION_FAIL_CLOSED]++;
    }
  for (i = 0; i < BG_DECISION_N; i++)
    if (n[i] != 0)
      bg_count(&s->decisions[i], n[i]);
}


#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

void bg_stats_add(struct bg_stats_snap *snap, const struct bg_stats *s) {
  size_t i, j;

  for (i = 0; i < BG_ROUTE_N; i++)
    for (j = 0; j < BG_STATUS_N; j++)
      snap->requests[i][j] += LOAD(s->requests[i][j]);
  for (i = 0; i < BG_LAT_BUCKETS; i++)
    snap->lat[i] += LOAD(s->lat[i]);
  snap->lat_sum_us += LOAD(s->lat_sum_us);
  for (i = 0; i < BG_DECISION_N; i++)
    snap->decisions[i] += LOAD(s->decisions[i]);
  for (i = 0; i < BG_NUM_ERRORS; i++)
    snap->errors[i] += LOAD(s->errors[i]);
  snap->conns_accepted += LOAD(s->conns_accepted);
  snap->conns_rejected += LOAD(s->conns_rejected);
  snap->conns_idle_closed += LOAD(s->conns_idle_closed);
}


uint64_t bg_lat_quantile(const uint64_t *lat, double q) {
  uint64_t total = 0, rank, seen = 0;
  unsigned b;

  for (b = 0; b < BG_LAT_BUCKETS; b++)
    total += lat[b];
  if (total == 0)
    return 0;
  /* The smallest value with at least q of all values at or below it. */
  rank = (uint64_t)(q * (double)total + 0.999999);
  if (rank < 1)
    rank = 1;
  for (b = 0; b < BG_LAT_BUCKETS; b++) {
    seen += lat[b];
    if (seen >= rank)
      return bg_lat_upper(b);
  }
  return bg_lat_upper(BG_LAT_BUCKETS - 1);
}


/* printf into out; 0 or -1. */
static int put(struct bg_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int put(struct bg_buf *out, const char *fmt, ...) {
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || bg_buf_reserve(out, (size_t)n + 1) != 0)
    return -1;
  va_start(ap, fmt);
  vsnprintf(out->p + out->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  out->len += (size_t)n;
  return 0;
}


static int label_escaped(struct bg_buf *out, const char *s) {
  /* Prometheus label values escape backslash, double quote and line feed. */
  for (; *s != '\0'; s++) {
    int err = *s == '\\' ? bg_buf_puts(out, "\\\\")
              : *s == '"' ? bg_buf_puts(out, "\\\"")
              : *s == '\n' ? bg_buf_puts(out, "\\n")
                           : bg_buf_put(out, s, 1);
    if (err)
      return -1;
  }
  return 0;
}


int bg_metrics_prometheus(const struct bg_server *srv, struct bg_buf *out) {
  static const char *const decision_labels[BG_DECISION_N] = {
    "decision=\"pass\",reason=\"score\"", "decision=\"drop\",reason=\"score\"",
    "decision=\"pass\",reason=\"explore\"", "decision=\"pass\",reason=\"fail_open\"",
    "decision=\"drop\",reason=\"fail_closed\""};
  struct bg_stats_snap snap;
  const struct bg_model *m = srv->model;
  uint64_t cum = 0, count = 0, parse_http, parse_body;
  unsigned i, j, b = 0, k;
  int err = 0;

  memset(&snap, 0, sizeof snap);
  for (i = 0; i < srv->n_loops; i++)
    bg_stats_add(&snap, &srv->loops[i]->stats);

  err |= put(out, "# HELP bidgate_requests_total HTTP requests answered, by route and status.\n"
                  "# TYPE bidgate_requests_total counter\n");
  for (i = 0; i < BG_ROUTE_N; i++)
    for (j = 0; j < BG_STATUS_N; j++) {
      /* Every route's 200 always, so rates start from zero; other pairs once seen. */
      if (snap.requests[i][j] == 0 && (j != BG_STATUS_200 || i == BG_ROUTE_NONE))
        continue;
      if (j == BG_STATUS_OTHER)
        err |= put(out, "bidgate_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                   route_label[i], (unsigned long long)snap.requests[i][j]);
      else
        err |= put(out, "bidgate_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                   route_label[i], status_code[j], (unsigned long long)snap.requests[i][j]);
    }

  err |= put(out, "# HELP bidgate_request_duration_seconds From a request's first byte read "
                  "to its answer queued for writing.\n"
                  "# TYPE bidgate_request_duration_seconds histogram\n");
  for (k = 5; k <= 21; k++) { /* 32 us .. 2.1 s, each a bucket boundary (metrics.h) */
    uint64_t le = (uint64_t)1 << k;
    for (; b < BG_LAT_BUCKETS && bg_lat_upper(b) <= le; b++)
      cum += snap.lat[b];
    err |= put(out, "bidgate_request_duration_seconds_bucket{le=\"%.6f\"} %llu\n",
               (double)le / 1e6, (unsigned long long)cum);
  }
  for (b = 0; b < BG_LAT_BUCKETS; b++)
    count += snap.lat[b];
  err |= put(out, "bidgate_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                  "bidgate_request_duration_seconds_sum %.6f\n"
                  "bidgate_request_duration_seconds_count %llu\n",
             (unsigned long long)count, (double)snap.lat_sum_us / 1e6,
             (unsigned long long)count);

  err |= put(out, "# HELP bidgate_decisions_total /v1/filter decisions (one per impression "
                  "and bidder), by outcome and reason.\n"
                  "# TYPE bidgate_decisions_total counter\n");
  for (i = 0; i < BG_DECISION_N; i++)
    err |= put(out, "bidgate_decisions_total{%s} %llu\n", decision_labels[i],
               (unsigned long long)snap.decisions[i]);

  err |= put(out, "# HELP bidgate_errors_total Error answers, by the code of their JSON body.\n"
                  "# TYPE bidgate_errors_total counter\n");
  for (i = 0; i < BG_NUM_ERRORS; i++)
    err |= put(out, "bidgate_errors_total{code=\"%s\"} %llu\n", error_code[i],
               (unsigned long long)snap.errors[i]);
  parse_http = snap.errors[BG_HTTP_ERR_BAD_REQUEST - BG_HTTP__ERR_FIRST - 1];
  parse_body = snap.errors[BG_HTTP_ERR_BAD_JSON - BG_HTTP__ERR_FIRST - 1] +
               snap.errors[BG_HTTP_ERR_BAD_CSV - BG_HTTP__ERR_FIRST - 1] +
               snap.errors[BG_HTTP_ERR_BAD_TENSOR - BG_HTTP__ERR_FIRST - 1] +
               snap.errors[BG_HTTP_ERR_NOT_BIDREQUEST - BG_HTTP__ERR_FIRST - 1];
  err |= put(out, "# HELP bidgate_parse_errors_total Requests refused because their bytes did "
                  "not parse: as HTTP, or their body (JSON, CSV, tensor, BidRequest).\n"
                  "# TYPE bidgate_parse_errors_total counter\n"
                  "bidgate_parse_errors_total{layer=\"http\"} %llu\n"
                  "bidgate_parse_errors_total{layer=\"body\"} %llu\n",
             (unsigned long long)parse_http, (unsigned long long)parse_body);

  err |= put(out, "# HELP bidgate_connections Open client connections.\n"
                  "# TYPE bidgate_connections gauge\n"
                  "bidgate_connections %u\n"
                  "# HELP bidgate_connections_accepted_total Client connections accepted.\n"
                  "# TYPE bidgate_connections_accepted_total counter\n"
                  "bidgate_connections_accepted_total %llu\n"
                  "# HELP bidgate_connections_closed_total Connections the server closed on "
                  "a limit: over --max-conns at accept, or idle past --idle-timeout.\n"
                  "# TYPE bidgate_connections_closed_total counter\n"
                  "bidgate_connections_closed_total{reason=\"max_conns\"} %llu\n"
                  "bidgate_connections_closed_total{reason=\"idle_timeout\"} %llu\n",
             atomic_load_explicit(&((struct bg_server *)srv)->num_conns, memory_order_relaxed),
             (unsigned long long)snap.conns_accepted, (unsigned long long)snap.conns_rejected,
             (unsigned long long)snap.conns_idle_closed);

  err |= put(out, "# HELP bidgate_threads Event loops serving requests.\n"
                  "# TYPE bidgate_threads gauge\n"
                  "bidgate_threads %u\n"
                  "# HELP bidgate_draining 1 after SIGTERM, while in-flight requests finish.\n"
                  "# TYPE bidgate_draining gauge\n"
                  "bidgate_draining %d\n",
             srv->n_loops,
             atomic_load_explicit(&((struct bg_server *)srv)->draining, memory_order_relaxed));

  err |= put(out, "# HELP bidgate_model_info The model compiled into this binary.\n"
                  "# TYPE bidgate_model_info gauge\n"
                  "bidgate_model_info{name=\"");
  err |= label_escaped(out, m->name);
  err |= put(out, "\",sha256=\"");
  err |= label_escaped(out, m->sha256);
  err |= put(out, "\",objective=\"");
  err |= label_escaped(out, m->objective);
  err |= put(out, "\",xgbc_version=\"");
  err |= label_escaped(out, m->xgbc_version);
  err |= put(out, "\",features=\"%u\",trees=\"%u\"} 1\n", m->num_features, m->num_trees);
  return err ? -1 : 0;
}
