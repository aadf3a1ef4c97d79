/* test_branchless.c - the generated predict code does not branch per tree node, on any kernel.
 *
 * Two models of the same depth, 10 and 300 trees (tests/oracle/train.py: branch_t10,
 * branch_t300; and cat_branch_t10, cat_branch_t300 with categorical splits), are compiled by xgbc and the C compiler exactly as the oracle tests use them:
 * for x86-64 (scalar, SSE2 and AVX2 kernels) and, cross-compiled, for aarch64 (scalar and NEON;
 * build/arm64/oracle). In objdump's disassembly, the model's own code of each kernel (its
 * functions summed: inlining differs between the two) and each of its functions must have
 * about the same number of conditional jumps in both models: if code grew a jump per node
 * (or per tree), the 300-tree model would have hundreds more. "About": the trip counts of the
 * loops over trees are compile-time constants, and with 10 trees the compiler may drop a loop
 * that runs once (a chunk of 64 trees, say), so the small model may have some jumps less.
 * x86 conditional jumps are j* but jmp; aarch64 ones are b.<cond>, cbz, cbnz, tbz and tbnz.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

#define MAX_FUNCS 64
/* Loops over rows, blocks, trees, lanes, depth and outputs: gcc makes a handful per function;
 * clang unrolls the lockstep loops (up to 8 walks, each behind its own guard), several dozen.
 * A jump per node would add thousands for the 300-tree model, one per tree about 290. */
#define MAX_JUMPS_PER_FUNCTION 128
#define MAX_JUMPS_GROWTH 24 /* loops the compiler keeps only for the larger model */

struct func {
  char name[64];
  int jumps;
};

/* Functions of the model's own code (kernels, transforms, the dispatcher); the rest of the
 * object is C runtime and libgcc (CPU feature detection). */
static int is_model_code(const char *name) {
  static const char *const prefixes[] = {"predict", "margins", "walk", "leaves", "row_",
                                         "block_", "transform", "best_margins", "available_",
                                         "step", "next_", "cat_"};
  size_t i;

  for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
    if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
      return 1;
  return 0;
}


static int is_conditional_jump(const char *insn, int aarch64) {
  if (!aarch64)
    return insn[0] == 'j' && strncmp(insn, "jmp", 3) != 0;
  return strncmp(insn, "b.", 2) == 0 || strncmp(insn, "cbz", 3) == 0 ||
         strncmp(insn, "cbnz", 4) == 0 || strncmp(insn, "tbz", 3) == 0 ||
         strncmp(insn, "tbnz", 4) == 0;
}


/* Conditional jumps per model-code function of so; returns the number of functions. */
static int count_jumps(const char *objdump, const char *so, int aarch64, struct func *f) {
  char *argv[] = {(char *)objdump, "-d", "--no-show-raw-insn", (char *)so, NULL};
  char *out, *line, *save = NULL;
  int n = 0, cur = -1;

  cr_assert_eq(bgt_run(argv, NULL, &out, NULL), 0, "%s -d %s failed", objdump, so);
  for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    char *lt = strchr(line, '<'), *tab;
    if (lt != NULL && strstr(line, ">:") != NULL) { /* "0000000000001120 <predict>:" */
      cur = -1;
      lt++;
      lt[strcspn(lt, ">.")] = '\0'; /* "walk.constprop.0" counts as walk */
      if (is_model_code(lt)) {
        cr_assert_lt(n, MAX_FUNCS);
        cur = n++;
        snprintf(f[cur].name, sizeof f[cur].name, "%s", lt);
        f[cur].jumps = 0;
      }
      continue;
    }
    tab = strchr(line, '\t');
    if (cur >= 0 && tab != NULL && is_conditional_jump(tab + 1, aarch64))
      f[cur].jumps++;
  }
  free(out);
  return n;
}


/* The kernel a function belongs to: its ISA suffix (margins_sse2, walk_sse2: "sse2"), or
 * "common" (predict, transform, shared helpers such as step or cat_left). The compiler inlines
 * a kernel's helpers differently in the two models (walk_sse2 is its own function with 300
 * trees of categorical splits, inlined with 10), so jumps are compared per kernel, not per
 * function. */
