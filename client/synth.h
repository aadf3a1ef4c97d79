/* synth.h - bidload's OpenRTB 2.5/2.6 BidRequest synthesis from a profile and a seed.
 *
 * Each call writes one fresh request: a site or an app drawn by Zipf rank, a device with its
 * real user agent, a geo whose utcoffset belongs to its country, 1-3 impressions (banner with
 * sizes and formats, or video), floors, and optional fields present at the profile's rates.
 * The same profile, seed and stream give the same requests in the same order, on any machine.
 * Publisher names are a function of the rank alone, so every seed shares one universe of sites
 * and apps (what a model's vocabularies are fitted on). */
#ifndef BL_SYNTH_H
#define BL_SYNTH_H

#include <stdint.h>

#include "buf.h"
#include "profile.h"
#include "rng.h"

struct bl_synth {
  const struct bl_profile *p;
  struct bl_rng rng;
};

/* Starts the sequence of (seed, stream); the profile must outlive s. Cannot fail. */
void bl_synth_init(struct bl_synth *s, const struct bl_profile *p, uint64_t seed, uint64_t stream);

/* Appends the next request to out as one line of JSON without a newline. Cannot fail. */
void bl_synth_request(struct bl_synth *s, struct bl_buf *out);

#endif /* BL_SYNTH_H */
