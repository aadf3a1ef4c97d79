/* features_rt.h - the small runtime a compiled feature extractor (features.c) calls.
 *
 * xgbc compiles each spec entry (docs/features.md) into a chain of these lookups and one
 * transform call; the tables (vocabularies) are static data in the generated file. Nothing here
 * allocates, keeps state or can fail: a value that is absent, JSON null or of the wrong type
 * yields the caller's dflt (NaN unless the spec names a default).
 *
 * Each transform exists twice, with one core: for a cJSON value (extract, the reference form)
 * and, named *_s, for a value json_scan.c recorded (extract_scanned, what serving uses). Both
 * read the same bytes and the same doubles (strtod's, as cJSON's), so they give the same bits.
 */
#ifndef BG_FEATURES_RT_H
#define BG_FEATURES_RT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_scan.h"

/* ---- lookups: each takes NULL and returns NULL when the step does not lead anywhere ---- */

/* Member key of object v; NULL when v is not an object, has no such member, or it is null. */
const cJSON *bg_fx_key(const cJSON *v, const char *key);

/* Element i of array v; NULL when v is not an array, is too short, or the element is null. */
const cJSON *bg_fx_index(const cJSON *v, int i);

/* ---- transforms ---- */

/* number: v's value as float (rounded from the double cJSON read); dflt unless v is a number. */
float bg_fx_number(const cJSON *v, float dflt);

/* present: 1 when v is there (not absent, not null), else 0. */
float bg_fx_present(const cJSON *v);

/* One vocabulary word: the string's bytes (already lower-cased when the entry folds case). */
struct bg_fx_word {
  const char *s;
  uint32_t len;
  float id;
};

/* vocabulary: the id of string v in words[0..n) (sorted by bg_fx_word_cmp order), unknown when
 * it is a string not in the table, dflt when it is not a string. fold: compare in ASCII lower
 * case (words are stored lower-cased). */
/* The id of the string s[0..len) in words (sorted by bg_fx_word_cmp), ASCII-lowered first when
 * fold; unknown when absent (or too long to lower). The lookup of both bg_fx_vocab and the
 * Thrift extractor's bg_tx_vocab. */
float bg_fx_vocab_bytes(const char *s, size_t len, const struct bg_fx_word *words, size_t n,
                        float unknown, int fold);
float bg_fx_vocab(const cJSON *v, const struct bg_fx_word *words, size_t n, float unknown,
                  float dflt, int fold);

/* The order vocabularies are sorted in: bytes as unsigned, a prefix before longer strings.
 * Returns <0, 0, >0 like memcmp. */
int bg_fx_word_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* FNV-1a, 32 bits: h = 2166136261; for each byte h = (h ^ byte) * 16777619 (mod 2^32). */
uint32_t bg_fx_fnv1a32(const char *s, size_t n);

/* hash: FNV-1a 32 of string v's bytes (lower-cased first when fold) modulo buckets;
 * dflt when v is not a string. */
float bg_fx_hash(const cJSON *v, uint32_t buckets, float dflt, int fold);

/* Flags of the clock transforms. */
#define BG_FX_TS_MS 1u    /* the timestamp field is in milliseconds, not seconds */
#define BG_FX_TS_CLOCK 2u /* no usable timestamp: use now (always set when the spec names none) */

/* Day-of-week conventions. */
enum bg_fx_week {
  BG_FX_WEEK_SPARK = 0, /* 1 = Sunday .. 7 = Saturday (Spark's dayofweek) */
  BG_FX_WEEK_ISO = 1,   /* 1 = Monday .. 7 = Sunday */
  BG_FX_WEEK_UNIX = 2   /* 0 = Sunday .. 6 = Saturday (C's tm_wday) */
};

/* hour of day, 0..23, and day of week, of a time: ts (a number of epoch seconds, or ms with
 * BG_FX_TS_MS) when it is a finite number within +-1e13 s, else now when BG_FX_TS_CLOCK is
 * set, else dflt. The time is shifted by utcoffset minutes when utcoffset is a number within
 * -1440..1440 (otherwise it is UTC). */
float bg_fx_hour(const cJSON *ts, int64_t now, unsigned flags, const cJSON *utcoffset,
                 float dflt);
float bg_fx_dow(const cJSON *ts, int64_t now, unsigned flags, const cJSON *utcoffset,
                enum bg_fx_week week, float dflt);

