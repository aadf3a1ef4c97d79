/* http.h - HTTP/1.1 request reading with http-parser: bytes in, complete requests handed on.
 *
 * The callbacks fill the connection's struct bg_request within the configured header and body
 * limits (the body in the connection's arena). Each complete request goes to bg_handle_request
 * (router.c), which appends its response to the connection's output in order, so pipelined
 * requests are answered in the order they came. When the bytes break HTTP, or a limit is hit
 * before the request is complete, the error answer is queued with Connection: close and
 * nothing after it is read.
 */
#ifndef BG_HTTP_H
#define BG_HTTP_H

#include <stddef.h>

#include "conn.h"

/* Prepare c's parser for its first request. Never fails. */
void bg_http_init(struct bg_conn *c);

/* Feed n bytes read from c's socket. Never fails: problems become queued error responses. */
void bg_http_feed(struct bg_conn *c, const char *data, size_t n);

#endif /* BG_HTTP_H */
