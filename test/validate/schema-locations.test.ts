/** --schema-location: kubeconform's template fields and layouts, local folders only. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/index.js';
import { expandLocation, templateFields } from '../../src/validate/schema-locations.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const widget = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  size: "three"
`;

const widgetSchema = JSON.stringify({
  $schema: 'http://json-schema.org/schema#',
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: { size: { type: 'integer' } },
      additionalProperties: false,
    },
  },
});

describe('kubeconform template fields', () => {
  it('match kubeconform for a grouped kind and a core kind', () => {
    expect(templateFields('apps/v1', 'Deployment', '1.36.0', true)).toEqual({
      NormalizedKubernetesVersion: 'v1.36.0',
      StrictSuffix: '-strict',
      ResourceKind: 'deployment',
      ResourceAPIVersion: 'v1',
      Group: 'apps',
      KindSuffix: '-apps-v1',
    });
    expect(templateFields('v1', 'Service', 'master', false)).toMatchObject({
      NormalizedKubernetesVersion: 'master',
      StrictSuffix: '',
      ResourceAPIVersion: 'v1',
      Group: '',
      KindSuffix: '-v1',
    });
    expect(templateFields('argoproj.io/v1alpha1', 'Application', '1.36.0', true).KindSuffix).toBe(
      '-argoproj-v1alpha1',
    );
  });

  it('gives a bare folder the kubernetes-json-schema layout', () => {
    const fields = templateFields('apps/v1', 'Deployment', '1.36.0', true);
    expect(expandLocation('/mirror', fields)).toBe(
      '/mirror/v1.36.0-standalone-strict/deployment-apps-v1.json',
    );
    expect(
      expandLocation('/crds/{{ .Group }}/{{.ResourceKind}}_{{ .ResourceAPIVersion }}.json', fields),
    ).toBe('/crds/apps/deployment_v1.json');
  });
});

describe('validate --schema-location', () => {
  it('reads a CRD schema from a catalog folder and validates against it', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'widget.yaml': widget,
      'catalog/example.com/widget_v1.json': widgetSchema,
    });
    const withoutSchema = await validate({ paths: [join(dir, 'widget.yaml')] });
    expect(withoutSchema.findings.map((finding) => finding.code)).toContain('schema/missing');

    const report = await validate({
      paths: [join(dir, 'widget.yaml')],
      schemaLocations: [
        'default',
        join(dir, 'catalog/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
      ],
    });
    const codes = report.findings
      .filter((finding) => finding.severity === 'error')
      .map((finding) => finding.code);
    expect(codes).toEqual(['schema/wrong-type']);
    expect(report.findings.find((finding) => finding.code === 'schema/wrong-type')).toMatchObject({
      path: 'spec.size',
      line: 6,
    });
  });

  it('uses a kubernetes-json-schema mirror folder for another Kubernetes version', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'widget.yaml': widget.replace('"three"', '3'),
      'mirror/v1.30.0-standalone-strict/widget-example-v1.json': widgetSchema,
    });
    const report = await validate({
      paths: [join(dir, 'widget.yaml')],
      kubernetesVersion: '1.30.0',
      schemaLocations: [join(dir, 'mirror')],
    });
    expect(report.summary).toMatchObject({ resources: 1, valid: 1, errors: 0 });
  });

  it('refuses network locations and unknown built-in versions (exit 2)', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'widget.yaml': widget });
    const network = await runCli(
      [
        'validate',
        'widget.yaml',
        '--schema-location',
        'https://raw.githubusercontent.com/x/{{ .ResourceKind }}.json',
      ],
      dir,
    );
    expect(network.code).toBe(2);
    expect(network.stderr).toContain('works offline');
    const version = await runCli(['validate', 'widget.yaml', '--kubernetes-version', '1.29'], dir);
    expect(version.code).toBe(2);
    expect(version.stderr).toContain('Kubernetes 1.29 has no built-in schemas');
  });
});
