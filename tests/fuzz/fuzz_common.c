/* fuzz_common.c - the compile steps every fuzz target runs on what a reader accepted. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "emit.h"
#include "lower.h"
#include "validate.h"


int bg_fuzz_compile(struct xgbc_model *m) {
  struct xgbc_diag d = {{0}, {0}, NULL};
  struct xgbc_flat f = {0};
  struct xgbc_emit_info info = {0};
  char *defs = NULL;
  size_t len = 0;
  FILE *out;
  int err;

  info.name = "fuzz";
  info.source = "fuzz.json";
  info.sha256 = "0";
  info.xgbc_version = "fuzz";
  if ((err = xgbc_validate(m, &d)) == 0 && (m->linear || (err = xgbc_lower(m, &f, &d)) == 0)) {
    out = open_memstream(&defs, &len);
    if (out != NULL) {
      err = xgbc_emit_defs(out, &info, m, &f);
      fclose(out);
    }
    free(defs);
  }
  xgbc_flat_free(&f);
  xgbc_model_free(m);
  return err;
}
