/* synth.c - writes seeded OpenRTB 2.5/2.6 BidRequests straight into a buffer (no JSON tree:
 * this runs once per request on the load path). */
#include "synth.h"

#include <math.h>

/* Words that publisher, app and page names are made of: 64 of them, so a rank below 4096 maps
 * to a unique pair. */
static const char *const words[64] = {
  "daily", "news", "sport", "tech", "auto", "travel", "recipe", "weather", "game", "puzzle",
  "music", "movie", "health", "money", "home", "garden", "style", "beauty", "science", "local",
  "world", "city", "metro", "planet", "pixel", "rocket", "star", "ocean", "river", "mountain",
  "urban", "family", "kids", "pet", "food", "chef", "fit", "run", "bike", "golf", "soccer",
  "hoop", "score", "market", "stock", "crypto", "deal", "shop", "craft", "photo", "video",
  "radio", "stream", "word", "quiz", "trivia", "solitaire", "chess", "race", "farm", "castle",
  "dragon", "hero", "block",
};

static const char *const tlds[8] = {".com", ".com", ".com", ".net", ".org", ".co.uk", ".de", ".io"};

static const char *const sections[8] = {
  "news", "sport", "entertainment", "lifestyle", "business", "tech", "opinion", "video",
};

static const char hexdig[] = "0123456789abcdef";


/* A fixed hash of a rank, so names depend on the rank alone. */
static uint64_t rank_hash(uint64_t rank, uint64_t salt) {
  uint64_t x = rank * 0x9e3779b97f4a7c15ULL ^ salt;

  return bl_splitmix64(&x);
}


/* words[a] + words[b] (+ base-36 suffix past 4096 ranks): unique per rank. */
static void add_name(struct bl_buf *b, uint64_t rank, char sep) {
  uint64_t x = (rank * 2654435761u + 1000) & 4095, hi = rank >> 12;
  char tmp[16];
  int n = 0;

  bl_buf_str(b, words[x >> 6]);
  if (sep)
    bl_buf_char(b, sep);
  bl_buf_str(b, words[x & 63]);
  while (hi) {
    tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[hi % 36];
    hi /= 36;
  }
  while (n)
    bl_buf_char(b, tmp[--n]);
}


static void add_domain(struct bl_buf *b, uint64_t rank) {
  add_name(b, rank, 0);
  bl_buf_str(b, tlds[rank_hash(rank, 1) & 7]);
}


/* The low `digits` hex digits of v, written in one piece. */
static void put_hex(char *dst, uint64_t v, int digits) {
  while (digits--) {
    dst[digits] = hexdig[v & 15];
    v >>= 4;
  }
}


static void add_hex(struct bl_buf *b, uint64_t v, int digits) {
  char tmp[16];

  put_hex(tmp, v, digits);
  bl_buf_add(b, tmp, (size_t)digits);
}


/* A version-4 UUID from the generator, quoted. */
static void add_uuid(struct bl_synth *s, struct bl_buf *b) {
  uint64_t hi = bl_rng_next(&s->rng), lo = bl_rng_next(&s->rng);
  char u[38];

  hi = (hi & ~0xf000ULL) | 0x4000ULL;
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
  u[0] = u[37] = '"';
  put_hex(u + 1, hi >> 32, 8);
  u[9] = '-';
  put_hex(u + 10, hi >> 16, 4);
  u[14] = '-';
  put_hex(u + 15, hi, 4);
  u[19] = '-';
  put_hex(u + 20, lo >> 48, 4);
  u[24] = '-';
  put_hex(u + 25, lo, 12);
  bl_buf_add(b, u, sizeof u);
}


static size_t pick(struct bl_synth *s, const struct bl_choice *c) {
  return bl_choice_pick(c, bl_rng_unit(&s->rng));
}


static int has(struct bl_synth *s, enum bl_field f) {
  return bl_rng_chance(&s->rng, s->p->field[f]);
}


/* A standard normal deviate (Box-Muller; one of the pair is enough here). */
static double normal(struct bl_synth *s) {
  double u = bl_rng_unit(&s->rng), v = bl_rng_unit(&s->rng);

  return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}


