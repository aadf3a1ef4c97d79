/* synth.c - writes seeded OpenRTB 2.5/2.6 BidRequests straight into a buffer (no JSON tree:
 * this runs once per request on the load path). Everything that depends only on the profile or
 * on a site's or app's rank is copied from the profile's pre-rendered pieces (frag.h); only what
 * is drawn per request is formatted here. */
#include "synth.h"

#include <math.h>

static const char *const sections[8] = {
  "news", "sport", "entertainment", "lifestyle", "business", "tech", "opinion", "video",
};

/* Two lowercase hex digits per byte value. */
static const char hex2[513] =
  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
  "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
  "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";


/* The low 8 * bytes hex digits of v (bytes <= 8), written in one piece at dst. */
static void put_hex(char *dst, uint64_t v, int bytes) {
  while (bytes--) {
    memcpy(dst + 2 * bytes, hex2 + 2 * (v & 255), 2);
    v >>= 8;
  }
}


/* A version-4 UUID from the generator, quoted. */
static void add_uuid(struct bl_synth *s, struct bl_buf *b) {
  uint64_t hi = bl_rng_next(&s->rng), lo = bl_rng_next(&s->rng);
  char u[38];

  hi = (hi & ~0xf000ULL) | 0x4000ULL;
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
  u[0] = u[37] = '"';
  put_hex(u + 1, hi >> 32, 4);
  u[9] = '-';
  put_hex(u + 10, hi >> 16, 2);
  u[14] = '-';
  put_hex(u + 15, hi, 2);
  u[19] = '-';
  put_hex(u + 20, lo >> 48, 2);
  u[24] = '-';
  put_hex(u + 25, lo, 6);
  bl_buf_add(b, u, sizeof u);
}


