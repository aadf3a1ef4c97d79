/* test_features_errors.c - xgbc refuses bad feature specs clearly and writes nothing.
 *
 * Each case writes a spec (mostly the real aws-rtb spec with one thing broken), runs
 * `xgbc models/aws-rtb/model.json --features SPEC -o OUT` and checks: exit status 1; one line
 * on stderr "SPEC: WHERE: WHY" naming the spec file, the place and the reason; OUT untouched
 * (it holds an older model.c that must survive, and nothing else appears).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "helpers.h"

struct spec_case {
  char name[40];
  char edit[64];      /* what to change in the aws-rtb spec: see apply() */
  char value[240];    /* JSON text (or the whole file for edit "file") */
  char where[48];     /* expected in WHERE */
  char why[64];       /* expected in WHY */
};

static struct spec_case cases[] = {
  {"not_json", "file", "{\"features\": [", "(spec)", "not valid JSON"},
  {"not_an_object", "file", "[1,2]", "(spec)", "object with a \"features\" array"},
  {"no_features", "file", "{\"version\": 1}", "features", "is required"},
  {"features_empty", "file", "{\"features\": []}", "features", "1 to"},
  {"unknown_top_member", "file", "{\"featurs\": []}", "featurs", "unknown member"},
  {"bad_version", "file", "{\"version\": 2, \"features\": []}", "version", "version 1"},
  {"entry_not_object", "features[1]", "7", "features[1]", "must be an object"},
  {"no_name", "features[1].name", "null", "features[1].name", "string of 1 to 128"},
  {"unknown_transform", "features[1].transform", "\"log\"", "features[1].transform",
   "must be one of"},
  {"typo_member", "features[3].lowercas", "true", "features[3].lowercas",
   "is not a member of a \"vocabulary\""},
  {"default_on_present", "features[3]",
   "{\"name\":\"IndexDomain\",\"path\":\"site.domain\",\"transform\":\"present\",\"default\":1}",
   "features[3].default", "is not a member"},
  {"missing_path", "features[4]", "{\"name\":\"IndexRegionID\",\"transform\":\"vocabulary\","
   "\"vocabulary\":[\"ca\"]}", "features[4].path", "is required"},
  {"path_wrong_type", "features[4].path", "12", "features[4].path", "path string"},
  {"path_empty_step", "features[4].path", "\"device..geo\"", "features[4].path",
   "empty member name"},
  {"path_trailing_dot", "features[4].path", "\"device.geo.\"", "features[4].path",
   "does not end in '.'"},
  {"path_bad_index", "features[4].path", "\"device.geo[x]\"", "features[4].path",
   "expected an index"},
  {"path_inner_iteration", "features[4].path", "\"site.cat[].x\"", "features[4].path",
   "only the leading imp[]"},
  {"path_unknown_dollar", "features[4].path", "\"$exchange\"", "features[4].path",
   "only $ name is $bidder"},
  {"bidder_in_clock", "features[1].path", "\"$bidder\"", "features[1].path",
   "$bidder is a string"},
  {"vocabulary_missing", "features[4].vocabulary", "DELETE", "features[4].vocabulary",
   "is required"},
  {"vocabulary_not_strings", "features[4].vocabulary", "[\"ca\", 3]",
   "features[4].vocabulary[1]", "must be a string"},
  {"vocabulary_duplicate", "features[4].vocabulary", "[\"ca\", \"tx\", \"ca\"]",
   "features[4].vocabulary", "listed twice"},
  {"vocabulary_duplicate_folded", "features[4].vocabulary", "[\"CA\", \"ca\"]",
   "features[4].vocabulary", "lower case"},
  {"vocabulary_id_not_number", "features[4].vocabulary", "{\"ca\": \"one\"}",
   "features[4].vocabulary.ca", "must be a number"},
  {"unknown_not_number", "features[4].unknown", "\"x\"", "features[4].unknown",
   "must be a number"},
  {"default_infinite", "features[4].default", "1e300", "features[4].default",
   "fits a float32"},
  {"hash_no_buckets", "features[5]",
   "{\"name\":\"IndexCityID\",\"path\":\"device.geo.city\",\"transform\":\"hash\"}",
   "features[5].buckets", "whole number"},
  {"hash_zero_buckets", "features[5]",
   "{\"name\":\"IndexCityID\",\"path\":\"x\",\"transform\":\"hash\",\"buckets\":0}",
   "features[5].buckets", "whole number"},
  {"hash_too_many_buckets", "features[5]",
   "{\"name\":\"IndexCityID\",\"path\":\"x\",\"transform\":\"hash\",\"buckets\":16777217}",
   "features[5].buckets", "2^24"},
  {"hash_unknown_function", "features[5]",
   "{\"name\":\"IndexCityID\",\"path\":\"x\",\"transform\":\"hash\",\"buckets\":9,"
   "\"hash\":\"md5\"}", "features[5].hash", "fnv1a32"},
  {"unit_without_path", "features[1].unit", "\"ms\"", "features[1].unit",
   "only applies to a timestamp"},
  {"bad_week", "features[0].week", "\"monday\"", "features[0].week", "\"spark\""},
  {"bad_scale", "features[6].scale", "\"ua\"", "features[6].scale", "\"woothee\""},
  {"duplicate_name", "features[1].name", "\"dow\"", "features[1].name",
   "also the name of features[0]"},
  {"fewer_than_model", "features[6]", "DELETE", "features", "6 entries, but the model"},
};


