/* report.c - bidload's text, JSON and SVG reports of a merged run (see report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libxml/xmlwriter.h>

#include "buf.h"

static const struct {
  const char *name;
  double p;
} pcts[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}, {"p99.99", 99.99}};

static const char *const decision_names[BL_DECISIONS] = {"pass", "drop", "explore", "fail_open"};


void bl_result_merge(struct bl_result *dst, const struct bl_result *src) {
  size_t i;

  bl_hist_merge(&dst->hist, &src->hist);
  dst->requests += src->requests;
  dst->err_connect += src->err_connect;
  dst->err_timeout += src->err_timeout;
  dst->err_io += src->err_io;
  for (i = 0; i < 600; i++)
    dst->status[i] += src->status[i];
  for (i = 0; i < BL_DECISIONS; i++)
    dst->decisions[i] += src->decisions[i];
  dst->unsent += src->unsent;
  bl_hist_merge(&dst->lag, &src->lag);
}


double bl_report_achieved(const struct bl_report *r) {
  return r->duration_s > 0 ? (double)r->res->requests / r->duration_s : 0.0;
}


static uint64_t status_errors(const struct bl_result *res) {
  uint64_t n = 0;
  size_t i;

  for (i = 0; i < 600; i++)
    if (i < 200 || i >= 300)
      n += res->status[i];
  return n;
}


void bl_report_text(const struct bl_report *r, FILE *f) {
  const struct bl_config *cfg = r->cfg;
  const struct bl_result *res = r->res;
  const struct bl_hist *h = &res->hist;
  size_t i;

  if (cfg->rate > 0)
    fprintf(f, "bidload: open loop at %g req/s", cfg->rate);
  else
    fprintf(f, "bidload: closed loop");
  fprintf(f, ", %u connection%s, %u thread%s, pipeline %u, %.3g s\n", cfg->connections,
          cfg->connections == 1 ? "" : "s", cfg->threads, cfg->threads == 1 ? "" : "s",
          cfg->pipeline, r->duration_s);
  for (i = 0; i < cfg->n_targets; i++)
    fprintf(f, "  target     %s\n", cfg->targets[i].url);
  fprintf(f, "  requests   %llu answered, %.1f req/s", (unsigned long long)res->requests,
          bl_report_achieved(r));
  if (cfg->rate > 0)
    fprintf(f, " (asked %g)", cfg->rate);
  fputc('\n', f);
  if (res->unsent)
    fprintf(f, "  unsent     %llu requests were due but found no free connection before the end\n",
            (unsigned long long)res->unsent);
  fprintf(f, "  errors     connect %llu, lost with their connection %llu, timeout %llu, status",
          (unsigned long long)res->err_connect, (unsigned long long)res->err_io,
          (unsigned long long)res->err_timeout);
  if (status_errors(res) == 0)
    fprintf(f, " 0");
  for (i = 0; i < 600; i++)
    if ((i < 200 || i >= 300) && res->status[i])
      fprintf(f, " %zu:%llu", i, (unsigned long long)res->status[i]);
  fputc('\n', f);
  fprintf(f, "  latency    us, from each request's %s\n",
          cfg->rate > 0 ? "scheduled send time (coordinated omission corrected)" : "send time");
  fprintf(f, "    mean     %.1f\n", bl_hist_mean(h));
  for (i = 0; i < sizeof pcts / sizeof *pcts; i++)
    fprintf(f, "    %-8s %llu\n", pcts[i].name, (unsigned long long)bl_hist_percentile(h, pcts[i].p));
  fprintf(f, "    max      %llu\n", (unsigned long long)(h->count ? h->max : 0));
  if (cfg->rate > 0)
    fprintf(f, "  send lag   us from scheduled to actual send (client side: no free connection, or a busy client)\n"
               "             p50 %llu, p99 %llu, p99.9 %llu, max %llu\n",
            (unsigned long long)bl_hist_percentile(&res->lag, 50),
            (unsigned long long)bl_hist_percentile(&res->lag, 99),
            (unsigned long long)bl_hist_percentile(&res->lag, 99.9),
            (unsigned long long)(res->lag.count ? res->lag.max : 0));
  fprintf(f, "  decisions  pass %llu, drop %llu, explore %llu, fail_open %llu\n",
          (unsigned long long)res->decisions[BL_PASS], (unsigned long long)res->decisions[BL_DROP],
          (unsigned long long)res->decisions[BL_EXPLORE],
          (unsigned long long)res->decisions[BL_FAIL_OPEN]);
}


char *bl_report_json(const struct bl_report *r) {
  const struct bl_config *cfg = r->cfg;
  const struct bl_result *res = r->res;
  const struct bl_hist *h = &res->hist;
  cJSON *root = cJSON_CreateObject(), *o, *a, *pair, *status;
  uint64_t upper, count;
  size_t i, idx = 0;
  char key[8], *text = NULL;

  if (!root)
    return NULL;
  /* cJSON_Add* return NULL when out of memory; one check at the end covers them, since adding
   * to a NULL parent is a no-op. */
  a = cJSON_AddArrayToObject(root, "target");
  for (i = 0; i < cfg->n_targets; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(cfg->targets[i].url));
  cJSON_AddStringToObject(root, "mode", cfg->rate > 0 ? "open" : "closed");
  o = cJSON_AddObjectToObject(root, "rate");
  if (cfg->rate > 0)
    cJSON_AddNumberToObject(o, "asked", cfg->rate);
  else
    cJSON_AddNullToObject(o, "asked");
  cJSON_AddNumberToObject(o, "achieved", round(bl_report_achieved(r) * 100) / 100);
  cJSON_AddNumberToObject(root, "duration_s", round(r->duration_s * 1000) / 1000);
  cJSON_AddNumberToObject(root, "requests", (double)res->requests);
  o = cJSON_AddObjectToObject(root, "errors");
  /* DESIGN.md's kinds: requests lost with a broken connection count as connection errors. */
  cJSON_AddNumberToObject(o, "connect", (double)(res->err_connect + res->err_io));
  cJSON_AddNumberToObject(o, "timeout", (double)res->err_timeout);
  status = cJSON_AddObjectToObject(o, "status");
  for (i = 0; i < 600; i++) {
    if ((i < 200 || i >= 300) && res->status[i]) {
      snprintf(key, sizeof key, "%zu", i);
      cJSON_AddNumberToObject(status, key, (double)res->status[i]);
    }
  }
  o = cJSON_AddObjectToObject(root, "latency_us");
  cJSON_AddNumberToObject(o, "mean", round(bl_hist_mean(h) * 10) / 10);
  for (i = 0; i < sizeof pcts / sizeof *pcts; i++)
    cJSON_AddNumberToObject(o, pcts[i].name, (double)bl_hist_percentile(h, pcts[i].p));
  cJSON_AddNumberToObject(o, "max", (double)(h->count ? h->max : 0));
  a = cJSON_AddArrayToObject(root, "histogram");
  while (a && bl_hist_next(h, &idx, &upper, &count)) {
    pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)upper));
    cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)count));
    cJSON_AddItemToArray(a, pair);
  }
  o = cJSON_AddObjectToObject(root, "decisions");
  for (i = 0; i < BL_DECISIONS; i++)
    cJSON_AddNumberToObject(o, decision_names[i], (double)res->decisions[i]);
  /* Open loop only (closed loop sends when a connection frees up, so it has no schedule). */
  if (cfg->rate > 0) {
    cJSON *lag = cJSON_AddObjectToObject(root, "send_lag_us");
    cJSON_AddNumberToObject(lag, "mean", round(bl_hist_mean(&res->lag) * 10) / 10);
    for (i = 0; i < sizeof pcts / sizeof *pcts; i++)
      cJSON_AddNumberToObject(lag, pcts[i].name, (double)bl_hist_percentile(&res->lag, pcts[i].p));
    cJSON_AddNumberToObject(lag, "max", (double)(res->lag.count ? res->lag.max : 0));
  } else {
    cJSON_AddNullToObject(root, "send_lag_us");
  }
  if (o && a)
    text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  return text;
}


