/* respond.h - the only code that writes responses: status line, headers and body appended to
 * the connection's output buffer (server.c writes it to the socket).
 *
 * Every response carries Content-Length, Date and Server; "Connection: close" when the
 * connection will close after it (c->close_after). If memory runs out while a response is
 * built, the connection is marked to close and the response is dropped.
 */
#ifndef BG_RESPOND_H
#define BG_RESPOND_H

#include <stddef.h>

#include "conn.h"
#include "rows.h"

/* Queue a response with body[0..len) of content type ctype. */
void bg_respond(struct bg_conn *c, int status, const char *ctype, const char *body, size_t len);

/* The one error writer: {"error": {"code": "...", "message": "..."}} with err's status;
 * message NULL means err's default message. 405 answers carry Allow: allow (when not NULL). */
void bg_respond_error(struct bg_conn *c, int err, const char *message, const char *allow);

/* Queue "HTTP/1.1 100 Continue". */
void bg_respond_continue(struct bg_conn *c);

/* The /v1/filter answer for br and its decided rows. Returns 0 or BG_HTTP_ERR_INTERNAL. */
int bg_respond_filter(struct bg_conn *c, const struct bg_bidreq *br, const struct bg_rows *rows);

#endif /* BG_RESPOND_H */
