/* test_xgbc_errors.c - xgbc refuses bad models clearly and leaves nothing behind.
 *
 * Each case writes a broken model (mostly the real AWS model with one thing changed), runs
 * xgbc on it, and checks: exit status 1; stderr is one line "FILE: WHERE: WHY" naming the file,
 * the place and the reason; the output directory is exactly as it was (nothing written, no
 * temporary file left).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"


TestSuite(xgbc_errors, .init = bgt_tmp_init, .fini = bgt_tmp_fini, .timeout = 60);


static cJSON *aws_model(void) {
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS")), NULL);
  cJSON *j = cJSON_Parse(text);

  cr_assert(j != NULL);
  free(text);
  return j;
}


/* Follow a dotted path of object keys and [index] steps, e.g. "learner.objective". */
static cJSON *at(cJSON *j, const char *path) {
  char *copy = strdup(path), *tok, *save = NULL;

  for (tok = strtok_r(copy, ".", &save); tok != NULL && j != NULL;
       tok = strtok_r(NULL, ".", &save)) {
    char *br = strchr(tok, '[');
    if (br != NULL)
      *br = '\0';
    if (*tok)
      j = cJSON_GetObjectItemCaseSensitive(j, tok);
    while (br != NULL && j != NULL) {
      j = cJSON_GetArrayItem(j, atoi(br + 1));
      br = strchr(br + 1, '[');
    }
  }
  free(copy);
  cr_assert(j != NULL, "no %s in the test model", path);
  return j;
}


static char *model_text(cJSON *j) {
  char *s = cJSON_PrintUnformatted(j);

  cr_assert(s != NULL);
  cJSON_Delete(j);
  return s;
}


/* Run xgbc on text; expect refusal with where and why (substrings) and an untouched out dir. */
static void expect_refused(const char *text, size_t len, const char *where, const char *why) {
  char *model = bgt_fmt("%s/bad.json", bgt_tmp), *out = bgt_fmt("%s/out", bgt_tmp), *err, *line;
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), model, "--name", "bad", "-o", out, NULL};
  int status;

  bgt_write_file(model, text, len);
  status = bgt_run(argv, NULL, NULL, &err);
  cr_assert_eq(status, 1, "xgbc exited %d; stderr: %s", status, err);
  line = bgt_fmt("%s: ", model);
  cr_assert(strncmp(err, line, strlen(line)) == 0, "stderr does not start with the file: %s", err);
  cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "expected one line: %s", err);
  cr_assert(strstr(err + strlen(line), ": ") != NULL, "no WHERE: WHY in %s", err);
  cr_assert(strstr(err, where) != NULL, "WHERE should mention \"%s\": %s", where, err);
  cr_assert(strstr(err, why) != NULL, "WHY should mention \"%s\": %s", why, err);
  /* Nothing at all in out/, not even a temporary file. */
  {
    char *argv2[] = {"test", "-e", out, NULL};
    if (bgt_run(argv2, NULL, NULL, NULL) == 0)
      cr_assert_str_eq(bgt_list_dir(out), "", "xgbc left files in %s", out);
  }
}


static void expect_refused_json(cJSON *j, const char *where, const char *why) {
  char *text = model_text(j);

  expect_refused(text, strlen(text), where, why);
  free(text);
}


Test(xgbc_errors, not_json) {
  expect_refused("this is not JSON\n", 17, "line 1, column 1", "not valid JSON");
}


Test(xgbc_errors, empty_file) {
  expect_refused("", 0, "line 1", "empty");
}


Test(xgbc_errors, truncated) {
  size_t len;
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS")), &len);

  expect_refused(text, len / 2, "line 1, column", "truncated");
  free(text);
}


Test(xgbc_errors, trailing_garbage) {
  expect_refused("{\"learner\": {}} }", 17, "line 1, column 17", "not valid JSON");
}


Test(xgbc_errors, wrong_type_array) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.gradient_booster.model.trees[2]"), "split_conditions",
                            cJSON_CreateString("oops"));
  expect_refused_json(j, "learner.gradient_booster.model.trees[2].split_conditions",
                      "expected an array, found a string");
}


Test(xgbc_errors, wrong_type_element) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.trees[4].left_children"), 3,
                           cJSON_CreateString("7"));
  expect_refused_json(j, "trees[4].left_children[3]", "expected a node index or -1, found a string");
}


Test(xgbc_errors, wrong_type_count) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.learner_model_param"), "num_feature",
                            cJSON_CreateString("seven"));
  expect_refused_json(j, "learner.learner_model_param.num_feature", "non-negative integer");
}


