/**
 * CRDs in the tree are schemas (issue 14, point 6): a CustomResourceDefinition among the inputs
 * or in a --crd-dir folder validates the objects of its kinds as the API server would
 * (structural strictness, int-or-string, embedded resources, nullable, ObjectMeta), wins over
 * the built-in CRD schema of the same kind, and is itself checked as apiextensions does.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate, type Finding, type ValidationReport } from '../../src/index.js';
import { convertCrdSchema } from '../../src/validate/crd-schemas.js';
import { structuralIssues } from '../../src/validate/crd-structural.js';
import { runCli } from '../helpers/cli.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'crd-in-tree');

function check(files: string[], crdDirs: string[] = []): Promise<ValidationReport> {
  return validate({
    paths: files.map((file) => join(fixtures, file)),
    crdDirs: crdDirs.map((folder) => join(fixtures, folder)),
    promtool: 'never',
    displayRoot: fixtures,
  });
}

const lines = (findings: readonly Finding[]): string[] =>
  findings.map(
    (finding) =>
      `${finding.file ?? ''}:${finding.line ?? '?'} ${finding.code} ${finding.path ?? ''}`,
  );

describe('a CRD among the inputs', () => {
  it('validates its custom resources: a correct one is clean', async () => {
    const report = await check(['widget-crd.yaml', 'widget-valid.yaml']);
    expect(report.findings).toEqual([]);
    // preserve-unknown-fields (spec.config), int-or-string (3 and "50%"), an embedded
    // ConfigMap, a null for a nullable field, a date-time, a map of strings; a required field
    // with a default left out (the API server defaults before it validates).
    expect(report.summary).toMatchObject({ resources: 3, valid: 3, errors: 0 });
  });

  it('reports an unknown field at its line, with the closest known one', async () => {
    const report = await check(['widget-unknown-field.yaml', 'widget-crd.yaml']);
    expect(lines(report.findings)).toEqual([
      'widget-unknown-field.yaml:7 schema/unknown-field spec.replicaz',
    ]);
    expect(report.findings[0]?.hint).toBe('did you mean `replicas`?');
  });

  it('serves objects read before the CRD itself', async () => {
    const report = await check(['widget-before-crd.yaml', 'widget-crd.yaml']);
    expect(lines(report.findings)).toEqual([
      'widget-before-crd.yaml:7 schema/unknown-field spec.colour',
    ]);
  });

  it('checks types, enums, ranges, int-or-string, embedded resources and metadata', async () => {
    const report = await check(['widget-crd.yaml', 'widget-wrong.yaml']);
    expect(lines(report.findings)).toEqual([
      'widget-wrong.yaml:5 schema/unknown-field metadata.labelz',
      'widget-wrong.yaml:8 schema/wrong-type spec.size',
      'widget-wrong.yaml:9 schema/invalid-enum spec.mode',
      'widget-wrong.yaml:10 schema/wrong-type spec.replicas',
      'widget-wrong.yaml:11 schema/missing-field spec.template',
      'widget-wrong.yaml:11 schema/missing-field spec.template',
      'widget-wrong.yaml:15 schema/maximum spec.ports[0].port',
    ]);
    const messages = report.findings.map((finding) => finding.message);
    expect(messages).toContain('must be an integer or a string, got boolean true');
    expect(messages).toContain('the string "medium" is not one of fast, slow');
    expect(messages).toContain('missing required field "kind"');
  });

  it('keeps the x-kubernetes-validations rules for the CEL check, unevaluated', () => {
    const { rules } = convertCrdSchema(
      {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            'x-kubernetes-validations': [{ rule: 'self.a < 3', message: 'small' }],
          },
        },
      },
      { strict: true, structural: true, metaRef: undefined },
    );
    expect(rules).toEqual([{ path: ['spec'], rule: 'self.a < 3', message: 'small' }]);
  });

  it('relaxes unknown fields with --strict=false', async () => {
    const report = await validate({
      paths: ['widget-unknown-field.yaml', 'widget-crd.yaml'].map((file) => join(fixtures, file)),
      strict: false,
      promtool: 'never',
    });
    expect(report.findings).toEqual([]);
  });

  it('restricts metadata.name where the CRD says so', async () => {
    const report = await validate({
      paths: [join(fixtures, 'widget-crd.yaml'), '-'],
      readStdin: () =>
        Promise.resolve(
          'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: a-name-longer-than-twenty\nspec:\n  size: 1\n',
        ),
      promtool: 'never',
    });
    expect(lines(report.findings)).toEqual(['<stdin>:4 schema/maxLength metadata.name']);
  });
});

describe('the CRD itself', () => {
  it('reports `type: strign` at that line', async () => {
    const report = await check(['bad/strign-crd.yaml']);
    expect(lines(report.findings)).toEqual([
      'bad/strign-crd.yaml:23 crd/invalid-type spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.colour.type',
    ]);
    expect(report.findings[0]?.hint).toBe('did you mean `string`?');
  });

  it('reports a non-structural schema, and then does not reject unknown fields', async () => {
    const report = await check(['bad/non-structural-crd.yaml']);
    const root = 'spec.versions[0].schema.openAPIV3Schema.properties';
    expect(lines(report.findings)).toEqual([
      `bad/non-structural-crd.yaml:19 crd/non-structural ${root}.spec`,
      `bad/non-structural-crd.yaml:21 crd/non-structural ${root}.spec.properties.items`,
      `bad/non-structural-crd.yaml:28 crd/non-structural ${root}.spec.properties.settings.additionalProperties`,
      `bad/non-structural-crd.yaml:33 crd/non-structural ${root}.metadata.properties.labels`,
    ]);
    expect(report.findings[0]?.message).toBe('type must not be empty for specified object fields');
    // The Doohickey beside it: checked (not missing), its unknown field not an error.
    expect(report.summary).toMatchObject({ resources: 2, valid: 1, invalid: 1 });
  });

  it('accepts the structural exceptions: int-or-string, preserve-unknown-fields, embedded', () => {
    expect(
      structuralIssues({
        type: 'object',
        properties: {
          port: {
            'x-kubernetes-int-or-string': true,
            anyOf: [{ type: 'integer' }, { type: 'string' }],
          },
          free: { 'x-kubernetes-preserve-unknown-fields': true },
          object: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            'x-kubernetes-preserve-unknown-fields': true,
          },
          metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 9 } } },
        },
      }),
    ).toEqual([]);
    expect(
      structuralIssues({
        type: 'object',
        additionalProperties: { type: 'string' },
        properties: { a: { type: 'string', anyOf: [{ type: 'string' }] } },
      }).map((issue) => issue.message),
    ).toEqual([
      'additionalProperties and properties are mutual exclusive',
      'type must be empty inside allOf, anyOf, oneOf or not to be structural',
    ]);
    // complete.go: a field named only inside a junctor of the root.
    expect(
      structuralIssues({
        type: 'object',
        properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
        oneOf: [{ properties: { spec: { required: ['a'], properties: { b: {} } } } }],
      }).map((issue) => issue.message),
    ).toEqual([
      'properties[spec].properties[b] must be specified outside allOf, anyOf, oneOf and not, because it is defined here',
    ]);
  });
});

describe('where CRDs come from and which one wins', () => {
  it('reads the CRDs of --crd-dir', async () => {
    const report = await check(['gadget.yaml'], ['crd-dir']);
    expect(lines(report.findings)).toEqual(['gadget.yaml:6 schema/wrong-type spec.enabled']);
    const without = await check(['gadget.yaml']);
    expect(lines(without.findings)).toEqual(['gadget.yaml:2 schema/missing kind']);
  });

  it('takes a CRD of the run over the built-in schema of the same kind', async () => {
    const builtIn = await check(['servicemonitor.yaml']);
    expect(lines(builtIn.findings)).toContain(
      'servicemonitor.yaml:6 schema/unknown-field spec.customField',
    );
    const inRun = await check(['servicemonitor.yaml', 'servicemonitor-crd.yaml']);
    expect(inRun.findings).toEqual([]);
  });

  it('still reports a custom resource without a CRD as missing its schema', async () => {
    const report = await check(['no-crd.yaml', 'widget-crd.yaml']);
    expect(lines(report.findings)).toEqual(['no-crd.yaml:2 schema/missing kind']);
  });

  it('takes --crd-dir on the command line', async () => {
    const result = await runCli(
      ['validate', 'gadget.yaml', '--crd-dir', 'crd-dir', '--promtool', 'never'],
      fixtures,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('spec.enabled: must be true or false');
    const missing = await runCli(['validate', 'gadget.yaml', '--crd-dir', 'nowhere'], fixtures);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--crd-dir');
  });
});
