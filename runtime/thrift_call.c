/* thrift_call.c - a decoded message's answer (see thrift_call.h). */
#include "thrift_call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thrift_fx.h"


int bg_thrift_svc_init(struct bg_thrift_svc *s, const struct bg_model *m,
                       const struct bg_features *fx, int framed, char *err, size_t errsz) {
  memset(s, 0, sizeof *s);
  if (fx == NULL || fx->extract_thrift == NULL) {
    snprintf(err, errsz, "--thrift-port: the model's feature spec has no \"thrift\" sources "
             "(docs/features.md), so Thrift calls cannot be scored");
    return -1;
  }
  if (m->predict_width != 1) {
    snprintf(err, errsz, "--thrift-port: the model writes %u values per row; likelihoodToBid "
             "is one score", m->predict_width);
    return -1;
  }
  s->row = malloc((fx->num_features ? fx->num_features : 1) * sizeof *s->row);
  if (s->row == NULL) {
    snprintf(err, errsz, "out of memory");
    return -1;
  }
  s->model = m;
  s->fx = fx;
  s->framed = framed;
  return 0;
}


void bg_thrift_svc_free(struct bg_thrift_svc *s) {
  free(s->row);
  s->row = NULL;
}


int bg_thrift_answer(struct bg_thrift_svc *s, const struct bg_thrift_msg *msg, int64_t now,
                     struct bg_buf *out) {
  static const char method[] = BG_THRIFT_METHOD;
  struct bg_tx_input in = {msg->field, now};
  char text[BG_THRIFT_MAX_NAME + 64];
  float score;

  if (msg->type != BG_TM_CALL) {
    if (msg->type == BG_TM_ONEWAY)
      return BG_THRIFT_E_WRONG_TYPE;
    snprintf(text, sizeof text, "bidgate: message type %u; %s takes calls (type %d)",
             msg->type, BG_THRIFT_SERVICE, BG_TM_CALL);
    return bg_thrift_put_exception(out, s->framed, msg->name, msg->name_len, msg->seqid,
                                   BG_TAE_INVALID_MESSAGE_TYPE, text) != 0
               ? -1 : BG_THRIFT_E_WRONG_TYPE;
  }
  if (msg->name_len != sizeof method - 1 || memcmp(msg->name, method, sizeof method - 1) != 0) {
    snprintf(text, sizeof text, "Invalid method name: '%.*s'", (int)msg->name_len, msg->name);
    return bg_thrift_put_exception(out, s->framed, msg->name, msg->name_len, msg->seqid,
                                   BG_TAE_UNKNOWN_METHOD, text) != 0
               ? -1 : BG_THRIFT_E_UNKNOWN_METHOD;
  }
  s->fx->extract_thrift(&in, s->row);
  s->model->predict(s->row, 1, &score);
  return bg_thrift_put_reply(out, s->framed, msg->name, msg->name_len, msg->seqid,
                             (double)score) != 0 ? -1 : 0;
}


int bg_thrift_answer_error(const struct bg_thrift_svc *s, const struct bg_thrift_dec *d, int e,
                           struct bg_buf *out) {
  char text[sizeof d->why + 16];
  int tae = bg_thrift_err_tae(e);

  if (tae == 0)
    return 0;
  snprintf(text, sizeof text, "bidgate: %s", d->why);
  if (d->msg.have_header)
    return bg_thrift_put_exception(out, s->framed, d->msg.name, d->msg.name_len, d->msg.seqid,
                                   tae, text);
  return bg_thrift_put_exception(out, s->framed, "", 0, 0, tae, text);
}