Test(xgbc_errors, missing_objective) {
  cJSON *j = aws_model();

  cJSON_DeleteItemFromObject(at(j, "learner"), "objective");
  expect_refused_json(j, "learner", "missing field \"objective\"");
}


Test(xgbc_errors, missing_tree_array) {
  cJSON *j = aws_model();

  cJSON_DeleteItemFromObject(at(j, "learner.gradient_booster.model.trees[7]"), "split_indices");
  expect_refused_json(j, "learner.gradient_booster.model.trees[7]",
                      "missing field \"split_indices\"");
}


Test(xgbc_errors, array_length_mismatch) {
  cJSON *j = aws_model();

  cJSON_DeleteItemFromArray(at(j, "learner.gradient_booster.model.trees[1].default_left"), 0);
  expect_refused_json(j, "trees[1].default_left", "expected");
}


Test(xgbc_errors, feature_index_out_of_range) {
  cJSON *j = aws_model();

  /* node 0 of every AWS tree is a split; the model has 7 features */
  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.trees[3].split_indices"), 0,
                           cJSON_CreateNumber(7));
  expect_refused_json(j, "trees[3] node 0", "feature 7, but num_feature is 7");
}


Test(xgbc_errors, child_index_out_of_range) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.trees[5].right_children"), 0,
                           cJSON_CreateNumber(100000));
  expect_refused_json(j, "trees[5] node 0", "right child 100000 is out of range");
}


Test(xgbc_errors, cyclic_tree) {
  cJSON *j = aws_model();

  /* node 1 is a split whose left child becomes the root again */
  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.trees[0].left_children"), 1,
                           cJSON_CreateNumber(0));
  expect_refused_json(j, "trees[0] node 1", "cycle");
}


Test(xgbc_errors, one_sided_node) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.trees[0].left_children"), 0,
                           cJSON_CreateNumber(-1));
  expect_refused_json(j, "trees[0] node 0", "right child but no left child");
}


Test(xgbc_errors, unknown_objective) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.objective"), "name",
                            cJSON_CreateString("binary:logisticc"));
  expect_refused_json(j, "learner.objective.name", "unknown objective \"binary:logisticc\"");
}


Test(xgbc_errors, num_class_without_trees) {
  cJSON *j = aws_model();

  /* three classes, but every tree still belongs to group 0 */
  cJSON_ReplaceItemInObject(at(j, "learner.objective"), "name",
                            cJSON_CreateString("multi:softprob"));
  cJSON_ReplaceItemInObject(at(j, "learner.learner_model_param"), "num_class",
                            cJSON_CreateString("3"));
  expect_refused_json(j, "tree_info", "no tree belongs to group 1");
}


Test(xgbc_errors, tree_info_beyond_num_class) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.tree_info"), 9,
                           cJSON_CreateNumber(2));
  expect_refused_json(j, "tree_info", "tree 9 belongs to group 2");
}


Test(xgbc_errors, empty_forest) {
  cJSON *j = aws_model();
  cJSON *model = at(j, "learner.gradient_booster.model");

  cJSON_ReplaceItemInObject(model, "trees", cJSON_CreateArray());
  cJSON_ReplaceItemInObject(model, "tree_info", cJSON_CreateArray());
  cJSON_ReplaceItemInObject(at(model, "gbtree_model_param"), "num_trees", cJSON_CreateString("0"));
  expect_refused_json(j, "learner.gradient_booster.model.trees", "the forest is empty");
}


Test(xgbc_errors, num_trees_disagrees) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.gradient_booster.model.gbtree_model_param"),
                            "num_trees", cJSON_CreateString("49"));
  expect_refused_json(j, "learner.gradient_booster.model.trees", "holds 50 trees");
}


Test(xgbc_errors, base_score_not_a_number) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.learner_model_param"), "base_score",
                            cJSON_CreateString("half"));
  expect_refused_json(j, "learner.learner_model_param.base_score", "not a finite number");
}


Test(xgbc_errors, base_score_outside_logistic_range) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.learner_model_param"), "base_score",
                            cJSON_CreateString("1.5E0"));
  expect_refused_json(j, "learner.learner_model_param.base_score", "must be in (0, 1)");
}


Test(xgbc_errors, categorical_split) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.trees[0].split_type"), 0,
                           cJSON_CreateNumber(1));
  expect_refused_json(j, "trees[0].split_type[0]", "categorical splits are not supported");
}