int bl_report_write_json(const struct bl_report *r, const char *path, char *err, size_t errlen) {
  char *text = bl_report_json(r);
  FILE *f;
  int bad;

  if (!text) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  f = fopen(path, "w");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    free(text);
    return -1;
  }
  bad = fputs(text, f) < 0 || fputc('\n', f) < 0;
  bad |= fclose(f) != 0;
  free(text);
  if (bad) {
    snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}


/* ---- SVG ---- */

#define W 800.0
#define H 480.0
#define LEFT 80.0
#define RIGHT 30.0
#define TOP 50.0
#define BOTTOM 60.0
#define NINES 6.0                       /* the x axis runs to 99.9999% */

/* x position of percentile p (0..100): log scale of 1 / (1 - p), HdrHistogram's plot. */
static double px(double p) {
  double nines = p >= 100 ? NINES : -log10(1 - p / 100);

  if (nines > NINES)
    nines = NINES;
  return LEFT + (W - LEFT - RIGHT) * nines / NINES;
}


static double py(double v, double top) {
  return H - BOTTOM - (H - TOP - BOTTOM) * v / top;
}


/* A "nice" axis top at or above v: 1, 2 or 5 times a power of ten. */
static double nice_top(double v) {
  double m = pow(10, floor(log10(v > 0 ? v : 1)));

  if (v <= m)
    return m;
  if (v <= 2 * m)
    return 2 * m;
  if (v <= 5 * m)
    return 5 * m;
  return 10 * m;
}


