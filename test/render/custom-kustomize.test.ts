/**
 * The kustomize escape hatch (`kustomize.resources` and `kustomize.patches`) through `render`:
 * files copied into overlays/<env>/custom/ and referenced, the real `kubectl kustomize` build
 * holding the team's object and patched fields, and every bad input an input error at file:line
 * (exit 2) that leaves the previous tree as it was.
 */
import { readFile, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findObject, kustomizeBuild } from '../helpers/kubectl.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: team-settings
data:
  owner: ml-platform
`;

const servicePatch = `apiVersion: v1
kind: Service
metadata:
  name: grafana
  namespace: mlflow-monitoring
  annotations:
    team.example.com/owner: ml-platform
`;

const replicasJsonPatch = `- op: replace
  path: /spec/replicas
  value: 3
`;

const labelsPatch = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: anything
  labels:
    team.example.com/patched: "yes"
`;

const devFile = `kustomize:
  resources:
    - kustomize/dev/*.yaml
  patches:
    - path: patches/grafana-service.yaml
    - path: patches/grafana-replicas.yaml
      target:
        kind: Deployment
        name: grafana
    - path: patches/labels.yaml
      target:
        kind: Deployment
        labelSelector: app.kubernetes.io/name=grafana
`;

/** A folder with environments/ (dev with custom material) and the tree rendered into it. */
async function project(
  dev = devFile,
  extra: Record<string, string> = {},
): Promise<{ root: string; environments: string }> {
  const root = await tempDir();
  await writeFiles(root, {
    'environments/dev.yaml': dev,
    'environments/kustomize/dev/team-settings.yaml': configMap,
    'environments/patches/grafana-service.yaml': servicePatch,
    'environments/patches/grafana-replicas.yaml': replicasJsonPatch,
    'environments/patches/labels.yaml': labelsPatch,
    ...extra,
  });
  return { root, environments: join(root, 'environments') };
}

/** Every file below `root` with its text. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    result[path.slice(root.length + 1)] = await readFile(path, 'utf8');
  }
  return result;
}

describe('kustomize.resources and kustomize.patches', () => {
  it('copies the files into custom/, references them, and kubectl kustomize applies them', async () => {
    const { root } = await project();
    const result = await runCli(['render'], root);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const overlay = join(root, 'overlays/dev');
    expect(await readFile(join(overlay, 'custom/kustomize/dev/team-settings.yaml'), 'utf8')).toBe(
      configMap,
    );
    expect(await readFile(join(overlay, 'custom/patches/grafana-replicas.yaml'), 'utf8')).toBe(
      replicasJsonPatch,
    );
    const kustomization = parse(await readFile(join(overlay, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
      patches: { path: string; target?: Record<string, string> }[];
    };
    expect(kustomization.resources.at(-1)).toBe('custom/kustomize/dev/team-settings.yaml');
    expect(kustomization.patches.slice(-3)).toEqual([
      { path: 'custom/patches/grafana-service.yaml' },
      {
        path: 'custom/patches/grafana-replicas.yaml',
        target: { kind: 'Deployment', name: 'grafana' },
      },
      {
        path: 'custom/patches/labels.yaml',
        target: { kind: 'Deployment', labelSelector: 'app.kubernetes.io/name=grafana' },
      },
    ]);

    const built = await kustomizeBuild(overlay);
    const settings = findObject(built, 'ConfigMap', 'team-settings');
    expect(settings.metadata.namespace).toBe('mlflow-dev');
    expect(settings.data).toEqual({ owner: 'ml-platform' });
    const service = findObject(built, 'Service', 'grafana');
    expect(service.metadata.annotations?.['team.example.com/owner']).toBe('ml-platform');
    const deployment = findObject(built, 'Deployment', 'grafana');
    expect((deployment.spec as { replicas: number }).replicas).toBe(3);
    expect(deployment.metadata.labels?.['team.example.com/patched']).toBe('yes');
    // Other environments are untouched.
    await expect(readdir(join(root, 'overlays/prod/custom'))).rejects.toThrow(/ENOENT/);
  }, 60_000);
});

/**
 * Renders the good project, then renders again with `dev` (and `files`) changed: the second
 * render must fail with exit 2 and leave every file of the tree as the first one wrote it.
 */
async function failingRender(
  dev: string,
  files: Record<string, string> = {},
): Promise<{ stderr: string; root: string }> {
  const { root } = await project();
  expect((await runCli(['render'], root)).code).toBe(0);
  const before = await snapshot(root);
  await writeFiles(root, { 'environments/dev.yaml': dev, ...files });
  const changed = await snapshot(root);
  const result = await runCli(['render'], root);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  // Nothing half-written: the tree is exactly as before (only the inputs changed).
  const after = await snapshot(root);
  expect(after).toEqual(changed);
  for (const [path, text] of Object.entries(before)) {
    if (!path.startsWith('environments/')) expect(after[path]).toBe(text);
  }
  return { stderr: result.stderr, root };
}

