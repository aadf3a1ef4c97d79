/* conn.h - bidload's load threads: each runs its own libuv loop over its share of the
 * connections (keep-alive, HTTP/1.1, at most --pipeline requests in flight on each, 1 by
 * default) and records what it measures in its own struct bl_result, so nothing is shared
 * while the run lasts but two progress counters.
 *
 * Open loop (rate > 0): requests go out at their scheduled times (schedule.h) on whichever
 * connection is free; when none is, they wait and their latency still counts from the scheduled
 * time. Closed loop (rate 0): every connection sends its next request as soon as its answer
 * arrives, and latency counts from the actual send. Sending stops at the end of the window; the
 * thread then waits up to --timeout for the answers in flight and exits. */
#ifndef BL_CONN_H
#define BL_CONN_H

#include <stdatomic.h>
#include <stdint.h>

#include "bidload.h"

/* What all threads of one run share, read-only (but stop). */
struct bl_shared {
  const struct bl_config *cfg;
  const struct bl_profile *profile;
  uint64_t start_ns, end_ns;       /* the sending window, uv_hrtime() clock */
  atomic_int *stop;                /* set (by a signal) to end the run early */
};

struct bl_worker;

/* Makes thread `id` of the run; NULL when out of memory. */
struct bl_worker *bl_worker_new(unsigned id, const struct bl_shared *sh);

/* Starts the thread. Returns 0 or a negative errno. */
int bl_worker_start(struct bl_worker *w);

/* Waits for the thread to end and adds what it measured to out. Returns 0, or a negative code
 * with a message in err when the thread could not run (its loop or timer failed to start). */
int bl_worker_join(struct bl_worker *w, struct bl_result *out, char *err, size_t errlen);

/* Progress so far (any thread may read them while the run lasts): answers, errors. */
uint64_t bl_worker_answers(struct bl_worker *w);
uint64_t bl_worker_errors(struct bl_worker *w);

/* 1 once the thread has ended (bl_worker_join will not block). */
int bl_worker_finished(struct bl_worker *w);

/* When this thread stopped sending (the end of the window, or earlier on stop). */
uint64_t bl_worker_sent_until(struct bl_worker *w);

void bl_worker_free(struct bl_worker *w);

#endif /* BL_CONN_H */
