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
};

static const struct route routes[] = {
  {"/v1/filter", HTTP_POST, bg_h_filter, "POST"},
  {"/healthz", HTTP_GET, bg_h_health, "GET"},
};


void bg_handle_request(struct bg_conn *c) {
  struct bg_request *req = &c->req;
  const struct route *hit = NULL, *path_hit = NULL;
  size_t len = strcspn(req->target, "?"), i;
  int err;

  for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    if (strlen(routes[i].path) != len || memcmp(routes[i].path, req->target, len) != 0)
      continue;
    path_hit = &routes[i];
    if (routes[i].method == req->method)
      hit = &routes[i];
  }
  if (hit != NULL)
    err = hit->handler(c, req);
  else
    err = path_hit != NULL ? BG_HTTP_ERR_METHOD : BG_HTTP_ERR_NOT_FOUND;
  if (err != 0)
    bg_respond_error(c, err, req->message, hit == NULL && path_hit != NULL ? path_hit->allow
                                                                           : NULL);
}
