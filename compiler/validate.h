/* validate.h - the checks that make an IR safe to compile, whatever file it came from. */
#ifndef XGBC_VALIDATE_H
#define XGBC_VALIDATE_H

#include "diag.h"
#include "ir.h"

/* Check m and set m->obj. Refuses: an unknown or unsupported objective, a class count that
 * disagrees with the objective or with the trees' groups, an empty forest, a base_score the
 * objective cannot turn into a margin, and in every tree (walked from its root; unreachable
 * slots are ignored): child indices out of range, cycles and shared nodes, a leaf with only one
 * child, feature indices >= num_features, numeric thresholds and leaf values that are not
 * finite, a categorical split whose categories lie outside its tree's list (categorical splits
 * are accepted: any int32 category, the kernels' rules follow XGBoost's). For gblinear: weights that are not finite. Base scores
 * must be one, or one per output group.
 * Returns 0 or a negative XGBC_E* code with *d filled. */
int xgbc_validate(struct xgbc_model *m, struct xgbc_diag *d);

#endif /* XGBC_VALIDATE_H */