ParameterizedTestParameters(features_errors, refused) {
  return cr_make_param_array(struct spec_case, cases, sizeof cases / sizeof cases[0]);
}


/* Apply the case's edit to the aws-rtb spec: "features[i]" replaces entry i, "features[i].m"
 * sets member m of entry i ("DELETE" removes it), "file" replaces everything. */
static char *apply(const struct spec_case *c) {
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/features.json", bgt_env("BG_TEST_MODELS")), NULL);
  cJSON *root, *list, *e, *v = NULL;
  char member[64] = "";
  int i;
  char *out;

  if (strcmp(c->edit, "file") == 0)
    return strdup(c->value);
  root = cJSON_Parse(text);
  list = cJSON_GetObjectItem(root, "features");
  cr_assert(sscanf(c->edit, "features[%d].%63s", &i, member) >= 1, "bad edit %s", c->edit);
  if (strcmp(c->value, "DELETE") != 0) {
    v = cJSON_Parse(c->value);
    cr_assert(v != NULL, "bad value in case %s", c->name);
  }
  if (member[0] == '\0') {
    if (v == NULL)
      cJSON_DeleteItemFromArray(list, i);
    else
      cJSON_ReplaceItemInArray(list, i, v);
  } else {
    e = cJSON_GetArrayItem(list, i);
    cJSON_DeleteItemFromObjectCaseSensitive(e, member);
    if (v != NULL)
      cJSON_AddItemToObject(e, member, v);
  }
  out = cJSON_Print(root);
  cJSON_Delete(root);
  free(text);
  return out;
}


