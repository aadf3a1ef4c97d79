/* test_thrift_features.c - "thrift" sources of feature specs: compiled, and refused when bad.
 *
 * `make test` compiles tests/thrift/spec.json (every transform with a Thrift source, and
 * entries without one) with xgbc and links its features.c here as bg_features_txtest. Each
 * test fills Thrift fields as the decoder would and checks every cell of extract_thrift's row
 * against a computation of its own: decimals by a regular expression, vocabulary ids by a
 * linear scan of the spec file, FNV-1a 32 from its definition, the clock with gmtime_r, user
 * agents labelled by hand. The same binary's OpenRTB extractor is checked to be untouched.
 * Then malformed "thrift" members: xgbc must refuse each with SPEC: WHERE: WHY and exit 1.
 */
#define _GNU_SOURCE /* strcasecmp */
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "features_abi.h"
#include "helpers.h"
#include "thrift_fx.h"

extern const struct bg_features bg_features_txtest;

#define NF 20

TestSuite(thrift_features, .timeout = 60);

static cJSON *spec(void) {
  char *text = bgt_read_file(bgt_fmt("%s/spec.json", bgt_env("BG_TEST_THRIFT")), NULL);
  cJSON *j = cJSON_Parse(text);

  cr_assert(j != NULL);
  free(text);
  return j;
}


static cJSON *entry(cJSON *s, int i) {
  return cJSON_GetArrayItem(cJSON_GetObjectItem(s, "features"), i);
}


/* A string field's bytes as a C string (NULL when unset). */
static const char *str(const struct bg_tx_value *f, int id, char *buf, size_t n) {
  if (f[id].type != BG_TT_STRING)
    return NULL;
  cr_assert(f[id].len < n);
  memcpy(buf, f[id].s, f[id].len);
  buf[f[id].len] = '\0';
  return buf;
}


static float decimal(const char *s) {
  regex_t re;
  float v;

  cr_assert(regcomp(&re, "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$",
                    REG_EXTENDED | REG_NOSUB) == 0);
  v = regexec(&re, s, 0, NULL, 0) == 0 ? (float)strtod(s, NULL) : NAN;
  regfree(&re);
  return v;
}


/* A field as a number: integers and decimal strings. */
static float number(const struct bg_tx_value *f, int id, float dflt) {
  char buf[4096];

  switch (f[id].type) {
  case BG_TT_I32:
  case BG_TT_I64:
    return (float)f[id].i;
  case BG_TT_STRING:
    return strlen(str(f, id, buf, sizeof buf)) == f[id].len ? decimal(buf) : dflt;
  default:
    return dflt;
  }
}


static float vocab(cJSON *s, int i, const struct bg_tx_value *f, int id) {
  cJSON *e = entry(s, i), *voc = cJSON_GetObjectItem(e, "vocabulary"), *w;
  cJSON *unknown = cJSON_GetObjectItem(e, "unknown"), *dflt = cJSON_GetObjectItem(e, "default");
  int fold = cJSON_IsTrue(cJSON_GetObjectItem(e, "lowercase")), k = 0;
  char buf[4096];
  const char *v = str(f, id, buf, sizeof buf);

  if (v == NULL)
    return dflt ? (float)dflt->valuedouble : NAN;
  if (strlen(v) != f[id].len || (fold && f[id].len > 256))
    return unknown ? (float)unknown->valuedouble : NAN; /* a NUL inside; too long to fold */
  cJSON_ArrayForEach(w, voc) {
    const char *word = cJSON_IsArray(voc) ? w->valuestring : w->string;
    float wid = cJSON_IsArray(voc) ? (float)k : (float)w->valuedouble;
    if (fold ? strcasecmp(word, v) == 0 : strcmp(word, v) == 0)
      return wid;
    k++;
  }
  return unknown ? (float)unknown->valuedouble : NAN;
}


static float fnv(const struct bg_tx_value *f, int id, uint32_t buckets, int fold) {
  uint32_t h = 0x811c9dc5u;
  uint32_t k;

  if (f[id].type != BG_TT_STRING)
    return NAN;
  for (k = 0; k < f[id].len; k++) {
    unsigned char c = (unsigned char)f[id].s[k];
    if (fold && c >= 'A' && c <= 'Z')
      c = (unsigned char)(c - 'A' + 'a');
    h ^= c;
    h *= 0x01000193u;
  }
  return (float)(h % buckets);
}


