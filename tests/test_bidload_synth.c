/* test_bidload_synth.c - bidload's synthesised requests: valid OpenRTB read back with cJSON,
 * reproducible by seed, geos checked against the system's time zone and ISO 3166 databases,
 * Zipf-ranked publishers, profile overlays and profile errors, and --dump. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"
#include "profile.h"
#include "synth.h"

static struct bl_profile prof;


static void load_default(void) {
  char err[256];

  cr_assert_eq(bl_profile_load(&prof, NULL, err, sizeof err), 0, "%s", err);
}


static void unload(void) {
  bl_profile_free(&prof);
}

TestSuite(bidload_synth, .init = load_default, .fini = unload, .timeout = 60);


static cJSON *next(struct bl_synth *s, struct bl_buf *b) {
  cJSON *doc;

  b->len = 0;
  bl_synth_request(s, b);
  doc = cJSON_ParseWithLength(b->data, b->len);
  cr_assert(doc, "not JSON: %.*s", (int)b->len, b->data);
  return doc;
}


static const cJSON *get(const cJSON *o, const char *k) {
  return cJSON_GetObjectItemCaseSensitive(o, k);
}


static int is_int(const cJSON *v) {
  return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
}


static void check_size(const cJSON *o, const char *what) {
  cr_assert(is_int(get(o, "w")) && get(o, "w")->valueint > 0, "%s.w", what);
  cr_assert(is_int(get(o, "h")) && get(o, "h")->valueint > 0, "%s.h", what);
}


/* The OpenRTB 2.5/2.6 rules a bid request must follow (spec section 3.2). */
static void check_request(const cJSON *r) {
  const cJSON *imps = get(r, "imp"), *imp, *site = get(r, "site"), *app = get(r, "app");
  const cJSON *dev = get(r, "device"), *geo, *v;
  char ids[8][8];
  int n = 0, i;

  cr_assert(cJSON_IsString(get(r, "id")) && *get(r, "id")->valuestring, "id");
  cr_assert(cJSON_IsArray(imps) && cJSON_GetArraySize(imps) >= 1 && cJSON_GetArraySize(imps) <= 3, "imp[]");
  cJSON_ArrayForEach(imp, imps) {
    const cJSON *banner = get(imp, "banner"), *video = get(imp, "video");
    cr_assert(cJSON_IsString(get(imp, "id")), "imp.id");
    for (i = 0; i < n; i++)
      cr_assert(strcmp(ids[i], get(imp, "id")->valuestring) != 0, "imp ids are unique");
    snprintf(ids[n++], sizeof ids[0], "%s", get(imp, "id")->valuestring);
    cr_assert((banner != NULL) != (video != NULL), "banner or video");
    if (banner) {
      const cJSON *fmt = get(banner, "format"), *f;
      cr_assert(get(banner, "w") || cJSON_IsArray(fmt), "banner needs w/h or format");
      if (get(banner, "w"))
        check_size(banner, "banner");
      cJSON_ArrayForEach(f, fmt) check_size(f, "banner.format[]");
    } else {
      cr_assert(cJSON_IsArray(get(video, "mimes")) && cJSON_GetArraySize(get(video, "mimes")) > 0, "video.mimes");
      check_size(video, "video");
      cr_assert(get(video, "minduration")->valueint <= get(video, "maxduration")->valueint);
    }
    if ((v = get(imp, "bidfloor"))) {
      cr_assert(cJSON_IsNumber(v) && v->valuedouble >= 0.01, "bidfloor");
      cr_assert(cJSON_IsString(get(imp, "bidfloorcur")) && strlen(get(imp, "bidfloorcur")->valuestring) == 3);
    }
  }
  cr_assert((site != NULL) != (app != NULL), "site xor app");
  if (site) {
    cr_assert(cJSON_IsString(get(site, "domain")) && strchr(get(site, "domain")->valuestring, '.'));
    if ((v = get(site, "page")))
      cr_assert(strncmp(v->valuestring, "https://", 8) == 0);
  } else {
    cr_assert(cJSON_IsString(get(app, "bundle")) && *get(app, "bundle")->valuestring);
  }
  cr_assert(cJSON_IsObject(dev), "device");
  cr_assert(cJSON_IsString(get(dev, "ua")) && strlen(get(dev, "ua")->valuestring) > 10, "device.ua");
  cr_assert(is_int(get(dev, "devicetype")) && get(dev, "devicetype")->valueint >= 1 &&
            get(dev, "devicetype")->valueint <= 7, "device.devicetype");
  if ((geo = get(dev, "geo"))) {
    const char *c = get(geo, "country")->valuestring;
    cr_assert(strlen(c) == 3, "geo.country alpha-3");
    cr_assert(is_int(get(geo, "utcoffset")), "geo.utcoffset");
    cr_assert(cJSON_IsString(get(geo, "region")));
  }
  cr_assert(is_int(get(r, "at")) && (get(r, "at")->valueint == 1 || get(r, "at")->valueint == 2), "at");
  if ((v = get(r, "tmax")))
    cr_assert(is_int(v) && v->valueint > 0, "tmax");
  if ((v = get(r, "ext")))
    cr_assert(cJSON_IsArray(get(v, "bidders")));
}


