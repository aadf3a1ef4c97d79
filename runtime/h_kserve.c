/* h_kserve.c - the KServe / Open Inference Protocol (v2) REST routes, for raw feature tensors:
 *
 *   GET  /v2                                   server metadata
 *   GET  /v2/health/live, /v2/health/ready     200 {"live": true} / {"ready": true}; ready is
 *                                              503 {"ready": false} once the server drains
 *   GET  /v2/models/NAME[/versions/V]          model metadata
 *   GET  /v2/models/NAME[/versions/V]/ready    {"name": NAME, "ready": true} (503 when draining)
 *   POST /v2/models/NAME[/versions/V]/infer    inference
 *
 * NAME is the model's name (bidgate info), V its version: the first 8 hex digits of its sha256.
 * The model takes one input, "input-0", FP32 of shape [-1, F] (F features, in model order; a
 * shape [F] is one row), data flat or nested in row-major order, null meaning missing (NaN, an
 * extension: JSON has no NaN); it gives one output, "output-0", FP32 of shape [-1] (or [-1, W]
 * for W outputs per row). Errors are the protocol's error object {"error": "..."} with the
 * status of http_errors.h (400 for a request that does not fit, 404 for an unknown model).
 */
#include "router.h"

#include <stdio.h>
#include <string.h>

#include "http_errors.h"
#include "jsonbody.h"
#include "respond.h"

#define INPUT_NAME "input-0"
#define OUTPUT_NAME "output-0"

enum sub { SUB_METADATA, SUB_READY, SUB_INFER };


static int respond_json(struct bg_conn *c, int status, struct bg_buf *b, int err) {
  if (err)
    return BG_HTTP_ERR_INTERNAL;
  bg_respond(c, status, "application/json", b->p, b->len);
  return 0;
}


/* Whether the path segment s[0..n) equals word. */
static int seg_is(const char *s, size_t n, const char *word) {
  return n == strlen(word) && memcmp(s, word, n) == 0;
}


/* The output shape, as JSON, for n rows. */
static int put_shape(struct bg_buf *b, long long rows, uint32_t width) {
  char s[64];

  if (width > 1)
    snprintf(s, sizeof s, "[%lld,%u]", rows, width);
  else
    snprintf(s, sizeof s, "[%lld]", rows);
  return bg_buf_puts(b, s);
}


static int metadata(struct bg_conn *c) {
  const struct bg_model *m = c->loop->model;
  struct bg_buf *b = &c->loop->scratch;
  char shape[32];
  int err;

  snprintf(shape, sizeof shape, "[-1,%u]", m->num_features);
  b->len = 0;
  err = bg_buf_puts(b, "{\"name\":") || bg_buf_json_string(b, m->name, strlen(m->name)) ||
        bg_buf_puts(b, ",\"versions\":[\"") || bg_buf_put(b, m->sha256, 8) ||
        bg_buf_puts(b, "\"],\"platform\":\"xgboost\",\"inputs\":[{\"name\":\"" INPUT_NAME
                       "\",\"datatype\":\"FP32\",\"shape\":") ||
        bg_buf_puts(b, shape) ||
        bg_buf_puts(b, "}],\"outputs\":[{\"name\":\"" OUTPUT_NAME "\",\"datatype\":\"FP32\","
                       "\"shape\":") ||
        put_shape(b, -1, m->predict_width) || bg_buf_puts(b, "}]}\n");
  return respond_json(c, 200, b, err);
}


