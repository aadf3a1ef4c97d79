/* h_filter.c - POST /v1/filter: one BidRequest in, a score and a decision per impression (and
 * candidate bidder) out. The steps, in order, each returning 0 or the first BG_HTTP_ERR_*:
 * media type -> OpenRTB (openrtb.c: one pass of json_scan.c over the body, recording what
 * the compiled extractor reads) -> feature rows (the compiled extractor, rows.c) -> ONE
 * predict call for all rows (rows.c) -> decisions (decide.c) -> the answer (respond.c). */
#include "router.h"

#include <string.h>

#include "decide.h"
#include "http_errors.h"
#include "openrtb.h"
#include "respond.h"
#include "rows.h"


/* No Content-Type is taken as JSON; otherwise its media type must be application/json
 * (parameters such as charset are ignored). */
static int check_media_type(struct bg_request *req) {
  const char *t = req->content_type;
  size_t n = strcspn(t, ";");

  if (!req->has_content_type)
    return 0;
  while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
    n--;
  while (n > 0 && (*t == ' ' || *t == '\t'))
    t++, n--;
  if (n == 16 && memcmp(t, "application/json", 16) == 0)
    return 0;
  req->message = "the body must be application/json";
  return BG_HTTP_ERR_MEDIA_TYPE;
}


int bg_h_filter(struct bg_conn *c, struct bg_request *req) {
  struct bg_loop *l = c->loop;
  struct bg_bidreq br;
  struct bg_rows rows;
  int err;

  if ((err = check_media_type(req)) != 0)
    return err;
  if (l->features == NULL)
    return BG_HTTP_ERR_UNAVAILABLE;
  err = bg_openrtb_scan(req->body, req->body_len, l->features->scan_paths, l->cfg->max_rows,
                        &c->arena, (int)l->features->uses_bidder, &l->bidders, &br,
                        &req->message);
  if (err == 0)
    err = bg_rows_build(&br, l->features, l->model->predict_width, req->now, l->cfg->max_rows,
                        &c->arena, &rows);
  if (err == 0)
    err = bg_rows_score(&rows, l->model, l->features, &c->arena);
  if (err != 0)
    return err;
  bg_decide(&l->decide, &l->prng, &rows);
  bg_stats_decisions(&l->stats, &rows);
  return bg_respond_filter(c, &br, &rows);
}
