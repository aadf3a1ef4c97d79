/* h_health.c - GET /healthz: 200 while the server is serving. */
#include "router.h"

#include "respond.h"

int bg_h_health(struct bg_conn *c, struct bg_request *req) {
  static const char body[] = "{\"status\":\"ok\"}\n";

  (void)req;
  bg_respond(c, 200, "application/json", body, sizeof body - 1);
  return 0;
}
