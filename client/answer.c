/* answer.c - counts pass/drop/explore/fail_open decisions in bidgate's answers (cJSON). */
#include "answer.h"

#include <string.h>

#include <cjson/cJSON.h>


/* One decision from an object with "pass" and maybe "reason"; -1 when it has no "pass". */
static int classify(const cJSON *o) {
  const cJSON *pass = cJSON_GetObjectItemCaseSensitive(o, "pass");
  const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "reason");

  if (!cJSON_IsBool(pass))
    return -1;
  if (cJSON_IsString(reason) && strcmp(reason->valuestring, "explore") == 0)
    return BL_EXPLORE;
  if (cJSON_IsString(reason) && strcmp(reason->valuestring, "fail_open") == 0)
    return BL_FAIL_OPEN;
  return cJSON_IsTrue(pass) ? BL_PASS : BL_DROP;
}


int bl_answer_count(const char *body, size_t len, uint64_t counts[BL_DECISIONS]) {
  uint64_t add[BL_DECISIONS] = {0};
  const cJSON *imps, *imp, *bidder;
  cJSON *doc;
  int n = 0, d, i;

  if (len == 0 || body[0] != '{')
    return -1;
  doc = cJSON_ParseWithLength(body, len);
  if (!doc)
    return -1;
  imps = cJSON_GetObjectItemCaseSensitive(doc, "imp");
  if (!cJSON_IsArray(imps)) {
    cJSON_Delete(doc);
    return -1;
  }
  cJSON_ArrayForEach(imp, imps) {
    const cJSON *bidders = cJSON_GetObjectItemCaseSensitive(imp, "bidders");
    if (cJSON_IsArray(bidders)) {
      cJSON_ArrayForEach(bidder, bidders) {
        if ((d = classify(bidder)) >= 0) {
          add[d]++;
          n++;
        }
      }
    } else if ((d = classify(imp)) >= 0) {
      add[d]++;
      n++;
    }
  }
  cJSON_Delete(doc);
  for (i = 0; i < BL_DECISIONS; i++)
    counts[i] += add[i];
  return n;
}
