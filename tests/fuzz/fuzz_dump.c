/* fuzz_dump.c - fuzz target: JSON text dumps with their command-line options (read_any.c,
 * read_xgb_dump.c), then the compile steps.
 *
 * An input is option lines, an empty line, then the dump:
 *     --objective multi:softprob
 *     --num-class 3
 *     ...
 *
 *     [{"nodeid": 0, ...}]
 * Each option line is "NAME VALUE" (split at the first space) and goes to the same option
 * parser as xgbc's command line; --model-file is ignored (no file access while fuzzing). An
 * input that does not start with "--" is all dump, with options for a one-output model of 16
 * features.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "read.h"

#define MAX_OPTS 16


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct xgbc_read_opts o = {NULL, "binary:logistic", "0.5", "0", "16", NULL, NULL};
  struct xgbc_diag d = {{0}, {0}, NULL};
  struct xgbc_model m;
  char *copy = malloc(size + 1), *p, *dump;
  size_t dump_len = size;
  int n = 0;

  if (copy == NULL)
    return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  dump = copy;
  if (size >= 2 && copy[0] == '-' && copy[1] == '-') {
    char *end = strstr(copy, "\n\n");
    if (end != NULL && (size_t)(end - copy) < size) {
      memset(&o, 0, sizeof o);
      *end = '\0';
      dump = end + 2;
      dump_len = size - (size_t)(dump - copy);
      for (p = strtok(copy, "\n"); p != NULL && n < MAX_OPTS; p = strtok(NULL, "\n"), n++) {
        char *value = strchr(p, ' ');
        const char **slot;
        if (value == NULL)
          continue;
        *value++ = '\0';
        slot = xgbc_read_opt_slot(&o, p);
        if (slot != NULL && slot != &o.model_file)
          *slot = value;
      }
    }
  }
  if (xgbc_read_model(dump, dump_len, &o, &m, &d) == 0)
    bg_fuzz_compile(&m);
  free(copy);
  return 0;
}
