/**
 * `prometheus.additionalRuleFiles` (issue 15, point 2) as resolved: the team's rule files read
 * from the environments folder and checked as Prometheus checks them when loading (rulefmt,
 * PromQL, templates, durations, group names), every error at the rule file's own line; their
 * promtool tests found beside them. Rendering, promtool and validate are in
 * test/render/user-rules.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/errors.js';
import { resolveEnvironmentSources } from '../../src/config/index.js';
import { memoryFileReader } from '../../src/config/user-files.js';
import { scaffoldEnvironments } from '../../src/config/scaffold.js';
import type { EnvironmentConfig } from '../../src/config/environment.js';
import { validRules, validTest } from './rule-file-fixtures.js';

const environmentText = 'prometheus:\n  additionalRuleFiles:\n    - rules/*.yaml\n';

function resolveWith(files: Record<string, string>, text = environmentText): EnvironmentConfig {
  const [environment] = resolveEnvironmentSources(
    [{ file: 'environments/team.yaml', name: 'team', text }],
    memoryFileReader(files),
  );
  if (!environment) throw new Error('no environment');
  return environment;
}

function problemsWith(files: Record<string, string>, text = environmentText): Problem[] {
  try {
    resolveWith(files, text);
  } catch (error) {
    const { problems } = error as { problems?: Problem[] };
    if (problems) return problems;
    throw error;
  }
  throw new Error('resolved without a problem');
}

/** A rule file whose `group` line is replaced: the rest stays valid. */
function rulesWith(lines: string[]): string {
  return ['groups:', '  - name: team.rules', '    rules:', ...lines, ''].join('\n');
}

