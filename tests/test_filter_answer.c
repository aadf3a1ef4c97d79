/* test_filter_answer.c - the /v1/filter answer, end to end, for requests whose ids and bidder
 * names need escaping (quotes, backslashes, control bytes, \u escapes, surrogate pairs, a
 * \u0000 that ends a string), whose impressions are not all objects, and whose bidders come
 * from the request or from --bidders: every answer must be JSON (cJSON reads it), with the
 * request's id, each impression's id (or null), every candidate bidder in order, a score for
 * each scorable row and null with fail_open for the others. The expected strings are what
 * cJSON reads from the same request text. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"
#include "net.h"

TestSuite(filter_answer, .timeout = 120);

static const char *const ids[] = {
  "plain", "r\\u00e9q\\\"1\\\\", "\\ud83d\\ude00 smile", "cut\\u0000here", "ctl\\n\\t\\u0001\\u001f",
  "del\\u007f", "slash\\/ok", "\xc3\xa9t\xc3\xa9", "long-0123456789abcdef0123456789abcdef-x",
  "q\\\"", "\\\\"};

#define NIDS (sizeof ids / sizeof ids[0])


/* One request: its text (malloc'd), with n_imp impressions (every third not an object when
 * odd is set) and, when with_bidders, its own ext.bidders. */
static char *request_text(int k, int n_imp, int odd, int with_bidders) {
  char *s = bgt_fmt("{\"id\":\"%s\",\"imp\":[", ids[k % NIDS]), *t, *ext;
  int i;

  for (i = 0; i < n_imp; i++) {
    if (odd && i % 3 == 2)
      t = bgt_fmt("%s%s%s", s, i ? "," : "", i % 2 ? "null" : "7");
    else
      t = bgt_fmt("%s%s{\"id\":\"%s\",\"banner\":{\"w\":300,\"h\":250}}", s, i ? "," : "",
                  ids[(size_t)(k + i + 1) % NIDS]);
    free(s);
    s = t;
  }
  ext = with_bidders ? bgt_fmt(",\"ext\":{\"bidders\":[\"%s\",\"dsp-beta\",\"%s\"]}",
                               ids[(size_t)(k + 3) % NIDS], ids[(size_t)(k + 5) % NIDS])
                     : strdup("");
  t = bgt_fmt("%s],\"device\":{\"ua\":\"Mozilla/5.0 (iPhone)\",\"geo\":{\"region\":\"wa\"}}%s}",
              s, ext);
  free(s);
  free(ext);
  return t;
}


static void check_answer(const char *req_text, const char *body) {
  cJSON *req = cJSON_Parse(req_text), *ans = cJSON_Parse(body), *imps, *aimps, *a, *r;
  cJSON *ext, *list;
  const char *defaults[] = {"d1", "dsp-alpha"};
  int i = 0;

  cr_assert(req != NULL, "test request is not JSON: %s", req_text);
  cr_assert(ans != NULL, "the answer is not JSON: %s", body);
  cr_assert_str_eq(cJSON_GetObjectItem(ans, "id")->valuestring,
                   cJSON_GetObjectItem(req, "id")->valuestring, "%s", body);
  cr_assert(cJSON_IsString(cJSON_GetObjectItem(ans, "model")));
  imps = cJSON_GetObjectItem(req, "imp");
  aimps = cJSON_GetObjectItem(ans, "imp");
  cr_assert_eq(cJSON_GetArraySize(aimps), cJSON_GetArraySize(imps), "%s", body);
  ext = cJSON_GetObjectItem(req, "ext");
  list = ext ? cJSON_GetObjectItem(ext, "bidders") : NULL;
  cJSON_ArrayForEach(r, imps) {
    cJSON *ai = cJSON_GetArrayItem(aimps, i++), *aid = cJSON_GetObjectItem(ai, "id");
    cJSON *abid = cJSON_GetObjectItem(ai, "bidders");
    int k = 0, n = list ? cJSON_GetArraySize(list) : 2;
    if (cJSON_IsObject(r))
      cr_assert_str_eq(aid->valuestring, cJSON_GetObjectItem(r, "id")->valuestring, "%s", body);
    else
      cr_assert(cJSON_IsNull(aid), "%s", body);
    cr_assert_eq(cJSON_GetArraySize(abid), n, "%s", body);
    cJSON_ArrayForEach(a, abid) {
      const char *want = list ? cJSON_GetArrayItem(list, k)->valuestring : defaults[k];
      cJSON *score = cJSON_GetObjectItem(a, "score"), *reason = cJSON_GetObjectItem(a, "reason");
      cr_assert_str_eq(cJSON_GetObjectItem(a, "bidder")->valuestring, want, "%s", body);
      if (cJSON_IsObject(r)) {
        cr_assert(cJSON_IsNumber(score) && score->valuedouble > 0 && score->valuedouble < 1,
                  "%s", body);
        cr_assert_str_eq(reason->valuestring, "score", "%s", body);
      } else {
        cr_assert(cJSON_IsNull(score), "%s", body);
        cr_assert_str_eq(reason->valuestring, "fail_open", "%s", body);
        cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(a, "pass")), "%s", body);
      }
      k++;
    }
  }
  cJSON_Delete(req);
  cJSON_Delete(ans);
}


Test(filter_answer, escaped_ids_and_bidders_odd_impressions_one_connection) {
  const char *args[] = {"--bidders", "d1,dsp-alpha", NULL};
  struct bgt_server s = bgt_server_start(args);
  int fd = bgt_connect(s.port), k;

  for (k = 0; k < 300; k++) {
    char *text = request_text(k, 1 + k % 5, k % 2, k % 3 != 0), *req;
    struct bgt_response r;
    size_t n;
    req = bgt_post(text, &n);
    cr_assert_eq(bgt_send(fd, req, n), 0);
    r = bgt_read_response(fd);
    cr_assert_eq(r.status, 200, "%s -> %d %s", text, r.status, r.body);
    cr_assert_eq(strlen(r.body), r.body_len, "a NUL in the answer: %s", r.body);
    check_answer(text, r.body);
    bgt_response_free(&r);
    free(req);
    free(text);
  }
  bgt_close(fd);
  bgt_server_stop(&s);
}
