/**
 * The team's Grafana dashboards through `render` (issue 15, point 3): the real `kubectl
 * kustomize` build of the overlay holds them in their own ConfigMaps with the provisioned
 * datasource uid, the second provider (in its folder) beside ours, and the Grafana Deployment
 * mounting them; many or large dashboards are split into several ConfigMaps, each under the
 * size client-side apply accepts, always the same way; `gitops-gen validate` of the tree is
 * clean; a bad dashboard fails the render at its file:line and writes nothing.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  configMapDataBytes,
  maxAnnotationBytes,
  maxConfigMapBytes,
} from '../../src/grafana/index.js';
import {
  dashboardConfigMapBudget,
  goJsonBytes,
  packDashboards,
} from '../../src/render/overlay-dashboards.js';
import { buildKustomization, nodeFileSystem } from '../../src/kustomize/index.js';
import { runCli } from '../helpers/cli.js';
import {
  findObject,
  kubectlOutputTags,
  kustomizeBuild,
  type BuiltObject,
} from '../helpers/kubectl.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { exportedDashboard, plainDashboard } from './dashboard-samples.js';

const execFileAsync = promisify(execFile);

/** kubectl's objects read as the kustomize engine's tests read them (go-yaml v2 scalars). */
async function kubectlObjects(dir: string): Promise<unknown[]> {
  const { stdout } = await execFileAsync('kubectl', ['kustomize', dir], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(stdout, { version: '1.1', customTags: kubectlOutputTags })
    .map((document) => document.toJS() as unknown)
    .filter((object) => object !== null);
}

async function project(dev: string, files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  await writeFiles(root, {
    'environments/dev.yaml': dev,
    ...Object.fromEntries(
      Object.entries(files).map(([path, text]) => [`environments/${path}`, text]),
    ),
  });
  return root;
}

type PodSpec = {
  containers: { name: string; volumeMounts: { name: string; mountPath: string }[] }[];
  volumes: {
    name: string;
    configMap?: { name: string };
    projected?: { sources: { configMap: { name: string } }[] };
  }[];
};

const podSpec = (deployment: BuiltObject): PodSpec =>
  (deployment.spec as { template: { spec: PodSpec } }).template.spec;

/** A valid dashboard of about `panels` * 600 bytes, with its own uid. */
function largeDashboard(uid: string, panels: number): string {
  return `${JSON.stringify(
    {
      uid,
      title: `Large ${uid}`,
      schemaVersion: 39,
      panels: Array.from({ length: panels }, (_, index) => ({
        id: index + 1,
        type: 'timeseries',
        title: `Panel ${index} <requests> & errors`,
        description: 'x'.repeat(300),
        datasource: { type: 'prometheus', uid: 'prometheus' },
        targets: [
          { refId: 'A', expr: `sum(rate(prometheus_http_requests_total{code="${index}"}[5m]))` },
        ],
      })),
    },
    null,
    2,
  )}\n`;
}

describe('grafana.additionalDashboards (render)', () => {
  it('ships the dashboards, the provider in its folder and the mount; kubectl kustomize and validate agree', async () => {
    const root = await project(
      'grafana:\n  additionalDashboards:\n    - dashboards/*.json\n  dashboardFolder: Team ML\n',
      { 'dashboards/exported.json': exportedDashboard, 'dashboards/plain.json': plainDashboard },
    );
    const rendered = await runCli(['render'], root);
    expect(rendered.stderr).toBe('');
    expect(rendered.code).toBe(0);
    const overlay = join(root, 'overlays/dev');
    const kustomization = parse(await readFile(join(overlay, 'kustomization.yaml'), 'utf8')) as {
      patches: { path: string; target?: Record<string, string> }[];
    };
    // A patch entry of its own: other Grafana patches stay separate files.
    expect(kustomization.patches).toContainEqual({
      path: 'patches/grafana-team-dashboards.yaml',
      target: { kind: 'Deployment', name: 'grafana' },
    });

    const built = await kustomizeBuild(overlay);
    const dashboards = findObject(built, 'ConfigMap', 'grafana-team-dashboards-1-');
    const data = dashboards.data as Record<string, string>;
    expect(Object.keys(data)).toEqual(['exported.json', 'plain.json']);
    const exported = JSON.parse(data['exported.json'] ?? '{}') as Record<string, unknown>;
    expect(JSON.stringify(exported)).not.toContain('DS_PROMETHEUS');
    expect((exported.panels as { datasource: unknown }[])[0]?.datasource).toEqual({
      type: 'prometheus',
      uid: 'prometheus',
    });
    expect(JSON.parse(data['plain.json'] ?? '{}')).toEqual(JSON.parse(plainDashboard));
    expect(dashboards.metadata.namespace).toBe('mlflow-dev');

    // The second provider sits beside ours in the provisioning folder.
    const providers = findObject(built, 'ConfigMap', 'grafana-dashboard-provider-');
    const providerData = providers.data as Record<string, string>;
    expect(Object.keys(providerData).sort()).toEqual([
      'dashboard-provider.yaml',
      'team-dashboard-provider.yaml',
    ]);
    expect(parse(providerData['team-dashboard-provider.yaml'] ?? '')).toMatchObject({
      apiVersion: 1,
      providers: [
        {
          name: 'team',
          folder: 'Team ML',
          type: 'file',
          options: { path: '/etc/grafana/dashboards/team', foldersFromFilesStructure: false },
        },
      ],
    });
    expect(parse(providerData['dashboard-provider.yaml'] ?? '')).toMatchObject({
      providers: [{ name: 'mlflow', folder: 'MLflow' }],
    });

    const spec = podSpec(findObject(built, 'Deployment', 'grafana'));
    const grafana = spec.containers.find((container) => container.name === 'grafana');
    expect(grafana?.volumeMounts).toContainEqual({
      name: 'team-dashboards',
      mountPath: '/etc/grafana/dashboards/team',
      readOnly: true,
    });
    const volume = spec.volumes.find((item) => item.name === 'team-dashboards');
    expect(volume?.projected?.sources).toEqual([{ configMap: { name: dashboards.metadata.name } }]);
    const providerVolume = spec.volumes.find((item) => item.name === 'grafana-dashboard-provider');
    expect(providerVolume?.configMap?.name).toBe(providers.metadata.name);

    // The in-process engine that validate builds with gives kubectl's objects.
    const inProcess = await buildKustomization(overlay, nodeFileSystem());
    expect(inProcess.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(inProcess.resources.map((resource) => resource.object)).toStrictEqual(
      await kubectlObjects(overlay),
    );

    // Clean: a panel selecting `job=~"$job"` (a dashboard variable) names no job to check.
    const validated = await runCli(['validate', 'overlays/dev'], root);
    expect(validated.stdout).toMatch(/ 0 errors, 0 warnings/);
    expect(validated.code).toBe(0);
  }, 120_000);

  it('leaves other environments and the base as they were', async () => {
    const root = await project('grafana:\n  additionalDashboards: [plain.json]\n', {
      'plain.json': plainDashboard,
      'prod.yaml': '',
    });
    expect((await runCli(['render'], root)).code).toBe(0);
    expect(await readdir(join(root, 'overlays/prod/grafana'))).toEqual(['datasources.yaml']);
    expect(await readFile(join(root, 'base/grafana/dashboard-provider.yaml'), 'utf8')).not.toMatch(
      /team/,
    );
    const built = await kustomizeBuild(join(root, 'overlays/prod'));
    expect(built.some((object) => object.metadata.name.startsWith('grafana-team-'))).toBe(false);
  }, 120_000);

  it('splits many large dashboards into ConfigMaps under the limit, the same way every time', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 8 }, (_, index) => [
        `dashboards/large-${index}.json`,
        largeDashboard(`large-${index}`, 120),
      ]),
    );
    const root = await project('grafana:\n  additionalDashboards: [dashboards/*.json]\n', files);
    expect((await runCli(['render'], root)).code).toBe(0);
    const overlay = join(root, 'overlays/dev');
    const first = await readFile(join(overlay, 'kustomization.yaml'), 'utf8');
    const built = await kustomizeBuild(overlay);
    const configMaps = built
      .filter(
        (object) =>
          object.kind === 'ConfigMap' &&
          object.metadata.name.startsWith('grafana-team-dashboards-'),
      )
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(configMaps.length).toBeGreaterThan(1);
    const keys = configMaps.flatMap((configMap) => Object.keys(configMap.data as object));
    expect(keys).toEqual(Object.keys(files).map((path) => path.replace('dashboards/', '')));
    for (const configMap of configMaps) {
      const data = configMap.data as Record<string, string>;
      expect(configMapDataBytes(data)).toBeLessThanOrEqual(maxAnnotationBytes);
      // What client-side apply writes into last-applied-configuration: the whole object.
      expect(Buffer.byteLength(JSON.stringify(configMap))).toBeLessThan(maxAnnotationBytes);
    }
    const volume = podSpec(findObject(built, 'Deployment', 'grafana')).volumes.find(
      (item) => item.name === 'team-dashboards',
    );
    expect(volume?.projected?.sources.map((source) => source.configMap.name)).toEqual(
      configMaps.map((configMap) => configMap.metadata.name),
    );
    // Deterministic: a second render changes nothing.
    const again = await runCli(['render'], root);
    expect(again.code).toBe(0);
    expect(await readFile(join(overlay, 'kustomization.yaml'), 'utf8')).toBe(first);
    // validate's configMapSize check (the same limit) is silent.
    const validated = await runCli(['validate', 'overlays/dev'], root);
    expect(validated.stdout).toMatch(/ 0 errors, 0 warnings/);
    expect(validated.code).toBe(0);
  }, 120_000);

  it('removes a dashboard that leaves the environment file on the next render', async () => {
    const root = await project('grafana:\n  additionalDashboards: [a/*.json]\n', {
      'a/exported.json': exportedDashboard,
      'a/plain.json': plainDashboard,
    });
    expect((await runCli(['render'], root)).code).toBe(0);
    await writeFiles(root, {
      'environments/dev.yaml': 'grafana:\n  additionalDashboards: [a/plain.json]\n',
    });
    expect((await runCli(['render'], root)).code).toBe(0);
    const folder = join(root, 'overlays/dev/grafana/team-dashboards');
    expect(await readdir(folder)).toEqual(['plain.json']);
    await writeFiles(root, { 'environments/dev.yaml': '' });
    expect((await runCli(['render'], root)).code).toBe(0);
    await expect(readdir(folder)).rejects.toThrow(/ENOENT/);
    const built = await kustomizeBuild(join(root, 'overlays/dev'));
    expect(built.some((object) => object.metadata.name.startsWith('grafana-team-'))).toBe(false);
  }, 120_000);

  it('fails at the dashboard file line, exit 2, and leaves the previous tree as it was', async () => {
    const root = await project('grafana:\n  additionalDashboards: [plain.json]\n', {
      'plain.json': plainDashboard,
    });
    expect((await runCli(['render'], root)).code).toBe(0);
    const before = await readFile(join(root, 'overlays/dev/kustomization.yaml'), 'utf8');
    await writeFiles(root, {
      'environments/plain.json': plainDashboard.replace(
        '"uid": "prometheus" }',
        '"uid": "thanos" }',
      ),
    });
    const result = await runCli(['render'], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/plain\.json:10:52/);
    expect(result.stderr).toMatch(/datasource uid "thanos" is not provisioned/);
    expect(await readFile(join(root, 'overlays/dev/kustomization.yaml'), 'utf8')).toBe(before);
  }, 120_000);

  it('refuses a dashboard larger than a ConfigMap can hold (1 MiB)', async () => {
    const root = await project('grafana:\n  additionalDashboards: [huge.json]\n', {
      'huge.json': largeDashboard('huge', 2200),
    });
    const result = await runCli(['render'], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/huge\.json:1:1/);
    expect(result.stderr).toMatch(/grafana\/dashboard-too-large|at most 1048576 bytes/);
  }, 120_000);
});

