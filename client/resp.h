/* resp.h - bidload's HTTP/1.x response reader: only what a load generator needs from an answer
 * (its status code, where its body is, whether the connection stays open).
 *
 * A general parser (http-parser) looks at every byte of every header through a state machine;
 * that was a third of bidload's instructions per request. Here a head is found whole with
 * memchr and only the status line and the three headers that frame a message (Content-Length,
 * Transfer-Encoding, Connection) are read. Bodies are framed by Content-Length, chunked coding,
 * or the end of the connection; 1xx interim answers are skipped; 204 and 304 have no body.
 * Heads split over reads are gathered in the reader (up to BL_RESP_HEAD_MAX bytes). */
#ifndef BL_RESP_H
#define BL_RESP_H

#include <stddef.h>
#include <stdint.h>

#define BL_RESP_HEAD_MAX 8192

struct bl_resp_cb {
  /* A piece of the current answer's body (decoded from chunks). */
  void (*body)(void *ctx, const char *at, size_t len);
  /* The current answer is complete. Returns 0, or nonzero to stop reading (an error). */
  int (*done)(void *ctx, unsigned status, int keep_alive);
};

struct bl_resp {
  int state;
  unsigned status;
  int keep_alive, chunked;
  uint64_t left;              /* body or chunk bytes still to come */
  size_t head_len;
  char head[BL_RESP_HEAD_MAX];
};

/* Readies r for a new connection. Cannot fail. */
void bl_resp_init(struct bl_resp *r);

/* Reads len bytes of the stream, calling cb as answers complete. Returns 0, or -1 when the
 * bytes are not a valid HTTP/1.x response (or a head is too large, or done() said stop); r is
 * then unusable until bl_resp_init. */
int bl_resp_feed(struct bl_resp *r, const char *data, size_t len, const struct bl_resp_cb *cb,
                 void *ctx);

/* The connection ended: completes an answer whose body runs until the close. Returns 1 if it
 * did, 0 if no answer was under way, -1 if one was cut short. */
int bl_resp_eof(struct bl_resp *r, const struct bl_resp_cb *cb, void *ctx);

#endif /* BL_RESP_H */
