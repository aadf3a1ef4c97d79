/* emit_features.c - write a feature spec as m4 definitions for templates/features.c.m4.
 *
 * The template owns every line of C; this file hands it facts, one macro call per fact:
 *
 *   bg4_fx_names     bg4_fx_name(NAME) per entry
 *   bg4_fx_tables    per vocabulary: bg4_fx_vocab_begin(I, COUNT), bg4_fx_word(WORD, ID) per
 *                    word in lookup order, bg4_fx_vocab_end; then its hash table:
 *                    bg4_fx_hash_begin(I, SIZE), bg4_fx_hash_slots(LIST) per 16 slots,
 *                    bg4_fx_hash_end
 *   bg4_fx_all       per entry: bg4_fx_entry(I, NAME, WHAT), then per alternative path of its
 *                    value (v) and of its second input (w: utcoffset or user agent)
 *                    bg4_fx_lookup(VAR, ROOT), bg4_fx_key(VAR, KEY) / bg4_fx_index(VAR, N) per
 *                    step, bg4_fx_lookup_end; then the transform, e.g.
 *                    bg4_fx_vocabulary(I, UNKNOWN, DEFAULT, FOLD)
 *   bg4_fx_bidder    the same for the entries that read $bidder only
 *   bg4_fx_uses_thrift, bg4_fx_thrift   1 when some entry has a "thrift" source; then per entry
 *                    bg4_fxt_entry(I, NAME, WHAT), bg4_fxt_field(ID, FIELD) per alternative
 *                    field and one transform, e.g. bg4_fxt_vocabulary(I, UNKNOWN, DEFAULT, FOLD),
 *                    or bg4_fxt_default(I, DEFAULT) / bg4_fxt_hour_clock(I, DEFAULT) /
 *                    bg4_fxt_dow_clock(I, WEEK, DEFAULT) for an entry without a source
 *   bg4_fx_sall, bg4_fx_sbidder, bg4_fx_simp   the same entries for the scanned form (simp:
 *                    those that read the impression being scored): lookups become
 *                    bg4_fx_slookup(VAR, ROOT, K, SLOT) (ROOT request, imp, impk or bidder;
 *                    K the impression of impk), area paths bg4_fx_sarea_alt(ROOT, K, SLOT,
 *                    W, H, FORMAT0_W, FORMAT0_H), transforms bg4_fx_sKIND with the same
 *                    arguments as bg4_fx_KIND
 *   bg4_fx_nodes     the scan table (fxtrie.c): bg4_fx_node(SLOT, SCOPE, FLAGS, PATH) per node
 *   bg4_fx_keys      per node with members: bg4_fx_knode(NODE, PATH), per name length
 *                    bg4_fx_klen(LEN), per name bg4_fx_key_is(NAME, LEN, CHILD),
 *                    bg4_fx_klen_end; then bg4_fx_knode_end
 *   bg4_fx_indices   per node with elements: bg4_fx_inode(NODE, PATH), bg4_fx_index_is(I,
 *                    CHILD) per element, bg4_fx_inode_end
 *
 * Strings from the spec (names, keys, words) are escaped as in emit_defs.c, and '$' too: these
 * definitions are macro bodies, where m4 would read "$1" as an argument.
 */
#include "fxspec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"


static int macro_prefix_at(const char *s, const char *p) {
  return *p == '_' && ((p - s >= 2 && memcmp(p - 2, "m4", 2) == 0) ||
                       (p - s >= 3 && memcmp(p - 3, "bg4", 3) == 0));
}


/* s as the inside of a C string literal, safe inside m4 quotes and macro bodies. */
static void put_string(FILE *out, const char *s) {
  const char *p;

  for (p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c < 0x20 || c >= 0x7f || c == '@' || c == '?' || c == '$' || macro_prefix_at(s, p))
      fprintf(out, "\\%03o", c);
    else
      fputc(c, out);
  }
}


/* s inside a C comment, likewise safe. */
static void put_comment(FILE *out, const char *s) {
  const char *p;

  for (p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '*' && p[1] == '/')
      fputs("* /", out), p++;
    else if (c < 0x20 || c >= 0x7f || c == '@' ||
             (c == '$' && strchr("0123456789#*@{", p[1]) != NULL))
      fputc('?', out);
    else if (macro_prefix_at(s, p))
      fputs("\\_", out);
    else
      fputc(c, out);
  }
}


