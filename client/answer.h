/* answer.h - reads bidgate's /v1/filter answers to count its decisions.
 *
 * An answer is {"id":..., "model":..., "imp":[{"id":..., "bidders":[{"bidder":..., "score":...,
 * "pass":true|false, "reason":"score"|"explore"|"fail_open"}]}]} (DESIGN.md). Each bidder entry
 * (or an impression carrying "pass" itself) is one decision: reason "explore" counts as explore,
 * "fail_open" as fail_open, otherwise pass:true as pass and pass:false as drop. */
#ifndef BL_ANSWER_H
#define BL_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "bidload.h"

/* Adds the decisions in body[0..len) to counts[BL_DECISIONS]. Returns how many it counted, or
 * -1 when the body is not a bidgate answer (not JSON, or no "imp" array); counts are then left
 * alone. */
int bl_answer_count(const char *body, size_t len, uint64_t counts[BL_DECISIONS]);

#endif /* BL_ANSWER_H */
