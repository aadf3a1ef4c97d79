/* test_fuzz_replay.c - the fuzz corpus and every crasher found so far replay cleanly.
 *
 * mk/fuzz.mk builds one replay binary per reader (tests/fuzz/replay.c and the fuzz target,
 * with ASan and UBSan when the compiler has them). Each runs here on the seed corpus
 * (tests/fuzz/corpus/TARGET) and the crashers (tests/fuzz/crashers/TARGET): any crash,
 * sanitizer report or leak makes it exit non-zero, and a hang runs into the timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"


static void replay(const char *target) {
  const char *fuzz = bgt_env("BG_TEST_FUZZ");
  char *bin = bgt_fmt("%s/replay_%s", bgt_env("BG_TEST_REPLAY"), target);
  char *argv[] = {bin, bgt_fmt("%s/corpus/%s", fuzz, target),
                  bgt_fmt("%s/crashers/%s", fuzz, target), NULL};
  char *out, *err;
  int status, n = 0;

  status = bgt_run(argv, NULL, &out, &err);
  cr_assert_eq(status, 0, "%s exited %d:\n%s", bin, status, err);
  cr_assert(sscanf(out, "replayed %d inputs", &n) == 1, "unexpected output: %s", out);
  cr_assert_geq(n, 5, "%s replayed only %d inputs", bin, n);
  free(out);
  free(err);
}


Test(fuzz_replay, json, .timeout = 120) {
  replay("json");
}


Test(fuzz_replay, ubj, .timeout = 120) {
  replay("ubj");
}


Test(fuzz_replay, dump, .timeout = 120) {
  replay("dump");
}
