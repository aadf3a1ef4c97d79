/* thrift_proto.h - Thrift's binary protocol for the BidRequestFilter service: a resumable
 * decoder for calls and the encoders of replies and exceptions.
 *
 * The decoder reads one message at a time from a connection's bytes, in either transport:
 * unframed (messages back to back, as TSocket sends them) or framed (each message behind a
 * 4-byte big-endian length, TFramedTransport). It accepts strict headers (version 0x8001, what
 * every current client writes) and old-style ones (name length first). It walks the whole
 * message, skipping what it does not need (unknown fields, nested structs, lists, sets, maps),
 * and records the fields of the call's BidRequest that runtime/thrift_idl.h names with their
 * IDL type; a field of another type is skipped, as Thrift's own readers do.
 *
 * It is resumable: fed the same growing buffer again after more bytes arrived, it goes on
 * from where it stopped, so a message that arrives one byte at a time costs what it costs in
 * one piece. It never reads past the bytes it was given and allocates nothing; every length
 * is checked against the limit before it is trusted, so a huge declared string or container
 * is refused at once, without waiting for (or buffering) its bytes.
 *
 * Errors form one table, BG_THRIFT_ERRORS: each has a metric label, the TApplicationException
 * type sent back (or none) and whether the connection closes after it.
 */
#ifndef BG_THRIFT_PROTO_H
#define BG_THRIFT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "thrift_fx.h"
#include "thrift_idl.h"

/* TApplicationException types (Thrift's TApplicationExceptionType). */
#define BG_TAE_UNKNOWN_METHOD 1
#define BG_TAE_INVALID_MESSAGE_TYPE 2
#define BG_TAE_INTERNAL_ERROR 6
#define BG_TAE_PROTOCOL_ERROR 7
#define BG_TAE_INVALID_PROTOCOL 9

/* Message types. */
#define BG_TM_CALL 1
#define BG_TM_REPLY 2
#define BG_TM_EXCEPTION 3
#define BG_TM_ONEWAY 4

#define BG_THRIFT_MAX_NAME 256  /* bytes of a method name */
#define BG_THRIFT_MAX_DEPTH 32  /* nested structs and containers, the call's own struct included */

/* XX(NAME, LABEL, TAE, CLOSES): NAME gives BG_THRIFT_E_NAME; LABEL is the counter's name;
 * TAE the TApplicationException type answered (0: no answer can be given); CLOSES 1 when the
 * connection closes after it (the stream cannot be trusted any more). */
#define BG_THRIFT_ERRORS(XX)                                                                  \
  XX(BAD_HEADER, "bad_header", BG_TAE_INVALID_PROTOCOL, 1)                                    \
  XX(BAD_TYPE, "bad_type", BG_TAE_PROTOCOL_ERROR, 1)                                          \
  XX(BAD_SIZE, "bad_size", BG_TAE_PROTOCOL_ERROR, 1)                                          \
  XX(TOO_LONG, "too_long", BG_TAE_PROTOCOL_ERROR, 1)                                          \
  XX(TOO_DEEP, "too_deep", BG_TAE_PROTOCOL_ERROR, 1)                                          \
  XX(BAD_FRAME, "bad_frame", BG_TAE_PROTOCOL_ERROR, 1)                                        \
  XX(TRUNCATED, "truncated", 0, 1)                                                            \
  XX(TIMEOUT, "timeout", 0, 1)                                                                \
  XX(WRONG_TYPE, "wrong_message_type", BG_TAE_INVALID_MESSAGE_TYPE, 0)                        \
  XX(UNKNOWN_METHOD, "unknown_method", BG_TAE_UNKNOWN_METHOD, 0)

enum bg_thrift_err {
  BG_THRIFT_OK = 0,
#define XX(name, label, tae, closes) BG_THRIFT_E_##name,
  BG_THRIFT_ERRORS(XX)
#undef XX
  BG_THRIFT_E_COUNT
};

/* The counter label, TApplicationException type and close flag of error e (1..COUNT-1). */
const char *bg_thrift_err_label(int e);
int bg_thrift_err_tae(int e);
int bg_thrift_err_closes(int e);

/* One decoded message. Pointers point into the buffer the decoder was given, and stay valid
 * while that buffer does and until the next bg_thrift_decode call. */
struct bg_thrift_msg {
  uint8_t type;                /* BG_TM_* as sent (any value 0..255) */
  int32_t seqid;
  const char *name;            /* the method name's bytes, not NUL-terminated */
  uint32_t name_len;
  int have_header;             /* type, seqid and name are known (also after some errors) */
  struct bg_tx_value field[BG_THRIFT_MAX_ID + 1]; /* the BidRequest's fields, by id */
};

struct bg_thrift_frame {
  uint8_t kind;  /* BG_TT_STRUCT, BG_TT_LIST (sets too) or BG_TT_MAP */
  uint8_t role;  /* what a struct is: the call's arguments, the BidRequest, or other */
  uint8_t t1, t2;/* element type; a map's key and value types */
  uint64_t left; /* elements still to read (a map counts keys and values) */
};

struct bg_thrift_dec {
  size_t limit;       /* largest message, bytes (frame header not counted) */
  int framed;
  /* the message in progress */
  int stage;          /* 0: frame header or message header; 1: inside the arguments; 2: done */
  size_t base;        /* where the message starts: 4 when framed, else 0 */
  size_t frame;       /* framed: the message's length from its frame header */
  size_t pos;         /* bytes of the message read so far */
  uint8_t want;       /* type of the value to read next, or BG_TT_STOP */
  uint8_t want_field; /* the BidRequest field that value is, or 0 */
  uint8_t want_role;  /* the role of the struct that value opens */
  uint32_t name_off;  /* offset of the method name in the message */
  uint32_t str_off[BG_THRIFT_MAX_ID + 1];
  unsigned depth;
  struct bg_thrift_frame stack[BG_THRIFT_MAX_DEPTH];
  struct bg_thrift_msg msg;
  char why[160];      /* the last error, a sentence for the exception's message */
};

/* Ready d for a connection. limit: largest message in bytes (at most 2^31 - 1; more is
 * clamped); framed: 1 for TFramedTransport, 0 for a plain stream. Never fails. */
void bg_thrift_dec_init(struct bg_thrift_dec *d, size_t limit, int framed);

/* Decode the next message from buf[0 .. len): the bytes not yet consumed, starting where the
 * message starts; after a return of 0, call again with the same bytes plus what arrived.
 * Returns the number of bytes the message took (frame header included; consume them) with
 * d->msg complete; 0 when more bytes are needed; or -BG_THRIFT_E_* for a malformed message,
 * with d->why saying what and where (d->msg.have_header tells whether name and seqid are
 * known). After a return other than 0, the next call starts a new message. */
long bg_thrift_decode(struct bg_thrift_dec *d, const uint8_t *buf, size_t len);

/* Append a REPLY to out: BidResponse{likelihoodToBid = score} as the success of method name
 * (name_len bytes), sequence id seqid; behind a frame header when framed. Returns 0, or -1
 * when memory is out (out is then unchanged). */
int bg_thrift_put_reply(struct bg_buf *out, int framed, const char *name, uint32_t name_len,
                        int32_t seqid, double score);

/* Append an EXCEPTION message holding TApplicationException{message, type}; message bytes
 * outside printable ASCII are written as '?', so every client can decode it as UTF-8.
 * Returns 0 or -1 as bg_thrift_put_reply. */
int bg_thrift_put_exception(struct bg_buf *out, int framed, const char *name, uint32_t name_len,
                            int32_t seqid, int type, const char *message);

#endif /* BG_THRIFT_PROTO_H */
