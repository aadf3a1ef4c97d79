/* router.c - the route table and the request path (see router.h). */
#include "router.h"

#include <string.h>

#include "http_errors.h"
#include "respond.h"

struct route {
  const char *path;
  unsigned method;     /* enum http_method */
  bg_handler handler;
  const char *allow;   /* for 405 answers */
  int metric;          /* enum bg_route */
  int prefix;          /* path is a prefix: the handler routes what follows it */
};

static const struct route routes[] = {
  {"/v1/filter", HTTP_POST, bg_h_filter, "POST", BG_ROUTE_FILTER, 0},
  {"/healthz", HTTP_GET, bg_h_health, "GET", BG_ROUTE_HEALTHZ, 0},
  {"/ping", HTTP_GET, bg_h_ping, "GET", BG_ROUTE_PING, 0},
  {"/invocations", HTTP_POST, bg_h_invocations, "POST", BG_ROUTE_INVOCATIONS, 0},
  {"/metrics", HTTP_GET, bg_h_metrics, "GET", BG_ROUTE_METRICS, 0},
  {"/v2", 0, bg_h_kserve, NULL, BG_ROUTE_V2_SERVER, 1},
};


void bg_handle_request(struct bg_conn *c) {
  struct bg_request *req = &c->req;
  const struct route *hit = NULL, *path_hit = NULL;
  size_t len = strcspn(req->target, "?"), i, n;
  int err;

  for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    n = strlen(routes[i].path);
    if (routes[i].prefix ? len < n || memcmp(routes[i].path, req->target, n) != 0 ||
                               (len > n && req->target[n] != '/')
                         : n != len || memcmp(routes[i].path, req->target, len) != 0)
      continue;
    path_hit = &routes[i];
    if (routes[i].prefix || routes[i].method == req->method)
      hit = &routes[i];
  }
  if (path_hit != NULL)
    req->route = path_hit->metric;
  if (hit != NULL)
    err = hit->handler(c, req);
  else
    err = path_hit != NULL ? BG_HTTP_ERR_METHOD : BG_HTTP_ERR_NOT_FOUND;
  if (err != 0)
    bg_respond_error(c, err, req->message, hit == NULL && path_hit != NULL ? path_hit->allow
                                                                           : req->allow);
}
