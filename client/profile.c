/* profile.c - loads and checks bidload's traffic profile (JSON, read with cJSON). */
#include "profile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Where a section comes from, for messages. */
struct ctx {
  const char *file;
  char *err;
  size_t errlen;
  char path[160];
};

static const char *const sections[] = {
  "bidload_profile", "openrtb_26_share", "site_share", "sites", "apps", "devices",
  "connectiontypes", "geos", "imps", "banner", "video", "floor", "tmax", "second_price_share",
  "bidders", "fields",
};

static const char *const field_names[] = {
#define BL_FIELD_NAME(id, name) name,
  BL_FIELDS(BL_FIELD_NAME)
#undef BL_FIELD_NAME
};


/* snprintf that truncates long paths silently (they only appear in messages). */
static void pathf(char *dst, size_t n, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(dst, n, fmt, ap);
  va_end(ap);
}


static int fail(struct ctx *c, const char *fmt, ...) {
  char why[200];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  snprintf(c->err, c->errlen, "%s: %s: %s", c->file, c->path, why);
  return -1;
}


/* Sets c->path to "base.key" or "base[i]" (key NULL). */
static void at(struct ctx *c, const char *base, const char *key, int i) {
  if (key)
    pathf(c->path, sizeof c->path, "%s%s%s", base, *base ? "." : "", key);
  else
    pathf(c->path, sizeof c->path, "%s[%d]", base, i);
}


static int get_num(struct ctx *c, const cJSON *o, const char *base, const char *key,
                   double lo, double hi, double dflt, int required, double *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  at(c, base, key, 0);
  if (!v) {
    if (required)
      return fail(c, "missing");
    *out = dflt;
    return 0;
  }
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
    return fail(c, "expected a number");
  if (v->valuedouble < lo || v->valuedouble > hi)
    return fail(c, "%g is out of range [%g, %g]", v->valuedouble, lo, hi);
  *out = v->valuedouble;
  return 0;
}


static int get_int(struct ctx *c, const cJSON *o, const char *base, const char *key,
                   int lo, int hi, int *out) {
  double d;

  if (get_num(c, o, base, key, lo, hi, 0, 1, &d))
    return -1;
  if (d != floor(d))
    return fail(c, "expected an integer");
  *out = (int)d;
  return 0;
}


static int get_str(struct ctx *c, const cJSON *o, const char *base, const char *key,
                   int may_be_empty, const char **out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  at(c, base, key, 0);
  if (!v)
    return fail(c, "missing");
  if (!cJSON_IsString(v))
    return fail(c, "expected a string");
  if (!may_be_empty && !*v->valuestring)
    return fail(c, "must not be empty");
  *out = v->valuestring;
  return 0;
}


/* An array item of o (or o itself when key is NULL) with at least one element. */
static int get_array(struct ctx *c, const cJSON *o, const char *base, const char *key,
                     const cJSON **out, size_t *n) {
  const cJSON *v = key ? cJSON_GetObjectItemCaseSensitive(o, key) : o;

  if (key)
    at(c, base, key, 0);
  else
    pathf(c->path, sizeof c->path, "%s", base);
  if (!v)
    return fail(c, "missing");
  if (!cJSON_IsArray(v))
    return fail(c, "expected an array");
  *n = (size_t)cJSON_GetArraySize(v);
  if (*n == 0)
    return fail(c, "must not be empty");
  if (*n > BL_PROFILE_MAX_RANKS)
    return fail(c, "too many entries");
  *out = v;
  return 0;
}


static int need_object(struct ctx *c, const cJSON *v, const char *path) {
  pathf(c->path, sizeof c->path, "%s", path);
  if (!cJSON_IsObject(v))
    return fail(c, "expected an object");
  return 0;
}


static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);

  if (!p) {
    fputs("bidload: out of memory\n", stderr);
    abort();
  }
  return p;
}


