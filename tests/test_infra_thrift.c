/* test_infra_thrift.c - the Thrift endpoint in infra/service.yaml, on and off, and the checker's
 * template resolution (tools/cfn/check.js --param/--dump) that shows it.
 *
 * service.yaml creates the Thrift listener, target group, security group rules, port mapping,
 * environment and outputs only when ThriftPort names a port. CloudFormation decides that through
 * Conditions, so the checker resolves the template for given parameter values the way
 * CloudFormation would and prints the result (--dump); these tests read that JSON. The resolver
 * itself is checked first on small templates written here, whose answers follow from
 * CloudFormation's documented rules; then the real template with ThriftPort off (the default,
 * "off" and "") and on, through the full checker (schemas, project rules, cross-stack imports)
 * and by what the resolved template holds. No test calls AWS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"

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

TestSuite(cfn_resolve, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(service_thrift, .init = setup, .fini = teardown, .timeout = 120);


/* ---- running the checker ---- */

/* node tools/cfn/check.js ARGS... (NULL-terminated, at most 24); stdout and stderr captured. */
static int checker(char **out, char **err, const char *const args[]) {
  char *argv[28];
  int argc = 0;

  argv[argc++] = "node";
  argv[argc++] = bgt_fmt("%s/tools/cfn/check.js", root);
  for (int i = 0; args[i] != NULL && argc < 27; i++)
    argv[argc++] = (char *)args[i];
  argv[argc] = NULL;
  return bgt_run(argv, NULL, out, err);
}

/* The resolved template of `file` that `check.js --dump ARGS... file` prints; the check must pass. */
static cJSON *resolved(const char *file, const char *const params[]) {
  const char *args[24];
  char *out, *err;
  int n = 0, status;
  cJSON *all, *tpl;

  args[n++] = "--dump";
  for (int i = 0; params[i] != NULL && n < 21; i++) {
    args[n++] = "--param";
    args[n++] = params[i];
  }
  args[n++] = file;
  args[n] = NULL;
  status = checker(&out, &err, args);
  cr_assert_eq(status, 0, "check.js --dump %s failed:\n%s", file, err);
  cr_assert(strstr(err, bgt_fmt("%s: ok", file)) != NULL, "%s", err);
  all = cJSON_Parse(out);
  cr_assert(all != NULL, "--dump printed no JSON: %.300s", out);
  tpl = cJSON_DetachItemFromObjectCaseSensitive(all, file);
  cr_assert(tpl != NULL, "--dump has no %s", file);
  cJSON_Delete(all);
  return tpl;
}

