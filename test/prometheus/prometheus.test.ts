/**
 * Unit and integration: PromQL parsing, RE2 regexes, Go templates, rule files and prometheus.yml
 * checks (src/prometheus). Each invalid fixture under
 * test/fixtures/validate/prometheus/ holds one mistake and must produce exactly that finding
 * (code, path, line); the rendered overlays must produce none; and the real `promtool` (Debian
 * 2.42, /usr/bin/promtool) must reach the same valid/invalid verdict as our checks on every rule
 * fixture, except where a divergence is listed with its reason.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/random.js';
import { RE2JS } from 're2js';
import { stringify } from 'yaml';
import type { Finding } from '../../src/validate/findings.js';
import {
  checkGoTemplate,
  checkPrometheusConfig,
  checkRuleGroups,
  compileRe2,
  loadSource,
  parseDuration,
  parsePromql,
  runPromtool,
  type FindingSource,
} from '../../src/prometheus/index.js';
import { tempDir } from '../helpers/temp.js';

const execFileAsync = promisify(execFile);
const fixtures = join('test', 'fixtures', 'validate', 'prometheus');
const environments = ['dev', 'staging', 'prod'] as const;

interface Loaded {
  value: unknown;
  source: FindingSource;
}

async function load(path: string, basePath?: string[]): Promise<Loaded> {
  const loaded = loadSource(path, await readFile(path, 'utf8'), {
    codePrefix: 'yaml',
    ...(basePath ? { basePath } : {}),
  });
  expect(loaded.findings).toEqual([]);
  return loaded;
}

/** A PrometheusRule fixture is checked through its spec, as the validate command does. */
async function loadRules(file: string): Promise<{ findings: Finding[]; groups: unknown }> {
  const path = join(fixtures, file);
  if (file.startsWith('prometheusrule')) {
    const { value, source } = await load(path, ['spec']);
    const spec = (value as { spec: unknown }).spec;
    return { findings: checkRuleGroups(spec, source), groups: spec };
  }
  const { value, source } = await load(path);
  return { findings: checkRuleGroups(value, source), groups: value };
}

const errors = (findings: Finding[]): Finding[] =>
  findings.filter((finding) => finding.severity === 'error');