Test(bidload_synth, requests_are_valid_openrtb) {
  struct bl_synth s;
  struct bl_buf b;
  int i, sites = 0, videos = 0, multi = 0;

  bl_buf_init(&b, 4096);
  bl_synth_init(&s, &prof, 42, 0);
  for (i = 0; i < 20000; i++) {
    cJSON *r = next(&s, &b);
    check_request(r);
    sites += get(r, "site") != NULL;
    multi += cJSON_GetArraySize(get(r, "imp")) > 1;
    videos += get(cJSON_GetArrayItem(get(r, "imp"), 0), "video") != NULL;
    cJSON_Delete(r);
  }
  /* Both kinds of inventory, of impression and of request size are there. */
  cr_expect(sites > 2000 && sites < 18000, "sites %d", sites);
  cr_expect(videos > 500, "videos %d", videos);
  cr_expect(multi > 1000, "multi-impression %d", multi);
  bl_buf_free(&b);
}


Test(bidload_synth, same_seed_same_requests) {
  struct bl_synth a, b2, c, d;
  struct bl_buf x, y, z, w;
  int i, diff_seed = 0, diff_stream = 0;

  bl_buf_init(&x, 0);
  bl_buf_init(&y, 0);
  bl_buf_init(&z, 0);
  bl_buf_init(&w, 0);
  bl_synth_init(&a, &prof, 7, 0);
  bl_synth_init(&b2, &prof, 7, 0);
  bl_synth_init(&c, &prof, 8, 0);
  bl_synth_init(&d, &prof, 7, 1);
  for (i = 0; i < 2000; i++) {
    x.len = y.len = z.len = w.len = 0;
    bl_synth_request(&a, &x);
    bl_synth_request(&b2, &y);
    bl_synth_request(&c, &z);
    bl_synth_request(&d, &w);
    cr_assert(x.len == y.len && memcmp(x.data, y.data, x.len) == 0, "request %d differs", i);
    diff_seed += z.len != x.len || memcmp(x.data, z.data, x.len) != 0;
    diff_stream += w.len != x.len || memcmp(x.data, w.data, x.len) != 0;
  }
  cr_expect_eq(diff_seed, 2000, "another seed gives other requests");
  cr_expect_eq(diff_stream, 2000, "another stream gives other requests");
  bl_buf_free(&x);
  bl_buf_free(&y);
  bl_buf_free(&z);
  bl_buf_free(&w);
}


/* The offset (minutes east) of zone tz at time t, from the C library's tz database. */
static int tz_offset(const char *tz, time_t t) {
  struct tm tm;

  setenv("TZ", tz, 1);
  tzset();
  localtime_r(&t, &tm);
  return (int)(tm.tm_gmtoff / 60);
}