/* 16 hex digits of the next random number. */
static void add_hex64(struct bl_synth *s, struct bl_buf *b) {
  char h[16];

  put_hex(h, bl_rng_next(&s->rng), 8);
  bl_buf_add(b, h, sizeof h);
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


#define PUT(tab, i, part) bl_frag_put(b, &s->p->frags, &s->p->frags.tab, (i), (part))

/* Piece `part` of a site or app: from the tables for the common ranks, else written now. */
static void site_piece(struct bl_synth *s, struct bl_buf *b, size_t rank, int part) {
  if (rank < s->p->frags.site.n)
    PUT(site, rank, (size_t)part);
  else
    bl_frag_site(b, s->p, rank, part);
}


static void app_piece(struct bl_synth *s, struct bl_buf *b, size_t rank, int part) {
  if (rank < s->p->frags.app.n)
    PUT(app, rank, (size_t)part);
  else
    bl_frag_app(b, s->p, rank, part);
}


static void add_site(struct bl_synth *s, struct bl_buf *b) {
  size_t rank = pick(s, &s->p->site_rank);

  site_piece(s, b, rank, BL_S_HEAD);
  if (has(s, BL_F_SITE_PAGE)) {
    site_piece(s, b, rank, BL_S_PAGE);
    bl_buf_str(b, sections[bl_rng_below(&s->rng, 8)]);
    bl_buf_lit(b, "/article-");
    bl_buf_u32(b, bl_rng_below(&s->rng, 1000000));
    bl_buf_lit(b, ".html\"");
  }
  if (has(s, BL_F_SITE_REF)) {
    static const char *const refs[4] = {"https://www.google.com/", "https://www.facebook.com/",
                                        "https://t.co/", "https://www.bing.com/"};
    bl_buf_lit(b, ",\"ref\":\"");
    bl_buf_str(b, refs[bl_rng_below(&s->rng, 4)]);
    bl_buf_char(b, '"');
  }
  if (has(s, BL_F_SITE_CAT))
    site_piece(s, b, rank, BL_S_CAT);
  site_piece(s, b, rank, BL_S_MOBPUB);
  if (has(s, BL_F_PUBLISHER_ID))
    site_piece(s, b, rank, BL_S_PUBID);
  site_piece(s, b, rank, BL_S_PUBNAME);
}


static void add_app(struct bl_synth *s, struct bl_buf *b, const struct bl_device *d) {
  size_t rank = pick(s, &s->p->app_rank);
  int ios = d->os[0] == 'i' && d->os[1] == 'O';   /* "iOS": numeric App Store ids */

  app_piece(s, b, rank, ios ? BL_A_HEAD_IOS : BL_A_HEAD);
  if (has(s, BL_F_APP_STOREURL))
    app_piece(s, b, rank, ios ? BL_A_STORE_IOS : BL_A_STORE);
  if (has(s, BL_F_APP_CAT))
    app_piece(s, b, rank, BL_A_CAT);
  app_piece(s, b, rank, BL_A_VERPUB);
  if (has(s, BL_F_PUBLISHER_ID))
    app_piece(s, b, rank, BL_A_PUBID);
  app_piece(s, b, rank, BL_A_PUBNAME);
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
  PUT(konst, 0, BL_K_FLOORCUR);
}


static void add_banner(struct bl_synth *s, struct bl_buf *b) {
  const struct bl_profile *p = s->p;
  size_t z = pick(s, &p->banner_pick);
  int wh = bl_rng_chance(&s->rng, p->banner_wh_rate);
  /* Without w/h the sizes must come from format[] (OpenRTB 2.5 3.2.6). */
  int fmt = !wh || bl_rng_chance(&s->rng, p->banner_format_rate);

  bl_buf_lit(b, "\"banner\":{");
  if (wh) {
    PUT(bsize, z, 0);
    if (fmt)
      bl_buf_char(b, ',');
  }
  if (fmt) {
    int n = 1 + (int)bl_rng_below(&s->rng, (uint32_t)p->banner_format_max), i;
    bl_buf_lit(b, "\"format\":[{");
    PUT(bsize, z, 0);
    bl_buf_char(b, '}');
    for (i = 1; i < n; i++) {
      size_t o = pick(s, &p->banner_pick);
      if (o == z)
        continue;
      bl_buf_lit(b, ",{");
      PUT(bsize, o, 0);
      bl_buf_char(b, '}');
    }
    bl_buf_char(b, ']');
  }
  bl_buf_lit(b, ",\"pos\":");
  bl_buf_char(b, (char)('0' + bl_rng_below(&s->rng, 4)));
  bl_buf_char(b, '}');
}


static void add_video(struct bl_synth *s, struct bl_buf *b, int ctv) {
  const struct bl_profile *p = s->p;
  size_t z = pick(s, &p->video_pick), d = pick(s, &p->duration_pick);

  PUT(konst, 0, BL_K_VIDEO_HEAD);
  PUT(vsize, z, 0);
  PUT(duration, d, 0);
  PUT(konst, 0, BL_K_VIDEO_PROTO);
  /* placement 1 is in-stream; CTV is always in-stream, the web mostly so. */
  bl_buf_char(b, ctv ? '1' : (char)('1' + 2 * (bl_rng_below(&s->rng, 4) == 0)));
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
    bl_buf_u32(b, (uint32_t)(i + 1));
    bl_buf_lit(b, "\",");
    if (video)
      add_video(s, b, ctv);
    else
      add_banner(s, b);
    if (bl_rng_chance(&s->rng, p->tagid_rate)) {
      if (video)
        bl_buf_lit(b, ",\"tagid\":\"video-");
      else
        bl_buf_lit(b, ",\"tagid\":\"slot-");
      bl_buf_u32(b, bl_rng_below(&s->rng, 40));
      bl_buf_char(b, '"');
    }
    add_floor(s, b, video);
    if (bl_rng_chance(&s->rng, p->instl_rate))
      bl_buf_lit(b, ",\"instl\":1");
    if (bl_rng_chance(&s->rng, p->secure_rate))
      bl_buf_lit(b, ",\"secure\":1");
    if (bl_rng_chance(&s->rng, p->pmp_rate)) {
      bl_buf_lit(b, ",\"pmp\":{\"private_auction\":0,\"deals\":[{\"id\":\"deal-");
      bl_buf_u32(b, bl_rng_below(&s->rng, 500));
      bl_buf_lit(b, "\",\"bidfloor\":");
      bl_buf_fixed(b, 1.0 + bl_rng_below(&s->rng, 2000) / 100.0, 2);
      bl_buf_lit(b, "}]}");
    }
    bl_buf_char(b, '}');
  }
  bl_buf_char(b, ']');
}


static void add_geo(struct bl_synth *s, struct bl_buf *b, size_t country) {
  const struct bl_city *y;
  size_t c = pick(s, &s->p->countries[country].city_pick), at = s->p->frags.city_base[country] + c;

  y = &s->p->countries[country].cities[c];
  PUT(city, at, BL_Y_HEAD);
  if (has(s, BL_F_GEO_CITY))
    PUT(city, at, BL_Y_CITY);
  PUT(city, at, BL_Y_UTC);
  if (has(s, BL_F_GEO_LATLON)) {
    /* Within about 10 km of the city, as exchanges round user locations. */
    bl_buf_lit(b, ",\"lat\":");
    bl_buf_fixed(b, y->lat + (bl_rng_unit(&s->rng) - 0.5) * 0.2, 4);
    bl_buf_lit(b, ",\"lon\":");
    bl_buf_fixed(b, y->lon + (bl_rng_unit(&s->rng) - 0.5) * 0.2, 4);
  }
  bl_buf_lit(b, ",\"type\":2}");
}