static const char *float_or_nan(char *buf, size_t n, float f) {
  return isnan(f) ? "NAN" : xgbc_float_literal(buf, n, f);
}


static const char *const transform_words[] = {"number", "vocabulary", "hash", "present",
                                              "hour", "dow", "area", "devicetype"};


static void put_paths_text(FILE *out, const struct xgbc_fx_paths *ps) {
  uint32_t i;

  for (i = 0; i < ps->num; i++) {
    if (i > 0)
      fputs(" | ", out);
    put_comment(out, ps->alt[i].text);
  }
}


static void put_lookups(FILE *out, const char *var, const struct xgbc_fx_paths *ps) {
  static const char *const roots[] = {"request", "imp", "bidder"};
  uint32_t i, k;

  for (i = 0; i < ps->num; i++) {
    const struct xgbc_fx_path *p = &ps->alt[i];
    fprintf(out, "bg4_fx_lookup(%s, %s)", var, roots[p->root]);
    for (k = 0; k < p->num_steps; k++) {
      if (p->steps[k].key != NULL) {
        fprintf(out, "bg4_fx_key(%s, @<@<", var);
        put_string(out, p->steps[k].key);
        fputs("@>@>)", out);
      } else {
        fprintf(out, "bg4_fx_index(%s, %d)", var, p->steps[k].index);
      }
    }
    fputs("bg4_fx_lookup_end@<@>m4_dnl\n", out);
  }
}


static const char *const ref_roots[] = {"request", "imp", "impk", "bidder"};


/* The scanned form's lookups: each alternative reads one recorded value (area: the banner's
 * and its four lookups'). */
static void put_slookups(FILE *out, const char *var, const struct xgbc_fx_paths *ps, int area,
                         const struct xgbc_fx_trie *t) {
  static const char *const suffixes[4][4] = {
    {"w", NULL}, {"h", NULL}, {"format", "[0]", "w", NULL}, {"format", "[0]", "h", NULL}};
  uint32_t i, k;

  for (i = 0; i < ps->num; i++) {
    struct xgbc_fx_ref r = xgbc_fx_trie_ref(t, &ps->alt[i], NULL);
    uint32_t slot = r.node >= 0 ? t->node[r.node].slot : 0;
    if (!area) {
      fprintf(out, "bg4_fx_slookup(%s, %s, %u, %u)m4_dnl\n", var, ref_roots[r.kind], r.k, slot);
      continue;
    }
    fprintf(out, "bg4_fx_sarea_alt(%s, %u, %u", ref_roots[r.kind], r.k, slot);
    for (k = 0; k < 4; k++)
      fprintf(out, ", %u", t->node[xgbc_fx_trie_ref(t, &ps->alt[i], suffixes[k]).node].slot);
    fputs(")m4_dnl\n", out);
  }
}


/* One entry: its comment, its lookups, its transform; scanned: the form that reads recorded
 * values (t is the scan table), else the one that reads cJSON. */
