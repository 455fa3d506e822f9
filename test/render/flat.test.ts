/**
 * The spec's flat layout (`render --layout flat --env prod`): its files against golden copies,
 * its objects against `kubectl kustomize` of the same environment's overlay, `validate` clean,
 * and the usage errors. UPDATE_GOLDEN=1 rewrites the golden files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { flatFiles } from '../../src/render/flat.js';
import { runCli } from '../helpers/cli.js';
import { kustomizeBuild } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp.js';

const golden = join(import.meta.dirname, '..', 'fixtures', 'golden-flat', 'prod');
const update = process.env.UPDATE_GOLDEN === '1';

let flat: string;
let tree: string;

beforeAll(async () => {
  flat = await tempDir();
  tree = await tempDir();
  const result = await runCli(['render', '--layout', 'flat', '--env', 'prod'], flat);
  expect(result.code, result.stderr).toBe(0);
  expect((await runCli(['render'], tree)).code).toBe(0);
});

const objectsOf = async (file: string): Promise<unknown[]> =>
  parseAllDocuments(await readFile(join(flat, file), 'utf8')).map(
    (document) => document.toJS() as unknown,
  );

describe('render --layout flat --env prod', () => {
  it.each(Object.values(flatFiles))('writes %s as its golden copy', async (file) => {
    const text = await readFile(join(flat, file), 'utf8');
    const goldenFile = join(golden, file);
    if (update) {
      await mkdir(dirname(goldenFile), { recursive: true });
      await writeFile(goldenFile, text);
    }
    expect(text).toBe(await readFile(goldenFile, 'utf8'));
  });

  it('holds exactly the objects of `kubectl kustomize overlays/prod`, in its order', async () => {
    const built = await kustomizeBuild(join(tree, 'overlays', 'prod'));
    const config = await objectsOf(flatFiles.config);
    const deployment = await objectsOf(flatFiles.deployment);
    const kinds = (objects: unknown[]) =>
      objects.map((object) => (object as { kind: string }).kind);
    // The spec applies prometheus-config.yaml first: it brings the Namespace.
    expect(kinds(config)).toEqual(['Namespace', 'ConfigMap']);
    const byName = (object: unknown) => {
      const { kind, metadata } = object as { kind: string; metadata: { name: string } };
      return `${kind}/${metadata.name}`;
    };
    const sort = (objects: unknown[]) =>
      [...objects].sort((a, b) => byName(a).localeCompare(byName(b)));
    expect(sort([...config, ...deployment])).toEqual(sort(built));
    expect(built.length).toBeGreaterThan(20);
  });

  it('writes the dashboard the overlay provisions, for import through the Grafana UI', async () => {
    const built = await kustomizeBuild(join(tree, 'overlays', 'prod'));
    const configMap = built.find(
      (object) =>
        object.kind === 'ConfigMap' && object.metadata.name.startsWith('grafana-dashboards-'),
    ) as { data: Record<string, string> } | undefined;
    const file = await readFile(join(flat, flatFiles.dashboard), 'utf8');
    expect(file).toBe(configMap?.data['mlflow-monitoring-dashboard.json']);
    const dashboard = JSON.parse(file) as { uid: string; panels: unknown[] };
    expect(dashboard.uid).toBe('mlflow-monitoring');
    expect(dashboard.panels.length).toBeGreaterThan(10);
  });

  it('validates clean but for the NodePort of the unauthenticated prod Prometheus, folder and files alike', async () => {
    for (const paths of [['k8s/monitoring'], [flatFiles.config, flatFiles.deployment]]) {
      const result = await runCli(['validate', ...paths], flat);
      expect(result.stdout).toMatch(/\n\d+ resources, \d+ valid, 0 invalid, 0 errors, 1 warning,/);
      expect(result.stdout.match(/ {2}\d+:\d+ +warning .*$/gm)).toEqual([
        expect.stringMatching(
          /warning spec\.ports\[0\]: Service "prometheus" \(NodePort\) in prod namespace mlflow-prod exposes Prometheus .* policy\/unauthenticated-exposure$/,
        ),
      ]);
      expect(result.code).toBe(0);
    }
  });

  it('--check finds it up to date, then a hand edit', async () => {
    const argv = ['render', '--layout', 'flat', '--env', 'prod', '--check'];
    expect((await runCli(argv, flat)).code).toBe(0);
    await writeFile(join(flat, flatFiles.config), 'edited: true\n');
    const result = await runCli(argv, flat);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`changed  ${flatFiles.config}`);
  });

  it.each([
    [['render', '--layout', 'flat']],
    [['render', '--layout', 'flat', '--env', 'dev', '--env', 'prod']],
  ])('%j is a usage error: the flat layout holds one environment', async (argv) => {
    const result = await runCli(argv, await tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: the flat layout holds one environment\n  hint: name it with --env, such as `gitops-gen render --layout flat --env prod`\n',
    );
  });
});