static const cJSON *at(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static const cJSON *resource(const cJSON *tpl, const char *id) {
  return at(at(tpl, "Resources"), id);
}

static const cJSON *props(const cJSON *tpl, const char *id) {
  return at(resource(tpl, id), "Properties");
}

static char *print(const cJSON *v) {
  return v == NULL ? strdup("(none)") : cJSON_PrintUnformatted(v);
}

static char *write_template(const char *name, const char *text) {
  char *path = bgt_fmt("%s/%s", tmp, name);

  bgt_write_file(path, text, strlen(text));
  return path;
}


/* ---- the resolver, on templates written here ---- */

/* Two parameters, conditions built from each other, a conditional resource and output, Fn::If
 * in a list, in a map and choosing AWS::NoValue, and a Ref to a parameter. */
static const char *SMALL =
  "Parameters:\n"
  "  Mode: {Type: String, Default: \"off\", AllowedValues: [\"off\", a, b]}\n"
  "  Size: {Type: Number, Default: 3, MinValue: 1, MaxValue: 9}\n"
  "  Names: {Type: CommaDelimitedList, Default: \"x,y\"}\n"
  "Conditions:\n"
  "  IsA: !Equals [!Ref Mode, a]\n"
  "  IsB: !Equals [b, !Ref Mode]\n"
  "  On: !Or [!Condition IsA, !Condition IsB]\n"
  "  Big: !And [!Condition On, !Not [!Equals [!Ref Size, \"3\"]]]\n"
  "Resources:\n"
  "  Log:\n"
  "    Type: AWS::Logs::LogGroup\n"
  "    Properties:\n"
  "      RetentionInDays: !If [Big, 30, !Ref \"AWS::NoValue\"]\n"
  "      LogGroupName: !If [IsA, mode-a, !If [IsB, mode-b, mode-off]]\n"
  "  Extra:\n"
  "    Type: AWS::Logs::LogGroup\n"
  "    Condition: On\n"
  "    Properties:\n"
  "      Tags:\n"
  "        - {Key: size, Value: !Ref Size}\n"
  "        - !If [IsB, {Key: b, Value: \"yes\"}, !Ref \"AWS::NoValue\"]\n"
  "  Topic:\n"
  "    Type: AWS::SNS::Topic\n"
  "    Properties:\n"
  "      TopicName: !Select [0, !Ref Names]\n"
  "Outputs:\n"
  "  ExtraName:\n"
  "    Condition: On\n"
  "    Value: !Ref Extra\n";

Test(cfn_resolve, conditions_pick_resources_branches_and_outputs) {
  char *file = write_template("small.yaml", SMALL);
  struct {
    const char *params[3];
    const char *name;     /* LogGroupName */
    int retention;        /* RetentionInDays, 0 = absent */
    int extra;            /* Extra and the output exist */
    int tags;             /* Extra's tags */
  } cases[] = {
    {{NULL}, "mode-off", 0, 0, 0},
    {{"Mode=a", NULL}, "mode-a", 0, 1, 1},
    {{"Mode=b", NULL}, "mode-b", 0, 1, 2},
    {{"Mode=b", "Size=4", NULL}, "mode-b", 30, 1, 2},
    {{"Mode=off", "Size=4", NULL}, "mode-off", 0, 0, 0},
  };

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cJSON *tpl = resolved(file, cases[i].params);
    const cJSON *log = props(tpl, "Log"), *extra = resource(tpl, "Extra");

    cr_expect_str_eq(cJSON_GetStringValue(at(log, "LogGroupName")), cases[i].name, "case %zu", i);
    if (cases[i].retention)
      cr_expect_eq(cJSON_GetNumberValue(at(log, "RetentionInDays")), cases[i].retention, "case %zu", i);
    else
      cr_expect(at(log, "RetentionInDays") == NULL, "case %zu: %s", i, print(log));
    cr_expect_eq(extra != NULL, cases[i].extra, "case %zu: Extra %s", i, print(extra));
    cr_expect_eq(at(at(tpl, "Outputs"), "ExtraName") != NULL, cases[i].extra, "case %zu", i);
    if (extra != NULL) {
      const cJSON *tags = at(at(extra, "Properties"), "Tags");
      cr_expect_eq(cJSON_GetArraySize(tags), cases[i].tags, "case %zu: %s", i, print(tags));
      /* a Ref to a parameter becomes the value given (or the default), as a string */
      cr_expect_str_eq(cJSON_GetStringValue(at(cJSON_GetArrayItem(tags, 0), "Value")),
                       cases[i].params[1] != NULL ? "4" : "3", "case %zu", i);
    }
    /* a list parameter's Ref becomes a list */
    cr_expect_str_eq(print(cJSON_GetArrayItem(at(at(props(tpl, "Topic"), "TopicName"), "Fn::Select"), 1)),
                     "[\"x\",\"y\"]", "case %zu", i);
    cJSON_Delete(tpl);
  }
}