static void put_entry(FILE *out, uint32_t i, const struct xgbc_fx_entry *e,
                      const struct xgbc_fx_trie *t) {
  const char *tp = t != NULL ? "bg4_fx_s" : "bg4_fx_";
  static const char *const weeks[] = {"BG_FX_WEEK_SPARK", "BG_FX_WEEK_ISO", "BG_FX_WEEK_UNIX"};
  static const char *const scales[] = {"BG_FX_SCALE_OPENRTB", "BG_FX_SCALE_WOOTHEE"};
  char dbuf[32], unknown[32];
  const char *dflt;

  fprintf(out, "bg4_fx_entry(%u, @<@<", i);
  put_comment(out, e->name);
  fprintf(out, "@>@>, @<@<%s", transform_words[e->transform]);
  if (e->paths.num > 0) {
    fputs(" of ", out);
    put_paths_text(out, &e->paths);
  } else if (e->transform == XGBC_FX_HOUR || e->transform == XGBC_FX_DOW) {
    fputs(" of the clock", out);
  } else {
    fputs(" of nothing: no OpenRTB path, a Thrift source only", out);
  }
  if (e->aux.num > 0) {
    fputs(e->transform == XGBC_FX_DEVICETYPE ? ", else the user agent " : ", shifted by ", out);
    put_paths_text(out, &e->aux);
  }
  fputs("@>@>)m4_dnl\n", out);
  if (t != NULL) {
    put_slookups(out, "v", &e->paths, e->transform == XGBC_FX_AREA, t);
    put_slookups(out, "w", &e->aux, 0, t);
  } else {
    put_lookups(out, "v", &e->paths);
    put_lookups(out, "w", &e->aux);
  }
  dflt = float_or_nan(dbuf, sizeof dbuf, e->dflt);
  switch (e->transform) {
  case XGBC_FX_NUMBER:
    fprintf(out, "%snumber(%u, %s)m4_dnl\n", tp, i, dflt);
    break;
  case XGBC_FX_VOCABULARY:
    fprintf(out, "%svocabulary(%u, %s, %s, %d)m4_dnl\n", tp, i,
            float_or_nan(unknown, sizeof unknown, e->unknown), dflt, e->fold);
    break;
  case XGBC_FX_HASH:
    fprintf(out, "%shash(%u, %u, %s, %d)m4_dnl\n", tp, i, e->buckets, dflt, e->fold);
    break;
  case XGBC_FX_PRESENT:
    fprintf(out, "%spresent(%u)m4_dnl\n", tp, i);
    break;
  case XGBC_FX_HOUR:
  case XGBC_FX_DOW:
    fprintf(out, "%s%s(%u, %u, %s, %s)m4_dnl\n", tp, transform_words[e->transform], i,
            (e->ts_ms ? 1u : 0u) | (e->ts_clock ? 2u : 0u), weeks[e->week], dflt);
    break;
  case XGBC_FX_AREA:
    fprintf(out, "%sarea(%u, %s)m4_dnl\n", tp, i, dflt);
    break;
  case XGBC_FX_DEVICETYPE:
    fprintf(out, "%sdevicetype(%u, %s, %s)m4_dnl\n", tp, i, scales[e->scale], dflt);
    break;
  }
}


/* One entry of extract_thrift: its Thrift fields and transform, or what it is without one. */
static void put_thrift_entry(FILE *out, uint32_t i, const struct xgbc_fx_entry *e) {
  static const char *const weeks[] = {"BG_FX_WEEK_SPARK", "BG_FX_WEEK_ISO", "BG_FX_WEEK_UNIX"};
  static const char *const scales[] = {"BG_FX_SCALE_OPENRTB", "BG_FX_SCALE_WOOTHEE"};
  int clock = (e->transform == XGBC_FX_HOUR || e->transform == XGBC_FX_DOW) && e->ts_clock;
  char dbuf[32], unknown[32];
  const char *dflt = float_or_nan(dbuf, sizeof dbuf, e->dflt);
  uint32_t k;

  fprintf(out, "bg4_fxt_entry(%u, @<@<", i);
  put_comment(out, e->name);
  fprintf(out, "@>@>, @<@<%s", transform_words[e->transform]);
  if (e->num_thrift > 0) {
    fputs(" of thrift ", out);
    for (k = 0; k < e->num_thrift; k++)
      fprintf(out, "%s%s", k ? " | " : "", xgbc_fx_thrift_name(e->thrift[k]));
  } else if (clock) {
    fputs(" of the clock (UTC): no thrift source", out);
  } else {
    fputs(e->transform == XGBC_FX_PRESENT ? ": no thrift source, so 0"
                                          : ": no thrift source, so the default", out);
  }
  fputs("@>@>)m4_dnl\n", out);
  for (k = 0; k < e->num_thrift; k++)
    fprintf(out, "bg4_fxt_field(%u, %s)m4_dnl\n", e->thrift[k],
            xgbc_fx_thrift_name(e->thrift[k]));
  if (e->num_thrift == 0) {
    if (clock && e->transform == XGBC_FX_HOUR)
      fprintf(out, "bg4_fxt_hour_clock(%u, %s)m4_dnl\n", i, dflt);
    else if (clock)
      fprintf(out, "bg4_fxt_dow_clock(%u, %s, %s)m4_dnl\n", i, weeks[e->week], dflt);
    else
      fprintf(out, "bg4_fxt_default(%u, %s)m4_dnl\n", i,
              e->transform == XGBC_FX_PRESENT ? "0.0f" : dflt);
    return;
  }
  switch (e->transform) {
  case XGBC_FX_NUMBER:
  case XGBC_FX_HOUR:
  case XGBC_FX_DOW:
    fprintf(out, "bg4_fxt_number(%u, %s)m4_dnl\n", i, dflt);
    break;
  case XGBC_FX_VOCABULARY:
    fprintf(out, "bg4_fxt_vocabulary(%u, %s, %s, %d)m4_dnl\n", i,
            float_or_nan(unknown, sizeof unknown, e->unknown), dflt, e->fold);
    break;
  case XGBC_FX_HASH:
    fprintf(out, "bg4_fxt_hash(%u, %u, %s, %d)m4_dnl\n", i, e->buckets, dflt, e->fold);
    break;
  case XGBC_FX_PRESENT:
    fprintf(out, "bg4_fxt_present(%u)m4_dnl\n", i);
    break;
  case XGBC_FX_DEVICETYPE:
    fprintf(out, "bg4_fxt_devicetype(%u, %s, %s)m4_dnl\n", i, scales[e->scale], dflt);
    break;
  case XGBC_FX_AREA: /* refused by the reader */
    fprintf(out, "bg4_fxt_default(%u, %s)m4_dnl\n", i, dflt);
    break;
  }
}


