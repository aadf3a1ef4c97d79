/* rows.c - a BidRequest's feature rows through the compiled extractor, and their scores (see
 * rows.h). */
#include "rows.h"

#include <math.h>
#include <string.h>

#include "http_errors.h"


int bg_rows_build(const struct bg_bidreq *br, const struct bg_features *fx, uint32_t width,
                  int64_t now, uint32_t max_rows, struct bg_arena *a, struct bg_rows *rows) {
  struct bg_fx_scanned in;
  uint32_t i, b, nf = fx->num_features;
  const float *first = NULL; /* the rows of the first impression that is an object */
  uint64_t n;

  memset(rows, 0, sizeof *rows);
  rows->per_imp = fx->uses_bidder ? br->bidders.n : 1;
  n = (uint64_t)br->n_imp * rows->per_imp;
  if (n > max_rows)
    return BG_HTTP_ERR_TOO_MANY_ROWS;
  rows->n = (uint32_t)n;
  rows->nf = nf;
  rows->width = width;
  rows->x = bg_arena_alloc(a, n * nf * sizeof *rows->x + 1);
  rows->out = bg_arena_alloc(a, n * width * sizeof *rows->out + 1);
  rows->ok = bg_arena_alloc(a, 3 * n + 1);
  if (rows->x == NULL || rows->out == NULL || rows->ok == NULL)
    return BG_HTTP_ERR_TOO_LARGE;
  rows->pass = rows->ok + n;
  rows->reason = rows->pass + n;
  memset(&in, 0, sizeof in);
  in.request = br->request;
  in.imps = br->imps;
  in.n_imps = br->n_imp;
  in.now = now;
  for (i = 0; i < br->n_imp; i++) {
    uint32_t per = rows->per_imp;
    float *row = rows->x + (size_t)i * per * nf;
    int ok;
    in.imp = br->imps + (size_t)i * br->imp_stride;
    ok = in.imp[BG_JS_IMP_SELF].type == BG_JV_OBJECT;
    memset(rows->ok + (size_t)i * per, ok, per);
    if (!ok) {
      for (b = 0; b < per * nf; b++)
        row[b] = NAN;
      continue;
    }
    if (first != NULL) {
      /* Only the entries that read the impression differ from the impression before's rows
       * (the request's and the bidders' own are the same): copy them, redo those. */
      memcpy(row, first, (size_t)per * nf * sizeof *row);
      for (b = 0; b < per; b++) {
        in.bidder = fx->uses_bidder ? &br->bidders.item[b] : NULL;
        fx->extract_scanned_imp(&in, row + (size_t)b * nf);
      }
      continue;
    }
    first = row;
    in.bidder = fx->uses_bidder && per > 0 ? &br->bidders.item[0] : NULL;
    fx->extract_scanned(&in, row);
    /* The other bidders: copy the row, redo the $bidder entries. */
    for (b = 1; b < per; b++) {
      float *next = row + (size_t)b * nf;
      memcpy(next, row, nf * sizeof *row);
      in.bidder = &br->bidders.item[b];
      fx->extract_scanned_bidder(&in, next);
    }
  }
  return 0;
}


int bg_rows_score(struct bg_rows *rows, const struct bg_model *m, const struct bg_features *fx,
                  struct bg_arena *a) {
  /* Candidates: every row, or the first of each impression when the bidder cannot change the
   * score. A candidate with the same feature bits as the one before it shares its outputs
   * (predict is a pure function of a row's bits), so only the others are predicted. */
  uint32_t step = fx->score_ignores_bidder && rows->per_imp > 1 ? rows->per_imp : 1;
  uint32_t n = rows->n / (step ? step : 1), c, r, u = 0, *src;
  size_t nf = rows->nf, w = rows->width, bytes = nf * sizeof *rows->x;
  float *x, *out;

  if (rows->n == 0)
    return 0;
  src = bg_arena_alloc(a, n * sizeof *src);
  if (src == NULL)
    return BG_HTTP_ERR_TOO_LARGE;
  for (c = 0; c < n; c++) {
    const float *row = rows->x + (size_t)c * step * nf;
    if (c > 0 && memcmp(row, row - step * nf, bytes) == 0)
      src[c] = src[c - 1];
    else
      src[c] = u++;
  }
  if (u == rows->n) {
    m->predict(rows->x, rows->n, rows->out);
    return 0;
  }
  x = bg_arena_alloc(a, (size_t)u * bytes);
  out = bg_arena_alloc(a, (size_t)u * w * sizeof *out);
  if (x == NULL || out == NULL)
    return BG_HTTP_ERR_TOO_LARGE;
  for (c = 0; c < n; c++)
    if (c == 0 || src[c] != src[c - 1])
      memcpy(x + src[c] * nf, rows->x + (size_t)c * step * nf, bytes);
  m->predict(x, u, out);
  for (r = 0; r < rows->n; r++)
    memcpy(rows->out + (size_t)r * w, out + src[r / step] * w, w * sizeof *out);
  return 0;
}
