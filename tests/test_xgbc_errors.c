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


/* Run xgbc on text plus extra arguments (NULL-terminated, or NULL); expect refusal with a
 * message about file (NULL: the model itself), where and why (substrings), and an untouched
 * out dir. */
static void expect_refused_by(const char *text, size_t len, char *const *extra, const char *file,
                              const char *where, const char *why) {
  char *model = bgt_fmt("%s/bad.json", bgt_tmp), *out = bgt_fmt("%s/out", bgt_tmp), *err, *line;
  char *argv[32] = {(char *)bgt_env("BG_TEST_XGBC"), model, "--name", "bad", "-o", out};
  int status, n = 6;

  while (extra != NULL && *extra != NULL && n < 31)
    argv[n++] = *extra++;
  argv[n] = NULL;
  bgt_write_file(model, text, len);
  status = bgt_run(argv, NULL, NULL, &err);
  cr_assert_eq(status, 1, "xgbc exited %d; stderr: %s", status, err);
  line = bgt_fmt("%s: ", file ? file : model);
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


static void expect_refused(const char *text, size_t len, const char *where, const char *why) {
  expect_refused_by(text, len, NULL, NULL, where, why);
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


/* 2024-11, issue 11: a number beyond float's range (XGBoost reads it as infinity) used to
 * reach cJSON as "inf" and was reported as a JSON syntax error. */
Test(xgbc_errors, threshold_beyond_float_range) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.trees[6].split_conditions"), 0,
                           cJSON_CreateNumber(-1e39));
  expect_refused_json(j, "trees[6] node 0", "split threshold -inf is not finite");
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


/* A categorical split must have its set (categories_nodes lists it). */
Test(xgbc_errors, categorical_split_without_categories) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.trees[0].split_type"), 0,
                           cJSON_CreateNumber(1));
  expect_refused_json(j, "trees[0].split_type[0]", "categories_nodes does not list it");
}


/* The kernels keep a bitset's offset in 22 bits: 9 splits on category 2^24 - 1 (2^19 words
 * each) are more than that. */
Test(xgbc_errors, categorical_bitsets_too_large) {
  cJSON *j = aws_model();
  int t;

  for (t = 0; t < 9; t++) {
    cJSON *tree = at(j, bgt_fmt("learner.gradient_booster.model.trees[%d]", t));
    cJSON *one = cJSON_CreateArray(), *zero = cJSON_CreateArray(), *cats = cJSON_CreateArray();

    cJSON_ReplaceItemInArray(at(tree, "split_type"), 0, cJSON_CreateNumber(1));
    cJSON_AddItemToArray(cats, cJSON_CreateNumber(16777215));
    cJSON_AddItemToArray(one, cJSON_CreateNumber(1));
    cJSON_AddItemToArray(zero, cJSON_CreateNumber(0));
    cJSON_ReplaceItemInObject(tree, "categories", cats);
    cJSON_ReplaceItemInObject(tree, "categories_nodes", cJSON_Duplicate(zero, 1));
    cJSON_ReplaceItemInObject(tree, "categories_segments", zero);
    cJSON_ReplaceItemInObject(tree, "categories_sizes", one);
  }
  expect_refused_json(j, "learner.gradient_booster.model.trees", "bitsets need more than");
}


/* The categories arrays are checked against each other. */
Test(xgbc_errors, categories_out_of_range) {
  cJSON *j = aws_model(), *t = at(j, "learner.gradient_booster.model.trees[0]");
  cJSON *nodes = cJSON_CreateArray(), *segs = cJSON_CreateArray(), *sizes = cJSON_CreateArray();

  cJSON_ReplaceItemInArray(at(t, "split_type"), 0, cJSON_CreateNumber(1));
  cJSON_AddItemToArray(nodes, cJSON_CreateNumber(0));
  cJSON_AddItemToArray(segs, cJSON_CreateNumber(0));
  cJSON_AddItemToArray(sizes, cJSON_CreateNumber(3)); /* categories is empty */
  cJSON_ReplaceItemInObject(t, "categories_nodes", nodes);
  cJSON_ReplaceItemInObject(t, "categories_segments", segs);
  cJSON_ReplaceItemInObject(t, "categories_sizes", sizes);
  expect_refused_json(j, "trees[0].categories_sizes[0]", "not a count within categories");
}


Test(xgbc_errors, vector_leaf_refused) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.gradient_booster.model.trees[2].tree_param"),
                            "size_leaf_vector", cJSON_CreateString("3"));
  expect_refused_json(j, "trees[2].tree_param.size_leaf_vector", "vector-leaf");
}


