/* diag.c - filling a diagnostic and naming error codes. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

int xgbc_fail(struct xgbc_diag *d, int code, const char *where, const char *fmt, ...) {
  va_list ap;

  if (d == NULL)
    return code;
  snprintf(d->where, sizeof d->where, "%s", where ? where : "");
  va_start(ap, fmt);
  vsnprintf(d->why, sizeof d->why, fmt, ap);
  va_end(ap);
  return code;
}


const char *xgbc_err_name(int code) {
  switch (code) {
#define XX(name, msg)                                                               \
  case XGBC_E##name:                                                                \
    return #name;
    XGBC_ERRNO_MAP(XX)
#undef XX
  }
  return "UNKNOWN";
}