ParameterizedTest(struct spec_case *c, features_errors, refused, .timeout = 30) {
  char *dir = bgt_mkdtemp(), *spec = bgt_fmt("%s/spec.json", dir), *out = bgt_fmt("%s/out", dir);
  char *model = bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"));
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), model, "--features", spec, "-o", out, NULL};
  char *mkdir_argv[] = {"mkdir", out, NULL};
  char *text = apply(c), *err, *prefix, *listing;
  int status;

  bgt_write_file(spec, text, strlen(text));
  bgt_run(mkdir_argv, NULL, NULL, NULL);
  bgt_write_file(bgt_fmt("%s/model.c", out), "old", 3);
  status = bgt_run(argv, NULL, NULL, &err);
  cr_assert_eq(status, 1, "%s: xgbc exited %d; stderr: %s", c->name, status, err);
  prefix = bgt_fmt("%s: %s: ", spec, c->where);
  cr_assert(strncmp(err, prefix, strlen(prefix)) == 0, "%s: expected \"%s...\", got: %s",
            c->name, prefix, err);
  cr_assert(strstr(err, c->why) != NULL, "%s: expected \"%s\" in: %s", c->name, c->why, err);
  cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "%s: one line expected: %s", c->name,
            err);
  listing = bgt_list_dir(out);
  cr_assert_str_eq(listing, "model.c", "%s: the output folder changed: %s", c->name, listing);
  cr_assert_str_eq(bgt_read_file(bgt_fmt("%s/model.c", out), NULL), "old");
  bgt_rmrf(dir);
}


Test(features_errors, count_mismatch_names_both_files, .timeout = 30) {
  char *dir = bgt_mkdtemp(), *out = bgt_fmt("%s/out", dir);
  char *model = bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"));
  char *spec = bgt_fmt("%s/spec.json", bgt_env("BG_TEST_FEATURES")); /* 20 entries */
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), model, "--features", spec, "-o", out, NULL};
  char *err;

  cr_assert_eq(bgt_run(argv, NULL, NULL, &err), 1);
  cr_assert(strstr(err, spec) == err && strstr(err, "20 entries") != NULL &&
                strstr(err, model) != NULL && strstr(err, "7 features") != NULL,
            "the message names both files and both counts: %s", err);
  bgt_rmrf(dir);
}


Test(features_errors, names_must_match_a_model_that_has_names, .timeout = 30) {
  char *dir = bgt_mkdtemp(), *out = bgt_fmt("%s/out", dir), *model = bgt_fmt("%s/m.json", dir);
  char *spec = bgt_fmt("%s/aws-rtb/features.json", bgt_env("BG_TEST_MODELS"));
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), model, "--features", spec, "-o", out, NULL};
  char *text = bgt_read_file(bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS")), NULL);
  cJSON *j = cJSON_Parse(text), *names = cJSON_CreateArray(), *types = cJSON_CreateArray();
  static const char *const n[] = {"dow", "hour", "IndexAdvertiserID", "IndexDomain",
                                  "IndexRegion", "IndexCityID", "device_type_id"};
  char *err, *s;
  int i;

  for (i = 0; i < 7; i++) {
    cJSON_AddItemToArray(names, cJSON_CreateString(n[i]));
    cJSON_AddItemToArray(types, cJSON_CreateString("float"));
  }
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(j, "learner"), "feature_names", names);
  cJSON_ReplaceItemInObject(cJSON_GetObjectItem(j, "learner"), "feature_types", types);
  s = cJSON_PrintUnformatted(j);
  bgt_write_file(model, s, strlen(s));
  cr_assert_eq(bgt_run(argv, NULL, NULL, &err), 1, "%s", err);
  cr_assert(strstr(err, "features[4].name") != NULL && strstr(err, "IndexRegion\"") != NULL,
            "%s", err);
  bgt_rmrf(dir);
}


Test(features_errors, good_spec_writes_all_three_files, .timeout = 30) {
  char *dir = bgt_mkdtemp(), *out = bgt_fmt("%s/out", dir);
  char *model = bgt_fmt("%s/aws-rtb/model.json", bgt_env("BG_TEST_MODELS"));
  char *spec = bgt_fmt("%s/aws-rtb/features.json", bgt_env("BG_TEST_MODELS"));
  char *argv[] = {(char *)bgt_env("BG_TEST_XGBC"), model, "--features", spec, "-o", out, NULL};
  char *err;

  cr_assert_eq(bgt_run(argv, NULL, NULL, &err), 0, "%s", err);
  cr_assert_str_eq(bgt_list_dir(out), "features.c\nmodel.c\nmodel.h");
  bgt_rmrf(dir);
}