static void add_iab_cats(struct bl_synth *s, struct bl_buf *b, uint64_t rank) {
  uint64_t h = rank_hash(rank, 2);

  (void)s;
  bl_buf_lit(b, "[\"IAB");
  bl_buf_int(b, (int64_t)(1 + h % 26));
  if (h & 0x100) {
    bl_buf_char(b, '-');
    bl_buf_int(b, (int64_t)(1 + (h >> 9) % 12));
  }
  bl_buf_char(b, '"');
  bl_buf_char(b, ']');
}


static void add_publisher(struct bl_synth *s, struct bl_buf *b, uint64_t rank, int app) {
  /* Publishers own several sites or apps: about one per 8 ranks. */
  uint64_t pub = rank_hash(rank, app ? 3 : 4) % (1 + (app ? s->p->n_apps : s->p->n_sites) / 8);

  bl_buf_lit(b, ",\"publisher\":{");
  if (has(s, BL_F_PUBLISHER_ID)) {
    bl_buf_lit(b, "\"id\":\"");
    bl_buf_str(b, app ? "apub-" : "pub-");
    bl_buf_int(b, (int64_t)pub);
    bl_buf_lit(b, "\",");
  }
  bl_buf_lit(b, "\"name\":\"");
  add_name(b, pub, ' ');
  bl_buf_lit(b, " Media\"}");
}


static void add_site(struct bl_synth *s, struct bl_buf *b) {
  uint64_t rank = pick(s, &s->p->site_rank);

  bl_buf_lit(b, ",\"site\":{\"id\":\"s");
  bl_buf_int(b, (int64_t)rank);
  bl_buf_lit(b, "\",\"domain\":\"");
  add_domain(b, rank);
  bl_buf_char(b, '"');
  if (has(s, BL_F_SITE_PAGE)) {
    bl_buf_lit(b, ",\"page\":\"https://www.");
    add_domain(b, rank);
    bl_buf_char(b, '/');
    bl_buf_str(b, sections[bl_rng_below(&s->rng, 8)]);
    bl_buf_lit(b, "/article-");
    bl_buf_int(b, (int64_t)bl_rng_below(&s->rng, 1000000));
    bl_buf_lit(b, ".html\"");
  }
  if (has(s, BL_F_SITE_REF)) {
    static const char *const refs[4] = {"https://www.google.com/", "https://www.facebook.com/",
                                        "https://t.co/", "https://www.bing.com/"};
    bl_buf_lit(b, ",\"ref\":\"");
    bl_buf_str(b, refs[bl_rng_below(&s->rng, 4)]);
    bl_buf_char(b, '"');
  }
  if (has(s, BL_F_SITE_CAT)) {
    bl_buf_lit(b, ",\"cat\":");
    add_iab_cats(s, b, rank);
  }
  bl_buf_lit(b, ",\"mobile\":");
  bl_buf_char(b, (char)('0' + (rank_hash(rank, 5) % 3 == 0)));
  add_publisher(s, b, rank, 0);
  bl_buf_char(b, '}');
}


static void add_app(struct bl_synth *s, struct bl_buf *b, const struct bl_device *d) {
  uint64_t rank = pick(s, &s->p->app_rank);
  int ios = d->os[0] == 'i' && d->os[1] == 'O';   /* "iOS": numeric App Store ids */
  uint64_t store_id = 300000000 + rank_hash(rank, 6) % 1700000000;

  bl_buf_lit(b, ",\"app\":{\"id\":\"a");
  bl_buf_int(b, (int64_t)rank);
  bl_buf_lit(b, "\",\"name\":\"");
  add_name(b, rank, ' ');
  bl_buf_lit(b, "\",\"bundle\":\"");
  if (ios) {
    bl_buf_int(b, (int64_t)store_id);
  } else {
    bl_buf_lit(b, "com.");
    add_name(b, rank, '.');
  }
  bl_buf_char(b, '"');
  if (has(s, BL_F_APP_STOREURL)) {
    if (ios) {
      bl_buf_lit(b, ",\"storeurl\":\"https://apps.apple.com/app/id");
      bl_buf_int(b, (int64_t)store_id);
    } else {
      bl_buf_lit(b, ",\"storeurl\":\"https://play.google.com/store/apps/details?id=com.");
      add_name(b, rank, '.');
    }
    bl_buf_char(b, '"');
  }
  if (has(s, BL_F_APP_CAT)) {
    bl_buf_lit(b, ",\"cat\":");
    add_iab_cats(s, b, rank + 7919);
  }
  bl_buf_lit(b, ",\"ver\":\"");
  bl_buf_int(b, (int64_t)(1 + rank_hash(rank, 7) % 9));
  bl_buf_char(b, '.');
  bl_buf_int(b, (int64_t)(rank_hash(rank, 8) % 30));
  bl_buf_char(b, '"');
  add_publisher(s, b, rank, 1);
  bl_buf_char(b, '}');
}