describe('parsePromql', () => {
  it.each([
    ['sum(rate(x[5m])) by (job', 'promql/syntax', 'unclosed left parenthesis'],
    ['rate(x[5m]', 'promql/syntax', 'unclosed left parenthesis'],
    ['up{job="a"', 'promql/syntax', 'unclosed left brace'],
    ['up{job="a}', 'promql/syntax', 'unterminated quoted string'],
    ['', 'promql/syntax', 'no expression found in input'],
    ['foo(x)', 'promql/unknown-function', 'unknown function with name "foo"'],
    ['holt_winters(x[5m], 0.5, 0.5)', 'promql/unknown-function', 'holt_winters'],
    ['mad_over_time(x[5m])', 'promql/experimental', 'mad_over_time'],
    ['x[5m + 1m]', 'promql/experimental', 'duration expression'],
    ['rate(x)', 'promql/type-error', 'expected type range vector in call to function "rate"'],
    ['sum(x[5m])', 'promql/type-error', 'expected type instant vector in aggregation expression'],
    ['topk(x)', 'promql/type-error', 'expected 2, got 1'],
    ['round(x, 1, 2)', 'promql/type-error', 'expected at most 2 argument(s)'],
    ['1 > 2', 'promql/type-error', 'comparisons between scalars must use BOOL modifier'],
    ['x and 1', 'promql/type-error', 'set operator "and" not allowed in binary scalar expression'],
    ['x and on(a) group_left y', 'promql/type-error', 'no grouping allowed'],
    ['x + bool y', 'promql/syntax', 'bool modifier can only be used on comparison operators'],
    ['sum(x)[5m]', 'promql/syntax', 'ranges only allowed for vector selectors'],
    ['x offset 5m offset 1m', 'promql/syntax', 'offset may not be set multiple times'],
    ['sum(x) offset 5m', 'promql/syntax', 'offset modifier must be preceded by'],
    ['{job=~".*"}', 'promql/empty-selector', 'at least one non-empty matcher'],
    ['up{__name__="x"}', 'promql/syntax', 'metric name must not be set twice'],
    ['up{job=~"(a"}', 'promql/invalid-regex', 'missing closing )'],
    ['up{job=~"(?=a)b"}', 'promql/invalid-regex', 'invalid or unsupported Perl syntax'],
    ['{job=~"(?i)X?"}', 'promql/empty-selector', 'at least one non-empty matcher'],
    ['{job!~"(?s:.)+"}', 'promql/empty-selector', 'at least one non-empty matcher'],
    ['up{job="a\\.b"}', 'promql/syntax', "unknown escape sequence U+002E '.'"],
  ])('rejects %s', (expr, code, message) => {
    const result = parsePromql(expr);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.message).toContain(message);
    expect(result.error.offset).toBeGreaterThanOrEqual(0);
    expect(result.error.offset).toBeLessThanOrEqual(expr.length);
  });

  it('points at the open bracket of an unclosed expression', () => {
    const result = parsePromql('sum(rate(x[5m])) by (job');
    expect(result.ok ? undefined : result.error.offset).toBe(20);
  });

  it.each([
    // kubernetes-mixin KubePodCrashLooping and node-mixin NodeCPUHighUsage, kube-prometheus TargetDown.
    'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", job="kube-state-metrics"}[5m]) >= 1',
    'sum without(mode) (avg without (cpu) (rate(node_cpu_seconds_total{job="node", mode!~"idle|iowait"}[2m]))) * 100 > 90',
    '100 * (count(up == 0) BY (cluster, job, namespace, service) / count(up) BY (cluster, job, namespace, service)) > 10',
    'histogram_quantile(0.95, sum by (job, le) (rate(rest_server_request_duration_seconds_bucket{job="model-server"}[5m]))) > 1',
    'sum(up{job="mlflow-server"}) == 0 or absent(up{job="mlflow-server"})',
    'label_replace(up, "host", "$1", "instance", "([^:]+):.*")',
    'rate(x[5m] offset -1h) > bool 0',
    'max_over_time(deriv(x[5m])[1h:1m])',
    'up{job=~"(?i)mlflow-.+", instance!~"[[:digit:]]+\\\\.local"} @ end()',
    'x > ignoring(pod) group_left(node) y',
    'sort_desc(topk(3, sum by (pod) (rate(container_cpu_usage_seconds_total[5m]))))',
  ])('accepts %s', (expr) => {
    const result = parsePromql(expr, { resultTypes: ['vector', 'scalar'] });
    expect(result.ok ? 'ok' : result.error).toBe('ok');
  });

  it('returns the metric names and label matchers', () => {
    const result = parsePromql(
      'sum(rate(mlflow_http_request_total{job="mlflow-server", status=~"5.."}[5m])) / sum(rate({__name__="mlflow_http_request_total", job="mlflow-server"}[5m]))',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.metrics).toEqual(['mlflow_http_request_total']);
    expect(result.matchers).toEqual([
      { label: 'job', op: '=', value: 'mlflow-server', metric: 'mlflow_http_request_total' },
      { label: 'status', op: '=~', value: '5..', metric: 'mlflow_http_request_total' },
      {
        label: '__name__',
        op: '=',
        value: 'mlflow_http_request_total',
        metric: 'mlflow_http_request_total',
      },
      { label: 'job', op: '=', value: 'mlflow-server', metric: 'mlflow_http_request_total' },
    ]);
    expect(result.type).toBe('vector');
    expect(result.tree.topNode.name).toBe('PromQL');
  });

  it('knows the result type, for rules and graphs', () => {
    const range = parsePromql('up[5m]', { resultTypes: ['vector', 'scalar'] });
    expect(range.ok ? undefined : range.error.code).toBe('promql/result-type');
    expect(parsePromql('up[5m]').ok).toBe(true);
    const scalar = parsePromql('scalar(sum(up)) * 2');
    expect(scalar.ok ? scalar.type : undefined).toBe('scalar');
  });
});

