/**
 * Immutable fields (issue 13): changes the API server would refuse are found on the built
 * overlays of real rendered trees (and hand-edited ones for kinds gitops-gen does not write),
 * mutable changes are not, and the recreate patch builds with the real `kubectl kustomize` and
 * marks exactly the refused objects of one environment.
 */
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderTree, resolveEnvironmentSources } from '../../src/index.js';
import { buildKustomization, memoryFileSystem } from '../../src/kustomize/index.js';
import {
  immutableFieldChanges,
  markForRecreation,
  type ImmutableFieldChange,
} from '../../src/publish/immutable-fields.js';
import type { FileMap } from '../../src/publish/types.js';
import { kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

type Json = Record<string, unknown>;

/** The tree render writes for these environment files (name -> text). */
function render(environments: Record<string, string>): FileMap {
  return renderTree(
    resolveEnvironmentSources(
      Object.entries(environments).map(([name, text]) => ({ file: `${name}.yaml`, name, text })),
    ),
  );
}

const defaults = { dev: '', staging: '', prod: '' };
const prodWith = (text: string): FileMap => render({ ...defaults, prod: text });

/** `tree` with `objects` added to an environment's overlay, as a hand edit would. */
function withObjects(tree: FileMap, environment: string, objects: readonly Json[]): FileMap {
  const result = new Map(tree);
  const path = `overlays/${environment}/kustomization.yaml`;
  const kustomization = parse(result.get(path) ?? '') as { resources: string[] };
  kustomization.resources.push('extra.yaml');
  result.set(path, stringify(kustomization));
  result.set(
    `overlays/${environment}/extra.yaml`,
    // No anchors: kustomize would share one node between selector and template labels.
    objects.map((object) => `---\n${stringify(object, { aliasDuplicateObjects: false })}`).join(''),
  );
  return result;
}

/** What a test looks at: which field of which object, and its renderings. */
const brief = (changes: ImmutableFieldChange[]): string[] =>
  changes.map(
    (change) =>
      `${change.environment} ${change.kind} ${change.namespace ?? '-'}/${change.name} ${change.field}: ${change.before} -> ${change.after}`,
  );

async function handEditedChanges(
  before: readonly Json[],
  after: readonly Json[],
): Promise<ImmutableFieldChange[]> {
  const tree = render(defaults);
  return immutableFieldChanges(
    withObjects(tree, 'prod', before),
    withObjects(tree, 'prod', after),
    ['dev', 'staging', 'prod'],
  );
}

const handEdited = async (before: readonly Json[], after: readonly Json[]): Promise<string[]> =>
  brief(await handEditedChanges(before, after));

const labels = { app: 'db' };
const podTemplate = {
  metadata: { labels },
  spec: { containers: [{ name: 'db', image: 'db:1' }] },
};
const statefulSet = (spec: Json = {}): Json => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db' },
  spec: {
    selector: { matchLabels: labels },
    serviceName: 'db',
    template: podTemplate,
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    ],
    ...spec,
  },
});
const workload = (kind: string, spec: Json = {}): Json => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate, ...spec },
});
const service = (spec: Json): Json => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'db' },
  spec: { selector: labels, ports: [{ port: 5432 }], ...spec },
});
const claim = (spec: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'scratch' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'fast',
    resources: { requests: { storage: '10Gi' } },
    ...spec,
  },
});
const job = (spec: Json = {}): Json => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate' },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'm:1' }] } },
    ...spec,
  },
});
const binding = (kind: string, role: string): Json => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name: 'reader' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'mlflow-prod' }],
});
const configMap = (data: Json, immutable?: boolean): Json => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings' },
  ...(immutable === undefined ? {} : { immutable }),
  data,
});
const secret = (fields: Json): Json => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'token' },
  ...fields,
});

