bg4_require(@<bg4_name@>, @<bg4_xgbc_version@>, @<bg4_fx_source@>, @<bg4_fx_sha256@>,
  @<bg4_fx_num_features@>, @<bg4_fx_uses_bidder@>, @<bg4_fx_names@>, @<bg4_fx_tables@>,
  @<bg4_fx_all@>, @<bg4_fx_bidder@>, @<bg4_fx_score_ignores_bidder@>, @<bg4_fx_num_nodes@>,
  @<bg4_fx_num_request_slots@>, @<bg4_fx_num_imp_slots@>, @<bg4_fx_nodes@>, @<bg4_fx_keys@>,
  @<bg4_fx_indices@>, @<bg4_fx_sall@>, @<bg4_fx_sbidder@>, @<bg4_fx_simp@>,
  @<bg4_fx_reads_imp@>)m4_dnl
bg4_require(@<bg4_fx_uses_thrift@>, @<bg4_fx_thrift@>)m4_dnl
m4_dnl
m4_dnl features.c.m4 - a compiled feature spec: OpenRTB BidRequest -> one row of floats, in two
m4_dnl forms: from a cJSON tree (every path a chain of lookups) and from the values
m4_dnl runtime/json_scan.c recorded (every path one slot of the scan table, whose member-name
m4_dnl dispatch is generated below). Every entry is one call into runtime/features_rt.c;
m4_dnl vocabularies become sorted static tables searched by bisection.
m4_dnl
m4_dnl bg4_fx_name(NAME) - one feature name, already escaped for a C string
m4_define(@<bg4_fx_name@>, @<  "$1",@>)m4_dnl
m4_dnl bg4_fx_vocab_begin(INDEX, COUNT) - opens the table of entry INDEX
m4_define(@<bg4_fx_vocab_begin@>, @<
/* vocabulary of feature $1: $2 words in bg_fx_word_cmp order */
static const struct bg_fx_word vocab_$1[$2] = {@>)m4_dnl
m4_dnl bg4_fx_word(WORD, ID) - one word (escaped for a C string) and its id
m4_define(@<bg4_fx_word@>, @<  {"$1", sizeof "$1" - 1, $2},@>)m4_dnl
m4_dnl bg4_fx_vocab_end - closes a table
m4_define(@<bg4_fx_vocab_end@>, @<};@>)m4_dnl
m4_dnl bg4_fx_hash_begin(INDEX, SIZE) bg4_fx_hash_slots(LIST)... bg4_fx_hash_end - the hash
m4_dnl table of entry INDEX: 1 + the place of a word in vocab_INDEX, or 0
m4_define(@<bg4_fx_hash_begin@>, @<
/* its hash table: bg_fx_word_hash of a word, open addressing; 1 + the word's place, or 0 */
static const uint32_t vocab_$1_hash[$2] = {@>)m4_dnl
m4_define(@<bg4_fx_hash_slots@>, @<  $1,@>)m4_dnl
m4_define(@<bg4_fx_hash_end@>, @<};@>)m4_dnl
m4_dnl bg4_fx_entry(INDEX, NAME, WHAT) - starts one entry: a comment, and no value yet
m4_define(@<bg4_fx_entry@>, @<

  /* $1 $2: $3 */
  v = NULL;
  w = NULL;@>)m4_dnl
m4_dnl bg4_fx_lookup(VAR, ROOT) ... bg4_fx_lookup_end - one alternative path into VAR, tried
m4_dnl only while VAR has no value; ROOT is request, imp or bidder
m4_define(@<bg4_fx_lookup@>, @<
  if ($1 == NULL) {
    $1 = in->$2;@>)m4_dnl
m4_define(@<bg4_fx_key@>, @<
    $1 = bg_fx_key($1, "$2");@>)m4_dnl
m4_define(@<bg4_fx_index@>, @<
    $1 = bg_fx_index($1, $2);@>)m4_dnl
m4_define(@<bg4_fx_lookup_end@>, @<
  }@>)m4_dnl
m4_dnl The transforms: bg4_fx_KIND(INDEX, ...) stores row[INDEX] from v (and w).
m4_define(@<bg4_fx_number@>, @<
  row[$1] = bg_fx_number(v, $2);@>)m4_dnl
m4_define(@<bg4_fx_vocabulary@>, @<
  row[$1] = bg_fx_vocab(v, vocab_$1, sizeof vocab_$1 / sizeof vocab_$1[0], $2, $3, $4);@>)m4_dnl
m4_define(@<bg4_fx_hash@>, @<
  row[$1] = bg_fx_hash(v, $2u, $3, $4);@>)m4_dnl
