#!/usr/bin/env node
// tools/cfn/check.js - offline checks of bidgate's CloudFormation templates and EMF lines.
//
//   node tools/cfn/check.js [--metrics FILE] TEMPLATE...   schema + project rules, exit 1 on a problem
//   node tools/cfn/check.js [--param KEY=VALUE]... [--resolve] [--dump] TEMPLATE...   the same, on what
//        CloudFormation would create with those parameter values (the others at their Default;
//        --resolve alone: all at their Default); --dump prints it
//   node tools/cfn/check.js --emf [--metrics FILE] LOG     every EMF line in LOG follows the metrics file
//
// Schema: AWS's resource schemas from @aws-cdk/aws-service-spec (types, properties with nested
// property types, required flags, attributes); YAML with CloudFormation tags read by yaml-cfn.
// It reports unknown sections, types and properties, missing required properties, wrong scalar
// types, Ref/Sub/GetAtt/Condition/DependsOn targets that do not exist and, across the templates
// given together, imports no template exports. Project rules: no wildcard IAM action, Resource "*"
// only for actions AWS cannot scope, read-only non-root task definitions checked by
// `bidgate healthcheck`, the circuit breaker with rollback, /healthz health checks, IMDSv2, a
// deregistration delay equal to bidgate's drain timeout, and Bidgate metric names (dashboard,
// alarms, scaling) from the metrics file. Not checked: Mappings; allowed values and patterns only
// of the values used when resolving.
// Without --param (or --resolve) a template is checked as written: both branches of every Fn::If,
// every resource whatever its Condition. With --param KEY=VALUE (repeatable; a KEY no template
// declares is an error) or --resolve (defaults only), each template is first resolved as
// CloudFormation would: the values are checked against AllowedValues, AllowedPattern, MinValue,
// MaxValue, MinLength and MaxLength; Conditions are evaluated (Fn::Equals of literals and
// parameter Refs, Fn::Not, Fn::And, Fn::Or, Condition) and so are Rules assertions, which must
// hold; resources and outputs whose Condition is false go, Fn::If takes its branch, AWS::NoValue
// removes the key or element, a Ref to a parameter becomes its value. Then the same checks run,
// so a Ref or DependsOn to a resource the values leave out is caught. --dump prints
// {"FILE": resolved template, ...} as JSON on stdout (the problems and "ok" lines on stderr).
// Each problem prints as "FILE: WHERE: WHAT"; a clean file prints "FILE: ok".
'use strict';
const fs = require('fs');
const path = require('path');
const { yamlParse } = require('yaml-cfn');
const { loadAwsServiceSpecSync } = require('@aws-cdk/aws-service-spec');

const SECTIONS = ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Mappings',
  'Conditions', 'Transform', 'Rules', 'Resources', 'Outputs'];
const RESOURCE_KEYS = ['Type', 'Properties', 'DependsOn', 'Condition', 'Metadata', 'DeletionPolicy',
  'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy'];
const PSEUDO = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition',
  'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'];
// Actions AWS authorizes on "*" only (no resource-level permissions): the only ones allowed there.
const STAR_ONLY = ['ecr:GetAuthorizationToken', 'ecs:DiscoverPollEndpoint',
  'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition'];
const HEALTHCHECK = ['CMD', '/bidgate', 'healthcheck'];

let db;
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const fnOf = (v) => (isObj(v) && Object.keys(v).length === 1 &&
  /^(Ref|Condition|Fn::\w+)$/.test(Object.keys(v)[0]) ? Object.keys(v)[0] : null);
const list = (v) => (v === undefined ? [] : [].concat(v));

function resourceSpec(type) {
  const found = db.lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length === 1 ? found[0] : null;
}

// " (did you mean X?)" for a name one edit or a case change away from a known one.
function suggest(name, known) {
  const near = (a, b) => {
    if (a.toLowerCase() === b.toLowerCase()) return true;
    if (Math.abs(a.length - b.length) > 2) return false;
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] !== b[j - 1]));
    return d[a.length][b.length] <= 2;
  };
  const hit = known.find((k) => near(name, k));
  return hit ? ` (did you mean ${hit}?)` : '';
}

function checkRef(cx, name, where) {
  if (!PSEUDO.includes(name) && !(name in cx.params) && !(name in cx.resources))
    cx.err(where, `Ref to undefined ${name}`);
}

