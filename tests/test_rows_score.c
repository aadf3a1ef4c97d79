/* test_rows_score.c - scoring distinct rows only (rows.c) gives every row the outputs that
 * predicting it alone gives, and xgbc marks a spec bidder-blind exactly when no tree of the
 * model splits on an entry that reads $bidder.
 *
 * The model here is a stand-in whose outputs are a hash of each row's bits (so any mix-up of
 * rows shows) and which counts the rows it is asked to predict. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "arena.h"
#include "features_abi.h"
#include "helpers.h"
#include "model_abi.h"
#include "rows.h"

TestSuite(rows_score, .timeout = 120);

#define NF 5
#define WIDTH 2

static uint32_t predicted; /* rows the stand-in model was asked for */


static void outputs_of(const float *row, float *out) {
  uint32_t h = 2166136261u, k, u;

  for (k = 0; k < NF; k++) {
    memcpy(&u, &row[k], 4);
    h = (h ^ u) * 16777619u;
  }
  out[0] = (float)(h & 0xffff);
  out[1] = (float)(h >> 16);
}


static void fake_predict(const float *x, size_t n, float *out) {
  size_t r;

  predicted += (uint32_t)n;
  for (r = 0; r < n; r++)
    outputs_of(x + r * NF, out + r * WIDTH);
}


Test(rows_score, distinct_rows_are_predicted_once_and_every_row_gets_its_own_outputs) {
  struct bg_model model;
  struct bg_features fx;
  uint64_t seed = 12345;
  int n;

  memset(&model, 0, sizeof model);
  model.predict = fake_predict;
  memset(&fx, 0, sizeof fx);
  for (n = 0; n < 20000; n++) {
    struct bg_arena a;
    struct bg_rows rows;
    uint32_t n_imp, per, r, k, distinct = 0;
    float want[WIDTH];
    int blind;
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    n_imp = 1 + (uint32_t)(seed >> 60) % 5;
    per = 1 + (uint32_t)(seed >> 50) % 4;
    blind = (int)(seed >> 40) & 1;
    fx.score_ignores_bidder = (uint32_t)blind;
    bg_arena_init(&a, 1024, 1 << 20);
    memset(&rows, 0, sizeof rows);
    rows.n = n_imp * per;
    rows.per_imp = per;
    rows.nf = NF;
    rows.width = WIDTH;
    rows.x = bg_arena_alloc(&a, rows.n * NF * sizeof *rows.x);
    rows.out = bg_arena_alloc(&a, rows.n * WIDTH * sizeof *rows.out);
    /* Rows from a few patterns, so runs of equal rows happen; when bidder-blind, only the
     * first row of each impression is meant to count, so the others get noise. */
    for (r = 0; r < rows.n; r++) {
      uint32_t pattern = (uint32_t)(seed >> (r % 16)) % 3;
      for (k = 0; k < NF; k++)
        rows.x[r * NF + k] = (float)(pattern * 10 + k);
      if (blind && r % per != 0)
        rows.x[r * NF + 4] = (float)(r + 1000); /* a $bidder entry the model ignores */
    }
    for (r = 0; r < rows.n; r += blind ? per : 1) {
      const float *row = rows.x + (size_t)r * NF;
      size_t step = blind ? per : 1;
      distinct += r == 0 || memcmp(row, row - step * NF, NF * sizeof *row) != 0;
    }
    predicted = 0;
    cr_assert_eq(bg_rows_score(&rows, &model, &fx, &a), 0);
    cr_assert_eq(predicted, distinct, "case %d: %u rows predicted, %u distinct", n, predicted,
                 distinct);
    for (r = 0; r < rows.n; r++) {
      /* a bidder-blind row's outputs are those of its impression's first row */
      outputs_of(rows.x + (size_t)(blind ? r - r % per : r) * NF, want);
      cr_assert(memcmp(want, rows.out + (size_t)r * WIDTH, sizeof want) == 0,
                "case %d row %u: wrong outputs", n, r);
    }
    bg_arena_free(&a);
  }
}


/* Compile tests/features/spec.json with tests/features/model.json, whose trees split on feature
 * split_feature only, and return the score_ignores_bidder xgbc wrote. */
static int blind_with_split_on(int split_feature) {
  char *dir = bgt_mkdtemp(), *gen, *flag, *err = NULL, *p, *q;
  const char *features = bgt_env("BG_TEST_FEATURES");
  char *model = bgt_read_file(bgt_fmt("%s/model.json", features), NULL);
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), bgt_fmt("%s/model.json", dir), "--name", "t",
                  "--features", bgt_fmt("%s/spec.json", features), "-o",
                  bgt_fmt("%s/out", dir), NULL};
  const char *from = "\"split_indices\":[0,";
  size_t at = 0;
  int blind;

  /* "split_indices":[0,0,0] in both trees: point each root split at split_feature */
  while ((p = strstr(model + at, from)) != NULL) {
    size_t off = (size_t)(p - model);
    *p = '\0';
    q = bgt_fmt("%s\"split_indices\":[%d,%s", model, split_feature, p + strlen(from));
    free(model);
    model = q;
    at = off + 1;
  }
  bgt_write_file(bgt_fmt("%s/model.json", dir), model, strlen(model));
  cr_assert_eq(bgt_run(argv, NULL, NULL, &err), 0, "xgbc: %s", err);
  gen = bgt_read_file(bgt_fmt("%s/out/features.c", dir), NULL);
  flag = strstr(gen, ".score_ignores_bidder = ");
  cr_assert(flag != NULL);
  blind = atoi(flag + strlen(".score_ignores_bidder = "));
  free(gen);
  free(model);
  free(err);
  bgt_rmrf(dir);
  free(dir);
  return blind;
}


/* Whether entry e of a spec reads $bidder (its path, or one of its alternatives). */
static int reads_bidder(const cJSON *e) {
  const cJSON *path = cJSON_GetObjectItem(e, "path"), *alt;

  if (cJSON_IsString(path))
    return strcmp(path->valuestring, "$bidder") == 0;
  cJSON_ArrayForEach(alt, path)
    if (strcmp(alt->valuestring, "$bidder") == 0)
      return 1;
  return 0;
}


Test(rows_score, xgbc_marks_a_spec_bidder_blind_only_when_no_tree_splits_on_bidder) {
  char *text = bgt_read_file(bgt_fmt("%s/spec.json", bgt_env("BG_TEST_FEATURES")), NULL);
  cJSON *spec = cJSON_Parse(text), *e;
  int i = 0, with = 0, without = 0;

  cr_assert(spec != NULL);
  cJSON_ArrayForEach(e, cJSON_GetObjectItem(spec, "features")) {
    /* every entry that reads $bidder, and a few that do not */
    if (reads_bidder(e)) {
      cr_assert_eq(blind_with_split_on(i), 0, "the trees split on entry %d ($bidder)", i);
      with++;
    } else if (i % 6 == 0) {
      cr_assert_eq(blind_with_split_on(i), 1, "the trees split on entry %d only", i);
      without++;
    }
    i++;
  }
  cr_assert(with > 0 && without > 0);
  cJSON_Delete(spec);
  free(text);
}
