/* fx_thrift.c - the "thrift" member of a feature spec entry: which fields of the Thrift
 * BidRequest (runtime/bidrequest.thrift, as listed in runtime/thrift_idl.h) feed the entry when
 * the model answers a Thrift call instead of an OpenRTB request (docs/features.md).
 *
 * The member is a field name or an array of alternatives (the first field the call set wins).
 * Each field must exist in the IDL and fit the entry's transform: vocabulary and hash read
 * strings; number, hour, dow, present and devicetype read any field; area has no Thrift
 * source (the IDL has no banner).
 */
#include "fxspec.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../runtime/thrift_idl.h"

struct idl_field {
  const char *name;
  int type;
};

static const struct idl_field fields[BG_THRIFT_MAX_ID + 1] = {
#define XX(id, name, type) [id] = {#name, type},
  BG_THRIFT_BIDREQUEST_FIELDS(XX)
#undef XX
};


const char *xgbc_fx_thrift_name(unsigned id) {
  return id <= BG_THRIFT_MAX_ID ? fields[id].name : NULL;
}


static const char *type_name(int type) {
  switch (type) {
  case BG_TT_STRING:
    return "string";
  case BG_TT_I32:
    return "i32";
  case BG_TT_I64:
    return "i64";
  default:
    return "other";
  }
}


/* The id of field name, or 0. */
static unsigned field_id(const char *name) {
  unsigned id;

  for (id = 1; id <= BG_THRIFT_MAX_ID; id++)
    if (fields[id].name != NULL && strcmp(fields[id].name, name) == 0)
      return id;
  return 0;
}


int xgbc_read_fx_thrift(const cJSON *j, struct xgbc_fx_entry *e, int ei, struct xgbc_diag *d) {
  char where[64], list[256];
  const cJSON *c;
  unsigned id;
  int n, k;

  e->num_thrift = 0;
  if (j == NULL)
    return 0;
  snprintf(where, sizeof where, "features[%d].thrift", ei);
  if (e->transform == XGBC_FX_AREA)
    return xgbc_fail(d, XGBC_EINVAL, where, "an \"area\" entry cannot have a Thrift source "
                     "(the Thrift BidRequest has no banner)");
  if (cJSON_IsString(j))
    n = 1;
  else if (cJSON_IsArray(j))
    n = cJSON_GetArraySize(j);
  else
    return xgbc_fail(d, XGBC_ESCHEMA, where, "must be a field name of the Thrift BidRequest or "
                     "an array of alternative field names");
  if (n < 1 || n > XGBC_FX_MAX_THRIFT)
    return xgbc_fail(d, XGBC_EINVAL, where, "holds %d fields; give 1 to %d alternatives", n,
                     XGBC_FX_MAX_THRIFT);
  k = 0;
  for (c = cJSON_IsString(j) ? j : j->child; c != NULL && k < n; c = c->next, k++) {
    if (cJSON_IsArray(j))
      snprintf(where, sizeof where, "features[%d].thrift[%d]", ei, k);
    if (!cJSON_IsString(c))
      return xgbc_fail(d, XGBC_ESCHEMA, where, "a Thrift source is a field name (a string)");
    if ((id = field_id(c->valuestring)) == 0) {
      list[0] = '\0';
      for (id = 1; id <= BG_THRIFT_MAX_ID; id++)
        if (fields[id].name != NULL)
          snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "",
                   fields[id].name);
      return xgbc_fail(d, XGBC_EINVAL, where, "\"%.64s\" is not a field of the Thrift "
                       "BidRequest (runtime/bidrequest.thrift: %s)", c->valuestring, list);
    }
    if ((e->transform == XGBC_FX_VOCABULARY || e->transform == XGBC_FX_HASH) &&
        fields[id].type != BG_TT_STRING)
      return xgbc_fail(d, XGBC_EINVAL, where, "%s is an %s field; a %s entry reads strings",
                       fields[id].name, type_name(fields[id].type),
                       e->transform == XGBC_FX_HASH ? "hash" : "vocabulary");
    e->thrift[e->num_thrift++] = (uint8_t)id;
  }
  return 0;
}