function checkGetAtt(cx, res, att, where) {
  if (!(res in cx.resources)) return cx.err(where, `GetAtt of undefined resource ${res}`);
  const spec = resourceSpec(cx.resources[res].Type);
  if (spec && typeof att === 'string' && !(att in spec.attributes))
    cx.err(where, `${cx.resources[res].Type} ${res} has no attribute ${att}` +
      suggest(att, Object.keys(spec.attributes)));
}

function checkCondition(cx, name, where) {
  if (!(name in cx.conditions)) cx.err(where, `undefined condition ${name}`);
}

// An intrinsic function: its targets exist; Fn::If branches must also fit the expected type.
function checkIntrinsic(cx, v, where, type) {
  const fn = fnOf(v), arg = v[fn];
  if (fn === 'Ref') return checkRef(cx, arg, where);
  if (fn === 'Condition') return checkCondition(cx, arg, where);
  if (fn === 'Fn::GetAtt') {
    const [res, att] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
    return checkGetAtt(cx, res, att, where);
  }
  if (fn === 'Fn::Sub') {
    const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
    if (typeof text !== 'string') return cx.err(where, 'Fn::Sub needs a string');
    for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      const name = m[1].trim(), dot = name.indexOf('.');
      if (isObj(vars) && name in vars) continue;
      if (dot > 0) checkGetAtt(cx, name.slice(0, dot), name.slice(dot + 1), where);
      else checkRef(cx, name, where);
    }
    return walk(cx, vars, where);
  }
  if (fn === 'Fn::If') {
    if (!Array.isArray(arg) || arg.length !== 3) return cx.err(where, 'Fn::If needs [condition, then, else]');
    checkCondition(cx, arg[0], where);
    for (const branch of arg.slice(1))
      if (type && !(isObj(branch) && branch.Ref === 'AWS::NoValue')) checkValue(cx, branch, type, where);
      else walk(cx, branch, where);
    return;
  }
  walk(cx, arg, where);
}

// Any value whose schema is unknown or free-form JSON: check the intrinsics inside it.
function walk(cx, v, where) {
  if (fnOf(v)) return checkIntrinsic(cx, v, where, null);
  if (Array.isArray(v)) v.forEach((e, i) => walk(cx, e, `${where}[${i}]`));
  else if (isObj(v)) for (const [k, e] of Object.entries(v)) walk(cx, e, `${where}.${k}`);
}

function checkValue(cx, v, type, where) {
  if (fnOf(v)) return checkIntrinsic(cx, v, where, type);
  const want = (ok, what) => ok || cx.err(where, `expected ${what}, got ${JSON.stringify(v)}`);
  const scalar = ['string', 'number', 'boolean'].includes(typeof v);
  switch (type.type) {
    case 'string': case 'date-time': return want(scalar, 'a string');
    case 'integer': return want(Number.isInteger(v) || /^-?\d+$/.test(v), 'an integer');
    case 'number': return want(typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !isNaN(v)), 'a number');
    case 'boolean': return want(typeof v === 'boolean' || v === 'true' || v === 'false', 'a boolean');
    case 'tag': return want(isObj(v), 'a tag') && checkProps(cx, v, { Key: { required: true, type: { type: 'string' } },
      Value: { required: true, type: { type: 'string' } } }, where);
    case 'array': return want(Array.isArray(v), 'a list') && v.forEach((e, i) => checkValue(cx, e, type.element, `${where}[${i}]`));
    case 'map': return want(isObj(v), 'a map') && Object.entries(v).forEach(([k, e]) => checkValue(cx, e, type.element, `${where}.${k}`));
    case 'ref': {
      const def = db.get('typeDefinition', type.reference.$ref);
      return want(isObj(v), `a ${def.name}`) && checkProps(cx, v, def.properties, where);
    }
    case 'union': { // the alternative with no problem, else the one with the fewest
      let best = null;
      for (const alt of type.types) {
        const sub = { ...cx, problems: [], err(w, m) { this.problems.push(`${w}: ${m}`); } };
        checkValue(sub, v, alt, where);
        if (sub.problems.length === 0) return;
        if (!best || sub.problems.length < best.length) best = sub.problems;
      }
      return cx.problems.push(...best);
    }
    default: return walk(cx, v, where); // json
  }
}

