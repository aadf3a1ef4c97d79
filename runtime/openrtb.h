/* openrtb.h - a request body into an OpenRTB BidRequest, checked just enough to be scored.
 *
 * What is checked (everything else, ext objects and unknown fields included, is left for the
 * feature extractor, which reads a wrong type as missing): the body is UTF-8 JSON with nothing
 * after the value; it is an object with a non-empty string "id" and a non-empty "imp" array.
 * An element of imp[] that is not an object cannot be scored: its rows fail open (decide.c).
 * Candidate bidders come from the request's ext.bidders (an array of strings) when present,
 * else from the server's list.
 */
#ifndef BG_OPENRTB_H
#define BG_OPENRTB_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"

struct bg_bidders {
  const cJSON **item; /* cJSON strings */
  uint32_t n;
};

struct bg_bidreq {
  cJSON *root;
  const char *id;           /* the request id (a string of root) */
  const cJSON **imp;        /* n_imp elements of imp[], in order */
  uint32_t n_imp;
  struct bg_bidders bidders;
};

/* Parse body[0..len) (body[len] must be NUL) with cJSON, whose allocations go to the arena the
 * caller chose (bg_json_use_arena), and fill br; its arrays come from a. need_bidders: the model
 * scores bidders, so an empty candidate list is an error. Returns 0 or BG_HTTP_ERR_BAD_JSON,
 * _NOT_BIDREQUEST, _NO_BIDDERS, _TOO_LARGE (the arena's limit was reached). */
int bg_openrtb_parse(const char *body, size_t len, struct bg_arena *a, int need_bidders,
                     const struct bg_bidders *defaults, struct bg_bidreq *br,
                     const char **message);

/* Split a comma-separated list (spaces around names ignored, empty names dropped) into cJSON
 * strings that live as long as the process. Returns 0 or -1 when memory is out. */
int bg_bidders_from_list(const char *list, struct bg_bidders *out);

/* Whether s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF)
 * without control bytes other than tab, line feed and carriage return (JSON text allows no
 * others, escaped or not; NUL included). */
int bg_utf8_valid(const char *s, size_t n);

#endif /* BG_OPENRTB_H */
