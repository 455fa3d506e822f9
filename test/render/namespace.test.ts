/**
 * Who owns the namespace (`namespaceManagement`): by default the overlay's Namespace carries the
 * annotations that keep Argo CD and Flux from deleting or pruning it, since MLflow may live in
 * it too; with `existing` no Namespace is built at all and no Application creates one.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderTree, resolveEnvironmentSources, validate, type FileTree } from '../../src/index.js';
import { kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp.js';

type Json = Record<string, unknown>;
const field = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (current, key) => (current as Record<string | number, unknown> | undefined)?.[key],
    value,
  );

const keepAnnotations = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

function treeOf(files: Record<string, string>): FileTree {
  return renderTree(
    resolveEnvironmentSources(
      Object.entries(files).map(([name, text]) => ({
        file: `environments/${name}.yaml`,
        name,
        text,
      })),
    ),
  );
}

async function writeTree(tree: FileTree): Promise<string> {
  const root = await tempDir();
  for (const [path, text] of tree) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const namespaces = (objects: BuiltObject[]): BuiltObject[] =>
  objects.filter((object) => object.kind === 'Namespace');

const syncOptionsOf = (tree: FileTree, path: string): unknown =>
  field(parse(tree.get(path) ?? '') as Json, 'spec', 'syncPolicy', 'syncOptions');

describe('namespaceManagement: create (the default)', () => {
  it('builds the Namespace with the annotations that keep Argo CD and Flux from deleting it', async () => {
    const root = await writeTree(treeOf({ prod: '' }));
    const built = namespaces(await kustomizeBuild(join(root, 'overlays/prod')));
    expect(built).toHaveLength(1);
    expect(built[0]?.metadata).toMatchObject({
      name: 'mlflow-prod',
      annotations: { 'argocd.argoproj.io/sync-wave': '-3', ...keepAnnotations },
    });
  });

  it('lets the Application create the namespace on a first sync', () => {
    expect(syncOptionsOf(treeOf({ prod: '' }), 'argocd/applications/prod.yaml')).toEqual([
      'CreateNamespace=true',
      'ServerSideApply=true',
      'PruneLast=true',
    ]);
  });
});

describe('namespaceManagement: existing', () => {
  const files = { dev: '', prod: 'namespaceManagement: existing' };

  it('builds no Namespace, and everything else still in the namespace', async () => {
    const root = await writeTree(treeOf(files));
    const objects = await kustomizeBuild(join(root, 'overlays/prod'));
    expect(namespaces(objects)).toEqual([]);
    const clusterScoped = new Set(['ClusterRole', 'ClusterRoleBinding']);
    const namespaced = objects.filter((object) => !clusterScoped.has(object.kind));
    expect(namespaced.length).toBeGreaterThan(0);
    for (const object of namespaced) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(
        'mlflow-prod',
      );
    }
    expect(objects.map((object) => object.kind)).toEqual(
      expect.arrayContaining(['StatefulSet', 'Deployment', 'DaemonSet', 'ConfigMap']),
    );
    // The other environment keeps its own, protected Namespace.
    expect(namespaces(await kustomizeBuild(join(root, 'overlays/dev')))).toHaveLength(1);
  });

  it('leaves validate clean but for the NodePort of the unauthenticated prod Prometheus', async () => {
    const root = await writeTree(treeOf(files));
    const report = await validate({
      paths: ['overlays', 'argocd'].map((folder) => join(root, folder)),
      promtool: 'never',
    });
    expect(
      report.findings.map(({ code, resource }) => ({ code, resource: resource?.name })),
    ).toEqual([{ code: 'policy/unauthenticated-exposure', resource: 'prometheus' }]);
  });

  it('drops CreateNamespace from its Application only: a missing namespace fails the sync', () => {
    const tree = treeOf(files);
    expect(syncOptionsOf(tree, 'argocd/applications/prod.yaml')).toEqual([
      'ServerSideApply=true',
      'PruneLast=true',
    ]);
    expect(syncOptionsOf(tree, 'argocd/applications/dev.yaml')).toEqual(
      expect.arrayContaining(['CreateNamespace=true']),
    );
  });

  it('lets the AppProject create Namespaces only while an environment renders one', async () => {
    const kindsOf = async (tree: ReturnType<typeof treeOf>): Promise<string[]> => {
      const root = await writeTree(tree);
      const project = (await kustomizeBuild(join(root, 'argocd'))).find(
        (object) => object.kind === 'AppProject',
      );
      const spec = project?.spec as { clusterResourceWhitelist: { kind: string }[] };
      return spec.clusterResourceWhitelist.map((entry) => entry.kind);
    };
    expect(await kindsOf(treeOf(files))).toContain('Namespace');
    expect(
      await kindsOf(
        treeOf({ dev: 'namespaceManagement: existing', prod: 'namespaceManagement: existing' }),
      ),
    ).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  });

  it('with Flux: the Kustomization syncs an overlay without a Namespace into the namespace', async () => {
    const flux = 'delivery: { controller: flux }';
    const tree = treeOf({ prod: `namespaceManagement: existing\n${flux}` });
    const [, kustomization] = parseAllDocuments(
      tree.get('clusters/default/mlflow-monitoring/prod.yaml') ?? '',
    ).map((document) => document.toJS() as Json);
    expect(field(kustomization, 'spec', 'path')).toBe('./overlays/prod');
    expect(field(kustomization, 'spec', 'healthChecks', 0, 'namespace')).toBe('mlflow-prod');
    const root = await writeTree(tree);
    expect(namespaces(await kustomizeBuild(join(root, 'overlays/prod')))).toEqual([]);
  });
});

describe('an ApplicationSet over environments that differ', () => {
  const applicationSet = (tree: FileTree): Json =>
    parse(tree.get('argocd/applicationset.yaml') ?? '') as Json;
  const templateOptions = (tree: FileTree): unknown =>
    field(applicationSet(tree), 'spec', 'template', 'spec', 'syncPolicy', 'syncOptions');

  it('list generator: each element says whether its namespace is created', () => {
    const list = 'delivery: { argocd: { generator: list } }';
    const tree = treeOf({
      dev: list,
      prod: `namespaceManagement: existing\n${list}`,
    });
    expect(templateOptions(tree)).toEqual([
      'CreateNamespace={{ .createNamespace }}',
      'ServerSideApply=true',
      'PruneLast=true',
    ]);
    const elements = field(applicationSet(tree), 'spec', 'generators', 0, 'list', 'elements');
    expect(elements).toEqual([
      expect.objectContaining({ environment: 'dev', createNamespace: true }),
      expect.objectContaining({ environment: 'prod', createNamespace: false }),
    ]);
  });

  it('git-directory generator: the template names the folders that create theirs', () => {
    const git = 'delivery: { argocd: { generator: git-directory } }';
    const tree = treeOf({
      dev: git,
      prod: `namespaceManagement: existing\n${git}`,
      staging: git,
    });
    expect(templateOptions(tree)).toEqual([
      'CreateNamespace={{ or (eq .path.basename "dev") (eq .path.basename "staging") }}',
      'ServerSideApply=true',
      'PruneLast=true',
    ]);
  });

  it('all alike: a plain option, or none, and no per-environment field', () => {
    const list = 'delivery: { argocd: { generator: list } }';
    const existing = treeOf({
      dev: `namespaceManagement: existing\n${list}`,
      prod: `namespaceManagement: existing\n${list}`,
    });
    expect(templateOptions(existing)).toEqual(['ServerSideApply=true', 'PruneLast=true']);
    const created = treeOf({ dev: list, prod: list });
    expect(templateOptions(created)).toEqual([
      'CreateNamespace=true',
      'ServerSideApply=true',
      'PruneLast=true',
    ]);
    expect(
      field(applicationSet(created), 'spec', 'generators', 0, 'list', 'elements', 0),
    ).not.toHaveProperty('createNamespace');
  });
});
