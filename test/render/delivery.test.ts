/**
 * Delivery manifests: what Argo CD and Flux receive, that it passes the CRD schemas strictly,
 * that a path typo is caught, and that cross-environment settings are checked.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  InputError,
  loadEnvironments,
  renderTree,
  resolveEnvironmentSources,
  validate,
  type FileTree,
} from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

type Json = Record<string, unknown>;
const field = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (current, key) => (current as Record<string | number, unknown> | undefined)?.[key],
    value,
  );

/** Writes the tree into a fresh repository folder, below `folder` (publish.path). */
async function writeTree(tree: FileTree, folder = ''): Promise<string> {
  const root = await tempDir();
  for (const [path, text] of tree) {
    await mkdir(dirname(join(root, folder, path)), { recursive: true });
    await writeFile(join(root, folder, path), text);
  }
  return join(root, folder);
}

function environments(files: Record<string, string>) {
  return resolveEnvironmentSources(
    Object.entries(files).map(([name, text]) => ({
      file: `environments/${name}.yaml`,
      name,
      text,
    })),
  );
}

describe('Argo CD delivery of the built-in environments', () => {
  const tree = renderTree(environments({ dev: '', staging: '', prod: '' }));
  const app = (name: string): Json =>
    parse(tree.get(`argocd/applications/${name}.yaml`) ?? '') as Json;

  it('syncs dev and staging automatically with prune and self-heal, prod by hand', () => {
    expect(field(app('dev'), 'spec', 'syncPolicy', 'automated')).toEqual({
      prune: true,
      selfHeal: true,
    });
    expect(field(app('staging'), 'spec', 'syncPolicy', 'automated')).toEqual({
      prune: true,
      selfHeal: true,
    });
    expect(field(app('prod'), 'spec', 'syncPolicy', 'automated')).toBeUndefined();
    const automatedProd = renderTree(environments({ prod: 'delivery: { automated: true }' }));
    expect(
      field(
        parse(automatedProd.get('argocd/applications/prod.yaml') ?? ''),
        'spec',
        'syncPolicy',
        'automated',
      ),
    ).toEqual({
      prune: true,
      selfHeal: true,
    });
  });

  it('creates the namespace, applies server-side, retries with backoff', () => {
    expect(field(app('prod'), 'spec', 'syncPolicy', 'syncOptions')).toEqual(
      expect.arrayContaining(['CreateNamespace=true', 'ServerSideApply=true']),
    );
    expect(field(app('prod'), 'spec', 'syncPolicy', 'retry')).toMatchObject({
      limit: 5,
      backoff: { factor: 2 },
    });
    expect(field(app('prod'), 'spec', 'source')).toEqual({
      repoURL: 'https://git.example.com/platform/mlflow-gitops.git',
      targetRevision: 'main',
      path: 'overlays/prod',
    });
  });

  it('ignores only the volumeClaimTemplates status, and only where PVCs are used', () => {
    expect(field(app('prod'), 'spec', 'ignoreDifferences')).toEqual([
      {
        group: 'apps',
        kind: 'StatefulSet',
        jqPathExpressions: ['.spec.volumeClaimTemplates[]?.status'],
      },
    ]);
    expect(field(app('dev'), 'spec', 'ignoreDifferences')).toBeUndefined();
  });

  it('limits the AppProject to the repository, the destinations and the cluster-scoped kinds of the stack', () => {
    const project = parse(tree.get('argocd/project.yaml') ?? '') as Json;
    expect(field(project, 'spec', 'sourceRepos')).toEqual([
      'https://git.example.com/platform/mlflow-gitops.git',
    ]);
    expect(field(project, 'spec', 'destinations')).toHaveLength(3);
    expect(field(project, 'spec', 'clusterResourceWhitelist')).toEqual([
      { group: '', kind: 'Namespace' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
    ]);
    const kustomization = parse(tree.get('argocd/kustomization.yaml') ?? '') as Json;
    expect(kustomization.resources).toEqual([
      'project.yaml',
      'applications/dev.yaml',
      'applications/staging.yaml',
      'applications/prod.yaml',
    ]);
    const root = parse(tree.get('argocd/bootstrap/root.yaml') ?? '') as Json;
    expect(field(root, 'spec', 'source', 'path')).toBe('argocd');
  });

  it('orders the sync: Namespace, then RBAC, then configuration, then workloads', () => {
    const wave = (text: string | undefined, kind: string): unknown => {
      const objects = parseAllDocuments(text ?? '').map((document) => document.toJS() as Json);
      const object = objects.find((candidate) => candidate.kind === kind);
      return field(object, 'metadata', 'annotations', 'argocd.argoproj.io/sync-wave');
    };
    expect(wave(tree.get('base/namespace.yaml'), 'Namespace')).toBe('-3');
    expect(wave(tree.get('base/prometheus.yaml'), 'ClusterRole')).toBe('-2');
    expect(wave(tree.get('base/prometheus.yaml'), 'ServiceAccount')).toBe('-2');
    expect(wave(tree.get('base/prometheus.yaml'), 'StatefulSet')).toBeUndefined();
    const overlay = parse(tree.get('overlays/prod/kustomization.yaml') ?? '') as Json;
    expect(field(overlay, 'configMapGenerator', 0, 'options', 'annotations')).toEqual({
      'argocd.argoproj.io/sync-wave': '-1',
    });
  });
});

describe('every delivery manifest against the Argo CD and Flux schemas', () => {
  it.each(['custom', 'flux', 'appset-list', 'appset-git'])(
    'environments-%s validates strictly with no finding',
    async (set) => {
      const tree = renderTree(
        await loadEnvironments({
          configDir: join(fixtures, `environments-${set}`),
          configDirRequired: true,
        }),
      );
      // The Flux fixtures keep the tree in monitoring/ of their repository (publish.path).
      const root = await writeTree(tree, set === 'flux' ? 'monitoring' : '');
      const folders = [...new Set([...tree.keys()].map((path) => path.split('/')[0] ?? ''))].filter(
        (folder) => folder === 'argocd' || folder === 'clusters',
      );
      const report = await validate({
        paths: folders.map((folder) => join(root, folder)),
        promtool: 'never',
      });
      expect(report.findings).toEqual([]);
      expect(report.summary.resources).toBeGreaterThan(0);
      const kinds = report.resources.map((result) => result.resource.kind);
      if (set === 'flux')
        expect(new Set(kinds)).toEqual(new Set(['GitRepository', 'Kustomization']));
      else expect(kinds).toContain('AppProject');
    },
  );
});

describe('validate catches a path typo in a delivery manifest', () => {
  it('in an Argo CD Application', async () => {
    const root = await writeTree(renderTree(environments({ dev: '', prod: '' })));
    const file = join(root, 'argocd/applications/prod.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('path: overlays/prod', 'path: overlays/prdo'),
    );
    const report = await validate({
      paths: [join(root, 'argocd')],
      displayRoot: root,
      promtool: 'never',
    });
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'delivery/path-not-found',
        file: 'argocd/applications/prod.yaml',
        path: 'spec.source.path',
        line: 19,
        hint: 'did you mean `overlays/prod`?',
      }),
    ]);
  });

  it('in a Flux Kustomization', async () => {
    const tree = renderTree(
      await loadEnvironments({
        configDir: join(fixtures, 'environments-flux'),
        configDirRequired: true,
      }),
    );
    const root = await writeTree(tree, 'monitoring');
    const file = join(root, 'clusters/nonprod/mlflow-monitoring/dev.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        './monitoring/overlays/dev',
        './monitoring/overlay/dev',
      ),
    );
    const report = await validate({
      paths: [join(root, 'clusters')],
      displayRoot: root,
      promtool: 'never',
    });
    expect(report.findings.map((finding) => [finding.code, finding.path, finding.file])).toEqual([
      ['delivery/path-not-found', 'spec.path', 'clusters/nonprod/mlflow-monitoring/dev.yaml'],
    ]);
  });
});