static void add_device(struct bl_synth *s, struct bl_buf *b, size_t dev, size_t country, int app) {
  const struct bl_profile *p = s->p;
  const struct bl_device *d = &p->devices[dev];
  const struct bl_country *k = &p->countries[country];

  PUT(device, dev, BL_D_UA);
  if (has(s, BL_F_DEVICE_IP)) {
    /* The last octet zeroed, as exchanges truncate addresses for privacy. */
    bl_buf_lit(b, ",\"ip\":\"");
    bl_buf_u32(b, (uint32_t)k->octets[bl_rng_below(&s->rng, (uint32_t)k->n_octets)]);
    bl_buf_char(b, '.');
    bl_buf_u32(b, bl_rng_below(&s->rng, 256));
    bl_buf_char(b, '.');
    bl_buf_u32(b, bl_rng_below(&s->rng, 256));
    bl_buf_lit(b, ".0\"");
  }
  PUT(device, dev, BL_D_TYPE);
  if (*d->make && has(s, BL_F_DEVICE_MAKE))
    PUT(device, dev, BL_D_MAKE);
  PUT(device, dev, BL_D_OS);
  if (has(s, BL_F_DEVICE_LANGUAGE))
    PUT(lang, country, 0);
  if (has(s, BL_F_DEVICE_CONNTYPE))
    PUT(conntype, pick(s, &p->conntype_pick), 0);
  if (has(s, BL_F_DEVICE_DNT))
    bl_buf_lit(b, ",\"dnt\":1");
  if (has(s, BL_F_DEVICE_LMT))
    bl_buf_lit(b, ",\"lmt\":1");
  if (app && has(s, BL_F_DEVICE_IFA)) {
    bl_buf_lit(b, ",\"ifa\":");
    add_uuid(s, b);
  }
  if (has(s, BL_F_DEVICE_GEO))
    add_geo(s, b, country);
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
    add_hex64(s, b);
    bl_buf_char(b, '"');
    any = 1;
  }
  if (has(s, BL_F_USER_YOB)) {
    if (any)
      bl_buf_char(b, ',');
    bl_buf_lit(b, "\"yob\":");
    bl_buf_u32(b, 1950 + bl_rng_below(&s->rng, 58));
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
  bl_frag_name(b, bl_rng_below(&s->rng, 64), 0);
  bl_buf_lit(b, ".com\",\"sid\":\"");
  bl_buf_u32(b, bl_rng_below(&s->rng, 100000));
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
      PUT(bidder, i, 0);
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
  size_t dev = pick(s, &p->device_pick), country = pick(s, &p->country_pick);
  const struct bl_device *d = &p->devices[dev];
  double site_share = d->site_share >= 0 ? d->site_share : p->site_share;
  int app = !bl_rng_chance(&s->rng, site_share);
  int v26 = bl_rng_chance(&s->rng, p->v26_share);
  int coppa = has(s, BL_F_REGS_COPPA);
  int gdpr = p->countries[country].gdpr;

  /* Room for a typical request at once: the appends below then rarely grow the buffer. */
  bl_buf_reserve(b, 4096);
  bl_buf_lit(b, "{\"id\":\"");
  add_hex64(s, b);
  bl_buf_char(b, '"');
  add_imps(s, b, d);
  if (app)
    add_app(s, b, d);
  else
    add_site(s, b);
  add_device(s, b, dev, country, app);
  add_user(s, b);
  bl_buf_lit(b, ",\"at\":");
  bl_buf_char(b, bl_rng_chance(&s->rng, p->second_price_share) ? '2' : '1');
  if (has(s, BL_F_TMAX))
    PUT(tmax, pick(s, &p->tmax_pick), 0);
  PUT(konst, 0, BL_K_CUR);
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
        if (tid)
          bl_buf_char(b, ',');
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
    bl_buf_char(b, (char)('0' + gdpr));
  } else {
    bl_buf_lit(b, "\"ext\":{\"gdpr\":");
    bl_buf_char(b, (char)('0' + gdpr));
    bl_buf_char(b, '}');
  }
  bl_buf_char(b, '}');
  if (has(s, BL_F_EXT_BIDDERS))
    add_bidders(s, b);
  bl_buf_char(b, '}');
}
