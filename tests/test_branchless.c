/* test_branchless.c - the generated predict code does not branch per tree node.
 *
 * Two models of the same depth, 10 and 300 trees (tests/oracle/train.py: branch_t10,
 * branch_t300), are compiled by xgbc and the C compiler exactly as the oracle test uses them.
 * In objdump's disassembly of their predict functions, the number of conditional jumps must be
 * the same: if code grew a jump per node (or per tree), the 300-tree model would have more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

/* Conditional jumps in the functions of the model's own code (predict and what it inlines). */
static int count_conditional_jumps(const char *so, int *functions) {
  char *argv[] = {"objdump", "-d", "--no-show-raw-insn", (char *)so, NULL};
  char *out, *line, *save = NULL;
  int in_model_code = 0, jumps = 0;

  cr_assert_eq(bgt_run(argv, NULL, &out, NULL), 0, "objdump -d %s failed", so);
  *functions = 0;
  for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    char *lt = strchr(line, '<');
    if (lt != NULL && strstr(line, ">:") != NULL) { /* "0000000000001120 <predict>:" */
      in_model_code = strncmp(lt, "<predict", 8) == 0 || strncmp(lt, "<margin", 7) == 0 ||
                      strncmp(lt, "<walk", 5) == 0 || strncmp(lt, "<transform", 10) == 0;
      *functions += in_model_code;
      continue;
    }
    if (in_model_code) {
      char *tab = strchr(line, '\t');
      /* x86: every j* but jmp */
      if (tab != NULL && tab[1] == 'j' && strncmp(tab + 1, "jmp", 3) != 0)
        jumps++;
    }
  }
  free(out);
  return jumps;
}


Test(branchless, jumps_do_not_grow_with_trees, .timeout = 60) {
  const char *dir = bgt_env("BG_TEST_ORACLE_SO");
  int f10, f300;
  const char *san = getenv("BG_TEST_SANITIZE");
  int j10, j300;

  /* Sanitizer instrumentation (make test SANITIZE=1) adds its own checks and branches: the
   * shape of the code is checked in the normal build. */
  if (san != NULL && *san != '\0')
    cr_skip_test("instrumented build");
  j10 = count_conditional_jumps(bgt_fmt("%s/branch_t10/model.so", dir), &f10);
  j300 = count_conditional_jumps(bgt_fmt("%s/branch_t300/model.so", dir), &f300);

  cr_assert_geq(f10, 2, "predict functions not found in the disassembly");
  cr_assert_eq(f10, f300);
  cr_expect_eq(j10, j300, "10 trees: %d conditional jumps; 300 trees: %d", j10, j300);
  /* Loops over rows, trees and depth, and the transform: a handful, not one per node. */
  cr_expect_leq(j300, 16, "%d conditional jumps in the predict code", j300);
}