describe('kustomize key errors: exit 2 at file:line, the previous tree unchanged', () => {
  it('a patch target that matches nothing, at the target key', async () => {
    const { stderr } = await failingRender(
      [
        'kustomize:',
        '  patches:',
        '    - path: patches/grafana-replicas.yaml',
        '      target:',
        '        kind: Deployment',
        '        name: grafana-typo',
        '',
      ].join('\n'),
    );
    expect(stderr).toContain(
      'environments/dev.yaml:5:9: kustomize.patches.0.target: patches/grafana-replicas.yaml (patch of overlays/dev): the patch target',
    );
    expect(stderr).toContain('matches no object, so the patch does nothing');
  }, 60_000);

  it('a strategic merge patch without a target that matches nothing (wrong namespace)', async () => {
    const { stderr } = await failingRender(
      ['kustomize:', '  patches:', '    - path: patches/other.yaml', ''].join('\n'),
      {
        'environments/patches/other.yaml': servicePatch.replace('mlflow-monitoring', 'mlflow-dev'),
      },
    );
    expect(stderr).toContain(
      'environments/dev.yaml:3:7: kustomize.patches.0: patches/other.yaml (patch of overlays/dev): the patch for Service/mlflow-dev/grafana matches no object',
    );
    expect(stderr).toContain('matches no object');
  }, 60_000);

  it('bad YAML in a resource file, at the line of that file', async () => {
    // kubectl kustomize: "line 7: mapping key "owner" already defined at line 6".
    const { stderr } = await failingRender(devFile, {
      'environments/kustomize/dev/team-settings.yaml': `${configMap}  owner: twice\n`,
    });
    expect(stderr).toContain(
      'environments/kustomize/dev/team-settings.yaml:7:3: kustomize/dev/team-settings.yaml is not valid YAML: Map keys must be unique',
    );
  }, 60_000);

  it('a resource that is not a Kubernetes object, at its document', async () => {
    const { stderr } = await failingRender(devFile, {
      'environments/kustomize/dev/team-settings.yaml': `${configMap}---\napiVersion: v1\nkind: Secret\ndata: {}\n`,
    });
    expect(stderr).toContain(
      `environments/kustomize/dev/team-settings.yaml:8:1: document 2 of kustomize/dev/team-settings.yaml (Secret) has no metadata.name`,
    );
  }, 60_000);

  it('a path outside the environments folder, at the key', async () => {
    const { stderr } = await failingRender(
      ['kustomize:', '  resources:', '    - ../outside.yaml', ''].join('\n'),
      { 'outside.yaml': configMap },
    );
    expect(stderr).toContain(
      'environments/dev.yaml:3:7: kustomize.resources.0: "../outside.yaml" leaves the environments folder',
    );
  }, 60_000);

  it('a symbolic link, at the key', async () => {
    const { root } = await project();
    expect((await runCli(['render'], root)).code).toBe(0);
    const before = await snapshot(join(root, 'overlays'));
    await writeFiles(root, { 'secret/elsewhere.yaml': configMap });
    await symlink(join(root, 'secret/elsewhere.yaml'), join(root, 'environments/linked.yaml'));
    await writeFiles(root, {
      'environments/dev.yaml': ['kustomize:', '  resources:', '    - linked.yaml', ''].join('\n'),
    });
    const result = await runCli(['render'], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('environments/dev.yaml:3:7: kustomize.resources.0:');
    expect(result.stderr).toContain('is a symbolic link');
    expect(await snapshot(join(root, 'overlays'))).toEqual(before);
  }, 60_000);

  it('a glob that matches nothing, at the key', async () => {
    const { stderr } = await failingRender(
      ['kustomize:', '  resources:', '    - kustomize/prod/*.yaml', ''].join('\n'),
    );
    expect(stderr).toContain(
      'environments/dev.yaml:3:7: kustomize.resources.0: "kustomize/prod/*.yaml" matches no file',
    );
  }, 60_000);

  it('a JSON 6902 patch without a target, at the key', async () => {
    const { stderr } = await failingRender(
      ['kustomize:', '  patches:', '    - path: patches/grafana-replicas.yaml', ''].join('\n'),
    );
    expect(stderr).toContain(
      'environments/dev.yaml:3:13: kustomize.patches.0.path: patches/grafana-replicas.yaml is a JSON 6902 patch, which applies only to a target',
    );
  }, 60_000);

  it('a JSON 6902 operation that does not resolve on its target', async () => {
    const { stderr } = await failingRender(
      [
        'kustomize:',
        '  patches:',
        '    - path: patches/bad-op.yaml',
        '      target: {kind: Deployment, name: grafana}',
        '',
      ].join('\n'),
      {
        'environments/patches/bad-op.yaml':
          '- op: replace\n  path: /spec/nothing/here\n  value: 1\n',
      },
    );
    // kubectl kustomize refuses it too ("replace operation does not apply: doc is missing path").
    expect(stderr).toContain(
      'environments/dev.yaml:4:15: kustomize.patches.0.target: patches/bad-op.yaml (patch of overlays/dev): replace operation does not apply: doc is missing path: /spec/nothing/here',
    );
  }, 60_000);

  it('an ill-formed JSON patch operation, at its line', async () => {
    const { stderr } = await failingRender(devFile, {
      'environments/patches/grafana-replicas.yaml': '- op: replace\n  value: 3\n',
    });
    expect(stderr).toContain(
      `environments/patches/grafana-replicas.yaml:1:3: patches/grafana-replicas.yaml: a JSON patch operation needs an op`,
    );
  }, 60_000);

  it('a strategic merge patch without kind and name', async () => {
    const { stderr } = await failingRender(devFile, {
      'environments/patches/grafana-service.yaml': 'metadata:\n  annotations: {a: b}\n',
    });
    expect(stderr).toContain(
      'environments/dev.yaml:5:7: kustomize.patches.0: patches/grafana-service.yaml (patch of overlays/dev): a strategic merge patch needs a kind and a metadata.name',
    );
  }, 60_000);
});
