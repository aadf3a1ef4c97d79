/* openrtb.c - body -> checked BidRequest (see openrtb.h). */
#include "openrtb.h"

#include <stdlib.h>
#include <string.h>

#include "http_errors.h"


int bg_openrtb_scan(const char *body, size_t len, const struct bg_js_paths *paths,
                    uint32_t max_imps, struct bg_arena *a, int need_bidders,
                    const struct bg_bidders *defaults, struct bg_bidreq *br,
                    const char **message) {
  struct bg_js_doc doc;
  const struct bg_jv *req, *list;
  uint32_t i;
  int err;

  memset(br, 0, sizeof *br);
  err = bg_js_scan(body, len, paths, max_imps, a, &doc, message);
  if (err == BG_JS_EBAD)
    return BG_HTTP_ERR_BAD_JSON;
  if (err != 0) {
    *message = "the JSON document needs more memory than the limit allows";
    return BG_HTTP_ERR_TOO_LARGE;
  }
  req = doc.request;
  br->request = req;
  if (req[BG_JS_REQ_SELF].type != BG_JV_OBJECT) {
    *message = "a BidRequest is a JSON object";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  if (req[BG_JS_REQ_ID].type == BG_JV_STRING)
    br->id_len = bg_jv_string(&req[BG_JS_REQ_ID], a, &br->id);
  if (req[BG_JS_REQ_ID].type != BG_JV_STRING || br->id_len == 0) {
    *message = "a BidRequest needs a non-empty string \"id\"";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  if (br->id_len == (size_t)-1) {
    *message = "the request needs more memory than the limit allows";
    return BG_HTTP_ERR_TOO_LARGE;
  }
  if (req[BG_JS_REQ_IMP].type != BG_JV_ARRAY || doc.n_imps == 0) {
    *message = "a BidRequest needs a non-empty \"imp\" array";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  br->imps = doc.imps;
  br->n_imp = doc.n_imps;
  br->imp_stride = paths->num_imp_slots;

  if (!need_bidders)
    return 0;
  /* Recorded only when ext is an object, as cJSON's lookup of ext.bidders read it. */
  list = bg_jv_get(&req[BG_JS_REQ_BIDDERS]);
  if (list == NULL) {
    br->bidders = *defaults;
  } else {
    if (list->type != BG_JV_ARRAY) {
      *message = "ext.bidders must be an array of strings";
      return BG_HTTP_ERR_NOT_BIDREQUEST;
    }
    for (i = 0; i < doc.n_bidders; i++)
      if (doc.bidders[i].type != BG_JV_STRING) {
        *message = "ext.bidders must be an array of strings";
        return BG_HTTP_ERR_NOT_BIDREQUEST;
      }
    /* Decoded in place: the list is this request's own. */
    for (i = 0; i < doc.n_bidders; i++) {
      struct bg_jv *b = &doc.bidders[i];
      const char *s;
      size_t n = bg_jv_string(b, a, &s);
      if (n == (size_t)-1) {
        *message = "the request needs more memory than the limit allows";
        return BG_HTTP_ERR_TOO_LARGE;
      }
      b->p = s;
      b->n = (uint32_t)n;
      b->esc = 0;
    }
    br->bidders.item = doc.bidders;
    br->bidders.n = doc.n_bidders;
  }
  if (br->bidders.n == 0) {
    *message = "this model scores each candidate bidder: send them in ext.bidders, or start "
               "bidgate with --bidders";
    return BG_HTTP_ERR_NO_BIDDERS;
  }
  return 0;
}


int bg_openrtb_imp_id(const struct bg_bidreq *br, uint32_t i, struct bg_arena *a,
                      const char **s, size_t *len) {
  const struct bg_jv *id = &br->imps[(size_t)i * br->imp_stride + BG_JS_IMP_ID];

  if (id->type != BG_JV_STRING)
    return 1;
  *len = bg_jv_string(id, a, s);
  return *len == (size_t)-1 ? -1 : 0;
}


int bg_bidders_from_list(const char *list, struct bg_bidders *out) {
  const char *p = list;
  uint32_t n = 0, cap = 0;

  out->item = NULL;
  out->n = 0;
  while (*p != '\0') {
    const char *s = p, *e;
    size_t len;
    char *name;
    while (*s == ' ')
      s++;
    e = s + strcspn(s, ",");
    p = *e == ',' ? e + 1 : e;
    while (e > s && e[-1] == ' ')
      e--;
    if (e == s)
      continue;
    len = (size_t)(e - s);
    if (n == cap) {
      struct bg_jv *grown = realloc(out->item, (cap = cap ? cap * 2 : 8) * sizeof *grown);
      if (grown == NULL)
        return -1;
      out->item = grown;
    }
    name = malloc(len + 1);
    if (name == NULL)
      return -1;
    memcpy(name, s, len);
    name[len] = '\0';
    memset(&out->item[n], 0, sizeof out->item[n]);
    out->item[n].p = name;
    out->item[n].n = (uint32_t)len;
    out->item[n].type = BG_JV_STRING;
    out->n = ++n;
  }
  return 0;
}


void bg_bidders_free(struct bg_bidders *b) {
  uint32_t i;

  for (i = 0; i < b->n; i++)
    free((char *)b->item[i].p);
  free(b->item);
  b->item = NULL;
  b->n = 0;
}