static void add_floor(struct bl_synth *s, struct bl_buf *b, int video) {
  const struct bl_profile *p = s->p;
  double f;

  if (!bl_rng_chance(&s->rng, p->floor_rate))
    return;
  f = p->floor_median * exp(p->floor_sigma * normal(s)) * (video ? p->floor_video_mult : 1.0);
  if (f < 0.01)
    f = 0.01;
  if (f > 1000)
    f = 1000;
  bl_buf_lit(b, ",\"bidfloor\":");
  bl_buf_fixed(b, f, 2);
  bl_buf_lit(b, ",\"bidfloorcur\":");
  bl_buf_json_str(b, p->currency);
}


static void add_size(struct bl_buf *b, const struct bl_size *z) {
  bl_buf_lit(b, "\"w\":");
  bl_buf_int(b, z->w);
  bl_buf_lit(b, ",\"h\":");
  bl_buf_int(b, z->h);
}


static void add_banner(struct bl_synth *s, struct bl_buf *b) {
  const struct bl_profile *p = s->p;
  const struct bl_size *z = &p->banner_sizes[pick(s, &p->banner_pick)];
  int wh = bl_rng_chance(&s->rng, p->banner_wh_rate);
  /* Without w/h the sizes must come from format[] (OpenRTB 2.5 3.2.6). */
  int fmt = !wh || bl_rng_chance(&s->rng, p->banner_format_rate);

  bl_buf_lit(b, "\"banner\":{");
  if (wh) {
    add_size(b, z);
    if (fmt)
      bl_buf_char(b, ',');
  }
  if (fmt) {
    int n = 1 + (int)bl_rng_below(&s->rng, (uint32_t)p->banner_format_max), i;
    bl_buf_lit(b, "\"format\":[{");
    add_size(b, z);
    bl_buf_char(b, '}');
    for (i = 1; i < n; i++) {
      const struct bl_size *o = &p->banner_sizes[pick(s, &p->banner_pick)];
      if (o == z)
        continue;
      bl_buf_lit(b, ",{");
      add_size(b, o);
      bl_buf_char(b, '}');
    }
    bl_buf_char(b, ']');
  }
  bl_buf_lit(b, ",\"pos\":");
  bl_buf_int(b, (int64_t)bl_rng_below(&s->rng, 4));
  bl_buf_char(b, '}');
}


static void add_video(struct bl_synth *s, struct bl_buf *b, int ctv) {
  const struct bl_profile *p = s->p;
  const struct bl_size *z = &p->video_sizes[pick(s, &p->video_pick)];
  const struct bl_duration *d = &p->durations[pick(s, &p->duration_pick)];
  size_t i;

  bl_buf_lit(b, "\"video\":{\"mimes\":[");
  for (i = 0; i < p->n_video_mimes; i++) {
    if (i)
      bl_buf_char(b, ',');
    bl_buf_json_str(b, p->video_mimes[i]);
  }
  bl_buf_lit(b, "],");
  add_size(b, z);
  bl_buf_lit(b, ",\"minduration\":");
  bl_buf_int(b, d->min);
  bl_buf_lit(b, ",\"maxduration\":");
  bl_buf_int(b, d->max);
  bl_buf_lit(b, ",\"protocols\":[");
  for (i = 0; i < p->n_protocols; i++) {
    if (i)
      bl_buf_char(b, ',');
    bl_buf_int(b, p->protocols[i]);
  }
  /* placement 1 is in-stream; CTV is always in-stream, the web mostly so. */
  bl_buf_lit(b, "],\"placement\":");
  bl_buf_int(b, ctv ? 1 : 1 + 2 * (bl_rng_below(&s->rng, 4) == 0));
  bl_buf_lit(b, ",\"linearity\":1,\"startdelay\":0}");
}


