/* jsonbody.h - JSON request bodies of the raw-feature routes (SageMaker, KServe): the checked
 * parse, numbers into float32 feature rows, and media types.
 *
 * The same rules as /v1/filter's bodies (openrtb.h): UTF-8 JSON text without raw control bytes,
 * nothing after the value, cJSON's nodes in the connection's arena.
 */
#ifndef BG_JSONBODY_H
#define BG_JSONBODY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "arena.h"

/* Parse body[0..len) (body[len] is NUL) into *root, cJSON's allocations in a. Returns 0, or
 * BG_HTTP_ERR_BAD_JSON or _TOO_LARGE with *message set. */
int bg_json_body(const char *body, size_t len, struct bg_arena *a, cJSON **root,
                 const char **message);

/* Count the numbers (and nulls) of a JSON array, nested arrays flattened in row-major order.
 * Returns the count, or -1 when an element is neither a number, null nor an array (or nesting is
 * deeper than 32). */
long bg_json_count_numbers(const cJSON *array);

/* Write those elements as float32 into out (null: NaN, "missing"); out holds
 * bg_json_count_numbers(array) floats. Returns how many were written. Never fails once counted. */
size_t bg_json_floats(const cJSON *array, float *out);

/* Whether the media type in content_type (lower case, parameters after ';' ignored, spaces
 * around it too) is type. */
int bg_media_type_is(const char *content_type, const char *type);

/* Which of the offered media types (NULL-ended, in the server's order of preference) an Accept
 * header value (lower case) takes: its index, or -1 when it takes none. An empty header takes
 * the first. q-values of 0 refuse a type; otherwise the header's order wins, then the server's. */
int bg_accept_pick(const char *accept, const char *const *offered);

#endif /* BG_JSONBODY_H */
