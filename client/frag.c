/* frag.c - renders a profile's constant JSON pieces and its sites' and apps' names once (see
 * frag.h). */
#include "frag.h"

#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "rng.h"

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


/* A fixed hash of a rank, so names depend on the rank alone. */
static uint64_t rank_hash(uint64_t rank, uint64_t salt) {
  uint64_t x = rank * 0x9e3779b97f4a7c15ULL ^ salt;

  return bl_splitmix64(&x);
}


void bl_frag_name(struct bl_buf *b, uint64_t rank, char sep) {
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
  bl_frag_name(b, rank, 0);
  bl_buf_str(b, tlds[rank_hash(rank, 1) & 7]);
}


static void add_iab_cats(struct bl_buf *b, uint64_t rank) {
  uint64_t h = rank_hash(rank, 2);

  bl_buf_lit(b, "[\"IAB");
  bl_buf_int(b, (int64_t)(1 + h % 26));
  if (h & 0x100) {
    bl_buf_char(b, '-');
    bl_buf_int(b, (int64_t)(1 + (h >> 9) % 12));
  }
  bl_buf_lit(b, "\"]");
}


/* Publishers own several sites or apps: about one per 8 ranks. */
static uint64_t publisher(const struct bl_profile *p, uint64_t rank, int app) {
  return rank_hash(rank, app ? 3 : 4) % (1 + (app ? p->n_apps : p->n_sites) / 8);
}


static void add_pub_name(struct bl_buf *b, uint64_t pub) {
  bl_buf_lit(b, "\"name\":\"");
  bl_frag_name(b, pub, ' ');
  bl_buf_lit(b, " Media\"}}");
}


void bl_frag_site(struct bl_buf *b, const struct bl_profile *p, uint64_t rank, int part) {
  switch (part) {
  case BL_S_HEAD:
    bl_buf_lit(b, ",\"site\":{\"id\":\"s");
    bl_buf_int(b, (int64_t)rank);
    bl_buf_lit(b, "\",\"domain\":\"");
    add_domain(b, rank);
    bl_buf_char(b, '"');
    break;
  case BL_S_PAGE:
    bl_buf_lit(b, ",\"page\":\"https://www.");
    add_domain(b, rank);
    bl_buf_char(b, '/');
    break;
  case BL_S_CAT:
    bl_buf_lit(b, ",\"cat\":");
    add_iab_cats(b, rank);
    break;
  case BL_S_MOBPUB:
    bl_buf_lit(b, ",\"mobile\":");
    bl_buf_char(b, (char)('0' + (rank_hash(rank, 5) % 3 == 0)));
    bl_buf_lit(b, ",\"publisher\":{");
    break;
  case BL_S_PUBID:
    bl_buf_lit(b, "\"id\":\"pub-");
    bl_buf_int(b, (int64_t)publisher(p, rank, 0));
    bl_buf_lit(b, "\",");
    break;
  default:
    add_pub_name(b, publisher(p, rank, 0));
    break;
  }
}


void bl_frag_app(struct bl_buf *b, const struct bl_profile *p, uint64_t rank, int part) {
  uint64_t store_id = 300000000 + rank_hash(rank, 6) % 1700000000;

  switch (part) {
  case BL_A_HEAD:
  case BL_A_HEAD_IOS:
    bl_buf_lit(b, ",\"app\":{\"id\":\"a");
    bl_buf_int(b, (int64_t)rank);
    bl_buf_lit(b, "\",\"name\":\"");
    bl_frag_name(b, rank, ' ');
    bl_buf_lit(b, "\",\"bundle\":\"");
    if (part == BL_A_HEAD_IOS) {
      bl_buf_int(b, (int64_t)store_id);
    } else {
      bl_buf_lit(b, "com.");
      bl_frag_name(b, rank, '.');
    }
    bl_buf_char(b, '"');
    break;
  case BL_A_STORE_IOS:
    bl_buf_lit(b, ",\"storeurl\":\"https://apps.apple.com/app/id");
    bl_buf_int(b, (int64_t)store_id);
    bl_buf_char(b, '"');
    break;
  case BL_A_STORE:
    bl_buf_lit(b, ",\"storeurl\":\"https://play.google.com/store/apps/details?id=com.");
    bl_frag_name(b, rank, '.');
    bl_buf_char(b, '"');
    break;
  case BL_A_CAT:
    bl_buf_lit(b, ",\"cat\":");
    add_iab_cats(b, rank + 7919);
    break;
  case BL_A_VERPUB:
    bl_buf_lit(b, ",\"ver\":\"");
    bl_buf_int(b, (int64_t)(1 + rank_hash(rank, 7) % 9));
    bl_buf_char(b, '.');
    bl_buf_int(b, (int64_t)(rank_hash(rank, 8) % 30));
    bl_buf_lit(b, "\",\"publisher\":{");
    break;
  case BL_A_PUBID:
    bl_buf_lit(b, "\"id\":\"apub-");
    bl_buf_int(b, (int64_t)publisher(p, rank, 1));
    bl_buf_lit(b, "\",");
    break;
  default:
    add_pub_name(b, publisher(p, rank, 1));
    break;
  }
}


