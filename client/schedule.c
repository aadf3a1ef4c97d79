/* schedule.c - open-loop send times at a fixed rate (see schedule.h). */
#include "schedule.h"

#include <math.h>


void bl_sched_init(struct bl_sched *s, double rate, unsigned threads, unsigned thread,
                   uint64_t start_ns, uint64_t end_ns) {
  s->start_ns = start_ns;
  s->end_ns = end_ns;
  s->period_ns = 1e9 / rate;
  s->stride = threads ? threads : 1;
  s->offset = thread;
  s->next = 0;
}


uint64_t bl_sched_time(const struct bl_sched *s, uint64_t i) {
  /* From the start each time, never by adding periods, so rounding cannot drift. */
  return s->start_ns + (uint64_t)ceil((double)(i * s->stride + s->offset) * s->period_ns);
}


uint64_t bl_sched_next(const struct bl_sched *s) {
  uint64_t t = bl_sched_time(s, s->next);

  return t < s->end_ns ? t : UINT64_MAX;
}


void bl_sched_advance(struct bl_sched *s) {
  s->next++;
}


uint64_t bl_sched_total(const struct bl_sched *s) {
  double span = (double)(s->end_ns - s->start_ns) / s->period_ns;
  uint64_t g = (uint64_t)span, i;

  /* The global indices below span, then this thread's share of them; fix up rounding at the
   * edge with the exact test the sender uses. */
  i = g > s->offset ? (g - s->offset + s->stride - 1) / s->stride : 0;
  while (i > 0 && bl_sched_time(s, i - 1) >= s->end_ns)
    i--;
  while (bl_sched_time(s, i) < s->end_ns)
    i++;
  return i;
}
