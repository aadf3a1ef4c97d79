/* m4run.h - turn definitions plus a template into a file, atomically, with GNU m4.
 *
 * m4 runs with a fixed argv: m4 -P -E -I TEMPLATE_DIR prelude.m4 - TEMPLATE, reading the
 * definitions on its standard input. Its output goes to a temporary file beside the target,
 * which is checked (m4 exited 0, no bg4_ or m4_ name was left unexpanded) and only then renamed
 * over the target. On any failure the temporary file is removed and the target is untouched.
 */
#ifndef XGBC_M4RUN_H
#define XGBC_M4RUN_H

#include <stddef.h>

#include "diag.h"

struct xgbc_m4 {
  const char *m4;           /* program, e.g. "m4" (looked up on PATH) */
  const char *template_dir; /* holds prelude.m4 and the templates */
};

/* Expand template with defs into a new temporary file next to target (same directory).
 * On success *tmp_path (malloc'd) names it; publish it with xgbc_m4_publish or remove it with
 * xgbc_m4_discard. Returns 0 or a negative XGBC_E* code with *d filled. */
int xgbc_m4_expand(const struct xgbc_m4 *cfg, const char *template, const char *defs,
                   size_t defs_len, const char *target, char **tmp_path, struct xgbc_diag *d);

/* Rename tmp_path over target; frees tmp_path. Returns 0 or XGBC_EIO with *d filled. */
int xgbc_m4_publish(char *tmp_path, const char *target, struct xgbc_diag *d);

/* Remove tmp_path and free it; NULL is fine. Never fails. */
void xgbc_m4_discard(char *tmp_path);

/* Remove every temporary file still pending; async-signal-safe, for a signal handler. */
void xgbc_m4_discard_all_pending(void);

#endif /* XGBC_M4RUN_H */