/* The alpha-2 code zone.tab gives the zone, mapped to alpha-3 by iso-codes' ISO 3166 table. */
static void zone_country3(const char *tz, char out[4]) {
  static cJSON *iso;
  FILE *f = fopen("/usr/share/zoneinfo/zone.tab", "r");
  char line[512], cc[3] = "";
  const cJSON *e;

  cr_assert(f, "tzdata's zone.tab is missing (tools/deps.sh installs tzdata)");
  while (fgets(line, sizeof line, f)) {
    char a2[8], coord[64], zone[128];
    if (line[0] != '#' && sscanf(line, "%7s %63s %127s", a2, coord, zone) == 3 && strcmp(zone, tz) == 0)
      memcpy(cc, a2, 3);
  }
  fclose(f);
  cr_assert(cc[0], "zone %s is not in zone.tab", tz);
  if (!iso) {
    char *text = bgt_read_file("/usr/share/iso-codes/json/iso_3166-1.json", NULL);
    iso = cJSON_Parse(text);
    free(text);
    cr_assert(iso);
  }
  out[0] = 0;
  cJSON_ArrayForEach(e, get(iso, "3166-1")) {
    if (strcmp(get(e, "alpha_2")->valuestring, cc) == 0)
      snprintf(out, 4, "%s", get(e, "alpha_3")->valuestring);
  }
  cr_assert(out[0], "%s not in ISO 3166-1", cc);
}


Test(bidload_synth, geos_agree_with_tz_and_iso_databases) {
  /* Mid-January and mid-July 2024: one of them is standard time everywhere. */
  time_t jan = 1705320000, jul = 1721044800;
  size_t i, j, cities = 0;

  for (i = 0; i < prof.n_countries; i++) {
    const struct bl_country *k = &prof.countries[i];
    for (j = 0; j < k->city_pick.n; j++) {
      const struct bl_city *y = &k->cities[j];
      char a3[4];
      int o1 = tz_offset(y->tz, jan), o2 = tz_offset(y->tz, jul);
      /* Standard time is the smaller offset in both hemispheres (daylight saving adds). */
      cr_expect_eq(y->utcoffset, o1 < o2 ? o1 : o2, "%s %s: utcoffset %d, but %s is %d/%d",
                   k->code, y->city, y->utcoffset, y->tz, o1, o2);
      zone_country3(y->tz, a3);
      cr_expect_str_eq(a3, k->code, "%s (%s) is in %s", y->city, y->tz, a3);
      cities++;
    }
  }
  cr_expect(cities >= 30, "cities %zu", cities);
  unsetenv("TZ");
}


Test(bidload_synth, request_geos_come_from_the_profile) {
  struct bl_synth s;
  struct bl_buf b;
  int i, with_geo = 0;

  bl_buf_init(&b, 0);
  bl_synth_init(&s, &prof, 9, 0);
  for (i = 0; i < 5000; i++) {
    cJSON *r = next(&s, &b);
    const cJSON *geo = get(get(r, "device"), "geo");
    size_t k, j;
    int found = 0;
    if (geo) {
      with_geo++;
      for (k = 0; k < prof.n_countries; k++) {
        if (strcmp(prof.countries[k].code, get(geo, "country")->valuestring))
          continue;
        for (j = 0; j < prof.countries[k].city_pick.n; j++) {
          const struct bl_city *y = &prof.countries[k].cities[j];
          found |= strcmp(y->region, get(geo, "region")->valuestring) == 0 &&
                   y->utcoffset == get(geo, "utcoffset")->valueint &&
                   (!get(geo, "city") || strcmp(y->city, get(geo, "city")->valuestring) == 0);
        }
      }
      cr_assert(found, "geo %s not in the profile", cJSON_PrintUnformatted(geo));
    }
    cJSON_Delete(r);
  }
  cr_expect(with_geo > 4000 && with_geo < 5000, "geo present at the profile's rate: %d", with_geo);
  bl_buf_free(&b);
}


