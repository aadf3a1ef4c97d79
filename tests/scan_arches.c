/* scan_arches.c - a helper program of test_json_scan.c: scans bodies whose strings put each
 * kind of special byte at every offset of a 16-byte block and prints what was recorded, so
 * the string scans of each instruction set (SSE2, NEON, the portable word) can be compared
 * byte for byte. The test builds it for this machine and for arm64 (run under qemu). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "json_scan.h"

/* arena.c installs cJSON hooks; this program links no cJSON. */
void cJSON_InitHooks(cJSON_Hooks *h) {
  (void)h;
}

/* The runtime's fixed nodes only: request, impression, id, imp, ext, ext.bidders, imp[].id. */
static const struct bg_js_node nodes[] = {
  {0, BG_JS_SCOPE_REQUEST, BG_JS_KEYS}, {0, BG_JS_SCOPE_IMP, BG_JS_KEYS},
  {1, BG_JS_SCOPE_REQUEST, 0},          {2, BG_JS_SCOPE_REQUEST, BG_JS_IMPS},
  {3, BG_JS_SCOPE_REQUEST, BG_JS_KEYS}, {4, BG_JS_SCOPE_REQUEST, BG_JS_BIDDERS},
  {1, BG_JS_SCOPE_IMP, 0},
};


static int key(int node, const char *k, size_t n) {
  if (node == 0 && n == 2 && memcmp(k, "id", 2) == 0)
    return 2;
  if (node == 0 && n == 3 && memcmp(k, "imp", 3) == 0)
    return 3;
  if (node == 0 && n == 3 && memcmp(k, "ext", 3) == 0)
    return 4;
  if (node == 4 && n == 7 && memcmp(k, "bidders", 7) == 0)
    return 5;
  if (node == 1 && n == 2 && memcmp(k, "id", 2) == 0)
    return 6;
  return -1;
}


static int index_of(int node, uint32_t i) {
  (void)node;
  (void)i;
  return -1;
}


static const struct bg_js_paths paths = {7, 5, 2, nodes, key, index_of};

static const char *const specials[] = {
  "\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
  "\t", "\x01", "\x7f", "\x80", "\xc3", "\xed\xa0\x80", "\\u0000", "\\x", "/", "\\"};


static void scan(const char *body, size_t len) {
  char *copy = malloc(len + 1);
  struct bg_arena a;
  struct bg_js_doc doc;
  const char *message = "", *s;
  size_t n, i;
  int err;

  if (copy == NULL)
    exit(1);
  memcpy(copy, body, len);
  copy[len] = '\0';
  bg_arena_init(&a, 256, 1 << 20);
  err = bg_js_scan(copy, len, &paths, 10, &a, &doc, &message);
  printf("%d %s", err, err ? message : "");
  if (err == 0) {
    const struct bg_jv *id = &doc.request[BG_JS_REQ_ID];
    printf(" id=%u/%u/%u:", id->type, id->n, id->esc);
    if (id->type == BG_JV_STRING)
      for (n = bg_jv_string(id, &a, &s), i = 0; i < n; i++)
        printf("%02x", (unsigned char)s[i]);
    printf(" imps=%u bidders=%u", doc.n_imps, doc.n_bidders);
  }
  printf("\n");
  bg_arena_free(&a);
  free(copy);
}


int main(void) {
  char body[512], str[128];
  int len, at, pre, n, i;
  size_t s;

  for (len = 0; len < 40; len++)
    for (at = 0; at <= len; at++)
      for (s = 0; s < sizeof specials / sizeof specials[0]; s++)
        for (pre = 0; pre < 3; pre++) {
          int bl;
          for (n = 0, i = 0; i < len; i++) {
            if (i == at)
              n += sprintf(str + n, "%s", specials[s]);
            str[n++] = (char)('a' + i % 26);
          }
          str[n] = '\0';
          bl = snprintf(body, sizeof body,
                        "%.*s{\"id\":\"%s\",\"imp\":[{\"id\":\"%s\"}],\"ext\":{\"bidders\":[\"%s\",1]}}",
                        pre, "   ", str, str, str);
          scan(body, (size_t)bl);
          scan(body, (size_t)bl - 1); /* cut short: strings end near the end of the body */
        }
  return 0;
}