m4_define(@<bg4_fx_present@>, @<
  row[$1] = bg_fx_present(v);@>)m4_dnl
m4_define(@<bg4_fx_hour@>, @<
  row[$1] = bg_fx_hour(v, in->now, $2u, w, $4);@>)m4_dnl
m4_define(@<bg4_fx_dow@>, @<
  row[$1] = bg_fx_dow(v, in->now, $2u, w, $3, $4);@>)m4_dnl
m4_define(@<bg4_fx_area@>, @<
  row[$1] = bg_fx_area(v, $2);@>)m4_dnl
m4_define(@<bg4_fx_devicetype@>, @<
  row[$1] = bg_fx_devicetype(v, w, $2, $3);@>)m4_dnl
m4_dnl
m4_dnl The Thrift extractor. bg4_fxt_entry(INDEX, NAME, WHAT) starts an entry with no value (t);
m4_dnl bg4_fxt_field(ID, NAME) tries one IDL field while t has none; bg4_fxt_KIND(INDEX, ...)
m4_dnl stores row[INDEX] from t (thrift_fx.h), or, for an entry without a Thrift source, its
m4_dnl default or the clock.
m4_define(@<bg4_fxt_entry@>, @<

  /* $1 $2: $3 */
  t = NULL;@>)m4_dnl
m4_define(@<bg4_fxt_field@>, @<
  if (t == NULL)
    t = bg_tx_field(in, $1); /* $2 */@>)m4_dnl
m4_define(@<bg4_fxt_number@>, @<
  row[$1] = bg_tx_number(t, $2);@>)m4_dnl
m4_define(@<bg4_fxt_vocabulary@>, @<
  row[$1] = bg_tx_vocab(t, vocab_$1, sizeof vocab_$1 / sizeof vocab_$1[0], $2, $3, $4);@>)m4_dnl
m4_define(@<bg4_fxt_hash@>, @<
  row[$1] = bg_tx_hash(t, $2u, $3, $4);@>)m4_dnl
m4_define(@<bg4_fxt_present@>, @<
  row[$1] = bg_tx_present(t);@>)m4_dnl
m4_define(@<bg4_fxt_devicetype@>, @<
  row[$1] = bg_tx_devicetype(t, $2, $3);@>)m4_dnl
m4_define(@<bg4_fxt_default@>, @<
  row[$1] = $2;@>)m4_dnl
m4_define(@<bg4_fxt_hour_clock@>, @<
  row[$1] = bg_fx_hour(NULL, in->now, BG_FX_TS_CLOCK, NULL, $2);@>)m4_dnl
m4_define(@<bg4_fxt_dow_clock@>, @<
  row[$1] = bg_fx_dow(NULL, in->now, BG_FX_TS_CLOCK, NULL, $2, $3);@>)m4_dnl
m4_dnl The scan table. bg4_fx_node(SLOT, SCOPE, FLAGS, PATH) - one node of the trie
m4_define(@<bg4_fx_node@>, @<  {$1, $2, $3}, /* $4 */@>)m4_dnl
m4_dnl bg4_fx_knode(NODE, PATH) ... bg4_fx_knode_end - the member names of one node, grouped
m4_dnl by length: bg4_fx_klen(LEN) bg4_fx_key_is(NAME, LEN, CHILD)... bg4_fx_klen_end
m4_define(@<bg4_fx_knode@>, @<  case $1: /* $2 */
    switch (n) {@>)m4_dnl
m4_define(@<bg4_fx_klen@>, @<    case $1:@>)m4_dnl
m4_define(@<bg4_fx_key_is@>, @<      if (memcmp(k, "$1", $2) == 0)
        return $3;@>)m4_dnl
m4_define(@<bg4_fx_klen_end@>, @<      break;@>)m4_dnl
m4_define(@<bg4_fx_knode_end@>, @<    }
    break;@>)m4_dnl
m4_dnl bg4_fx_inode(NODE, PATH) bg4_fx_index_is(I, CHILD)... bg4_fx_inode_end - its elements
m4_define(@<bg4_fx_inode@>, @<  case $1: /* $2 */
    switch (i) {@>)m4_dnl
m4_define(@<bg4_fx_index_is@>, @<    case $1:
      return $2;@>)m4_dnl
m4_define(@<bg4_fx_inode_end@>, @<    }
    break;@>)m4_dnl
