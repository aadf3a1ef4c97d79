/* test_xgbc_emit.c - xgbc's --emit option and the limits of the kernels' node layout.
 *
 * The results of both emitters are checked against XGBoost by test_kernels.c; here: the
 * option's values, that `--emit ifelse` really writes nested if/else without the node tables
 * (and compiles on its own), and that a model the packed node word cannot hold is refused with
 * a clear message and no output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"

TestSuite(xgbc_emit, .init = bgt_tmp_init, .fini = bgt_tmp_fini, .timeout = 60);


static int xgbc(const char *model, const char *emit, const char *out, char **err) {
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), (char *)model, "--name", "m", "--emit",
                  (char *)emit, "-o", (char *)out, NULL};

  return bgt_run(argv, NULL, NULL, err);
}


static const char *aws(void) {
  return bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"));
}


Test(xgbc_emit, unknown_kind_is_a_usage_error) {
  char *err;

  cr_assert_eq(xgbc(aws(), "fast", bgt_fmt("%s/out", bgt_tmp), &err), 2);
  cr_assert(strstr(err, "--emit fast: expected branchless or ifelse") != NULL, "%s", err);
}


Test(xgbc_emit, ifelse_is_nested_code_that_compiles_alone) {
  const char *out = bgt_fmt("%s/out", bgt_tmp);
  char *c, *err;
  char *cc[] = {"cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-c",
                bgt_fmt("-I%s/../runtime", bgt_env("BG_TEST_TEMPLATES")),
                bgt_fmt("%s/model.c", out), "-o", bgt_fmt("%s/model.o", bgt_tmp), NULL};

  cr_assert_eq(xgbc(aws(), "ifelse", out, &err), 0, "%s", err);
  c = bgt_read_file(bgt_fmt("%s/model.c", out), NULL);
  /* the AWS model's first tree starts with feature 6 < 2.5, missing left */
  cr_expect(strstr(c, "static float tree_0(const float *x) {") != NULL);
  cr_expect(strstr(c, "if (x[6] < 2.5f || x[6] != x[6]) {") != NULL);
  cr_expect(strstr(c, "static float tree_49(") != NULL && strstr(c, "tree_50(") == NULL);
  cr_expect(strstr(c, "nodes[") == NULL, "the if/else code carries no node table");
  cr_expect(strstr(c, "{\"ifelse\", available_ifelse") != NULL);
  cr_assert_eq(bgt_run(cc, NULL, NULL, &err), 0, "cc: %s", err);
  free(c);
}


Test(xgbc_emit, branchless_is_the_default) {
  const char *out = bgt_fmt("%s/out", bgt_tmp);
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), (char *)aws(), "-o", (char *)out, NULL};
  char *c;

  cr_assert_eq(bgt_run(argv, NULL, NULL, NULL), 0);
  c = bgt_read_file(bgt_fmt("%s/model.c", out), NULL);
  cr_expect(strstr(c, "static const struct node nodes[") != NULL);
  cr_expect(strstr(c, "{\"scalar\", available_scalar") != NULL);
  cr_expect(strstr(c, "{\"avx2\", available_avx2") != NULL);
  cr_expect(strstr(c, "{\"neon\", available_neon") != NULL);
  cr_expect(strstr(c, "if (x[") == NULL);
  free(c);
}


/* A node word holds MISSING_LEFT, the feature and the distance to the right child in 32 bits:
 * with 2^30 features only 1 bit is left, too few for any split. */
Test(xgbc_emit, node_layout_limit_is_refused) {
  char *text = bgt_read_file(aws(), NULL), *err, *model = bgt_fmt("%s/big.json", bgt_tmp);
  const char *out = bgt_fmt("%s/out", bgt_tmp);
  cJSON *j = cJSON_Parse(text), *learner = cJSON_GetObjectItem(j, "learner");
  cJSON *param = cJSON_GetObjectItem(learner, "learner_model_param");
  char *big;

  cJSON_ReplaceItemInObject(param, "num_feature", cJSON_CreateString("1073741824"));
  cJSON_DeleteItemFromObject(learner, "feature_names");
  cJSON_DeleteItemFromObject(learner, "feature_types");
  big = cJSON_PrintUnformatted(j);
  bgt_write_file(model, big, strlen(big));
  cr_assert_eq(xgbc(model, "branchless", out, &err), 1);
  cr_expect(strstr(err, "too large for the kernels' node layout: 1073741824 features need 30 "
                        "bits") != NULL, "%s", err);
  cr_expect_neq(bgt_run((char *[]){"test", "-e", (char *)bgt_fmt("%s/model.c", out), NULL},
                        NULL, NULL, NULL), 0, "no output on failure");
  cJSON_Delete(j);
  free(big);
  free(text);
}