describe('prometheus.additionalRuleFiles', () => {
  it('accepts alerting and recording rules, and finds the test beside the file', () => {
    const environment = resolveWith({
      'rules/team.yaml': validRules,
      'rules/team.test.yml': validTest,
    });
    const [file] = environment.prometheus.additionalRuleFiles;
    expect(environment.prometheus.additionalRuleFiles).toHaveLength(1);
    expect(file).toMatchObject({ path: 'rules/team.yaml', key: 'user-rules-team.yaml' });
    expect(file?.text).toBe(validRules);
    // The test names its rule file as shipped in the overlay.
    expect(file?.test?.key).toBe('user-rules-team.test.yml');
    expect(file?.test?.text).toContain('rule_files: [ user-rules-team.yaml ]');
  });

  it('is empty by default', () => {
    expect(resolveWith({}, 'tier: dev\n').prometheus.additionalRuleFiles).toEqual([]);
  });

  it('reads a `.test.yaml` test too, and never ships a test file as a rule file', () => {
    const environment = resolveWith({
      'rules/team.yaml': validRules,
      'rules/team.test.yaml': validTest,
      'rules/other.yml': validRules.replace('team.rules', 'other.rules'),
    });
    expect(environment.prometheus.additionalRuleFiles.map((file) => file.key)).toEqual([
      'user-rules-team.yaml',
    ]);
    expect(environment.prometheus.additionalRuleFiles[0]?.test?.key).toBe(
      'user-rules-team.test.yaml',
    );
  });

  it('is silent on what Prometheus accepts but lints: an alert without severity', () => {
    const environment = resolveWith({
      'rules/team.yaml': rulesWith(['      - alert: Bare', '        expr: up == 0']),
    });
    expect(environment.prometheus.additionalRuleFiles).toHaveLength(1);
  });

  it.each([
    [
      'bad YAML',
      rulesWith(['      - alert: A', '        expr: up == 0', '       bad: indentation']),
      'prometheus-rules/syntax',
      6,
    ],
    [
      'an unknown key (rulefmt refuses it)',
      rulesWith([
        '      - alert: A',
        '        expr: up == 0',
        '        labelz: { severity: info }',
      ]),
      'prometheus-rules/unknown-field',
      6,
    ],
    [
      'invalid PromQL',
      rulesWith(['      - alert: A', '        expr: sum(rate(up[5m])']),
      'promql/syntax',
      5,
    ],
    [
      'a bad Go template in an annotation',
      rulesWith([
        '      - alert: A',
        '        expr: up == 0',
        '        annotations:',
        '          summary: "{{ $labels.job "',
      ]),
      'prometheus-rules/template',
      7,
    ],
    [
      'a bad `for` duration',
      rulesWith(['      - alert: A', '        expr: up == 0', '        for: 5 minutes']),
      'prometheus-rules/invalid-duration',
      6,
    ],
    [
      'a bad label name',
      rulesWith(['      - alert: A', '        expr: up == 0', '        labels: { 1team: x }']),
      'prometheus-rules/invalid-label-name',
      6,
    ],
    [
      'a duplicate group name',
      `${validRules}  - name: team.rules\n    rules: []\n`,
      'prometheus-rules/duplicate-group',
      14,
    ],
  ])('reports %s at the rule file line', (_what, text, code, line) => {
    const problems = problemsWith({ 'rules/team.yaml': text });
    expect(problems).toEqual([
      expect.objectContaining({ file: 'environments/rules/team.yaml', line }),
    ]);
    expect(problems[0]?.code.startsWith(code.split('/')[0] ?? code), problems[0]?.code).toBe(true);
    expect(problems[0]?.hint).toBeTruthy();
  });

  it('reports a glob that matches nothing at the environment file line', () => {
    expect(problemsWith({ 'rules/team.yml': validRules })).toEqual([
      expect.objectContaining({
        code: 'config/file-not-found',
        file: 'environments/team.yaml',
        line: 3,
        keyPath: 'prometheus.additionalRuleFiles.0',
      }),
    ]);
  });

  it('reports a glob that matches only test files', () => {
    expect(problemsWith({ 'rules/team.test.yaml': validTest })).toEqual([
      expect.objectContaining({ code: 'config/file-not-found', line: 3 }),
    ]);
  });

  it('reports a test whose rule_files names a file that is not shipped, at its line', () => {
    const problems = problemsWith({
      'rules/team.yaml': validRules,
      'rules/team.test.yml': validTest.replace('[team.yaml]', '[team.yaml, other.yaml]'),
    });
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'prometheus-rule-test/rule-file-not-shipped',
        file: 'environments/rules/team.test.yml',
        line: 1,
        column: 25,
      }),
    ]);
  });

  it('reports a test that is not YAML at its line', () => {
    const problems = problemsWith({
      'rules/team.yaml': validRules,
      'rules/team.test.yml': 'rule_files: [team.yaml\ntests: []\n',
    });
    expect(problems[0]).toMatchObject({
      code: 'prometheus-rule-test/syntax',
      file: 'environments/rules/team.test.yml',
    });
    expect(problems[0]?.line).toBeGreaterThan(0);
  });

  it('reports two files that would get one ConfigMap key', () => {
    const problems = problemsWith(
      { 'rules/a-b.yaml': validRules, 'rules-a/b.yaml': validRules },
      'prometheus:\n  additionalRuleFiles: [rules/a-b.yaml, rules-a/b.yaml]\n',
    );
    expect(problems).toEqual([
      expect.objectContaining({ code: 'config/rule-file-name-clash', line: 2 }),
    ]);
  });

  it('refuses paths outside the environments folder', () => {
    expect(problemsWith({}, 'prometheus:\n  additionalRuleFiles: [../rules/team.yaml]\n')).toEqual([
      expect.objectContaining({ code: 'config/file-outside-folder', line: 2 }),
    ]);
  });
});

describe('the init scaffold', () => {
  it('resolves with additionalRuleFiles, metaMonitoring and runbookBaseUrl uncommented', () => {
    const text = (scaffoldEnvironments(['prod']).get('prod.yaml') ?? '').replace(
      /^ {2}# (additionalRuleFiles|metaMonitoring|runbookBaseUrl):/gm,
      '  $1:',
    );
    expect(text).toMatch(/^ {2}additionalRuleFiles: \[rules\/\*\.yaml\]/m);
    const [environment] = resolveEnvironmentSources(
      [{ file: 'environments/prod.yaml', name: 'prod', text }],
      memoryFileReader({ 'rules/team.yaml': validRules }),
    );
    expect(environment?.prometheus.additionalRuleFiles.map((file) => file.path)).toEqual([
      'rules/team.yaml',
    ]);
    expect(environment?.alerts).toMatchObject({
      metaMonitoring: true,
      runbookBaseUrl: 'https://runbooks.example.com/mlflow',
    });
  });
});
