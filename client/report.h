/* report.h - bidload's report: a text summary on stdout, DESIGN.md's "Client report" JSON
 * object (--json) and a latency-by-percentile plot in SVG (--svg, written with libxml2's
 * xmlwriter). Errors are counted by kind, never printed per request. */
#ifndef BL_REPORT_H
#define BL_REPORT_H

#include <stdio.h>

#include "bidload.h"

/* The run being reported: its configuration, merged results and the sending window. */
struct bl_report {
  const struct bl_config *cfg;
  const struct bl_result *res;
  double duration_s;          /* the actual sending window (shorter if the run was stopped) */
};

/* Requests answered per second of the window. */
double bl_report_achieved(const struct bl_report *r);

/* Writes the human summary to f. Cannot fail (stdio errors are the caller's to check). */
void bl_report_text(const struct bl_report *r, FILE *f);

/* The report as a cJSON tree's printed text (malloc'd, the caller frees it); NULL when out of
 * memory. */
char *bl_report_json(const struct bl_report *r);

/* Writes the JSON report to path. Returns 0 or -1 with the reason in err. */
int bl_report_write_json(const struct bl_report *r, const char *path, char *err, size_t errlen);

/* Writes the latency-by-percentile plot to path. Returns 0 or -1 with the reason in err. */
int bl_report_write_svg(const struct bl_report *r, const char *path, char *err, size_t errlen);

#endif /* BL_REPORT_H */
