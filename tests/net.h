/* net.h - the end-to-end suites' side of HTTP: start the real bidgate binary on a loopback
 * port the kernel picks, speak raw HTTP/1.1 to it over sockets, read answers back.
 * Like helpers.h, every function fails the calling test instead of returning an error. */
#ifndef BGT_NET_H
#define BGT_NET_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct bgt_server {
  pid_t pid;
  int port;
  FILE *out;  /* the server's stdout after the listening line (BGT_KEEP_OUT), or NULL */
  int err_fd; /* the server's stderr (BGT_KEEP_ERR), or -1 */
};

#define BGT_KEEP_OUT 1 /* bgt_server_spawn: keep the server's stdout readable in s.out */
#define BGT_KEEP_ERR 2 /* ...and its stderr in s.err_fd */

/* Start $BG_TEST_BIDGATE with --host 127.0.0.1 --port 0 and the extra arguments (NULL-ended),
 * and wait for its "listening on" line. The server dies with the test process. */
struct bgt_server bgt_server_start(const char *const *args);

/* Start $BG_TEST_BIDGATE with exactly args (NULL-ended; they must make it listen on 127.0.0.1)
 * and wait for its listening line. keep: 0, or BGT_KEEP_OUT and/or BGT_KEEP_ERR. */
struct bgt_server bgt_server_spawn(const char *const *args, int keep);

/* SIGTERM, then wait: the server must exit 0 within a few seconds. */
void bgt_server_stop(struct bgt_server *s);

/* A connected TCP socket to 127.0.0.1:port with 10 s send and receive timeouts. */
int bgt_connect(int port);

/* Write all n bytes (MSG_NOSIGNAL); returns 0, or -1 when the peer is gone. */
int bgt_send(int fd, const void *data, size_t n);

struct bgt_response {
  int status;     /* 0: the connection closed (or timed out) before a status line */
  char *head;     /* status line and headers, NUL-terminated */
  char *body;     /* NUL-terminated */
  size_t body_len;
  int closes;     /* "Connection: close" was sent */
};

/* Read one response (Content-Length bodies only, as bidgate sends); status 0 on EOF. */
struct bgt_response bgt_read_response(int fd);

/* The value of header name (case-insensitive) in r, malloc'd, or NULL. */
char *bgt_header(const struct bgt_response *r, const char *name);

/* Whether the peer has closed: recv returns 0 (or an error) within timeout_ms. */
int bgt_closed(int fd, int timeout_ms);

/* One request on a new connection; returns its response (the connection is closed). */
struct bgt_response bgt_http(int port, const void *request, size_t n);

/* A POST /v1/filter request for body, application/json. malloc'd; *n is its length. */
char *bgt_post(const char *body, size_t *n);

void bgt_response_free(struct bgt_response *r);

/* Close fd and forget what was buffered from it. */
void bgt_close(int fd);

#endif /* BGT_NET_H */
