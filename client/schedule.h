/* schedule.h - bidload's open-loop send times.
 *
 * At --rate R the run's requests are due at start + g/R seconds, g = 0, 1, 2, ...; thread t of
 * T takes every T-th one (g = i*T + t), so the threads together keep one even pace. A request's
 * latency counts from its due time, not from when it was actually sent: when the server stalls
 * and requests wait for a free connection, the wait is part of their latency (the coordinated
 * omission correction of wrk2). Pure arithmetic on nanosecond timestamps: cannot fail. */
#ifndef BL_SCHEDULE_H
#define BL_SCHEDULE_H

#include <stdint.h>

struct bl_sched {
  uint64_t start_ns, end_ns;  /* the sending window [start, end) */
  double period_ns;           /* 1e9 / R */
  uint64_t stride, offset;    /* threads, this thread's index */
  uint64_t next;              /* this thread's next request, i */
};

/* rate > 0: requests per second over all threads. */
void bl_sched_init(struct bl_sched *s, double rate, unsigned threads, unsigned thread,
                   uint64_t start_ns, uint64_t end_ns);

/* When this thread's i-th request is due. */
uint64_t bl_sched_time(const struct bl_sched *s, uint64_t i);

/* When the next request is due; UINT64_MAX once the next one would fall past the window. */
uint64_t bl_sched_next(const struct bl_sched *s);

/* Moves on to the next request. */
void bl_sched_advance(struct bl_sched *s);

/* How many of this thread's requests fall in the window (what a keeping-up run sends). */
uint64_t bl_sched_total(const struct bl_sched *s);

#endif /* BL_SCHEDULE_H */
