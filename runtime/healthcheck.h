/* healthcheck.h - `bidgate healthcheck [--port P]`: the container's own health check (the
 * image has no shell and no curl). GET /healthz on 127.0.0.1:P, where P is --port, else
 * BIDGATE_PORT, else 8080; healthy means a 200 answer within 2 seconds.
 */
#ifndef BG_HEALTHCHECK_H
#define BG_HEALTHCHECK_H

/* Run the check with the command's arguments (after "healthcheck"). Returns the exit status:
 * 0 healthy, 1 unhealthy (a line on stderr says why), 2 bad arguments. */
int bg_healthcheck_main(int argc, char **argv);

#endif /* BG_HEALTHCHECK_H */
