/**
 * promtool's second opinion: `validate` runs `promtool check rules` on rule files its own
 * checks accept and folds promtool's complaints into the report. A stand-in promtool on PATH
 * makes the disagreement happen on purpose; the real one agrees with the rendered rules.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validate } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const rule = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: mlflow
  namespace: mlflow-prod
spec:
  groups:
    - name: mlflow.rules
      rules:
        - alert: MLflowServerDown
          expr: up{job="mlflow-server"} == 0
          for: 1m
          labels: { severity: critical }
          annotations: { summary: MLflow is down, description: No target answers. }
`;

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

describe('promtool folding', () => {
  it('adds what promtool rejects and our checks accepted', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'rule.yaml': rule,
      'bin/promtool':
        '#!/bin/sh\necho "Checking $3"\necho "  FAILED:"\necho "group \\"mlflow.rules\\", rule 1, \\"MLflowServerDown\\": stand-in says no"\nexit 1\n',
    });
    await chmod(join(dir, 'bin/promtool'), 0o755);
    process.env.PATH = `${join(dir, 'bin')}:${originalPath ?? ''}`;
    const report = await validate({ paths: [join(dir, 'rule.yaml')] });
    const finding = report.findings.find((item) => item.code.startsWith('promtool/'));
    expect(finding).toMatchObject({ severity: 'error', path: 'spec.groups[0].rules[0]', line: 10 });
    expect(finding?.message).toContain('stand-in says no');
    const never = await validate({ paths: [join(dir, 'rule.yaml')], promtool: 'never' });
    expect(never.summary.errors).toBe(0);
  });

  it('the real promtool agrees with the rendered rules, and always fails loudly without promtool', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'rule.yaml': rule });
    const report = await validate({ paths: [join(dir, 'rule.yaml')], promtool: 'always' });
    expect(report.summary).toMatchObject({ resources: 1, valid: 1, errors: 0 });
    process.env.PATH = '/nonexistent';
    const result = await runCli(['validate', '--promtool', 'always', 'rule.yaml'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('promtool is not on PATH');
  });
});