describe('immutableFieldChanges on rendered trees', () => {
  it('reports a prod volume growing from 50Gi to 100Gi, with what to do', async () => {
    const changes = await immutableFieldChanges(
      prodWith('prometheus:\n  storage: { type: pvc, size: 50Gi }\n'),
      prodWith('prometheus:\n  storage: { type: pvc, size: 100Gi }\n'),
      ['dev', 'staging', 'prod'],
    );
    expect(changes).toHaveLength(1);
    const [change] = changes;
    expect(change).toMatchObject({
      environment: 'prod',
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'prometheus',
      namespace: 'mlflow-prod',
      field: 'spec.volumeClaimTemplates[prometheus-data].spec.resources.requests.storage',
      before: '50Gi',
      after: '100Gi',
    });
    expect(change?.rule).toContain('ValidateStatefulSetUpdate');
    expect(change?.advice).toContain('kubectl -n mlflow-prod patch pvc');
    expect(change?.advice).toContain('allowVolumeExpansion');
    expect(change?.advice).toContain(
      'kubectl -n mlflow-prod delete statefulset prometheus --cascade=orphan',
    );
    expect(change?.advice).toContain('--allow-recreate');
  });

  it('reports emptyDir -> pvc as a new volumeClaimTemplate', async () => {
    const changes = await immutableFieldChanges(
      render({ ...defaults, dev: 'prometheus:\n  storage: { type: emptyDir }\n' }),
      render({ ...defaults, dev: 'prometheus:\n  storage: { type: pvc, size: 5Gi }\n' }),
      ['dev'],
    );
    expect(brief(changes)).toEqual([
      expect.stringMatching(
        /^dev StatefulSet mlflow-dev\/prometheus spec\.volumeClaimTemplates: \(absent\) -> \[/,
      ),
    ]);
  });

  it('raises no false alarm for mutable changes', async () => {
    const before = prodWith('prometheus:\n  storage: { type: pvc, size: 50Gi }\n');
    const after = prodWith(
      [
        'prometheus:',
        '  replicas: 3',
        '  image: { tag: v3.6.0 }',
        '  retention: { time: 45d }',
        '  resources:',
        '    requests: { cpu: 750m, memory: 3Gi }',
        '    limits: { cpu: 3000m, memory: 6Gi }',
        '  storage: { type: pvc, size: 50Gi }',
        'grafana:',
        '  replicas: 2',
        '',
      ].join('\n'),
    );
    expect(await immutableFieldChanges(before, after, ['dev', 'staging', 'prod'])).toEqual([]);
    // Metadata, a ConfigMap without immutable, a growing claim, a defaulted field written out.
    expect(
      await handEdited(
        [
          statefulSet(),
          workload('Deployment'),
          configMap({ a: '1' }),
          claim(),
          service({ clusterIP: '10.0.0.10' }),
          binding('RoleBinding', 'view'),
        ],
        [
          {
            ...statefulSet({
              replicas: 3,
              podManagementPolicy: 'OrderedReady',
              revisionHistoryLimit: 5,
              minReadySeconds: 10,
              updateStrategy: { type: 'OnDelete' },
              template: { ...podTemplate, spec: { containers: [{ name: 'db', image: 'db:2' }] } },
              volumeClaimTemplates: [
                {
                  apiVersion: 'v1',
                  kind: 'PersistentVolumeClaim',
                  metadata: { name: 'data' },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    volumeMode: 'Filesystem',
                    resources: { requests: { storage: '1024Mi' } },
                  },
                },
              ],
            }),
            metadata: { name: 'db', labels: { tier: 'data' }, annotations: { note: 'x' } },
          },
          workload('Deployment', { replicas: 4, strategy: { type: 'Recreate' } }),
          configMap({ a: '2' }),
          claim({
            resources: { requests: { storage: '20Gi' } },
            volumeMode: 'Filesystem',
            volumeAttributesClassName: 'gold',
          }),
          service({ ports: [{ port: 5433 }] }),
          { ...binding('RoleBinding', 'view'), subjects: [] },
        ],
      ),
    ).toEqual([]);
  });

  it('names objects as built: namespace and the cluster-scoped rename of each environment', async () => {
    const tree = render(defaults);
    const next = new Map(tree);
    for (const environment of ['dev', 'prod']) {
      const path = `overlays/${environment}/kustomization.yaml`;
      const kustomization = parse(tree.get(path) ?? '') as { patches: Json[] };
      kustomization.patches.push({
        target: { kind: 'ClusterRoleBinding', name: `mlflow-${environment}-prometheus` },
        patch: '- op: replace\n  path: /roleRef/name\n  value: cluster-admin\n',
      });
      next.set(path, stringify(kustomization));
    }
    const changes = await immutableFieldChanges(tree, next, ['prod', 'dev', 'staging']);
    expect(brief(changes)).toEqual([
      'dev ClusterRoleBinding -/mlflow-dev-prometheus roleRef.name: mlflow-dev-prometheus -> cluster-admin',
      'prod ClusterRoleBinding -/mlflow-prod-prometheus roleRef.name: mlflow-prod-prometheus -> cluster-admin',
    ]);
    expect(changes[0]?.advice).toContain('kubectl delete clusterrolebinding mlflow-dev-prometheus');
  });

  it('skips an environment missing in current, or whose current build fails', async () => {
    const before = prodWith('prometheus:\n  storage: { type: pvc, size: 50Gi }\n');
    const after = prodWith('prometheus:\n  storage: { type: pvc, size: 100Gi }\n');
    const withoutProd = new Map([...before].filter(([path]) => !path.startsWith('overlays/prod/')));
    expect(await immutableFieldChanges(withoutProd, after, ['prod'])).toEqual([]);
    const broken = new Map(before);
    const path = 'overlays/prod/kustomization.yaml';
    broken.set(path, `${before.get(path) ?? ''}  - path: patches/missing.yaml\n`);
    expect(await immutableFieldChanges(broken, after, ['prod'])).toEqual([]);
    expect(await immutableFieldChanges(before, after, ['staging'])).toEqual([]);
  });
});

