/* thrift_call.h - one decoded Thrift message in, its answer out: the call's row through the
 * compiled extractor (extract_thrift), one predict, a reply carrying the score; or the
 * TApplicationException that an unexpected or malformed message gets.
 *
 * No sockets here (runtime/thrift_server.c has them), so the fuzz harness and the unit tests
 * drive exactly what the server runs.
 */
#ifndef BG_THRIFT_CALL_H
#define BG_THRIFT_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "features_abi.h"
#include "model_abi.h"
#include "thrift_proto.h"

struct bg_thrift_svc {
  const struct bg_model *model;
  const struct bg_features *fx; /* has extract_thrift */
  int framed;                   /* answers go behind a frame header */
  float *row;                   /* num_features floats: one row being scored */
};

/* Ready s to serve model m with extractor fx. Fails (-1, a one-line reason in err) when fx
 * is NULL or its spec has no "thrift" source, when m does not write one score per row
 * (likelihoodToBid is one number), or when memory is out. */
int bg_thrift_svc_init(struct bg_thrift_svc *s, const struct bg_model *m,
                       const struct bg_features *fx, int framed, char *err, size_t errsz);

/* Release s's memory. Never fails. */
void bg_thrift_svc_free(struct bg_thrift_svc *s);

/* Append the answer to the complete message msg to out; now (epoch s) is the clock of
 * features that read it. Returns 0 for a call of filter, scored and answered; else the
 * BG_THRIFT_E_* the message counts as: WRONG_TYPE (a message that is not a call: answered with
 * INVALID_MESSAGE_TYPE, except a oneway message, which gets no answer by definition) or
 * UNKNOWN_METHOD (answered as Thrift's processors do); -1 when memory is out (nothing added). */
int bg_thrift_answer(struct bg_thrift_svc *s, const struct bg_thrift_msg *msg, int64_t now,
                     struct bg_buf *out);

/* Append the exception for malformed-message error e (BG_THRIFT_E_*, as bg_thrift_decode
 * returned it negated) of decoder d, when e has one (bg_thrift_err_tae), naming the call when
 * its header was read. Returns 0, or -1 when memory is out. */
int bg_thrift_answer_error(const struct bg_thrift_svc *s, const struct bg_thrift_dec *d, int e,
                           struct bg_buf *out);

#endif /* BG_THRIFT_CALL_H */