describe('packing dashboards into ConfigMaps', () => {
  const dashboard = (key: string, bytes: number) => ({ key, text: 'a'.repeat(bytes) });

  it('fills ConfigMaps in key order and starts a new one when the next does not fit', () => {
    const packed = packDashboards([
      dashboard('a.json', 100_000),
      dashboard('b.json', 100_000),
      dashboard('c.json', 100_000),
    ]);
    expect(packed.map((configMap) => [configMap.name, configMap.keys])).toEqual([
      ['grafana-team-dashboards-1', ['a.json', 'b.json']],
      ['grafana-team-dashboards-2', ['c.json']],
    ]);
    for (const configMap of packed)
      expect(configMap.jsonBytes).toBeLessThanOrEqual(dashboardConfigMapBudget);
  });

  it('gives a dashboard over the budget a ConfigMap of its own', () => {
    const packed = packDashboards([
      dashboard('a.json', 10),
      dashboard('big.json', dashboardConfigMapBudget + 10),
      dashboard('c.json', 10),
    ]);
    expect(packed.map((configMap) => configMap.keys)).toEqual([
      ['a.json'],
      ['big.json'],
      ['c.json'],
    ]);
    expect(dashboardConfigMapBudget).toBeLessThan(maxConfigMapBytes);
  });

  it("counts bytes as Go's encoding/json writes them (HTML-safe escapes)", () => {
    expect(goJsonBytes('abc')).toBe(5);
    expect(goJsonBytes('a"b\n')).toBe(8);
    // <, > and & become \u003c, \u003e, \u0026; U+2028 becomes \u2028.
    expect(goJsonBytes('<&>')).toBe(2 + 18);
    expect(goJsonBytes('\u2028')).toBe(2 + 6);
    expect(goJsonBytes('é')).toBe(2 + 2);
  });
});
