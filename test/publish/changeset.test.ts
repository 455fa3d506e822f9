import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { inScope, planChangeSet, readOwnershipManifest } from '../../src/publish/changeset.js';
import { commitMessage, diffReport } from '../../src/publish/describe.js';
import { pullRequestBody, pullRequestTitle } from '../../src/publish/pull-request-body.js';
import {
  ownershipManifestPath,
  type FileMap,
  type ResourceChange,
} from '../../src/publish/types.js';
import {
  allScope,
  builtInTree,
  describeChange,
  published,
  treeWithProd,
} from './publish-fixtures.js';

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

function manifestOf(files: FileMap): Record<string, string> {
  return (JSON.parse(files.get(ownershipManifestPath) ?? '{}') as { files: Record<string, string> })
    .files;
}

describe('planChangeSet: ownership', () => {
  it('first publish: every rendered file added and owned, foreign files untouched', () => {
    const rendered = builtInTree();
    const current = new Map([
      ['README.md', '# our GitOps repo\n'],
      ['clusters/eu-1/flux-system/gotk-sync.yaml', 'kind: Kustomization\n'],
    ]);
    const changeSet = planChangeSet({ current, rendered, scope: allScope });
    expect(changeSet.drift).toEqual([]);
    expect(changeSet.conflicts).toEqual([]);
    expect(changeSet.files.map((file) => file.path)).toEqual(
      [...rendered.keys(), ownershipManifestPath].sort(),
    );
    expect(changeSet.files.every((file) => file.kind === 'added')).toBe(true);
    for (const [path, content] of rendered) expect(changeSet.next.get(path)).toBe(content);
    expect(changeSet.next.get('README.md')).toBe('# our GitOps repo\n');
    expect(changeSet.next.get('clusters/eu-1/flux-system/gotk-sync.yaml')).toBe(
      'kind: Kustomization\n',
    );
    expect(Object.keys(changeSet.manifest.files)).toEqual([...rendered.keys()].sort());
    expect(changeSet.manifest.files['README.md']).toBeUndefined();
    // Resources: every object of the render is added; kustomizations and prometheus.yml are not objects.
    expect(changeSet.resources.every((resource) => resource.change === 'added')).toBe(true);
    expect(changeSet.resources.some((resource) => resource.kind === 'Kustomization')).toBe(false);
    expect(
      changeSet.resources.find(
        (resource) => resource.kind === 'StatefulSet' && resource.file === 'base/prometheus.yaml',
      ),
    ).toMatchObject({ name: 'prometheus', namespace: 'mlflow-monitoring' });
  });

  it('writes the manifest as sorted pretty JSON with a trailing newline and sha256 hex', () => {
    const rendered = new Map([
      ['overlays/prod/z.yaml', 'z: 1\n'],
      ['base/a.yaml', 'a: 1\n'],
      ['overlays/prod/b.yaml', 'b: 1\n'],
    ]);
    const changeSet = planChangeSet({ current: new Map(), rendered, scope: allScope });
    expect(changeSet.next.get(ownershipManifestPath)).toBe(
      `${JSON.stringify(
        {
          version: 1,
          files: {
            'base/a.yaml': sha('a: 1\n'),
            'overlays/prod/b.yaml': sha('b: 1\n'),
            'overlays/prod/z.yaml': sha('z: 1\n'),
          },
        },
        null,
        2,
      )}\n`,
    );
    expect(Object.keys(changeSet.manifest.files)).toEqual([
      'base/a.yaml',
      'overlays/prod/b.yaml',
      'overlays/prod/z.yaml',
    ]);
    // Same inputs in another insertion order: the same bytes.
    const again = planChangeSet({
      current: new Map(),
      rendered: new Map([...rendered].reverse()),
      scope: allScope,
    });
    expect(again.next.get(ownershipManifestPath)).toBe(changeSet.next.get(ownershipManifestPath));
  });

  it('identical re-publish: no file changes and next is current', () => {
    const rendered = builtInTree();
    const current = published(rendered, { 'README.md': 'hello\n' });
    const changeSet = planChangeSet({ current, rendered, scope: allScope });
    expect(changeSet.files).toEqual([]);
    expect(changeSet.resources).toEqual([]);
    expect(changeSet.drift).toEqual([]);
    expect(changeSet.conflicts).toEqual([]);
    expect(changeSet.next).toBe(current);
  });

  it('first publish of a tree already committed by hand: adopted, only the manifest is written', () => {
    const rendered = builtInTree();
    const changeSet = planChangeSet({ current: new Map(rendered), rendered, scope: allScope });
    expect(changeSet.conflicts).toEqual([]);
    expect(changeSet.files.map((file) => [file.path, file.kind])).toEqual([
      [ownershipManifestPath, 'added'],
    ]);
    expect(changeSet.resources).toEqual([]);
    expect(Object.keys(changeSet.manifest.files)).toEqual([...rendered.keys()].sort());
  });

  it('drift: a hand edit of an owned file is listed and overwritten', () => {
    const rendered = builtInTree();
    const current = new Map(published(rendered));
    const path = 'overlays/prod/patches/prometheus-statefulset.yaml';
    const original = current.get(path) ?? '';
    current.set(path, original.replace('replicas: 2', 'replicas: 5'));
    current.delete('overlays/prod/pod-disruption-budget.yaml'); // deleted by hand
    const changeSet = planChangeSet({ current, rendered, scope: allScope });
    expect(changeSet.drift).toEqual([path, 'overlays/prod/pod-disruption-budget.yaml'].sort());
    expect(changeSet.next.get(path)).toBe(original);
    expect(changeSet.files.map((file) => [file.path, file.kind])).toEqual([
      ['overlays/prod/patches/prometheus-statefulset.yaml', 'changed'],
      ['overlays/prod/pod-disruption-budget.yaml', 'added'],
    ]);
    expect(changeSet.resources.find((resource) => resource.kind === 'StatefulSet')?.fields).toEqual(
      [{ field: 'replicas', before: '5', after: '2' }],
    );
    // The manifest did not change: it already listed what the render writes.
    expect(changeSet.next.get(ownershipManifestPath)).toBe(current.get(ownershipManifestPath));
  });

  it('a hand edit that already equals the render is not drift', () => {
    const before = builtInTree();
    const after = treeWithProd('tier: prod\nprometheus:\n  replicas: 3\n');
    const current = new Map(published(before));
    const path = 'overlays/prod/patches/prometheus-statefulset.yaml';
    current.set(path, after.get(path) ?? '');
    const changeSet = planChangeSet({ current, rendered: after, scope: allScope });
    expect(changeSet.drift).toEqual([]);
    expect(changeSet.files.map((file) => file.path)).not.toContain(path);
    expect(manifestOf(changeSet.next)[path]).toBe(sha(after.get(path) ?? ''));
  });

  it('conflicts: a file gitops-gen does not own is never overwritten', () => {
    const rendered = builtInTree();
    const current = new Map(published(rendered));
    const path = 'overlays/prod/kustomization.yaml';
    const owned = readOwnershipManifest(current).files;
    const manifest = {
      version: 1,
      files: Object.fromEntries(Object.entries(owned).filter(([owner]) => owner !== path)),
    };
    current.set(ownershipManifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    current.set(path, 'somebody else wrote this\n');
    const changeSet = planChangeSet({ current, rendered, scope: allScope });
    expect(changeSet.conflicts).toEqual([path]);
    expect(changeSet.next.get(path)).toBe('somebody else wrote this\n');
    expect(changeSet.files.map((file) => file.path)).toEqual([]);
    expect(changeSet.manifest.files[path]).toBeUndefined();
    expect(changeSet.next).toBe(current);
  });

  it('removes owned files the render dropped within scope only; other environments stay', () => {
    const everything = builtInTree();
    const current = published(everything, { 'overlays/prod/NOTES.md': 'ours, not gitops-gen’s\n' });
    // prod goes to one replica (no PodDisruptionBudget); only prod and the shared folders publish.
    const prodOnly = new Map(
      [...treeWithProd('tier: prod\nprometheus:\n  replicas: 1\n')].filter(
        ([path]) => !path.startsWith('overlays/dev/') && !path.startsWith('overlays/staging/'),
      ),
    );
    const scope = ['base', 'overlays/prod', 'argocd'];
    const changeSet = planChangeSet({ current, rendered: prodOnly, scope });
    const removed = changeSet.files.filter((file) => file.kind === 'removed').map((f) => f.path);
    expect(removed).toEqual(['overlays/prod/pod-disruption-budget.yaml']);
    expect(changeSet.next.has('overlays/prod/pod-disruption-budget.yaml')).toBe(false);
    expect(changeSet.resources).toContainEqual(
      expect.objectContaining({
        kind: 'PodDisruptionBudget',
        change: 'removed',
        file: 'overlays/prod/pod-disruption-budget.yaml',
      }),
    );
    // dev and staging: not rendered this time, outside scope, kept with their old hashes.
    const before = manifestOf(current);
    for (const [path, content] of current) {
      if (path.startsWith('overlays/dev/') || path.startsWith('overlays/staging/')) {
        expect(changeSet.next.get(path)).toBe(content);
        expect(changeSet.manifest.files[path]).toBe(before[path]);
      }
    }
    expect(changeSet.next.get('overlays/prod/NOTES.md')).toBe('ours, not gitops-gen’s\n');
    expect(changeSet.manifest.files['overlays/prod/pod-disruption-budget.yaml']).toBeUndefined();
  });

  it('matches scope patterns by folder prefix, `*` standing for one folder', () => {
    const scope = ['clusters/*/mlflow-monitoring', 'overlays/prod', 'argocd/project.yaml'];
    expect(inScope('clusters/eu-1/mlflow-monitoring/prod.yaml', scope)).toBe(true);
    expect(inScope('clusters/eu-1/flux-system/gotk-sync.yaml', scope)).toBe(false);
    expect(inScope('clusters/mlflow-monitoring/prod.yaml', scope)).toBe(false);
    expect(inScope('overlays/prod/kustomization.yaml', scope)).toBe(true);
    expect(inScope('overlays/production/kustomization.yaml', scope)).toBe(false);
    expect(inScope('argocd/project.yaml', scope)).toBe(true);
    expect(inScope('argocd/applications/prod.yaml', scope)).toBe(false);
  });

  it('refuses a malformed ownership manifest with an input error', () => {
    const rendered = new Map([['base/a.yaml', 'a: 1\n']]);
    const plan =
      (manifest: string): (() => void) =>
      () =>
        planChangeSet({
          current: new Map([[ownershipManifestPath, manifest]]),
          rendered,
          scope: [],
        });
    expect(plan('{ not json')).toThrow(InputError);
    expect(plan('{ not json')).toThrow(/\.gitops-gen\/owned\.json is not valid JSON/);
    expect(plan('[]')).toThrow(/is not a JSON object/);
    expect(plan('{"version":2,"files":{}}')).toThrow(/has version 2/);
    expect(plan('{"version":1}')).toThrow(/no `files` object/);
    expect(plan('{"version":1,"files":{"base/a.yaml":"abc"}}')).toThrow(/not a sha256/);
    try {
      plan('{ not json')();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).exitCode).toBe(2);
      expect((error as InputError).problems[0]?.file).toBe(ownershipManifestPath);
    }
  });
});

