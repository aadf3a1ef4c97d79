/* rng.h - bidload's seeded random numbers: xoshiro256** seeded through splitmix64.
 *
 * Small, fast and the same on every platform and compiler, so one seed gives the same requests
 * everywhere (the C library's rand() promises neither). Not for cryptography. */
#ifndef BL_RNG_H
#define BL_RNG_H

#include <stdint.h>

struct bl_rng {
  uint64_t s[4];
};

static inline uint64_t bl_splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Seeds r from (seed, stream): different streams of one seed are independent sequences. */
static inline void bl_rng_seed(struct bl_rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
  int i;

  for (i = 0; i < 4; i++)
    r->s[i] = bl_splitmix64(&x);
}

static inline uint64_t bl_rng_next(struct bl_rng *r) {
  uint64_t *s = r->s;
  uint64_t v = s[1] * 5, result = ((v << 7) | (v >> 57)) * 9, t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double bl_rng_unit(struct bl_rng *r) {
  return (double)(bl_rng_next(r) >> 11) * 0x1p-53;
}

/* Uniform in [0, n) (n > 0); Lemire's multiply-shift, bias below 2^-32 for the n used here. */
static inline uint32_t bl_rng_below(struct bl_rng *r, uint32_t n) {
  return (uint32_t)(((bl_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* 1 with probability p. */
static inline int bl_rng_chance(struct bl_rng *r, double p) {
  return bl_rng_unit(r) < p;
}

#endif /* BL_RNG_H */