Test(xgbc_errors, base_score_vector_length) {
  cJSON *j = aws_model();

  /* one output, two base scores (the 3.1+ vector form) */
  cJSON_ReplaceItemInObject(at(j, "learner.learner_model_param"), "base_score",
                            cJSON_CreateString("[5E-1,2E-1]"));
  expect_refused_json(j, "learner.learner_model_param.base_score", "holds 2 values");
}


Test(xgbc_errors, base_score_vector_malformed) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.learner_model_param"), "base_score",
                            cJSON_CreateString("[5E-1,]"));
  expect_refused_json(j, "learner.learner_model_param.base_score", "list of finite numbers");
}


Test(xgbc_errors, expectile_refused) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.objective"), "name",
                            cJSON_CreateString("reg:expectileerror"));
  expect_refused_json(j, "learner.objective.name", "not supported yet");
}


Test(xgbc_errors, classes_and_targets) {
  cJSON *j = aws_model();

  cJSON_ReplaceItemInObject(at(j, "learner.learner_model_param"), "num_class",
                            cJSON_CreateString("3"));
  cJSON_ReplaceItemInObject(at(j, "learner.learner_model_param"), "num_target",
                            cJSON_CreateString("2"));
  expect_refused_json(j, "learner.learner_model_param", "both above 1");
}


/* A gblinear model: the AWS model's booster replaced by 7 + 1 weights. */
static cJSON *linear_model(int n_weights) {
  cJSON *j = aws_model(), *gb = cJSON_CreateObject(), *model = cJSON_CreateObject();
  cJSON *w = cJSON_CreateArray();
  int i;

  for (i = 0; i < n_weights; i++)
    cJSON_AddItemToArray(w, cJSON_CreateNumber(0.25 * i - 1));
  cJSON_AddItemToObject(model, "weights", w);
  cJSON_AddItemToObject(gb, "model", model);
  cJSON_AddItemToObject(gb, "name", cJSON_CreateString("gblinear"));
  cJSON_ReplaceItemInObject(at(j, "learner"), "gradient_booster", gb);
  return j;
}


Test(xgbc_errors, gblinear_weight_count) {
  expect_refused_json(linear_model(7), "learner.gradient_booster.model.weights",
                      "holds 7 weights, but (num_feature + 1) x 1 output is 8");
}


Test(xgbc_errors, gblinear_weight_not_finite) {
  cJSON *j = linear_model(8);
  char *text;

  cJSON_ReplaceItemInArray(at(j, "learner.gradient_booster.model.weights"), 3,
                           cJSON_CreateString("NAN_HERE"));
  text = model_text(j);
  /* the normalising pass reads an unquoted NaN as XGBoost writes it */
  *strstr(text, "\"NAN_HERE\"") = ' ';
  memcpy(strstr(text, "NAN_HERE\""), "   NaN   ", 9);
  expect_refused(text, strlen(text), "learner.gradient_booster.model.weights[3]",
                 "not finite");
  free(text);
}


/* ---- UBJSON: malformed input is refused at its byte offset ---- */

static char *aws_ubj(size_t *len) {
  return bgt_read_file(bgt_fmt("%s/aws-rtb/model.ubj", bgt_env("BG_TEST_MODELS")), len);
}


Test(xgbc_errors, ubjson_truncated) {
  size_t len;
  char *data = aws_ubj(&len);

  expect_refused(data, len / 2, "byte ", "truncated");
  free(data);
}


Test(xgbc_errors, ubjson_trailing_data) {
  size_t len;
  char *data = aws_ubj(&len), *more = malloc(len + 2);

  memcpy(more, data, len);
  memcpy(more + len, "ZZ", 2);
  expect_refused(more, len + 2, bgt_fmt("byte %zu", len), "2 bytes of trailing data");
  free(data);
  free(more);
}


Test(xgbc_errors, ubjson_bad_key_marker) {
  size_t len;
  char *data = aws_ubj(&len);

  /* {L<8 bytes>learner{ then the length marker of the learner's first key */
  cr_assert(data[17] == '{' && data[18] == 'L');
  data[18] = 'Q';
  expect_refused(data, len, "byte 18", "integer marker");
  free(data);
}


Test(xgbc_errors, ubjson_unknown_marker) {
  static const char data[] = "{U\007learner?}";

  expect_refused(data, sizeof data - 1, "byte 10", "'?' is not a UBJSON type marker");
}


Test(xgbc_errors, ubjson_length_beyond_input) {
  /* a string claiming 2^31 - 1 bytes */
  static const char data[] = "{U\007learnerSl\177\377\377\377abc}";

  expect_refused(data, sizeof data - 1, "byte 11", "more than the");
}


