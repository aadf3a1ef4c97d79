/* hist.h - bidload's latency histogram: HdrHistogram's log-linear layout, 3 significant digits,
 * values in microseconds from 1 us to 60 s.
 *
 * Values below 2048 us are counted exactly; above, each power-of-two range is cut into 1024
 * equal buckets, so a bucket is never wider than 1/1024 of the values it holds (better than
 * 3 significant digits). One histogram per thread, merged at the end: recording never locks.
 * The mean and the maximum are kept exactly beside the buckets. */
#ifndef BL_HIST_H
#define BL_HIST_H

#include <stddef.h>
#include <stdint.h>

#define BL_HIST_MAX_US 60000000ULL     /* 60 s: larger values are recorded as 60 s */
#define BL_HIST_SUB_BITS 11            /* 2048 sub-buckets: 3 significant digits */
#define BL_HIST_HALF (1u << (BL_HIST_SUB_BITS - 1))
#define BL_HIST_BUCKETS 16             /* 2048 << 15 > 60e6 */
#define BL_HIST_LEN ((BL_HIST_BUCKETS + 1) * BL_HIST_HALF)

struct bl_hist {
  uint64_t count;      /* values recorded */
  uint64_t sum;        /* of the recorded values (after clamping), for the exact mean */
  uint64_t min, max;   /* exact; min is UINT64_MAX while empty */
  uint64_t clamped;    /* values above BL_HIST_MAX_US, recorded as BL_HIST_MAX_US */
  uint64_t counts[BL_HIST_LEN];
};

/* Empties h. Cannot fail. */
void bl_hist_reset(struct bl_hist *h);

/* Counts one value (us). Cannot fail: values above BL_HIST_MAX_US are clamped and counted in
 * h->clamped. */
void bl_hist_record(struct bl_hist *h, uint64_t us);

/* Adds every count of src to dst. Cannot fail. */
void bl_hist_merge(struct bl_hist *dst, const struct bl_hist *src);

/* The bucket a value falls in, and the smallest and largest values that share it. */
size_t bl_hist_index(uint64_t us);
uint64_t bl_hist_lowest(size_t index);
uint64_t bl_hist_highest(size_t index);

/* The value at percentile p (0..100) as HdrHistogram reports it: the largest value of the
 * bucket holding the ceil(p% * count)-th smallest value, but never above the exact maximum.
 * 0 when h is empty. */
uint64_t bl_hist_percentile(const struct bl_hist *h, double p);

/* The exact mean of the recorded values; 0 when h is empty. */
double bl_hist_mean(const struct bl_hist *h);

/* Counts values strictly greater than us, to bucket precision: buckets whose lowest value is
 * above us count whole. */
uint64_t bl_hist_count_above(const struct bl_hist *h, uint64_t us);

/* Walks the non-empty buckets in increasing order: start with *index = 0; returns 1 and sets
 * *upper (the bucket's largest value) and *count, or 0 when there are no more. */
int bl_hist_next(const struct bl_hist *h, size_t *index, uint64_t *upper, uint64_t *count);

#endif /* BL_HIST_H */
