/* test_features.c - every transform of a compiled feature spec against an independent
 * computation.
 *
 * `make test` compiles tests/features/spec.json (one entry per transform and option) with xgbc
 * and links its features.c into this binary as bg_features_fxtest. Each test builds BidRequests
 * with cJSON, runs the compiled extractor, and computes what every cell must be on its own: the
 * vocabulary ids by a linear scan of the spec file as this test reads it, FNV-1a 32 from its
 * definition, hour and day of week with gmtime_r, areas, presence, defaults. User agents are
 * checked against a table labelled by hand (the rules are bidgate's own, docs/features.md).
 */
#define _GNU_SOURCE /* strcasecmp */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "features_abi.h"
#include "helpers.h"

extern const struct bg_features bg_features_fxtest;

#define NF 20

TestSuite(features, .timeout = 60);

static cJSON *spec(void) {
  char *text = bgt_read_file(bgt_fmt("%s/spec.json", bgt_env("BG_TEST_FEATURES")), NULL);
  cJSON *j = cJSON_Parse(text);

  cr_assert(j != NULL);
  free(text);
  return j;
}


static cJSON *entry(cJSON *s, int i) {
  return cJSON_GetArrayItem(cJSON_GetObjectItem(s, "features"), i);
}


/* The vocabulary id of value by a linear scan of the spec's entry i. */
static float vocab_id(cJSON *s, int i, const cJSON *value) {
  cJSON *e = entry(s, i), *voc = cJSON_GetObjectItem(e, "vocabulary"), *w;
  cJSON *unknown = cJSON_GetObjectItem(e, "unknown"), *dflt = cJSON_GetObjectItem(e, "default");
  int fold = cJSON_IsTrue(cJSON_GetObjectItem(e, "lowercase")), k = 0;

  if (value == NULL || !cJSON_IsString(value))
    return dflt ? (float)dflt->valuedouble : NAN;
  cJSON_ArrayForEach(w, voc) {
    const char *word = cJSON_IsArray(voc) ? w->valuestring : w->string;
    float id = cJSON_IsArray(voc) ? (float)k : (float)w->valuedouble;
    int same = fold ? strcasecmp(word, value->valuestring) == 0
                    : strcmp(word, value->valuestring) == 0;
    if (same)
      return id;
    k++;
  }
  return unknown ? (float)unknown->valuedouble : NAN;
}


static float fnv_bucket(const char *s, uint32_t buckets, int fold) {
  uint32_t h = 0x811c9dc5u;

  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (fold && c >= 'A' && c <= 'Z')
      c = (unsigned char)(c - 'A' + 'a');
    h ^= c;
    h *= 0x01000193u;
  }
  return (float)(h % buckets);
}


static const cJSON *at(const cJSON *j, const char *a, const char *b, const char *c) {
  if (j != NULL && a != NULL)
    j = cJSON_GetObjectItem(j, a);
  if (j != NULL && b != NULL)
    j = cJSON_GetObjectItem(j, b);
  if (j != NULL && c != NULL)
    j = cJSON_GetObjectItem(j, c);
  return j != NULL && !cJSON_IsNull(j) ? j : NULL;
}


static void expect_cell(int k, float got, float want, const char *what) {
  uint32_t a, b;

  memcpy(&a, &got, 4);
  memcpy(&b, &want, 4);
  if (isnan(got) && isnan(want))
    return;
  cr_assert_eq(a, b, "feature %d (%s): extractor %a, expected %a; request: %s", k,
               bg_features_fxtest.feature_names[k], (double)got, (double)want, what);
}


static const char *const pick_domains[] = {"news.example.com", "NEWS.EXAMPLE.COM",
                                           "shop.example.com", "a", "ab", "abc", "b",
                                           "\xc3\xa9.example", "\xc3\x89.example", ""};
static const char *const pick_countries[] = {"USA", "usa", "GBR", "DEU", "deu", "FRA"};
static const char *const pick_bidders[] = {"b1", "b2", "b3", "B1", "zz"};


