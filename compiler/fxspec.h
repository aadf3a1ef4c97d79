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
  int bidder_in_splits; /* a tree splits on a $bidder entry: 1 (the safe answer) until
                           xgbc_features_check has seen the model */
};

/* ---- the scan table (fxtrie.c) ----
 * Every path of a spec, and the ones the server reads itself (id, imp, ext.bidders, imp[].id),
 * as a trie of member names and array indices that runtime/json_scan.c follows while it checks
 * a request body (runtime/json_scan.h describes the runtime side). Nodes 0 and 1 are the
 * request and an impression; the runtime's fixed nodes and slots come next, in the order
 * json_scan.h numbers them. A request path through imp[N] is kept as "impression N" plus the
 * rest under the impression node, because the impression elements are scanned there. */

enum xgbc_fx_scope { XGBC_FX_SCOPE_REQUEST, XGBC_FX_SCOPE_IMP };

#define XGBC_FX_KEYS 1u    /* as BG_JS_KEYS: member children */
#define XGBC_FX_INDICES 2u /* BG_JS_INDICES: element children */
#define XGBC_FX_IMPS 4u    /* BG_JS_IMPS: the request's imp list */
#define XGBC_FX_BIDDERS 8u /* BG_JS_BIDDERS: ext.bidders */

struct xgbc_fx_node {
  int parent;     /* -1 for the roots */
  char *key;      /* the member name leading here, or NULL: element `index` */
  int index;
  int scope;      /* enum xgbc_fx_scope */
  uint32_t slot;  /* among its scope's slots, in creation order */
  unsigned flags; /* XGBC_FX_* */
  char *text;     /* the path, for comments: "device.geo", "imp[].banner.format[0]" */
};

struct xgbc_fx_trie {
  struct xgbc_fx_node *node;
  uint32_t num_nodes, cap;
  uint32_t num_slots[2]; /* per scope */
};

/* Where a path's value is read from. */
enum xgbc_fx_refkind {
  XGBC_FX_REF_REQUEST, /* a request slot */
  XGBC_FX_REF_IMP,     /* a slot of the impression being scored */
  XGBC_FX_REF_IMPK,    /* a slot of impression k (a request path through imp[k]) */
  XGBC_FX_REF_BIDDER   /* the candidate bidder */
};

struct xgbc_fx_ref {
  enum xgbc_fx_refkind kind;
  uint32_t k;   /* XGBC_FX_REF_IMPK */
  int node;     /* -1 for the bidder */
};

/* The trie of every path fs reads (area entries add w, h, format[0].w and format[0].h under
 * each of their paths). Returns 0 or XGBC_ENOMEM (t is then freed). */
int xgbc_fx_trie_build(const struct xgbc_features *fs, struct xgbc_fx_trie *t);

/* Where path p, followed by the extra member names in suffix (NULL-terminated; "[0]" stands
 * for element 0), is recorded: its node in t, which must hold it (built above). */
struct xgbc_fx_ref xgbc_fx_trie_ref(const struct xgbc_fx_trie *t, const struct xgbc_fx_path *p,
                                    const char *const *suffix);

void xgbc_fx_trie_free(struct xgbc_fx_trie *t);

/* Parse and check a spec (text need not be NUL-terminated). On failure *fs is left empty. */
int xgbc_read_features(const char *text, size_t len, struct xgbc_features *fs,
                       struct xgbc_diag *d);

/* Refuse a spec that does not fit model m (read from model_file): a different number of
 * features, or names that differ from the model's own feature names when it has some. On
 * success, notes in fs->bidder_in_splits whether a tree of m splits on a $bidder entry. */
int xgbc_features_check(struct xgbc_features *fs, const struct xgbc_model *m,
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
