/* features_rt.c - lookups and transforms for compiled feature extractors (see features_rt.h). */
#include "features_rt.h"

#include <math.h>
#include <string.h>
#include <threads.h>

#include "ascii.h"

#define MAX_FOLD 256 /* longest string a folding lookup lower-cases; longer ones are unknown */
#define MAX_UA 512   /* user agents are classified on their first MAX_UA bytes */


const cJSON *bg_fx_key(const cJSON *v, const char *key) {
  const cJSON *c;

  if (v == NULL || !cJSON_IsObject(v))
    return NULL;
  /* The first member of a name wins, as everywhere in bidgate (cJSON's getter does the same). */
  for (c = v->child; c != NULL; c = c->next)
    if (c->string != NULL && strcmp(c->string, key) == 0)
      break;
  return c != NULL && !cJSON_IsNull(c) ? c : NULL;
}


const cJSON *bg_fx_index(const cJSON *v, int i) {
  const cJSON *c;

  if (v == NULL || !cJSON_IsArray(v) || i < 0)
    return NULL;
  for (c = v->child; c != NULL && i > 0; c = c->next)
    i--;
  return c != NULL && !cJSON_IsNull(c) ? c : NULL;
}


float bg_fx_number(const cJSON *v, float dflt) {
  return v != NULL && cJSON_IsNumber(v) ? (float)v->valuedouble : dflt;
}


float bg_fx_present(const cJSON *v) {
  return v != NULL ? 1.0f : 0.0f;
}


float bg_fx_number_s(const struct bg_jv *v, float dflt) {
  return v != NULL && v->type == BG_JV_NUMBER ? (float)bg_jv_number(v) : dflt;
}


float bg_fx_present_s(const struct bg_jv *v) {
  return v != NULL ? 1.0f : 0.0f;
}


int bg_fx_word_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);

  if (c != 0)
    return c;
  return alen < blen ? -1 : alen > blen;
}


/* s lower-cased (ASCII only) into buf; returns n, or SIZE_MAX when s is too long. */
static size_t fold_into(char *buf, size_t cap, const char *s, size_t n) {
  if (n > cap)
    return (size_t)-1;
  bg_ascii_lower(buf, s, n);
  return n;
}