static cJSON *random_request(unsigned *seed, int64_t *ts_ms, int *has_ts) {
  cJSON *r = cJSON_CreateObject(), *imps = cJSON_AddArrayToObject(r, "imp"), *imp, *dev, *geo;
  int u = rand_r(seed) % 10;

  cJSON_AddStringToObject(r, "id", "x");
  imp = cJSON_CreateObject();
  cJSON_AddItemToArray(imps, imp);
  if (rand_r(seed) % 3)
    cJSON_AddNumberToObject(imp, "bidfloor", (rand_r(seed) % 1000) / 7.0);
  else if (rand_r(seed) % 2)
    cJSON_AddStringToObject(imp, "bidfloor", "1.5"); /* wrong type */
  if (rand_r(seed) % 2)
    cJSON_AddNumberToObject(imp, "bidfloor2", 3.25);
  if (rand_r(seed) % 2)
    cJSON_AddObjectToObject(imp, "pmp");
  else if (rand_r(seed) % 2)
    cJSON_AddNullToObject(imp, "pmp"); /* null counts as absent */
  if (rand_r(seed) % 4) {
    cJSON *b = cJSON_AddObjectToObject(imp, "banner"), *fmt = cJSON_AddArrayToObject(b, "format");
    int nf = rand_r(seed) % 3, i;
    if (rand_r(seed) % 2) {
      cJSON_AddNumberToObject(b, "w", 100 + rand_r(seed) % 900);
      cJSON_AddNumberToObject(b, "h", 50 + rand_r(seed) % 600);
    }
    for (i = 0; i < nf; i++) {
      cJSON *f = cJSON_CreateObject();
      cJSON_AddNumberToObject(f, "w", 10 * (i + 1) + rand_r(seed) % 300);
      cJSON_AddNumberToObject(f, "h", 20 * (i + 1) + rand_r(seed) % 300);
      cJSON_AddItemToArray(fmt, f);
    }
  }
  if (rand_r(seed) % 3 == 0) {
    cJSON *v = cJSON_AddObjectToObject(imp, "video");
    cJSON_AddNumberToObject(v, "w", 640);
    cJSON_AddNumberToObject(v, "h", 360);
  }
  if (u < 5) {
    cJSON *site = cJSON_AddObjectToObject(r, "site");
    cJSON_AddStringToObject(site, "domain", pick_domains[rand_r(seed) % 10]);
    if (rand_r(seed) % 2)
      cJSON_AddStringToObject(site, "page", rand_r(seed) % 2 ? "https://A.example/x?y=1"
                                                             : "https://a.example/X?Y=1");
  } else if (u < 8) {
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "app"), "bundle",
                            rand_r(seed) % 2 ? "com.example.game" : "com.other");
  }
  dev = cJSON_AddObjectToObject(r, "device");
  if (rand_r(seed) % 3)
    cJSON_AddStringToObject(dev, "ua", rand_r(seed) % 2 ? "Mozilla/5.0 (iPhone)" : "curl/8");
  if (rand_r(seed) % 2)
    cJSON_AddNumberToObject(dev, "devicetype", rand_r(seed) % 9);
  geo = cJSON_AddObjectToObject(dev, "geo");
  if (rand_r(seed) % 4)
    cJSON_AddStringToObject(geo, "country", pick_countries[rand_r(seed) % 6]);
  if (rand_r(seed) % 4)
    cJSON_AddNumberToObject(geo, "utcoffset", (int)(rand_r(seed) % 2881) - 1440);
  else if (rand_r(seed) % 2)
    cJSON_AddNumberToObject(geo, "utcoffset", 5000); /* out of range: ignored */
  if (rand_r(seed) % 2)
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "user"), "id", "u");
  *has_ts = rand_r(seed) % 2;
  *ts_ms = ((int64_t)rand_r(seed) * 977 + (int64_t)(rand_r(seed) % 1000)) *
           (rand_r(seed) % 5 == 0 ? -1 : 1);
  if (*has_ts)
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(r, "ext"), "ts", (double)*ts_ms);
  return r;
}


/* hour, and day of week as tm_wday, of epoch second t */
static void clock_of(int64_t t, int *hour, int *wday) {
  time_t tt = (time_t)t;
  struct tm tm;

  cr_assert(gmtime_r(&tt, &tm) != NULL);
  *hour = tm.tm_hour;
  *wday = tm.tm_wday;
}


static int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}


