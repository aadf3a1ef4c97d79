/* router.h - the route table and the straight path of one complete request.
 *
 * bg_handle_request: route (404 for an unknown path, 405 for a known path with another method)
 * -> the route's handler, which runs its own steps and returns 0 after queueing its response or
 * the first BG_HTTP_ERR_* -> on error, the one error writer. The handlers (one file per route
 * family, h_*.c) have the shape of bg_handler. */
#ifndef BG_ROUTER_H
#define BG_ROUTER_H

#include "conn.h"

typedef int (*bg_handler)(struct bg_conn *c, struct bg_request *req);

/* Handle the complete request in c->req. Never fails: errors become error responses. */
void bg_handle_request(struct bg_conn *c);

/* The handlers. */
int bg_h_filter(struct bg_conn *c, struct bg_request *req);
int bg_h_health(struct bg_conn *c, struct bg_request *req);

#endif /* BG_ROUTER_H */
