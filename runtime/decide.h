/* decide.h - scores into pass/drop decisions: threshold, exploration, fail-open.
 *
 * A row that can be scored passes when its score is at or above the threshold. Independently of
 * the score, a configured share of rows is drawn for exploration and passed, marked "explore":
 * the explored rows are a uniform random sample of all traffic, which keeps the next model's
 * training data unbiased. A row that cannot be scored (its impression is not an object, or the
 * score is not a finite number) passes, marked "fail_open", unless the server runs with
 * --fail-closed: then it is dropped, marked "fail_closed". Draws come from a fast seeded PRNG
 * (splitmix64), one state per event loop, so no locks and a fixed seed repeats its choices.
 */
#ifndef BG_DECIDE_H
#define BG_DECIDE_H

#include <stdint.h>

#include "rows.h"

struct bg_decide_cfg {
  double threshold;
  uint64_t explore_cut; /* a row is explored when its 32-bit draw is below this (share * 2^32) */
  int fail_closed;
};

struct bg_prng {
  uint64_t state;
};

/* explore: share in 0..1. Never fails. */
void bg_decide_init(struct bg_decide_cfg *cfg, double threshold, double explore, int fail_closed);

void bg_prng_seed(struct bg_prng *p, uint64_t seed);

/* The next 64 pseudo-random bits (splitmix64). */
uint64_t bg_prng_next(struct bg_prng *p);

/* Fill rows->pass and rows->reason from rows->ok and rows->out. Never fails. */
void bg_decide(const struct bg_decide_cfg *cfg, struct bg_prng *rng, struct bg_rows *rows);

#endif /* BG_DECIDE_H */
