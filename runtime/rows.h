/* rows.h - the feature rows of one BidRequest: one per impression, or per impression x bidder
 * when the model scores bidders, built by the compiled extractor (features_abi.h), with room for
 * their scores and decisions. bidgate's server and `bidgate extract` both build rows here, so
 * serving and training data cannot disagree. */
#ifndef BG_ROWS_H
#define BG_ROWS_H

#include <stdint.h>

#include "arena.h"
#include "features_abi.h"
#include "model_abi.h"
#include "openrtb.h"

enum bg_reason {
  BG_REASON_SCORE,       /* score >= threshold, or not */
  BG_REASON_EXPLORE,     /* drawn for exploration: passed whatever the score */
  BG_REASON_FAIL_OPEN,   /* could not be scored: passed */
  BG_REASON_FAIL_CLOSED  /* could not be scored: dropped (--fail-closed) */
};

struct bg_rows {
  uint32_t n;            /* n_imp x per_imp */
  uint32_t per_imp;      /* bidders per impression, or 1 without a bidder feature */
  uint32_t nf;           /* features per row */
  uint32_t width;        /* values predict writes per row; the score is the first */
  float *x;              /* n x nf */
  float *out;            /* n x width */
  uint8_t *ok;           /* the row can be scored (its impression is an object) */
  uint8_t *pass;         /* decisions (decide.c) */
  uint8_t *reason;       /* enum bg_reason */
};

/* Build the rows of br with fx's scanned extractor at clock now (epoch seconds). Row r is
 * impression r / per_imp and bidder r % per_imp. Returns 0, BG_HTTP_ERR_TOO_MANY_ROWS when
 * there would be more than max_rows, or BG_HTTP_ERR_TOO_LARGE when the arena's limit is
 * reached. */
int bg_rows_build(const struct bg_bidreq *br, const struct bg_features *fx, uint32_t width,
                  int64_t now, uint32_t max_rows, struct bg_arena *a, struct bg_rows *rows);

/* Score every row with one call of m->predict, predicting each distinct row once: when
 * fx->score_ignores_bidder (no tree splits on a $bidder entry) only the first row of each
 * impression counts, and a row whose feature bits equal the row before it (of the same kind)
 * shares its outputs. The same bits as predicting every row; fewer trees walked. Returns 0,
 * or BG_HTTP_ERR_TOO_LARGE when the arena's limit is reached. */
int bg_rows_score(struct bg_rows *rows, const struct bg_model *m, const struct bg_features *fx,
                  struct bg_arena *a);

#endif /* BG_ROWS_H */