Test(features, every_transform_matches_an_independent_computation) {
  cJSON *s = spec();
  unsigned seed = 2024;
  int n;

  cr_assert_eq(bg_features_fxtest.num_features, NF);
  cr_assert_eq(bg_features_fxtest.uses_bidder, 1);
  cr_assert_eq(bg_features_fxtest.abi_version, BG_FEATURES_ABI_VERSION);
  cr_assert_str_eq(bg_features_fxtest.feature_names[12], "area");
  for (n = 0; n < 3000; n++) {
    int64_t ts_ms, now = (int64_t)(rand_r(&seed) % 2000000000) - 100000000;
    int has_ts, hour, wday;
    cJSON *req = random_request(&seed, &ts_ms, &has_ts);
    const cJSON *imp = cJSON_GetArrayItem(cJSON_GetObjectItem(req, "imp"), 0);
    cJSON *bidder = cJSON_CreateString(pick_bidders[rand_r(&seed) % 5]);
    struct bg_fx_input in = {req, imp, n % 11 == 0 ? NULL : bidder, now};
    const cJSON *v, *off = at(req, "device", "geo", "utcoffset"), *banner, *w, *h;
    char *text = cJSON_PrintUnformatted(req);
    float row[NF];
    int64_t shift = off != NULL && off->valuedouble >= -1440 && off->valuedouble <= 1440
                        ? (int64_t)off->valuedouble * 60 : 0;

    bg_features_fxtest.extract(&in, row);

    v = at(imp, "bidfloor", NULL, NULL);
    expect_cell(0, row[0], cJSON_IsNumber(v) ? (float)v->valuedouble : NAN, text);
    v = at(imp, "bidfloor2", NULL, NULL);
    expect_cell(1, row[1], v ? (float)v->valuedouble : 42.5f, text);
    v = at(req, "site", "domain", NULL);
    expect_cell(2, row[2], vocab_id(s, 2, v ? v : at(req, "app", "bundle", NULL)), text);
    expect_cell(3, row[3], vocab_id(s, 3, at(req, "device", "geo", "country")), text);
    v = at(req, "device", "ua", NULL);
    expect_cell(4, row[4], v ? fnv_bucket(v->valuestring, 1000, 0) : NAN, text);
    v = at(req, "site", "page", NULL);
    expect_cell(5, row[5], v ? fnv_bucket(v->valuestring, 16777216, 1) : NAN, text);
    expect_cell(6, row[6], at(req, "user", "id", NULL) ? 1.0f : 0.0f, text);
    expect_cell(7, row[7], at(imp, "pmp", NULL, NULL) ? 1.0f : 0.0f, text);
    clock_of(now + shift, &hour, &wday);
    expect_cell(8, row[8], (float)hour, text);
    clock_of(now, &hour, &wday);
    expect_cell(9, row[9], (float)(wday == 0 ? 7 : wday), text);
    clock_of((has_ts ? floor_div(ts_ms, 1000) : now) + shift, &hour, &wday);
    expect_cell(10, row[10], (float)hour, text);
    expect_cell(11, row[11], has_ts ? (float)wday : NAN, text);
    banner = at(imp, "banner", NULL, NULL);
    w = at(banner, "w", NULL, NULL);
    h = at(banner, "h", NULL, NULL);
    if (w == NULL) {
      const cJSON *f0 = cJSON_GetArrayItem(at(banner, "format", NULL, NULL), 0);
      w = at(f0, "w", NULL, NULL);
      h = at(f0, "h", NULL, NULL);
    }
    expect_cell(12, row[12], w && h ? (float)(w->valuedouble * h->valuedouble) : NAN, text);
    expect_cell(13, row[13], at(imp, "video", NULL, NULL) ? 640.0f * 360.0f : 0.0f, text);
    v = at(req, "device", "devicetype", NULL);
    {
      /* OpenRTB codes pass through; else "Mozilla/5.0 (iPhone)" is a phone (4), curl other. */
      static const float to_woothee[8] = {0, 0, 3, 2, 0, 0, 2, 2};
      const cJSON *ua = at(req, "device", "ua", NULL);
      int code = v && v->valuedouble >= 1 && v->valuedouble <= 7 ? (int)v->valuedouble : 0;
      int iphone = ua && strstr(ua->valuestring, "iPhone") != NULL;
      expect_cell(14, row[14], code ? (float)code : iphone ? 4.0f : NAN, text);
      expect_cell(15, row[15], code ? to_woothee[code] : iphone ? 0.0f : ua ? 5.0f : 6.0f, text);
    }
    expect_cell(16, row[16], in.bidder ? vocab_id(s, 16, bidder) : NAN, text);
    expect_cell(17, row[17], in.bidder ? fnv_bucket(bidder->valuestring, 7, 0) : NAN, text);
    v = cJSON_GetArrayItem(at(imp, "banner", "format", NULL), 1);
    v = at(v, "w", NULL, NULL);
    expect_cell(18, row[18], v ? (float)v->valuedouble : NAN, text);
    expect_cell(19, row[19], in.bidder ? 1.0f : 0.0f, text);

    /* Re-aiming a copied row at another bidder equals extracting for that bidder. */
    {
      cJSON *other = cJSON_CreateString(pick_bidders[(n + 1) % 5]);
      struct bg_fx_input in2 = in;
      float copy[NF], fresh[NF];
      int k;
      in2.bidder = other;
      memcpy(copy, row, sizeof row);
      bg_features_fxtest.extract_bidder(&in2, copy);
      bg_features_fxtest.extract(&in2, fresh);
      for (k = 0; k < NF; k++)
        expect_cell(k, copy[k], fresh[k], "extract_bidder");
      cJSON_Delete(other);
    }
    cJSON_Delete(bidder);
    cJSON_Delete(req);
    free(text);
  }
  cJSON_Delete(s);
}


