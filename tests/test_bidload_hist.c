/* test_bidload_hist.c - bidload's latency histogram against sorted arrays of the same values:
 * bucket precision (3 significant digits), percentiles, merging, counts above a value. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "hist.h"
#include "rng.h"

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}


/* Log-uniform values from 1 us to 60 s, like latencies spread over many magnitudes. */
static uint64_t *values(size_t n, uint64_t seed) {
  uint64_t *v = malloc(n * sizeof *v);
  struct bl_rng r;
  size_t i;

  cr_assert(v);
  bl_rng_seed(&r, seed, 0);
  for (i = 0; i < n; i++)
    v[i] = (uint64_t)exp(bl_rng_unit(&r) * log(6e7));
  return v;
}


Test(bidload_hist, buckets_hold_three_significant_digits, .timeout = 30) {
  struct bl_rng r;
  uint64_t v;
  size_t i;

  /* Exactly, below 2048; then no bucket wider than a 1024th of its values. */
  for (v = 0; v < (1u << 20); v++) {
    size_t k = bl_hist_index(v);
    uint64_t lo = bl_hist_lowest(k), hi = bl_hist_highest(k);
    cr_assert(lo <= v && v <= hi, "%llu in [%llu, %llu]", (unsigned long long)v,
              (unsigned long long)lo, (unsigned long long)hi);
    cr_assert(v < 2048 ? lo == hi : (hi - lo + 1) * 1024 <= lo, "width at %llu", (unsigned long long)v);
    if (v)
      cr_assert(bl_hist_index(v - 1) <= k, "indexes grow with values");
  }
  bl_rng_seed(&r, 5, 0);
  for (i = 0; i < 1000000; i++) {
    size_t k;
    v = bl_rng_next(&r) % (BL_HIST_MAX_US + 1);
    k = bl_hist_index(v);
    cr_assert(k < BL_HIST_LEN);
    cr_assert(bl_hist_lowest(k) <= v && v <= bl_hist_highest(k));
    cr_assert((bl_hist_highest(k) - bl_hist_lowest(k) + 1) * 1000 <= v || v < 2048);
  }
  cr_assert(bl_hist_index(BL_HIST_MAX_US) < BL_HIST_LEN);
}


Test(bidload_hist, percentiles_match_a_sorted_array, .timeout = 30) {
  static const double ps[] = {0, 1, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100};
  size_t n = 200000, i;
  uint64_t *v = values(n, 11);
  struct bl_hist *h = malloc(sizeof *h);
  double sum = 0;

  bl_hist_reset(h);
  for (i = 0; i < n; i++) {
    bl_hist_record(h, v[i]);
    sum += (double)v[i];
  }
  qsort(v, n, sizeof *v, cmp_u64);
  for (i = 0; i < sizeof ps / sizeof *ps; i++) {
    size_t rank = (size_t)ceil(ps[i] / 100 * (double)n);
    uint64_t want = v[rank ? rank - 1 : 0], got = bl_hist_percentile(h, ps[i]);
    /* Same bucket as the exact order statistic, reported as the bucket's top (or the max). */
    cr_expect_eq(bl_hist_index(got), bl_hist_index(want), "p%g: got %llu, exact %llu", ps[i],
                 (unsigned long long)got, (unsigned long long)want);
    cr_expect(got >= want, "p%g: %llu < exact %llu", ps[i], (unsigned long long)got,
              (unsigned long long)want);
  }
  cr_expect_eq(h->max, v[n - 1]);
  cr_expect_eq(h->min, v[0]);
  cr_expect_eq(bl_hist_percentile(h, 100), v[n - 1]);
  cr_expect(fabs(bl_hist_mean(h) - sum / (double)n) < 1e-6 * sum / (double)n);
  free(v);
  free(h);
}


Test(bidload_hist, merge_equals_recording_everything_in_one, .timeout = 30) {
  size_t n = 50000, i;
  uint64_t *v = values(n, 3);
  struct bl_hist *a = malloc(sizeof *a), *b = malloc(sizeof *b), *all = malloc(sizeof *all);

  bl_hist_reset(a);
  bl_hist_reset(b);
  bl_hist_reset(all);
  for (i = 0; i < n; i++) {
    bl_hist_record(i % 3 ? a : b, v[i]);
    bl_hist_record(all, v[i]);
  }
  bl_hist_merge(a, b);
  cr_expect(memcmp(a->counts, all->counts, sizeof a->counts) == 0);
  cr_expect_eq(a->count, all->count);
  cr_expect_eq(a->sum, all->sum);
  cr_expect_eq(a->min, all->min);
  cr_expect_eq(a->max, all->max);
  free(v);
  free(a);
  free(b);
  free(all);
}


Test(bidload_hist, counts_above_and_walk, .timeout = 30) {
  size_t n = 100000, i, idx = 0;
  uint64_t *v = values(n, 8), upper, count, total = 0, prev = 0;
  static const uint64_t xs[] = {10, 1000, 5000, 100000, 200000, 10000000};
  struct bl_hist *h = malloc(sizeof *h);

  bl_hist_reset(h);
  for (i = 0; i < n; i++)
    bl_hist_record(h, v[i]);
  for (i = 0; i < sizeof xs / sizeof *xs; i++) {
    /* Exact when x is the top of its bucket; xs are chosen on bucket edges' tops below 2048, and
     * above it the count may only include values sharing x's bucket. */
    uint64_t exact = 0, x = bl_hist_highest(bl_hist_index(xs[i]));
    size_t j;
    for (j = 0; j < n; j++)
      exact += v[j] > x;
    cr_expect_eq(bl_hist_count_above(h, x), exact, "above %llu", (unsigned long long)x);
  }
  while (bl_hist_next(h, &idx, &upper, &count)) {
    cr_assert(upper > prev || total == 0);
    prev = upper;
    total += count;
  }
  cr_expect_eq(total, n);
  free(v);
  free(h);
}


Test(bidload_hist, empty_and_clamped, .timeout = 10) {
  struct bl_hist *h = malloc(sizeof *h);

  bl_hist_reset(h);
  cr_expect_eq(bl_hist_percentile(h, 99), 0);
  cr_expect_eq(bl_hist_mean(h), 0);
  bl_hist_record(h, 61000000);
  bl_hist_record(h, 0);
  cr_expect_eq(h->clamped, 1);
  cr_expect_eq(h->max, BL_HIST_MAX_US);
  cr_expect_eq(bl_hist_percentile(h, 100), BL_HIST_MAX_US);
  cr_expect_eq(bl_hist_percentile(h, 50), 0);
  free(h);
}
