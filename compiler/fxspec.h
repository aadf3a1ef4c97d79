/* fxspec.h - xgbc's in-memory feature spec: how OpenRTB or Thrift fields become model inputs.
 *
 * read_features.c fills it from models/NAME/features.json (format: docs/features.md) and checks
 * it on its own; xgbc_features_check holds it against the model; emit_features.c writes it as
 * m4 definitions for templates/features.c.m4. Like the model readers, none of these print: they
 * return 0 or a negative XGBC_E* code with a diagnostic whose WHERE is a JSON path in the spec.
 */
#ifndef XGBC_FXSPEC_H
#define XGBC_FXSPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "ir.h"

enum xgbc_fx_transform {
  XGBC_FX_NUMBER,     /* numeric pass-through */
  XGBC_FX_VOCABULARY, /* string -> id */
  XGBC_FX_HASH,       /* FNV-1a 32 of a string, modulo buckets */
  XGBC_FX_PRESENT,    /* 1 when the path leads to a value, else 0 */
  XGBC_FX_HOUR,       /* hour of day of the clock or a timestamp, shifted by utcoffset */
  XGBC_FX_DOW,        /* day of week, likewise */
  XGBC_FX_AREA,       /* banner w * h, or format[0].w * h */
  XGBC_FX_DEVICETYPE  /* devicetype, else classified from the user agent */
};

enum xgbc_fx_root {
  XGBC_FX_ROOT_REQUEST, /* a path from the BidRequest */
  XGBC_FX_ROOT_IMP,     /* imp[].…: from the impression being scored */
  XGBC_FX_ROOT_BIDDER   /* $bidder: the candidate bidder itself */
};

struct xgbc_fx_step {
  char *key; /* object member, or NULL for an array index */
  int index;
};

struct xgbc_fx_path {
  enum xgbc_fx_root root;
  struct xgbc_fx_step *steps;
  uint32_t num_steps;
  char *text; /* as written, for comments */
};

/* One or more paths; the first that leads to a value is used. */
struct xgbc_fx_paths {
  struct xgbc_fx_path *alt;
  uint32_t num;
};

#define XGBC_FX_MAX_THRIFT 4 /* alternative fields in one "thrift" member */

struct xgbc_fx_word {
  char *s;  /* lower-cased when the entry folds case */
  float id;
};

struct xgbc_fx_entry {
  char *name;
  enum xgbc_fx_transform transform;
  struct xgbc_fx_paths paths; /* the value (for hour/dow: the timestamp, may be empty) */
  struct xgbc_fx_paths aux;   /* hour/dow: utcoffset; devicetype: the user agent */
  float dflt;                 /* when the value is absent or of the wrong type (NaN if unset) */
  float unknown;              /* vocabulary: a string not in it (NaN if unset) */
  int fold;                   /* compare strings in ASCII lower case */
  struct xgbc_fx_word *words; /* vocabulary, sorted by bytes (bg_fx_word_cmp) */
  uint32_t num_words;
  uint32_t buckets;           /* hash */
  int ts_ms, ts_clock;        /* hour/dow: timestamp in ms; use the clock when it is missing */
  int week;                   /* dow: enum bg_fx_week */
  int scale;                  /* devicetype: enum bg_fx_scale */
  int uses_bidder;            /* some path is $bidder */
  uint8_t thrift[XGBC_FX_MAX_THRIFT]; /* "thrift": IDL field ids, the first the call set wins */
  uint32_t num_thrift;        /* 0: no Thrift source (compiler/fx_thrift.c) */
};

struct xgbc_features {
  struct xgbc_fx_entry *entries;
  uint32_t num_entries;
  int uses_bidder;
  int uses_thrift;            /* some entry has a Thrift source: features.c gets extract_thrift */
};

/* Parse and check a spec (text need not be NUL-terminated). On failure *fs is left empty. */
int xgbc_read_features(const char *text, size_t len, struct xgbc_features *fs,
                       struct xgbc_diag *d);

/* Refuse a spec that does not fit model m (read from model_file): a different number of
 * features, or names that differ from the model's own feature names when it has them. */
int xgbc_features_check(const struct xgbc_features *fs, const struct xgbc_model *m,
                        const char *model_file, struct xgbc_diag *d);

/* Read entry ei's optional "thrift" member j (NULL when absent) into e, whose transform is
 * already read: IDL field names (runtime/thrift_idl.h) that fit the transform. Returns 0 or
 * XGBC_E* with a diagnostic (compiler/fx_thrift.c). */
struct cJSON;
int xgbc_read_fx_thrift(const struct cJSON *j, struct xgbc_fx_entry *e, int ei,
                        struct xgbc_diag *d);

/* The name of IDL field id (1..BG_THRIFT_MAX_ID), or NULL. */
const char *xgbc_fx_thrift_name(unsigned id);

/* Release everything; the struct is left zeroed. Never fails. */
void xgbc_features_free(struct xgbc_features *fs);

/* Write the bg4_fx_* definitions templates/features.c.m4 needs. source and sha256 name the
 * spec file. Returns 0, or XGBC_EIO when writing fails. */
int xgbc_emit_features(FILE *out, const char *source, const char *sha256,
                       const struct xgbc_features *fs);

#endif /* XGBC_FXSPEC_H */