float bg_fx_vocab_bytes(const char *s, size_t len, const struct bg_fx_word *words, size_t n,
                        float unknown, int fold) {
  char buf[MAX_FOLD];
  size_t lo = 0, hi = n;

  if (fold) {
    if ((len = fold_into(buf, sizeof buf, s, len)) == (size_t)-1)
      return unknown;
    s = buf;
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = bg_fx_word_cmp(s, len, words[mid].s, words[mid].len);
    if (c == 0)
      return words[mid].id;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return unknown;
}


float bg_fx_vocab(const cJSON *v, const struct bg_fx_word *words, size_t n, float unknown,
                  float dflt, int fold) {
  if (v == NULL || !cJSON_IsString(v) || v->valuestring == NULL)
    return dflt;
  return bg_fx_vocab_bytes(v->valuestring, strlen(v->valuestring), words, n, unknown, fold);
}


/* The id of s[0..len) through a vocabulary's hash table, unknown when it is not there. */
static float vocab_hashed(const char *s, size_t len, const struct bg_fx_word *words,
                          const uint32_t *hash, uint32_t mask, float unknown, int fold) {
  char buf[MAX_FOLD];
  uint32_t at;

  /* No word is longer than MAX_FOLD - 1 bytes (read_features.c), so a longer string is
   * unknown, as bisection finds. */
  if (len >= MAX_FOLD)
    return unknown;
  if (fold) {
    bg_ascii_lower(buf, s, len);
    s = buf;
  }
  /* At most half the slots are full: an empty one ends every search. */
  for (at = bg_fx_word_hash(s, len) & mask; hash[at] != 0; at = (at + 1) & mask) {
    const struct bg_fx_word *w = &words[hash[at] - 1];
    if (w->len == len && memcmp(w->s, s, len) == 0)
      return w->id;
  }
  return unknown;
}


float bg_fx_vocab_s(const struct bg_jv *v, const struct bg_fx_word *words, const uint32_t *hash,
                    uint32_t mask, float unknown, float dflt, int fold) {
  char buf[MAX_FOLD + 4];
  size_t pos = 0, len;

  if (v == NULL || v->type != BG_JV_STRING)
    return dflt;
  if (!v->esc)
    return vocab_hashed(v->p, v->n, words, hash, mask, unknown, fold);
  len = bg_jv_decode(v, &pos, buf, sizeof buf);
  return vocab_hashed(buf, len, words, hash, mask, unknown, fold);
}


uint32_t bg_fx_fnv1a32(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  size_t i;

  for (i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}


/* FNV-1a 32 of h's bytes so far, then s[0..n), folding ASCII capitals when fold. */
static uint32_t fnv_update(uint32_t h, const char *s, size_t n, int fold) {
  size_t i;

  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (fold && c >= 'A' && c <= 'Z')
      c = (unsigned char)(c + ('a' - 'A'));
    h = (h ^ c) * 16777619u;
  }
  return h;
}


float bg_fx_hash(const cJSON *v, uint32_t buckets, float dflt, int fold) {
  if (v == NULL || !cJSON_IsString(v) || v->valuestring == NULL || buckets == 0)
    return dflt;
  /* Folding byte by byte needs no buffer and no length limit. */
  return (float)(fnv_update(2166136261u, v->valuestring, strlen(v->valuestring), fold) %
                 buckets);
}


float bg_fx_hash_s(const struct bg_jv *v, uint32_t buckets, float dflt, int fold) {
  uint32_t h = 2166136261u;
  size_t pos = 0;

  if (v == NULL || v->type != BG_JV_STRING || buckets == 0)
    return dflt;
  if (!v->esc) {
    h = fnv_update(h, v->p, v->n, fold);
  } else {
    while (pos < v->n) {
      char buf[256];
      size_t n = bg_jv_decode(v, &pos, buf, sizeof buf);
      h = fnv_update(h, buf, n, fold);
    }
  }
  return (float)(h % buckets);
}


/* The time in epoch seconds an hour/dow entry reads, shifted to local time; 0 when there is
 * none. has_ts: the timestamp is a number (ts); has_off: the offset is a number (off). */
static int local_time(int has_ts, double ts, int64_t now, unsigned flags, int has_off,
                      double off, int64_t *t) {
  if (has_ts && isfinite(ts)) {
    double s = ts / ((flags & BG_FX_TS_MS) ? 1000.0 : 1.0);
    if (!(s >= -1e13 && s <= 1e13)) {
      if (!(flags & BG_FX_TS_CLOCK))
        return 0;
      *t = now;
    } else {
      *t = (int64_t)floor(s);
    }
  } else if (flags & BG_FX_TS_CLOCK) {
    *t = now;
  } else {
    return 0;
  }
  if (has_off && off >= -1440.0 && off <= 1440.0)
    *t += (int64_t)floor(off * 60.0);
  return 1;
}


/* A cJSON or scanned value as local_time's (is a number, its value) pair. */
static int num_c(const cJSON *v, double *d) {
  if (v == NULL || !cJSON_IsNumber(v))
    return 0;
  *d = v->valuedouble;
  return 1;
}


static int num_s(const struct bg_jv *v, double *d) {
  if (v == NULL || v->type != BG_JV_NUMBER)
    return 0;
  *d = bg_jv_number(v);
  return 1;
}


/* a mod m in 0..m-1, for any sign of a. */
static int64_t floor_mod(int64_t a, int64_t m) {
  int64_t r = a % m;

  return r < 0 ? r + m : r;
}


static float hour_of(int64_t t) {
  return (float)(floor_mod(t, 86400) / 3600);
}


static float dow_of(int64_t t, enum bg_fx_week week) {
  int64_t days = (t - floor_mod(t, 86400)) / 86400;
  int64_t wday = floor_mod(days + 4, 7); /* 1970-01-01 was a Thursday; 0 = Sunday */

  switch (week) {
  case BG_FX_WEEK_SPARK:
    return (float)(wday + 1);
  case BG_FX_WEEK_ISO:
    return (float)(wday == 0 ? 7 : wday);
  case BG_FX_WEEK_UNIX:
    break;
  }
  return (float)wday;
}


float bg_fx_hour(const cJSON *ts, int64_t now, unsigned flags, const cJSON *utcoffset,
                 float dflt) {
  double a = 0, b = 0;
  int ha = num_c(ts, &a), hb = num_c(utcoffset, &b);
  int64_t t;

  return local_time(ha, a, now, flags, hb, b, &t) ? hour_of(t) : dflt;
}


float bg_fx_dow(const cJSON *ts, int64_t now, unsigned flags, const cJSON *utcoffset,
                enum bg_fx_week week, float dflt) {
  double a = 0, b = 0;
  int ha = num_c(ts, &a), hb = num_c(utcoffset, &b);
  int64_t t;

  return local_time(ha, a, now, flags, hb, b, &t) ? dow_of(t, week) : dflt;
}


float bg_fx_hour_s(const struct bg_jv *ts, int64_t now, unsigned flags,
                   const struct bg_jv *utcoffset, float dflt) {
  double a = 0, b = 0;
  int ha = num_s(ts, &a), hb = num_s(utcoffset, &b);
  int64_t t;

  return local_time(ha, a, now, flags, hb, b, &t) ? hour_of(t) : dflt;
}


float bg_fx_dow_s(const struct bg_jv *ts, int64_t now, unsigned flags,
                  const struct bg_jv *utcoffset, enum bg_fx_week week, float dflt) {
  double a = 0, b = 0;
  int ha = num_s(ts, &a), hb = num_s(utcoffset, &b);
  int64_t t;

  return local_time(ha, a, now, flags, hb, b, &t) ? dow_of(t, week) : dflt;
}


float bg_fx_area(const cJSON *banner, float dflt) {
  const cJSON *w = bg_fx_key(banner, "w"), *h = bg_fx_key(banner, "h"), *f;

  if (w == NULL || h == NULL || !cJSON_IsNumber(w) || !cJSON_IsNumber(h)) {
    f = bg_fx_index(bg_fx_key(banner, "format"), 0);
    w = bg_fx_key(f, "w");
    h = bg_fx_key(f, "h");
    if (w == NULL || h == NULL || !cJSON_IsNumber(w) || !cJSON_IsNumber(h))
      return dflt;
  }
  return (float)(w->valuedouble * h->valuedouble);
}


float bg_fx_area_s(const struct bg_jv *const sub[4], float dflt) {
  double w, h;

  if (num_s(sub[0], &w) && num_s(sub[1], &h))
    return (float)(w * h);
  if (num_s(sub[2], &w) && num_s(sub[3], &h))
    return (float)(w * h);
  return dflt;
}


/* User agent rules (docs/features.md): lower-case substrings, each setting one rule bit; the
 * first rule in priority order with a match decides. One pass over the agent finds them all
 * (an Aho-Corasick automaton, below). */
enum {
  R_CRAWLER = 1 << 0,
  R_TV = 1 << 1,
  R_CONSOLE = 1 << 2,
  R_FEATURE = 1 << 3,
  R_TABLET = 1 << 4,
  R_PHONE = 1 << 5,
  R_PC = 1 << 6,
  R_ANDROID = 1 << 7, /* an Android device that does not say "mobile" is a tablet */
  R_MOBILE = 1 << 8
};

struct needle {
  const char *s;
  unsigned len;
  unsigned bits;
};

static const struct needle needles[] = {
  {"; aft", 5, R_TV},
  {"android", 7, R_PHONE | R_ANDROID},
  {"android tv", 10, R_TV},
  {"apple tv", 8, R_TV},
  {"appletv", 7, R_TV},
  {"bb10", 4, R_PHONE},
  {"blackberry", 10, R_PHONE},
  {"bot)", 4, R_CRAWLER},
  {"bot-", 4, R_CRAWLER},
  {"bot/", 4, R_CRAWLER},
  {"bot;", 4, R_CRAWLER},
  {"bravia", 6, R_TV},
  {"crawler", 7, R_CRAWLER},
  {"crkey", 5, R_TV},
  {"cros", 4, R_PC},
  {"docomo", 6, R_FEATURE},
  {"facebookexternalhit", 19, R_CRAWLER},
  {"freebsd", 7, R_PC},
  {"googletv", 8, R_TV},
  {"hbbtv", 5, R_TV},
  {"iemobile", 8, R_PHONE},
  {"ipad", 4, R_TABLET},
  {"iphone", 6, R_PHONE},
  {"ipod", 4, R_PHONE},
  {"j2me", 4, R_FEATURE},
  {"kddi", 4, R_FEATURE},
  {"kindle", 6, R_TABLET},
  {"linux", 5, R_PC},
  {"mac os x", 8, R_PC},
  {"macintosh", 9, R_PC},
  {"mediapartners", 13, R_CRAWLER},
  {"midp", 4, R_FEATURE},
  {"mobile", 6, R_PHONE | R_MOBILE},
  {"netcast", 7, R_TV},
  {"nintendo", 8, R_CONSOLE},
  {"playbook", 8, R_TABLET},
  {"playstation", 11, R_CONSOLE},
  {"roku", 4, R_TV},
  {"series40", 8, R_FEATURE},
  {"series60", 8, R_FEATURE},
  {"silk/", 5, R_TABLET},
  {"slurp", 5, R_CRAWLER},
  {"smart-tv", 8, R_TV},
  {"smarttv", 7, R_TV},
  {"softbank", 8, R_FEATURE},
  {"spider", 6, R_CRAWLER},
  {"symbian", 7, R_FEATURE},
  {"tablet", 6, R_TABLET},
  {"up.browser", 10, R_FEATURE},
  {"viera", 5, R_TV},
  {"vodafone", 8, R_FEATURE},
  {"web0s", 5, R_TV},
  {"willcom", 7, R_FEATURE},
  {"windows", 7, R_PC},
  {"windows phone", 13, R_PHONE},
  {"x11", 3, R_PC},
  {"xbox", 4, R_CONSOLE},
};


/* The needles as one automaton (Aho-Corasick): the state after each byte of the agent is the
 * longest needle prefix the text so far ends with, and ua_out[state] the rule bits of every
 * needle ending there. Bytes are read through ua_class (a class per byte that some needle
 * holds, capitals folded onto lower case; 0 for the rest), so one lookup per byte finds them
 * all. Built once (call_once), read by every thread after. */
#define UA_STATES 400  /* >= 1 + the needles' bytes (checked when built) */
#define UA_CLASSES 40  /* >= 1 + the distinct bytes of the needles */
static unsigned char ua_class[256];
static uint16_t ua_next[UA_STATES][UA_CLASSES];
static uint16_t ua_out[UA_STATES];
static int ua_ok;
static once_flag ua_once = ONCE_FLAG_INIT;


static void build_ua(void) {
  static uint16_t fail[UA_STATES], queue[UA_STATES];
  const size_t count = sizeof needles / sizeof needles[0];
  unsigned n_states = 1, n_classes = 1, head = 0, tail = 0, k, c;
  size_t i;

  /* classes, and the trie of the needles (ua_next as goto: 0 means none) */
  for (k = 0; k < count; k++) {
    unsigned at = 0;
    for (i = 0; i < needles[k].len; i++) {
      unsigned char b = (unsigned char)needles[k].s[i];
      if (ua_class[b] == 0) {
        if (n_classes == UA_CLASSES)
          return;
        ua_class[b] = (unsigned char)n_classes;
        if (b >= 'a' && b <= 'z')
          ua_class[b - 'a' + 'A'] = (unsigned char)n_classes;
        n_classes++;
      }
      c = ua_class[b];
      if (ua_next[at][c] == 0) {
        if (n_states == UA_STATES)
          return;
        ua_next[at][c] = (uint16_t)n_states++;
      }
      at = ua_next[at][c];
    }
    ua_out[at] |= (uint16_t)needles[k].bits;
  }
  /* breadth first: failure links, outputs along them, and the missing transitions */
  for (c = 0; c < n_classes; c++)
    if (ua_next[0][c] != 0)
      queue[tail++] = ua_next[0][c]; /* fail = root */
  while (head < tail) {
    unsigned s = queue[head++];
    ua_out[s] |= ua_out[fail[s]];
    for (c = 0; c < n_classes; c++) {
      unsigned t = ua_next[s][c];
      if (t != 0) {
        fail[t] = ua_next[fail[s]][c];
        queue[tail++] = (uint16_t)t;
      } else {
        ua_next[s][c] = ua_next[fail[s]][c];
      }
    }
  }
  ua_ok = 1;
}


enum bg_fx_ua bg_fx_ua_class(const char *ua, size_t n) {
  const unsigned char *p = (const unsigned char *)ua;
  unsigned bits = 0, state = 0;
  size_t i;

  call_once(&ua_once, build_ua);
  if (!ua_ok)
    return BG_FX_UA_OTHER; /* the tables are too small for the needles: tests catch it */
  if (n > MAX_UA)
    n = MAX_UA;
  for (i = 0; i < n; i++) {
    state = ua_next[state][ua_class[p[i]]];
    bits |= ua_out[state];
  }
  if (bits & R_CRAWLER)
    return BG_FX_UA_CRAWLER;
  if (bits & R_TV)
    return BG_FX_UA_TV;
  if (bits & R_CONSOLE)
    return BG_FX_UA_CONSOLE;
  if (bits & R_FEATURE)
    return BG_FX_UA_FEATURE_PHONE;
  if ((bits & R_TABLET) || ((bits & R_ANDROID) && !(bits & R_MOBILE)))
    return BG_FX_UA_TABLET;
  if (bits & R_PHONE)
    return BG_FX_UA_PHONE;
  if (bits & R_PC)
    return BG_FX_UA_PC;
  return BG_FX_UA_OTHER;
}


/* device type from (is a number, its value) and the agent's first bytes (n = 0: none). */
static float devicetype(int has_dt, double d, const char *ua, size_t n, enum bg_fx_scale scale,
                        float dflt) {
  /* OpenRTB 1..7 -> woothee: mobile/tablet, phone, tablet -> smartphone; PC -> pc;
   * CTV, connected device, set-top box -> appliance. */
  static const float rtb_to_woothee[8] = {0, 0, 3, 2, 0, 0, 2, 2};
  /* enum bg_fx_ua -> each scale; NaN: no code on that scale, so dflt. */
  static const float ua_to_openrtb[] = {4, 5, 4, 2, 3, 6, NAN, NAN};
  static const float ua_to_woothee[] = {0, 0, 1, 3, 2, 2, 4, 5};
  enum bg_fx_ua c;
  float r;

  if (has_dt && d >= 1 && d <= 7 && d == floor(d))
    return scale == BG_FX_SCALE_WOOTHEE ? rtb_to_woothee[(int)d] : (float)d;
  if (n == 0)
    return dflt;
  c = bg_fx_ua_class(ua, n);
  r = scale == BG_FX_SCALE_WOOTHEE ? ua_to_woothee[c] : ua_to_openrtb[c];
  return isnan(r) ? dflt : r;
}


float bg_fx_devicetype(const cJSON *dt, const cJSON *ua, enum bg_fx_scale scale, float dflt) {
  double d = 0;
  int has_dt = num_c(dt, &d);

  if (ua == NULL || !cJSON_IsString(ua) || ua->valuestring == NULL)
    return devicetype(has_dt, d, NULL, 0, scale, dflt);
  return devicetype(has_dt, d, ua->valuestring, strlen(ua->valuestring), scale, dflt);
}


float bg_fx_devicetype_s(const struct bg_jv *dt, const struct bg_jv *ua, enum bg_fx_scale scale,
                         float dflt) {
  char buf[MAX_UA + 4];
  double d = 0;
  int has_dt = num_s(dt, &d);
  size_t pos = 0, n;

  if (ua == NULL || ua->type != BG_JV_STRING)
    return devicetype(has_dt, d, NULL, 0, scale, dflt);
  if (!ua->esc)
    return devicetype(has_dt, d, ua->p, ua->n, scale, dflt);
  /* Only the first MAX_UA bytes are classified. */
  n = bg_jv_decode(ua, &pos, buf, sizeof buf);
  return devicetype(has_dt, d, buf, n < MAX_UA ? n : MAX_UA, scale, dflt);
}
