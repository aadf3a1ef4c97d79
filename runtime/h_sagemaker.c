/* h_sagemaker.c - the Amazon SageMaker container contract: GET /ping and POST /invocations.
 *
 * SageMaker runs the image with the argument "serve", sends GET /ping (healthy: 200, empty
 * body) and POST /invocations on port 8080, passing the caller's Content-Type and Accept. The
 * body holds raw feature rows, in the model's feature order:
 *
 *   text/csv           one row per line, cells separated by commas (csv.h: empty = missing)
 *   application/json   {"instances": [ROW, ...]} with ROW [x, ...], {"features": [x, ...]} or
 *                      {"data": {"features": {"values": [x, ...]}}} (SageMaker's common
 *                      inference formats), {"features": [x, ...]} alone, or [ROW, ...] / [x, ...];
 *                      null = missing
 *
 * and the answer holds one prediction per row, in the type Accept asks for (by default the
 * request's): text/csv, one line per row (several outputs comma separated), or
 * application/json {"predictions": [{"score": x}, ...]} ({"score": [x, ...]} for several
 * outputs). Scores are printed so that they read back as the same float32. Rows past --max-rows
 * are refused (413), as are malformed rows (400 bad_csv / bad_json) and other media types (415).
 */
#include "router.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "http_errors.h"
#include "jsonbody.h"
#include "respond.h"

enum { CSV, JSON };


/* A message built for this request (it lives in the arena until the next one); NULL (the
 * default message) when memory is out. */
