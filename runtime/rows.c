/* rows.c - a BidRequest's feature rows through the compiled extractor (see rows.h). */
#include "rows.h"

#include <math.h>
#include <string.h>

#include "http_errors.h"


int bg_rows_build(const struct bg_bidreq *br, const struct bg_features *fx, uint32_t width,
                  int64_t now, uint32_t max_rows, struct bg_arena *a, struct bg_rows *rows) {
  struct bg_fx_input in = {br->root, NULL, NULL, now};
  uint32_t i, b, nf = fx->num_features;
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
  for (i = 0; i < br->n_imp; i++) {
    float *row = rows->x + (size_t)i * rows->per_imp * nf;
    int ok = cJSON_IsObject(br->imp[i]);
    in.imp = br->imp[i];
    in.bidder = fx->uses_bidder && rows->per_imp > 0 ? br->bidders.item[0] : NULL;
    if (ok) {
      fx->extract(&in, row);
    } else {
      for (b = 0; b < nf; b++)
        row[b] = NAN;
    }
    rows->ok[(size_t)i * rows->per_imp] = (uint8_t)ok;
    /* The other bidders of this impression: copy the row, redo the $bidder entries. */
    for (b = 1; b < rows->per_imp; b++) {
      float *next = row + (size_t)b * nf;
      memcpy(next, row, nf * sizeof *row);
      in.bidder = br->bidders.item[b];
      if (ok)
        fx->extract_bidder(&in, next);
      rows->ok[(size_t)i * rows->per_imp + b] = (uint8_t)ok;
    }
  }
  return 0;
}
