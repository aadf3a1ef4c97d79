/* test_fuzz_http.c - the request path's fuzz corpus (tests/fuzz_http/corpus/), replayed.
 *
 * Every input goes through the same target `make fuzz-http` runs under libFuzzer, here built
 * by the test's own compiler with ASan and UBSan (mk/server_fuzz.mk): each must give nothing
 * but whole HTTP answers, with no sanitizer report. Inputs that once crashed stay in the corpus.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

Test(fuzz_http, corpus_replays_cleanly, .timeout = 120) {
  const char *corpus = bgt_env("BG_TEST_FUZZ_HTTP_CORPUS");
  char *argv[] = {(char *)bgt_env("BG_TEST_FUZZ_HTTP_REPLAY"), (char *)corpus, NULL};
  char *out, *err;
  int files = 0, replayed = -1;
  DIR *d = opendir(corpus);
  struct dirent *e;

  cr_assert(d != NULL, "%s", corpus);
  while ((e = readdir(d)) != NULL)
    files += e->d_name[0] != '.';
  closedir(d);
  cr_assert_geq(files, 10, "the corpus holds the seed inputs");
  cr_assert_eq(bgt_run(argv, NULL, &out, &err), 0, "replay failed:\n%s", err);
  cr_assert(sscanf(out, "replayed %d inputs", &replayed) == 1, "%s", out);
  cr_assert_eq(replayed, files);
}
