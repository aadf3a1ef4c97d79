/* test_train.c - the data scientist's path, end to end, on a small synthetic set.
 *
 * `make train` into a temporary models folder (bidload traffic, hidden ground truth, features
 * from the serving code, XGBoost), then `make model` on the result (which ends with the
 * compiled == XGBoost oracle check), then the real server answering the training requests.
 * Checked here, each against an independent computation: the model beats a constant
 * predictor; the card's AUC, log-loss and thresholds are what the held-out rows give; server
 * scores equal XGBoost's predictions on the rows `bidgate extract` gives for the same
 * requests; the default threshold is the card's. And a spec that disagrees with its model is
 * refused, naming both files.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <xgboost/c_api.h>

#include "csv.h"
#include "helpers.h"
#include "net.h"

#define NAME "train_test"

TestSuite(train, .timeout = 600);


static int make(const char *models_dir, const char *target, const char *extra, char **err) {
  char *argv[] = {"make", "--no-print-directory", "-s", (char *)target, "MODEL=" NAME,
                  bgt_fmt("MODELS_DIR=%s", models_dir), (char *)extra, NULL};

  if (extra == NULL)
    argv[6] = NULL;
  return bgt_run(argv, NULL, NULL, err);
}


/* Rows of a CSV file (no header), num_features cells each. */
static float *read_rows(const char *path, size_t nf, size_t *rows) {
  char *text = bgt_read_file(path, NULL), *line, *save = NULL;
  float *x = NULL;
  size_t n = 0, bad;

  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    x = realloc(x, (n + 1) * nf * sizeof *x);
    cr_assert_eq(bg_csv_parse_row(line, strlen(line), x + n * nf, nf, &bad), BG_CSV_OK,
                 "%s: bad row %zu", path, n + 1);
    n++;
  }
  free(text);
  *rows = n;
  return x;
}


static float *xgb_predict(const char *model, const float *x, size_t rows, size_t nf) {
  BoosterHandle h;
  DMatrixHandle d;
  bst_ulong len;
  const float *res;
  float *out = malloc(rows * sizeof *out);

  cr_assert_eq(XGBoosterCreate(NULL, 0, &h), 0);
  cr_assert_eq(XGBoosterLoadModel(h, model), 0, "%s", XGBGetLastError());
  cr_assert_eq(XGDMatrixCreateFromMat(x, rows, nf, NAN, &d), 0);
  cr_assert_eq(XGBoosterPredict(h, d, 0, 0, 0, &len, &res), 0);
  cr_assert_eq(len, rows);
  memcpy(out, res, rows * sizeof *out);
  XGDMatrixFree(d);
  XGBoosterFree(h);
  return out;
}


/* AUC as the Mann-Whitney statistic with average ranks for ties (O(n^2), n is small). */
static double auc(const float *y, const float *p, size_t n) {
  double pos = 0, neg = 0, sum = 0;
  size_t i, j;

  for (i = 0; i < n; i++) {
    if (y[i] != 1)
      continue;
    pos++;
    for (j = 0; j < n; j++)
      if (y[j] != 1)
        sum += p[i] > p[j] ? 1.0 : p[i] == p[j] ? 0.5 : 0.0;
  }
  for (i = 0; i < n; i++)
    neg += y[i] != 1;
  return sum / (pos * neg);
}


static double card_number(const char *card, const char *row_start, int column) {
  const char *p = strstr(card, row_start);
  int k;

  cr_assert(p != NULL, "CARD.md has no row \"%s\"", row_start);
  for (k = 0; k < column; k++) {
    p = strchr(p + 1, '|');
    cr_assert(p != NULL);
  }
  return strtod(p + 1, NULL);
}