/* The one input tensor of the request into rows x (arena), checked against the model. */
static int read_input(struct bg_conn *c, struct bg_request *req, const cJSON *root, float **x,
                      size_t *rows) {
  const struct bg_model *m = c->loop->model;
  const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs"), *in, *name, *dt,
              *shape, *data, *params, *d;
  long long dims[2] = {0, 0}, product = 1;
  long count;
  int nd = 0;

  if (!cJSON_IsArray(inputs) || inputs->child == NULL) {
    req->message = "an inference request needs a non-empty \"inputs\" array";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  in = inputs->child;
  if (in->next != NULL) {
    req->message = "this model takes one input tensor, \"" INPUT_NAME "\" (FP32, [rows, "
                   "features])";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  name = cJSON_GetObjectItemCaseSensitive(in, "name");
  dt = cJSON_GetObjectItemCaseSensitive(in, "datatype");
  shape = cJSON_GetObjectItemCaseSensitive(in, "shape");
  data = cJSON_GetObjectItemCaseSensitive(in, "data");
  params = cJSON_GetObjectItemCaseSensitive(in, "parameters");
  if (!cJSON_IsObject(in) || !cJSON_IsString(name) || !cJSON_IsString(dt) ||
      !cJSON_IsArray(shape) || data == NULL) {
    req->message = "an input tensor needs \"name\", \"shape\", \"datatype\" and \"data\"";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  if (strcmp(dt->valuestring, "FP32") != 0) {
    req->message = "this model's input is FP32";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  if (cJSON_IsObject(params) && cJSON_GetObjectItemCaseSensitive(params, "binary_data_size")) {
    req->message = "binary tensor data is not supported: send \"data\" as JSON numbers";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  for (d = shape->child; d != NULL; d = d->next, nd++) {
    if (nd == 2 || !cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble > 1e12 ||
        d->valuedouble != (double)(long long)d->valuedouble) {
      nd = 3;
      break;
    }
    dims[nd] = (long long)d->valuedouble;
    product *= dims[nd];
  }
  /* [F] is one row of F features; [N, F] is N rows. */
  if (nd == 1) {
    dims[1] = dims[0];
    dims[0] = 1;
  }
  if (nd < 1 || nd > 2 || dims[1] != (long long)m->num_features) {
    req->message = "the input's shape must be [rows, features] with the model's number of "
                   "features (see GET /v2/models/NAME)";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  if (dims[0] == 0 || dims[0] > (long long)c->loop->cfg->max_rows) {
    req->message = dims[0] == 0 ? "the input has no row" : "more rows than --max-rows";
    return dims[0] == 0 ? BG_HTTP_ERR_BAD_TENSOR : BG_HTTP_ERR_TOO_MANY_ROWS;
  }
  count = bg_json_count_numbers(data);
  if (count < 0) {
    req->message = "\"data\" must be an array (flat or nested) of numbers";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  if ((long long)count != product) {
    req->message = "\"data\" does not hold as many values as the shape says";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  *x = bg_arena_alloc(&c->arena, (size_t)count * sizeof **x + 1);
  if (*x == NULL)
    return BG_HTTP_ERR_TOO_LARGE;
  bg_json_floats(data, *x);
  *rows = (size_t)dims[0];
  return 0;
}


static int infer(struct bg_conn *c, struct bg_request *req) {
  const struct bg_model *m = c->loop->model;
  struct bg_buf *b = &c->loop->scratch;
  const cJSON *id, *outputs, *o;
  size_t rows = 0, width = m->predict_width ? m->predict_width : 1, i;
  float *x, *out;
  cJSON *root;
  int err;

  if (req->has_content_type && !bg_media_type_is(req->content_type, "application/json")) {
    req->message = "the body must be application/json";
    return BG_HTTP_ERR_MEDIA_TYPE;
  }
  bg_json_use_arena(&c->arena);
  err = bg_json_body(req->body, req->body_len, &c->arena, &root, &req->message);
  bg_json_use_arena(NULL);
  if (err != 0)
    return err;
  if (!cJSON_IsObject(root)) {
    req->message = "an inference request is a JSON object";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  id = cJSON_GetObjectItemCaseSensitive(root, "id");
  if (id != NULL && !cJSON_IsString(id)) {
    req->message = "\"id\" must be a string";
    return BG_HTTP_ERR_BAD_TENSOR;
  }
  outputs = cJSON_GetObjectItemCaseSensitive(root, "outputs");
  if (outputs != NULL) {
    if (!cJSON_IsArray(outputs)) {
      req->message = "\"outputs\" must be an array";
      return BG_HTTP_ERR_BAD_TENSOR;
    }
    for (o = outputs->child; o != NULL; o = o->next) {
      const cJSON *n = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "name") : NULL;
      if (!cJSON_IsString(n) || strcmp(n->valuestring, OUTPUT_NAME) != 0) {
        req->message = "this model has one output, \"" OUTPUT_NAME "\"";
        return BG_HTTP_ERR_BAD_TENSOR;
      }
    }
  }
  if ((err = read_input(c, req, root, &x, &rows)) != 0)
    return err;
  out = bg_arena_alloc(&c->arena, rows * width * sizeof *out);
  if (out == NULL)
    return BG_HTTP_ERR_TOO_LARGE;
  m->predict(x, rows, out);

  b->len = 0;
  err = bg_buf_puts(b, "{\"model_name\":") || bg_buf_json_string(b, m->name, strlen(m->name)) ||
        bg_buf_puts(b, ",\"model_version\":\"") || bg_buf_put(b, m->sha256, 8) ||
        bg_buf_puts(b, "\"");
  if (!err && id != NULL)
    err = bg_buf_puts(b, ",\"id\":") ||
          bg_buf_json_string(b, id->valuestring, strlen(id->valuestring));
  err = err || bg_buf_puts(b, ",\"outputs\":[{\"name\":\"" OUTPUT_NAME "\",\"shape\":") ||
        put_shape(b, (long long)rows, (uint32_t)width) ||
        bg_buf_puts(b, ",\"datatype\":\"FP32\",\"data\":[");
  for (i = 0; i < rows * width && !err; i++)
    err = (i > 0 && bg_buf_puts(b, ",")) || bg_buf_float(b, out[i]);
  err = err || bg_buf_puts(b, "]}]}\n");
  return respond_json(c, 200, b, err);
}


/* /v2/models/NAME[/versions/V][/ready|/infer]: which one, with 404 for another model. */
static int model_route(struct bg_conn *c, struct bg_request *req, const char *p, size_t len,
                       enum sub *sub) {
  const struct bg_model *m = c->loop->model;
  const char *seg[5];
  size_t seglen[5], n = 0, i = 0;

  while (i < len && n < 5) {
    size_t k = 0;
    while (i + k < len && p[i + k] != '/')
      k++;
    seg[n] = p + i;
    seglen[n++] = k;
    i += k + 1;
  }
  if (i < len || n == 0 || seglen[0] == 0)
    return BG_HTTP_ERR_NOT_FOUND;
  i = 1;
  if (n >= 3 && seg_is(seg[1], seglen[1], "versions")) {
    if (!(seglen[2] == 8 && memcmp(seg[2], m->sha256, 8) == 0) &&
        !seg_is(seg[2], seglen[2], m->sha256))
      return BG_HTTP_ERR_MODEL_NOT_FOUND;
    i = 3;
  }
  if (i == n)
    *sub = SUB_METADATA;
  else if (i + 1 == n && seg_is(seg[i], seglen[i], "ready"))
    *sub = SUB_READY;
  else if (i + 1 == n && seg_is(seg[i], seglen[i], "infer"))
    *sub = SUB_INFER;
  else
    return BG_HTTP_ERR_NOT_FOUND;
  if (!seg_is(seg[0], seglen[0], m->name)) {
    req->message = "no model of that name here (see GET /v2/models/NAME with the name bidgate "
                   "info prints)";
    return BG_HTTP_ERR_MODEL_NOT_FOUND;
  }
  return 0;
}


int bg_h_kserve(struct bg_conn *c, struct bg_request *req) {
  static const char live[] = "{\"live\":true}\n", ready[] = "{\"ready\":true}\n",
                    not_ready[] = "{\"ready\":false}\n";
  const struct bg_model *m = c->loop->model;
  struct bg_buf *b = &c->loop->scratch;
  const char *path = req->target + 3; /* after "/v2" */
  size_t len = strcspn(req->target, "?") - 3;
  enum sub sub;
  int want_post = 0, err;

  req->error_style = BG_ERROR_OIP;
  req->route = BG_ROUTE_NONE; /* until the path is known */
  if (len == 0 || (len == 1 && path[0] == '/')) {
    req->route = BG_ROUTE_V2_SERVER;
  } else if (len == 12 && memcmp(path, "/health/live", 12) == 0) {
    req->route = BG_ROUTE_V2_LIVE;
  } else if (len == 13 && memcmp(path, "/health/ready", 13) == 0) {
    req->route = BG_ROUTE_V2_READY;
  } else if (len > 8 && memcmp(path, "/models/", 8) == 0) {
    if ((err = model_route(c, req, path + 8, len - 8, &sub)) != 0)
      return err;
    req->route = sub == SUB_INFER ? BG_ROUTE_V2_INFER
                 : sub == SUB_READY ? BG_ROUTE_V2_MODEL_READY
                                    : BG_ROUTE_V2_MODEL;
    want_post = sub == SUB_INFER;
  } else {
    return BG_HTTP_ERR_NOT_FOUND;
  }
  if (req->method != (want_post ? HTTP_POST : HTTP_GET)) {
    req->allow = want_post ? "POST" : "GET";
    return BG_HTTP_ERR_METHOD;
  }
  switch (req->route) {
  case BG_ROUTE_V2_SERVER:
    b->len = 0;
    return respond_json(c, 200, b,
                        bg_buf_puts(b, "{\"name\":\"bidgate\",\"version\":") ||
                            bg_buf_json_string(b, m->xgbc_version, strlen(m->xgbc_version)) ||
                            bg_buf_puts(b, ",\"extensions\":[]}\n"));
  case BG_ROUTE_V2_LIVE:
    bg_respond(c, 200, "application/json", live, sizeof live - 1);
    return 0;
  case BG_ROUTE_V2_READY:
    if (bg_draining(c))
      bg_respond(c, 503, "application/json", not_ready, sizeof not_ready - 1);
    else
      bg_respond(c, 200, "application/json", ready, sizeof ready - 1);
    return 0;
  case BG_ROUTE_V2_MODEL_READY:
    b->len = 0;
    return respond_json(c, bg_draining(c) ? 503 : 200, b,
                        bg_buf_puts(b, "{\"name\":") ||
                            bg_buf_json_string(b, m->name, strlen(m->name)) ||
                            bg_buf_puts(b, bg_draining(c) ? ",\"ready\":false}\n"
                                                          : ",\"ready\":true}\n"));
  case BG_ROUTE_V2_INFER:
    return infer(c, req);
  default:
    return metadata(c);
  }
}
