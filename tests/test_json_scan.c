/* test_json_scan.c - the one-pass request scanner (runtime/json_scan.c, openrtb.c, rows.c)
 * against the cJSON path it replaced, on many thousand random and mutated bodies.
 *
 * The oracle is bidgate's request path before the scanner, kept here as it was (5563f9f):
 * UTF-8 check, cJSON 1.7.15's parse, the id/imp/ext.bidders checks, and rows from the
 * cJSON form of the compiled extractor (extract/extract_bidder, which test_features.c checks
 * against independent computations). For each body both paths must give the same error code
 * and message, or the same request id, impression ids, bidders and feature rows, bit for bit.
 * Three compiled specs are used: tests/features/spec.json (every transform),
 * tests/features/scan_spec.json (paths that stress the scan table) and the sample model's.
 * Bodies come from a generator that writes JSON text itself (escapes, duplicate members,
 * whitespace, wrong types, odd numbers), then byte mutations of them, plus nesting at the
 * depth limit. Independent oracles check the pieces below it: glibc's strtod for numbers, a
 * decoding UTF-8 validator, the user agent rules of docs/features.md by strstr.
 */
#define _GNU_SOURCE /* strtok_r */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "arena.h"
#include "buf.h"
#include "features_abi.h"
#include "features_rt.h"
#include "helpers.h"
#include "http_errors.h"
#include "json_scan.h"
#include "openrtb.h"
#include "rows.h"

extern const struct bg_features bg_features_fxtest, bg_features_scantest, bg_features_aws_rtb,
    bg_features_txtest;

#ifndef SCAN_CASES
#define SCAN_CASES 8000 /* generated requests per spec; each also mutated MUTATIONS times */
#endif
#define MUTATIONS 4
#define NOW 1700000000

TestSuite(json_scan, .timeout = 300);


/* ---- the oracle: the cJSON path as it was ---- */

struct ref {
  cJSON *root;
  const char *id;
  const cJSON **imp;
  uint32_t n_imp;
  const cJSON **bidders;
  uint32_t n_bidders;
};

static int is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}