/* ---- building the tables ---- */

/* Starts a table of n entries of `parts` pieces; -1 when out of memory. */
static int tab_init(struct bl_ftab *t, size_t n, size_t parts) {
  t->n = n;
  t->parts = parts;
  t->off = malloc((n * parts + 1) * sizeof *t->off);
  return t->off ? 0 : -1;
}


/* Marks where piece k (counting over the whole table) starts; the text so far is the pieces
 * before it. */
static void mark(struct bl_frags *f, struct bl_ftab *t, size_t k) {
  t->off[k] = (uint32_t)f->text.len;
}


static void end_tab(struct bl_frags *f, struct bl_ftab *t) {
  t->off[t->n * t->parts] = (uint32_t)f->text.len;
}


static void build_ranks(struct bl_frags *f, struct bl_ftab *t, const struct bl_profile *p,
                        void (*render)(struct bl_buf *, const struct bl_profile *, uint64_t, int)) {
  size_t r, k;

  for (r = 0; r < t->n; r++)
    for (k = 0; k < t->parts; k++) {
      mark(f, t, r * t->parts + k);
      render(&f->text, p, r, (int)k);
    }
  end_tab(f, t);
}


static void build_devices(struct bl_frags *f, const struct bl_profile *p) {
  struct bl_buf *b = &f->text;
  size_t i;

  for (i = 0; i < f->device.n; i++) {
    const struct bl_device *d = &p->devices[i];
    mark(f, &f->device, i * BL_D_PARTS + BL_D_UA);
    bl_buf_lit(b, ",\"device\":{\"ua\":");
    bl_buf_json_str(b, d->ua);
    mark(f, &f->device, i * BL_D_PARTS + BL_D_TYPE);
    bl_buf_lit(b, ",\"devicetype\":");
    bl_buf_int(b, d->devicetype);
    mark(f, &f->device, i * BL_D_PARTS + BL_D_MAKE);
    if (*d->make) {
      bl_buf_lit(b, ",\"make\":");
      bl_buf_json_str(b, d->make);
      bl_buf_lit(b, ",\"model\":");
      bl_buf_json_str(b, d->model);
    }
    mark(f, &f->device, i * BL_D_PARTS + BL_D_OS);
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
  }
  end_tab(f, &f->device);
}


static void build_geos(struct bl_frags *f, const struct bl_profile *p) {
  struct bl_buf *b = &f->text;
  size_t k, i, y = 0;

  for (k = 0; k < p->n_countries; k++) {
    const struct bl_country *c = &p->countries[k];
    mark(f, &f->lang, k);
    bl_buf_lit(b, ",\"language\":");
    bl_buf_json_str(b, c->language);
  }
  end_tab(f, &f->lang);
  for (k = 0; k < p->n_countries; k++) {
    const struct bl_country *c = &p->countries[k];
    f->city_base[k] = y;
    for (i = 0; i < c->city_pick.n; i++, y++) {
      const struct bl_city *t = &c->cities[i];
      mark(f, &f->city, y * BL_Y_PARTS + BL_Y_HEAD);
      bl_buf_lit(b, ",\"geo\":{\"country\":\"");
      bl_buf_str(b, c->code);
      bl_buf_lit(b, "\",\"region\":");
      bl_buf_json_str(b, t->region);
      mark(f, &f->city, y * BL_Y_PARTS + BL_Y_CITY);
      bl_buf_lit(b, ",\"city\":");
      bl_buf_json_str(b, t->city);
      mark(f, &f->city, y * BL_Y_PARTS + BL_Y_UTC);
      bl_buf_lit(b, ",\"utcoffset\":");
      bl_buf_int(b, t->utcoffset);
    }
  }
  end_tab(f, &f->city);
}


static void build_sizes(struct bl_frags *f, struct bl_ftab *t, const struct bl_size *z) {
  size_t i;

  for (i = 0; i < t->n; i++) {
    mark(f, t, i);
    bl_buf_lit(&f->text, "\"w\":");
    bl_buf_int(&f->text, z[i].w);
    bl_buf_lit(&f->text, ",\"h\":");
    bl_buf_int(&f->text, z[i].h);
  }
  end_tab(f, t);
}


