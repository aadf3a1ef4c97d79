/* features_abi.h - the contract between a feature extractor compiled by xgbc and its callers.
 *
 * `xgbc MODEL.json --features FEATURES.json -o DIR` writes DIR/features.c defining
 *
 *     extern const struct bg_features bg_features_NAME;
 *
 * next to bg_model_NAME (model_abi.h). The extractor turns one OpenRTB BidRequest, one of its
 * impressions and, for models that score request x bidder, one candidate bidder into a row of
 * num_features floats in the model's feature order, as the spec (docs/features.md) says.
 * Everything the spec names is compiled in: JSON paths become direct lookups, vocabularies
 * static sorted tables. It comes in two forms that give the same rows, bit for bit:
 *   - extract / extract_bidder read a cJSON tree of the request (the reference form);
 *   - extract_scanned (_imp, _bidder) read the values json_scan.c recorded while it
 *     checked the body, at the paths of scan_paths (a trie of the spec's paths, with a
 *     generated key dispatch): what the server and `bidgate extract` use, with no tree built.
 * All four are pure apart from reading their input, allocation-free and thread-safe; a value
 * that is absent or of the wrong type becomes the entry's default (NaN unless the spec names
 * one). They cannot fail.
 */
#ifndef BG_FEATURES_ABI_H
#define BG_FEATURES_ABI_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "json_scan.h"

#define BG_FEATURES_ABI_VERSION 2

struct bg_tx_input; /* thrift_fx.h */

/* What one row is made from. */
struct bg_fx_input {
  const cJSON *request; /* the BidRequest (an object) */
  const cJSON *imp;     /* the impression this row scores (an object in request's imp[]) */
  const cJSON *bidder;  /* the candidate bidder (a cJSON string), or NULL when there is none */
  int64_t now;          /* the clock for hour/day-of-week entries without a timestamp: epoch s */
};

/* What one row is made from, in the scanned form (json_scan.h): the recorded values. */
struct bg_fx_scanned {
  const struct bg_jv *request; /* the request's slots (scan_paths->num_request_slots) */
  const struct bg_jv *imp;     /* the slots of the impression this row scores (an object) */
  const struct bg_jv *imps;    /* every kept impression's slots, num_imp_slots apart, for */
  uint32_t n_imps;             /*   request paths through imp[N]; n_imps of them */
  const struct bg_jv *bidder;  /* the candidate bidder (a string), or NULL */
  int64_t now;                 /* the clock for hour/day-of-week entries without a timestamp */
};

struct bg_features {
  const char *name;          /* the model's C identifier: bg_features_NAME sits by bg_model_NAME */
  const char *sha256;        /* hex SHA-256 of the spec file it was compiled from */
  const char *xgbc_version;  /* version of the compiler that wrote the code */
  uint32_t abi_version;      /* BG_FEATURES_ABI_VERSION of the writer */
  uint32_t num_features;     /* length of a row; equals the model's num_features */
  uint32_t uses_bidder;      /* 1 when some entry reads $bidder: one row per imp x bidder */
  const char *const *feature_names; /* num_features names, from the spec */

  /* Fill row[0 .. num_features) from in. */
  void (*extract)(const struct bg_fx_input *in, float *row);
  /* Refill only the entries that read $bidder (a no-op without any): a row made by extract for
   * the same request and impression, copied, then this, equals extract for the new bidder. */
  void (*extract_bidder)(const struct bg_fx_input *in, float *row);

  /* Fill row[0 .. num_features) from a decoded Thrift call (runtime/thrift_fx.h): entries with
   * a "thrift" source read its fields, the others get their default (hour and dow of the clock
   * read in->now, in UTC). NULL when no entry of the spec has a Thrift source. */
  void (*extract_thrift)(const struct bg_tx_input *in, float *row);
  /* ABI version 2: the scanned form. */
  const struct bg_js_paths *scan_paths; /* what json_scan.c records for this spec */
  void (*extract_scanned)(const struct bg_fx_scanned *in, float *row);
  /* Refill only the entries that read the impression: a row made by extract_scanned for
   * another impression of the same request and the same bidder, copied, then this, equals
   * extract_scanned for in->imp (the request's own entries are the same for every one). */
  void (*extract_scanned_imp)(const struct bg_fx_scanned *in, float *row);
  void (*extract_scanned_bidder)(const struct bg_fx_scanned *in, float *row);
  /* 1 when no tree of the model splits on an entry that reads $bidder: the bidders of one
   * impression then get the same score, so one row per impression need be predicted. */
  uint32_t score_ignores_bidder;
};

#endif /* BG_FEATURES_ABI_H */