/* What CloudFormation refuses before it creates anything is refused here, named. */
Test(cfn_resolve, bad_values_and_unevaluable_conditions) {
  char *file = write_template("small.yaml", SMALL), *out, *err;
  char *rules = write_template("rules.yaml",
    "Parameters:\n"
    "  A: {Type: String, Default: \"1\"}\n"
    "  B: {Type: String, Default: \"2\", AllowedPattern: \"[0-9]+\"}\n"
    "  Free: {Type: String}\n"
    "Rules:\n"
    "  Differ:\n"
    "    Assertions:\n"
    "      - {Assert: !Not [!Equals [!Ref A, !Ref B]], AssertDescription: A and B must differ}\n"
    "Conditions:\n"
    "  Never: !Equals [!Ref Free, x]\n"
    "Resources:\n"
    "  Topic: {Type: AWS::SNS::Topic}\n");
  struct { const char *args[6], *message; int status; } cases[] = {
    {{"--param", "Mode=c", file}, "Parameters.Mode: given value \"c\" is not one of the AllowedValues", 1},
    {{"--param", "Size=10", file}, "Parameters.Size: given value \"10\" is above MaxValue 9", 1},
    {{"--param", "Size=0", file}, "Parameters.Size: given value \"0\" is below MinValue 1", 1},
    {{"--param", "Size=big", file}, "Parameters.Size: given value \"big\" is not a Number", 1},
    {{"--param", "B=2", "--param", "A=2", rules}, "Rules.Differ.Assertions[0]: fails: A and B must differ", 1},
    {{"--param", "B=2x", rules}, "Parameters.B: given value \"2x\" does not match AllowedPattern [0-9]+", 1},
    {{"--resolve", rules}, "Conditions.Never: parameter Free has no value (give --param Free=...)", 1},
    {{"--param", "Mod=a", file}, "--param Mod: no template given declares it", 2},
    {{"--param", "novalue", file}, "bad --param 'novalue'", 2},
  };

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int status = checker(&out, &err, cases[i].args);
    char *both = bgt_fmt("%s%s", out, err);

    cr_expect_eq(status, cases[i].status, "case %zu: status %d:\n%s", i, status, both);
    cr_expect(strstr(both, cases[i].message) != NULL, "case %zu: no \"%s\" in:\n%s", i, cases[i].message, both);
  }
  /* and the same templates pass with values they accept */
  {
    const char *good[] = {"--param", "Free=y", "--param", "A=3", rules, NULL};
    cr_expect_eq(checker(&out, &err, good), 0, "%s%s", out, err);
  }
}

/* A Ref or DependsOn to a resource the values leave out is what CloudFormation rejects; the
 * template as written (both branches, every resource) cannot show it, resolving does. */
Test(cfn_resolve, refs_to_resources_left_out_are_caught) {
  char *file = write_template("deps.yaml",
    "Parameters:\n"
    "  On: {Type: String, Default: \"no\", AllowedValues: [\"yes\", \"no\"]}\n"
    "Conditions:\n"
    "  IsOn: !Equals [!Ref On, \"yes\"]\n"
    "Resources:\n"
    "  Maybe: {Type: AWS::SNS::Topic, Condition: IsOn}\n"
    "  Always:\n"
    "    Type: AWS::SNS::Topic\n"
    "    DependsOn: Maybe\n"
    "    Properties: {TopicName: !GetAtt Maybe.TopicName}\n");
  const char *as_written[] = {file, NULL}, *on[] = {"--param", "On=yes", file, NULL};
  const char *off[] = {"--param", "On=no", file, NULL}, *defaults[] = {"--resolve", file, NULL};
  char *out, *err;

  cr_expect_eq(checker(&out, &err, as_written), 0, "%s%s", out, err);
  cr_expect_eq(checker(&out, &err, on), 0, "%s%s", out, err);
  cr_expect_eq(checker(&out, &err, off), 1, "%s%s", out, err);
  cr_expect(strstr(out, "Resources.Always.DependsOn: depends on undefined Maybe") != NULL, "%s", out);
  cr_expect(strstr(out, "GetAtt of undefined resource Maybe") != NULL, "%s", out);
  cr_expect_eq(checker(&out, &err, defaults), 1, "%s%s", out, err);
}


/* ---- service.yaml with Thrift off and on ---- */

/* Every security group rule of the resolved template, ingress and egress, inline or standalone,
 * as "in|out PORT-PORT from|to WHAT" lines. */
static char *sg_rules(const cJSON *tpl) {
  char *text = strdup("");
  const cJSON *r;

  cJSON_ArrayForEach(r, at(tpl, "Resources")) {
    const char *type = cJSON_GetStringValue(at(r, "Type"));
    const cJSON *p = at(r, "Properties"), *rule;
    char *add = NULL;

    if (strcmp(type, "AWS::EC2::SecurityGroup") == 0) {
      cJSON_ArrayForEach(rule, at(p, "SecurityGroupIngress")) {
        add = bgt_fmt("%sin %s %s-%s from %s%s\n", text, r->string, print(at(rule, "FromPort")), print(at(rule, "ToPort")),
                      print(at(rule, "SourceSecurityGroupId")), print(at(rule, "CidrIp")));
        free(text);
        text = add;
      }
      cJSON_ArrayForEach(rule, at(p, "SecurityGroupEgress")) {
        add = bgt_fmt("%sout %s %s-%s to %s\n", text, r->string, print(at(rule, "FromPort")), print(at(rule, "ToPort")),
                      print(at(rule, "CidrIp")));
        free(text);
        text = add;
      }
    } else if (strcmp(type, "AWS::EC2::SecurityGroupIngress") == 0 || strcmp(type, "AWS::EC2::SecurityGroupEgress") == 0) {
      add = bgt_fmt("%s%s %s %s-%s %s\n", text, strstr(type, "Ingress") ? "in" : "out", print(at(p, "GroupId")),
                    print(at(p, "FromPort")), print(at(p, "ToPort")), print(at(p, "DestinationSecurityGroupId")));
      free(text);
      text = add;
    }
  }
  return text;
}

