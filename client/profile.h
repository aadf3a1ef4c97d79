/* profile.h - bidload's traffic profile: the distributions synth.c draws requests from.
 *
 * A profile is a JSON file (docs/bidload.md, "Profile format"); the default one,
 * client/profiles/default.json, is built into the binary. A user profile replaces only the
 * top-level sections it names: the others keep the default's values. Loading checks every field
 * (type, range, non-empty lists, weights with a positive sum) and the result is read-only, so
 * threads share one profile without locks. */
#ifndef BL_PROFILE_H
#define BL_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "frag.h"

/* A weighted choice among n items: cum[i] is the normalised cumulative weight (cum[n-1] == 1);
 * guide[j] is the first item a draw in [j/n, (j+1)/n) can pick (it shares cum's allocation). */
struct bl_choice {
  double *cum;
  uint32_t *guide;
  size_t n;
};

struct bl_device {
  int devicetype, w, h;
  const char *make, *model, *os, *osv, *ua;
  double site_share;   /* chance a request from this device comes from a site, else an app */
  double video_share;  /* chance an impression is video */
};

struct bl_city {
  const char *region, *city, *tz;
  int utcoffset;       /* minutes east of UTC, standard time */
  double lat, lon;
};

struct bl_country {
  const char *code;    /* ISO-3166-1 alpha-3 */
  const char *language;
  int gdpr;
  int *octets;         /* first octets of this country's IPv4 addresses */
  size_t n_octets;
  struct bl_city *cities;
  struct bl_choice city_pick;
};

struct bl_size {
  int w, h;
};

struct bl_duration {
  int min, max;
};

struct bl_profile {
  double v26_share, site_share, second_price_share;
  size_t n_sites, n_apps;
  struct bl_choice site_rank, app_rank;        /* Zipf over ranks */
  struct bl_device *devices;
  struct bl_choice device_pick;
  int *conntypes;
  struct bl_choice conntype_pick;
  struct bl_country *countries;
  size_t n_countries;
  struct bl_choice country_pick;
  struct bl_choice imp_count;                  /* 1..n impressions */
  double video_share, instl_rate, secure_rate, tagid_rate, pmp_rate;
  struct bl_size *banner_sizes;
  struct bl_choice banner_pick;
  double banner_wh_rate, banner_format_rate;
  int banner_format_max;
  struct bl_size *video_sizes;
  struct bl_choice video_pick;
  const char **video_mimes;
  size_t n_video_mimes;
  struct bl_duration *durations;
  struct bl_choice duration_pick;
  int *protocols;
  size_t n_protocols;
  double floor_rate, floor_median, floor_sigma, floor_video_mult;
  const char *currency;
  int *tmax;
  struct bl_choice tmax_pick;
  const char **bidders;
  size_t n_bidders;
  int bidders_min, bidders_max;
  /* presence rates of optional fields, by name (BL_FIELDS below) */
  double field[32];
  void *json[2];       /* the parsed default and user documents the strings point into */
  struct bl_frags frags;   /* the JSON pieces above, pre-rendered (frag.h) */
};

/* Optional fields and their names in the profile's "fields" object. */
#define BL_FIELDS(XX) \
  XX(EXT_BIDDERS, "ext.bidders") XX(USER_ID, "user.id") XX(USER_BUYERUID, "user.buyeruid") \
  XX(USER_YOB, "user.yob") XX(USER_GENDER, "user.gender") XX(DEVICE_IP, "device.ip") \
  XX(DEVICE_IFA, "device.ifa") XX(DEVICE_GEO, "device.geo") XX(GEO_CITY, "device.geo.city") \
  XX(GEO_LATLON, "device.geo.latlon") XX(DEVICE_LANGUAGE, "device.language") \
  XX(DEVICE_CONNTYPE, "device.connectiontype") XX(DEVICE_DNT, "device.dnt") \
  XX(DEVICE_LMT, "device.lmt") XX(DEVICE_MAKE, "device.make") XX(SITE_PAGE, "site.page") \
  XX(SITE_REF, "site.ref") XX(SITE_CAT, "site.cat") XX(APP_STOREURL, "app.storeurl") \
  XX(APP_CAT, "app.cat") XX(PUBLISHER_ID, "publisher.id") XX(SOURCE_TID, "source.tid") \
  XX(SOURCE_SCHAIN, "source.schain") XX(REGS_COPPA, "regs.coppa") XX(TMAX, "tmax") \
  XX(BCAT, "bcat")

enum bl_field {
#define BL_FIELD_ENUM(id, name) BL_F_##id,
  BL_FIELDS(BL_FIELD_ENUM)
#undef BL_FIELD_ENUM
  BL_F_COUNT
};

/* Largest Zipf universe a profile may ask for (the sampler keeps a table of this many doubles). */
#define BL_PROFILE_MAX_RANKS 1000000

/* Loads the built-in default profile overlaid with the file at path (NULL: the default alone).
 * Returns 0, or -1 with a message "FILE: WHERE: WHY" in err (errlen bytes) and nothing to free. */
int bl_profile_load(struct bl_profile *p, const char *path, char *err, size_t errlen);

/* Frees what bl_profile_load allocated. Cannot fail. */
void bl_profile_free(struct bl_profile *p);

/* An index in [0, c->n) drawn with u, a uniform number in [0, 1). Cannot fail. */
size_t bl_choice_pick(const struct bl_choice *c, double u);

/* The built-in default profile's text (client/profiles/default.json), NUL-terminated. */
extern const char bl_default_profile[];

#endif /* BL_PROFILE_H */