describe('planChangeSet: notable field changes', () => {
  function changesFor(prodYaml: string): ResourceChange[] {
    const current = published(builtInTree());
    return planChangeSet({ current, rendered: treeWithProd(prodYaml), scope: allScope }).resources;
  }
  const statefulSet = (resources: ResourceChange[]): ResourceChange | undefined =>
    resources.find(
      (resource) =>
        resource.kind === 'StatefulSet' &&
        resource.file === 'overlays/prod/patches/prometheus-statefulset.yaml',
    );

  it('retention time and size', () => {
    const fields = statefulSet(
      changesFor('tier: prod\nprometheus:\n  retention: { time: 45d, size: 40GB }\n'),
    )?.fields;
    expect(fields).toEqual([
      { field: 'retention.time', before: '30d', after: '45d' },
      { field: 'retention.size', before: '42GB', after: '40GB' },
    ]);
  });

  it('replicas, container resources and volume claim storage', () => {
    const resources = changesFor(
      [
        'tier: prod',
        'prometheus:',
        '  replicas: 3',
        '  resources:',
        '    requests: { cpu: 500m, memory: 3Gi }',
        '    limits: { cpu: 2000m, memory: 8Gi }',
        '  storage: { type: pvc, size: 100Gi }',
        '  retention: { size: 42GB }',
        '',
      ].join('\n'),
    );
    expect(statefulSet(resources)?.fields).toEqual([
      { field: 'replicas', before: '2', after: '3' },
      { field: 'containers[prometheus].resources.requests.memory', before: '2Gi', after: '3Gi' },
      { field: 'containers[prometheus].resources.limits.memory', before: '4Gi', after: '8Gi' },
      { field: 'volumeClaimTemplates[prometheus-data].storage', before: '50Gi', after: '100Gi' },
    ]);
  });

  it('image tags in a kustomization are the file’s fields', () => {
    const current = published(builtInTree());
    const changeSet = planChangeSet({
      current,
      rendered: treeWithProd('tier: prod\nprometheus:\n  image: { tag: v3.6.0 }\n'),
      scope: allScope,
    });
    const kustomization = changeSet.files.find(
      (file) => file.path === 'overlays/prod/kustomization.yaml',
    );
    expect(kustomization?.fields).toEqual([
      { field: 'images[quay.io/prometheus/prometheus].newTag', before: 'v3.5.5', after: 'v3.6.0' },
    ]);
    expect(changeSet.resources.some((r) => r.file === 'overlays/prod/kustomization.yaml')).toBe(
      false,
    );
  });

  it('container images, PVC storage and the Prometheus custom resource', () => {
    const before = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: grafana, namespace: monitoring }',
      'spec:',
      '  template:',
      '    spec:',
      '      initContainers:',
      '        - { name: init, image: "busybox:1.36" }',
      '      containers:',
      '        - name: grafana',
      '          image: docker.io/grafana/grafana:13.2.0',
      '          resources: { limits: { cpu: 500m } }',
      '        - name: sidecar',
      '          image: kiwigrid/k8s-sidecar:1.28.0',
      '---',
      'apiVersion: v1',
      'kind: PersistentVolumeClaim',
      'metadata: { name: data, namespace: monitoring }',
      'spec: { resources: { requests: { storage: 10Gi } } }',
      '---',
      'apiVersion: monitoring.coreos.com/v1',
      'kind: Prometheus',
      'metadata: { name: k8s, namespace: monitoring }',
      'spec: { retention: 15d, retentionSize: 10GB, replicas: 1 }',
      '',
    ].join('\n');
    const after = before
      .replace('grafana:13.2.0', 'grafana:13.3.0')
      .replace('k8s-sidecar:1.28.0', 'k8s-sidecar:1.29.0')
      .replace('limits: { cpu: 500m }', 'limits: { cpu: 500m, memory: 512Mi }')
      .replace('storage: 10Gi', 'storage: 20Gi')
      .replace('retention: 15d', 'retention: 30d')
      .replace('replicas: 1', 'replicas: 2');
    const current = new Map([['base/x.yaml', before]]);
    current.set(
      ownershipManifestPath,
      `${JSON.stringify({ version: 1, files: { 'base/x.yaml': sha(before) } })}\n`,
    );
    const { resources } = planChangeSet({
      current,
      rendered: new Map([['base/x.yaml', after]]),
      scope: ['base'],
    });
    expect(resources.map((r) => [r.kind, r.change, r.fields])).toEqual([
      [
        'Deployment',
        'changed',
        [
          {
            field: 'containers[grafana].image',
            before: 'docker.io/grafana/grafana:13.2.0',
            after: 'docker.io/grafana/grafana:13.3.0',
          },
          {
            field: 'containers[sidecar].image',
            before: 'kiwigrid/k8s-sidecar:1.28.0',
            after: 'kiwigrid/k8s-sidecar:1.29.0',
          },
          {
            field: 'containers[grafana].resources.limits.memory',
            before: '(none)',
            after: '512Mi',
          },
        ],
      ],
      ['PersistentVolumeClaim', 'changed', [{ field: 'storage', before: '10Gi', after: '20Gi' }]],
      [
        'Prometheus',
        'changed',
        [
          { field: 'replicas', before: '1', after: '2' },
          { field: 'retention.time', before: '15d', after: '30d' },
        ],
      ],
    ]);
    const deployment = resources[0];
    expect(deployment?.before?.startsWith('apiVersion: apps/v1\nkind: Deployment\n')).toBe(true);
    expect(deployment?.after).toContain('grafana:13.3.0');
    expect(deployment?.after).not.toContain('PersistentVolumeClaim');
  });

  it('matches an object that moved to another file as a change', () => {
    const service =
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{ port: 80 }]\n';
    const current = new Map([
      ['base/a.yaml', service],
      [
        ownershipManifestPath,
        `${JSON.stringify({ version: 1, files: { 'base/a.yaml': sha(service) } })}\n`,
      ],
    ]);
    const moved = service.replace('port: 80', 'port: 8080');
    const { resources } = planChangeSet({
      current,
      rendered: new Map([['base/b.yaml', moved]]),
      scope: ['base'],
    });
    expect(resources.map((r) => [r.kind, r.name, r.change, r.file])).toEqual([
      ['Service', 'web', 'changed', 'base/b.yaml'],
    ]);
  });
});