Test(xgbc_errors, ubjson_count_beyond_input) {
  /* a count of 1000 with 9 bytes left, then 5 float32 (20 bytes) in 9 */
  static const char more[] = "{U\007learner[$d#I\003\35012345678}";
  static const char fits[] = "{U\007learner[$d#U\00512345678}";

  expect_refused(more, sizeof more - 1, "byte 14", "1000 is more than the 9 bytes left");
  expect_refused(fits, sizeof fits - 1, "byte 10", "5 elements cannot fit in the 9 bytes");
}


Test(xgbc_errors, ubjson_nul_in_string) {
  static const char data[] = "{U\007learnerSU\003a\000b}";

  expect_refused(data, sizeof data - 1, "byte 13", "NUL");
}


Test(xgbc_errors, ubjson_high_precision) {
  static const char data[] = "{U\007learnerHU\0011}";

  expect_refused(data, sizeof data - 1, "byte 10", "high-precision");
}


Test(xgbc_errors, ubjson_typed_null_array) {
  static const char data[] = "{U\007learner[$Z#L\177\377\377\377\377\377\377\377}";

  expect_refused(data, sizeof data - 1, "byte 12", "cannot be the element type");
}


Test(xgbc_errors, ubjson_too_deep) {
  char data[1024];
  size_t n = 0, i;

  data[n++] = '{';
  data[n++] = 'U';
  data[n++] = 1;
  data[n++] = 'a';
  for (i = 0; i < 300; i++)
    data[n++] = '[';
  expect_refused(data, n, "byte ", "nested more than 256 deep");
}


Test(xgbc_errors, ubjson_schema_error_names_path) {
  size_t len;
  char *data = aws_ubj(&len), *p;

  /* "base_score" -> "base_scorf": the document reader names the path, as for JSON */
  for (p = data; p + 10 <= data + len && memcmp(p, "base_score", 10) != 0; p++)
    ;
  cr_assert(p + 10 <= data + len);
  p[9] = 'f';
  expect_refused(data, len, "learner.learner_model_param", "missing field \"base_score\"");
  free(data);
}


Test(xgbc_errors, legacy_binary_refused) {
  static const char data[] = "\000\000\000?binf\001\002";

  expect_refused(data, sizeof data - 1, "byte 0", "legacy binary");
}


/* ---- text dumps ---- */

static char *aws_dump(size_t *len) {
  return bgt_read_file(bgt_fmt("%s/aws-rtb/model.dump.json", bgt_env("BG_TEST_MODELS")), len);
}


static void expect_dump_refused(const char *text, size_t len, char *const *extra,
                                const char *where, const char *why) {
  expect_refused_by(text, len, extra, NULL, where, why);
}


static char *const aws_flags[] = {"--objective", "binary:logistic", "--base-score", "0.5",
                                  "--num-class", "0", "--num-feature", "7", NULL};


Test(xgbc_errors, dump_alone_refused) {
  size_t len;
  char *text = aws_dump(&len);

  expect_dump_refused(text, len, NULL, "(command line)",
                      "give the model's --objective, --base-score and --num-class");
  free(text);
}


Test(xgbc_errors, dump_without_feature_count) {
  size_t len;
  char *text = aws_dump(&len);
  char *const flags[] = {"--objective", "binary:logistic", "--base-score", "0.5", "--num-class",
                         "0", NULL};

  expect_dump_refused(text, len, flags, "(command line)", "--num-feature");
  free(text);
}


Test(xgbc_errors, dump_flags_with_model_file) {
  size_t len;
  char *text = aws_dump(&len);
  char *const flags[] = {"--model-file", bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS")),
                         "--objective", "binary:logistic", NULL};

  expect_dump_refused(text, len, flags, "--objective", "cannot be combined with --model-file");
  free(text);
}


Test(xgbc_errors, dump_options_on_a_model_file) {
  cJSON *j = aws_model();
  char *text = model_text(j);
  char *const flags[] = {"--num-class", "2", NULL};

  expect_dump_refused(text, strlen(text), flags, "--num-class", "applies to text dumps only");
  free(text);
}


Test(xgbc_errors, dump_bad_flag_value) {
  size_t len;
  char *text = aws_dump(&len);
  char *const flags[] = {"--objective", "binary:logistic", "--base-score", "0.5", "--num-class",
                         "zero", "--num-feature", "7", NULL};

  expect_dump_refused(text, len, flags, "--num-class", "not an integer");
  free(text);
}


