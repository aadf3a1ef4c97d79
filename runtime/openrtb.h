/* openrtb.h - a request body into an OpenRTB BidRequest, checked just enough to be scored.
 *
 * What is checked (everything else, ext objects and unknown fields included, is left for the
 * feature extractor, which reads a wrong type as missing): the body is UTF-8 JSON with nothing
 * after the value (json_scan.c checks all of it in one pass, building no tree); it is an object
 * with a non-empty string "id" and a non-empty "imp" array. An element of imp[] that is not an
 * object cannot be scored: its rows fail open (decide.c). Candidate bidders come from the
 * request's ext.bidders (an array of strings) when present, else from the server's list.
 */
#ifndef BG_OPENRTB_H
#define BG_OPENRTB_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "json_scan.h"

/* Candidate bidders: decoded strings (BG_JV_STRING values without escapes), so they feed
 * $bidder entries and the answer as they are. */
struct bg_bidders {
  struct bg_jv *item;
  uint32_t n;
};

struct bg_bidreq {
  const char *id;              /* the request id, decoded (not NUL-terminated) */
  size_t id_len;
  const struct bg_jv *request; /* the request's recorded values (json_scan.h slots) */
  const struct bg_jv *imps;    /* per impression, imp_stride values; n_imp of them */
  uint32_t n_imp, imp_stride;
  struct bg_bidders bidders;
};

/* Scan body[0..len) (body[len] must be '\0') with the table paths (the compiled extractor's
 * scan_paths) and fill br; its arrays come from a. need_bidders: the model scores bidders, so
 * an empty candidate list is an error. max_imps: more impressions than this cannot be scored
 * (the caller's row limit): they are checked and counted, not kept. Returns 0 or
 * BG_HTTP_ERR_BAD_JSON, _NOT_BIDREQUEST, _NO_BIDDERS, _TOO_LARGE (the arena's limit), with
 * *message saying why. */
int bg_openrtb_scan(const char *body, size_t len, const struct bg_js_paths *paths,
                    uint32_t max_imps, struct bg_arena *a, int need_bidders,
                    const struct bg_bidders *defaults, struct bg_bidreq *br,
                    const char **message);

/* The id of impression i as the answer shows it: *s and its length, decoded into a when it has
 * escapes; returns 0, 1 when it has none (not an object, or no string "id": the answer says
 * null), or -1 when the arena is out. */
int bg_openrtb_imp_id(const struct bg_bidreq *br, uint32_t i, struct bg_arena *a,
                      const char **s, size_t *len);

/* Split a comma-separated list (spaces around names ignored, empty names dropped) into
 * strings that live as long as the process. Returns 0 or -1 when memory is out. */
int bg_bidders_from_list(const char *list, struct bg_bidders *out);

/* Release a list made by bg_bidders_from_list (also a partial one it failed to finish); b is
 * left empty. Never fails. */
void bg_bidders_free(struct bg_bidders *b);

#endif /* BG_OPENRTB_H */