/* The ids of the resolved template's resources of `type`, space separated. */
static char *of_type(const cJSON *tpl, const char *type) {
  char *ids = strdup(""), *more;
  const cJSON *r;

  cJSON_ArrayForEach(r, at(tpl, "Resources")) {
    if (strcmp(cJSON_GetStringValue(at(r, "Type")), type) == 0) {
      more = bgt_fmt("%s%s ", ids, r->string);
      free(ids);
      ids = more;
    }
  }
  return ids;
}

static const cJSON *container(const cJSON *tpl) {
  return cJSON_GetArrayItem(at(props(tpl, "TaskDefinition"), "ContainerDefinitions"), 0);
}

static const char *env_value(const cJSON *tpl, const char *name) {
  const cJSON *e;

  cJSON_ArrayForEach(e, at(container(tpl), "Environment"))
    if (strcmp(cJSON_GetStringValue(at(e, "Name")), name) == 0)
      return cJSON_GetStringValue(at(e, "Value")) ? cJSON_GetStringValue(at(e, "Value")) : print(at(e, "Value"));
  return NULL;
}

/* The whole set, as make infra-check runs it: schemas, project rules, cross-stack imports. */
static void all_templates_pass(const char *const params[]) {
  const char *args[24];
  char *names = bgt_list_dir(bgt_fmt("%s/infra", root)), *save = NULL, *out, *err;
  int n = 0, count = 0;

  for (int i = 0; params[i] != NULL; i++) {
    args[n++] = "--param";
    args[n++] = params[i];
  }
  for (char *f = strtok_r(names, "\n", &save); f != NULL && n < 23; f = strtok_r(NULL, "\n", &save))
    if (strlen(f) > 5 && strcmp(f + strlen(f) - 5, ".yaml") == 0) {
      args[n++] = bgt_fmt("%s/infra/%s", root, f);
      count++;
    }
  args[n] = NULL;
  cr_assert_geq(count, 6);
  cr_expect_eq(checker(&out, &err, args), 0, "with %s:\n%s%s", params[0] ? params[0] : "defaults", out, err);
  cr_expect(strstr(out, "service.yaml: ok\n") != NULL, "%s", out);
}

