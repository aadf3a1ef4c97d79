/* emf.c - the CloudWatch Embedded Metric Format line (see emf.h). The names and units are
 * those of infra/emf-metrics.json, which tests/test_metrics.c checks this output against with
 * tools/cfn/check.js --emf. */
#define _DEFAULT_SOURCE /* gethostname */
#include "emf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"

/* XX(NAME, UNIT): the metrics, in the order of infra/emf-metrics.json. */
#define EMF_METRICS(XX)                                                                        \
  XX(Requests, "Count")                                                                        \
  XX(RequestsPerTask, "Count/Second")                                                          \
  XX(FilterRequests, "Count")                                                                  \
  XX(Pass, "Count")                                                                            \
  XX(Drop, "Count")                                                                            \
  XX(Explore, "Count")                                                                         \
  XX(FailOpen, "Count")                                                                        \
  XX(Errors4xx, "Count")                                                                       \
  XX(Errors5xx, "Count")                                                                       \
  XX(LatencyP50Us, "Microseconds")                                                             \
  XX(LatencyP99Us, "Microseconds")                                                             \
  XX(LatencyMaxUs, "Microseconds")                                                             \
  XX(Connections, "Count")

#define XX(s) s,
static const int status_code[] = {BG_STATUSES(XX)};
#undef XX


int bg_emf_line(const struct bg_server *srv, const struct bg_stats_snap *now,
                const struct bg_stats_snap *prev, double seconds, uint64_t max_us,
                struct bg_buf *out) {
  uint64_t lat[BG_LAT_BUCKETS];
  uint64_t Requests = 0, FilterRequests = 0, Errors4xx = 0, Errors5xx = 0;
  uint64_t Pass, Drop, Explore, FailOpen, LatencyP50Us, LatencyP99Us, LatencyMaxUs;
  uint64_t Connections;
  double RequestsPerTask;
  struct timespec ts;
  char num[64];
  size_t i, j;
  int err;

  for (i = 0; i < BG_ROUTE_N; i++)
    for (j = 0; j < BG_STATUS_N; j++) {
      uint64_t d = now->requests[i][j] - prev->requests[i][j];
      int status = j < BG_STATUS_OTHER ? status_code[j] : 0;
      Requests += d;
      if (i == BG_ROUTE_FILTER)
        FilterRequests += d;
      if (status >= 400 && status < 500)
        Errors4xx += d;
      else if (status >= 500)
        Errors5xx += d;
    }
  RequestsPerTask = seconds > 0 ? (double)Requests / seconds : 0;
  Pass = now->decisions[BG_DECISION_PASS] - prev->decisions[BG_DECISION_PASS];
  Drop = now->decisions[BG_DECISION_DROP] - prev->decisions[BG_DECISION_DROP];
  Explore = now->decisions[BG_DECISION_EXPLORE] - prev->decisions[BG_DECISION_EXPLORE];
  FailOpen = now->decisions[BG_DECISION_FAIL_OPEN] - prev->decisions[BG_DECISION_FAIL_OPEN];
  for (i = 0; i < BG_LAT_BUCKETS; i++)
    lat[i] = now->lat[i] - prev->lat[i];
  LatencyP50Us = bg_lat_quantile(lat, 0.50);
  LatencyP99Us = bg_lat_quantile(lat, 0.99);
  LatencyMaxUs = max_us;
  /* A bucket's top may pass the largest value in it: never report a percentile above it. */
  if (LatencyP50Us > LatencyMaxUs)
    LatencyP50Us = LatencyMaxUs;
  if (LatencyP99Us > LatencyMaxUs)
    LatencyP99Us = LatencyMaxUs;
  Connections = atomic_load_explicit(&((struct bg_server *)srv)->num_conns,
                                     memory_order_relaxed);
  clock_gettime(CLOCK_REALTIME, &ts);

  snprintf(num, sizeof num, "%lld",
           (long long)ts.tv_sec * 1000 + (long long)(ts.tv_nsec / 1000000));
  err = bg_buf_puts(out, "{\"_aws\":{\"Timestamp\":") || bg_buf_puts(out, num) ||
        bg_buf_puts(out, ",\"CloudWatchMetrics\":[{\"Namespace\":\"Bidgate\","
                         "\"Dimensions\":[[\"Service\"]],\"Metrics\":[");
#define XX(name, unit)                                                                         \
  err = err || bg_buf_puts(out, strcmp(#name, "Requests") ? ",{\"Name\":\"" : "{\"Name\":\"") || \
        bg_buf_puts(out, #name "\",\"Unit\":\"" unit "\"}");
  EMF_METRICS(XX)
#undef XX
  err = err || bg_buf_puts(out, "]}]},\"Service\":") ||
        bg_buf_json_string(out, srv->cfg->emf_service, strlen(srv->cfg->emf_service)) ||
        bg_buf_puts(out, ",\"Model\":") ||
        bg_buf_json_string(out, srv->model_id, strlen(srv->model_id)) ||
        bg_buf_puts(out, ",\"Task\":") || bg_buf_json_string(out, srv->task, strlen(srv->task));
#define XX(name, unit)                                                                         \
  snprintf(num, sizeof num, "%.10g", (double)name);                                            \
  err = err || bg_buf_puts(out, ",\"" #name "\":") || bg_buf_puts(out, num);
  EMF_METRICS(XX)
#undef XX
  err = err || bg_buf_puts(out, "}\n");
  return err ? -1 : 0;
}


void bg_emf_task_id(char *out, size_t size) {
  const char *uri = getenv("ECS_CONTAINER_METADATA_URI_V4");
  size_t n, i;

  if (size == 0)
    return;
  if (uri != NULL && (uri = strrchr(uri, '/')) != NULL && uri[1] != '\0') {
    uri++;
    n = strcspn(uri, "-");
    for (i = 0; i < n && i < 32; i++)
      if (!((uri[i] >= '0' && uri[i] <= '9') || (uri[i] >= 'a' && uri[i] <= 'f')))
        break;
    if (!(n == 32 && i == 32))
      n = strlen(uri);
    snprintf(out, size, "%.*s", (int)n, uri);
    return;
  }
  if (gethostname(out, size) != 0 || out[0] == '\0')
    snprintf(out, size, "unknown");
  out[size - 1] = '\0';
}