static const char *family(const char *name) {
  static const char *const isas[] = {"scalar", "sse2", "avx2", "neon"};
  const char *us = strrchr(name, '_');
  size_t i;

  for (i = 0; us != NULL && i < sizeof isas / sizeof isas[0]; i++)
    if (strcmp(us + 1, isas[i]) == 0)
      return isas[i];
  return "common";
}


/* Conditional jumps of the functions of family fam among f[0..n). */
static int family_jumps(const struct func *f, int n, const char *fam) {
  int i, sum = 0;

  for (i = 0; i < n; i++)
    if (strcmp(family(f[i].name), fam) == 0)
      sum += f[i].jumps;
  return sum;
}


static void compare(const char *arch, const char *objdump, const char *dir, int aarch64,
                    const char *simd1, const char *simd2, const char *prefix) {
  static const char *const fams[] = {"scalar", "sse2", "avx2", "neon", "common"};
  struct func f10[MAX_FUNCS], f300[MAX_FUNCS];
  const char *san = getenv("BG_TEST_SANITIZE");
  int n10, n300, i, saw1 = 0, saw2 = 0;
  size_t k;

  /* Sanitizer instrumentation (make test SANITIZE=1) adds its own checks and branches: the
   * shape of the code is checked in the normal build. */
  if (san != NULL && *san != '\0')
    cr_skip_test("instrumented build");
  n10 = count_jumps(objdump, bgt_fmt("%s/%sbranch_t10/model.so", dir, prefix), aarch64, f10);
  n300 = count_jumps(objdump, bgt_fmt("%s/%sbranch_t300/model.so", dir, prefix), aarch64, f300);

  cr_assert_geq(n10, 2, "%s: predict functions not found in the disassembly", arch);
  for (k = 0; k < sizeof fams / sizeof fams[0]; k++) {
    int j10 = family_jumps(f10, n10, fams[k]), j300 = family_jumps(f300, n300, fams[k]);
    cr_expect_leq(j300 - j10, MAX_JUMPS_GROWTH, "%s%s kernel %s: 10 trees: %d conditional "
                  "jumps; 300 trees: %d", arch, prefix[0] ? " (categorical)" : "", fams[k], j10,
                  j300);
  }
  for (i = 0; i < n300; i++) {
    cr_expect_leq(f300[i].jumps, MAX_JUMPS_PER_FUNCTION, "%s %s: %d conditional jumps", arch,
                  f300[i].name, f300[i].jumps);
    saw1 |= strstr(f300[i].name, simd1) != NULL;
    saw2 |= strstr(f300[i].name, simd2) != NULL;
  }
  /* The SIMD kernels are really there (not compiled out), so they were checked too. */
  cr_expect(saw1 && saw2, "%s: no %s or %s kernel code in the disassembly", arch, simd1, simd2);
}


Test(branchless, x86_64_jumps_do_not_grow_with_trees, .timeout = 60) {
  compare("x86-64", "objdump", bgt_env("BG_TEST_ORACLE_SO"), 0, "sse2", "avx2", "");
}


Test(branchless, aarch64_jumps_do_not_grow_with_trees, .timeout = 60) {
  compare("aarch64", "aarch64-linux-gnu-objdump", bgt_env("BG_TEST_ORACLE_SO_ARM64"), 1, "neon",
          "scalar", "");
}


/* The same for kernels that also test categories (bitset lookups, no branch either). */
Test(branchless, x86_64_categorical_jumps_do_not_grow_with_trees, .timeout = 60) {
  compare("x86-64", "objdump", bgt_env("BG_TEST_ORACLE_SO"), 0, "sse2", "avx2",
          "cat_");
}


Test(branchless, aarch64_categorical_jumps_do_not_grow_with_trees, .timeout = 60) {
  compare("aarch64", "aarch64-linux-gnu-objdump", bgt_env("BG_TEST_ORACLE_SO_ARM64"),
          1, "neon", "scalar", "cat_");
}