Test(service_thrift, off_by_default_opens_nothing) {
  const char *defaults[] = {NULL}, *off[] = {"ThriftPort=off", NULL}, *empty[] = {"ThriftPort=", NULL};
  const char *const *variants[] = {defaults, off, empty};
  char *file = bgt_fmt("%s/infra/service.yaml", root);

  for (size_t v = 0; v < 3; v++) {
    cJSON *tpl;
    char *rules, *text;

    all_templates_pass(variants[v]);
    tpl = resolved(file, variants[v]);
    text = print(tpl);
    /* one listener, one target group, both HTTP's */
    cr_expect_str_eq(of_type(tpl, "AWS::ElasticLoadBalancingV2::Listener"), "Listener ", "variant %zu", v);
    cr_expect_str_eq(of_type(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup"), "TargetGroup ", "variant %zu", v);
    /* the only ports the security groups open are the NLB's listener port and 8080 */
    rules = sg_rules(tpl);
    cr_expect_str_eq(rules,
      "in LoadBalancerSecurityGroup \"80\"-\"80\" from (none)\"10.0.0.0/8\"\n"
      "in TaskSecurityGroup 8080-8080 from {\"Fn::GetAtt\":[\"LoadBalancerSecurityGroup\",\"GroupId\"]}(none)\n"
      "out TaskSecurityGroup (none)-(none) to \"127.0.0.1/32\"\n"
      "out {\"Fn::GetAtt\":[\"LoadBalancerSecurityGroup\",\"GroupId\"]} 8080-8080 "
      "{\"Fn::GetAtt\":[\"TaskSecurityGroup\",\"GroupId\"]}\n", "variant %zu", v);
    /* one port mapping, one load balancer entry, no Thrift variable, no Thrift output */
    cr_expect_str_eq(print(at(container(tpl), "PortMappings")), "[{\"ContainerPort\":8080,\"Protocol\":\"tcp\"}]");
    cr_expect_eq(cJSON_GetArraySize(at(props(tpl, "Service"), "LoadBalancers")), 1);
    cr_expect(env_value(tpl, "BIDGATE_THRIFT_PORT") == NULL && env_value(tpl, "BIDGATE_THRIFT_TRANSPORT") == NULL);
    cr_expect(at(at(tpl, "Outputs"), "ThriftEndpoint") == NULL);
    /* nothing left that names the Thrift resources */
    cr_expect(strstr(text, "{\"Ref\":\"ThriftListener\"}") == NULL && strstr(text, "ThriftTargetGroup") == NULL,
              "variant %zu: %s", v, text);
    cr_expect_str_eq(print(at(resource(tpl, "Service"), "Metadata")), "{\"ThriftListener\":\"\"}");
    cJSON_Delete(tpl);
  }
}

Test(service_thrift, on_listens_maps_and_allows_the_nlb_only) {
  const char *unframed[] = {"ThriftPort=9090", NULL};
  const char *framed[] = {"ThriftPort=7911", "ThriftTransport=framed", NULL};
  const char *const *variants[] = {unframed, framed};
  const char *ports[] = {"9090", "7911"}, *transports[] = {"unframed", "framed"};
  char *file = bgt_fmt("%s/infra/service.yaml", root);

  for (size_t v = 0; v < 2; v++) {
    const char *port = ports[v];
    cJSON *tpl;
    const cJSON *tg, *listener, *lbs, *out;
    char *rules, *want;

    all_templates_pass(variants[v]);
    tpl = resolved(file, variants[v]);
    cr_expect_str_eq(of_type(tpl, "AWS::ElasticLoadBalancingV2::Listener"), "Listener ThriftListener ");
    cr_expect_str_eq(of_type(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup"), "TargetGroup ThriftTargetGroup ");

    /* the NLB listens on the port bidgate serves Thrift on, TCP, into the Thrift target group */
    listener = props(tpl, "ThriftListener");
    cr_expect_str_eq(cJSON_GetStringValue(at(listener, "Port")), port);
    cr_expect_str_eq(cJSON_GetStringValue(at(listener, "Protocol")), "TCP");
    cr_expect_str_eq(print(at(cJSON_GetArrayItem(at(listener, "DefaultActions"), 0), "TargetGroupArn")),
                     "{\"Ref\":\"ThriftTargetGroup\"}");
    tg = props(tpl, "ThriftTargetGroup");
    cr_expect_str_eq(cJSON_GetStringValue(at(tg, "Port")), port);
    cr_expect_str_eq(cJSON_GetStringValue(at(tg, "Protocol")), "TCP");
    cr_expect_str_eq(cJSON_GetStringValue(at(tg, "TargetType")), "ip");
    /* health: bidgate's /healthz over HTTP on 8080, the port the task group rule below allows */
    cr_expect_str_eq(cJSON_GetStringValue(at(tg, "HealthCheckProtocol")), "HTTP");
    cr_expect_str_eq(cJSON_GetStringValue(at(tg, "HealthCheckPath")), "/healthz");
    cr_expect_str_eq(cJSON_GetStringValue(at(tg, "HealthCheckPort")), "8080");

    /* security groups: the old rules plus clients -> NLB and NLB -> tasks on the Thrift port */
    rules = sg_rules(tpl);
    want = bgt_fmt(
      "in LoadBalancerSecurityGroup \"80\"-\"80\" from (none)\"10.0.0.0/8\"\n"
      "in LoadBalancerSecurityGroup \"%s\"-\"%s\" from (none)\"10.0.0.0/8\"\n"
      "in TaskSecurityGroup 8080-8080 from {\"Fn::GetAtt\":[\"LoadBalancerSecurityGroup\",\"GroupId\"]}(none)\n"
      "in TaskSecurityGroup \"%s\"-\"%s\" from {\"Fn::GetAtt\":[\"LoadBalancerSecurityGroup\",\"GroupId\"]}(none)\n"
      "out TaskSecurityGroup (none)-(none) to \"127.0.0.1/32\"\n"
      "out {\"Fn::GetAtt\":[\"LoadBalancerSecurityGroup\",\"GroupId\"]} 8080-8080 "
      "{\"Fn::GetAtt\":[\"TaskSecurityGroup\",\"GroupId\"]}\n"
      "out {\"Fn::GetAtt\":[\"LoadBalancerSecurityGroup\",\"GroupId\"]} \"%s\"-\"%s\" "
      "{\"Fn::GetAtt\":[\"TaskSecurityGroup\",\"GroupId\"]}\n", port, port, port, port, port, port);
    cr_expect_str_eq(rules, want);

    /* the task maps the port and bidgate is told to serve it, with the transport asked for */
    cr_expect_str_eq(print(at(container(tpl), "PortMappings")),
                     bgt_fmt("[{\"ContainerPort\":8080,\"Protocol\":\"tcp\"},{\"ContainerPort\":\"%s\",\"Protocol\":\"tcp\"}]",
                             port));
    cr_expect_str_eq(env_value(tpl, "BIDGATE_THRIFT_PORT"), port);
    cr_expect_str_eq(env_value(tpl, "BIDGATE_THRIFT_TRANSPORT"), transports[v]);
    /* the service registers its tasks in both target groups, after both listeners exist (its
     * Metadata orders that: a DependsOn could not name a resource that may not exist) */
    lbs = at(props(tpl, "Service"), "LoadBalancers");
    cr_expect_str_eq(print(cJSON_GetArrayItem(lbs, 1)),
                     bgt_fmt("{\"ContainerName\":\"bidgate\",\"ContainerPort\":\"%s\",\"TargetGroupArn\":"
                             "{\"Ref\":\"ThriftTargetGroup\"}}", port));
    cr_expect_str_eq(print(at(resource(tpl, "Service"), "DependsOn")), "\"Listener\"");
    cr_expect_str_eq(print(at(resource(tpl, "Service"), "Metadata")), "{\"ThriftListener\":{\"Ref\":\"ThriftListener\"}}");
    /* where clients connect */
    out = at(at(at(tpl, "Outputs"), "ThriftEndpoint"), "Value");
    cr_expect_str_eq(print(out), "{\"Fn::Sub\":\"${LoadBalancer.DNSName}:${ThriftPort}\"}");
    cr_expect_str_eq(print(at(at(at(tpl, "Outputs"), "ThriftTransport"), "Value")), bgt_fmt("\"%s\"", transports[v]));
    cJSON_Delete(tpl);
  }
}

/* Values CloudFormation must refuse before creating anything: not a port, bidgate's HTTP port,
 * the NLB's HTTP listener port, an unknown transport. */
Test(service_thrift, bad_thrift_values_are_refused) {
  char *file = bgt_fmt("%s/infra/service.yaml", root), *out, *err;
  struct { const char *value, *message; } cases[] = {
    {"ThriftPort=0", "Parameters.ThriftPort: given value \"0\" does not match AllowedPattern"},
    {"ThriftPort=65536", "Parameters.ThriftPort: given value \"65536\" does not match AllowedPattern"},
    {"ThriftPort=on", "Parameters.ThriftPort: given value \"on\" does not match AllowedPattern"},
    {"ThriftPort=8080", "ThriftPort must not be 8080"},
    {"ThriftPort=80", "ThriftPort must not be ListenerPort"},
    {"ThriftTransport=tcp", "Parameters.ThriftTransport: given value \"tcp\" is not one of the AllowedValues"},
  };

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *args[] = {"--param", cases[i].value, file, NULL};
    cr_expect_eq(checker(&out, &err, args), 1, "%s accepted:\n%s", cases[i].value, out);
    cr_expect(strstr(out, cases[i].message) != NULL, "%s: no \"%s\" in:\n%s", cases[i].value, cases[i].message, out);
  }
  /* the edges that are ports */
  {
    const char *low[] = {"--param", "ThriftPort=1", file, NULL}, *high[] = {"--param", "ThriftPort=65535", file, NULL};
    cr_expect_eq(checker(&out, &err, low), 0, "%s", out);
    cr_expect_eq(checker(&out, &err, high), 0, "%s", out);
  }
}