static void add_imps(struct bl_synth *s, struct bl_buf *b, const struct bl_device *d) {
  const struct bl_profile *p = s->p;
  size_t n = 1 + pick(s, &p->imp_count), i;
  double video_share = d->video_share >= 0 ? d->video_share : p->video_share;
  int ctv = d->devicetype == 3 || d->devicetype == 7;

  bl_buf_lit(b, ",\"imp\":[");
  for (i = 0; i < n; i++) {
    int video = bl_rng_chance(&s->rng, video_share);
    if (i)
      bl_buf_char(b, ',');
    bl_buf_lit(b, "{\"id\":\"");
    bl_buf_int(b, (int64_t)(i + 1));
    bl_buf_lit(b, "\",");
    if (video)
      add_video(s, b, ctv);
    else
      add_banner(s, b);
    if (bl_rng_chance(&s->rng, p->tagid_rate)) {
      bl_buf_lit(b, ",\"tagid\":\"");
      bl_buf_str(b, video ? "video-" : "slot-");
      bl_buf_int(b, (int64_t)bl_rng_below(&s->rng, 40));
      bl_buf_char(b, '"');
    }
    add_floor(s, b, video);
    if (bl_rng_chance(&s->rng, p->instl_rate))
      bl_buf_lit(b, ",\"instl\":1");
    if (bl_rng_chance(&s->rng, p->secure_rate))
      bl_buf_lit(b, ",\"secure\":1");
    if (bl_rng_chance(&s->rng, p->pmp_rate)) {
      bl_buf_lit(b, ",\"pmp\":{\"private_auction\":0,\"deals\":[{\"id\":\"deal-");
      bl_buf_int(b, (int64_t)bl_rng_below(&s->rng, 500));
      bl_buf_lit(b, "\",\"bidfloor\":");
      bl_buf_fixed(b, 1.0 + bl_rng_below(&s->rng, 2000) / 100.0, 2);
      bl_buf_lit(b, "}]}");
    }
    bl_buf_char(b, '}');
  }
  bl_buf_char(b, ']');
}


static void add_geo(struct bl_synth *s, struct bl_buf *b, const struct bl_country *k) {
  const struct bl_city *y = &k->cities[pick(s, &k->city_pick)];

  bl_buf_lit(b, ",\"geo\":{\"country\":\"");
  bl_buf_str(b, k->code);
  bl_buf_lit(b, "\",\"region\":");
  bl_buf_json_str(b, y->region);
  if (has(s, BL_F_GEO_CITY)) {
    bl_buf_lit(b, ",\"city\":");
    bl_buf_json_str(b, y->city);
  }
  bl_buf_lit(b, ",\"utcoffset\":");
  bl_buf_int(b, y->utcoffset);
  if (has(s, BL_F_GEO_LATLON)) {
    /* Within about 10 km of the city, as exchanges round user locations. */
    bl_buf_lit(b, ",\"lat\":");
    bl_buf_fixed(b, y->lat + (bl_rng_unit(&s->rng) - 0.5) * 0.2, 4);
    bl_buf_lit(b, ",\"lon\":");
    bl_buf_fixed(b, y->lon + (bl_rng_unit(&s->rng) - 0.5) * 0.2, 4);
    bl_buf_lit(b, ",\"type\":2");
  } else {
    bl_buf_lit(b, ",\"type\":2");
  }
  bl_buf_char(b, '}');
}


