/**
 * List-maps and sets (issue 14, point 8): duplicate keys in a list the schema marks
 * `x-kubernetes-list-type: map` or `set`. For a custom resource the API server refuses them
 * (apiextensions-apiserver schema/listtype); for a built-in kind server-side apply does (the
 * table generated from client-go's structured-merge-diff schema), while the lists the API
 * server's validation checks itself keep their own, single finding.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate, type Finding } from '../../src/index.js';
import { builtInListShape } from '../../src/validate/list-semantics.js';
import { kubernetesListTypes } from '../../src/validate/list-types-kubernetes.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'list-semantics');

async function findingsOf(...files: string[]): Promise<string[]> {
  const report = await validate({
    paths: files.map((file) => join(fixtures, file)),
    promtool: 'never',
    displayRoot: fixtures,
    disabledChecks: ['policy/probes-set', 'policy/resources-set', 'policy/security-context'],
  });
  return report.findings.map(
    (finding: Finding) =>
      `${finding.file ?? ''}:${finding.line ?? '?'} ${finding.severity} ${finding.code} ${finding.path ?? ''}`,
  );
}

describe('the built-in list semantics table', () => {
  const types = kubernetesListTypes.types;

  it('holds the markers of the Kubernetes API types', () => {
    // +listType=map +listMapKey=containerPort +listMapKey=protocol, protocol defaulting to TCP
    expect(types['core.v1.Container']?.ports).toMatchObject({
      list: 'map',
      keys: ['containerPort', 'protocol'],
      defaults: { protocol: 'TCP' },
    });
    expect(types['core.v1.Container']?.env).toMatchObject({ list: 'map', keys: ['name'] });
    expect(types['core.v1.ServiceSpec']?.ports).toMatchObject({
      list: 'map',
      keys: ['port', 'protocol'],
    });
    expect(types['meta.v1.ObjectMeta']?.finalizers).toMatchObject({ list: 'set' });
    // atomic lists are not in the table
    expect(types['core.v1.PodSpec']?.tolerations).toBeUndefined();
    expect(kubernetesListTypes.kinds['apps/v1/Deployment']).toBe('apps.v1.Deployment');
    expect(kubernetesListTypes.kinds['v1/Service']).toBe('core.v1.Service');
  });

  it('knows the kinds the schema bundle knows, under their apiVersion', () => {
    expect(builtInListShape('apps/v1', 'StatefulSet')).toBeDefined();
    expect(builtInListShape('batch/v1', 'CronJob')).toBeDefined();
    expect(builtInListShape('rbac.authorization.k8s.io/v1', 'ClusterRole')).toBeDefined();
    expect(builtInListShape('example.com/v1', 'Gadget')).toBeUndefined();
  });
});

describe('duplicate keys', () => {
  it('of a custom resource are errors, with the key default applied', async () => {
    expect(await findingsOf('gadget-crd.yaml', 'gadget-duplicates.yaml')).toEqual([
      'gadget-duplicates.yaml:9 error api/duplicate-list-key spec.ports[1]',
      'gadget-duplicates.yaml:10 error api/duplicate-list-key spec.zones[2]',
      'gadget-duplicates.yaml:11 error api/duplicate-list-key spec.groups.east[1]',
    ]);
  });

  it('are silent on what the API server accepts: other keys, atomic lists', async () => {
    expect(await findingsOf('gadget-crd.yaml', 'gadget-valid.yaml')).toEqual([]);
    expect(await findingsOf('built-in-valid.yaml')).toEqual([]);
  });

  it('of a built-in kind are warnings naming server-side apply; checked lists keep their rule', async () => {
    const report = await validate({
      paths: [join(fixtures, 'built-in-duplicates.yaml')],
      promtool: 'never',
      displayRoot: fixtures,
      disabledChecks: ['policy/probes-set', 'policy/resources-set', 'policy/security-context'],
    });
    expect(
      report.findings.map(
        (finding) =>
          `${finding.line ?? '?'} ${finding.severity} ${finding.code} ${finding.path ?? ''}`,
      ),
    ).toEqual([
      '9 warning apply/duplicate-list-key metadata.finalizers[1]',
      '17 warning apply/duplicate-list-key spec.template.spec.imagePullSecrets[1]',
      // the API server's own warning, reported once (not again as a list-map key)
      '23 warning api/duplicate-env spec.template.spec.containers[0].env[1].name',
      '27 warning apply/duplicate-list-key spec.template.spec.topologySpreadConstraints[2]',
    ]);
    const spread = report.findings.find((finding) => finding.line === 27);
    expect(spread?.message).toContain(
      'duplicate key topologyKey="zone",whenUnsatisfiable="DoNotSchedule" (also at spec.template.spec.topologySpreadConstraints[0])',
    );
    expect(spread?.message).toContain('server-side apply');
    expect(report.summary.errors).toBe(0);
  });

  it('of a CRD that is not structural are not checked (the API server does not either)', async () => {
    const found = await findingsOf('loose.yaml');
    expect(found.filter((line) => line.includes('duplicate'))).toEqual([]);
  });
});