describe('Secret values never reach any output', () => {
  const secretBefore = [
    '# a Secret written by gitops-gen',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: grafana-admin',
    '  namespace: mlflow-prod',
    'type: Opaque',
    'data:',
    '  admin-password: c3VwZXItc2VjcmV0LW9sZA==',
    '  token: |',
    '    bXVsdGktbGluZS1zZWNyZXQtb25l',
    'stringData:',
    '  admin-user: "root-user-alpha"',
    '  config: { nested: hunter2-flow }',
    '',
  ].join('\n');
  const secretAfter = secretBefore
    .replace('c3VwZXItc2VjcmV0LW9sZA==', 'c3VwZXItc2VjcmV0LW5ldw==')
    .replace('root-user-alpha', 'root-user-beta');
  const secrets = [
    'c3VwZXItc2VjcmV0LW9sZA==',
    'c3VwZXItc2VjcmV0LW5ldw==',
    'bXVsdGktbGluZS1zZWNyZXQtb25l',
    'root-user-alpha',
    'root-user-beta',
    'hunter2-flow',
    'admin123456789', // the dev overlay's generated Grafana password (secretGenerator literal)
    'super-secret',
  ];

  it('redacts Secret data, stringData and secretGenerator literals, keeping changes visible', () => {
    const devBefore = builtInTree();
    const current = new Map(published(devBefore));
    current.set('overlays/prod/grafana-admin-secret.yaml', secretBefore);
    current.set(
      ownershipManifestPath,
      `${JSON.stringify({
        version: 1,
        files: {
          ...readOwnershipManifest(current).files,
          'overlays/prod/grafana-admin-secret.yaml': sha(secretBefore),
        },
      })}\n`,
    );
    const rendered = new Map(devBefore);
    rendered.set('overlays/prod/grafana-admin-secret.yaml', secretAfter);
    const devKustomization = rendered.get('overlays/dev/kustomization.yaml') ?? '';
    expect(devKustomization).toContain('admin123456789');
    rendered.set(
      'overlays/dev/kustomization.yaml',
      devKustomization.replace('admin-user=admin', 'admin-user=administrator'),
    );
    const changeSet = planChangeSet({ current, rendered, scope: allScope });
    const secret = changeSet.resources.find((resource) => resource.kind === 'Secret');
    expect(secret?.change).toBe('changed');
    expect(secret?.fields.map((field) => field.field)).toEqual([
      'data.admin-password',
      'stringData.admin-user',
    ]);
    // No hash of the value either: a short hash of a weak password gives it away.
    for (const field of secret?.fields ?? []) {
      expect(field.before).toBe('<redacted>');
      expect(field.after).toBe('<redacted, changed>');
    }
    expect(secret?.before).toContain('admin-password: <redacted>');
    expect(secret?.before).toContain('  token: <redacted>');
    expect(secret?.before).toContain('name: grafana-admin');

    const first = planChangeSet({ current: new Map(), rendered, scope: allScope });
    const descriptions = [describeChange(changeSet, rendered), describeChange(first, rendered)];
    const outputs = [
      JSON.stringify(changeSet.resources),
      JSON.stringify(first.resources),
      JSON.stringify(changeSet.files.map((file) => file.fields ?? [])),
      ...descriptions.flatMap((d) => [
        diffReport(d),
        pullRequestBody(d),
        pullRequestBody(d, { maxLength: 3_000 }),
        commitMessage(d),
        pullRequestTitle(d),
      ]),
    ];
    for (const output of outputs) {
      for (const value of secrets) expect(output).not.toContain(value);
    }
    const report = diffReport(descriptions[0] ?? describeChange(changeSet, rendered));
    // The value changed, the text did not: the summary says so, the diff shows no value.
    expect(report).toContain('<redacted, changed>');
    // A hand edit that broke the YAML of a Secret file: not shown at all.
    const broken = new Map(changeSet.next);
    broken.set(
      'overlays/prod/grafana-admin-secret.yaml',
      `${secretAfter}  password: [unclosed c3VwZXItc2VjcmV0LWJyb2tlbg==\n`,
    );
    const repaired = planChangeSet({ current: broken, rendered, scope: allScope });
    expect(repaired.drift).toEqual(['overlays/prod/grafana-admin-secret.yaml']);
    const repairedOutputs = [
      diffReport(describeChange(repaired, rendered)),
      pullRequestBody(describeChange(repaired, rendered)),
      JSON.stringify(repaired.resources),
    ];
    for (const output of repairedOutputs) {
      for (const value of [...secrets, 'c3VwZXItc2VjcmV0LWJyb2tlbg==']) {
        expect(output).not.toContain(value);
      }
    }
    expect(repairedOutputs[0]).toContain('does not parse as YAML and may hold Secret values');
    // The raw files still hold the values: they are what gets written.
    expect(changeSet.next.get('overlays/prod/grafana-admin-secret.yaml')).toBe(secretAfter);
  });
});