/* Entries "PREFIX<v>" for each int of v. */
static void build_ints(struct bl_frags *f, struct bl_ftab *t, const char *prefix, const int *v) {
  size_t i;

  for (i = 0; i < t->n; i++) {
    mark(f, t, i);
    bl_buf_str(&f->text, prefix);
    bl_buf_int(&f->text, v[i]);
  }
  end_tab(f, t);
}


static void build_rest(struct bl_frags *f, const struct bl_profile *p) {
  struct bl_buf *b = &f->text;
  size_t i;

  build_sizes(f, &f->bsize, p->banner_sizes);
  build_sizes(f, &f->vsize, p->video_sizes);
  for (i = 0; i < f->duration.n; i++) {
    mark(f, &f->duration, i);
    bl_buf_lit(b, ",\"minduration\":");
    bl_buf_int(b, p->durations[i].min);
    bl_buf_lit(b, ",\"maxduration\":");
    bl_buf_int(b, p->durations[i].max);
  }
  end_tab(f, &f->duration);
  build_ints(f, &f->tmax, ",\"tmax\":", p->tmax);
  build_ints(f, &f->conntype, ",\"connectiontype\":", p->conntypes);
  for (i = 0; i < f->bidder.n; i++) {
    mark(f, &f->bidder, i);
    bl_buf_json_str(b, p->bidders[i]);
  }
  end_tab(f, &f->bidder);

  mark(f, &f->konst, BL_K_VIDEO_HEAD);
  bl_buf_lit(b, "\"video\":{\"mimes\":[");
  for (i = 0; i < p->n_video_mimes; i++) {
    if (i)
      bl_buf_char(b, ',');
    bl_buf_json_str(b, p->video_mimes[i]);
  }
  bl_buf_lit(b, "],");
  mark(f, &f->konst, BL_K_VIDEO_PROTO);
  bl_buf_lit(b, ",\"protocols\":[");
  for (i = 0; i < p->n_protocols; i++) {
    if (i)
      bl_buf_char(b, ',');
    bl_buf_int(b, p->protocols[i]);
  }
  bl_buf_lit(b, "],\"placement\":");
  mark(f, &f->konst, BL_K_FLOORCUR);
  bl_buf_lit(b, ",\"bidfloorcur\":");
  bl_buf_json_str(b, p->currency);
  mark(f, &f->konst, BL_K_CUR);
  bl_buf_lit(b, ",\"cur\":[");
  bl_buf_json_str(b, p->currency);
  bl_buf_char(b, ']');
  end_tab(f, &f->konst);
}


int bl_frags_build(struct bl_frags *f, const struct bl_profile *p) {
  size_t k, cities = 0;

  memset(f, 0, sizeof *f);
  for (k = 0; k < p->n_countries; k++)
    cities += p->countries[k].city_pick.n;
  f->city_base = malloc((p->n_countries ? p->n_countries : 1) * sizeof *f->city_base);
  if (!f->city_base ||
      tab_init(&f->site, p->n_sites < BL_FRAG_MAX_RANKS ? p->n_sites : BL_FRAG_MAX_RANKS, BL_S_PARTS) ||
      tab_init(&f->app, p->n_apps < BL_FRAG_MAX_RANKS ? p->n_apps : BL_FRAG_MAX_RANKS, BL_A_PARTS) ||
      tab_init(&f->device, p->device_pick.n, BL_D_PARTS) ||
      tab_init(&f->city, cities, BL_Y_PARTS) || tab_init(&f->lang, p->n_countries, 1) ||
      tab_init(&f->bsize, p->banner_pick.n, 1) || tab_init(&f->vsize, p->video_pick.n, 1) ||
      tab_init(&f->duration, p->duration_pick.n, 1) || tab_init(&f->tmax, p->tmax_pick.n, 1) ||
      tab_init(&f->conntype, p->conntype_pick.n, 1) || tab_init(&f->bidder, p->n_bidders, 1) ||
      tab_init(&f->konst, 1, BL_K_PARTS)) {
    bl_frags_free(f);
    return -1;
  }
  bl_buf_init(&f->text, 1 << 16);
  build_ranks(f, &f->site, p, bl_frag_site);
  build_ranks(f, &f->app, p, bl_frag_app);
  build_devices(f, p);
  build_geos(f, p);
  build_rest(f, p);
  return 0;
}


void bl_frags_free(struct bl_frags *f) {
  struct bl_ftab *t[] = {&f->site, &f->app, &f->device, &f->city, &f->lang, &f->bsize, &f->vsize,
                         &f->duration, &f->tmax, &f->conntype, &f->bidder, &f->konst};
  size_t i;

  for (i = 0; i < sizeof t / sizeof *t; i++)
    free(t[i]->off);
  free(f->city_base);
  bl_buf_free(&f->text);
  memset(f, 0, sizeof *f);
}