m4_dnl
m4_dnl The scanned form. bg4_fx_sat(ROOT, K, SLOT) - the C expression of one recorded value:
m4_dnl ROOT is request, imp (the impression scored), impk (impression K) or bidder
m4_define(@<bg4_fx_sat@>, @<m4_ifelse(@<$1@>, @<request@>, @<bg_jv_get(&in->request[$3])@>,
  @<$1@>, @<imp@>, @<bg_jv_get(&in->imp[$3])@>,
  @<$1@>, @<impk@>, @<bg_fx_imp_slot(in->imps, in->n_imps, $2u, NUM_IMP_SLOTS, $3)@>,
  @<in->bidder@>)@>)m4_dnl
m4_dnl bg4_fx_slookup(VAR, ROOT, K, SLOT) - one alternative path, tried while VAR has no value
m4_define(@<bg4_fx_slookup@>, @<
  if ($1 == NULL)
    $1 = bg4_fx_sat($2, $3, $4);@>)m4_dnl
m4_dnl bg4_fx_sarea_alt(ROOT, K, SLOT, W, H, FW, FH) - one alternative banner of an area entry
m4_dnl and the four values its area is made from (w, h, format[0].w, format[0].h)
m4_define(@<bg4_fx_sarea_alt@>, @<
  if (v == NULL && (v = bg4_fx_sat($1, $2, $3)) != NULL) {
    a[0] = bg4_fx_sat($1, $2, $4);
    a[1] = bg4_fx_sat($1, $2, $5);
    a[2] = bg4_fx_sat($1, $2, $6);
    a[3] = bg4_fx_sat($1, $2, $7);
  }@>)m4_dnl
m4_define(@<bg4_fx_snumber@>, @<
  row[$1] = bg_fx_number_s(v, $2);@>)m4_dnl
m4_define(@<bg4_fx_svocabulary@>, @<
  row[$1] = bg_fx_vocab_s(v, vocab_$1, vocab_$1_hash,
                          sizeof vocab_$1_hash / sizeof vocab_$1_hash[0] - 1, $2, $3, $4);@>)m4_dnl
m4_define(@<bg4_fx_shash@>, @<
  row[$1] = bg_fx_hash_s(v, $2u, $3, $4);@>)m4_dnl
m4_define(@<bg4_fx_spresent@>, @<
  row[$1] = bg_fx_present_s(v);@>)m4_dnl
m4_define(@<bg4_fx_shour@>, @<
  row[$1] = bg_fx_hour_s(v, in->now, $2u, w, $4);@>)m4_dnl
m4_define(@<bg4_fx_sdow@>, @<
  row[$1] = bg_fx_dow_s(v, in->now, $2u, w, $3, $4);@>)m4_dnl
m4_define(@<bg4_fx_sarea@>, @<
  row[$1] = bg_fx_area_s(a, $2);
  a[0] = a[1] = a[2] = a[3] = NULL;@>)m4_dnl
m4_define(@<bg4_fx_sdevicetype@>, @<
  row[$1] = bg_fx_devicetype_s(v, w, $2, $3);@>)m4_dnl
/* features.c - the feature extractor of model bg4_name, compiled from bg4_fx_source
 * Generated by xgbc bg4_xgbc_version. Do not edit: change the spec and run `make model`.
 *
 * spec      bg4_fx_source
 * sha256    bg4_fx_sha256
 * shape     bg4_fx_num_features features, m4_ifelse(bg4_fx_uses_bidder, @<1@>, m4_dnl
@<one row per impression x bidder@>, @<one row per impression@>)
 */

/* How to read this file
 *
 * extract() fills one row, entry by entry in the model's feature order. Each entry starts with
 * no value (v, and w for a second input), tries its paths in turn (a path is a chain of
 * bg_fx_key/bg_fx_index lookups from the request, the impression or the bidder; the first that
 * leads to a value wins) and hands the value to one transform of runtime/features_rt.h. A
 * value that is absent or of the wrong type becomes the entry's default: NAN, the model's
 * "missing", unless the spec says otherwise. extract_bidder() redoes only the entries that read
 * $bidder, so a row can be copied and re-aimed at the next bidder.m4_dnl
m4_ifelse(bg4_fx_uses_thrift, @<1@>, @<
 *
 * extract_thrift() makes the same row from a Thrift call (runtime/bidrequest.thrift): each
 * entry tries the IDL fields its "thrift" member names (t: the first the call set) and hands
 * the value to a transform of runtime/thrift_fx.h; an entry without a Thrift source gets its
 * default, or the clock (in UTC) if it is an hour or day of the clock.@>)
 *
 * extract_scanned(), extract_scanned_imp() (the entries that read the impression) and
 * extract_scanned_bidder() are the same entries over the values runtime/json_scan.c recorded
 * while it checked the request body: each path is one slot of the scan table (scan_nodes: a
 * trie of every path below; scan_key() and scan_index() find a node's children), so serving
 * reads each value once and builds no tree.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "features_abi.h"
#include "features_rt.h"
#include "thrift_fx.h"

#define NUM_FEATURES bg4_fx_num_features@<@>u
#define NUM_NODES bg4_fx_num_nodes@<@>u
#define NUM_REQUEST_SLOTS bg4_fx_num_request_slots@<@>u
#define NUM_IMP_SLOTS bg4_fx_num_imp_slots@<@>u
bg4_fx_tables

static const char *const feature_names[NUM_FEATURES] = {
bg4_fx_names};

static void extract(const struct bg_fx_input *in, float *row) {
  const cJSON *v, *w;m4_dnl
bg4_fx_all

  (void)v;
  (void)w;
}

static void extract_bidder(const struct bg_fx_input *in, float *row) {
m4_ifelse(bg4_fx_uses_bidder, @<1@>, @<m4_dnl
  const cJSON *v, *w;m4_dnl
bg4_fx_bidder

  (void)v;
  (void)w;
@>, @<m4_dnl
  (void)in; /* no entry reads $bidder */
  (void)row;
