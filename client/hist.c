/* hist.c - bidload's log-linear latency histogram (see hist.h for the layout). */
#include "hist.h"

#include <math.h>
#include <string.h>


/* The bucket (power-of-two range) of v: 0 for v < 2048, then one per doubling. */
static unsigned bucket_of(uint64_t v) {
  return (unsigned)(64 - __builtin_clzll(v | ((1u << BL_HIST_SUB_BITS) - 1))) - BL_HIST_SUB_BITS;
}


void bl_hist_reset(struct bl_hist *h) {
  memset(h, 0, sizeof *h);
  h->min = UINT64_MAX;
}


size_t bl_hist_index(uint64_t us) {
  unsigned b;

  if (us > BL_HIST_MAX_US)
    us = BL_HIST_MAX_US;
  b = bucket_of(us);
  /* Bucket 0 uses all 2048 sub-buckets; later ones only the upper half, since their lower half
   * is the previous bucket at half the resolution. */
  return ((size_t)(b + 1) << (BL_HIST_SUB_BITS - 1)) + (size_t)(us >> b) - BL_HIST_HALF;
}


uint64_t bl_hist_lowest(size_t index) {
  size_t b = index >> (BL_HIST_SUB_BITS - 1);
  size_t sub = index & (BL_HIST_HALF - 1);

  if (b == 0)
    return sub;
  return (uint64_t)(sub + BL_HIST_HALF) << (b - 1);
}


uint64_t bl_hist_highest(size_t index) {
  size_t b = index >> (BL_HIST_SUB_BITS - 1);

  return bl_hist_lowest(index) + ((uint64_t)1 << (b ? b - 1 : 0)) - 1;
}


void bl_hist_record(struct bl_hist *h, uint64_t us) {
  if (us > BL_HIST_MAX_US) {
    us = BL_HIST_MAX_US;
    h->clamped++;
  }
  h->counts[bl_hist_index(us)]++;
  h->count++;
  h->sum += us;
  if (us < h->min)
    h->min = us;
  if (us > h->max)
    h->max = us;
}


void bl_hist_merge(struct bl_hist *dst, const struct bl_hist *src) {
  size_t i;

  for (i = 0; i < BL_HIST_LEN; i++)
    dst->counts[i] += src->counts[i];
  dst->count += src->count;
  dst->sum += src->sum;
  dst->clamped += src->clamped;
  if (src->min < dst->min)
    dst->min = src->min;
  if (src->max > dst->max)
    dst->max = src->max;
}


uint64_t bl_hist_percentile(const struct bl_hist *h, double p) {
  uint64_t want, seen = 0, v;
  size_t i;

  if (h->count == 0)
    return 0;
  if (p < 0)
    p = 0;
  if (p > 100)
    p = 100;
  want = (uint64_t)ceil(p / 100.0 * (double)h->count);
  if (want < 1)
    want = 1;
  if (want > h->count)
    want = h->count;
  for (i = 0; i < BL_HIST_LEN; i++) {
    seen += h->counts[i];
    if (seen >= want)
      break;
  }
  v = bl_hist_highest(i);
  return v < h->max ? v : h->max;
}


double bl_hist_mean(const struct bl_hist *h) {
  return h->count ? (double)h->sum / (double)h->count : 0.0;
}


uint64_t bl_hist_count_above(const struct bl_hist *h, uint64_t us) {
  uint64_t n = 0;
  size_t i;

  for (i = 0; i < BL_HIST_LEN; i++)
    if (bl_hist_lowest(i) > us)
      n += h->counts[i];
  return n;
}


int bl_hist_next(const struct bl_hist *h, size_t *index, uint64_t *upper, uint64_t *count) {
  size_t i;

  for (i = *index; i < BL_HIST_LEN; i++) {
    if (h->counts[i]) {
      *upper = bl_hist_highest(i);
      *count = h->counts[i];
      *index = i + 1;
      return 1;
    }
  }
  *index = BL_HIST_LEN;
  return 0;
}
