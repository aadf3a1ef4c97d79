/* diag.h - xgbc's error codes and the one diagnostic a failed step hands back to main.
 *
 * Library code (readers, validation, emitters) never prints: it returns a negative XGBC_E*
 * code and fills a struct xgbc_diag with WHERE (a JSON path, a line and column, or a file) and
 * WHY (a sentence). main prints "FILE: WHERE: WHY" on stderr and exits non-zero.
 */
#ifndef XGBC_DIAG_H
#define XGBC_DIAG_H

/* One row per error family: name, what it means. Codes are negative (libuv style). */
#define XGBC_ERRNO_MAP(XX)                                                          \
  XX(IO, "cannot read or write a file")                                             \
  XX(SYNTAX, "not well-formed")                                                     \
  XX(SCHEMA, "not an XGBoost model")                                                \
  XX(INVAL, "inconsistent model")                                                 \
  XX(UNSUPPORTED, "unsupported model")                                              \
  XX(NOMEM, "out of memory")                                                        \
  XX(TOOL, "code generation failed")                                                \
  XX(USAGE, "bad command line")

enum {
  XGBC_OK = 0,
#define XX(name, msg) XGBC_E##name,
  XGBC__ERR_FIRST = -100,
  XGBC_ERRNO_MAP(XX)
#undef XX
};

struct xgbc_diag {
  char where[256]; /* e.g. "learner.gradient_booster.model.trees[3].left_children[7]" */
  char why[512];   /* e.g. "child index 99 is out of range (the tree has 35 nodes)" */
  const char *file; /* the file at fault when it is not the one being compiled (e.g. the
                       --model-file of a dump); NULL otherwise. xgbc_fail leaves it alone. */
};

/* Fill d (if not NULL) and return code, so callers can write `return xgbc_fail(...)`. */
int xgbc_fail(struct xgbc_diag *d, int code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Name of an error code, e.g. "XGBC_EINVAL"-like "INVALID"; "UNKNOWN" for anything else. */
const char *xgbc_err_name(int code);

#endif /* XGBC_DIAG_H */