function checkProps(cx, obj, props, where) {
  for (const [k, v] of Object.entries(obj)) {
    if (k in props) checkValue(cx, v, props[k].type, `${where}.${k}`);
    else cx.err(`${where}.${k}`, `unknown property ${k}${suggest(k, Object.keys(props))}`);
  }
  for (const [k, p] of Object.entries(props))
    if (p.required && !(k in obj)) cx.err(where, `missing required property ${k}`);
}

// The statements of every IAM policy document a resource holds (trust policies apart).
function policyStatements(r) {
  const p = r.Properties || {};
  const docs = [p.PolicyDocument, ...list(p.Policies).map((x) => x && x.PolicyDocument)];
  return docs.filter(isObj).flatMap((d) => list(d.Statement));
}

// Metric rows of a dashboard body: "." repeats the value above it.
function dashboardMetrics(body) {
  const text = fnOf(body) === 'Fn::Sub' ? list(body['Fn::Sub'])[0] : body;
  const json = JSON.parse(String(text).replace(/\$\{[^}]*\}/g, '0'));
  const rows = [];
  for (const w of list(json.widgets)) {
    let prev = [];
    for (const row of list(w.properties && w.properties.metrics)) {
      const plain = row.filter((x) => !isObj(x)).map((x, i) => (x === '.' ? prev[i] : x));
      prev = plain;
      if (plain.length >= 2) rows.push({ ns: plain[0], name: plain[1], dims: plain.slice(2).filter((_, i) => i % 2 === 0) });
    }
  }
  return rows;
}