/* Turns w[0..n) into a normalised cumulative table; the weights were checked non-negative. */
static int make_choice(struct ctx *c, const double *w, size_t n, struct bl_choice *out) {
  double total = 0, run = 0;
  size_t i, j;

  for (i = 0; i < n; i++)
    total += w[i];
  if (!(total > 0))
    return fail(c, "the weights must have a positive sum");
  /* One block: the table, then its guide (so freeing cum frees both). */
  out->cum = xcalloc(n * sizeof *out->cum + n * sizeof *out->guide, 1);
  out->guide = (uint32_t *)(out->cum + n);
  out->n = n;
  for (i = 0; i < n; i++) {
    run += w[i];
    out->cum[i] = run / total;
  }
  out->cum[n - 1] = 1.0;
  /* guide[j]: the first index whose cumulative weight passes j / n. A draw in [j/n, (j+1)/n)
   * lands at or after it, so a short walk from there replaces the binary search. */
  for (i = 0, j = 0; j < n; j++) {
    while (out->cum[i] <= (double)j / (double)n)
      i++;
    out->guide[j] = (uint32_t)i;
  }
  return 0;
}


/* Zipf(s) over ranks 1..n: P(k) proportional to 1 / k^s. */
static int make_zipf(struct ctx *c, const cJSON *o, const char *name, size_t *n_out,
                     struct bl_choice *out) {
  double count, s, *w;
  size_t i, n;
  int rc;

  if (need_object(c, o, name) || get_num(c, o, name, "count", 1, BL_PROFILE_MAX_RANKS, 0, 1, &count) ||
      get_num(c, o, name, "zipf_s", 0, 10, 0, 1, &s))
    return -1;
  n = (size_t)count;
  w = xcalloc(n, sizeof *w);
  for (i = 0; i < n; i++)
    w[i] = pow((double)(i + 1), -s);
  rc = make_choice(c, w, n, out);
  free(w);
  *n_out = n;
  return rc;
}


/* A list of objects with a "weight" each at parent.key, each parsed by item(); fills pick and
 * *n_out (set as soon as *arr is allocated, so the caller can free partial work). */
typedef int (*item_fn)(struct ctx *c, const cJSON *o, const char *path, void *arr, size_t i);

static int weighted_list(struct ctx *c, const cJSON *parent, const char *base, const char *key,
                         size_t elem, item_fn item, void **arr, struct bl_choice *pick,
                         size_t *n_out) {
  const cJSON *list, *o;
  double *w;
  size_t n, i = 0;
  char name[160], path[160];
  int rc = 0;

  *arr = NULL;
  if (get_array(c, parent, base, key, &list, &n))
    return -1;
  pathf(name, sizeof name, "%s", c->path);
  *arr = xcalloc(n, elem);
  if (n_out)
    *n_out = n;
  w = xcalloc(n, sizeof *w);
  cJSON_ArrayForEach(o, list) {
    pathf(path, sizeof path, "%s[%zu]", name, i);
    if (need_object(c, o, path) || get_num(c, o, path, "weight", 0, 1e9, 0, 1, &w[i]) ||
        item(c, o, path, *arr, i)) {
      rc = -1;
      break;
    }
    i++;
  }
  if (rc == 0) {
    pathf(c->path, sizeof c->path, "%s", name);
    rc = make_choice(c, w, n, pick);
  }
  free(w);
  return rc;
}


static int device_item(struct ctx *c, const cJSON *o, const char *path, void *arr, size_t i) {
  struct bl_device *d = (struct bl_device *)arr + i;

  return get_int(c, o, path, "devicetype", 1, 7, &d->devicetype) ||
         get_int(c, o, path, "w", 1, 100000, &d->w) || get_int(c, o, path, "h", 1, 100000, &d->h) ||
         get_str(c, o, path, "make", 1, &d->make) || get_str(c, o, path, "model", 1, &d->model) ||
         get_str(c, o, path, "os", 0, &d->os) || get_str(c, o, path, "osv", 1, &d->osv) ||
         get_str(c, o, path, "ua", 0, &d->ua) ||
         get_num(c, o, path, "site_share", 0, 1, -1, 0, &d->site_share) ||
         get_num(c, o, path, "video_share", 0, 1, -1, 0, &d->video_share) ? -1 : 0;
}