static void add_device(struct bl_synth *s, struct bl_buf *b, const struct bl_device *d,
                       const struct bl_country *k, int app) {
  const struct bl_profile *p = s->p;

  bl_buf_lit(b, ",\"device\":{\"ua\":");
  bl_buf_json_str(b, d->ua);
  if (has(s, BL_F_DEVICE_IP)) {
    /* The last octet zeroed, as exchanges truncate addresses for privacy. */
    bl_buf_lit(b, ",\"ip\":\"");
    bl_buf_int(b, k->octets[bl_rng_below(&s->rng, (uint32_t)k->n_octets)]);
    bl_buf_char(b, '.');
    bl_buf_int(b, (int64_t)bl_rng_below(&s->rng, 256));
    bl_buf_char(b, '.');
    bl_buf_int(b, (int64_t)bl_rng_below(&s->rng, 256));
    bl_buf_lit(b, ".0\"");
  }
  bl_buf_lit(b, ",\"devicetype\":");
  bl_buf_int(b, d->devicetype);
  if (*d->make && has(s, BL_F_DEVICE_MAKE)) {
    bl_buf_lit(b, ",\"make\":");
    bl_buf_json_str(b, d->make);
    bl_buf_lit(b, ",\"model\":");
    bl_buf_json_str(b, d->model);
  }
  bl_buf_lit(b, ",\"os\":");
  bl_buf_json_str(b, d->os);
  if (*d->osv) {
    bl_buf_lit(b, ",\"osv\":");
    bl_buf_json_str(b, d->osv);
  }
  bl_buf_lit(b, ",\"w\":");
  bl_buf_int(b, d->w);
  bl_buf_lit(b, ",\"h\":");
  bl_buf_int(b, d->h);
  bl_buf_lit(b, ",\"js\":1");
  if (has(s, BL_F_DEVICE_LANGUAGE)) {
    bl_buf_lit(b, ",\"language\":");
    bl_buf_json_str(b, k->language);
  }
  if (has(s, BL_F_DEVICE_CONNTYPE)) {
    bl_buf_lit(b, ",\"connectiontype\":");
    bl_buf_int(b, p->conntypes[pick(s, &p->conntype_pick)]);
  }
  if (has(s, BL_F_DEVICE_DNT))
    bl_buf_lit(b, ",\"dnt\":1");
  if (has(s, BL_F_DEVICE_LMT))
    bl_buf_lit(b, ",\"lmt\":1");
  if (app && has(s, BL_F_DEVICE_IFA)) {
    bl_buf_lit(b, ",\"ifa\":");
    add_uuid(s, b);
  }
  if (has(s, BL_F_DEVICE_GEO))
    add_geo(s, b, k);
  bl_buf_char(b, '}');
}


static void add_user(struct bl_synth *s, struct bl_buf *b) {
  size_t start;
  int any = 0;

  bl_buf_lit(b, ",\"user\":{");
  start = b->len;
  if (has(s, BL_F_USER_ID)) {
    bl_buf_lit(b, "\"id\":");
    add_uuid(s, b);
    any = 1;
  }
  if (has(s, BL_F_USER_BUYERUID)) {
    if (any)
      bl_buf_char(b, ',');
    bl_buf_lit(b, "\"buyeruid\":\"");
    add_hex(b, bl_rng_next(&s->rng), 16);
    bl_buf_char(b, '"');
    any = 1;
  }
  if (has(s, BL_F_USER_YOB)) {
    if (any)
      bl_buf_char(b, ',');
    bl_buf_lit(b, "\"yob\":");
    bl_buf_int(b, 1950 + (int64_t)bl_rng_below(&s->rng, 58));
    any = 1;
  }
  if (has(s, BL_F_USER_GENDER)) {
    if (any)
      bl_buf_char(b, ',');
    bl_buf_lit(b, "\"gender\":\"");
    bl_buf_char(b, "MFO"[bl_rng_below(&s->rng, 3)]);
    bl_buf_char(b, '"');
    any = 1;
  }
  if (!any)
    b->len = start - 9;   /* no user object at all: drop the ,"user":{ just written */
  else
    bl_buf_char(b, '}');
}


static void add_schain(struct bl_synth *s, struct bl_buf *b) {
  bl_buf_lit(b, "{\"complete\":1,\"ver\":\"1.0\",\"nodes\":[{\"asi\":\"");
  add_name(b, bl_rng_below(&s->rng, 64), 0);
  bl_buf_lit(b, ".com\",\"sid\":\"");
  bl_buf_int(b, (int64_t)bl_rng_below(&s->rng, 100000));
  bl_buf_lit(b, "\",\"hp\":1}]}");
}


