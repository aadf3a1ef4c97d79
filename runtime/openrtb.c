/* openrtb.c - body -> checked BidRequest (see openrtb.h). */
#include "openrtb.h"

#include <stdlib.h>
#include <string.h>

#include "http_errors.h"


int bg_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str, *end = s + n;

  while (s < end) {
    unsigned c = *s;
    /* Eight bytes at a time while they are printable ASCII (no byte >= 0x80 or < 0x20). */
    if (end - s >= 8) {
      uint64_t x;
      memcpy(&x, s, 8);
      if (((x | (x - 0x2020202020202020u)) & 0x8080808080808080u) == 0) {
        s += 8;
        continue;
      }
    }
    if (c < 0x80) {
      /* JSON allows no raw control byte but whitespace, in or out of strings. */
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return 0;
      s++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      if (end - s < 2 || (s[1] & 0xc0) != 0x80)
        return 0;
      s += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
      if (end - s < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
        return 0;
      s += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
      if (end - s < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 ||
          (s[3] & 0xc0) != 0x80)
        return 0;
      s += 4;
    } else {
      return 0;
    }
  }
  return 1;
}


static int is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}


int bg_openrtb_parse(const char *body, size_t len, struct bg_arena *a, int need_bidders,
                     const struct bg_bidders *defaults, struct bg_bidreq *br,
                     const char **message) {
  const char *end = NULL;
  const cJSON *id, *imps, *c, *ext, *list;
  size_t before = a->total;
  uint32_t i, n;

  memset(br, 0, sizeof *br);
  if (!bg_utf8_valid(body, len)) {
    *message = "the body is not valid UTF-8 JSON text (or holds a raw control byte)";
    return BG_HTTP_ERR_BAD_JSON;
  }
  br->root = cJSON_ParseWithLengthOpts(body, len + 1, &end, 0);
  if (br->root == NULL) {
    /* cJSON reports a failed allocation as a syntax error; the arena knows better. */
    if (a->total + 4096 >= a->limit && a->total > before) {
      *message = "the JSON document needs more memory than the limit allows";
      return BG_HTTP_ERR_TOO_LARGE;
    }
    *message = len == 0 ? "the body is empty" : "the body is not valid JSON";
    return BG_HTTP_ERR_BAD_JSON;
  }
  while (end < body + len && is_ws(*end))
    end++;
  if (end != body + len) {
    *message = "the body holds something after the JSON value (or a NUL byte)";
    return BG_HTTP_ERR_BAD_JSON;
  }
  if (!cJSON_IsObject(br->root)) {
    *message = "a BidRequest is a JSON object";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  id = cJSON_GetObjectItemCaseSensitive(br->root, "id");
  if (!cJSON_IsString(id) || id->valuestring[0] == '\0') {
    *message = "a BidRequest needs a non-empty string \"id\"";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  br->id = id->valuestring;
  imps = cJSON_GetObjectItemCaseSensitive(br->root, "imp");
  if (!cJSON_IsArray(imps) || imps->child == NULL) {
    *message = "a BidRequest needs a non-empty \"imp\" array";
    return BG_HTTP_ERR_NOT_BIDREQUEST;
  }
  for (n = 0, c = imps->child; c != NULL; c = c->next)
    n++;
  br->imp = bg_arena_alloc(a, n * sizeof *br->imp);
  if (br->imp == NULL) {
    *message = "the request needs more memory than the limit allows";
    return BG_HTTP_ERR_TOO_LARGE;
  }
  for (i = 0, c = imps->child; c != NULL; c = c->next)
    br->imp[i++] = c;
  br->n_imp = n;

  if (!need_bidders)
    return 0;
  ext = cJSON_GetObjectItemCaseSensitive(br->root, "ext");
  list = cJSON_IsObject(ext) ? cJSON_GetObjectItemCaseSensitive(ext, "bidders") : NULL;
  if (list == NULL || cJSON_IsNull(list)) {
    br->bidders = *defaults;
  } else {
    if (!cJSON_IsArray(list)) {
      *message = "ext.bidders must be an array of strings";
      return BG_HTTP_ERR_NOT_BIDREQUEST;
    }
    for (n = 0, c = list->child; c != NULL; c = c->next, n++)
      if (!cJSON_IsString(c)) {
        *message = "ext.bidders must be an array of strings";
        return BG_HTTP_ERR_NOT_BIDREQUEST;
      }
    br->bidders.item = bg_arena_alloc(a, (n ? n : 1) * sizeof *br->bidders.item);
    if (br->bidders.item == NULL) {
      *message = "the request needs more memory than the limit allows";
      return BG_HTTP_ERR_TOO_LARGE;
    }
    for (i = 0, c = list->child; c != NULL; c = c->next)
      br->bidders.item[i++] = c;
    br->bidders.n = n;
  }
  if (br->bidders.n == 0) {
    *message = "this model scores each candidate bidder: send them in ext.bidders, or start "
               "bidgate with --bidders";
    return BG_HTTP_ERR_NO_BIDDERS;
  }
  return 0;
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
    cJSON *item;
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
      const cJSON **grown = realloc(out->item, (cap = cap ? cap * 2 : 8) * sizeof *grown);
      if (grown == NULL)
        return -1;
      out->item = grown;
    }
    name = malloc(len + 1);
    if (name == NULL)
      return -1;
    memcpy(name, s, len);
    name[len] = '\0';
    item = cJSON_CreateString(name);
    free(name);
    if (item == NULL)
      return -1;
    out->item[n++] = item;
    out->n = n;
  }
  return 0;
}