static int value_item(struct ctx *c, const cJSON *o, const char *path, void *arr, size_t i) {
  return get_int(c, o, path, "value", 0, 1000000, (int *)arr + i);
}


static int size_item(struct ctx *c, const cJSON *o, const char *path, void *arr, size_t i) {
  struct bl_size *s = (struct bl_size *)arr + i;

  return get_int(c, o, path, "w", 1, 100000, &s->w) || get_int(c, o, path, "h", 1, 100000, &s->h)
             ? -1 : 0;
}


static int duration_item(struct ctx *c, const cJSON *o, const char *path, void *arr, size_t i) {
  struct bl_duration *d = (struct bl_duration *)arr + i;

  if (get_int(c, o, path, "min", 0, 86400, &d->min) || get_int(c, o, path, "max", 1, 86400, &d->max))
    return -1;
  if (d->max < d->min)
    return fail(c, "max is below min");
  return 0;
}


static int city_item(struct ctx *c, const cJSON *o, const char *path, void *arr, size_t i) {
  struct bl_city *y = (struct bl_city *)arr + i;
  const char *tz = "";

  if (cJSON_GetObjectItemCaseSensitive(o, "tz") && get_str(c, o, path, "tz", 0, &tz))
    return -1;
  y->tz = tz;
  return get_str(c, o, path, "region", 0, &y->region) || get_str(c, o, path, "city", 0, &y->city) ||
         get_int(c, o, path, "utcoffset", -720, 840, &y->utcoffset) ||
         get_num(c, o, path, "lat", -90, 90, 0, 1, &y->lat) ||
         get_num(c, o, path, "lon", -180, 180, 0, 1, &y->lon) ? -1 : 0;
}


static int int_list(struct ctx *c, const cJSON *o, const char *path, const char *key, int lo,
                    int hi, int **out, size_t *n_out) {
  const cJSON *list, *v;
  size_t n, i = 0;

  if (get_array(c, o, path, key, &list, &n))
    return -1;
  *out = xcalloc(n, sizeof **out);
  *n_out = n;
  cJSON_ArrayForEach(v, list) {
    char base[160];
    pathf(base, sizeof base, "%s.%s", path, key);
    at(c, base, NULL, (int)i);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
      return fail(c, "expected an integer in [%d, %d]", lo, hi);
    (*out)[i++] = (int)v->valuedouble;
  }
  return 0;
}


static int str_list(struct ctx *c, const cJSON *o, const char *path, const char *key,
                    const char ***out, size_t *n_out) {
  const cJSON *list, *v;
  size_t n, i = 0;

  if (get_array(c, o, path, key, &list, &n))
    return -1;
  *out = xcalloc(n, sizeof **out);
  *n_out = n;
  cJSON_ArrayForEach(v, list) {
    char base[160];
    pathf(base, sizeof base, "%s.%s", path, key);
    at(c, base, NULL, (int)i);
    if (!cJSON_IsString(v) || !*v->valuestring)
      return fail(c, "expected a non-empty string");
    (*out)[i++] = v->valuestring;
  }
  return 0;
}


static int country_item(struct ctx *c, const cJSON *o, const char *path, void *arr, size_t i) {
  struct bl_country *k = (struct bl_country *)arr + i;
  const char *s;
  void *list;
  int rc;

  if (get_str(c, o, path, "country", 0, &k->code))
    return -1;
  for (s = k->code; *s; s++)
    if (*s < 'A' || *s > 'Z')
      break;
  if (*s || s - k->code != 3)
    return fail(c, "\"%s\" is not an ISO-3166-1 alpha-3 code (three capital letters)", k->code);
  if (get_str(c, o, path, "language", 0, &k->language) || get_int(c, o, path, "gdpr", 0, 1, &k->gdpr) ||
      int_list(c, o, path, "ip_first_octets", 1, 223, &k->octets, &k->n_octets))
    return -1;
  rc = weighted_list(c, o, path, "cities", sizeof(struct bl_city), city_item, &list, &k->city_pick,
                     NULL);
  k->cities = list;
  return rc;
}