Test(bidload_synth, publishers_follow_zipf) {
  struct bl_synth s;
  struct bl_buf b;
  int n = 40000, i, sites = 0, top = 0;
  double h = 0, sh = 1.05, p1, sd;
  char first[128] = "";
  size_t k;

  bl_buf_init(&b, 0);
  /* Rank 1's name: the most frequent domain of a first sample. */
  bl_synth_init(&s, &prof, 1, 0);
  for (i = 0; i < n; i++) {
    cJSON *r = next(&s, &b);
    const cJSON *site = get(r, "site");
    if (site) {
      if (strcmp(get(site, "id")->valuestring, "s0") == 0) {
        top++;
        snprintf(first, sizeof first, "%s", get(site, "domain")->valuestring);
      }
      sites++;
    }
    cJSON_Delete(r);
  }
  for (k = 1; k <= prof.n_sites; k++)
    h += pow((double)k, -sh);
  p1 = 1 / h;
  sd = sqrt(sites * p1 * (1 - p1));
  cr_expect(fabs(top - sites * p1) < 5 * sd, "rank 1 share %d of %d, Zipf says %.0f", top, sites, sites * p1);
  cr_expect(first[0], "rank 1 seen");
  bl_buf_free(&b);
}


Test(bidload_synth, bidders_are_distinct_names_of_the_profile) {
  struct bl_synth s;
  struct bl_buf b;
  int i, with = 0, n = 10000;

  bl_buf_init(&b, 0);
  bl_synth_init(&s, &prof, 5, 0);
  for (i = 0; i < n; i++) {
    cJSON *r = next(&s, &b);
    const cJSON *bid = get(get(r, "ext"), "bidders"), *x, *y;
    if (bid) {
      int cnt = cJSON_GetArraySize(bid);
      with++;
      cr_assert(cnt >= prof.bidders_min && cnt <= prof.bidders_max);
      cJSON_ArrayForEach(x, bid) {
        size_t k;
        int known = 0;
        for (k = 0; k < prof.n_bidders; k++)
          known |= strcmp(prof.bidders[k], x->valuestring) == 0;
        cr_assert(known, "%s", x->valuestring);
        for (y = x->next; y; y = y->next)
          cr_assert(strcmp(x->valuestring, y->valuestring) != 0, "duplicate bidder");
      }
    }
    cJSON_Delete(r);
  }
  /* Present at the profile's rate (binomial, 5 standard deviations). */
  cr_expect(fabs(with - n * prof.field[BL_F_EXT_BIDDERS]) <
                5 * sqrt(n * prof.field[BL_F_EXT_BIDDERS] * (1 - prof.field[BL_F_EXT_BIDDERS])),
            "ext.bidders in %d of %d", with, n);
  bl_buf_free(&b);
}


static char *profile_error(const char *text) {
  char *dir = bgt_mkdtemp(), *path = bgt_fmt("%s/p.json", dir), err[512];
  struct bl_profile p;
  int rc;

  bgt_write_file(path, text, strlen(text));
  rc = bl_profile_load(&p, path, err, sizeof err);
  if (rc == 0)
    bl_profile_free(&p);
  bgt_rmrf(dir);
  free(dir);
  free(path);
  return rc ? strdup(err) : NULL;
}


Test(bidload_synth, bad_profiles_say_where_and_why) {
  static const struct {
    const char *text, *want;
  } cases[] = {
    {"{\"site_share\": ", "line 1: not valid JSON"},
    {"[1]", "must be a JSON object"},
    {"{\"sitez\": 1}", "sitez: unknown section"},
    {"{\"site_share\": 2}", "site_share: 2 is out of range"},
    {"{\"sites\": {\"count\": 0, \"zipf_s\": 1}}", "sites.count"},
    {"{\"devices\": []}", "devices: must not be empty"},
    {"{\"devices\": [{\"weight\": -1}]}", "devices[0].weight"},
    {"{\"devices\": [{\"weight\": 1, \"devicetype\": 9}]}", "devices[0].devicetype"},
    {"{\"geos\": [{\"weight\": 1, \"country\": \"US\"}]}", "not an ISO-3166-1 alpha-3 code"},
    {"{\"fields\": {\"user.nope\": 0.5}}", "fields.user.nope: unknown field"},
    {"{\"fields\": {\"user.id\": 1.5}}", "fields.user.id"},
    {"{\"bidders\": {\"names\": [\"a\"], \"min\": 1, \"max\": 2}}", "bidders.max"},
    {"{\"bidload_profile\": 2}", "unsupported version"},
    {"{\"tmax\": [{\"value\": 100, \"weight\": 0}]}", "positive sum"},
  };
  size_t i;

  for (i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *err = profile_error(cases[i].text);
    cr_expect(err && strstr(err, cases[i].want), "%s: got \"%s\", want \"%s\"", cases[i].text,
              err ? err : "(loaded)", cases[i].want);
    free(err);
  }
}