describe('each refusing rule', () => {
  it('StatefulSet: serviceName, podManagementPolicy, selector, claim templates', async () => {
    expect(
      await handEdited(
        [statefulSet()],
        [
          statefulSet({
            serviceName: 'db-headless',
            podManagementPolicy: 'Parallel',
            selector: { matchLabels: { ...labels, role: 'primary' } },
            volumeClaimTemplates: [
              {
                metadata: { name: 'data' },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  storageClassName: 'fast',
                  resources: { requests: { storage: '512Mi' } },
                },
              },
            ],
          }),
        ],
      ),
    ).toEqual([
      'prod StatefulSet mlflow-prod/db spec.podManagementPolicy: OrderedReady -> Parallel',
      'prod StatefulSet mlflow-prod/db spec.selector.matchLabels.role: (absent) -> primary',
      'prod StatefulSet mlflow-prod/db spec.serviceName: db -> db-headless',
      'prod StatefulSet mlflow-prod/db spec.volumeClaimTemplates[data].spec.resources.requests.storage: 1Gi -> 512Mi',
      'prod StatefulSet mlflow-prod/db spec.volumeClaimTemplates[data].spec.storageClassName: (absent) -> fast',
    ]);
  });

  it('advises against recreating a StatefulSet to shrink its volumes', async () => {
    const smaller = statefulSet({
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '512Mi' } } },
        },
      ],
    });
    const [change] = await handEditedChanges([statefulSet()], [smaller]);
    expect(change?.field).toBe('spec.volumeClaimTemplates[data].spec.resources.requests.storage');
    expect(change?.advice).toContain('volumes cannot shrink: keep 1Gi');
    expect(change?.advice).toContain('data-db-0');
  });

  it('Deployment, DaemonSet and ReplicaSet: spec.selector', async () => {
    const kinds = ['Deployment', 'DaemonSet', 'ReplicaSet'];
    const moved = { selector: { matchLabels: { app: 'web', track: 'stable' } } };
    expect(
      await handEdited(
        kinds.map((kind) => workload(kind)),
        kinds.map((kind) => workload(kind, moved)),
      ),
    ).toEqual(
      ['DaemonSet', 'Deployment', 'ReplicaSet'].map(
        (kind) =>
          `prod ${kind} mlflow-prod/web spec.selector.matchLabels.track: (absent) -> stable`,
      ),
    );
  });

  it('Service: clusterIP once set, but leaving it out keeps it', async () => {
    expect(
      await handEdited(
        [service({ clusterIP: '10.0.0.10' })],
        [service({ clusterIP: '10.0.0.11' })],
      ),
    ).toEqual(['prod Service mlflow-prod/db spec.clusterIP: 10.0.0.10 -> 10.0.0.11']);
    expect(await handEdited([service({})], [service({ clusterIP: 'None' })])).toEqual([
      'prod Service mlflow-prod/db spec.clusterIP: (allocated by the API server) -> None',
    ]);
    expect(await handEdited([service({ clusterIP: 'None' })], [service({})])).toEqual([]);
    expect(
      await handEdited(
        [service({ type: 'ExternalName', externalName: 'db.example.com' })],
        [service({ clusterIP: '10.0.0.12' })],
      ),
    ).toEqual([]);
  });

  it('PersistentVolumeClaim: spec except requests.storage, which may not shrink', async () => {
    expect(
      await handEdited(
        [claim()],
        [
          claim({
            accessModes: ['ReadWriteMany'],
            storageClassName: 'slow',
            resources: { requests: { storage: '5Gi' } },
          }),
        ],
      ),
    ).toEqual([
      'prod PersistentVolumeClaim mlflow-prod/scratch spec.accessModes: ["ReadWriteOnce"] -> ["ReadWriteMany"]',
      'prod PersistentVolumeClaim mlflow-prod/scratch spec.resources.requests.storage: 10Gi -> 5Gi',
      'prod PersistentVolumeClaim mlflow-prod/scratch spec.storageClassName: fast -> slow',
    ]);
    // Left out at first, the class is the cluster's default: not judged.
    const unset = claim();
    delete (unset.spec as Json).storageClassName;
    expect(await handEdited([unset], [claim()])).toEqual([]);
  });

  it('Job: template and selector', async () => {
    expect(
      await handEdited(
        [job()],
        [
          job({
            selector: { matchLabels: { run: 'migrate' } },
            template: {
              metadata: { labels: { run: 'migrate' } },
              spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'm:2' }] },
            },
          }),
        ],
      ),
    ).toEqual([
      'prod Job mlflow-prod/migrate spec.selector: (absent) -> {"matchLabels":{"run":"migrate"}}',
      'prod Job mlflow-prod/migrate spec.template.metadata.labels.run: (absent) -> migrate',
      'prod Job mlflow-prod/migrate spec.template.spec.containers[m].image: m:1 -> m:2',
    ]);
  });

  it('RoleBinding and ClusterRoleBinding: roleRef', async () => {
    expect(
      await handEdited(
        [binding('RoleBinding', 'view'), binding('ClusterRoleBinding', 'view')],
        [binding('RoleBinding', 'edit'), binding('ClusterRoleBinding', 'edit')],
      ),
    ).toEqual([
      'prod ClusterRoleBinding -/reader roleRef.name: view -> edit',
      'prod RoleBinding mlflow-prod/reader roleRef.name: view -> edit',
    ]);
  });

  it('ConfigMap and Secret with immutable: true; Secret type always; values redacted', async () => {
    expect(
      await handEdited(
        [
          configMap({ 'a.yml': '1', b: '2' }, true),
          secret({ immutable: true, stringData: { token: 'old' } }),
          secret({ metadata: { name: 'tls' }, type: 'Opaque', data: { a: 'YQ==' } }),
        ],
        [
          configMap({ 'a.yml': '1', b: '3' }, false),
          secret({ immutable: true, stringData: { token: 'new' } }),
          secret({ metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: { a: 'YQ==' } }),
        ],
      ),
    ).toEqual([
      'prod ConfigMap mlflow-prod/settings data.b: 2 -> 3',
      'prod ConfigMap mlflow-prod/settings immutable: true -> false',
      'prod Secret mlflow-prod/tls type: Opaque -> kubernetes.io/tls',
      'prod Secret mlflow-prod/token data.token: (redacted) -> (redacted)',
    ]);
  });
});

