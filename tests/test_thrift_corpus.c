/* test_thrift_corpus.c - the fuzz corpus replayed in every `make test`.
 *
 * tests/fuzz/thrift_corpus/ holds the seeds of tests/fuzz/fuzz_thrift.c (and any input worth
 * keeping that `make fuzz` finds). The plain driver, built with the same compiler as the rest
 * of the suite (no libFuzzer), replays each; the harness aborts on any disagreement between
 * decoding a stream whole and in pieces, or on an impossible result.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

Test(thrift_corpus, replays_cleanly, .timeout = 120) {
  const char *dir = bgt_env("BG_TEST_THRIFT_CORPUS");
  char *argv[] = {(char *)bgt_env("BG_TEST_THRIFT_REPLAY"), (char *)dir, NULL};
  char *out, *err;
  long files = 0;
  struct dirent *e;
  DIR *d = opendir(dir);
  int status;

  cr_assert(d != NULL, "cannot open %s", dir);
  while ((e = readdir(d)) != NULL)
    files += e->d_name[0] != '.';
  closedir(d);
  cr_assert_geq(files, 20, "the corpus holds only %ld inputs", files);
  status = bgt_run(argv, NULL, &out, &err);
  cr_assert_eq(status, 0, "the replay failed (status %d): %s", status, err);
  cr_assert_str_eq(out, bgt_fmt("replayed %ld inputs\n", files));
  free(out);
  free(err);
}