function projectRules(cx, metrics) {
  const names = new Set(metrics.metrics.map((m) => m.name)), dimSets = metrics.dimensions.map((d) => d.join());
  const metric = (ns, name, dims, where) => {
    if (ns !== metrics.namespace) return;
    if (!names.has(name)) cx.err(where, `metric ${name} is not in the metrics file`);
    if (dims && !dimSets.includes(dims.join())) cx.err(where, `metric ${name} has dimensions [${dims}], not one of the metrics file's`);
  };
  for (const [id, r] of Object.entries(cx.resources)) {
    const p = r.Properties || {}, at = `Resources.${id}.Properties`;
    if (/^AWS::IAM::/.test(r.Type)) {
      if (p.ManagedPolicyArns) cx.err(`${at}.ManagedPolicyArns`, 'managed policies cannot be checked: write the statements');
      for (const s of policyStatements(r)) {
        const actions = list(s.Action).filter((a) => typeof a === 'string');
        if (s.NotAction) cx.err(at, 'NotAction grants everything else: list the actions');
        for (const a of actions) if (a.includes('*')) cx.err(at, `wildcard IAM action ${a}`);
        const loose = actions.filter((a) => !STAR_ONLY.includes(a));
        if (list(s.Resource).includes('*') && loose.length) cx.err(at, `Resource "*" for ${loose.join(', ')}: scope it`);
      }
    }
    if (r.Type === 'AWS::ECS::TaskDefinition') list(p.ContainerDefinitions).forEach((c, i) => {
      const w = `${at}.ContainerDefinitions[${i}]`;
      if (!(c.ReadonlyRootFilesystem === true || c.ReadonlyRootFilesystem === 'true')) cx.err(w, 'ReadonlyRootFilesystem must be true');
      if (c.Privileged === true || c.Privileged === 'true') cx.err(w, 'Privileged must not be true');
      if (typeof c.User !== 'string' || /^(0|root)(:|$)/.test(c.User)) cx.err(w, 'must run as a non-root User');
      if (JSON.stringify(c.HealthCheck && c.HealthCheck.Command) !== JSON.stringify(HEALTHCHECK))
        cx.err(w, `health check must be ${JSON.stringify(HEALTHCHECK)}`);
    });
    if (r.Type === 'AWS::ECS::Service') {
      const dc = p.DeploymentConfiguration || {}, cb = dc.DeploymentCircuitBreaker || {};
      if (!(cb.Enable === true && cb.Rollback === true)) cx.err(at, 'service needs DeploymentCircuitBreaker with Enable and Rollback true');
      if (String(dc.MinimumHealthyPercent) !== '100') cx.err(at, 'MinimumHealthyPercent must be 100');
    }
    if (r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup' && p.HealthCheckPath !== '/healthz')
      cx.err(at, 'target group health check path must be /healthz');
    if (r.Type === 'AWS::EC2::LaunchTemplate' && ((p.LaunchTemplateData || {}).MetadataOptions || {}).HttpTokens !== 'required')
      cx.err(at, 'launch template must require IMDSv2 (MetadataOptions.HttpTokens: required)');
    if (r.Type === 'AWS::CloudWatch::Alarm') {
      if (p.MetricName) metric(p.Namespace, p.MetricName, list(p.Dimensions).map((d) => d.Name), at);
      for (const m of list(p.Metrics)) {
        const ms = m.MetricStat && m.MetricStat.Metric;
        if (ms) metric(ms.Namespace, ms.MetricName, list(ms.Dimensions).map((d) => d.Name), `${at}.Metrics.${m.Id}`);
      }
    }
    const cm = ((p.TargetTrackingScalingPolicyConfiguration || {}).CustomizedMetricSpecification);
    if (r.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy' && cm)
      metric(cm.Namespace, cm.MetricName, list(cm.Dimensions).map((d) => d.Name), at);
    if (r.Type === 'AWS::CloudWatch::Dashboard') {
      try {
        for (const row of dashboardMetrics(p.DashboardBody)) metric(row.ns, row.name, row.dims, `${at}.DashboardBody`);
      } catch (e) { cx.err(`${at}.DashboardBody`, `not JSON: ${e.message}`); }
    }
  }
  // What the NLB waits for after deregistering a task and what bidgate drains for: one value.
  const delays = Object.values(cx.resources).flatMap((r) => list((r.Properties || {}).TargetGroupAttributes))
    .filter((a) => a.Key === 'deregistration_delay.timeout_seconds').map((a) => JSON.stringify(a.Value));
  const drains = Object.values(cx.resources).flatMap((r) => list((r.Properties || {}).ContainerDefinitions))
    .flatMap((c) => list(c.Environment)).filter((e) => e.Name === 'BIDGATE_DRAIN_TIMEOUT').map((e) => JSON.stringify(e.Value));
  if (delays.length && drains.length && drains.some((d) => !delays.includes(d)))
    cx.err('Resources', `deregistration delay ${delays} does not match BIDGATE_DRAIN_TIMEOUT ${drains}`);
}

function checkTemplate(file, tpl, metrics) {
  const problems = [];
  const cx = { problems, err(where, msg) { problems.push(`${where}: ${msg}`); },
    params: tpl.Parameters || {}, resources: tpl.Resources || {}, conditions: tpl.Conditions || {} };
  for (const k of Object.keys(tpl)) if (!SECTIONS.includes(k)) cx.err(k, `unknown section${suggest(k, SECTIONS)}`);
  for (const [k, p] of Object.entries(cx.params)) if (!isObj(p) || !p.Type) cx.err(`Parameters.${k}`, 'missing Type');
  for (const [k, c] of Object.entries(cx.conditions)) walk(cx, c, `Conditions.${k}`);
  for (const [k, r] of Object.entries(tpl.Rules || {})) walk(cx, r, `Rules.${k}`);
  if (!Object.keys(cx.resources).length) cx.err('Resources', 'no resources');
  for (const [id, r] of Object.entries(cx.resources)) {
    const at = `Resources.${id}`, spec = resourceSpec(r.Type);
    for (const k of Object.keys(r)) if (!RESOURCE_KEYS.includes(k)) cx.err(`${at}.${k}`, `unknown resource attribute${suggest(k, RESOURCE_KEYS)}`);
    if (r.Condition) checkCondition(cx, r.Condition, at);
    for (const d of list(r.DependsOn)) if (!(d in cx.resources)) cx.err(`${at}.DependsOn`, `depends on undefined ${d}`);
    if (spec) checkProps(cx, r.Properties || {}, spec.properties, `${at}.Properties`);
    else if (!/^Custom::/.test(r.Type)) cx.err(`${at}.Type`, `unknown resource type ${r.Type}`);
    walk(cx, r.Metadata, `${at}.Metadata`);
  }
  for (const [k, o] of Object.entries(tpl.Outputs || {})) {
    if (!isObj(o) || !('Value' in o)) cx.err(`Outputs.${k}`, 'missing Value');
    else walk(cx, o, `Outputs.${k}`);
    if (o && o.Condition) checkCondition(cx, o.Condition, `Outputs.${k}`);
  }
  projectRules(cx, metrics);
  return problems.map((p) => `${file}: ${p}`);
}

// ---- resolving a template for given parameter values ----

// The value of each parameter: given, else its Default, else undefined; problems for values the
// parameter's own constraints refuse.
function parameterValues(tpl, given, err) {
  const values = {};
  for (const [k, p] of Object.entries(tpl.Parameters || {})) {
    if (!isObj(p)) continue;
    const v = k in given ? given[k] : p.Default;
    if (v === undefined) continue;
    values[k] = Array.isArray(v) ? v.join(',') : String(v);
    const s = values[k], at = `Parameters.${k}`, src = k in given ? 'given' : 'default';
    if (p.AllowedValues && !list(p.AllowedValues).map(String).includes(s))
      err(at, `${src} value "${s}" is not one of the AllowedValues ${JSON.stringify(list(p.AllowedValues).map(String))}`);
    if (p.AllowedPattern && !new RegExp(`^(?:${p.AllowedPattern})$`).test(s))
      err(at, `${src} value "${s}" does not match AllowedPattern ${p.AllowedPattern}`);
    if (p.MinLength !== undefined && s.length < Number(p.MinLength)) err(at, `${src} value "${s}" is shorter than MinLength ${p.MinLength}`);
    if (p.MaxLength !== undefined && s.length > Number(p.MaxLength)) err(at, `${src} value "${s}" is longer than MaxLength ${p.MaxLength}`);
    if (p.Type === 'Number' && (s.trim() === '' || isNaN(s))) err(at, `${src} value "${s}" is not a Number`);
    if (p.MinValue !== undefined && Number(s) < Number(p.MinValue)) err(at, `${src} value "${s}" is below MinValue ${p.MinValue}`);
    if (p.MaxValue !== undefined && Number(s) > Number(p.MaxValue)) err(at, `${src} value "${s}" is above MaxValue ${p.MaxValue}`);
  }
  return values;
}

// Evaluates condition functions (and Rules assertions); throws Error(message) for what it cannot evaluate.
function conditionEvaluator(tpl, values) {
  const conds = tpl.Conditions || {}, memo = {}, busy = new Set();
  const scalar = (v) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (fnOf(v) === 'Ref') {
      if (v.Ref in values) return values[v.Ref];
      if (isObj(tpl.Parameters) && v.Ref in tpl.Parameters) throw new Error(`parameter ${v.Ref} has no value (give --param ${v.Ref}=...)`);
      throw new Error(`cannot evaluate Ref ${v.Ref} without AWS`);
    }
    throw new Error(`cannot evaluate ${JSON.stringify(v)}`);
  };
  const ev = (v) => {
    const fn = fnOf(v), a = fn && v[fn];
    if (fn === 'Condition') return cond(a);
    if (fn === 'Fn::Equals') {
      if (!Array.isArray(a) || a.length !== 2) throw new Error('Fn::Equals needs two values');
      return scalar(a[0]) === scalar(a[1]);
    }
    if (fn === 'Fn::Not') {
      if (!Array.isArray(a) || a.length !== 1) throw new Error('Fn::Not needs one condition');
      return !ev(a[0]);
    }
    if (fn === 'Fn::And' || fn === 'Fn::Or') {
      if (!Array.isArray(a) || a.length < 2 || a.length > 10) throw new Error(`${fn} needs 2 to 10 conditions`);
      const all = a.map(ev);
      return fn === 'Fn::And' ? all.every(Boolean) : all.some(Boolean);
    }
    throw new Error(`cannot evaluate ${JSON.stringify(v)} as a condition`);
  };
  const cond = (name) => {
    if (name in memo) return memo[name];
    if (!(name in conds)) throw new Error(`undefined condition ${name}`);
    if (busy.has(name)) throw new Error(`condition ${name} depends on itself`);
    busy.add(name);
    try { memo[name] = ev(conds[name]); } finally { busy.delete(name); }
    return memo[name];
  };
  return { cond, ev };
}

const NOVALUE = Symbol('NoValue');

// The template CloudFormation would work on with these parameter values, and its problems.
function resolveTemplate(tpl, given) {
  const problems = [], err = (where, msg) => problems.push(`${where}: ${msg}`);
  const values = parameterValues(tpl, given, err), { cond, ev } = conditionEvaluator(tpl, values);
  const truth = {};
  for (const name of Object.keys(tpl.Conditions || {})) {
    try { truth[name] = cond(name); } catch (e) { err(`Conditions.${name}`, e.message); }
  }
  for (const [name, rule] of Object.entries(tpl.Rules || {})) {
    try {
      if (isObj(rule) && rule.RuleCondition !== undefined && !ev(rule.RuleCondition)) continue;
      list(isObj(rule) ? rule.Assertions : undefined).forEach((a, i) => {
        if (!ev(a.Assert)) err(`Rules.${name}.Assertions[${i}]`, `fails: ${a.AssertDescription || JSON.stringify(a.Assert)}`);
      });
    } catch (e) { err(`Rules.${name}`, e.message); }
  }
  // A condition that could not be evaluated keeps what depends on it (the unresolved checks see it).
  const keep = (name) => !(name in truth) || truth[name];
  const res = (v) => {
    if (fnOf(v) === 'Fn::If' && Array.isArray(v['Fn::If']) && v['Fn::If'][0] in truth)
      return res(v['Fn::If'][truth[v['Fn::If'][0]] ? 1 : 2]);
    if (fnOf(v) === 'Ref' && v.Ref === 'AWS::NoValue') return NOVALUE;
    if (fnOf(v) === 'Ref' && v.Ref in values) { // a parameter's value, as CloudFormation passes it
      const type = String(tpl.Parameters[v.Ref].Type);
      return type === 'CommaDelimitedList' || type.startsWith('List<') ? values[v.Ref].split(',') : values[v.Ref];
    }
    if (Array.isArray(v)) return v.map(res).filter((e) => e !== NOVALUE);
    if (isObj(v)) {
      const out = {};
      for (const [k, e] of Object.entries(v)) { const r = res(e); if (r !== NOVALUE) out[k] = r; }
      return out;
    }
    return v;
  };
  const out = {};
  for (const [k, v] of Object.entries(tpl)) {
    if ((k === 'Resources' || k === 'Outputs') && isObj(v)) {
      out[k] = {};
      for (const [id, r] of Object.entries(v))
        if (!(isObj(r) && typeof r.Condition === 'string' && !keep(r.Condition))) out[k][id] = res(r);
    } else out[k] = v;
  }
  return { tpl: out, problems };
}

// Cross-stack names as "<stack role>-<name>": an export of infra/network.yaml named
// "${AWS::StackName}-VpcId" is "network-VpcId", and so is an import of
// "bidgate-${EnvName}-network-VpcId"; "${EcrStackName}-RepositoryArn" is "ecr-RepositoryArn".
function importsAndExports(file, tpl) {
  const out = { imports: [], exports: [] };
  const key = (s) => {
    const parts = String(list(s)[0]).split('-'), role = parts[parts.length - 2] || '';
    return `${role.replace(/^\$\{(\w+)StackName\}$/, (_, r) => r.toLowerCase())}-${parts[parts.length - 1]}`;
  };
  const scan = (v) => {
    if (Array.isArray(v)) return v.forEach(scan);
    if (!isObj(v)) return;
    if (fnOf(v) === 'Fn::ImportValue') {
      const a = v['Fn::ImportValue'], s = fnOf(a) === 'Fn::Sub' ? a['Fn::Sub'] : a;
      if (fnOf(s) === 'Fn::If') s['Fn::If'].slice(1).forEach((b) => out.imports.push(key(b['Fn::Sub'] || b)));
      else out.imports.push(key(s));
    }
    Object.values(v).forEach(scan);
  };
  scan(tpl.Resources); scan(tpl.Outputs);
  const role = path.basename(file).replace(/\.ya?ml$/, '');
  for (const o of Object.values(tpl.Outputs || {}))
    if (o && o.Export) out.exports.push(`${role}-${key(o.Export.Name['Fn::Sub'] || o.Export.Name).split('-').pop()}`);
  out.imports = [...new Set(out.imports)];
  return out;
}

// Every EMF line (JSON with _aws) follows the metrics file; at least one line is required.
function checkEmf(file, metrics) {
  const problems = [], units = new Map(metrics.metrics.map((m) => [m.name, m.unit]));
  let seen = 0;
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, n) => {
    let j; try { j = JSON.parse(line); } catch { return; }
    if (!isObj(j) || !isObj(j._aws)) return;
    seen++;
    const err = (m) => problems.push(`${file}:${n + 1}: ${m}`);
    for (const d of list(j._aws.CloudWatchMetrics)) {
      if (d.Namespace !== metrics.namespace) err(`namespace ${d.Namespace}, expected ${metrics.namespace}`);
      if (JSON.stringify(d.Dimensions) !== JSON.stringify(metrics.dimensions)) err(`dimensions ${JSON.stringify(d.Dimensions)}`);
      for (const k of metrics.dimensions.flat()) if (typeof j[k] !== 'string') err(`no value for dimension ${k}`);
      const named = list(d.Metrics).map((m) => m.Name);
      for (const m of list(d.Metrics)) {
        if (!units.has(m.Name)) err(`metric ${m.Name} is not in the metrics file`);
        else if (m.Unit !== units.get(m.Name)) err(`metric ${m.Name} has unit ${m.Unit}, expected ${units.get(m.Name)}`);
        if (typeof j[m.Name] !== 'number') err(`metric ${m.Name} has no numeric value`);
      }
      for (const name of units.keys()) if (!named.includes(name)) err(`metric ${name} of the metrics file is missing`);
    }
    if (!list(j._aws.CloudWatchMetrics).length) err('no CloudWatchMetrics');
  });
  if (!seen) problems.push(`${file}: no EMF line (JSON with "_aws")`);
  if (!problems.length) console.log(`${file}: ok (${seen} EMF lines)`);
  return problems;
}