Test(bidload_synth, a_profile_overrides_only_its_sections) {
  static const char *const texts[2] = {
    "{\"site_share\": 1, \"devices\": [{\"weight\": 1, \"devicetype\": 4, \"make\": \"X\", \"model\": \"Y\","
    " \"os\": \"Android\", \"osv\": \"14\", \"w\": 360, \"h\": 800, \"ua\": \"Mozilla/5.0 (Linux; Android 14)\"}],"
    " \"fields\": {\"ext.bidders\": 1}}",
    "{\"site_share\": 0}",
  };
  int t, i;

  for (t = 0; t < 2; t++) {
    char *dir = bgt_mkdtemp(), *path = bgt_fmt("%s/p.json", dir), err[512];
    struct bl_profile p;
    struct bl_synth s;
    struct bl_buf b;
    int sites = 0;
    bgt_write_file(path, texts[t], strlen(texts[t]));
    cr_assert_eq(bl_profile_load(&p, path, err, sizeof err), 0, "%s", err);
    bl_buf_init(&b, 0);
    bl_synth_init(&s, &p, 1, 0);
    for (i = 0; i < 500; i++) {
      cJSON *r;
      b.len = 0;
      bl_synth_request(&s, &b);
      r = cJSON_ParseWithLength(b.data, b.len);
      check_request(r);
      sites += get(r, "site") != NULL;
      if (t == 0) {
        cr_assert(get(r, "ext"), "ext.bidders at rate 1");
        cr_assert_str_eq(get(get(r, "device"), "ua")->valuestring, "Mozilla/5.0 (Linux; Android 14)");
      }
      cJSON_Delete(r);
    }
    /* The default's geos, floors and so on are still there. */
    cr_expect_eq(p.n_countries, prof.n_countries);
    if (t == 0)
      cr_expect_eq(sites, 500);
    else
      /* Desktops and TVs keep their own site_share from the default devices. */
      cr_expect(sites < 200, "sites %d", sites);
    bl_buf_free(&b);
    bl_profile_free(&p);
    bgt_rmrf(dir);
    free(dir);
    free(path);
  }
}


Test(bidload_synth, dump_writes_the_seeded_requests) {
  const char *bidload = bgt_env("BG_TEST_BIDLOAD");
  char *a_argv[] = {(char *)bidload, "--dump", "300", "--seed", "3", NULL};
  char *c_argv[] = {(char *)bidload, "--dump", "300", "--seed", "4", NULL};
  char *a, *a2, *c, *line, *save = NULL;
  struct bl_synth s;
  struct bl_buf b;
  int lines = 0;

  cr_assert_eq(bgt_run(a_argv, NULL, &a, NULL), 0);
  cr_assert_eq(bgt_run(a_argv, NULL, &a2, NULL), 0);
  cr_assert_eq(bgt_run(c_argv, NULL, &c, NULL), 0);
  cr_expect_str_eq(a, a2, "same seed, same dump");
  cr_expect_str_neq(a, c, "another seed, another dump");
  /* The dump is the generator's stream 0, byte for byte. */
  bl_buf_init(&b, 0);
  bl_synth_init(&s, &prof, 3, 0);
  for (line = strtok_r(a, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    b.len = 0;
    bl_synth_request(&s, &b);
    cr_assert(strlen(line) == b.len && memcmp(line, b.data, b.len) == 0, "line %d", lines + 1);
    lines++;
  }
  cr_expect_eq(lines, 300);
  bl_buf_free(&b);
  free(a);
  free(a2);
  free(c);
}