/* bg_openrtb_parse as it was, with malloc for the arena. */
static int ref_parse(const char *body, size_t len, int need_bidders, const cJSON **defaults,
                     uint32_t n_defaults, struct ref *br, const char **message) {
  const char *end = NULL;
  const cJSON *id, *imps, *c, *ext, *list;
  uint32_t i, n;

  memset(br, 0, sizeof *br);
  if (!bg_utf8_valid(body, len)) {
    *message = "the body is not valid UTF-8 JSON text (or holds a raw control byte)";
    return BG_HTTP_ERR_BAD_JSON;
  }
  br->root = cJSON_ParseWithLengthOpts(body, len + 1, &end, 0);
  if (br->root == NULL) {
    *message = len == 0 ? "the body is empty" : "the body is not valid JSON";
    return BG_HTTP_ERR_BAD_JSON;
  }
  while (end < body + len && is_ws(*end))
    end++;
  if (end != body + len) {
    *message = "the body holds something after the JSON value (or a NUL byte)";
    return BG_HTTP_ERR_BAD_JSON;
  }
  if (!cJSON_IsObject(br->root)) {
    *message = "a BidRequest is a JSON object";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  id = cJSON_GetObjectItemCaseSensitive(br->root, "id");
  if (!cJSON_IsString(id) || id->valuestring[0] == '\0') {
    *message = "a BidRequest needs a non-empty string \"id\"";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  br->id = id->valuestring;
  imps = cJSON_GetObjectItemCaseSensitive(br->root, "imp");
  if (!cJSON_IsArray(imps) || imps->child == NULL) {
    *message = "a BidRequest needs a non-empty \"imp\" array";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  for (n = 0, c = imps->child; c != NULL; c = c->next)
    n++;
  br->imp = malloc(n * sizeof *br->imp);
  cr_assert(br->imp != NULL);
  for (i = 0, c = imps->child; c != NULL; c = c->next)
    br->imp[i++] = c;
  br->n_imp = n;
  if (!need_bidders)
    return 0;
  ext = cJSON_GetObjectItemCaseSensitive(br->root, "ext");
  list = cJSON_IsObject(ext) ? cJSON_GetObjectItemCaseSensitive(ext, "bidders") : NULL;
  if (list == NULL || cJSON_IsNull(list)) {
    br->bidders = defaults;
    br->n_bidders = n_defaults;
  } else {
    if (!cJSON_IsArray(list)) {
      *message = "ext.bidders must be an array of strings";
      return BG_HTTP_ERR_NOT_BIDREQUEST;
    }
    for (n = 0, c = list->child; c != NULL; c = c->next, n++)
      if (!cJSON_IsString(c)) {
        *message = "ext.bidders must be an array of strings";
        return BG_HTTP_ERR_NOT_BIDREQUEST;
      }
    br->bidders = malloc((n ? n : 1) * sizeof *br->bidders);
    cr_assert(br->bidders != NULL);
    for (i = 0, c = list->child; c != NULL; c = c->next)
      br->bidders[i++] = c;
    br->n_bidders = n;
  }
  if (br->n_bidders == 0) {
    *message = "this model scores each candidate bidder: send them in ext.bidders, or start "
               "bidgate with --bidders";
    return BG_HTTP_ERR_NO_BIDDERS;
  }
  return 0;
}


static void ref_free(struct ref *br, const cJSON **defaults) {
  free(br->imp);
  if (br->bidders != defaults)
    free(br->bidders);
  cJSON_Delete(br->root);
}


/* ---- both paths into one comparable text ---- */

static void put_bytes(struct bg_buf *o, const char *s, size_t n) {
  size_t i;

  for (i = 0; i < n; i++) {
    char hex[3];
    snprintf(hex, sizeof hex, "%02x", (unsigned char)s[i]);
    bg_buf_put(o, hex, 2);
  }
  bg_buf_puts(o, " ");
}


static void put_row(struct bg_buf *o, const float *x, uint32_t nf) {
  uint32_t k;

  for (k = 0; k < nf; k++) {
    char cell[16];
    uint32_t u;
    memcpy(&u, &x[k], 4);
    if (isnan(x[k]))
      snprintf(cell, sizeof cell, "nan ");
    else
      snprintf(cell, sizeof cell, "%08x ", u);
    bg_buf_puts(o, cell);
  }
  bg_buf_puts(o, "| ");
}


static void put_error(struct bg_buf *o, int err, const char *message) {
  char head[32];

  snprintf(head, sizeof head, "error %d: ", err);
  bg_buf_puts(o, head);
  bg_buf_puts(o, message ? message : "(none)");
}


/* The old path's outcome. with_rows: build the rows too (else only the request checks). */
static char *run_ref(const char *body, size_t len, const struct bg_features *fx, int need,
                     uint32_t max_rows) {
  static const cJSON *defaults[2];
  struct bg_buf o = {0};
  const char *message = NULL;
  struct ref br;
  uint32_t i, b, nf = fx->num_features, per;
  int err;

  if (defaults[0] == NULL) {
    defaults[0] = cJSON_CreateString("d1");
    defaults[1] = cJSON_CreateString("dsp-alpha");
  }
  err = ref_parse(body, len, need, defaults, 2, &br, &message);
  if (err == 0) {
    per = need ? br.n_bidders : 1;
    if ((uint64_t)br.n_imp * per > max_rows)
      err = BG_HTTP_ERR_TOO_MANY_ROWS, message = NULL;
  }
  if (err != 0) {
    put_error(&o, err, message);
  } else {
    float *row = malloc((nf + 1) * sizeof *row);
    struct bg_fx_input in = {br.root, NULL, NULL, NOW};
    cr_assert(row != NULL);
    bg_buf_puts(&o, "id ");
    put_bytes(&o, br.id, strlen(br.id));
    for (b = 0; need && b < br.n_bidders; b++) {
      bg_buf_puts(&o, "bidder ");
      put_bytes(&o, br.bidders[b]->valuestring, strlen(br.bidders[b]->valuestring));
    }
    for (i = 0; i < br.n_imp; i++) {
      const cJSON *imp = br.imp[i];
      const cJSON *id = cJSON_IsObject(imp) ? cJSON_GetObjectItemCaseSensitive(imp, "id") : NULL;
      bg_buf_puts(&o, cJSON_IsObject(imp) ? "\nimp ok id " : "\nimp no id ");
      if (cJSON_IsString(id))
        put_bytes(&o, id->valuestring, strlen(id->valuestring));
      else
        bg_buf_puts(&o, "null ");
      if (!need)
        continue;
      /* rows.c as it was: the first bidder's row, then each other bidder re-aimed */
      in.imp = imp;
      for (b = 0; b < per; b++) {
        in.bidder = br.bidders[b];
        if (!cJSON_IsObject(imp)) {
          uint32_t k;
          for (k = 0; k < nf; k++)
            row[k] = NAN;
        } else if (b == 0) {
          fx->extract(&in, row);
        } else {
          fx->extract_bidder(&in, row);
        }
        put_row(&o, row, nf);
      }
    }
    free(row);
  }
  ref_free(&br, defaults);
  bg_buf_put(&o, "", 1);
  return o.p;
}


/* The new path's outcome, in the same words. */
static char *run_new(const char *body, size_t len, const struct bg_features *fx, int need,
                     uint32_t max_rows) {
  static struct bg_bidders defaults;
  struct bg_buf o = {0};
  struct bg_arena a;
  struct bg_bidreq br;
  struct bg_rows rows;
  const char *message = NULL;
  uint32_t i, b;
  int err;

  if (defaults.n == 0)
    cr_assert_eq(bg_bidders_from_list(" d1 ,, dsp-alpha", &defaults), 0);
  bg_arena_init(&a, 4096, (size_t)1 << 30);
  /* Copy the body into the arena, as the server holds it: nothing past body[len] exists. */
  {
    char *copy = bg_arena_alloc(&a, len + 1);
    cr_assert(copy != NULL);
    memcpy(copy, body, len);
    copy[len] = '\0';
    body = copy;
  }
  err = bg_openrtb_scan(body, len, fx->scan_paths, max_rows, &a, need, &defaults, &br, &message);
  if (err == 0 && need)
    err = bg_rows_build(&br, fx, 1, NOW, max_rows, &a, &rows), message = NULL;
  else if (err == 0 && br.n_imp > max_rows)
    err = BG_HTTP_ERR_TOO_MANY_ROWS, message = NULL;
  if (err != 0) {
    put_error(&o, err, message);
  } else {
    bg_buf_puts(&o, "id ");
    put_bytes(&o, br.id, br.id_len);
    for (b = 0; need && b < br.bidders.n; b++) {
      bg_buf_puts(&o, "bidder ");
      put_bytes(&o, br.bidders.item[b].p, br.bidders.item[b].n);
    }
    for (i = 0; i < br.n_imp; i++) {
      const char *id;
      size_t id_len;
      int has = bg_openrtb_imp_id(&br, i, &a, &id, &id_len);
      int ok = br.imps[(size_t)i * br.imp_stride + BG_JS_IMP_SELF].type == BG_JV_OBJECT;
      cr_assert(has >= 0);
      bg_buf_puts(&o, ok ? "\nimp ok id " : "\nimp no id ");
      if (has == 0)
        put_bytes(&o, id, id_len);
      else
        bg_buf_puts(&o, "null ");
      for (b = 0; need && b < rows.per_imp; b++)
        put_row(&o, rows.x + ((size_t)i * rows.per_imp + b) * rows.nf, rows.nf);
    }
  }
  bg_arena_free(&a);
  bg_buf_put(&o, "", 1);
  return o.p;
}


/* A body as C source, for the failure message. */
static char *shown(const char *s, size_t n) {
  struct bg_buf o = {0};
  size_t i;

  for (i = 0; i < n && i < 4000; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      bg_buf_put(&o, &s[i], 1);
    } else {
      snprintf(esc, sizeof esc, "\\x%02x", c);
      bg_buf_puts(&o, esc);
    }
  }
  bg_buf_put(&o, "", 1);
  return o.p;
}


/* How many compared bodies ended how (the generator must reach every outcome). */
static long outcomes[3]; /* scored, bad JSON, another error */


static void compare(const char *text, size_t len, const struct bg_features *fx) {
  static const uint32_t limits[] = {UINT32_MAX, 3};
  char *body = malloc(len + 1);
  int need, l;

  /* Both paths get the body as the server holds it: followed by a '\0'. */
  cr_assert(body != NULL);
  memcpy(body, text, len);
  body[len] = '\0';
  for (need = 1; need >= 0; need--)
    for (l = 0; l < 2; l++) {
      char *want = run_ref(body, len, fx, need, limits[l]);
      char *got = run_new(body, len, fx, need, limits[l]);
      char code[32];
      snprintf(code, sizeof code, "error %d:", BG_HTTP_ERR_BAD_JSON);
      outcomes[strncmp(want, "error", 5) != 0 ? 0 : strncmp(want, code, strlen(code)) == 0 ? 1 : 2]++;
      if (strcmp(want, got) != 0) {
        char *b = shown(body, len);
        cr_assert_fail("spec %s, bidders %s, row limit %u: the scanner disagrees with the cJSON path "
                "on the body\n  %s\ncJSON path:\n%s\nscanner:\n%s", fx->name,
                need ? "needed" : "not read", limits[l], b, want, got);
      }
      free(want);
      free(got);
    }
  free(body);
}


/* ---- a generator of JSON text ---- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)((rng >> 11) % n);
}


static void ws(struct bg_buf *o) {
  static const char *const spaces[] = {" ", "\n", "\t", "\r\n  "};

  if (rnd(10) == 0)
    bg_buf_puts(o, spaces[rnd(4)]);
}


/* One code point as UTF-8 from s, its length in *n (s is valid UTF-8). */
static uint32_t decode(const unsigned char *s, int *n) {
  if (s[0] < 0x80)
    return *n = 1, s[0];
  if (s[0] < 0xe0)
    return *n = 2, (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
  if (s[0] < 0xf0)
    return *n = 3, (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
  return *n = 4, (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
                 (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}


static void u_escape(struct bg_buf *o, uint32_t u) {
  char e[8];

  snprintf(e, sizeof e, rnd(2) ? "\\u%04x" : "\\u%04X", u);
  bg_buf_puts(o, e);
}


/* s as a JSON string, each character written plainly or escaped at random. */
static void str(struct bg_buf *o, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  int esc = rnd(4) == 0; /* most strings have no escapes at all */

  bg_buf_puts(o, "\"");
  while (*p) {
    int n;
    uint32_t u = decode(p, &n);
    if (u == '"' || u == '\\' || u < 0x20) {
      static const char shortcut[] = "\b\f\n\r\t";
      const char *hit = u ? strchr(shortcut, (int)u) : NULL;
      if ((u == '\t' || u == '\n') && rnd(3) == 0)
        bg_buf_put(o, p, 1); /* cJSON takes raw tab and LF in strings */
      else if (hit != NULL && rnd(2))
        bg_buf_put(o, &"\\b\\f\\n\\r\\t"[2 * (hit - shortcut)], 2);
      else if (u == '"' || u == '\\')
        bg_buf_put(o, (const char[]){'\\', (char)u}, 2);
      else
        u_escape(o, u);
    } else if (esc && rnd(6) == 0) {
      if (u == '/' && rnd(2))
        bg_buf_puts(o, "\\/");
      else if (u < 0x10000)
        u_escape(o, u);
      else
        u_escape(o, 0xd800 + ((u - 0x10000) >> 10)), u_escape(o, 0xdc00 + ((u - 0x10000) & 0x3ff));
    } else {
      bg_buf_put(o, p, (size_t)n);
    }
    p += n;
  }
  if (esc && rnd(20) == 0)
    bg_buf_puts(o, "\\u0000tail"); /* a decoded NUL ends the string for cJSON */
  bg_buf_puts(o, "\"");
}


static const char *const strings[] = {
  "", "x", "news.example.com", "NEWS.Example.COM", "\xc3\x89t\xc3\xa9.example", "com.example.game",
  "a", "ab", "b", "\xc3\xa9", "d1", "D2", "dsp-alpha", "dsp-beta", "zz", "USA", "usa", "GBR",
  "https://A.example/x?y=1", "1.5", "\xf0\x9f\x98\x80 smile", "tab\there", "line\nbreak",
  "quote\" back\\slash", "ctl\x01\x1f", "b1", "B1", "b2", "sports.example.com", "wa", "Seattle",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148",
  "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Safari/537.36",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Roku/DVP-12.5 (12.5.0.4178-46)", "curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)",
};

static const char *const numbers[] = {
  "0", "-0", "1", "7", "3", "2", "-1", "42.5", "1e3", "1E+2", "-2.5e-3", "01", "1.", "-.5",
  "1e400", "-1e400", "1700000000000", "1700000000", "-480", "330", "1440", "1441", "5000",
  "0.1", "9007199254740993", "123456789012345678", "4.9e-324", "640", "1.0e0", "250", "600",
  "-1700000000123", "1e13", "1e16", "0.000001", "00", "6", "1.5e1",
};

static const char *const keys[] = {
  "id", "imp", "ext", "bidders", "device", "geo", "utcoffset", "region", "city", "country",
  "ua", "devicetype", "site", "domain", "page", "cat", "app", "bundle", "user", "banner", "w",
  "h", "format", "video", "native", "bidfloor", "bidfloor2", "pmp", "ts", "tagid", "tz",
  "\xc3\xa9t\xc3\xa9", "a\"b\\c$1 d@", "a", "b", "", "ID", "imp ", "x",
};

#define NKEYS (sizeof keys / sizeof keys[0])

static void value(struct bg_buf *o, int depth);


static void key(struct bg_buf *o, const char *k) {
  if (strcmp(k, "id") == 0 && rnd(40) == 0)
    bg_buf_puts(o, rnd(2) ? "\"\\u0069d\"" : "\"id\\u0000x\""); /* both read as "id" */
  else
    str(o, k);
  ws(o);
  bg_buf_puts(o, ":");
  ws(o);
}


/* An object of random members, with some of `likely` among them. */
static void object(struct bg_buf *o, int depth, const char *const *likely, int n_likely) {
  int n = (int)rnd(7), i;

  bg_buf_puts(o, "{");
  ws(o);
  for (i = 0; i < n; i++) {
    if (i > 0) {
      bg_buf_puts(o, ",");
      ws(o);
    }
    key(o, n_likely > 0 && rnd(3) ? likely[rnd((uint32_t)n_likely)] : keys[rnd(NKEYS)]);
    value(o, depth + 1);
    ws(o);
  }
  bg_buf_puts(o, "}");
}


static void array(struct bg_buf *o, int depth) {
  int n = (int)rnd(5), i;

  bg_buf_puts(o, "[");
  ws(o);
  for (i = 0; i < n; i++) {
    if (i > 0) {
      bg_buf_puts(o, ",");
      ws(o);
    }
    value(o, depth + 1);
    ws(o);
  }
  bg_buf_puts(o, "]");
}


static void value(struct bg_buf *o, int depth) {
  static const char *const likely[] = {"w", "h", "format", "geo", "utcoffset", "ua", "bidders",
                                       "domain", "cat", "ts", "id", "b", "c"};
  uint32_t r = rnd(100);

  if (r < 35)
    str(o, strings[rnd(sizeof strings / sizeof strings[0])]);
  else if (r < 70)
    bg_buf_puts(o, numbers[rnd(sizeof numbers / sizeof numbers[0])]);
  else if (r < 75)
    bg_buf_puts(o, "null");
  else if (r < 80)
    bg_buf_puts(o, rnd(2) ? "true" : "false");
  else if (r < 90 && depth < 6)
    object(o, depth, likely, sizeof likely / sizeof likely[0]);
  else if (depth < 6)
    array(o, depth);
  else
    bg_buf_puts(o, "0");
}


/* A member of the request or an impression: a key from names, a value shaped by it. */
static void typed(struct bg_buf *o, const char *k, int depth) {
  key(o, k);
  if (rnd(8) == 0) {
    value(o, depth + 1); /* any type at all */
  } else if (strcmp(k, "id") == 0 || strcmp(k, "domain") == 0 || strcmp(k, "bundle") == 0 ||
             strcmp(k, "ua") == 0 || strcmp(k, "region") == 0 || strcmp(k, "city") == 0 ||
             strcmp(k, "country") == 0 || strcmp(k, "tagid") == 0 || strcmp(k, "page") == 0) {
    str(o, strings[rnd(sizeof strings / sizeof strings[0])]);
  } else if (strcmp(k, "banner") == 0 || strcmp(k, "video") == 0 || strcmp(k, "native") == 0) {
    static const char *const m[] = {"w", "h", "format", "w", "h"};
    int i, n = (int)rnd(5);
    bg_buf_puts(o, "{");
    for (i = 0; i < n; i++) {
      if (i > 0)
        bg_buf_puts(o, ",");
      if (strcmp(m[i % 5], "format") == 0 || rnd(4) == 0) {
        int f, nf = (int)rnd(4);
        key(o, "format");
        bg_buf_puts(o, "[");
        for (f = 0; f < nf; f++) {
          bg_buf_puts(o, f ? ",{" : "{");
          key(o, "w");
          bg_buf_puts(o, numbers[rnd(sizeof numbers / sizeof numbers[0])]);
          bg_buf_puts(o, ",");
          key(o, "h");
          bg_buf_puts(o, rnd(10) ? numbers[rnd(sizeof numbers / sizeof numbers[0])] : "null");
          bg_buf_puts(o, "}");
        }
        bg_buf_puts(o, "]");
      } else {
        key(o, m[rnd(2)]);
        bg_buf_puts(o, numbers[rnd(sizeof numbers / sizeof numbers[0])]);
      }
    }
    bg_buf_puts(o, "}");
  } else if (strcmp(k, "cat") == 0 || strcmp(k, "bidders") == 0) {
    int i, n = (int)rnd(5);
    bg_buf_puts(o, "[");
    for (i = 0; i < n; i++) {
      if (i > 0)
        bg_buf_puts(o, ",");
      if (rnd(12) == 0)
        value(o, depth + 1);
      else if (strcmp(k, "cat") == 0 && rnd(2))
        bg_buf_puts(o, numbers[rnd(sizeof numbers / sizeof numbers[0])]);
      else
        str(o, strings[rnd(sizeof strings / sizeof strings[0])]);
    }
    bg_buf_puts(o, "]");
  } else if (strcmp(k, "device") == 0 || strcmp(k, "geo") == 0 || strcmp(k, "site") == 0 ||
             strcmp(k, "app") == 0 || strcmp(k, "user") == 0 || strcmp(k, "ext") == 0) {
    static const char *const m[] = {"ua", "devicetype", "geo", "utcoffset", "region", "city",
                                    "country", "domain", "page", "cat", "bundle", "id", "ts",
                                    "bidders", "tz", "\xc3\xa9t\xc3\xa9", "a\"b\\c$1 d@", "ua"};
    int i, n = (int)rnd(6);
    bg_buf_puts(o, "{");
    for (i = 0; i < n; i++) {
      if (i > 0)
        bg_buf_puts(o, ",");
      typed(o, m[rnd(sizeof m / sizeof m[0])], depth + 1);
    }
    bg_buf_puts(o, "}");
  } else if (strcmp(k, "pmp") == 0) {
    object(o, depth + 1, NULL, 0);
  } else if (strcmp(k, "a") == 0) {
    /* toward the 16-step path a.b.c...p, sometimes all the way */
    const char *chain = "bcdefghijklmnop";
    int i, n = (int)rnd(17);
    for (i = 0; i < n && i < 15; i++) {
      char kk[2] = {chain[i], 0};
      bg_buf_puts(o, "{");
      key(o, kk);
    }
    bg_buf_puts(o, numbers[rnd(sizeof numbers / sizeof numbers[0])]);
    for (i = 0; i < n && i < 15; i++)
      bg_buf_puts(o, "}");
  } else {
    bg_buf_puts(o, numbers[rnd(sizeof numbers / sizeof numbers[0])]);
  }
  ws(o);
}


static void impression(struct bg_buf *o) {
  static const char *const m[] = {"id", "bidfloor", "bidfloor2", "pmp", "banner", "video",
                                  "native", "ts", "devicetype", "tagid", "banner", "id"};
  int i, n = (int)rnd(7);

  if (rnd(12) == 0) {
    value(o, 2); /* not an object: its rows fail open */
    return;
  }
  bg_buf_puts(o, "{");
  ws(o);
  for (i = 0; i < n; i++) {
    if (i > 0)
      bg_buf_puts(o, ",");
    typed(o, m[rnd(sizeof m / sizeof m[0])], 2);
  }
  bg_buf_puts(o, "}");
}


/* A BidRequest-like body: members in random order, some missing, some twice. */
static void request(struct bg_buf *o) {
  static const char *const m[] = {"id", "imp", "ext", "device", "site", "app", "user", "a",
                                  "regs", "id", "imp", "ext"};
  int i, n = 3 + (int)rnd(7), seen_imp = 0;

  if (rnd(50) == 0)
    bg_buf_puts(o, "\xef\xbb\xbf");
  ws(o);
  bg_buf_puts(o, "{");
  for (i = 0; i < n; i++) {
    const char *k = i == 0 && rnd(10) ? "id" : i == 1 && rnd(10) ? "imp" : m[rnd(12)];
    if (i > 0)
      bg_buf_puts(o, ",");
    ws(o);
    if (strcmp(k, "imp") == 0) {
      int j, ni = (int)rnd(5);
      key(o, k);
      if (seen_imp++ && rnd(2)) {
        value(o, 1);
        continue;
      }
      bg_buf_puts(o, "[");
      for (j = 0; j < ni; j++) {
        if (j > 0)
          bg_buf_puts(o, ",");
        impression(o);
      }
      bg_buf_puts(o, "]");
    } else {
      typed(o, k, 1);
    }
  }
  bg_buf_puts(o, "}");
  ws(o);
}


static void mutate(struct bg_buf *o) {
  static const char interesting[] = "{}[],:\"\\ \t\n\r0123456789-+.eEntrufals/u";
  static const unsigned char odd[] = {0x00, 0x01, 0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe2,
                                      0xed, 0xf0, 0xf4, 0xf5, 0xff};
  int k, n = 1 + (int)rnd(3);

  for (k = 0; k < n && o->len > 0; k++) {
    size_t at = rnd((uint32_t)o->len);
    char c = rnd(4) ? interesting[rnd(sizeof interesting - 1)] : (char)odd[rnd(sizeof odd)];
    switch (rnd(5)) {
    case 0: /* delete */
      memmove(o->p + at, o->p + at + 1, o->len - at - 1);
      o->len--;
      break;
    case 1: /* insert */
      bg_buf_reserve(o, 1);
      memmove(o->p + at + 1, o->p + at, o->len - at);
      o->p[at] = c;
      o->len++;
      break;
    case 2: /* replace */
      o->p[at] = c;
      break;
    case 3: /* truncate */
      o->len = at;
      break;
    default: { /* repeat a span */
      size_t span = 1 + rnd(12);
      if (at + span > o->len)
        span = o->len - at;
      bg_buf_reserve(o, span);
      memmove(o->p + at + span, o->p + at, o->len - at);
      o->len += span;
      break;
    }
    }
  }
}


static const struct bg_features *const specs[] = {&bg_features_fxtest, &bg_features_scantest,
                                                  &bg_features_aws_rtb, &bg_features_txtest};


Test(json_scan, random_and_mutated_bodies_read_as_the_cjson_path_read_them) {
  size_t s;
  int n, m;

  for (s = 0; s < sizeof specs / sizeof specs[0]; s++) {
    for (n = 0; n < SCAN_CASES; n++) {
      struct bg_buf o = {0}, mut = {0};
      request(&o);
      compare(o.p, o.len, specs[s]);
      for (m = 0; m < MUTATIONS; m++) {
        mut.len = 0;
        bg_buf_put(&mut, o.p, o.len);
        mutate(&mut);
        compare(mut.p ? mut.p : "", mut.len, specs[s]);
      }
      bg_buf_free(&o);
      bg_buf_free(&mut);
    }
  }
  /* Enough of each outcome that the comparison means something. */
  cr_log_info("scored %ld, bad JSON %ld, other errors %ld", outcomes[0], outcomes[1],
              outcomes[2]);
  cr_assert_gt(outcomes[0] * 10, outcomes[0] + outcomes[1] + outcomes[2],
               "scored %ld, bad JSON %ld, other errors %ld", outcomes[0], outcomes[1], outcomes[2]);
  cr_assert_gt(outcomes[1], SCAN_CASES, "bad JSON only %ld times", outcomes[1]);
  cr_assert_gt(outcomes[2], SCAN_CASES, "other errors only %ld times", outcomes[2]);
}


Test(json_scan, the_bench_and_sample_requests_read_as_the_cjson_path_read_them) {
  static const char *const files[] = {"%s/../tests/bench/requests.jsonl",
                                      "%s/aws-rtb/request.json"};
  size_t f, s;

  for (f = 0; f < 2; f++) {
    char *text = bgt_read_file(bgt_fmt(files[f], bgt_env("BG_TEST_MODELS")), NULL), *line;
    char *save = NULL;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
      for (s = 0; s < sizeof specs / sizeof specs[0]; s++)
        compare(line, strlen(line), specs[s]);
    free(text);
  }
}


/* Nesting at cJSON's limit (1000 arrays or objects inside each other), in each kind of place
 * the scanner treats differently: the top, a followed member, an unfollowed one, an
 * impression, the bidder list. */
Test(json_scan, nesting_at_the_limit_reads_as_the_cjson_path_read_it) {
  static const char *const places[][2] = {
    {"", ""},
    {"{\"id\":\"r\",\"imp\":[{}],\"device\":", "}"},
    {"{\"id\":\"r\",\"imp\":[{}],\"regs\":", "}"},
    {"{\"id\":\"r\",\"imp\":[{\"banner\":", "}]}"},
    {"{\"id\":\"r\",\"imp\":[{}],\"ext\":{\"bidders\":[\"b1\",", "]}}"},
    {"{\"id\":\"r\",\"imp\":[{}],\"site\":{\"cat\":[0,1,", "]}}"},
  };
  int depths[] = {996, 997, 998, 999, 1000, 1001, 1002, 5000};
  size_t p, d, s;

  for (p = 0; p < sizeof places / sizeof places[0]; p++)
    for (d = 0; d < sizeof depths / sizeof depths[0]; d++)
      for (s = 0; s < 2; s++) {
        struct bg_buf o = {0};
        int i;
        bg_buf_puts(&o, places[p][0]);
        for (i = 0; i < depths[d]; i++)
          bg_buf_puts(&o, s ? "{\"a\":" : "[");
        bg_buf_puts(&o, "1");
        for (i = 0; i < depths[d]; i++)
          bg_buf_puts(&o, s ? "}" : "]");
        bg_buf_puts(&o, places[p][1]);
        compare(o.p, o.len, &bg_features_scantest);
        bg_buf_free(&o);
      }
}


/* cJSON's own reading of odd text, case by case (each also inside a request). */
Test(json_scan, corner_cases_read_as_the_cjson_path_read_them) {
  static const char *const values[] = {
    "01", "1.", "-.5", "-", "-x", "1e", "1e+", "1.e5", ".5", "+1", "0x1A", "1.5.3", "--1",
    "1e5x", "Infinity", "NaN", "nul", "nulll", "tru", "true1", "falsey",
    "\"\\u12G4\"", "\"\\uD800\\uDC00\"", "\"\\uDC00\"", "\"\\uD800\"", "\"\\uD800x\"",
    "\"\\uD800\\u0041\"", "\"\\u\"", "\"\\u00\"", "\"\\u0000\"", "\"\\u\\\"ab\"",
    "\"\\uabc\\\\\"", "\"\\x\"", "\"\\\"", "\"a\\", "\"\t\"", "\"\x01\"", "\"\xc3\"",
    "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xc0\xaf\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"",
    "[1,]", "[,1]", "{\"a\":1,}", "{,}", "{\"a\" 1}", "{\"a\"::1}", "{1:2}", "[1 2]", "[]", "{}",
    "[[]]", " ", "", "\xef\xbb\xbf", "\xef\xbb\xbf{}", "\xef\xbb\xbf\x31" /* BOM, 1 */, "{} x", "{}\n",
    "{}}", "\"\xe2\x82\xac\"", "1 2",
  };
  size_t i, s;

  for (i = 0; i < sizeof values / sizeof values[0]; i++)
    for (s = 0; s < sizeof specs / sizeof specs[0]; s++) {
      char *body = bgt_fmt("{\"id\":\"r\",\"imp\":[{\"id\":%s,\"bidfloor\":%s}],\"device\":"
                           "{\"ua\":%s,\"devicetype\":%s},\"ext\":{\"bidders\":[%s]}}",
                           values[i], values[i], values[i], values[i], values[i]);
      compare(values[i], strlen(values[i]), specs[s]);
      compare(body, strlen(body), specs[s]);
      free(body);
    }
}


/* ---- the pieces under it, against independent oracles ---- */

/* Numbers: the scanner takes exactly the prefix glibc's strtod takes (what cJSON does), and
 * reads the same double. Every string of up to 6 characters over 0 1 9 - + e E . */
Test(json_scan, numbers_end_where_strtod_ends_them) {
  static const char alphabet[] = "019-+eE.";
  char s[8];
  int len;

  for (len = 1; len <= 6; len++) {
    long total = 1, code;
    int k;
    for (k = 0; k < len; k++)
      total *= 8;
    for (code = 0; code < total; code++) {
      struct bg_arena a;
      struct bg_js_doc doc;
      const char *message = NULL, *copy;
      char *end;
      double want;
      long c = code;
      int err;
      for (k = 0; k < len; k++, c /= 8)
        s[k] = alphabet[c % 8];
      s[len] = '\0';
      if (!(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
        continue;
      bg_arena_init(&a, 256, 1 << 20);
      copy = s;
      err = bg_js_scan(copy, (size_t)len, bg_features_aws_rtb.scan_paths, 10, &a, &doc, &message);
      want = strtod(s, &end);
      if (end == s) {
        cr_assert_eq(err, BG_JS_EBAD, "\"%s\": strtod takes nothing, the scanner took it", s);
        cr_assert_str_eq(message, "the body is not valid JSON", "\"%s\"", s);
      } else if (end == s + len) {
        double got;
        cr_assert_eq(err, 0, "\"%s\": strtod takes all of it, the scanner refused it", s);
        cr_assert_eq(doc.request[BG_JS_REQ_SELF].type, BG_JV_NUMBER);
        cr_assert_eq(doc.request[BG_JS_REQ_SELF].n, (uint32_t)len);
        got = bg_jv_number(&doc.request[BG_JS_REQ_SELF]);
        cr_assert(memcmp(&got, &want, sizeof got) == 0, "\"%s\": %a, strtod %a", s, got, want);
      } else {
        cr_assert_eq(err, BG_JS_EBAD, "\"%s\": strtod stops at %d", s, (int)(end - s));
        cr_assert_str_eq(message, "the body holds something after the JSON value (or a NUL byte)",
                         "\"%s\": strtod stops at %d", s, (int)(end - s));
      }
      bg_arena_free(&a);
    }
  }
}


/* An independent UTF-8 check: decode each sequence, refuse overlongs, surrogates, > U+10FFFF,
 * stray continuation bytes; and JSON's raw control bytes (all but tab, LF, CR). */
static int utf8_oracle(const unsigned char *s, size_t n) {
  size_t i = 0;

  while (i < n) {
    uint32_t c = s[i], cp, min;
    int len, k;
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return 0;
      i++;
      continue;
    }
    if ((c & 0xe0) == 0xc0)
      len = 2, cp = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0)
      len = 3, cp = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0)
      len = 4, cp = c & 0x07, min = 0x10000;
    else
      return 0;
    if (i + (size_t)len > n)
      return 0;
    for (k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return 0;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    i += (size_t)len;
  }
  return 1;
}


Test(json_scan, utf8_check_agrees_with_a_decoder) {
  static const unsigned char pieces[][4] = {
    {'a'}, {' '}, {'\t'}, {0x01}, {0x7f}, {0xc3, 0xa9}, {0xc0, 0x80}, {0xc2}, {0xe2, 0x82, 0xac},
    {0xed, 0x9f, 0xbf}, {0xed, 0xa0, 0x80}, {0xe0, 0x9f, 0xbf}, {0xf0, 0x9f, 0x98, 0x80},
    {0xf4, 0x8f, 0xbf, 0xbf}, {0xf4, 0x90, 0x80, 0x80}, {0xf0, 0x8f, 0xbf, 0xbf}, {0x80}, {0xff},
  };
  static const int lens[] = {1, 1, 1, 1, 1, 2, 2, 1, 3, 3, 3, 3, 4, 4, 4, 4, 1, 1};
  int n;

  for (n = 0; n < 200000; n++) {
    unsigned char s[64];
    size_t len = 0;
    int k, parts = (int)rnd(14);
    for (k = 0; k < parts; k++) {
      int p = (int)rnd(sizeof lens / sizeof lens[0]);
      /* mostly plain text, so the eight-byte fast path is taken too */
      if (rnd(3) == 0) {
        memcpy(s + len, pieces[p], (size_t)lens[p]);
        len += (size_t)lens[p];
      } else {
        s[len++] = (unsigned char)('a' + rnd(26));
      }
    }
    cr_assert_eq(bg_utf8_valid((const char *)s, len) != 0, utf8_oracle(s, len) != 0,
                 "%s", shown((const char *)s, len));
  }
}


/* The user agent rules of docs/features.md, one strstr per substring. */
static enum bg_fx_ua ua_oracle(const char *ua, size_t n) {
  static const char *const crawler[] = {"bot/", "bot;", "bot)", "bot-", "crawler", "spider",
                                        "slurp", "facebookexternalhit", "mediapartners", NULL};
  static const char *const tv[] = {"smart-tv", "smarttv", "hbbtv", "appletv", "apple tv",
                                   "googletv", "android tv", "roku", "crkey", "web0s", "bravia",
                                   "netcast", "viera", "; aft", NULL};
  static const char *const console[] = {"playstation", "nintendo", "xbox", NULL};
  static const char *const feature[] = {"docomo", "kddi", "softbank", "vodafone", "willcom",
                                        "up.browser", "symbian", "series40", "series60", "midp",
                                        "j2me", NULL};
  static const char *const tablet[] = {"ipad", "tablet", "kindle", "silk/", "playbook", NULL};
  static const char *const phone[] = {"iphone", "ipod", "windows phone", "iemobile", "blackberry",
                                      "bb10", "android", "mobile", NULL};
  static const char *const pc[] = {"windows", "macintosh", "mac os x", "x11", "linux", "cros",
                                   "freebsd", NULL};
  char l[600];
  size_t i;

  if (n > 512)
    n = 512;
  for (i = 0; i < n; i++)
    l[i] = (char)(ua[i] >= 'A' && ua[i] <= 'Z' ? ua[i] + 32 : ua[i]);
  l[n] = '\0';
  {
    const char *const *lists[] = {crawler, tv, console, feature, tablet, phone, pc};
    int hit[7] = {0}, k;
    for (k = 0; k < 7; k++) {
      const char *const *p;
      for (p = lists[k]; *p; p++)
        if (strstr(l, *p) != NULL)
          hit[k] = 1;
    }
    if (hit[0])
      return BG_FX_UA_CRAWLER;
    if (hit[1])
      return BG_FX_UA_TV;
    if (hit[2])
      return BG_FX_UA_CONSOLE;
    if (hit[3])
      return BG_FX_UA_FEATURE_PHONE;
    if (hit[4] || (strstr(l, "android") && !strstr(l, "mobile")))
      return BG_FX_UA_TABLET;
    if (hit[5])
      return BG_FX_UA_PHONE;
    if (hit[6])
      return BG_FX_UA_PC;
  }
  return BG_FX_UA_OTHER;
}


Test(json_scan, user_agent_rules_agree_with_strstr) {
  static const char *const parts[] = {
    "Mozilla/5.0 (", "Linux; ", "Android 14; ", "Mobile ", "iPhone", "iPad", "Windows NT 10.0",
    "Windows Phone", "Macintosh", "X11", "CrOS", "Googlebot/2.1", "bot)", "SMART-TV", "Roku/",
    "; AFT", "PlayStation", "DoCoMo/2.0", "Series40", "Kindle", "Silk/", "Tablet", "ROBOT",
    "Crawler", "Apple TV", "AppleTV", "android tv", "xbox", "x1", "ma", "mo", "an", "; a",
    "Safari/537.36", " ", "\xc3\xa9", "KHTML, like Gecko", "bb1", "bb10", "midp", "j2m",
  };
  int n;

  for (n = 0; n < 100000; n++) {
    char ua[700];
    size_t len = 0;
    int k, np = (int)rnd(12);
    for (k = 0; k < np; k++) {
      const char *p = parts[rnd(sizeof parts / sizeof parts[0])];
      size_t pl = strlen(p);
      if (len + pl >= sizeof ua)
        break;
      memcpy(ua + len, p, pl);
      len += pl;
    }
    if (rnd(5) == 0) /* past the 512 bytes that are read */
      while (len < 520 + rnd(100))
        ua[len++] = (char)('a' + rnd(3));
    if (rnd(3) == 0 && len > 0) {
      const char *p = parts[rnd(sizeof parts / sizeof parts[0])];
      size_t pl = strlen(p), at = rnd((uint32_t)len);
      if (at + pl < sizeof ua) {
        memcpy(ua + at, p, pl);
        if (at + pl > len)
          len = at + pl;
      }
    }
    ua[len] = '\0';
    cr_assert_eq(bg_fx_ua_class(ua, len), ua_oracle(ua, len), "%s", shown(ua, len));
  }
}


/* JSON strings as the answer writes them, against a byte-by-byte writer. */
Test(json_scan, answer_strings_escape_as_byte_by_byte) {
  int n;

  for (n = 0; n < 100000; n++) {
    char s[80], want[600];
    struct bg_buf b = {0};
    size_t len = rnd(80), i, w = 0;
    uint32_t sparse = rnd(2) ? 6 : 60; /* long plain runs too, for the 8- and 16-byte steps */
    for (i = 0; i < len; i++) {
      static const char odd[] = {'"', '\\', 0x01, 0x1f, 0x20, 0x7e, 0x7f, (char)0x80, (char)0xc3,
                                 (char)0xff, '\t'};
      s[i] = rnd(sparse) ? (char)('a' + rnd(26)) : odd[rnd(sizeof odd)];
    }
    want[w++] = '"';
    for (i = 0; i < len; i++) {
      unsigned char c = (unsigned char)s[i];
      if (c == '"' || c == '\\')
        w += (size_t)snprintf(want + w, sizeof want - w, "\\%c", c);
      else if (c < 0x20 || c == 0x7f)
        w += (size_t)snprintf(want + w, sizeof want - w, "\\u%04x", c);
      else
        want[w++] = (char)c;
    }
    want[w++] = '"';
    cr_assert_eq(bg_buf_json_string(&b, s, len), 0);
    cr_assert(b.len == w && memcmp(b.p, want, w) == 0, "%s", shown(s, len));
    bg_buf_free(&b);
  }
}


/* ---- the string scan of every instruction set (once: not in test_json_scan_swar) ---- */
#ifndef SCAN_SWAR_BUILD

/* Build tests/scan_arches.c with the scanner for cc (extra flags) into dir/name. */
static void build_scan_arches(const char *cc, const char *flags, const char *dir,
                              const char *name) {
  const char *rt = bgt_env("BG_TEST_RUNTIME");
  char *cmd = bgt_fmt("%s -O2 -std=c11 -D_POSIX_C_SOURCE=200809L %s -I%s %s/../tests/scan_arches.c "
                      "%s/json_scan.c %s/arena.c -o %s/%s", cc, flags, rt, rt, rt, rt, dir, name);
  char *argv[] = {"sh", "-c", cmd, NULL}, *err = NULL;

  cr_assert_eq(bgt_run(argv, NULL, NULL, &err), 0, "%s\n%s", cmd, err);
  free(err);
  free(cmd);
}


static char *run_scan_arches(char *const argv[]) {
  char *out = NULL;

  cr_assert_eq(bgt_run(argv, NULL, &out, NULL), 0, "%s failed", argv[0]);
  cr_assert_gt(strlen(out), 1000000u);
  return out;
}


static int have(const char *tool) {
  char *cmd = bgt_fmt("command -v %s", tool);
  char *argv[] = {"sh", "-c", cmd, NULL};
  int ok = bgt_run(argv, NULL, NULL, NULL) == 0;

  free(cmd);
  return ok;
}


/* SSE2 (amd64), the portable word, and NEON (arm64, under qemu when the cross compiler and
 * qemu are installed) must record the same for 88,000 bodies built around block edges. */
Test(json_scan, every_string_scan_records_the_same, .timeout = 600) {
  char *dir = bgt_mkdtemp(), *native, *swar, *path;
  const char *cc = bgt_env("BG_TEST_CC");

  build_scan_arches(cc, "", dir, "native");
  build_scan_arches(cc, "-DBG_JS_SWAR", dir, "swar");
  path = bgt_fmt("%s/native", dir);
  native = run_scan_arches((char *[]){path, NULL});
  free(path);
  path = bgt_fmt("%s/swar", dir);
  swar = run_scan_arches((char *[]){path, NULL});
  free(path);
  cr_assert(strcmp(native, swar) == 0, "the portable scan records differently");
  if (have("aarch64-linux-gnu-gcc") && have("qemu-aarch64-static")) {
    char *neon;
    build_scan_arches("aarch64-linux-gnu-gcc", "-static -idirafter /usr/include", dir, "neon");
    path = bgt_fmt("%s/neon", dir);
    neon = run_scan_arches((char *[]){"qemu-aarch64-static", path, NULL});
    free(path);
    cr_assert(strcmp(native, neon) == 0, "the NEON scan records differently");
    free(neon);
  } else {
    cr_log_warn("no aarch64-linux-gnu-gcc or qemu-aarch64-static: NEON not compared");
  }
  free(native);
  free(swar);
  bgt_rmrf(dir);
}
#endif /* SCAN_SWAR_BUILD */