static int parse_fields(struct ctx *c, const cJSON *o, double *field) {
  const cJSON *v;
  size_t i;

  if (need_object(c, o, "fields"))
    return -1;
  cJSON_ArrayForEach(v, o) {
    for (i = 0; i < BL_F_COUNT; i++)
      if (strcmp(v->string, field_names[i]) == 0)
        break;
    at(c, "fields", v->string, 0);
    if (i == BL_F_COUNT)
      return fail(c, "unknown field (known: see docs/bidload.md)");
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1)
      return fail(c, "expected a presence rate in [0, 1]");
    field[i] = v->valuedouble;
  }
  return 0;
}


/* The section named key: the user's if it has one, else the default's. Sets c->file. */
static const cJSON *section(struct ctx *c, cJSON *const doc[2], const char *const files[2],
                            const char *key) {
  const cJSON *v = doc[1] ? cJSON_GetObjectItemCaseSensitive(doc[1], key) : NULL;

  c->file = files[v ? 1 : 0];
  return v ? v : cJSON_GetObjectItemCaseSensitive(doc[0], key);
}


static int parse(struct ctx *c, struct bl_profile *p, cJSON *const doc[2], const char *const files[2]) {
  const cJSON *s;
  void *arr;
  size_t cnt;
  int i;

#define SEC(key) (s = section(c, doc, files, key))
#define TOP (doc[c->file == files[1]])
  if (SEC("bidload_profile") && (!cJSON_IsNumber(s) || s->valuedouble != 1)) {
    pathf(c->path, sizeof c->path, "bidload_profile");
    return fail(c, "unsupported version (this bidload reads version 1)");
  }
  SEC("openrtb_26_share");
  if (get_num(c, TOP, "", "openrtb_26_share", 0, 1, 0.7, 0, &p->v26_share))
    return -1;
  SEC("site_share");
  if (get_num(c, TOP, "", "site_share", 0, 1, 0.5, 1, &p->site_share))
    return -1;
  SEC("second_price_share");
  if (get_num(c, TOP, "", "second_price_share", 0, 1, 0, 1, &p->second_price_share))
    return -1;
  if (make_zipf(c, SEC("sites"), "sites", &p->n_sites, &p->site_rank) ||
      make_zipf(c, SEC("apps"), "apps", &p->n_apps, &p->app_rank))
    return -1;
  SEC("devices");
  if (weighted_list(c, TOP, "", "devices", sizeof *p->devices, device_item, &arr,
                    &p->device_pick, NULL))
    return (p->devices = arr), -1;
  p->devices = arr;
  SEC("connectiontypes");
  if (weighted_list(c, TOP, "", "connectiontypes", sizeof(int), value_item, &arr,
                    &p->conntype_pick, NULL))
    return (p->conntypes = arr), -1;
  p->conntypes = arr;
  SEC("geos");
  i = weighted_list(c, TOP, "", "geos", sizeof *p->countries, country_item, &arr,
                    &p->country_pick, &p->n_countries);
  p->countries = arr;
  if (i)
    return -1;

  if (need_object(c, SEC("imps"), "imps"))
    return -1;
  {
    const cJSON *list, *v;
    double w[8];
    if (get_array(c, s, "imps", "count_weights", &list, &cnt))
      return -1;
    if (cnt > 8)
      return fail(c, "at most 8 impressions per request");
    i = 0;
    cJSON_ArrayForEach(v, list) {
      at(c, "imps.count_weights", NULL, i);
      if (!cJSON_IsNumber(v) || v->valuedouble < 0)
        return fail(c, "expected a non-negative weight");
      w[i++] = v->valuedouble;
    }
    pathf(c->path, sizeof c->path, "imps.count_weights");
    if (make_choice(c, w, cnt, &p->imp_count))
      return -1;
  }
  if (get_num(c, s, "imps", "video_share", 0, 1, 0, 1, &p->video_share) ||
      get_num(c, s, "imps", "instl_rate", 0, 1, 0, 1, &p->instl_rate) ||
      get_num(c, s, "imps", "secure_rate", 0, 1, 0, 1, &p->secure_rate) ||
      get_num(c, s, "imps", "tagid_rate", 0, 1, 0, 1, &p->tagid_rate) ||
      get_num(c, s, "imps", "pmp_rate", 0, 1, 0, 1, &p->pmp_rate))
    return -1;

  if (need_object(c, SEC("banner"), "banner"))
    return -1;
  i = weighted_list(c, s, "banner", "sizes", sizeof *p->banner_sizes, size_item, &arr, &p->banner_pick, NULL);
  p->banner_sizes = arr;
  if (i || get_num(c, s, "banner", "wh_rate", 0, 1, 0, 1, &p->banner_wh_rate) ||
      get_num(c, s, "banner", "format_rate", 0, 1, 0, 1, &p->banner_format_rate) ||
      get_int(c, s, "banner", "format_max", 1, 10, &p->banner_format_max))
    return -1;

  if (need_object(c, SEC("video"), "video"))
    return -1;
  i = weighted_list(c, s, "video", "sizes", sizeof *p->video_sizes, size_item, &arr, &p->video_pick, NULL);
  p->video_sizes = arr;
  if (i)
    return -1;
  i = weighted_list(c, s, "video", "durations", sizeof *p->durations, duration_item, &arr, &p->duration_pick, NULL);
  p->durations = arr;
  if (i || str_list(c, s, "video", "mimes", &p->video_mimes, &p->n_video_mimes) ||
      int_list(c, s, "video", "protocols", 1, 20, &p->protocols, &p->n_protocols))
    return -1;

  if (need_object(c, SEC("floor"), "floor") ||
      get_num(c, s, "floor", "rate", 0, 1, 0, 1, &p->floor_rate) ||
      get_num(c, s, "floor", "median", 0, 1000, 0, 1, &p->floor_median) ||
      get_num(c, s, "floor", "sigma", 0, 5, 0, 1, &p->floor_sigma) ||
      get_num(c, s, "floor", "video_multiplier", 0, 1000, 1, 0, &p->floor_video_mult) ||
      get_str(c, s, "floor", "currency", 0, &p->currency))
    return -1;

  SEC("tmax");
  i = weighted_list(c, TOP, "", "tmax", sizeof(int), value_item, &arr, &p->tmax_pick, NULL);
  p->tmax = arr;
  if (i)
    return -1;

  if (need_object(c, SEC("bidders"), "bidders") ||
      str_list(c, s, "bidders", "names", &p->bidders, &p->n_bidders) ||
      get_int(c, s, "bidders", "min", 1, 1000, &p->bidders_min) ||
      get_int(c, s, "bidders", "max", 1, 1000, &p->bidders_max))
    return -1;
  if (p->bidders_max < p->bidders_min || (size_t)p->bidders_max > p->n_bidders) {
    pathf(c->path, sizeof c->path, "bidders.max");
    return fail(c, "must be at least min and at most the number of names");
  }
  /* Fields: the default's rates, then the user's on top, so a user file may set only some. */
  c->file = files[0];
  if (parse_fields(c, cJSON_GetObjectItemCaseSensitive(doc[0], "fields"), p->field))
    return -1;
  if (doc[1] && cJSON_GetObjectItemCaseSensitive(doc[1], "fields")) {
    c->file = files[1];
    if (parse_fields(c, cJSON_GetObjectItemCaseSensitive(doc[1], "fields"), p->field))
      return -1;
  }
#undef SEC
#undef TOP
  return 0;
}