/* User agents labelled by hand: woothee and OpenRTB (NaN: none on that scale). */
static const struct {
  const char *ua;
  float woothee, openrtb;
} agents[] = {
  {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148", 0, 4},
  {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0", 3, 2},
  {"Mozilla/5.0 (Linux; Android 14; SM-X700) Chrome/123.0 Safari/537.36", 0, 5},
  {"Googlebot/2.1 (+http://www.google.com/bot.html)", 4, NAN},
  {"Roku/DVP-9.10", 2, 3},
  {"Mozilla/5.0 (PlayStation 5)", 2, 6},
  {"DoCoMo/2.0 P07A3", 1, 4},
  {"Wget/1.21", 5, NAN},
};

static const char *const strings[] = {"news.example.com", "NEWS.example.COM", "shop.example.com",
                                      "A", "ab", "abc", "é.example", "É.example", "", "CA",
                                      "ca", "ny", "NY", "dsp-alpha", "dsp-beta", "DSP-ALPHA",
                                      "09", "23", "7", "+3", "-1.5", "1e1", ".5", "5.", "x",
                                      " 7", "0x10", "inf", "nan", "1e", "--1"};
#define NSTR (sizeof strings / sizeof strings[0])


static void expect_row(cJSON *s, const struct bg_tx_value *f, int64_t now, const float *row,
                       const char *what) {
  float want[NF];
  char buf[4096];
  time_t tt = (time_t)now;
  struct tm tm;
  int i;
  const char *ua = str(f, 10, buf, sizeof buf);

  cr_assert(gmtime_r(&tt, &tm) != NULL);
  want[0] = number(f, 3, NAN);
  want[1] = number(f, 2, 42.5f);
  want[2] = number(f, 8, NAN);
  want[3] = f[9].type != BG_TT_STOP ? number(f, 9, NAN) : number(f, 3, NAN);
  want[4] = vocab(s, 4, f, 6);
  want[5] = vocab(s, 5, f, 4);
  want[6] = fnv(f, 10, 1000, 0);
  want[7] = fnv(f, 5, 16777216, 1);
  want[8] = f[1].type != BG_TT_STOP;
  want[9] = f[9].type != BG_TT_STOP;
  want[10] = number(f, 3, NAN);
  want[11] = number(f, 2, NAN);
  want[12] = (float)tm.tm_hour;
  want[13] = (float)tm.tm_wday;
  want[14] = NAN;
  want[15] = NAN;
  want[16] = 0;
  if (f[11].type != BG_TT_STOP)
    want[15] = (float)f[11].i;
  if (ua != NULL) {
    /* An agent not in the table (only the NUL test's) is "other": woothee's misc, no code on
     * the OpenRTB scale. */
    float woothee = 5, openrtb = NAN;
    for (i = 0; i < (int)(sizeof agents / sizeof agents[0]); i++)
      if (strcmp(agents[i].ua, ua) == 0) {
        woothee = agents[i].woothee;
        openrtb = agents[i].openrtb;
      }
    if (f[11].type == BG_TT_STOP)
      want[15] = woothee;
    want[16] = isnan(openrtb) ? 0 : openrtb;
  }
  want[17] = 7;
  want[18] = 0;
  want[19] = vocab(s, 19, f, 7);
  for (i = 0; i < NF; i++)
    cr_assert(isnan(want[i]) ? isnan(row[i]) : row[i] == want[i],
              "%s: feature %d (%s) is %g, expected %g", what, i,
              cJSON_GetObjectItem(entry(s, i), "name")->valuestring, (double)row[i],
              (double)want[i]);
}


static void set_str(struct bg_tx_value *f, int id, const char *s) {
  f[id].type = BG_TT_STRING;
  f[id].s = s;
  f[id].len = (uint32_t)strlen(s);
}


static void set_int(struct bg_tx_value *f, int id, int type, int64_t v) {
  f[id].type = (uint8_t)type;
  f[id].i = v;
}


Test(thrift_features, every_transform_against_independent_computations) {
  cJSON *s = spec();
  unsigned seed = 5;
  int k;

  cr_assert_not_null(bg_features_txtest.extract_thrift);
  cr_assert_eq(bg_features_txtest.num_features, NF);
  for (k = 0; k < 3000; k++) {
    struct bg_tx_value f[BG_THRIFT_MAX_ID + 1];
    struct bg_tx_input in = {f, 0};
    float row[NF];
    int id;
    memset(f, 0, sizeof f);
    in.now = (int64_t)rand_r(&seed) * 1000 - 1000000000; /* before and after 1970 */
    for (id = 1; id <= BG_THRIFT_MAX_ID; id++) {
      if (rand_r(&seed) % 3 == 0)
        continue;
      switch (id) {
      case 2:
      case 11:
        set_int(f, id, BG_TT_I32, (int64_t)(rand_r(&seed) % 20) - 5);
        break;
      case 8:
      case 9:
        set_int(f, id, BG_TT_I64, (int64_t)rand_r(&seed) * rand_r(&seed) - (1ll << 40));
        break;
      case 10:
        set_str(f, id, agents[rand_r(&seed) % (sizeof agents / sizeof agents[0])].ua);
        break;
      default:
        set_str(f, id, strings[rand_r(&seed) % NSTR]);
      }
    }
    bg_features_txtest.extract_thrift(&in, row);
    expect_row(s, f, in.now, row, bgt_fmt("row %d", k));
  }
  cJSON_Delete(s);
}


Test(thrift_features, strings_with_odd_bytes) {
  static const char nul[] = "news.example.com\0junk";
  char *lng = malloc(300), *upper = malloc(300);
  struct bg_tx_value f[BG_THRIFT_MAX_ID + 1];
  struct bg_tx_input in = {f, 1700000000};
  cJSON *s = spec();
  float row[NF];

  memset(lng, 'a', 299);
  lng[299] = '\0';
  memcpy(upper, lng, 300);
  upper[0] = 'A';
  memset(f, 0, sizeof f);
  /* A NUL inside a string is one of its bytes: not a vocabulary word, but hashed. */
  f[6].type = f[10].type = f[5].type = BG_TT_STRING;
  f[6].s = f[10].s = f[5].s = nul;
  f[6].len = f[10].len = f[5].len = sizeof nul - 1;
  bg_features_txtest.extract_thrift(&in, row);
  cr_assert_eq(row[4], 99.0f);
  expect_row(s, f, in.now, row, "NUL inside");
  /* Folding stops at 256 bytes: longer strings are unknown (as in the OpenRTB extractor). */
  set_str(f, 6, upper);
  set_str(f, 5, upper);
  set_str(f, 4, lng);
  bg_features_txtest.extract_thrift(&in, row);
  expect_row(s, f, in.now, row, "long strings");
  /* A decimal longer than 64 bytes is not a number. */
  set_str(f, 3, "1000000000000000000000000000000000000000000000000000000000000000000");
  bg_features_txtest.extract_thrift(&in, row);
  cr_assert(isnan(row[0]));
  free(lng);
  free(upper);
  cJSON_Delete(s);
}


Test(thrift_features, the_openrtb_extractor_is_unchanged) {
  cJSON *req = cJSON_Parse("{\"id\":\"r\",\"ext\":{\"hour\":5},\"site\":{\"domain\":\"A\"},"
                           "\"imp\":[{\"id\":\"1\",\"bidfloor\":1.5}]}");
  cJSON *bidder = cJSON_CreateString("dsp-beta");
  struct bg_fx_input in = {req, cJSON_GetArrayItem(cJSON_GetObjectItem(req, "imp"), 0), bidder,
                           0};
  float row[NF];

  bg_features_txtest.extract(&in, row);
  cr_assert_eq(row[0], 5.0f);
  cr_assert_eq(row[2], 1.5f);
  cr_assert_eq(row[4], 2.0f);
  cr_assert_eq(row[8], 1.0f);
  cr_assert_eq(row[9], 0.0f); /* a Thrift-only entry: no value in OpenRTB */
  cr_assert_eq(row[17], 1.5f);
  cr_assert_eq(row[19], 1.0f);
  cJSON_Delete(req);
  cJSON_Delete(bidder);
}


/* ---- malformed "thrift" members ---- */

struct spec_case {
  char name[32];
  int index;          /* the entry of tests/thrift/spec.json to change */
  char entry[200];    /* its new JSON text */
  char where[32];     /* expected in WHERE */
  char why[64];       /* expected in WHY */
};

static struct spec_case spec_cases[] = {
  {"unknown_field", 0, "{\"name\":\"n_hour\",\"transform\":\"number\",\"thrift\":\"hours\"}",
   "features[0].thrift", "\"hours\" is not a field of the Thrift BidRequest"},
  {"case_matters", 0, "{\"name\":\"n_hour\",\"transform\":\"number\",\"thrift\":\"Hour\"}",
   "features[0].thrift", "is not a field"},
  {"not_a_string", 0, "{\"name\":\"n_hour\",\"transform\":\"number\",\"thrift\":3}",
   "features[0].thrift", "must be a field name"},
  {"empty_list", 0, "{\"name\":\"n_hour\",\"transform\":\"number\",\"thrift\":[]}",
   "features[0].thrift", "holds 0 fields"},
  {"five_alternatives", 0, "{\"name\":\"n_hour\",\"transform\":\"number\",\"thrift\":[\"hour\","
   "\"hour\",\"hour\",\"hour\",\"hour\"]}", "features[0].thrift", "holds 5 fields"},
  {"alternative_not_string", 0, "{\"name\":\"n_hour\",\"transform\":\"number\",\"thrift\":"
   "[\"hour\",7]}", "features[0].thrift[1]", "a field name"},
  {"vocabulary_of_i32", 4, "{\"name\":\"v_domain\",\"transform\":\"vocabulary\",\"thrift\":"
   "\"dayOfWeek\",\"vocabulary\":[\"a\"]}", "features[4].thrift", "dayOfWeek is an i32 field"},
  {"hash_of_i64", 6, "{\"name\":\"h_ua\",\"transform\":\"hash\",\"buckets\":9,\"thrift\":"
   "\"biddingPrice\"}", "features[6].thrift", "a hash entry reads strings"},
  {"area_from_thrift", 14, "{\"name\":\"area\",\"transform\":\"area\",\"thrift\":\"hour\"}",
   "features[14].thrift", "cannot have a Thrift source"},
};

ParameterizedTestParameters(thrift_features, bad_specs) {
  return cr_make_param_array(struct spec_case, spec_cases,
                             sizeof spec_cases / sizeof spec_cases[0]);
}


ParameterizedTest(struct spec_case *c, thrift_features, bad_specs) {
  cJSON *s = spec(), *e = cJSON_Parse(c->entry);
  char *dir = bgt_mkdtemp(), *path = bgt_fmt("%s/spec.json", dir), *text, *out, *err;
  char *model = bgt_fmt("%s/../features/model.json", bgt_env("BG_TEST_THRIFT"));
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), model, "--features", path, "-o",
                  bgt_fmt("%s/out", dir), NULL};
  char *want;

  cr_assert(e != NULL, "%s: bad test entry", c->name);
  cJSON_ReplaceItemInArray(cJSON_GetObjectItem(s, "features"), c->index, e);
  text = cJSON_Print(s);
  bgt_write_file(path, text, strlen(text));
  cr_assert_eq(bgt_run(argv, NULL, &out, &err), 1, "%s: xgbc did not refuse it: %s", c->name,
               err);
  want = bgt_fmt("%s: %s: ", path, c->where);
  cr_assert(strncmp(err, want, strlen(want)) == 0, "%s: stderr %s, expected %s...", c->name, err,
            want);
  cr_assert(strstr(err, c->why) != NULL, "%s: stderr %s lacks \"%s\"", c->name, err, c->why);
  cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "%s: more than one line", c->name);
  cr_assert_str_eq(bgt_list_dir(dir), "spec.json", "%s: xgbc wrote something", c->name);
  bgt_rmrf(dir);
  cJSON_Delete(s);
}
