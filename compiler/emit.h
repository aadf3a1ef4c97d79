/* emit.h - xgbc's m4 definitions ("muscles", as bison calls them) for the templates.
 *
 * The templates (templates/, *.m4) hold all the C text; xgbc hands them facts about the model as
 * m4 definitions named bg4_*, quoted with @< @>. Strings from the model (feature names, the
 * objective, the file name) are escaped first so that nothing in a model file can end a C
 * string or comment, open or close an m4 quote, or name an m4 macro.
 */
#ifndef XGBC_EMIT_H
#define XGBC_EMIT_H

#include <stdio.h>

#include "ir.h"
#include "lower.h"

struct xgbc_emit_info {
  const char *name;         /* C identifier */
  const char *source;       /* model file as given on the command line */
  const char *sha256;       /* hex digest of the model file */
  const char *xgbc_version;
};

/* Write every bg4_* definition the templates need to out. Returns 0, or XGBC_EIO when
 * writing fails. */
int xgbc_emit_defs(FILE *out, const struct xgbc_emit_info *info, const struct xgbc_model *m,
                   const struct xgbc_flat *f);

/* Only the definitions that name the output (bg4_name, bg4_xgbc_version), for a feature spec
 * compiled without a model. Returns 0 or XGBC_EIO. */
int xgbc_emit_name_defs(FILE *out, const char *name, const char *xgbc_version);

/* Format f as a C float literal that reads back as exactly f (e.g. "1.5f", "-0.0f",
 * "3.40282347e+38f"; NAN, INFINITY or -INFINITY from math.h). buf needs 32 bytes. */
const char *xgbc_float_literal(char *buf, size_t n, float f);

#endif /* XGBC_EMIT_H */
