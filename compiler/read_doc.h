/* read_doc.h - what the readers share internally: parsing JSON exactly, the document -> IR
 * mapping, and the small helpers both need. Not for use outside compiler/read_*.c. */
#ifndef XGBC_READ_DOC_H
#define XGBC_READ_DOC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "ir.h"

/* Parse JSON text into *root after the normalising pass of read_xgb_json.c (every non-integer
 * number read as XGBoost reads a float, unquoted NaN/Infinity accepted). A syntax error is
 * reported at its line and column in text. Returns 0 or XGBC_ESYNTAX / XGBC_ENOMEM. */
int xgbc_json_parse(const char *text, size_t len, cJSON **root, struct xgbc_diag *d);

/* Map a save_model document (from JSON or UBJSON) to the IR. Returns 0 or a negative XGBC_E*
 * code with *d filled; m is left for the caller to free either way. */
int xgbc_doc_to_model(const cJSON *root, struct xgbc_model *m, struct xgbc_diag *d);

/* base_score as XGBoost stores it: "0.5", "5E-1", or the 3.1+ vector "[5E-1,2E-1]" (one value
 * per output group). Sets m's base scores. */
int xgbc_doc_base_score(const char *s, const char *where, struct xgbc_model *m,
                        struct xgbc_diag *d);

/* "a number", "a string", ... for diagnostics. */
const char *xgbc_doc_type_name(const cJSON *v);

/* A float field: a number, or the "NaN" the normalising pass made of an unquoted NaN. */
int xgbc_doc_float(const cJSON *v, const char *where, float *out, struct xgbc_diag *d);

/* A count: a number or, as XGBoost writes its parameters, a decimal string; at most max. */
int xgbc_doc_uint(const cJSON *v, const char *where, uint32_t max, uint32_t *out,
                  struct xgbc_diag *d);

/* where + "." + key, or where + "[i]", clipped with "..." when it does not fit. */
const char *xgbc_path_key(char *out, size_t n, const char *base, const char *key);
const char *xgbc_path_idx(char *out, size_t n, const char *base, size_t i);

#endif /* XGBC_READ_DOC_H */
