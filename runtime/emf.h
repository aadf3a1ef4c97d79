/* emf.h - one CloudWatch Embedded Metric Format line: the figures of infra/emf-metrics.json for
 * one interval, as JSON on one line (docs/metrics.md).
 *
 * Namespace "Bidgate", dimension set [["Service"]] with the Service value of --emf-service,
 * properties Model and Task; every metric of infra/emf-metrics.json with its unit. Counts are
 * the differences between two snapshots of the counters; latency percentiles come from the
 * difference of their histograms (metrics.h: each value within 6.25%).
 */
#ifndef BG_EMF_H
#define BG_EMF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "metrics.h"

struct bg_server;

/* Append one EMF line (ending in \n) to out for the interval from prev to now, which lasted
 * seconds; max_us is the largest latency seen in it. Returns 0, or -1 when memory is out. */
int bg_emf_line(const struct bg_server *srv, const struct bg_stats_snap *now,
                const struct bg_stats_snap *prev, double seconds, uint64_t max_us,
                struct bg_buf *out);

/* The EMF "Task" property into out: the ECS task id taken from ECS_CONTAINER_METADATA_URI_V4's
 * last path segment (the part before the first '-' when it is 32 hex digits), else the host
 * name, else "unknown". Never fails. */
void bg_emf_task_id(char *out, size_t size);

#endif /* BG_EMF_H */
