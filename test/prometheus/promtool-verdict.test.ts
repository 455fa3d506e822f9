/**
 * promtool's verdict read as promtool means it (issue 14, point 4): the exit code decides error
 * or warning (a duplicate rule is a lint warning, exit 0), each problem is one finding however
 * many lines promtool prints for it, and each finding carries the line of the rule (or key)
 * promtool names. The first part feeds promtool-output.ts with output as promtool 2.42 and 3.x
 * print it; the second runs the real promtool (Debian 2.42, /usr/bin/promtool), which CI
 * installs: without it those tests fail, except outside CI, where they are skipped with a
 * message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings.js';
import {
  checkRuleGroups,
  loadSource,
  PromtoolRuleChecks,
  runPromtool,
  runPromtoolRules,
} from '../../src/prometheus/index.js';
import { parsePromtoolOutput, promtoolFindings } from '../../src/prometheus/promtool-output.js';
import { validate } from '../../src/validate/index.js';
import { promtoolVersionFor } from '../helpers/tools.js';

const version = promtoolVersionFor('promtool-verdict');

const summary = (findings: Finding[]): [string, string, number | undefined, string | undefined][] =>
  findings.map((finding) => [finding.code, finding.severity, finding.line, finding.path]);

function loaded(file: string, text: string): ReturnType<typeof loadSource> {
  const result = loadSource(file, text, { codePrefix: 'yaml' });
  expect(result.findings).toEqual([]);
  return result;
}

const duplicates = `groups:
  - name: recording
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - record: job:up:sum
        expr: sum by (job) (up)
  - name: alerts
    rules:
      - alert: Down
        expr: up == 0
        labels: { severity: critical }
      - alert: Down
        expr: absent(up)
        labels: { severity: warning }
  - name: more
    rules:
      - alert: Down
        expr: up == 0
        labels: { severity: critical }
`;

const failing = `groups:
  - name: g
    rules:
      - record: ok
        expr: sum(up)
      - alert: Broken
        expr: sum(rates(x[5m])) > 1
`;

const unknownFields = `groups:
  - name: g
    rules:
      - record: r
        expr: up
        fo: 1
        bar: 2
`;

const good = `groups:
  - name: g
    rules:
      - record: r
        expr: up
`;

describe('reading promtool output', () => {
  it('reads a lint error as one warning per duplicate rule, at its second definition', () => {
    // promtool 2.42 and 3.x print this on standard error, after "Checking" on standard output.
    const output = [
      'Checking /tmp/x/rules.yml',
      '  FAILED:',
      'lint error 2 duplicate rule(s) found.',
      'Metric: Down',
      'Label(s):',
      '\tseverity: critical',
      'Metric: job:up:sum',
      'Label(s):',
      'Might cause inconsistency while recording expressions',
      '',
    ].join('\n');
    const problems = parsePromtoolOutput(output, '/tmp/x/rules.yml');
    expect(problems.map((problem) => [problem.lint, problem.duplicate])).toEqual([
      [true, { name: 'Down', labels: { severity: 'critical' } }],
      [true, { name: 'job:up:sum', labels: {} }],
    ]);
    const { value, source } = loaded('rules.yml', duplicates);
    const findings = promtoolFindings({
      kind: 'rules',
      exitCode: 0,
      output,
      file: '/tmp/x/rules.yml',
      text: duplicates,
      value,
      source,
    });
    expect(summary(findings)).toEqual([
      ['promtool/lint', 'warning', 18, 'groups[2].rules[0]'],
      ['promtool/lint', 'warning', 6, 'groups[0].rules[1]'],
    ]);
    expect(findings[0]?.message).toBe(
      'promtool lint: duplicate rule "Down" {severity="critical"}: another rule of the file has the same name and labels; might cause inconsistency while recording expressions (first defined in group "alerts", rule 1)',
    );
  });

  it('makes lint an error only when promtool exits 3 (--lint-fatal)', () => {
    const output =
      'Checking f\n  FAILED:\nlint error 1 duplicate rule(s) found.\nMetric: job:up:sum\nLabel(s):\nMight cause inconsistency while recording expressions\n';
    const { value, source } = loaded('rules.yml', duplicates);
    const verdict = { kind: 'rules' as const, output, file: 'f', text: duplicates, value, source };
    expect(summary(promtoolFindings({ ...verdict, exitCode: 3 }))).toEqual([
      ['promtool/lint', 'error', 6, 'groups[0].rules[1]'],
    ]);
    expect(summary(promtoolFindings({ ...verdict, exitCode: 1 }))).toEqual([
      ['promtool/lint', 'warning', 6, 'groups[0].rules[1]'],
    ]);
  });

  it('finds a Prometheus 3 duplicate through the group labels', () => {
    const text = `groups:
  - name: a
    labels: { team: x }
    rules:
      - record: r
        expr: up
  - name: b
    rules:
      - record: r
        expr: up
        labels: { team: x }
`;
    const output =
      'Checking f\n  FAILED:\nlint error 1 duplicate rule(s) found.\nMetric: r\nLabel(s):\n\tteam: x\nMight cause inconsistency while recording expressions\n';
    const { value, source } = loaded('rules.yml', text);
    const findings = promtoolFindings({
      kind: 'rules',
      exitCode: 0,
      output,
      file: 'f',
      text,
      value,
      source,
    });
    expect(summary(findings)).toEqual([['promtool/lint', 'warning', 9, 'groups[1].rules[0]']]);
  });

  it('groups continuation lines: one finding per YAML unmarshal error, each with its line', () => {
    const output = [
      'Checking /tmp/x/rules.yml',
      '  FAILED:',
      '/tmp/x/rules.yml: yaml: unmarshal errors:',
      '  line 6: field fo not found in type rulefmt.RuleNode',
      '  line 7: field bar not found in type rulefmt.RuleNode',
      '',
    ].join('\n');
    const { value, source } = loaded('rules.yml', unknownFields);
    const findings = promtoolFindings({
      kind: 'rules',
      exitCode: 1,
      output,
      file: '/tmp/x/rules.yml',
      text: unknownFields,
      value,
      source,
    });
    expect(summary(findings)).toEqual([
      ['promtool/check-rules', 'error', 6, 'groups[0].rules[0].fo'],
      ['promtool/check-rules', 'error', 7, 'groups[0].rules[0].bar'],
    ]);
    expect(findings[0]?.message).toBe('promtool: field fo not found in type rulefmt.RuleNode');
  });

  it('counts an error promtool prints twice once, and keeps an exit without output', () => {
    const output =
      "Checking f\n  FAILED:\nf: yaml: line 3: did not find expected '-' indicator\nf: yaml: line 3: did not find expected '-' indicator\n\n";
    expect(parsePromtoolOutput(output, 'f')).toEqual([
      { message: "yaml: line 3: did not find expected '-' indicator", lint: false, line: 3 },
    ]);
    const findings = promtoolFindings({
      kind: 'rules',
      exitCode: 2,
      output: '',
      file: 'f',
      text: good,
      value: {},
      source: { file: 'rules.yml' },
    });
    expect(summary(findings)).toEqual([['promtool/check-rules', 'error', undefined, undefined]]);
    expect(findings[0]?.message).toBe('promtool: exited with code 2');
  });
});

describe.skipIf(version === undefined)('the real promtool', () => {
  it('a duplicate rule is a lint warning: exit 0, one warning per duplicate, at its line', async () => {
    const { value, source } = loaded('dup.yml', duplicates);
    const result = await runPromtoolRules([{ value, text: duplicates, source }]);
    expect(result.exitCode).toBe(0);
    expect(summary(result.findings)).toEqual([
      ['promtool/lint', 'warning', 18, 'groups[2].rules[0]'],
      ['promtool/lint', 'warning', 6, 'groups[0].rules[1]'],
    ]);
  });

  it('our own duplicate check names the same rules as promtool lint', async () => {
    const { value, source } = loaded('dup.yml', duplicates);
    const ours = checkRuleGroups(value, source).filter(
      (finding) => finding.code === 'prometheus-rules/duplicate-rule',
    );
    const theirs = (await runPromtoolRules([{ value, text: duplicates, source }])).findings;
    const rules = (findings: Finding[]): string[] =>
      findings.map((finding) => (finding.path ?? '').replace(/\.(?:alert|record)$/, '')).sort();
    expect(rules(ours)).toEqual(rules(theirs));
    expect(ours.map((finding) => finding.message)).toEqual([
      'recording rule "job:up:sum" has the same name and labels as rule 1 of group "recording"',
      'alert "Down" has the same name and labels as rule 1 of group "alerts"',
    ]);
  });

  it('validate shows a duplicate rule once: our warning, not promtool lint beside it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gitops-gen-dup-'));
    try {
      const indented = duplicates.replace(/^/gm, '    ');
      writeFileSync(
        join(root, 'rules.yaml'),
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: rules, namespace: mon }\ndata:\n  rules.yml: |\n${indented}`,
      );
      const report = await validate({ paths: [root], promtool: 'always' });
      const codes = report.findings
        .map((finding) => finding.code)
        .filter((code) => code.startsWith('promtool/') || code.endsWith('duplicate-rule'));
      expect(codes).toEqual(['prometheus-rules/duplicate-rule', 'prometheus-rules/duplicate-rule']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a rejected rule is an error at the rule, once', async () => {
    const { value, source } = loaded('bad.yml', failing);
    const result = await runPromtoolRules([{ value, text: failing, source }]);
    expect(result.exitCode).toBe(1);
    expect(summary(result.findings)).toEqual([
      ['promtool/check-rules', 'error', 6, 'groups[0].rules[1]'],
    ]);
    expect(result.findings[0]?.message).toBe(
      'promtool: group "g", rule 2, "Broken": could not parse expression: 1:5: parse error: unknown function with name "rates"',
    );
  });

  it('several files in one run: each file keeps its own verdict', async () => {
    // promtool prints "Checking" on standard output and errors on standard error: read apart,
    // every error would land after the last "Checking" line, on the wrong file.
    const items = [
      { text: failing, file: 'bad.yml' },
      { text: duplicates, file: 'dup.yml' },
      { text: unknownFields, file: 'fields.yml' },
      { text: good, file: 'good.yml' },
    ].map(({ text, file }) => ({ ...loaded(file, text), text }));
    const result = await runPromtoolRules(items);
    expect(result.exitCode).toBe(1);
    expect(
      result.findings.map((finding) => [
        finding.file,
        finding.code,
        finding.severity,
        finding.line,
      ]),
    ).toEqual([
      ['bad.yml', 'promtool/check-rules', 'error', 6],
      ['dup.yml', 'promtool/lint', 'warning', 18],
      ['dup.yml', 'promtool/lint', 'warning', 6],
      ['fields.yml', 'promtool/check-rules', 'error', 6],
      ['fields.yml', 'promtool/check-rules', 'error', 7],
    ]);
  });

  it('PromtoolRuleChecks reads the same verdicts', async () => {
    const checks = new PromtoolRuleChecks();
    const bad = loaded('bad.yml', failing);
    const dup = loaded('dup.yml', duplicates);
    checks.start([failing, duplicates]);
    const [badResult, dupResult] = await Promise.all([
      checks.findings({ ...bad, text: failing }),
      checks.findings({ ...dup, text: duplicates }),
    ]);
    expect(summary(badResult.findings)).toEqual([
      ['promtool/check-rules', 'error', 6, 'groups[0].rules[1]'],
    ]);
    expect(dupResult.findings.map((finding) => finding.severity)).toEqual(['warning', 'warning']);
  });

  it('locates a repeated group name and a bad duration', async () => {
    const text = `groups:
  - name: g
    rules:
      - alert: A
        expr: up == 0
        for: 5x
  - name: g
    rules: []
`;
    const { value, source } = loaded('groups.yml', text);
    const result = await runPromtool(value, source);
    expect(result.exitCode).toBe(1);
    // promtool 2.42 stops at the duration (a YAML decoding error) before the group names.
    expect(summary(result.findings)).toEqual([
      ['promtool/check-rules', 'error', 6, 'groups[0].rules[0].for'],
    ]);
    const repeated = loaded('groups.yml', text.replace('for: 5x', 'for: 5m'));
    const second = await runPromtool(repeated.value, repeated.source);
    expect(summary(second.findings)).toEqual([
      ['promtool/check-rules', 'error', 7, 'groups[1].name'],
    ]);
    expect(second.findings[0]?.message).toBe(
      'promtool: groupname: "g" is repeated in the same file',
    );
  });

  it('locates a rule file carried in a ConfigMap through the source', async () => {
    const manifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: rules
data:
  alert-rules.yml: |
${failing
  .split('\n')
  .map((line) => (line === '' ? '' : `    ${line}`))
  .join('\n')}`;
    const outer = loaded('configmap.yml', manifest);
    const data = (outer.value as { data: Record<string, string> }).data;
    const embedded = data['alert-rules.yml'] ?? '';
    const inner = loaded('configmap.yml', embedded);
    const source = {
      file: 'configmap.yml',
      locate: (path: readonly (string | number)[], at?: 'key' | 'value') => {
        const position = inner.source.locate?.(path, at);
        return position && { line: position.line + 6, column: position.column + 4 };
      },
    };
    const result = await runPromtoolRules([{ value: inner.value, text: embedded, source }]);
    expect(summary(result.findings)).toEqual([
      ['promtool/check-rules', 'error', 12, 'groups[0].rules[1]'],
    ]);
  });

  it('check config: one finding per problem, at its line', async () => {
    const text = `global:
  scrape_interval: 1m
  foo: 1
scrape_configs:
  - job_name: a
    bar: 2
`;
    const { value, source } = loaded('prometheus.yml', text);
    const result = await runPromtool(value, source, { kind: 'config' });
    expect(result.exitCode).toBe(1);
    expect(summary(result.findings)).toEqual([
      ['promtool/check-config', 'error', 3, 'global.foo'],
      ['promtool/check-config', 'error', 6, 'scrape_configs[0].bar'],
    ]);
    expect(result.findings[0]?.message).toBe(
      'promtool: parsing YAML file prometheus.yml: field foo not found in type config.plain',
    );
  });
});