Test(xgbc_errors, dump_unknown_feature_name) {
  static const char text[] = "[{\"nodeid\": 0, \"depth\": 0, \"split\": \"age\", "
                             "\"split_condition\": 1.5, \"yes\": 1, \"no\": 2, \"missing\": 1, "
                             "\"children\": [{\"nodeid\": 1, \"leaf\": 0.5}, "
                             "{\"nodeid\": 2, \"leaf\": -0.5}]}]";

  expect_dump_refused(text, sizeof text - 1, aws_flags, "[0] nodeid 0",
                      "\"age\", which is not a feature name: give --feature-names");
}


Test(xgbc_errors, dump_children_disagree) {
  static const char text[] = "[{\"nodeid\": 0, \"split\": \"f1\", \"split_condition\": 1.5, "
                             "\"yes\": 1, \"no\": 3, \"missing\": 1, \"children\": ["
                             "{\"nodeid\": 1, \"leaf\": 0.5}, {\"nodeid\": 2, \"leaf\": 1}]}]";

  expect_dump_refused(text, sizeof text - 1, aws_flags, "[0] nodeid 0",
                      "do not name its two children");
}


Test(xgbc_errors, dump_missing_not_a_child) {
  static const char text[] = "[{\"nodeid\": 0, \"split\": \"f1\", \"split_condition\": 1.5, "
                             "\"yes\": 1, \"no\": 2, \"missing\": 5, \"children\": ["
                             "{\"nodeid\": 1, \"leaf\": 0.5}, {\"nodeid\": 2, \"leaf\": 1}]}]";

  expect_dump_refused(text, sizeof text - 1, aws_flags, "[0] nodeid 0",
                      "\"missing\" (5) is neither");
}


Test(xgbc_errors, dump_indicator_split) {
  static const char text[] = "[{\"nodeid\": 0, \"split\": \"f1\", \"yes\": 2, \"no\": 1, "
                             "\"children\": [{\"nodeid\": 1, \"leaf\": 0.5}, "
                             "{\"nodeid\": 2, \"leaf\": 1}]}]";

  expect_dump_refused(text, sizeof text - 1, aws_flags, "[0] nodeid 0", "indicator");
}


/* Categorical splits in dumps compile (the oracle tests check them); a category that is not a
 * non-negative integer is refused. */
Test(xgbc_errors, dump_categorical_split) {
  static const char text[] = "[{\"nodeid\": 0, \"split\": \"f1\", \"split_condition\": [1, -4], "
                             "\"yes\": 2, \"no\": 1, \"missing\": 1, \"children\": ["
                             "{\"nodeid\": 1, \"leaf\": 0.5}, {\"nodeid\": 2, \"leaf\": 1}]}]";

  expect_dump_refused(text, sizeof text - 1, aws_flags, "nodeid 0",
                      "categories (non-negative integers)");
}


Test(xgbc_errors, dump_leaf_and_children) {
  static const char text[] = "[{\"nodeid\": 0, \"leaf\": 1, \"children\": []}]";

  expect_dump_refused(text, sizeof text - 1, aws_flags, "[0]", "both \"leaf\" and \"children\"");
}


Test(xgbc_errors, dump_of_int_features) {
  /* typed_features has "int" and "i" features: its dump prints thresholds rounded */
  const char *dir = bgt_fmt("%s/typed_features", bgt_env("BG_TEST_ORACLE"));
  size_t len;
  char *text = bgt_read_file(bgt_fmt("%s/dump-int.json", dir), &len);
  char *const flags[] = {"--model-file", bgt_fmt("%s/model.json", dir), NULL};

  expect_dump_refused(text, len, flags, "nodeid", "has type \"i");
  free(text);
}


Test(xgbc_errors, dump_tree_count_disagrees) {
  static const char text[] = "[{\"nodeid\": 0, \"leaf\": 1}]";
  char *const flags[] = {"--model-file", bgt_fmt("%s/aws-rtb/model.ubj", bgt_env("BG_TEST_MODELS")),
                         NULL};

  expect_dump_refused(text, sizeof text - 1, flags, "(top level)",
                      "holds 1 trees but the model file has 50");
}


Test(xgbc_errors, dump_model_file_broken) {
  size_t len;
  char *text = aws_dump(&len), *bad = bgt_fmt("%s/broken.json", bgt_tmp);
  char *const flags[] = {"--model-file", bad, NULL};

  bgt_write_file(bad, "{\"learner\": {", 13);
  /* the message names the broken model file, not the dump */
  expect_refused_by(text, len, flags, bad, "line 1", "truncated");
  free(text);
}


Test(xgbc_errors, text_format_dump_refused) {
  static const char text[] = "booster[0]:\n0:[f6<2.5] yes=1,no=2,missing=1\n";

  expect_refused(text, sizeof text - 1, "line 1", "dump_format=\"json\"");
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