function main(argv) {
  let metricsFile = path.join(__dirname, '..', '..', 'infra', 'emf-metrics.json'), emf = false;
  let resolve = false, dump = false;
  const files = [], given = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--metrics') metricsFile = argv[++i];
    else if (argv[i] === '--emf') emf = true;
    else if (argv[i] === '--resolve') resolve = true;
    else if (argv[i] === '--dump') resolve = dump = true;
    else if (argv[i] === '--param') {
      const m = /^([A-Za-z0-9]+)=(.*)$/s.exec(argv[++i] || '');
      if (!m) { process.stderr.write(`check.js: bad --param '${argv[i] || ''}' (want KEY=VALUE)\n`); return 2; }
      given[m[1]] = m[2];
      resolve = true;
    } else files.push(argv[i]);
  }
  if (!files.length || !metricsFile) {
    process.stderr.write('usage: check.js [--metrics FILE] [--param KEY=VALUE]... [--resolve] [--dump] TEMPLATE...' +
      ' | check.js --emf [--metrics FILE] LOG\n');
    return 2;
  }
  const metrics = JSON.parse(fs.readFileSync(metricsFile, 'utf8'));
  if (emf) {
    const problems = files.flatMap((f) => checkEmf(f, metrics));
    problems.forEach((p) => console.log(p));
    return problems.length ? 1 : 0;
  }
  db = loadAwsServiceSpecSync();
  const parsed = [], problems = new Map(files.map((f) => [f, []])), declared = new Set();
  for (const f of files) {
    let tpl;
    try {
      tpl = yamlParse(fs.readFileSync(f, 'utf8'));
      if (!isObj(tpl)) throw new Error('not a mapping');
    } catch (e) { problems.get(f).push(`${f}: cannot read: ${e.message.split('\n')[0]}`); continue; }
    Object.keys(tpl.Parameters || {}).forEach((k) => declared.add(k));
    if (resolve) {
      const r = resolveTemplate(tpl, given);
      problems.get(f).push(...r.problems.map((p) => `${f}: ${p}`));
      tpl = r.tpl;
    }
    parsed.push([f, tpl]);
    problems.get(f).push(...checkTemplate(f, tpl, metrics));
  }
  const unknown = Object.keys(given).filter((k) => !declared.has(k));
  if (unknown.length) {
    process.stderr.write(`check.js: --param ${unknown.join(', ')}: no template given declares it\n`);
    return 2;
  }
  if (parsed.length > 1) { // cross-stack references resolve within the set given
    const exported = new Set(parsed.flatMap(([f, t]) => importsAndExports(f, t).exports));
    for (const [f, t] of parsed)
      for (const name of importsAndExports(f, t).imports)
        if (!exported.has(name)) problems.get(f).push(`${f}: Fn::ImportValue: imports ${name}, which no template exports`);
  }
  const report = dump ? (line) => process.stderr.write(`${line}\n`) : (line) => console.log(line);
  for (const [f, ps] of problems) report(ps.length ? ps.join('\n') : `${f}: ok`);
  if (dump) console.log(JSON.stringify(Object.fromEntries(parsed), null, 1));
  return [...problems.values()].some((l) => l.length) ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
