/** Every report format on one synthetic report: human, json (kubeconform fields), junit, sarif, github. */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { buildReport, type Finding, type ResourceResult } from '../../src/validate/findings.js';
import { formatReport } from '../../src/validate/formats/index.js';
import { tempDir } from '../helpers/temp.js';

const execFileAsync = promisify(execFile);

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: 'grafana',
  namespace: 'mlflow-prod',
};
const service = { apiVersion: 'v1', kind: 'Service', name: 'grafana', namespace: 'mlflow-prod' };
const resources: ResourceResult[] = [
  { resource: deployment, file: 'overlays/prod/grafana.yaml', document: 0, status: 'valid' },
  { resource: service, file: 'overlays/prod/grafana.yaml', document: 1, status: 'valid' },
  {
    resource: { apiVersion: 'v1', kind: 'Secret', name: 's' },
    file: 'secret.yaml',
    document: 0,
    status: 'skipped',
  },
];
const findings: Finding[] = [
  {
    code: 'schema/unknown-field',
    severity: 'error',
    message: 'unknown field "resorces"',
    file: 'overlays/prod/grafana.yaml',
    document: 0,
    line: 21,
    column: 11,
    path: 'spec.template.spec.containers[0].resorces',
    resource: deployment,
    hint: 'did you mean `resources`?',
  },
  {
    code: 'policy/probes-set',
    severity: 'warning',
    message: 'container "grafana" has no livenessProbe',
    file: 'overlays/prod/grafana.yaml',
    document: 0,
    line: 18,
    column: 9,
    path: 'spec.template.spec.containers[0]',
    resource: deployment,
  },
  {
    code: 'yaml/syntax',
    severity: 'error',
    message: 'bad <indentation> & "quotes", 100%: here',
    file: 'broken.yaml',
    document: 0,
    line: 3,
    column: 1,
  },
];
const report = buildReport(resources, findings);
const options = { color: false, toolVersion: '0.1.0' };

describe('report summary', () => {
  it('counts resources, verdicts and findings', () => {
    expect(report.summary).toEqual({
      resources: 3,
      valid: 1,
      invalid: 1,
      skipped: 1,
      errors: 2,
      warnings: 1,
    });
  });
});

describe('human', () => {
  it('groups by file, shows position, path, code and hint, and ends with the summary line', () => {
    const text = formatReport(report, 'human', options);
    expect(text).toContain('overlays/prod/grafana.yaml\n');
    expect(text).toMatch(
      / {2}21:11 +error +spec\.template\.spec\.containers\[0\]\.resorces: unknown field "resorces" {2}schema\/unknown-field/,
    );
    expect(text).toContain('hint: did you mean `resources`?');
    expect(text).toContain('Deployment/mlflow-prod/grafana');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      '3 resources, 1 valid, 1 invalid, 2 errors, 1 warning, 1 skipped',
    );
    expect(text).not.toContain('\u001b[');
  });

  it('colours severities only when asked', () => {
    const text = formatReport(report, 'human', { ...options, color: true });
    expect(text).toContain('\u001b[31merror\u001b[0m');
    expect(text).toContain('\u001b[33mwarning\u001b[0m');
  });
});

describe('json', () => {
  it('uses kubeconform field names and keeps the full findings', () => {
    const data = JSON.parse(formatReport(report, 'json', options)) as {
      resources: {
        filename: string;
        kind: string;
        name: string;
        version: string;
        status: string;
        validationErrors: { path: string; msg: string }[];
      }[];
      summary: Record<string, number>;
      findings: Finding[];
    };
    expect(data.resources[0]).toMatchObject({
      filename: 'overlays/prod/grafana.yaml',
      kind: 'Deployment',
      name: 'grafana',
      version: 'apps/v1',
      status: 'statusInvalid',
      validationErrors: [
        { path: 'spec.template.spec.containers[0].resorces', msg: 'unknown field "resorces"' },
      ],
    });
    expect(data.resources.map((resource) => resource.status)).toEqual([
      'statusInvalid',
      'statusValid',
      'statusSkipped',
    ]);
    expect(data.summary).toMatchObject({ valid: 1, invalid: 1, errors: 2, skipped: 1 });
    expect(data.findings).toHaveLength(3);
  });
});

describe('github', () => {
  it('writes one workflow command per finding with escaped properties and data', () => {
    const lines = formatReport(report, 'github', options).trimEnd().split('\n');
    expect(lines[0]).toBe(
      '::error file=broken.yaml,line=3,col=1,title=yaml/syntax::bad <indentation> & "quotes", 100%25: here',
    );
    expect(lines).toContain(
      '::error file=overlays/prod/grafana.yaml,line=21,col=11,title=schema/unknown-field::spec.template.spec.containers[0].resorces: unknown field "resorces"%0Ahint: did you mean `resources`?',
    );
    expect(
      lines.some((line) => line.startsWith('::warning file=overlays/prod/grafana.yaml,line=18')),
    ).toBe(true);
  });
});

describe('sarif', () => {
  const log = JSON.parse(formatReport(report, 'sarif', options)) as Log;

  it('is SARIF 2.1.0 with one rule per code and one located result per finding', () => {
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run?.tool.driver.name).toBe('gitops-gen');
    expect(run?.tool.driver.rules?.map((rule) => rule.id)).toEqual([
      'policy/probes-set',
      'schema/unknown-field',
      'yaml/syntax',
    ]);
    expect(run?.results).toHaveLength(3);
    for (const result of run?.results ?? []) {
      // What GitHub code scanning requires of every result.
      expect(result.ruleId).toBe(run?.tool.driver.rules?.[result.ruleIndex ?? -1]?.id);
      expect(result.message.text).toBeTruthy();
      expect(['error', 'warning', 'note']).toContain(result.level);
      const location = result.locations?.[0]?.physicalLocation;
      expect(location?.artifactLocation?.uri).toMatch(/\.yaml$/);
      expect(location?.region?.startLine).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('junit', () => {
  it('writes one suite per file, a failure per error and a skipped case', async () => {
    const xml = formatReport(report, 'junit', options);
    expect(xml).toContain(
      '<testsuites name="gitops-gen validate" tests="4" failures="2" errors="0" skipped="1">',
    );
    expect(xml).toContain(
      '<testcase classname="overlays/prod/grafana.yaml" name="Deployment/mlflow-prod/grafana">',
    );
    expect(xml).toContain(
      '<failure message="unknown field &quot;resorces&quot;" type="schema/unknown-field">',
    );
    expect(xml).toContain('<skipped/>');
    expect(xml).toContain('bad &lt;indentation&gt; &amp; &quot;quotes&quot;');
    // Checked against the JUnit XML schema with the real xmllint.
    const dir = await tempDir();
    await writeFile(join(dir, 'report.xml'), xml);
    const schema = join(import.meta.dirname, '..', 'fixtures', 'schemas', 'junit.xsd');
    const { stderr } = await execFileAsync('xmllint', [
      '--noout',
      '--schema',
      schema,
      join(dir, 'report.xml'),
    ]);
    expect(stderr).toContain('validates');
  });
});
