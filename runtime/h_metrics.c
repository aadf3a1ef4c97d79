/* h_metrics.c - GET /metrics: every loop's counters summed, as Prometheus text (metrics.c). */
#include "router.h"

#include "http_errors.h"
#include "metrics.h"
#include "respond.h"

int bg_h_metrics(struct bg_conn *c, struct bg_request *req) {
  struct bg_buf *b = &c->loop->scratch;

  (void)req;
  b->len = 0;
  if (bg_metrics_prometheus(c->loop->server, b) != 0)
    return BG_HTTP_ERR_INTERNAL;
  bg_respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", b->p, b->len);
  return 0;
}
