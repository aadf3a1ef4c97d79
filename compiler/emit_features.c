/* emit_features.c - write a feature spec as m4 definitions for templates/features.c.m4.
 *
 * The template owns every line of C; this file hands it facts, one macro call per fact:
 *
 *   bg4_fx_names     bg4_fx_name(NAME) per entry
 *   bg4_fx_tables    per vocabulary: bg4_fx_vocab_begin(I, COUNT), bg4_fx_word(WORD, ID) per
 *                    word in lookup order, bg4_fx_vocab_end
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
 *
 * Strings from the spec (names, keys, words) are escaped as in emit_defs.c, and '$' too: these
 * definitions are macro bodies, where m4 would read "$1" as an argument.
 */
#include "fxspec.h"

#include <math.h>
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


static void put_entry(FILE *out, uint32_t i, const struct xgbc_fx_entry *e) {
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
  put_lookups(out, "v", &e->paths);
  put_lookups(out, "w", &e->aux);
  dflt = float_or_nan(dbuf, sizeof dbuf, e->dflt);
  switch (e->transform) {
  case XGBC_FX_NUMBER:
    fprintf(out, "bg4_fx_number(%u, %s)m4_dnl\n", i, dflt);
    break;
  case XGBC_FX_VOCABULARY:
    fprintf(out, "bg4_fx_vocabulary(%u, %s, %s, %d)m4_dnl\n", i,
            float_or_nan(unknown, sizeof unknown, e->unknown), dflt, e->fold);
    break;
  case XGBC_FX_HASH:
    fprintf(out, "bg4_fx_hash(%u, %u, %s, %d)m4_dnl\n", i, e->buckets, dflt, e->fold);
    break;
  case XGBC_FX_PRESENT:
    fprintf(out, "bg4_fx_present(%u)m4_dnl\n", i);
    break;
  case XGBC_FX_HOUR:
  case XGBC_FX_DOW:
    fprintf(out, "bg4_fx_%s(%u, %u, %s, %s)m4_dnl\n", transform_words[e->transform], i,
            (e->ts_ms ? 1u : 0u) | (e->ts_clock ? 2u : 0u), weeks[e->week], dflt);
    break;
  case XGBC_FX_AREA:
    fprintf(out, "bg4_fx_area(%u, %s)m4_dnl\n", i, dflt);
    break;
  case XGBC_FX_DEVICETYPE:
    fprintf(out, "bg4_fx_devicetype(%u, %s, %s)m4_dnl\n", i, scales[e->scale], dflt);
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


int xgbc_emit_features(FILE *out, const char *source, const char *sha256,
                       const struct xgbc_features *fs) {
  char num[32];
  uint32_t i, k;

  fputs("m4_divert(-1)\n# xgbc definitions: the feature spec, for features.c.m4\n", out);
  fputs("m4_define(@<bg4_fx_source@>, @<@<", out);
  put_comment(out, source);
  fputs("@>@>)\n", out);
  fprintf(out, "m4_define(@<bg4_fx_sha256@>, @<%s@>)\n", sha256);
  fprintf(out, "m4_define(@<bg4_fx_num_features@>, @<%u@>)\n", fs->num_entries);
  fprintf(out, "m4_define(@<bg4_fx_uses_bidder@>, @<%d@>)\n", fs->uses_bidder ? 1 : 0);

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
  }
  fputs("@>)\n", out);

  fputs("m4_define(@<bg4_fx_all@>, @<", out);
  for (i = 0; i < fs->num_entries; i++)
    put_entry(out, i, &fs->entries[i]);
  fputs("@>)\n", out);
  fputs("m4_define(@<bg4_fx_bidder@>, @<", out);
  for (i = 0; i < fs->num_entries; i++)
    if (fs->entries[i].uses_bidder)
      put_entry(out, i, &fs->entries[i]);
  fputs("@>)\n", out);
  fprintf(out, "m4_define(@<bg4_fx_uses_thrift@>, @<%d@>)\n", fs->uses_thrift ? 1 : 0);
  fputs("m4_define(@<bg4_fx_thrift@>, @<", out);
  for (i = 0; fs->uses_thrift && i < fs->num_entries; i++)
    put_thrift_entry(out, i, &fs->entries[i]);
  fputs("@>)\n", out);
  fputs("m4_divert(0)m4_dnl\n", out);
  return ferror(out) ? XGBC_EIO : 0;
}
