/* fuzz_thrift.c - libFuzzer target for the Thrift endpoint's decoder and answers.
 *
 * An input is one connection's bytes with two bytes in front:
 *   data[0] bit 0: the transport (1 framed, 0 unframed); bits 1..7: the message limit,
 *                  64 << (bits % 12) bytes, so limits are hit from both sides
 *   data[1]:       the size of the pieces the bytes arrive in (0: all at once)
 *   data[2..]:     the stream
 * It runs the stream as thrift_server.c does (decode, answer each complete message, stop at
 * the first malformed one) twice: all at once, and in pieces, the decoder resuming between
 * them. Both runs must agree exactly: the same messages, errors and answer bytes. Any
 * disagreement, out-of-range result or sanitizer report is a bug; abort() flags it.
 *
 * Built the two ways of every target in tests/fuzz (mk/fuzz.mk, fuzz.h): with clang
 * -fsanitize=fuzzer for `make fuzz`, and with the suite's compiler against replay.c, which
 * `make test` runs on tests/fuzz/corpus/thrift/ and tests/fuzz/crashers/thrift/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "thrift_call.h"
#include "thrift_proto.h"

extern const struct bg_model bg_model_aws_rtb;
extern const struct bg_features bg_features_aws_rtb;

struct run {
  struct bg_buf out;      /* every answer, in order */
  struct bg_buf trace;    /* one record per decode result: what happened where */
  size_t consumed;
  int ended;              /* a malformed message stopped the stream */
};


static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz_thrift: %s\n", what);
    abort();
  }
}


static void trace(struct run *r, long res, size_t at) {
  long rec[2] = {res, (long)at};

  check(bg_buf_put(&r->trace, rec, sizeof rec) == 0, "out of memory");
}


/* Feed stream[0 .. avail) (the bytes arrived so far) to the connection state. */
static void feed(struct run *r, struct bg_thrift_dec *d, struct bg_thrift_svc *svc,
                 const uint8_t *stream, size_t avail) {
  while (!r->ended) {
    long n = bg_thrift_decode(d, stream + r->consumed, avail - r->consumed);
    if (n == 0)
      return;
    trace(r, n, r->consumed);
    if (n < 0) {
      check(-n > 0 && -n < BG_THRIFT_E_COUNT, "error code out of range");
      check(d->why[0] != '\0', "an error without a reason");
      check(bg_thrift_err_closes((int)-n), "a decoder error that keeps the connection");
      check(bg_thrift_answer_error(svc, d, (int)-n, &r->out) == 0, "answer_error failed");
      r->ended = 1;
      return;
    }
    check((size_t)n <= avail - r->consumed, "a message longer than the bytes given");
    check(d->msg.name_len <= BG_THRIFT_MAX_NAME, "name too long");
    {
      int a = bg_thrift_answer(svc, &d->msg, 1700000000, &r->out);
      check(a == 0 || a == BG_THRIFT_E_WRONG_TYPE || a == BG_THRIFT_E_UNKNOWN_METHOD,
            "unexpected answer result");
      trace(r, a, 0);
    }
    r->consumed += (size_t)n;
  }
}


static int same(const struct bg_buf *a, const struct bg_buf *b) {
  return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}


static void run(struct run *r, const uint8_t *stream, size_t len, size_t piece, int framed,
                size_t limit, struct bg_thrift_svc *svc) {
  struct bg_thrift_dec d;
  size_t avail = 0;

  memset(r, 0, sizeof *r);
  bg_thrift_dec_init(&d, limit, framed);
  while (avail < len && !r->ended) {
    avail = piece == 0 || len - avail < piece ? len : avail + piece;
    feed(r, &d, svc, stream, avail);
  }
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct bg_thrift_svc svc[2];
  static int ready;
  struct run whole, pieces;
  char err[256];
  size_t limit, piece;
  int framed;

  if (!ready) {
    check(bg_thrift_svc_init(&svc[0], &bg_model_aws_rtb, &bg_features_aws_rtb, 0, err,
                             sizeof err) == 0 &&
              bg_thrift_svc_init(&svc[1], &bg_model_aws_rtb, &bg_features_aws_rtb, 1, err,
                                 sizeof err) == 0,
          err);
    ready = 1;
  }
  if (size < 2)
    return 0;
  framed = data[0] & 1;
  limit = (size_t)64 << ((data[0] >> 1) % 12);
  piece = data[1];
  run(&whole, data + 2, size - 2, 0, framed, limit, &svc[framed]);
  run(&pieces, data + 2, size - 2, piece, framed, limit, &svc[framed]);
  check(whole.consumed == pieces.consumed && whole.ended == pieces.ended,
        "pieces and whole stream disagree on where the stream stands");
  check(same(&whole.trace, &pieces.trace), "pieces and whole stream decode differently");
  check(same(&whole.out, &pieces.out), "pieces and whole stream answer differently");
  bg_buf_free(&whole.out);
  bg_buf_free(&whole.trace);
  bg_buf_free(&pieces.out);
  bg_buf_free(&pieces.trace);
  return 0;
}