/* runtime/features_rt.h's bg_fx_word_hash, with the little-endian words assembled byte by
 * byte (so any host computes what the target will); test_json_scan.c would see a difference
 * (every hashed lookup would miss). */
static uint32_t word_hash(const unsigned char *s, size_t n) {
  const uint64_t k = 0xff51afd7ed558ccdu;
  uint64_t h = 0x9e3779b97f4a7c15u ^ n, x;
  size_t i = 0, j;

  for (; i + 8 <= n; i += 8) {
    for (x = 0, j = 0; j < 8; j++)
      x |= (uint64_t)s[i + j] << (8 * j);
    h = (h ^ x) * k;
    h ^= h >> 32;
  }
  if (i < n) {
    const unsigned char *t = n >= 8 ? s + n - 8 : s + i;
    size_t m = n >= 8 ? 8 : n - i;
    for (x = 0, j = 0; j < m; j++)
      x |= (uint64_t)t[j] << (8 * j);
    h = (h ^ x) * k;
    h ^= h >> 32;
  }
  h *= 0xc4ceb9fe1a85ec53u;
  return (uint32_t)(h >> 32);
}


/* The hash table of a vocabulary (the scanned form's lookup, runtime/features_rt.c): a power
 * of two of slots, at least twice the words, each 0 (empty) or 1 + a word's place in the
 * sorted table; a word sits at word_hash of its bytes, or the next free slot after it.
 * Returns 0 or XGBC_ENOMEM. */
static int put_hash_table(FILE *out, uint32_t entry, const struct xgbc_fx_entry *e) {
  uint32_t size = 4, k, *slot;

  while (size < 2 * e->num_words)
    size *= 2;
  if ((slot = calloc(size, sizeof *slot)) == NULL)
    return XGBC_ENOMEM;
  for (k = 0; k < e->num_words; k++) {
    const unsigned char *w = (const unsigned char *)e->words[k].s;
    uint32_t at;
    for (at = word_hash(w, strlen((const char *)w)) & (size - 1); slot[at] != 0; at = (at + 1) & (size - 1))
      ;
    slot[at] = k + 1;
  }
  fprintf(out, "bg4_fx_hash_begin(%u, %u)\n", entry, size);
  for (k = 0; k < size; k++)
    fprintf(out, "%s%u%s", k % 16 == 0 ? "bg4_fx_hash_slots(@<" : ", ", slot[k],
            k % 16 == 15 || k + 1 == size ? "@>)\n" : "");
  fputs("bg4_fx_hash_end\n", out);
  free(slot);
  return 0;
}


/* Whether entry e reads the impression being scored (a path from imp[]). */
static int reads_imp(const struct xgbc_fx_entry *e) {
  uint32_t i;

  for (i = 0; i < e->paths.num; i++)
    if (e->paths.alt[i].root == XGBC_FX_ROOT_IMP)
      return 1;
  for (i = 0; i < e->aux.num; i++)
    if (e->aux.alt[i].root == XGBC_FX_ROOT_IMP)
      return 1;
  return 0;
}


/* Sort node numbers by their member names: length first, then bytes (the dispatch switches
 * on the length). Insertion sort: a node has a handful of members. */