Test(xgbc_errors, ubjson_refused) {
  size_t len;
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/model.ubj", bgt_env("BG_TEST_MODELS")), &len);

  expect_refused(text, len, "byte 0", "UBJSON");
  free(text);
}


Test(xgbc_errors, text_dump_refused) {
  size_t len;
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/model.dump.json", bgt_env("BG_TEST_MODELS")),
                             &len);

  expect_refused(text, len, "(top level)", "text dump");
  free(text);
}


Test(xgbc_errors, gblinear_refused) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.gradient_booster"), "name",
                            cJSON_CreateString("gblinear"));
  expect_refused_json(j, "learner.gradient_booster.name", "gblinear");
}


/* A refused model must not disturb what an earlier successful run wrote. */
Test(xgbc_errors, failure_keeps_previous_output) {
  char *good = bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"));
  char *bad = bgt_fmt("%s/bad.json", bgt_tmp), *out = bgt_fmt("%s/keep", bgt_tmp), *before, *after, *err;
  char *argv_good[] = {(char *)bgt_env("BG_TEST_XGBC"), good, "-o", out, NULL};
  char *argv_bad[] = {(char *)bgt_env("BG_TEST_XGBC"), bad, "--name", "aws_rtb", "-o", out, NULL};

  cr_assert_eq(bgt_run(argv_good, NULL, NULL, &err), 0, "good model refused: %s", err);
  cr_assert_str_eq(bgt_list_dir(out), "model.c\nmodel.h");
  before = bgt_read_file(bgt_fmt("%s/model.c", out), NULL);
  bgt_write_file(bad, "{\"learner\": 1}", 14);
  cr_assert_eq(bgt_run(argv_bad, NULL, NULL, NULL), 1);
  after = bgt_read_file(bgt_fmt("%s/model.c", out), NULL);
  cr_assert_str_eq(bgt_list_dir(out), "model.c\nmodel.h");
  cr_assert(strcmp(before, after) == 0, "model.c changed after a refused compile");
}


/* A template that leaves a macro unexpanded is caught before anything is published. */
Test(xgbc_errors, broken_template_writes_nothing) {
  char *tpl = bgt_fmt("%s/templates", bgt_tmp), *out = bgt_fmt("%s/out", bgt_tmp), *err;
  char *model = bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"));
  char *mk[] = {"mkdir", "-p", tpl, NULL};
  char *cp[] = {"cp", bgt_fmt("%s/prelude.m4", bgt_env("BG_TEST_TEMPLATES")),
                bgt_fmt("%s/model.h.m4", bgt_env("BG_TEST_TEMPLATES")), tpl, NULL};
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), model, "--templates", tpl, "-o", out, NULL};
  const char *body = "int x = bg4_no_such_definition;\n";

  cr_assert_eq(bgt_run(mk, NULL, NULL, NULL), 0);
  cr_assert_eq(bgt_run(cp, NULL, NULL, NULL), 0);
  bgt_write_file(bgt_fmt("%s/model.c.m4", tpl), body, strlen(body));
  cr_assert_eq(bgt_run(argv, NULL, NULL, &err), 1);
  cr_assert(strstr(err, "bg4_no_such_definition") != NULL, "%s", err);
  cr_assert_str_eq(bgt_list_dir(out), "");
}


Test(xgbc_errors, usage_errors_exit_2) {
  char *argv1[] = {(char *)bgt_env("BG_TEST_XGBC"), NULL};
  char *argv2[] = {(char *)bgt_env("BG_TEST_XGBC"), "m.json", "-o", "x", "--name", "not-an-id",
                   NULL};
  char *argv3[] = {(char *)bgt_env("BG_TEST_XGBC"), "m.json", "--bogus", NULL};

  cr_expect_eq(bgt_run(argv1, NULL, NULL, NULL), 2);
  cr_expect_eq(bgt_run(argv2, NULL, NULL, NULL), 2);
  cr_expect_eq(bgt_run(argv3, NULL, NULL, NULL), 2);
}


Test(xgbc_errors, help_and_version) {
  char *out;
  char *argv1[] = {(char *)bgt_env("BG_TEST_XGBC"), "--help", NULL};
  char *argv2[] = {(char *)bgt_env("BG_TEST_XGBC"), "--version", NULL};

  cr_assert_eq(bgt_run(argv1, NULL, &out, NULL), 0);
  cr_expect(strstr(out, "usage: xgbc") != NULL);
  cr_assert_eq(bgt_run(argv2, NULL, &out, NULL), 0);
  cr_expect(strncmp(out, "xgbc ", 5) == 0, "%s", out);
}