describe('RE2 regexes', () => {
  // Verdicts checked against promtool 2.42 (Go 1.19) unless noted.
  it.each([
    'a|b',
    '(?i)mlflow',
    '[[:alpha:]_]+',
    '[[:^alpha:]]',
    '(?P<port>\\d+)',
    // Go 1.22+ (Prometheus 3.5) also takes (?<name>...); promtool 2.42's Go 1.19 does not.
    '(?<port>\\d+)',
    // Go, unlike re2j and RE2 C++, lets two groups share a name.
    '(?P<n>a)|(?P<n>b)',
    'a{2,5}',
    'a{,3}',
    'a{1000}',
    '(a{10}){100}',
    '\\Q1.2\\E',
    '\\Qa\\E+',
    '\\pL+',
    '\\p{Greek}+',
    '\\PL',
    '(?i:a)b',
    '(?U)a+',
    '(?s).',
    '\\x{41}\\x41\\101',
    '\\A\\z',
    '[]a]',
    '[\\d-z]',
  ])('compiles %s', (pattern) => {
    expect(compileRe2(pattern).ok).toBe(true);
  });

  it.each([
    ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['x(?!a)', 'invalid or unsupported Perl syntax: `(?!`'],
    // Go 1.22+ reads `(?<` as a named group; promtool 2.42 says `invalid or unsupported Perl syntax`.
    ['(?<!a)b', 'invalid named capture: `(?<!a)b`'],
    ['(?<=a)b', 'invalid named capture: `(?<=a)b`'],
    ['(?>a)', 'invalid or unsupported Perl syntax: `(?>`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['(?P<n>a)\\k<n>', 'invalid escape sequence: `\\k`'],
    ['(?P<n>a)(?P=n)', 'invalid or unsupported Perl syntax: `(?P`'],
    ['a\\q', 'invalid escape sequence: `\\q`'],
    ['a\\Z', 'invalid escape sequence: `\\Z`'],
    ['\\x{110000}', 'invalid escape sequence: `\\x{110000`'],
    ['a\\', 'trailing backslash at end of expression'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['a{2,1}', 'invalid repeat count: `{2,1}`'],
    ['((a{100}){100}){100}', 'invalid repeat count: `{100}`'],
    ['x**', 'invalid nested repetition operator: `**`'],
    ['a++', 'invalid nested repetition operator: `++`'],
    ['a{2}{3}', 'invalid nested repetition operator: `{2}{3}`'],
    ['(a', 'missing closing ): `(a`'],
    ['a)', 'unexpected ): `a)`'],
    ['(?i', 'invalid or unsupported Perl syntax: `(?i`'],
    ['\\Qa', 'missing closing ): `^(?s:\\Qa)$`'],
    ['[a-', 'missing closing ]: `[a-`'],
    ['[z-a]', 'invalid character class range: `z-a`'],
    ['[[:alfa:]]', 'invalid character class range: `[:alfa:]`'],
    ['\\p{Foo}', 'invalid character class range: `\\p{Foo}`'],
    ['(?P<>a)', 'invalid named capture: `(?P<>`'],
    ['*a', 'missing argument to repetition operator: `*`'],
    [`${'('.repeat(1000)}a${')'.repeat(1000)}`, 'expression nests too deeply'],
  ])('rejects %s', (pattern, message) => {
    const result = compileRe2(pattern);
    expect(result.ok ? 'ok' : result.message).toBe(`error parsing regexp: ${message}`);
  });

  it.each([
    ['(?=a)', 0, 'no lookahead, lookbehind or atomic groups'],
    ['x(?<!a)b', 1, 'no lookahead, lookbehind or atomic groups'],
    ['(a)\\1', 3, 'does not support backreferences'],
    ['(a)\\1(b)\\1', 3, 'does not support backreferences'],
    ['\\\\1\\1', 3, 'does not support backreferences'],
    ['(?P<n>a)\\g1', 8, 'does not support backreferences'],
    ['(?P<n>a)(?P=n)', 8, 'does not support backreferences'],
    ['a\\q', 1, 'escapes only punctuation'],
    ['(?#c)', 0, 'RE2 groups are'],
    ['a{1001}', 1, 'repeat counts up to 1000'],
    ['x\\Qa\\E\\Qb', 6, 'end the quote with \\E'],
  ])('explains %s at offset %i', (pattern, offset, hint) => {
    const result = compileRe2(pattern);
    expect(result.ok ? 'ok' : result.offset).toBe(offset);
    expect(result.ok ? 'ok' : result.hint).toContain(hint);
  });

  it.each([
    ['mlflow-.*', 'mlflow-server', true],
    ['mlflow-.*', 'my-mlflow-server', false],
    ['a|ab', 'ab', true],
    ['(?i)mlflow', 'MLflow', true],
    ['a.b', 'a\nb', true],
    ['a$', 'a\n', false],
    ['\\pL+', 'héllo', true],
    ['[[:alpha:]]+', 'a1', false],
    ['\\Q.*\\E', 'xx', false],
    ['\\Q.*\\E', '.*', true],
    ['(?P<n>a)|(?P<n>b)', 'b', true],
    ['x*', '', true],
  ])('anchors %s at both ends, as Prometheus 3 does: %j', (pattern, text, matches) => {
    const result = compileRe2(pattern);
    if (!result.ok) throw new Error(result.message);
    expect(result.matcher.matches(text)).toBe(matches);
  });

  it('matches plain literals (checked without re2js) exactly as re2js does', () => {
    const random = seededRandom(20261203);
    const alphabet = 'aZ09_-;:/ ,=@#%&\'"<>!~`';
    const pick = (length: number): string =>
      Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let run = 0; run < 200; run++) {
      const pattern = pick(Math.floor(random() * 6));
      const reference = RE2JS.compile(`^(?s:${pattern})$`);
      const result = compileRe2(pattern);
      if (!result.ok) throw new Error(result.message);
      for (const text of [pattern, `${pattern}x`, pattern.slice(1), pick(3), '']) {
        expect(result.matcher.matches(text), `${pattern} on ${text}`).toBe(reference.test(text));
      }
    }
  });
});

describe('durations', () => {
  it.each([
    ['1h30m', 5_400_000],
    ['5m', 300_000],
    ['0s', 0],
    ['0', 0],
    ['1y2w3d', (365 + 14 + 3) * 86_400_000],
    ['250ms', 250],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['30x', '5', '', '1h1d', '5m5m', '1.5h', '-5m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('Go templates of alert labels and annotations', () => {
  it.each([
    'plain text',
    '{{ $labels.instance }} is down',
    '{{ $value }}',
    '{{ printf "%.2f" $value }}%',
    'for {{ humanizeDuration $value }}',
    '{{ $value | humanizePercentage }}',
    '{{- if gt $value 1.0 -}} high {{- else -}} low {{- end }}',
    '{{ range $i, $label := $labels }}{{ $i }}={{ $label }} {{ end }}',
    '{{/* a comment */}}{{ $x := .Value }}{{ $x }}',
    '{{ with query "up" }}{{ . | first | value }}{{ end }}',
    '{{ template "x" . }}',
    '{{ $externalLabels.cluster }} {{ externalURL }}',
  ])('accepts %s', (text) => {
    expect(checkGoTemplate(text)).toBeUndefined();
  });

  it.each([
    ['{{ $labels.instance', 'unclosed action'],
    ['{{ humanise $value }}', 'function "humanise" not defined'],
    ['{{ $foo }}', 'undefined variable "$foo"'],
    ['{{ end }}', 'unexpected {{end}}'],
    ['{{ if $value }}x', 'unexpected EOF'],
    ['{{ }}', 'missing value for command'],
    ['{{ printf "%d }}', 'unterminated quoted string'],
    ['{{ (len $labels }}', 'unclosed left paren'],
    ['{{ else }}', 'unexpected {{else}}'],
    ['{{/* x }}', 'unclosed comment'],
  ])('rejects %s', (text, message) => {
    expect(checkGoTemplate(text)?.message).toBe(message);
  });
});

interface Case {
  file: string;
  code: string;
  path: string;
  line: number;
  severity?: 'error' | 'warning';
}

const ruleCases: Case[] = [
  {
    file: 'rules-unclosed-paren.yml',
    code: 'promql/syntax',
    path: 'groups[0].rules[0].expr',
    line: 6,
  },
  {
    file: 'rules-unknown-function.yml',
    code: 'promql/unknown-function',
    path: 'groups[0].rules[0].expr',
    line: 6,
  },
  {
    file: 'rules-rate-of-instant-vector.yml',
    code: 'promql/type-error',
    path: 'groups[0].rules[0].expr',
    line: 6,
  },
  {
    file: 'rules-lookahead-regex.yml',
    code: 'promql/invalid-regex',
    path: 'groups[0].rules[0].expr',
    line: 6,
  },
  {
    file: 'rules-backslash-escape.yml',
    code: 'promql/syntax',
    path: 'groups[0].rules[0].expr',
    line: 6,
  },
  {
    file: 'rules-empty-selector.yml',
    code: 'promql/empty-selector',
    path: 'groups[0].rules[0].expr',
    line: 6,
  },
  {
    file: 'rules-scalar-comparison.yml',
    code: 'promql/type-error',
    path: 'groups[0].rules[0].expr',
    line: 6,
  },
  {
    file: 'rules-range-vector-result.yml',
    code: 'promql/result-type',
    path: 'groups[0].rules[0].expr',
    line: 6,
  },
  {
    file: 'rules-invalid-duration.yml',
    code: 'prometheus-rules/invalid-duration',
    path: 'groups[0].rules[0].for',
    line: 7,
  },
  {
    file: 'rules-unclosed-template.yml',
    code: 'prometheus-rules/invalid-template',
    path: 'groups[0].rules[0].annotations.description',
    line: 12,
  },
  {
    file: 'rules-unknown-template-function.yml',
    code: 'prometheus-rules/invalid-template',
    path: 'groups[0].rules[0].annotations.description',
    line: 12,
  },
  {
    file: 'rules-invalid-label-name.yml',
    code: 'prometheus-rules/invalid-label-name',
    path: 'groups[0].rules[0].labels.team-name',
    line: 10,
  },
  {
    file: 'rules-unknown-field.yml',
    code: 'prometheus-rules/unknown-field',
    path: 'groups[0].rules[0].summary',
    line: 13,
  },
  {
    file: 'rules-duplicate-group.yml',
    code: 'prometheus-rules/duplicate-group',
    path: 'groups[1].name',
    line: 7,
  },
  {
    file: 'rules-invalid-record-name.yml',
    code: 'prometheus-rules/invalid-record-name',
    path: 'groups[0].rules[0].record',
    line: 5,
  },
  {
    file: 'rules-for-in-record.yml',
    code: 'prometheus-rules/alert-field-in-record',
    path: 'groups[0].rules[0].for',
    line: 7,
  },
  {
    file: 'rules-alert-and-record.yml',
    code: 'prometheus-rules/alert-and-record',
    path: 'groups[0].rules[0].record',
    line: 5,
  },
  {
    file: 'rules-missing-group-name.yml',
    code: 'prometheus-rules/missing-group-name',
    path: 'groups[0].name',
    line: 3,
  },
  {
    file: 'prometheusrule-bad-expr.yaml',
    code: 'promql/syntax',
    path: 'spec.groups[0].rules[0].expr',
    line: 12,
  },
  {
    file: 'rules-missing-severity.yml',
    code: 'prometheus-rules/missing-severity',
    path: 'groups[0].rules[0].labels.severity',
    line: 5,
    severity: 'warning',
  },
  {
    file: 'rules-missing-annotations.yml',
    code: 'prometheus-rules/missing-annotation',
    path: 'groups[0].rules[0].annotations.summary',
    line: 5,
    severity: 'warning',
  },
  {
    file: 'rules-duplicate-alert.yml',
    code: 'prometheus-rules/duplicate-rule',
    path: 'groups[0].rules[1].alert',
    line: 13,
    severity: 'warning',
  },
];

const configCases: Case[] = [
  {
    file: 'config-timeout-above-interval.yml',
    code: 'prometheus-config/scrape-timeout-too-long',
    path: 'scrape_configs[1].scrape_timeout',
    line: 15,
  },
  {
    file: 'config-timeout-above-default-interval.yml',
    code: 'prometheus-config/scrape-timeout-too-long',
    path: 'scrape_configs[0].scrape_timeout',
    line: 4,
  },
  {
    file: 'config-global-timeout-above-interval.yml',
    code: 'prometheus-config/scrape-timeout-too-long',
    path: 'global.scrape_timeout',
    line: 4,
  },
  {
    file: 'config-duplicate-job.yml',
    code: 'prometheus-config/duplicate-job-name',
    path: 'scrape_configs[1].job_name',
    line: 13,
  },
  {
    file: 'config-unknown-relabel-action.yml',
    code: 'prometheus-config/invalid-relabel-action',
    path: 'scrape_configs[1].relabel_configs[0].action',
    line: 20,
  },
  {
    file: 'config-lookahead-regex.yml',
    code: 'prometheus-config/invalid-regex',
    path: 'scrape_configs[1].metric_relabel_configs[0].regex',
    line: 21,
  },
  {
    file: 'config-backreference-regex.yml',
    code: 'prometheus-config/invalid-regex',
    path: 'scrape_configs[1].relabel_configs[0].regex',
    line: 21,
  },
  {
    file: 'config-kubernetes-role.yml',
    code: 'prometheus-config/invalid-kubernetes-role',
    path: 'scrape_configs[1].kubernetes_sd_configs[0].role',
    line: 15,
  },
  {
    file: 'config-unknown-field.yml',
    code: 'prometheus-config/unknown-field',
    path: 'scrape_configs[1].scrape_intervall',
    line: 14,
  },
  {
    file: 'config-invalid-duration.yml',
    code: 'prometheus-config/invalid-duration',
    path: 'scrape_configs[1].scrape_interval',
    line: 14,
  },
  {
    file: 'config-url-target.yml',
    code: 'prometheus-config/invalid-target',
    path: 'scrape_configs[1].static_configs[0].targets[0]',
    line: 16,
  },
  {
    file: 'config-missing-target-label.yml',
    code: 'prometheus-config/missing-target-label',
    path: 'scrape_configs[1].relabel_configs[0].target_label',
    line: 18,
  },
  {
    file: 'config-labeldrop-extra-fields.yml',
    code: 'prometheus-config/invalid-relabel-config',
    path: 'scrape_configs[1].metric_relabel_configs[0].source_labels',
    line: 19,
  },
  {
    file: 'config-conflicting-auth.yml',
    code: 'prometheus-config/conflicting-fields',
    path: 'scrape_configs[1].authorization',
    line: 17,
  },
];

/** The one expected finding, and nothing else at error level (or at all, for warning cases). */
function expectOnly(findings: Finding[], expected: Case): void {
  const severity = expected.severity ?? 'error';
  const match = findings.find(
    (finding) => finding.code === expected.code && finding.path === expected.path,
  );
  expect(match, JSON.stringify(findings, null, 2)).toBeDefined();
  expect(match?.severity).toBe(severity);
  expect(match?.line).toBe(expected.line);
  expect(match?.column).toBeGreaterThan(0);
  expect(match?.file).toContain(expected.file);
  expect(match?.message.length).toBeGreaterThan(10);
  const others = findings.filter((finding) => finding.code !== expected.code);
  expect(others, JSON.stringify(others, null, 2)).toEqual([]);
}

describe('rule file fixtures', () => {
  it('has a fixture file for every case and a case for every fixture', async () => {
    const files = (await readdir(fixtures)).filter(
      (file) => file.startsWith('rules-') || file.startsWith('prometheusrule-'),
    );
    expect(files.sort()).toEqual(ruleCases.map((testCase) => testCase.file).sort());
  });

  it.each(ruleCases)('$file: $code at $path, line $line', async (testCase) => {
    const { findings } = await loadRules(testCase.file);
    expectOnly(findings, testCase);
  });

  it('accepts the same alert twice when its labels differ (severity tiers)', () => {
    const rule = (severity: string, threshold: number): Record<string, unknown> => ({
      alert: 'HighCPUUsage',
      expr: `avg(rate(node_cpu_seconds_total{mode!="idle"}[5m])) > ${threshold}`,
      labels: { severity },
      annotations: { summary: 'CPU', description: 'CPU is {{ $value }}' },
    });
    const findings = checkRuleGroups(
      { groups: [{ name: 'g', rules: [rule('warning', 0.8), rule('critical', 0.95)] }] },
      { file: 'inline.yml' },
    );
    expect(findings).toEqual([]);
  });

  it('accepts a list of groups and reports a rule without alert or record', () => {
    const findings = checkRuleGroups([{ name: 'g', rules: [{ expr: 'up' }] }], { file: 'x.yml' });
    expect(findings.map((finding) => [finding.code, finding.path])).toEqual([
      ['prometheus-rules/missing-name', '[0].rules[0]'],
    ]);
  });
});

describe('prometheus.yml fixtures', () => {
  it('has a fixture file for every case and a case for every fixture', async () => {
    const files = (await readdir(fixtures)).filter((file) => file.startsWith('config-'));
    expect(files.sort()).toEqual(configCases.map((testCase) => testCase.file).sort());
  });

  it.each(configCases)('$file: $code at $path, line $line', async (testCase) => {
    const { value, source } = await load(join(fixtures, testCase.file));
    expectOnly(checkPrometheusConfig(value, source), testCase);
  });

  it('uses the job interval, else the global one, else 1m', () => {
    const config = (global: Record<string, string>, job: Record<string, string>): unknown => ({
      global,
      scrape_configs: [{ job_name: 'a', static_configs: [{ targets: ['a:1'] }], ...job }],
    });
    const codes = (value: unknown): string[] =>
      checkPrometheusConfig(value, { file: 'p.yml' }).map((finding) => finding.code);
    expect(codes(config({}, { scrape_timeout: '1m' }))).toEqual([]);
    expect(codes(config({ scrape_interval: '30s' }, { scrape_timeout: '45s' }))).toEqual([
      'prometheus-config/scrape-timeout-too-long',
    ]);
    expect(
      codes(config({ scrape_interval: '30s' }, { scrape_interval: '1m', scrape_timeout: '45s' })),
    ).toEqual([]);
    // An unset job timeout is clamped to the interval by Prometheus, never an error.
    expect(codes(config({ scrape_timeout: '10s' }, { scrape_interval: '5s' }))).toEqual([]);
  });
});

describe('the rendered overlays', () => {
  it.each(environments)('overlays/%s: alert-rules.yml has no findings', async (environment) => {
    const { value, source } = await load(
      join('overlays', environment, 'prometheus', 'alert-rules.yml'),
    );
    expect(checkRuleGroups(value, source)).toEqual([]);
  });

  it.each(environments)('overlays/%s: prometheus.yml has no findings', async (environment) => {
    const { value, source } = await load(
      join('overlays', environment, 'prometheus', 'prometheus.yml'),
    );
    expect(checkPrometheusConfig(value, source)).toEqual([]);
  });
});

interface PromtoolRun {
  code: number;
  output: string;
}

async function promtool(args: string[]): Promise<PromtoolRun> {
  try {
    const { stdout, stderr } = await execFileAsync('/usr/bin/promtool', args, { timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error: unknown) {
    const failure = error as ExecFileException & { stdout?: string; stderr?: string };
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

/** Where promtool 2.42 and our checks (which follow Prometheus v3.5) knowingly disagree. */
const promtoolDivergences: Record<string, string> = {
  'rules-range-vector-result.yml':
    'promtool only parses the expression; Prometheus fails every evaluation with "rule result is not a vector or scalar"',
};

/** Not comparable: Debian's promtool 2.42 has no Kubernetes discovery at all. */
const configWithoutPromtool: Record<string, string> = {
  'config-kubernetes-role.yml': 'promtool rejects every kubernetes_sd_configs, whatever the role',
};

describe('promtool agrees with our verdict', () => {
  let scratch: string;
  beforeAll(async () => {
    const version = await promtool(['--version']);
    expect(version.code, 'promtool must be installed (apt-get install prometheus)').toBe(0);
    scratch = await tempDir('gitops-gen-validate-promtool-');
  });

  it.each(ruleCases.map((testCase) => testCase.file))('promtool check rules %s', async (file) => {
    const { findings, groups } = await loadRules(file);
    let path = join(fixtures, file);
    if (file.startsWith('prometheusrule')) {
      path = join(scratch, file);
      await writeFile(path, stringify(groups), 'utf8');
    }
    const result = await promtool(['check', 'rules', path]);
    const ours = errors(findings).length === 0;
    const theirs = result.code === 0;
    if (promtoolDivergences[file]) {
      expect(ours, promtoolDivergences[file]).toBe(false);
      expect(theirs, result.output).toBe(true);
      return;
    }
    expect(theirs, `${result.output}\nours: ${JSON.stringify(findings, null, 2)}`).toBe(ours);
  });

  it.each(
    configCases.map((testCase) => testCase.file).filter((file) => !configWithoutPromtool[file]),
  )('promtool check config --syntax-only %s', async (file) => {
    const { value, source } = await load(join(fixtures, file));
    const ours = errors(checkPrometheusConfig(value, source)).length === 0;
    const result = await promtool(['check', 'config', '--syntax-only', join(fixtures, file)]);
    expect(result.code === 0, result.output).toBe(ours);
  });

  it.each(environments)(
    'promtool accepts overlays/%s alert-rules.yml, as we do',
    async (environment) => {
      const result = await promtool([
        'check',
        'rules',
        join('overlays', environment, 'prometheus', 'alert-rules.yml'),
      ]);
      expect(result.code, result.output).toBe(0);
    },
  );
});

describe('runPromtool', () => {
  it('turns promtool complaints into located findings', async () => {
    const { value, source } = await load(join(fixtures, 'rules-unknown-function.yml'));
    const result = await runPromtool(value, source);
    expect(result.ran).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      code: 'promtool/check-rules',
      severity: 'error',
      path: 'groups[0].rules[0]',
      line: 5,
    });
    expect(result.findings[0]?.message).toContain('unknown function with name "rates"');
    expect(result.findings[0]?.message).not.toContain(' /tmp/');
  });

  it('reports promtool lint warnings on a valid file', async () => {
    const { value, source } = await load(join(fixtures, 'rules-duplicate-alert.yml'));
    const result = await runPromtool(value, source);
    expect(result.exitCode).toBe(0);
    expect(result.findings.map((finding) => [finding.code, finding.severity])).toEqual([
      ['promtool/lint', 'warning'],
    ]);
  });

  it('accepts the rendered rules and skips configs with Kubernetes discovery', async () => {
    const rules = await load(join('overlays', 'prod', 'prometheus', 'alert-rules.yml'));
    expect((await runPromtool(rules.value, rules.source)).findings).toEqual([]);
    const config = await load(join('overlays', 'prod', 'prometheus', 'prometheus.yml'));
    const skipped = await runPromtool(config.value, config.source, { kind: 'config' });
    expect(skipped.ran).toBe(false);
    expect(skipped.skipped).toContain('kubernetes_sd_configs');
  });

  it('checks a configuration without Kubernetes discovery', async () => {
    const { value, source } = await load(join(fixtures, 'config-duplicate-job.yml'));
    const result = await runPromtool(value, source, { kind: 'config' });
    expect(result.findings.map((finding) => finding.code)).toEqual(['promtool/check-config']);
    expect(result.findings[0]?.message).toContain('found multiple scrape configs');
  });

  it('does not run without promtool', async () => {
    const result = await runPromtool(
      { groups: [] },
      { file: 'x.yml' },
      { binary: 'no-such-promtool' },
    );
    expect(result).toMatchObject({ ran: false, findings: [] });
  });
});

const promqlAtoms = [
  'x',
  'up{job="a"}',
  'x[5m]',
  '1',
  '"s"',
  'rate(x[5m])',
  'sum by (a) (x)',
  'x offset 5m',
  'x @ 100',
  'x[5m:1m]',
  'x[0s]',
  'time()',
  '{__name__="x"}',
  '{a=~".*"}',
  'x{a!~"(b"}',
  'x{a="\\\\d"}',
  'x{a=`b\\.c`}',
  'topk(2, x)',
  'topk(x)',
  'count_values("l", x)',
  'label_replace(x, "a", "$1", "b", "(.*)")',
  'round(x, 2, 3)',
  'histogram_quantile(0.9, x)',
  'foo(x)',
  'sum(x, 1)',
  'x @ 1 @ 2',
  'x{}',
];
const promqlOperators = [
  ' + ',
  ' / ',
  ' == ',
  ' > bool ',
  ' and ',
  ' or ',
  ' * on(a) group_left(b) ',
  ' unless ignoring(a) group_left ',
];
const promqlWrappers = [
  (e: string): string => `rate(${e})`,
  (e: string): string => `sum(${e})`,
  (e: string): string => `(${e})`,
  (e: string): string => `${e}[5m]`,
  (e: string): string => `${e}[5m:]`,
  (e: string): string => `-${e}`,
  (e: string): string => `${e} offset 5m`,
  (e: string): string => `scalar(${e})`,
  (e: string): string => `max_over_time(${e})`,
  (e: string): string => `${e} @ start()`,
];

function generateExpression(next: () => number, depth: number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const roll = next();
  if (depth <= 0 || roll < 0.3) return pick(promqlAtoms);
  if (roll < 0.65)
    return (
      generateExpression(next, depth - 1) +
      pick(promqlOperators) +
      generateExpression(next, depth - 1)
    );
  return pick(promqlWrappers)(generateExpression(next, depth - 1));
}

const regexPieces = [
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  'a',
  '\\',
  '?',
  '*',
  '+',
  '|',
  '^',
  '$',
  '<',
  '=',
  '!',
  'P',
  'i',
  '-',
  ',',
  '1',
  'Q',
  'E',
  'p',
  'L',
  '.',
  'd',
  'z',
  '[:alpha:]',
  '(?',
  '{2}',
  '{1,3}',
  '\\\\',
  '\\.',
  '\\-',
];
const templatePieces = [
  '{{ ',
  ' }}',
  '{{- ',
  ' -}}',
  '$labels.x',
  '$value',
  '$foo',
  '.',
  '"s"',
  '(',
  ')',
  ' | ',
  'if ',
  'end',
  'else',
  'range ',
  '$x := ',
  '$x',
  ', ',
  'printf "%d" ',
  '{{/* c */}}',
  'nil',
  '1',
  'humanize ',
  'foo ',
  'len ',
  'x',
  '}}',
  '{{',
];

function pieces(next: () => number, list: readonly string[]): string {
  const count = 1 + Math.floor(next() * 7);
  return Array.from({ length: count }, () => list[Math.floor(next() * list.length)] ?? '').join('');
}

describe('differential: our verdicts against promtool on generated input', () => {
  /** Runs promtool once on many groups; returns the names of the groups it rejects. */
  async function rejectedGroups(groups: unknown[]): Promise<Set<string>> {
    const file = join(await tempDir('gitops-gen-differential-'), 'rules.yml');
    await writeFile(file, stringify({ groups }), 'utf8');
    const result = await promtool(['check', 'rules', file]);
    return new Set([...result.output.matchAll(/group "(g\d+)"/g)].map((match) => match[1] ?? ''));
  }

  it('PromQL: 400 expressions', async () => {
    const next = seededRandom(20_260_604);
    const exprs = [...new Set(Array.from({ length: 400 }, () => generateExpression(next, 3)))];
    const rejected = await rejectedGroups(
      exprs.map((expr, index) => ({ name: `g${index}`, rules: [{ record: 'r', expr }] })),
    );
    const disagreements = exprs.filter(
      (expr, index) => parsePromql(expr).ok === rejected.has(`g${index}`),
    );
    expect(rejected.size).toBeGreaterThan(50);
    expect(disagreements).toEqual([]);
  });

  it('RE2: 400 label-matcher regexes', async () => {
    const next = seededRandom(42);
    const patterns = [...new Set(Array.from({ length: 400 }, () => pieces(next, regexPieces)))];
    const rejected = await rejectedGroups(
      patterns.map((pattern, index) => ({
        name: `g${index}`,
        rules: [{ record: 'r', expr: `x{a=~\`${pattern}\`}` }],
      })),
    );
    const disagreements = patterns.filter(
      (pattern, index) => compileRe2(pattern).ok === rejected.has(`g${index}`),
    );
    expect(rejected.size).toBeGreaterThan(50);
    expect(disagreements).toEqual([]);
  });

  it('Go templates: 400 annotations', async () => {
    const next = seededRandom(7);
    const texts = [...new Set(Array.from({ length: 400 }, () => pieces(next, templatePieces)))];
    const rejected = await rejectedGroups(
      texts.map((text, index) => ({
        name: `g${index}`,
        rules: [{ alert: 'A', expr: 'up', annotations: { description: text } }],
      })),
    );
    const disagreements = texts.filter(
      (text, index) => (checkGoTemplate(text) === undefined) === rejected.has(`g${index}`),
    );
    expect(rejected.size).toBeGreaterThan(50);
    expect(disagreements).toEqual([]);
  });
});