describe('settings across environments', () => {
  const problems = (
    files: Record<string, string>,
  ): { code: string; file?: string; keyPath?: string }[] => {
    try {
      environments(files);
      return [];
    } catch (error) {
      if (error instanceof InputError)
        return error.problems.map(({ code, file, keyPath }) => ({ code, file, keyPath }));
      throw error;
    }
  };

  it('Argo CD environments agree on the generator', () => {
    expect(problems({ dev: 'delivery: { argocd: { generator: list } }', prod: '' })).toEqual([
      {
        code: 'config/argocd-disagreement',
        file: 'environments/prod.yaml',
        keyPath: 'delivery.argocd.generator',
      },
    ]);
  });

  it('a git-directory ApplicationSet needs default namespaces, paths and one controller', () => {
    const git = 'delivery: { argocd: { generator: git-directory } }';
    expect(
      problems({ dev: git, prod: `namespace: monitoring\n${git}` }).map((item) => item.code),
    ).toEqual(['config/git-directory-namespace']);
    expect(
      problems({ dev: git, prod: 'delivery: { controller: flux }' }).map((item) => item.code),
    ).toEqual(['config/git-directory-mixed']);
    expect(
      problems({
        dev: git,
        prod: `delivery: { path: other/prod, argocd: { generator: git-directory } }`,
      }).map((item) => item.code),
    ).toEqual(['config/git-directory-path']);
  });

  it('Flux dependsOn names another Flux environment of the same cluster', () => {
    const flux = (extra: string): string => `delivery: { controller: flux${extra} }`;
    expect(
      problems({ dev: flux(', flux: { dependsOn: [dev] }') }).map((item) => item.code),
    ).toEqual(['config/depends-on-itself']);
    expect(problems({ dev: flux(', flux: { dependsOn: [qa] }') }).map((item) => item.code)).toEqual(
      ['config/unknown-dependency'],
    );
    expect(
      problems({
        dev: flux(', cluster: { name: a }'),
        prod: flux(', cluster: { name: b }, flux: { dependsOn: [dev] }'),
      }).map((item) => item.code),
    ).toEqual(['config/dependency-in-other-cluster']);
  });
});
