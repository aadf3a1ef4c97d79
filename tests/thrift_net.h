/* thrift_net.h - the Thrift suites' side of the wire: start bidgate with its Thrift endpoint,
 * build binary-protocol messages byte by byte, read answers back. Written from the Thrift
 * binary protocol's description, independently of runtime/thrift_proto.c, so the tests do not
 * check the decoder against itself. Like net.h, every function fails the calling test
 * instead of returning an error. */
#ifndef BGT_THRIFT_NET_H
#define BGT_THRIFT_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bgt_tserver {
  pid_t pid;
  int http_port, thrift_port;
  int err_fd; /* the server's stderr */
};

/* Start $BG_TEST_BIDGATE with --host 127.0.0.1 --port 0 --thrift-port 0 (left out when the
 * test set BIDGATE_THRIFT_PORT) and args (NULL-ended), and read both listening lines. The
 * server dies with the test process. */
struct bgt_tserver bgt_tserver_start(const char *const *args);

/* SIGTERM; the server must exit 0 within 5 s. Returns what it wrote on stderr (malloc'd). */
char *bgt_tserver_stop(struct bgt_tserver *s);

/* The value of counter label in the "bidgate: thrift: calls=N errors=M label=K ..." line of
 * a stopped server's stderr (0 when the label is not there); the line must be there. */
long bgt_tcount(const char *err, const char *label);

/* A growing byte string. */
struct bgt_bytes {
  unsigned char *p;
  size_t len, cap;
};

void bgt_b8(struct bgt_bytes *b, unsigned v);
void bgt_b16(struct bgt_bytes *b, unsigned v);
void bgt_b32(struct bgt_bytes *b, uint32_t v);
void bgt_b64(struct bgt_bytes *b, uint64_t v);
void bgt_bput(struct bgt_bytes *b, const void *s, size_t n);
/* A string: i32 length, then the bytes of the NUL-terminated s. */
void bgt_bstr(struct bgt_bytes *b, const char *s);
/* A strict message header: version | type, name, seqid. */
void bgt_bheader(struct bgt_bytes *b, unsigned type, const char *name, int32_t seqid);
/* b behind a 4-byte frame header, as a new byte string. */
struct bgt_bytes bgt_framed(const struct bgt_bytes *b);

/* One answer read from a socket. */
struct bgt_tanswer {
  int kind;         /* 0: the connection closed first; 1: REPLY; 2: EXCEPTION */
  char name[300];   /* method name of the answer */
  int32_t seqid;
  double score;     /* REPLY: likelihoodToBid */
  int tae;          /* EXCEPTION: TApplicationException type */
  char message[512];
};

/* Read one whole answer (behind a frame header when framed); kind 0 when the server closed
 * (or 10 s passed) before its first byte. Anything but a well-formed REPLY of BidResponse or
 * EXCEPTION of TApplicationException fails the test. */
struct bgt_tanswer bgt_tread(int fd, int framed);

#endif /* BGT_THRIFT_NET_H */