static void sort_by_len(int *kids, uint32_t n, const struct xgbc_fx_trie *t) {
  uint32_t i, j;

  for (i = 1; i < n; i++) {
    int k = kids[i];
    const char *key = t->node[k].key;
    for (j = i; j > 0; j--) {
      const char *prev = t->node[kids[j - 1]].key;
      size_t a = strlen(prev), b = strlen(key);
      if (a < b || (a == b && strcmp(prev, key) < 0))
        break;
      kids[j] = kids[j - 1];
    }
    kids[j] = k;
  }
}


/* The scan table: nodes, then the generated dispatch of member names and indices. Returns 0
 * or XGBC_ENOMEM. */
static int put_scan_table(FILE *out, const struct xgbc_fx_trie *t) {
  static const char *const scopes[] = {"BG_JS_SCOPE_REQUEST", "BG_JS_SCOPE_IMP"};
  static const char *const flag_names[] = {"BG_JS_KEYS", "BG_JS_INDICES", "BG_JS_IMPS",
                                           "BG_JS_BIDDERS"};
  int *kids = malloc((t->num_nodes + 1) * sizeof *kids);
  uint32_t i, j, b;

  if (kids == NULL)
    return XGBC_ENOMEM;
  fprintf(out, "m4_define(@<bg4_fx_num_nodes@>, @<%u@>)\n", t->num_nodes);
  fprintf(out, "m4_define(@<bg4_fx_num_request_slots@>, @<%u@>)\n",
          t->num_slots[XGBC_FX_SCOPE_REQUEST]);
  fprintf(out, "m4_define(@<bg4_fx_num_imp_slots@>, @<%u@>)\n", t->num_slots[XGBC_FX_SCOPE_IMP]);
  fputs("m4_define(@<bg4_fx_nodes@>, @<", out);
  for (i = 0; i < t->num_nodes; i++) {
    const struct xgbc_fx_node *n = &t->node[i];
    int any = 0;
    fprintf(out, "bg4_fx_node(%u, %s, @<", n->slot, scopes[n->scope]);
    for (b = 0; b < 4; b++)
      if (n->flags & (1u << b))
        fprintf(out, "%s%s", any++ ? " | " : "", flag_names[b]);
    fprintf(out, "%s@>, @<@<", any ? "" : "0");
    put_comment(out, n->text);
    fputs("@>@>)\n", out);
  }
  fputs("@>)\n", out);

  fputs("m4_define(@<bg4_fx_keys@>, @<", out);
  for (i = 0; i < t->num_nodes; i++) {
    uint32_t nk = 0;
    size_t len = 0;
    if (!(t->node[i].flags & XGBC_FX_KEYS))
      continue;
    for (j = 0; j < t->num_nodes; j++)
      if (t->node[j].parent == (int)i && t->node[j].key != NULL)
        kids[nk++] = (int)j;
    sort_by_len(kids, nk, t);
    fprintf(out, "bg4_fx_knode(%u, @<@<", i);
    put_comment(out, t->node[i].text);
    fputs("@>@>)\n", out);
    for (j = 0; j < nk; j++) {
      const char *key = t->node[kids[j]].key;
      if (j == 0 || strlen(key) != len) {
        if (j > 0)
          fputs("bg4_fx_klen_end\n", out);
        len = strlen(key);
        fprintf(out, "bg4_fx_klen(%zu)\n", len);
      }
      fputs("bg4_fx_key_is(@<@<", out);
      put_string(out, key);
      fprintf(out, "@>@>, %zu, %d)\n", len, kids[j]);
    }
    fputs("bg4_fx_klen_end\nbg4_fx_knode_end\n", out);
  }
  fputs("@>)\n", out);

  fputs("m4_define(@<bg4_fx_indices@>, @<", out);
  for (i = 0; i < t->num_nodes; i++) {
    if (!(t->node[i].flags & XGBC_FX_INDICES))
      continue;
    fprintf(out, "bg4_fx_inode(%u, @<@<", i);
    put_comment(out, t->node[i].text);
    fputs("@>@>)\n", out);
    for (j = 0; j < t->num_nodes; j++)
      if (t->node[j].parent == (int)i && t->node[j].key == NULL)
        fprintf(out, "bg4_fx_index_is(%d, %u)\n", t->node[j].index, j);
    fputs("bg4_fx_inode_end\n", out);
  }
  fputs("@>)\n", out);
  free(kids);
  return 0;
}