async function build(tree: FileMap, environment: string): Promise<BuiltObject[]> {
  const root = await tempDir();
  await writeFiles(root, Object.fromEntries(tree));
  return kustomizeBuild(join(root, 'overlays', environment));
}

const annotationsOf = (object: BuiltObject): Record<string, string> =>
  (object.metadata as { annotations?: Record<string, string> }).annotations ?? {};

describe('markForRecreation', () => {
  it('marks exactly the refused objects of that environment; the real kustomize builds it', async () => {
    const before = withObjects(
      prodWith('prometheus:\n  storage: { type: pvc, size: 50Gi }\n'),
      'prod',
      [
        service({ clusterIP: '10.0.0.10' }),
        {
          ...statefulSet(),
          metadata: {
            name: 'db',
            annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Replace=false' },
          },
        },
      ],
    );
    const next = withObjects(
      prodWith('prometheus:\n  storage: { type: pvc, size: 100Gi }\n'),
      'prod',
      [
        service({ clusterIP: '10.0.0.11' }),
        {
          ...statefulSet({ serviceName: 'db2' }),
          metadata: {
            name: 'db',
            annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Replace=false' },
          },
        },
      ],
    );
    const changes = await immutableFieldChanges(before, next, ['dev', 'staging', 'prod']);
    expect(changes.map((change) => `${change.kind}/${change.name}`)).toEqual([
      'Service/db',
      'StatefulSet/db',
      'StatefulSet/prometheus',
    ]);
    const marked = markForRecreation(next, changes);

    const kustomization = 'overlays/prod/kustomization.yaml';
    const changedFiles = [...marked].filter(([path, text]) => next.get(path) !== text);
    expect(changedFiles.map(([path]) => path)).toEqual([kustomization]);
    expect(marked.size).toBe(next.size);
    // Appended to the renderer's own text: the rest of the file is untouched.
    expect(marked.get(kustomization)?.startsWith(next.get(kustomization) ?? '-')).toBe(true);
    // Deterministic, and marking twice changes nothing more.
    expect(markForRecreation(next, changes)).toEqual(marked);
    expect(markForRecreation(marked, changes)).toEqual(marked);

    const objects = await build(marked, 'prod');
    const forced = objects
      .filter((object) => annotationsOf(object)['kustomize.toolkit.fluxcd.io/force'] === 'enabled')
      .map(
        (object) => `${object.kind}/${object.metadata.namespace ?? '-'}/${object.metadata.name}`,
      );
    expect(forced).toEqual([
      'Service/mlflow-prod/db',
      'StatefulSet/mlflow-prod/db',
      'StatefulSet/mlflow-prod/prometheus',
    ]);
    const syncOptions = (kind: string, name: string): string | undefined =>
      annotationsOf(
        objects.find((object) => object.kind === kind && object.metadata.name === name) ?? {
          apiVersion: '',
          kind: '',
          metadata: { name: '' },
        },
      )['argocd.argoproj.io/sync-options'];
    // The in-process engine (validate, render --layout flat) reads the patch the same way.
    const inProcess = await buildKustomization('/overlays/prod', memoryFileSystem(marked));
    expect(inProcess.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(
      inProcess.resources
        .map(({ object }) => object as unknown as BuiltObject)
        .filter(
          (object) => annotationsOf(object)['kustomize.toolkit.fluxcd.io/force'] === 'enabled',
        )
        .map(
          (object) => `${object.kind}/${object.metadata.namespace ?? '-'}/${object.metadata.name}`,
        ),
    ).toEqual(forced);
    expect(syncOptions('StatefulSet', 'prometheus')).toBe('Force=true,Replace=true');
    expect(syncOptions('StatefulSet', 'db')).toBe('Prune=false,Force=true,Replace=true');
    expect(syncOptions('Namespace', 'mlflow-prod')).toBe('Prune=false,Delete=false');
    // Everything else builds as before.
    const strip = (list: BuiltObject[]): BuiltObject[] =>
      list.map((object) => {
        const annotations = { ...annotationsOf(object) };
        delete annotations['kustomize.toolkit.fluxcd.io/force'];
        delete annotations['argocd.argoproj.io/sync-options'];
        const metadata: Json = { ...object.metadata, annotations };
        if (Object.keys(annotations).length === 0) delete metadata.annotations;
        return { ...object, metadata } as BuiltObject;
      });
    expect(strip(objects)).toEqual(strip(await build(next, 'prod')));
    for (const environment of ['dev', 'staging']) {
      expect(await build(marked, environment)).toEqual(await build(next, environment));
    }
  });

  it('targets the name before the overlay’s own namePrefix', async () => {
    const prefixed = (tree: FileMap): FileMap => {
      const result = new Map(tree);
      const path = 'overlays/staging/kustomization.yaml';
      result.set(path, `${tree.get(path) ?? ''}namePrefix: team-\n`);
      return result;
    };
    const before = prefixed(
      render({ ...defaults, staging: 'prometheus:\n  storage: { type: pvc, size: 20Gi }\n' }),
    );
    const next = prefixed(
      render({ ...defaults, staging: 'prometheus:\n  storage: { type: pvc, size: 40Gi }\n' }),
    );
    const changes = await immutableFieldChanges(before, next, ['staging']);
    expect(brief(changes)).toEqual([
      'staging StatefulSet mlflow-staging/team-prometheus spec.volumeClaimTemplates[prometheus-data].spec.resources.requests.storage: 20Gi -> 40Gi',
    ]);
    const objects = await build(markForRecreation(next, changes), 'staging');
    expect(
      objects
        .filter(
          (object) => annotationsOf(object)['kustomize.toolkit.fluxcd.io/force'] === 'enabled',
        )
        .map((object) => `${object.kind}/${object.metadata.name}`),
    ).toEqual(['StatefulSet/team-prometheus']);
  });
});
