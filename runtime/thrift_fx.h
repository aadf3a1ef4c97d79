/* thrift_fx.h - what a compiled feature extractor reads from a Thrift call, and the
 * transforms it applies to those values.
 *
 * A spec entry with a "thrift" member (docs/features.md) names fields of the IDL's BidRequest
 * (runtime/bidrequest.thrift) instead of OpenRTB paths; xgbc compiles those entries into a
 * second function of the generated features.c, extract_thrift, which reads a decoded call as
 * struct bg_tx_input and calls the functions below. Like runtime/features_rt.h, nothing here
 * allocates, keeps state or can fail: a field the call did not set, or a value the transform
 * cannot use, yields the caller's dflt (NaN unless the spec names a default).
 */
#ifndef BG_THRIFT_FX_H
#define BG_THRIFT_FX_H

#include <stddef.h>
#include <stdint.h>

#include "features_rt.h"
#include "thrift_idl.h"

/* One field of a decoded BidRequest. The decoder records a field only when its wire type is
 * the IDL's (a field of another type is skipped, as Thrift's own readers do), so type is
 * either the IDL type or BG_TT_STOP for "not set". */
struct bg_tx_value {
  const char *s;  /* BG_TT_STRING: the bytes (not NUL-terminated, may hold any byte) */
  uint32_t len;   /* of s */
  uint8_t type;   /* BG_TT_* as read, or BG_TT_STOP when the call did not set the field */
  int64_t i;      /* BG_TT_BOOL, BYTE, I16, I32, I64 */
  double d;       /* BG_TT_DOUBLE */
};

/* What one row is made from. */
struct bg_tx_input {
  const struct bg_tx_value *field; /* field[id] for id 0..BG_THRIFT_MAX_ID (0 is never set) */
  int64_t now;                     /* epoch s: the clock of hour/dow entries without a source */
};

/* field id of in when the call set it, else NULL. */
static inline const struct bg_tx_value *bg_tx_field(const struct bg_tx_input *in, int id) {
  return in->field[id].type != BG_TT_STOP ? &in->field[id] : NULL;
}

/* number (also hour and dow with a Thrift source): an integer or double as float; a string
 * read as a decimal number ("09" -> 9, as the sample's pipeline read its hour), dflt when it
 * is not one: optional sign, digits with an optional fraction and exponent, nothing else. */
float bg_tx_number(const struct bg_tx_value *v, float dflt);

/* present: 1 when the call set the field, else 0. */
float bg_tx_present(const struct bg_tx_value *v);

/* vocabulary: as bg_fx_vocab, for a string field (the bytes as sent; strings longer than
 * 256 bytes are unknown when folding). */
float bg_tx_vocab(const struct bg_tx_value *v, const struct bg_fx_word *words, size_t n,
                  float unknown, float dflt, int fold);

/* hash: as bg_fx_hash, for a string field. */
float bg_tx_hash(const struct bg_tx_value *v, uint32_t buckets, float dflt, int fold);

/* devicetype: an integer field is the device type already on the entry's scale (the sample's
 * clients send woothee categories), taken as it is; a non-empty string field is a user agent,
 * classified as bg_fx_devicetype does (first 512 bytes). dflt otherwise. */
float bg_tx_devicetype(const struct bg_tx_value *v, enum bg_fx_scale scale, float dflt);

#endif /* BG_THRIFT_FX_H */