Test(train, whole_path_on_a_small_set) {
  const char *root = bgt_env("BG_TEST_ROOT");
  char *models = bgt_mkdtemp(), *dir = bgt_fmt("%s/" NAME, models), *err, *card, *labels;
  char *cp[] = {"cp", bgt_fmt("%s/models/rtb-demo/features.json", root), dir, NULL};
  char *mk[] = {"mkdir", "-p", dir, NULL};
  size_t nf = 12, rows, i, n_lab = 0, kept99 = 0, pos = 0;
  float *x, *p, *y;
  double a, ll = 0, t99;
  cJSON *serving;

  cr_assert_eq(bgt_run(mk, NULL, NULL, NULL), 0);
  cr_assert_eq(bgt_run(cp, NULL, NULL, NULL), 0);
  cr_assert_eq(make(models, "train", "TRAIN_REQUESTS=1500", &err), 0, "make train: %s", err);
  cr_assert_eq(make(models, "model", NULL, &err), 0, "make model: %s", err);

  /* The card, recomputed from the held-out rows with XGBoost's own predictions. */
  x = read_rows(bgt_fmt("%s/heldout.csv", dir), nf, &rows);
  p = xgb_predict(bgt_fmt("%s/model.json", dir), x, rows, nf);
  labels = bgt_read_file(bgt_fmt("%s/heldout.labels", dir), NULL);
  y = malloc(rows * sizeof *y);
  {
    char *tok, *save = NULL;
    for (tok = strtok_r(labels, "\n", &save); tok != NULL; tok = strtok_r(NULL, "\n", &save))
      y[n_lab++] = (float)atof(tok);
  }
  cr_assert_eq(n_lab, rows);
  cr_assert_geq(rows, 1000, "only %zu held-out rows", rows);
  a = auc(y, p, rows);
  for (i = 0; i < rows; i++) {
    double q = fmin(fmax(p[i], 1e-15), 1 - 1e-15);
    ll -= y[i] * log(q) + (1 - y[i]) * log(1 - q);
  }
  ll /= (double)rows;
  card = bgt_read_file(bgt_fmt("%s/CARD.md", dir), NULL);
  cr_expect(fabs(card_number(card, "| AUC", 1) - a) < 1e-4, "card AUC vs %.6f", a);
  cr_expect(fabs(card_number(card, "| log-loss", 1) - ll) < 1e-4, "card log-loss vs %.6f", ll);
  cr_expect_gt(a, 0.65, "AUC %.4f: no better than a constant predictor (0.5)", a);
  serving = cJSON_Parse(bgt_read_file(bgt_fmt("%s/serving.json", dir), NULL));
  t99 = cJSON_GetObjectItem(serving, "threshold")->valuedouble;
  cr_expect(fabs(card_number(card, "| 99%", 1) - t99) <= 1e-6 * t99, "card vs serving.json");
  for (i = 0; i < rows; i++)
    if (y[i] == 1) {
      pos++;
      kept99 += p[i] >= (float)t99;
    }
  cr_expect_geq((double)kept99 / (double)pos, 0.99, "the 99%% threshold keeps %zu of %zu bids",
                kept99, pos);
  cr_expect(fabs(card_number(card, "| 99%", 2) - (double)kept99 / (double)pos) < 1e-4);

  /* The server, with the card's threshold as its default, on the training requests. */
  {
    char *bin = bgt_fmt("%s/build/amd64/" NAME "/bidgate", root);
    char *reqs = bgt_fmt("%s/build/train/" NAME "/requests.jsonl", root);
    char *some = bgt_fmt("%s/some.jsonl", models), *text = bgt_read_file(reqs, NULL), *end = text;
    char *csv, *line, *save = NULL;
    const char *args[] = {"--bidders", "appnexus,rubicon,pubmatic", NULL};
    char *ex[] = {bin, "extract", "--bidders", "appnexus,rubicon,pubmatic", NULL};
    struct bgt_server s;
    size_t k = 0, nrows;
    float *rx, *want;
    int lines;

    for (lines = 0; lines < 40 && (end = strchr(end, '\n')) != NULL; lines++)
      end++;
    bgt_write_file(some, text, (size_t)(end - text));
    cr_assert_eq(bgt_run(ex, some, &csv, &err), 0, "extract: %s", err);
    bgt_write_file(bgt_fmt("%s/some.csv", models), csv, strlen(csv));
    rx = read_rows(bgt_fmt("%s/some.csv", models), nf, &nrows);
    want = xgb_predict(bgt_fmt("%s/model.json", dir), rx, nrows, nf);

    setenv("BG_TEST_BIDGATE", bin, 1);
    s = bgt_server_start(args);
    for (line = strtok_r(text, "\n", &save); line != NULL && line < end;
         line = strtok_r(NULL, "\n", &save)) {
      size_t n;
      char *req = bgt_post(line, &n);
      struct bgt_response r = bgt_http(s.port, req, n);
      cJSON *j = cJSON_Parse(r.body), *imp, *b;
      cr_assert_eq(r.status, 200, "%s", r.body);
      cJSON_ArrayForEach(imp, cJSON_GetObjectItem(j, "imp")) {
        cJSON_ArrayForEach(b, cJSON_GetObjectItem(imp, "bidders")) {
          float got = (float)cJSON_GetObjectItem(b, "score")->valuedouble;
          int pass = cJSON_IsTrue(cJSON_GetObjectItem(b, "pass"));
          cr_assert_lt(k, nrows, "the server answered more rows than extract gave");
          cr_expect(memcmp(&got, &want[k], 4) == 0, "row %zu: server %a, XGBoost %a", k,
                    (double)got, (double)want[k]);
          cr_expect_eq(pass, (double)want[k] >= (double)(float)t99, "row %zu: pass %d", k, pass);
          k++;
        }
      }
      cJSON_Delete(j);
      bgt_response_free(&r);
      free(req);
    }
    cr_expect_eq(k, nrows, "server rows %zu, extract rows %zu", k, nrows);
    bgt_server_stop(&s);
  }
  bgt_rmrf(models);
}


Test(train, spec_that_disagrees_with_its_model_is_refused) {
  const char *root = bgt_env("BG_TEST_ROOT");
  char *models = bgt_mkdtemp(), *dir = bgt_fmt("%s/" NAME "_bad", models), *err;
  char *mk[] = {"mkdir", "-p", dir, NULL};
  char *cp[] = {"cp", bgt_fmt("%s/models/aws-rtb/model.json", root),
                bgt_fmt("%s/models/rtb-demo/features.json", root), dir, NULL};
  char *argv[] = {"make", "--no-print-directory", "-s", "model", "MODEL=" NAME "_bad",
                  bgt_fmt("MODELS_DIR=%s", models), NULL};

  cr_assert_eq(bgt_run(mk, NULL, NULL, NULL), 0);
  cr_assert_eq(bgt_run(cp, NULL, NULL, NULL), 0);
  cr_assert_neq(bgt_run(argv, NULL, NULL, &err), 0, "a 12-entry spec on a 7-feature model built");
  cr_expect(strstr(err, "features.json") != NULL && strstr(err, "model.json") != NULL,
            "the message should name both files: %s", err);
  bgt_rmrf(models);
}