/* banner area: w * h of banner object v, from its w and h when both are numbers, else from
 * format[0].w and format[0].h; dflt when neither pair is there. */
float bg_fx_area(const cJSON *banner, float dflt);

/* What a user agent string says the device is (rules in docs/features.md). */
enum bg_fx_ua {
  BG_FX_UA_PHONE,        /* smartphone */
  BG_FX_UA_TABLET,
  BG_FX_UA_FEATURE_PHONE, /* a mobile phone that is not a smartphone */
  BG_FX_UA_PC,
  BG_FX_UA_TV,           /* connected TV, set-top box */
  BG_FX_UA_CONSOLE,      /* game console and other appliances */
  BG_FX_UA_CRAWLER,
  BG_FX_UA_OTHER
};

enum bg_fx_ua bg_fx_ua_class(const char *ua, size_t n);

/* Device type scales. */
enum bg_fx_scale {
  BG_FX_SCALE_OPENRTB = 0, /* OpenRTB devicetype 1..7 */
  BG_FX_SCALE_WOOTHEE = 1  /* woothee: 0 smartphone 1 mobilephone 2 appliance 3 pc 4 crawler 5 misc */
};

/* device type on scale: from devicetype when it is one of OpenRTB's codes 1..7, else from
 * the user agent string ua, else dflt (also when the agent maps to nothing on the scale). */
float bg_fx_devicetype(const cJSON *devicetype, const cJSON *ua, enum bg_fx_scale scale,
                       float dflt);

/* ---- the same transforms on scanned values (NULL: absent) ---- */

/* The impression slot `slot` of impression k (in->imps, per slots apart), NULL when there is
 * no impression k or the value is absent or null. */
static inline const struct bg_jv *bg_fx_imp_slot(const struct bg_jv *imps, uint32_t n_imps,
                                                 uint32_t k, uint32_t per, uint32_t slot) {
  return k < n_imps ? bg_jv_get(&imps[(size_t)k * per + slot]) : NULL;
}

float bg_fx_number_s(const struct bg_jv *v, float dflt);
float bg_fx_present_s(const struct bg_jv *v);
/* The hash a vocabulary's table places a word by (compiler/emit_features.c computes the same):
 * eight bytes at a time, as little-endian words, multiplied and folded. */
static inline uint32_t bg_fx_word_hash(const char *s, size_t n) {
  const uint64_t k = 0xff51afd7ed558ccdu;
  uint64_t h = 0x9e3779b97f4a7c15u ^ n, x;
  size_t i = 0;

  for (; i + 8 <= n; i += 8) {
    memcpy(&x, s + i, 8);
    h = (h ^ x) * k;
    h ^= h >> 32;
  }
  if (i < n) {
    if (n >= 8) {
      memcpy(&x, s + n - 8, 8); /* the last eight bytes, overlapping the ones before */
    } else {
      for (x = 0; i < n; i++)
        x |= (uint64_t)(unsigned char)s[i] << (8 * i);
    }
    h = (h ^ x) * k;
    h ^= h >> 32;
  }
  h *= 0xc4ceb9fe1a85ec53u;
  return (uint32_t)(h >> 32);
}

/* vocabulary through the table's hash (hash[mask + 1] slots, each 0 or 1 + a word's place,
 * at bg_fx_word_hash of the word's bytes or the next free slot after): the same id bisection
 * finds. */
float bg_fx_vocab_s(const struct bg_jv *v, const struct bg_fx_word *words, const uint32_t *hash,
                    uint32_t mask, float unknown, float dflt, int fold);
float bg_fx_hash_s(const struct bg_jv *v, uint32_t buckets, float dflt, int fold);
float bg_fx_hour_s(const struct bg_jv *ts, int64_t now, unsigned flags,
                   const struct bg_jv *utcoffset, float dflt);
float bg_fx_dow_s(const struct bg_jv *ts, int64_t now, unsigned flags,
                  const struct bg_jv *utcoffset, enum bg_fx_week week, float dflt);
/* banner area from the values a banner's lookups lead to: sub[0] w, sub[1] h, sub[2]
 * format[0].w, sub[3] format[0].h (NULL when absent); dflt when neither pair is numbers. */
float bg_fx_area_s(const struct bg_jv *const sub[4], float dflt);
float bg_fx_devicetype_s(const struct bg_jv *devicetype, const struct bg_jv *ua,
                         enum bg_fx_scale scale, float dflt);

#endif /* BG_FEATURES_RT_H */