#define WR(call) do { if ((call) < 0) goto fail; } while (0)

static int text_at(xmlTextWriterPtr wr, double x, double y, const char *anchor, const char *s) {
  if (xmlTextWriterStartElement(wr, BAD_CAST "text") < 0 ||
      xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "x", "%.1f", x) < 0 ||
      xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "y", "%.1f", y) < 0 ||
      xmlTextWriterWriteAttribute(wr, BAD_CAST "text-anchor", BAD_CAST anchor) < 0 ||
      xmlTextWriterWriteString(wr, BAD_CAST s) < 0 || xmlTextWriterEndElement(wr) < 0)
    return -1;
  return 0;
}


static int line(xmlTextWriterPtr wr, double x1, double y1, double x2, double y2, const char *color) {
  if (xmlTextWriterStartElement(wr, BAD_CAST "line") < 0 ||
      xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "x1", "%.1f", x1) < 0 ||
      xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "y1", "%.1f", y1) < 0 ||
      xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "x2", "%.1f", x2) < 0 ||
      xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "y2", "%.1f", y2) < 0 ||
      xmlTextWriterWriteAttribute(wr, BAD_CAST "stroke", BAD_CAST color) < 0 ||
      xmlTextWriterEndElement(wr) < 0)
    return -1;
  return 0;
}


