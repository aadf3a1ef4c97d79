/* h_health.c - GET /healthz: 200 while the server is serving, 503 once it drains (SIGTERM), so a
 * load balancer stops sending before the listeners close. */
#include "router.h"

#include "respond.h"

int bg_h_health(struct bg_conn *c, struct bg_request *req) {
  static const char ok[] = "{\"status\":\"ok\"}\n", draining[] = "{\"status\":\"draining\"}\n";

  (void)req;
  if (bg_draining(c))
    bg_respond(c, 503, "application/json", draining, sizeof draining - 1);
  else
    bg_respond(c, 200, "application/json", ok, sizeof ok - 1);
  return 0;
}