static void add_bidders(struct bl_synth *s, struct bl_buf *b) {
  const struct bl_profile *p = s->p;
  uint32_t n = (uint32_t)p->bidders_min + bl_rng_below(&s->rng, (uint32_t)(p->bidders_max - p->bidders_min + 1));
  uint32_t left = (uint32_t)p->n_bidders, i, k = 0;

  /* n distinct names in profile order (selection sampling, Knuth's algorithm S). */
  bl_buf_lit(b, ",\"ext\":{\"bidders\":[");
  for (i = 0; i < p->n_bidders && k < n; i++, left--) {
    if (bl_rng_below(&s->rng, left) < n - k) {
      if (k++)
        bl_buf_char(b, ',');
      bl_buf_json_str(b, p->bidders[i]);
    }
  }
  bl_buf_lit(b, "]}");
}


void bl_synth_init(struct bl_synth *s, const struct bl_profile *p, uint64_t seed, uint64_t stream) {
  s->p = p;
  bl_rng_seed(&s->rng, seed, stream);
}


void bl_synth_request(struct bl_synth *s, struct bl_buf *b) {
  const struct bl_profile *p = s->p;
  const struct bl_device *d = &p->devices[pick(s, &p->device_pick)];
  const struct bl_country *k = &p->countries[pick(s, &p->country_pick)];
  double site_share = d->site_share >= 0 ? d->site_share : p->site_share;
  int app = !bl_rng_chance(&s->rng, site_share);
  int v26 = bl_rng_chance(&s->rng, p->v26_share);
  int coppa = has(s, BL_F_REGS_COPPA);

  bl_buf_lit(b, "{\"id\":\"");
  add_hex(b, bl_rng_next(&s->rng), 16);
  bl_buf_char(b, '"');
  add_imps(s, b, d);
  if (app)
    add_app(s, b, d);
  else
    add_site(s, b);
  add_device(s, b, d, k, app);
  add_user(s, b);
  bl_buf_lit(b, ",\"at\":");
  bl_buf_char(b, bl_rng_chance(&s->rng, p->second_price_share) ? '2' : '1');
  if (has(s, BL_F_TMAX)) {
    bl_buf_lit(b, ",\"tmax\":");
    bl_buf_int(b, p->tmax[pick(s, &p->tmax_pick)]);
  }
  bl_buf_lit(b, ",\"cur\":[");
  bl_buf_json_str(b, p->currency);
  bl_buf_char(b, ']');
  if (has(s, BL_F_BCAT))
    bl_buf_lit(b, ",\"bcat\":[\"IAB25\",\"IAB26\"]");
  {
    int tid = has(s, BL_F_SOURCE_TID), schain = has(s, BL_F_SOURCE_SCHAIN);
    if (tid || schain) {
      bl_buf_lit(b, ",\"source\":{");
      if (tid) {
        bl_buf_lit(b, "\"tid\":");
        add_uuid(s, b);
      }
      if (schain) {
        /* OpenRTB 2.6 moved the supply chain from source.ext.schain to source.schain. */
        bl_buf_str(b, tid ? "," : "");
        if (v26) {
          bl_buf_lit(b, "\"schain\":");
          add_schain(s, b);
        } else {
          bl_buf_lit(b, "\"ext\":{\"schain\":");
          add_schain(s, b);
          bl_buf_char(b, '}');
        }
      }
      bl_buf_char(b, '}');
    }
  }
  /* 2.6 has regs.gdpr; 2.5 carried it in regs.ext.gdpr. */
  bl_buf_lit(b, ",\"regs\":{");
  if (coppa)
    bl_buf_lit(b, "\"coppa\":0,");
  if (v26) {
    bl_buf_lit(b, "\"gdpr\":");
    bl_buf_char(b, (char)('0' + k->gdpr));
  } else {
    bl_buf_lit(b, "\"ext\":{\"gdpr\":");
    bl_buf_char(b, (char)('0' + k->gdpr));
    bl_buf_char(b, '}');
  }
  bl_buf_char(b, '}');
  if (has(s, BL_F_EXT_BIDDERS))
    add_bidders(s, b);
  bl_buf_char(b, '}');
}
