/* test_formats.c - xgbc tells file formats apart by content, and every form of a model gives
 * the same code.
 *
 * The AWS model ships as save_model JSON, UBJSON and a JSON dump (models/aws-rtb). Each is
 * copied under a misleading name (the extension must not matter), compiled, and the generated
 * model.c compared with the one from model.json: only the lines naming the source file (and,
 * for a dump compiled from flags, the XGBoost version it cannot know) may differ. The oracle
 * suite checks the bits of every form on every oracle model; this one checks detection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

static char *tmp;

static void setup(void) {
  tmp = bgt_mkdtemp();
}

static void teardown(void) {
  bgt_rmrf(tmp);
  free(tmp);
}

TestSuite(formats, .init = setup, .fini = teardown, .timeout = 60);


/* Compile path (plus extra arguments) into tmp/out_NAME; return the model.c text. */
static char *compile(const char *path, const char *name, char *const *extra) {
  char *out = bgt_fmt("%s/out_%s", tmp, name), *err;
  char *argv[24] = {(char *)bgt_env("BG_TEST_XGBC"), (char *)path, "--name", "aws_rtb", "-o",
                    out};
  int n = 6, status;

  while (extra != NULL && *extra != NULL && n < 23)
    argv[n++] = *extra++;
  argv[n] = NULL;
  status = bgt_run(argv, NULL, NULL, &err);
  cr_assert_eq(status, 0, "xgbc %s failed: %s", path, err);
  free(err);
  return bgt_read_file(bgt_fmt("%s/model.c", out), NULL);
}


/* text without the lines that name the source file or the XGBoost version. */
static char *without_source_lines(const char *text) {
  char *copy = strdup(text), *out = calloc(1, strlen(text) + 1), *line, *save = NULL;

  for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    if (strstr(line, "sha256") != NULL || strncmp(line, " * source ", 10) == 0 ||
        strncmp(line, " * model ", 9) == 0)
      continue;
    strcat(out, line);
    strcat(out, "\n");
  }
  free(copy);
  return out;
}


/* Copy models/aws-rtb/FILE to tmp/AS (prefixed by prefix bytes) and return the new path. */
static char *copy_as(const char *file, const char *as, const char *prefix) {
  size_t len;
  char *data = bgt_read_file(bgt_fmt("%s/aws-rtb/%s", bgt_env("BG_TEST_MODELS"), file), &len);
  char *path = bgt_fmt("%s/%s", tmp, as), *both = malloc(len + strlen(prefix));

  memcpy(both, prefix, strlen(prefix));
  memcpy(both + strlen(prefix), data, len);
  bgt_write_file(path, both, len + strlen(prefix));
  free(data);
  free(both);
  return path;
}


static void expect_same_as_json(const char *file, const char *as, const char *prefix,
                                char *const *extra) {
  char *want = without_source_lines(compile(copy_as("model.json", "model.json", ""), "json",
                                            NULL));
  char *got = without_source_lines(compile(copy_as(file, as, prefix), as, extra));

  cr_assert(strcmp(want, got) == 0, "%s compiled as %s differs from model.json", file, as);
  free(want);
  free(got);
}


Test(formats, ubjson_named_json) {
  expect_same_as_json("model.ubj", "ubj.json", "", NULL);
}


Test(formats, json_named_ubj_with_bom_and_blanks) {
  expect_same_as_json("model.json", "json.ubj", "\xef\xbb\xbf \n\t", NULL);
}


Test(formats, dump_with_flags) {
  char *const flags[] = {"--objective", "binary:logistic", "--base-score", "5E-1",
                         "--num-class", "0", "--num-feature", "7", NULL};

  expect_same_as_json("model.dump.json", "dump.bin", "", flags);
}


Test(formats, dump_with_ubj_model_file) {
  char *const flags[] = {"--model-file",
                         bgt_fmt("%s/aws-rtb/model.ubj", bgt_env("BG_TEST_MODELS")), NULL};

  expect_same_as_json("model.dump.json", "dump.txt", "\n", flags);
}


Test(formats, dump_with_feature_names) {
  /* f0..f6 are also the names xgbc gives a model without any, so the code is the same */
  char *const flags[] = {"--objective", "binary:logistic", "--base-score", "0.5",
                         "--num-class", "1", "--feature-names", "f0,f1,f2,f3,f4,f5,f6", NULL};

  expect_same_as_json("model.dump.json", "d.json", "", flags);
}
