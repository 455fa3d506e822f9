/**
 * Integration: the team's rule files (`prometheus.additionalRuleFiles`) in a rendered overlay:
 * shipped in the rules ConfigMap beside ours (real `kubectl kustomize`), listed in
 * prometheus.yml's `rule_files`, accepted by the real `promtool check rules`, their promtool
 * tests shipped beside them and run by `gitops-gen validate --rule-tests` (a failing test
 * reported). A bad rule file stops `render` with the rule file's line, writing nothing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { findObject, kustomizeBuild } from '../helpers/kubectl.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { missingToolMessage, runTool } from '../helpers/tools.js';
import { validRules, validTest } from '../config/rule-file-fixtures.js';

const environment = 'prometheus:\n  additionalRuleFiles:\n    - rules/*.yaml\n';

/** A folder with environments/team.yaml and the rule files, rendered with the CLI. */
async function renderedTree(
  files: Record<string, string>,
  seen: { stderr?: string } = {},
): Promise<string> {
  const root = await tempDir('gitops-gen-user-rules-');
  await writeFiles(root, {
    'environments/team.yaml': environment,
    ...Object.fromEntries(
      Object.entries(files).map(([path, text]) => [`environments/${path}`, text]),
    ),
  });
  const result = await runCli(['render'], root);
  expect(result.code, result.stderr).toBe(0);
  seen.stderr = result.stderr;
  return root;
}

let root: string;
const firstRender: { stderr?: string } = {};
const prometheusFolder = (): string => join(root, 'overlays', 'team', 'prometheus');

beforeAll(async () => {
  const version = await runTool('promtool', ['--version'], process.cwd());
  if (version.code !== 0) throw new Error(missingToolMessage('promtool'));
  root = await renderedTree(
    { 'rules/team.yaml': validRules, 'rules/team.test.yml': validTest },
    firstRender,
  );
}, 60_000);

describe('a rendered overlay with additionalRuleFiles', () => {
  it('ships the rule file beside ours, and its test beside it', async () => {
    const shipped = await readFile(join(prometheusFolder(), 'user-rules-team.yaml'), 'utf8');
    expect(shipped).toContain(validRules);
    expect(shipped.split('\n')[0]).toMatch(/^# Copied by gitops-gen from rules\/team\.yaml/);
    const test = await readFile(join(prometheusFolder(), 'user-rules-team.test.yml'), 'utf8');
    expect(test).toContain('rule_files: [ user-rules-team.yaml ]');
  });

  it('lists it in prometheus.yml rule_files, after ours', async () => {
    const config = parse(await readFile(join(prometheusFolder(), 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
    };
    expect(config.rule_files).toEqual([
      '/etc/prometheus/alert-rules.yml',
      '/etc/prometheus/user-rules-team.yaml',
    ]);
  });

  it('puts it in the rules ConfigMap (kubectl kustomize), the test outside', async () => {
    const objects = await kustomizeBuild(join(root, 'overlays', 'team'));
    const configMap = findObject(objects, 'ConfigMap', 'prometheus-config');
    const data = configMap.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual([
      'alert-rules.yml',
      'prometheus.yml',
      'user-rules-team.yaml',
    ]);
    expect(data['user-rules-team.yaml']).toContain('TeamHighErrorRate');
  }, 60_000);

  it('passes the real promtool check rules, ours and theirs together', async () => {
    const result = await runTool(
      'promtool',
      ['check', 'rules', 'alert-rules.yml', 'user-rules-team.yaml'],
      prometheusFolder(),
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/user-rules-team\.yaml\n\s*SUCCESS: 2 rules found/);
  });

  it('runs the team test with validate --rule-tests: clean', async () => {
    const result = await runCli(['validate', '--rule-tests', '-o', 'json'], root);
    const report = JSON.parse(result.stdout) as { findings: { code: string; severity: string }[] };
    expect(report.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(result.code).toBe(0);
  }, 120_000);

  it('reports a failing team test at its shipped file, exit 1', async () => {
    const failing = await renderedTree({
      'rules/team.yaml': validRules,
      'rules/team.test.yml': validTest.replace('eval_time: 20m', 'eval_time: 5m'),
    });
    const result = await runCli(['validate', '--rule-tests', '-o', 'json'], failing);
    const report = JSON.parse(result.stdout) as {
      findings: { code: string; file: string; message: string }[];
    };
    const failures = report.findings.filter((finding) => finding.code === 'promtool/rule-test');
    expect(failures).toEqual([
      expect.objectContaining({
        file: 'overlays/team/prometheus/user-rules-team.test.yml',
        message: expect.stringContaining('TeamHighErrorRate') as string,
      }),
    ]);
    expect(result.code).toBe(1);
  }, 120_000);
});

describe('render-time catalogue cross-check of team rules', () => {
  it('is silent on rules over scraped jobs and exported metrics', () => {
    expect(firstRender.stderr).not.toMatch(/catalogue\//);
  });

  it('warns at the rule file line about a job nobody scrapes, and still renders', async () => {
    const seen: { stderr?: string } = {};
    await renderedTree(
      { 'rules/team.yaml': validRules.replaceAll('job="mlflow-server"', 'job="mlflow"') },
      seen,
    );
    expect(seen.stderr).toMatch(
      /rules\/team\.yaml:5:\d+: record job:http_requests:rate5m selects job="mlflow", which no scrape config defines/,
    );
    expect(seen.stderr).toMatch(
      /rules\/team\.yaml:7:\d+: alert TeamHighErrorRate selects job="mlflow"/,
    );
  });
});

describe('render with a bad team rule file', () => {
  it('stops with the rule file line, exit 2, and writes nothing', async () => {
    const folder = await tempDir('gitops-gen-user-rules-');
    await writeFiles(folder, {
      'environments/team.yaml': environment,
      'environments/rules/team.yaml': validRules.replace('sum(rate(', 'sum(rate(('),
    });
    const result = await runCli(['render'], folder);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/rules\/team\.yaml:7:\d+/);
    expect(existsSync(join(folder, 'overlays'))).toBe(false);
    expect(existsSync(join(folder, 'base'))).toBe(false);
  });
});