int bl_report_write_svg(const struct bl_report *r, const char *path, char *err, size_t errlen) {
  static const char *const xlabels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
  const struct bl_hist *h = &r->res->hist;
  int ms = h->count && h->max >= 10000;
  double unit = ms ? 1000.0 : 1.0, top = nice_top((h->count ? (double)h->max : 1) / unit);
  xmlTextWriterPtr wr = xmlNewTextWriterFilename(path, 0);
  struct bl_buf pts;
  uint64_t upper, count, seen = 0;
  size_t idx = 0;
  char s[1400];
  int i;

  if (!wr) {
    snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
    return -1;
  }
  bl_buf_init(&pts, 4096);
  WR(xmlTextWriterSetIndent(wr, 1));
  WR(xmlTextWriterStartDocument(wr, NULL, "UTF-8", NULL));
  WR(xmlTextWriterStartElement(wr, BAD_CAST "svg"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "xmlns", BAD_CAST "http://www.w3.org/2000/svg"));
  WR(xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "width", "%.0f", W));
  WR(xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "height", "%.0f", H));
  WR(xmlTextWriterWriteFormatAttribute(wr, BAD_CAST "viewBox", "0 0 %.0f %.0f", W, H));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "font-family", BAD_CAST "sans-serif"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "font-size", BAD_CAST "12"));
  WR(xmlTextWriterWriteElement(wr, BAD_CAST "title", BAD_CAST "bidload latency by percentile"));
  WR(xmlTextWriterStartElement(wr, BAD_CAST "rect"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "width", BAD_CAST "100%"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "height", BAD_CAST "100%"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "fill", BAD_CAST "white"));
  WR(xmlTextWriterEndElement(wr));

  snprintf(s, sizeof s, "%s latency by percentile: %llu requests, %s, p99 %.3f ms, max %.3f ms",
           r->cfg->rate > 0 ? "open-loop" : "closed-loop", (unsigned long long)h->count,
           r->cfg->n_targets ? r->cfg->targets[0].url : "", bl_hist_percentile(h, 99) / 1000.0,
           (h->count ? h->max : 0) / 1000.0);
  WR(text_at(wr, W / 2, 25, "middle", s));
  /* Axes, grid and labels. */
  for (i = 0; i <= (int)NINES; i++) {
    double x = LEFT + (W - LEFT - RIGHT) * i / NINES;
    WR(line(wr, x, TOP, x, H - BOTTOM, "#dddddd"));
    WR(text_at(wr, x, H - BOTTOM + 18, "middle", xlabels[i]));
  }
  for (i = 0; i <= 5; i++) {
    double v = top * i / 5;
    WR(line(wr, LEFT, py(v, top), W - RIGHT, py(v, top), "#dddddd"));
    snprintf(s, sizeof s, "%g", v);
    WR(text_at(wr, LEFT - 8, py(v, top) + 4, "end", s));
  }
  WR(line(wr, LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "black"));
  WR(line(wr, LEFT, TOP, LEFT, H - BOTTOM, "black"));
  WR(text_at(wr, (LEFT + W - RIGHT) / 2, H - 15, "middle", "percentile"));
  snprintf(s, sizeof s, "latency (%s)", ms ? "ms" : "us");
  WR(xmlTextWriterStartElement(wr, BAD_CAST "text"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "transform", BAD_CAST "translate(20 260) rotate(-90)"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "text-anchor", BAD_CAST "middle"));
  WR(xmlTextWriterWriteString(wr, BAD_CAST s));
  WR(xmlTextWriterEndElement(wr));

  /* The curve: each bucket's value from the percentile where it starts to where it ends. */
  while (bl_hist_next(h, &idx, &upper, &count)) {
    double v = (double)(upper < h->max ? upper : h->max) / unit;
    double p0 = 100.0 * (double)seen / (double)h->count;
    seen += count;
    snprintf(s, sizeof s, "%.1f,%.1f %.1f,%.1f ", px(p0), py(v, top),
             px(seen == h->count ? 100 : 100.0 * (double)seen / (double)h->count), py(v, top));
    bl_buf_str(&pts, s);
  }
  bl_buf_char(&pts, 0);
  WR(xmlTextWriterStartElement(wr, BAD_CAST "polyline"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "fill", BAD_CAST "none"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "stroke", BAD_CAST "#1f77b4"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "stroke-width", BAD_CAST "2"));
  WR(xmlTextWriterWriteAttribute(wr, BAD_CAST "points", BAD_CAST pts.data));
  WR(xmlTextWriterEndElement(wr));
  WR(xmlTextWriterEndDocument(wr));
  xmlFreeTextWriter(wr);
  bl_buf_free(&pts);
  return 0;

fail:
  xmlFreeTextWriter(wr);
  bl_buf_free(&pts);
  snprintf(err, errlen, "%s: writing the SVG failed", path);
  return -1;
}
