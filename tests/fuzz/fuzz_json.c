/* fuzz_json.c - fuzz target: save_model JSON (read_xgb_json.c, read_xgb_doc.c), then the
 * compile steps. */
#include "fuzz.h"

#include "read.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct xgbc_diag d = {{0}, {0}, NULL};
  struct xgbc_model m;

  if (xgbc_read_xgb_json((const char *)data, size, &m, &d) == 0)
    bg_fuzz_compile(&m);
  return 0;
}
