/* decide.c - threshold, exploration and fail-open (see decide.h). */
#include "decide.h"

#include <math.h>


void bg_decide_init(struct bg_decide_cfg *cfg, double threshold, double explore, int fail_closed) {
  cfg->threshold = threshold;
  cfg->explore_cut = explore <= 0 ? 0 : explore >= 1 ? (uint64_t)1 << 32
                                                     : (uint64_t)(explore * 4294967296.0);
  cfg->fail_closed = fail_closed;
}


void bg_prng_seed(struct bg_prng *p, uint64_t seed) {
  p->state = seed;
}


uint64_t bg_prng_next(struct bg_prng *p) {
  uint64_t z = (p->state += 0x9e3779b97f4a7c15u);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}


void bg_decide(const struct bg_decide_cfg *cfg, struct bg_prng *rng, struct bg_rows *rows) {
  uint32_t r;

  for (r = 0; r < rows->n; r++) {
    float s = rows->out[(size_t)r * rows->width];
    if (!rows->ok[r] || !isfinite(s)) {
      rows->ok[r] = 0;
      rows->pass[r] = !cfg->fail_closed;
      rows->reason[r] = cfg->fail_closed ? BG_REASON_FAIL_CLOSED : BG_REASON_FAIL_OPEN;
    } else if (cfg->explore_cut != 0 && (bg_prng_next(rng) >> 32) < cfg->explore_cut) {
      rows->pass[r] = 1;
      rows->reason[r] = BG_REASON_EXPLORE;
    } else {
      rows->pass[r] = (double)s >= cfg->threshold;
      rows->reason[r] = BG_REASON_SCORE;
    }
  }
}