static char *read_all(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  size_t len = 0, cap = 0, got;

  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return NULL;
  }
  do {
    if (len + 4096 + 1 > cap) {
      char *d = realloc(data, cap = cap ? cap * 2 : 65536);
      if (!d) {
        free(data);
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
      }
      data = d;
    }
    got = fread(data + len, 1, cap - len - 1, f);
    len += got;
  } while (got > 0 && len < (64u << 20));
  if (ferror(f) || len >= (64u << 20)) {
    snprintf(err, errlen, "%s: %s", path, ferror(f) ? strerror(errno) : "larger than 64 MiB");
    free(data);
    fclose(f);
    return NULL;
  }
  fclose(f);
  data[len] = 0;
  return data;
}


static cJSON *parse_doc(const char *text, const char *file, char *err, size_t errlen) {
  const char *end = NULL;
  cJSON *doc = cJSON_ParseWithOpts(text, &end, 1);
  const cJSON *v;
  size_t i;

  if (!doc) {
    const char *e = cJSON_GetErrorPtr();
    int line = 1;
    for (const char *q = text; e && q < e; q++)
      line += *q == '\n';
    snprintf(err, errlen, "%s: line %d: not valid JSON", file, line);
    return NULL;
  }
  if (!cJSON_IsObject(doc)) {
    snprintf(err, errlen, "%s: the profile must be a JSON object", file);
    cJSON_Delete(doc);
    return NULL;
  }
  cJSON_ArrayForEach(v, doc) {
    for (i = 0; i < sizeof sections / sizeof *sections; i++)
      if (strcmp(v->string, sections[i]) == 0)
        break;
    if (i == sizeof sections / sizeof *sections) {
      snprintf(err, errlen, "%s: %s: unknown section (see docs/bidload.md)", file, v->string);
      cJSON_Delete(doc);
      return NULL;
    }
  }
  return doc;
}