/* Hand-labelled user agents: what each scale must say (docs/features.md lists the rules). */
struct ua_case {
  const char *ua;
  float openrtb, woothee;
};

static const struct ua_case ua_cases[] = {
  {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148", 4, 0},
  {"Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15", 5, 0},
  {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36", 4, 0},
  {"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Safari/537.36", 5, 0},
  {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0", 2, 3},
  {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15", 2, 3},
  {"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 2, 3},
  {"Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) Mobile Edge/15", 4, 0},
  {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", NAN, 4},
  {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", NAN, 4},
  {"Roku/DVP-9.10 (289.10E04111A)", 3, 2},
  {"Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 SamsungBrowser/4.0 TV", 3, 2},
  {"Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233) AppleWebKit/537.36 Chrome/108 Safari", 3,
   2},
  {"Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15", 6, 2},
  {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 Edge/44", 6, 2},
  {"DoCoMo/2.0 P07A3(c500;TB;W24H15)", 4, 1},
  {"Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1", 4, 1},
  {"curl/8.5.0", NAN, 5},
};


Test(features, device_type_from_the_user_agent) {
  size_t i;

  for (i = 0; i < sizeof ua_cases / sizeof ua_cases[0]; i++) {
    cJSON *req = cJSON_CreateObject(), *imp = cJSON_CreateObject();
    struct bg_fx_input in = {req, imp, NULL, 0};
    float row[NF];
    cJSON_AddStringToObject(cJSON_AddObjectToObject(req, "device"), "ua", ua_cases[i].ua);
    bg_features_fxtest.extract(&in, row);
    expect_cell(14, row[14], ua_cases[i].openrtb, ua_cases[i].ua);
    /* woothee has a code for every agent; the spec's default (6) only for no agent at all */
    expect_cell(15, row[15], ua_cases[i].woothee, ua_cases[i].ua);
    cJSON_Delete(req);
    cJSON_Delete(imp);
  }
}


Test(features, devicetype_wins_over_the_user_agent) {
  static const float woothee[8] = {NAN, 0, 3, 2, 0, 0, 2, 2};
  int code;

  for (code = 0; code <= 9; code++) {
    cJSON *req = cJSON_CreateObject(), *imp = cJSON_CreateObject(), *dev;
    struct bg_fx_input in = {req, imp, NULL, 0};
    float row[NF];
    dev = cJSON_AddObjectToObject(req, "device");
    cJSON_AddNumberToObject(dev, "devicetype", code);
    cJSON_AddStringToObject(dev, "ua", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
    bg_features_fxtest.extract(&in, row);
    /* codes outside 1..7 are not OpenRTB's: the agent (a PC) decides */
    expect_cell(14, row[14], code >= 1 && code <= 7 ? (float)code : 2.0f, "devicetype");
    expect_cell(15, row[15], code >= 1 && code <= 7 ? woothee[code] : 3.0f, "devicetype");
    cJSON_Delete(req);
    cJSON_Delete(imp);
  }
}


Test(features, vocabulary_lookup_finds_every_word_and_nothing_else) {
  cJSON *s = spec(), *voc = cJSON_GetObjectItem(entry(s, 2), "vocabulary"), *w;
  int k = 0;

  /* Every word (in several cases, since the entry folds case), and near misses around each. */
  cJSON_ArrayForEach(w, voc) {
    const char *word = w->valuestring;
    const char *probes[4];
    char upper[64], longer[64], shorter[64];
    int p;
    snprintf(upper, sizeof upper, "%s", word);
    for (p = 0; upper[p]; p++)
      if (upper[p] >= 'a' && upper[p] <= 'z')
        upper[p] = (char)(upper[p] - 32);
    snprintf(longer, sizeof longer, "%s.", word);
    snprintf(shorter, sizeof shorter, "%.*s", (int)strlen(word) - 1, word);
    probes[0] = word;
    probes[1] = upper;
    probes[2] = longer;
    probes[3] = shorter;
    for (p = 0; p < 4; p++) {
      cJSON *req = cJSON_CreateObject(), *imp = cJSON_CreateObject(), *val;
      struct bg_fx_input in = {req, imp, NULL, 0};
      float row[NF];
      val = cJSON_CreateString(probes[p]);
      cJSON_AddItemToObject(cJSON_AddObjectToObject(req, "site"), "domain", val);
      bg_features_fxtest.extract(&in, row);
      expect_cell(2, row[2], vocab_id(s, 2, val), probes[p]);
      cJSON_Delete(req);
      cJSON_Delete(imp);
    }
    k++;
  }
  cr_assert_eq(k, 7);
  cJSON_Delete(s);
}
