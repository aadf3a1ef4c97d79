/* router.h - the route table and the straight path of one complete request.
 *
 * bg_handle_request: route (404 for an unknown path, 405 for a known path with another method)
 * -> the route's handler, which runs its own steps and returns 0 after queueing its response or
 * the first BG_HTTP_ERR_* -> on error, the one error writer. A prefix route (/v2) hands its
 * whole subtree to one handler, which routes within it (and sets req->allow for its 405s).
 * The handlers (one file per route family, h_*.c) have the shape of bg_handler. */
#ifndef BG_ROUTER_H
#define BG_ROUTER_H

#include "conn.h"

typedef int (*bg_handler)(struct bg_conn *c, struct bg_request *req);

/* Handle the complete request in c->req. Never fails: errors become error responses. */
void bg_handle_request(struct bg_conn *c);

/* Whether the server has begun to drain (SIGTERM): health checks then answer 503. */
static inline int bg_draining(const struct bg_conn *c) {
  return atomic_load_explicit(&c->loop->server->draining, memory_order_relaxed) != 0;
}

/* The handlers. */
int bg_h_filter(struct bg_conn *c, struct bg_request *req);      /* h_filter.c */
int bg_h_health(struct bg_conn *c, struct bg_request *req);      /* h_health.c */
int bg_h_ping(struct bg_conn *c, struct bg_request *req);        /* h_sagemaker.c */
int bg_h_invocations(struct bg_conn *c, struct bg_request *req); /* h_sagemaker.c */
int bg_h_metrics(struct bg_conn *c, struct bg_request *req);     /* h_metrics.c */
int bg_h_kserve(struct bg_conn *c, struct bg_request *req);      /* h_kserve.c */

#endif /* BG_ROUTER_H */