@>)m4_dnl
}

m4_ifelse(bg4_fx_uses_thrift, @<1@>, @<
static void extract_thrift(const struct bg_tx_input *in, float *row) {
  const struct bg_tx_value *t;m4_dnl
bg4_fx_thrift

  (void)t;
  (void)in;
}

@>)m4_dnl
/* The scan table: one node per path step, {slot, scope, flags} (runtime/json_scan.h). */
static const struct bg_js_node scan_nodes[NUM_NODES] = {
bg4_fx_nodes};

/* The child of node `node` named k[0..n), or -1. */
static int scan_key(int node, const char *k, size_t n) {
  switch (node) {
bg4_fx_keys@<@>m4_dnl
  default:
    break;
  }
  return -1;
}

/* The child of node `node` for element i, or -1. */
static int scan_index(int node, uint32_t i) {
  switch (node) {
bg4_fx_indices@<@>m4_dnl
  default:
    break;
  }
  (void)i;
  return -1;
}

static const struct bg_js_paths scan_paths = {
  .num_nodes = NUM_NODES,
  .num_request_slots = NUM_REQUEST_SLOTS,
  .num_imp_slots = NUM_IMP_SLOTS,
  .node = scan_nodes,
  .key = scan_key,
  .index = scan_index,
};

static void extract_scanned(const struct bg_fx_scanned *in, float *row) {
  const struct bg_jv *v, *w, *a[4] = {NULL, NULL, NULL, NULL};m4_dnl
bg4_fx_sall

  (void)v;
  (void)w;
  (void)a;
}

static void extract_scanned_imp(const struct bg_fx_scanned *in, float *row) {
m4_ifelse(bg4_fx_reads_imp, @<1@>, @<m4_dnl
  const struct bg_jv *v, *w, *a[4] = {NULL, NULL, NULL, NULL};m4_dnl
bg4_fx_simp

  (void)v;
  (void)w;
  (void)a;
@>, @<m4_dnl
  (void)in; /* no entry reads the impression */
  (void)row;
@>)m4_dnl
}

static void extract_scanned_bidder(const struct bg_fx_scanned *in, float *row) {
m4_ifelse(bg4_fx_uses_bidder, @<1@>, @<m4_dnl
  const struct bg_jv *v, *w, *a[4] = {NULL, NULL, NULL, NULL};m4_dnl
bg4_fx_sbidder

  (void)v;
  (void)w;
  (void)a;
@>, @<m4_dnl
  (void)in; /* no entry reads $bidder */
  (void)row;
@>)m4_dnl
}

const struct bg_features bg_features_@<@>bg4_name = {
  .name = "bg4_name",
  .sha256 = "bg4_fx_sha256",
  .xgbc_version = "bg4_xgbc_version",
  .abi_version = BG_FEATURES_ABI_VERSION,
  .num_features = NUM_FEATURES,
  .uses_bidder = bg4_fx_uses_bidder,
  .feature_names = feature_names,
  .extract = extract,
  .extract_bidder = extract_bidder,
  .extract_thrift = m4_ifelse(bg4_fx_uses_thrift, @<1@>, @<extract_thrift@>, @<NULL@>),
  .scan_paths = &scan_paths,
  .extract_scanned = extract_scanned,
  .extract_scanned_imp = extract_scanned_imp,
  .extract_scanned_bidder = extract_scanned_bidder,
  .score_ignores_bidder = bg4_fx_score_ignores_bidder,
};
