/**
 * CEL rules of CRDs in the run (issue 14, point 7): `x-kubernetes-validations` are evaluated on
 * the custom resources of their kind with @bufbuild/cel, loaded only when a kind has rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validate, type Finding, type ValidationReport } from '../../src/index.js';
import { CrdSchemas } from '../../src/validate/crd-schemas.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'crd-cel');

function check(files: string[]): Promise<ValidationReport> {
  return validate({
    paths: files.map((file) => join(fixtures, file)),
    promtool: 'never',
    displayRoot: fixtures,
  });
}

const lines = (findings: readonly Finding[]): string[] =>
  findings.map(
    (finding) =>
      `${finding.file ?? ''}:${finding.line ?? '?'} ${finding.severity} ${finding.code} ${finding.path ?? ''}: ${finding.message}`,
  );

const COMPILE_INFO =
  'x-kubernetes-validations rule "self.replicas >" of Gizmo was not evaluated: it does not compile';

describe('x-kubernetes-validations of a CRD in the run', () => {
  it('passes a custom resource that keeps every rule (has, all, exists_one, isSorted, sum)', async () => {
    const report = await check(['gizmo-crd.yaml', 'gizmo-good.yaml']);
    expect(report.summary).toMatchObject({ resources: 2, valid: 2, errors: 0 });
    // Only the two rules that cannot be evaluated are reported, as info.
    expect(report.findings.map((finding) => [finding.severity, finding.code])).toEqual([
      ['info', 'crd/rule-not-evaluated'],
      ['info', 'crd/rule-not-evaluated'],
    ]);
  });

  it('reports failed rules with their message at the field line, per list item', async () => {
    const report = await check(['gizmo-crd.yaml', 'gizmo-bad.yaml']);
    const errors = report.findings.filter((finding) => finding.severity === 'error');
    expect(lines(errors)).toEqual([
      'gizmo-bad.yaml:5 error crd/validation-rule spec: replicas must not exceed maxReplicas',
      'gizmo-bad.yaml:5 error crd/validation-rule spec: exactly one primary port, never 22',
      // messageExpression, evaluated with self
      'gizmo-bad.yaml:6 error crd/validation-rule spec.name: name Widget must start with gz- and be lower case',
      // fieldPath moves the finding to the field
      'gizmo-bad.yaml:8 error crd/validation-rule spec.minReplicas: minReplicas must not exceed replicas',
      // a Kubernetes list helper registered in the library
      'gizmo-bad.yaml:10 error crd/validation-rule spec.weights: weights must be sorted and add up to at most 100',
      // has() on an optional field, with reason and fieldPath
      'gizmo-bad.yaml:11 error crd/validation-rule spec.tls: Required value: tls needs a secretName',
      // a rule on list items: only the failing item
      'gizmo-bad.yaml:14 error crd/validation-rule spec.ports[1]: ports must be unprivileged',
    ]);
    // The transition rule (self == oldSelf) is skipped on create, silently.
    expect(report.findings.some((finding) => finding.message.includes('immutable'))).toBe(false);
    expect(report.summary).toMatchObject({ invalid: 1, errors: 7 });
  });

  it('reports a rule that does not compile or uses a missing function once per run, as info', async () => {
    const report = await check(['gizmo-crd.yaml', 'gizmo-good.yaml', 'gizmo-bad.yaml']);
    const infos = report.findings.filter((finding) => finding.severity === 'info');
    expect(infos).toHaveLength(2);
    expect(infos.every((finding) => finding.code === 'crd/rule-not-evaluated')).toBe(true);
    expect(infos.filter((finding) => finding.message.startsWith(COMPILE_INFO))).toHaveLength(1);
    const quantity = infos.find((finding) => finding.message.includes('quantity(self)'));
    expect(quantity).toMatchObject({ file: 'gizmo-good.yaml', line: 10, path: 'spec.memory' });
    expect(quantity?.message).toContain('lacks a function');
  });

  it('loads the CEL library only when a kind has rules', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const schemas = new CrdSchemas(
      { validatorFor: () => undefined },
      { compileSchema: (schema) => ajv.compile(schema), objectMetaRef: () => undefined },
      true,
    );
    const read = (file: string): Record<string, unknown> =>
      parse(readFileSync(join(fixtures, file), 'utf8')) as Record<string, unknown>;
    schemas.add(read('sprocket-crd.yaml'));
    schemas.add(read('gizmo-crd.yaml'));
    await schemas.prepare('cel.example.com/v1', 'Sprocket');
    expect(schemas.celLoaded).toBe(false);
    await schemas.prepare('cel.example.com/v1', 'Gizmo');
    expect(schemas.celLoaded).toBe(true);

    const report = await check(['sprocket-crd.yaml', 'sprocket.yaml']);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ resources: 2, valid: 2 });
  });
});