static const char *message(struct bg_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *message(struct bg_conn *c, const char *fmt, ...) {
  char *m = bg_arena_alloc(&c->arena, 160);
  va_list ap;

  if (m == NULL)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(m, 160, fmt, ap);
  va_end(ap);
  return m;
}


/* CSV rows into x (arena): *n rows of nf floats. */
static int rows_from_csv(struct bg_conn *c, struct bg_request *req, float **x, size_t *n) {
  const struct bg_model *m = c->loop->model;
  const char *p = req->body, *end = req->body + req->body_len;
  size_t nf = m->num_features, lines = 0, line = 0, rows = 0, bad, i;

  for (i = 0; i < req->body_len; i++)
    lines += req->body[i] == '\n';
  lines += req->body_len > 0 && req->body[req->body_len - 1] != '\n';
  if (lines > c->loop->cfg->max_rows) {
    /* Blank lines count here too: a body this long is refused before any parsing. */
    req->message = "more rows than --max-rows";
    return BG_HTTP_ERR_TOO_MANY_ROWS;
  }
  *x = bg_arena_alloc(&c->arena, lines * nf * sizeof **x + 1);
  if (*x == NULL)
    return BG_HTTP_ERR_TOO_LARGE;
  while (p < end) {
    const char *e = memchr(p, '\n', (size_t)(end - p));
    size_t len;
    int err;
    if (e == NULL)
      e = end;
    len = (size_t)(e - p);
    line++;
    if (len > 0 && p[len - 1] == '\r')
      len--;
    if (len > 0) {
      err = bg_csv_parse_row(p, len, *x + rows * nf, nf, &bad);
      if (err == BG_CSV_EFIELDS) {
        req->message = message(c, "line %zu has %zu cells; the model takes its features, in "
                                  "order, one per cell", line, bad);
        return BG_HTTP_ERR_BAD_CSV;
      }
      if (err != BG_CSV_OK) {
        req->message = message(c, "line %zu, cell %zu is not a number (empty for missing)",
                               line, bad);
        return BG_HTTP_ERR_BAD_CSV;
      }
      rows++;
    }
    p = e + 1;
  }
  if (rows == 0) {
    req->message = "the body holds no row";
    return BG_HTTP_ERR_BAD_CSV;
  }
  *n = rows;
  return 0;
}


/* The feature array of one JSON row, or NULL. */
static const cJSON *row_array(const cJSON *row) {
  const cJSON *f, *d;

  if (cJSON_IsArray(row))
    return row;
  if (!cJSON_IsObject(row))
    return NULL;
  if ((f = cJSON_GetObjectItemCaseSensitive(row, "features")) != NULL)
    return cJSON_IsArray(f) ? f : NULL;
  d = cJSON_GetObjectItemCaseSensitive(row, "data");
  f = cJSON_IsObject(d) ? cJSON_GetObjectItemCaseSensitive(d, "features") : NULL;
  f = cJSON_IsObject(f) ? cJSON_GetObjectItemCaseSensitive(f, "values") : NULL;
  return cJSON_IsArray(f) ? f : NULL;
}


/* JSON rows into x (arena). */
static int rows_from_json(struct bg_conn *c, struct bg_request *req, float **x, size_t *n) {
  const struct bg_model *m = c->loop->model;
  size_t nf = m->num_features, rows = 0, r;
  const cJSON *list = NULL, *row, *one = NULL;
  cJSON *root;
  int err;

  bg_json_use_arena(&c->arena);
  err = bg_json_body(req->body, req->body_len, &c->arena, &root, &req->message);
  bg_json_use_arena(NULL);
  if (err != 0)
    return err;
  if (cJSON_IsObject(root)) {
    list = cJSON_GetObjectItemCaseSensitive(root, "instances");
    if (list == NULL)
      one = row_array(root);
  } else if (cJSON_IsArray(root)) {
    /* [[x, ...], ...] is rows; [x, ...] is one row. */
    if (root->child != NULL && (cJSON_IsArray(root->child) || cJSON_IsObject(root->child)))
      list = root;
    else
      one = root;
  }
  if (list != NULL && !cJSON_IsArray(list))
    list = NULL;
  if (list == NULL && one == NULL) {
    req->message = "expected {\"instances\": [[x, ...], ...]}, {\"features\": [x, ...]} or an "
                   "array of rows";
    return BG_HTTP_ERR_BAD_JSON;
  }
  if (one != NULL) {
    rows = 1;
  } else {
    for (row = list->child; row != NULL; row = row->next)
      rows++;
  }
  if (rows == 0) {
    req->message = "the body holds no row";
    return BG_HTTP_ERR_BAD_JSON;
  }
  if (rows > c->loop->cfg->max_rows) {
    req->message = "more rows than --max-rows";
    return BG_HTTP_ERR_TOO_MANY_ROWS;
  }
  *x = bg_arena_alloc(&c->arena, rows * nf * sizeof **x);
  if (*x == NULL)
    return BG_HTTP_ERR_TOO_LARGE;
  for (r = 0, row = one != NULL ? one : list->child; r < rows; r++, row = row->next) {
    const cJSON *a = one != NULL ? one : row_array(row);
    long k = a != NULL ? bg_json_count_numbers(a) : -1;
    if (k < 0) {
      req->message = message(c, "row %zu is not an array of numbers (null for missing)", r + 1);
      return BG_HTTP_ERR_BAD_JSON;
    }
    if ((size_t)k != nf) {
      req->message = message(c, "row %zu has %zu values; the model takes its features, in "
                                "order", r + 1, (size_t)k);
      return BG_HTTP_ERR_BAD_JSON;
    }
    bg_json_floats(a, *x + r * nf);
  }
  *n = rows;
  return 0;
}


static int put_value(struct bg_buf *b, float v, int csv) {
  if (csv && isnan(v))
    return bg_buf_puts(b, "nan");
  return bg_buf_float(b, v);
}


int bg_h_ping(struct bg_conn *c, struct bg_request *req) {
  (void)req;
  bg_respond(c, bg_draining(c) ? 503 : 200, "text/plain", "", 0);
  return 0;
}


int bg_h_invocations(struct bg_conn *c, struct bg_request *req) {
  static const char *const types[] = {"text/csv", "application/json", NULL};
  static const char *const json_first[] = {"application/json", "text/csv", NULL};
  const struct bg_model *m = c->loop->model;
  struct bg_buf *b = &c->loop->scratch;
  size_t n = 0, r, k, width = m->predict_width ? m->predict_width : 1;
  float *x, *out;
  int in, answer, err;

  if (!req->has_content_type || bg_media_type_is(req->content_type, "text/csv")) {
    in = CSV;
  } else if (bg_media_type_is(req->content_type, "application/json")) {
    in = JSON;
  } else {
    req->message = "the body must be text/csv or application/json";
    return BG_HTTP_ERR_MEDIA_TYPE;
  }
  /* The answer's type: what Accept asks for, the request's own type first. */
  answer = bg_accept_pick(req->accept, in == CSV ? types : json_first);
  if (answer < 0) {
    req->message = "this route answers text/csv or application/json";
    return BG_HTTP_ERR_NOT_ACCEPTABLE;
  }
  answer = in == CSV ? answer : 1 - answer; /* index into types */
  err = in == CSV ? rows_from_csv(c, req, &x, &n) : rows_from_json(c, req, &x, &n);
  if (err != 0)
    return err;
  out = bg_arena_alloc(&c->arena, n * width * sizeof *out);
  if (out == NULL)
    return BG_HTTP_ERR_TOO_LARGE;
  m->predict(x, n, out);

  b->len = 0;
  err = answer == JSON && bg_buf_puts(b, "{\"predictions\":[");
  for (r = 0; r < n && !err; r++) {
    if (answer == CSV) {
      for (k = 0; k < width && !err; k++)
        err = (k > 0 && bg_buf_puts(b, ",")) || put_value(b, out[r * width + k], 1);
      err = err || bg_buf_puts(b, "\n");
    } else {
      err = bg_buf_puts(b, r > 0 ? ",{\"score\":" : "{\"score\":") ||
            (width > 1 && bg_buf_puts(b, "["));
      for (k = 0; k < width && !err; k++)
        err = (k > 0 && bg_buf_puts(b, ",")) || put_value(b, out[r * width + k], 0);
      err = err || (width > 1 && bg_buf_puts(b, "]")) || bg_buf_puts(b, "}");
    }
  }
  err = err || (answer == JSON && bg_buf_puts(b, "]}\n"));
  if (err)
    return BG_HTTP_ERR_INTERNAL;
  bg_respond(c, 200, types[answer], b->p, b->len);
  return 0;
}
