/* read.h - model readers: one per input format, each filling the same IR (ir.h).
 *
 * A reader parses and checks the file's structure (types, required fields, array lengths) and
 * refuses what xgbc does not support yet. Semantic checks that do not depend on the format
 * (reachability, index ranges, objective) are validate.c's. Readers never print: on failure
 * they return a negative XGBC_E* code, fill *d, and leave *m empty.
 */
#ifndef XGBC_READ_H
#define XGBC_READ_H

#include <stddef.h>

#include "diag.h"
#include "ir.h"

/* XGBoost's save_model JSON (1.x; the base_score and DART forms of 2.x/3.x are understood).
 * text need not be NUL-terminated. Unquoted NaN, Infinity and -Infinity are accepted. */
int xgbc_read_xgb_json(const char *text, size_t len, struct xgbc_model *m, struct xgbc_diag *d);

#endif /* XGBC_READ_H */