int bl_profile_load(struct bl_profile *p, const char *path, char *err, size_t errlen) {
  const char *files[2] = {"built-in default profile", path};
  cJSON *doc[2] = {NULL, NULL};
  struct ctx c = {"", err, errlen, ""};
  char *text;

  memset(p, 0, sizeof *p);
  doc[0] = parse_doc(bl_default_profile, files[0], err, errlen);
  if (!doc[0])
    return -1;
  if (path) {
    text = read_all(path, err, errlen);
    if (!text) {
      cJSON_Delete(doc[0]);
      return -1;
    }
    doc[1] = parse_doc(text, path, err, errlen);
    free(text);
    if (!doc[1]) {
      cJSON_Delete(doc[0]);
      return -1;
    }
  }
  p->json[0] = doc[0];
  p->json[1] = doc[1];
  if (parse(&c, p, doc, files)) {
    bl_profile_free(p);
    return -1;
  }
  if (bl_frags_build(&p->frags, p)) {
    snprintf(err, errlen, "%s: out of memory", path ? path : files[0]);
    bl_profile_free(p);
    return -1;
  }
  return 0;
}


void bl_profile_free(struct bl_profile *p) {
  size_t i;

  free(p->site_rank.cum);
  free(p->app_rank.cum);
  free(p->devices);
  free(p->device_pick.cum);
  free(p->conntypes);
  free(p->conntype_pick.cum);
  if (p->countries)
    for (i = 0; i < p->n_countries; i++) {
      free(p->countries[i].octets);
      free(p->countries[i].cities);
      free(p->countries[i].city_pick.cum);
    }
  free(p->countries);
  free(p->country_pick.cum);
  free(p->imp_count.cum);
  free(p->banner_sizes);
  free(p->banner_pick.cum);
  free(p->video_sizes);
  free(p->video_pick.cum);
  free(p->video_mimes);
  free(p->durations);
  free(p->duration_pick.cum);
  free(p->protocols);
  free(p->tmax);
  free(p->tmax_pick.cum);
  free(p->bidders);
  cJSON_Delete(p->json[0]);
  cJSON_Delete(p->json[1]);
  bl_frags_free(&p->frags);
  memset(p, 0, sizeof *p);
}


size_t bl_choice_pick(const struct bl_choice *c, double u) {
  size_t j = (size_t)(u * (double)c->n), i;

  /* The first i with u < cum[i]; cum[n-1] is 1 and u < 1, so it exists. */
  i = c->guide[j < c->n ? j : c->n - 1];
  while (u >= c->cum[i])
    i++;
  return i;
}
