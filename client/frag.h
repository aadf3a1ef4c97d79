/* frag.h - bidload's pre-rendered JSON: every piece of a request that depends only on the
 * profile or on a site's or app's Zipf rank, written once when the profile loads.
 *
 * A request is then mostly copies of these pieces between the few values drawn per request
 * (ids, which optional fields are present, floors, addresses). Pieces come in tables: entry i of
 * a table has `parts` pieces, each a run of the table's text. Sites and apps are rendered for
 * the first BL_FRAG_MAX_RANKS ranks (where Zipf puts nearly every request); the rare ranks past
 * that are written on the spot by the same functions (bl_frag_site, bl_frag_app), so a piece
 * reads the same either way. Read-only once built: threads share it without locks. */
#ifndef BL_FRAG_H
#define BL_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct bl_profile;

#define BL_FRAG_MAX_RANKS 32768

/* Pieces of a site: ,"site":{"id":..,"domain":.. | ,"page":"https://www.DOMAIN/ | ,"cat":[..] |
 * ,"mobile":M,"publisher":{ | "id":"pub-N", | "name":".. Media"}} (closes the site too). */
enum { BL_S_HEAD, BL_S_PAGE, BL_S_CAT, BL_S_MOBPUB, BL_S_PUBID, BL_S_PUBNAME, BL_S_PARTS };
/* Pieces of an app (HEAD and STORE in two flavours: iOS bundles are App Store numbers). */
enum { BL_A_HEAD, BL_A_HEAD_IOS, BL_A_STORE, BL_A_STORE_IOS, BL_A_CAT, BL_A_VERPUB, BL_A_PUBID,
       BL_A_PUBNAME, BL_A_PARTS };
/* A device: ,"device":{"ua":.. | ,"devicetype":N | ,"make":..,"model":.. (empty without a make) |
 * ,"os":..[,"osv":..],"w":W,"h":H,"js":1 */
enum { BL_D_UA, BL_D_TYPE, BL_D_MAKE, BL_D_OS, BL_D_PARTS };
/* A city (of its country): ,"geo":{"country":C,"region":R | ,"city":.. | ,"utcoffset":N */
enum { BL_Y_HEAD, BL_Y_CITY, BL_Y_UTC, BL_Y_PARTS };
/* Profile-wide constants. */
enum { BL_K_VIDEO_HEAD,   /* "video":{"mimes":[..], */
       BL_K_VIDEO_PROTO,  /* ,"protocols":[..],"placement": */
       BL_K_FLOORCUR,     /* ,"bidfloorcur":"USD" */
       BL_K_CUR,          /* ,"cur":["USD"] */
       BL_K_PARTS };

struct bl_ftab {
  uint32_t *off;              /* n * parts + 1 offsets into the text */
  size_t n, parts;
};

struct bl_frags {
  struct bl_buf text;
  struct bl_ftab site, app, device, city, lang, bsize, vsize, duration, tmax, conntype, bidder,
      konst;
  size_t *city_base;          /* country k's first city in `city` */
};

/* Piece `part` of entry i of t. */
static inline void bl_frag_put(struct bl_buf *b, const struct bl_frags *f, const struct bl_ftab *t,
                               size_t i, size_t part) {
  const uint32_t *o = t->off + i * t->parts + part;

  bl_buf_add(b, f->text.data + o[0], o[1] - o[0]);
}

/* Renders every table of p. Returns 0, or -1 when out of memory (f is then empty). */
int bl_frags_build(struct bl_frags *f, const struct bl_profile *p);

/* Frees what bl_frags_build allocated. Cannot fail. */
void bl_frags_free(struct bl_frags *f);

/* Piece `part` of the site or app of this rank, written to b (what the tables hold for ranks
 * below BL_FRAG_MAX_RANKS). Cannot fail. */
void bl_frag_site(struct bl_buf *b, const struct bl_profile *p, uint64_t rank, int part);
void bl_frag_app(struct bl_buf *b, const struct bl_profile *p, uint64_t rank, int part);

/* words[a] + sep + words[b] (+ a base-36 suffix past 4096 ranks): a name unique per rank. */
void bl_frag_name(struct bl_buf *b, uint64_t rank, char sep);

#endif /* BL_FRAG_H */