int xgbc_emit_features(FILE *out, const char *source, const char *sha256,
                       const struct xgbc_features *fs) {
  struct xgbc_fx_trie t;
  char num[32];
  uint32_t i, k;

  if (xgbc_fx_trie_build(fs, &t) != 0)
    return XGBC_ENOMEM;
  fputs("m4_divert(-1)\n# xgbc definitions: the feature spec, for features.c.m4\n", out);
  fputs("m4_define(@<bg4_fx_source@>, @<@<", out);
  put_comment(out, source);
  fputs("@>@>)\n", out);
  fprintf(out, "m4_define(@<bg4_fx_sha256@>, @<%s@>)\n", sha256);
  fprintf(out, "m4_define(@<bg4_fx_num_features@>, @<%u@>)\n", fs->num_entries);
  fprintf(out, "m4_define(@<bg4_fx_uses_bidder@>, @<%d@>)\n", fs->uses_bidder ? 1 : 0);
  fprintf(out, "m4_define(@<bg4_fx_score_ignores_bidder@>, @<%d@>)\n",
          fs->uses_bidder && !fs->bidder_in_splits ? 1 : 0);

  fputs("m4_define(@<bg4_fx_names@>, @<", out);
  for (i = 0; i < fs->num_entries; i++) {
    fputs("bg4_fx_name(@<@<", out);
    put_string(out, fs->entries[i].name);
    fputs("@>@>)\n", out);
  }
  fputs("@>)\n", out);

  fputs("m4_define(@<bg4_fx_tables@>, @<", out);
  for (i = 0; i < fs->num_entries; i++) {
    const struct xgbc_fx_entry *e = &fs->entries[i];
    if (e->transform != XGBC_FX_VOCABULARY)
      continue;
    fprintf(out, "bg4_fx_vocab_begin(%u, %u)\n", i, e->num_words);
    for (k = 0; k < e->num_words; k++) {
      fputs("bg4_fx_word(@<@<", out);
      put_string(out, e->words[k].s);
      fprintf(out, "@>@>, %s)\n", xgbc_float_literal(num, sizeof num, e->words[k].id));
    }
    fputs("bg4_fx_vocab_end\n", out);
    if (put_hash_table(out, i, e) != 0)
      return XGBC_ENOMEM;
  }
  fputs("@>)\n", out);

  fputs("m4_define(@<bg4_fx_all@>, @<", out);
  for (i = 0; i < fs->num_entries; i++)
    put_entry(out, i, &fs->entries[i], NULL);
  fputs("@>)\n", out);
  fputs("m4_define(@<bg4_fx_bidder@>, @<", out);
  for (i = 0; i < fs->num_entries; i++)
    if (fs->entries[i].uses_bidder)
      put_entry(out, i, &fs->entries[i], NULL);
  fputs("@>)\n", out);
  fprintf(out, "m4_define(@<bg4_fx_uses_thrift@>, @<%d@>)\n", fs->uses_thrift ? 1 : 0);
  fputs("m4_define(@<bg4_fx_thrift@>, @<", out);
  for (i = 0; fs->uses_thrift && i < fs->num_entries; i++)
    put_thrift_entry(out, i, &fs->entries[i]);
  fputs("@>)\n", out);

  if (put_scan_table(out, &t) != 0) {
    xgbc_fx_trie_free(&t);
    return XGBC_ENOMEM;
  }
  fputs("m4_define(@<bg4_fx_sall@>, @<", out);
  for (i = 0; i < fs->num_entries; i++)
    put_entry(out, i, &fs->entries[i], &t);
  fputs("@>)\n", out);
  fputs("m4_define(@<bg4_fx_sbidder@>, @<", out);
  for (i = 0; i < fs->num_entries; i++)
    if (fs->entries[i].uses_bidder)
      put_entry(out, i, &fs->entries[i], &t);
  fputs("@>)\n", out);
  fputs("m4_define(@<bg4_fx_simp@>, @<", out);
  for (i = 0, k = 0; i < fs->num_entries; i++)
    if (reads_imp(&fs->entries[i])) {
      put_entry(out, i, &fs->entries[i], &t);
      k++;
    }
  fprintf(out, "@>)\nm4_define(@<bg4_fx_reads_imp@>, @<%d@>)\n", k > 0);
  fputs("m4_divert(0)m4_dnl\n", out);
  xgbc_fx_trie_free(&t);
  return ferror(out) ? XGBC_EIO : 0;
}
