/**
 * Integration with the real tools: the team's scrape jobs merged into an overlay's
 * prometheus.yml pass `promtool check config` (discovery made static, as in promtool.test.ts:
 * Debian's promtool has no Kubernetes discovery), and an overlay with node-exporter,
 * kube-state-metrics and Grafana disabled builds with `kubectl kustomize` without any of their
 * objects, with the team's Secret mounted into Prometheus, while another environment of the same
 * tree keeps them all.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import { withStaticTargets, type PrometheusFile } from '../helpers/prometheus-files.js';
import { renderEnvironments } from '../helpers/render.js';
import { tempDir } from '../helpers/temp.js';
import { runTool } from '../helpers/tools.js';

const teamJobs = [
  'prometheus:',
  '  secretMounts: [team-scrape]',
  '  additionalScrapeConfigs:',
  '    - job_name: team-api',
  '      scrape_interval: 30s',
  '      scheme: https',
  '      basic_auth: { username: scraper, password_file: /etc/prometheus/secrets/team-scrape/password }',
  '      static_configs: [{ targets: ["api.team.svc:8443"], labels: { team: api } }]',
  '      metric_relabel_configs:',
  '        - { source_labels: [__name__], regex: "go_gc_.*", action: drop }',
  '    - job_name: team-pods',
  '      kubernetes_sd_configs: [{ role: pod, namespaces: { names: [team] } }]',
  '      relabel_configs:',
  '        - { source_labels: [__meta_kubernetes_pod_label_app], regex: "api|worker", action: keep }',
  '    - job_name: team-files',
  '      file_sd_configs: [{ files: [/etc/prometheus/targets/*.json], refresh_interval: 1m }]',
  '    - job_name: team-dns',
  '      dns_sd_configs: [{ names: [db.team.internal], type: A, port: 9187 }]',
  '    - job_name: team-http',
  '      http_sd_configs: [{ url: "http://inventory.team.svc/targets" }]',
  '    - job_name: cluster-nodes',
  '      static_configs: [{ targets: ["node-exporter.kube-system.svc:9100"] }]',
];

const environments = {
  team: [...teamJobs, ''].join('\n'),
  lean: [
    ...teamJobs,
    'nodeExporter: { enabled: false, job: cluster-nodes }',
    'kubeStateMetrics: { enabled: false }',
    'grafana: { enabled: false }',
    '',
  ].join('\n'),
  full: '',
};

let root: string;
let scratch: string;

beforeAll(async () => {
  root = await renderEnvironments(environments);
  scratch = await tempDir('gitops-gen-scrape-');
});

const prometheusFile = async (environment: string): Promise<PrometheusFile> =>
  parse(
    await readFile(join(root, 'overlays', environment, 'prometheus', 'prometheus.yml'), 'utf8'),
  ) as PrometheusFile;

describe('promtool check config on a prometheus.yml with the team jobs', () => {
  it.each(['team', 'lean'])('accepts overlays/%s/prometheus/prometheus.yml', async (name) => {
    const original = await prometheusFile(name);
    const jobs = original.scrape_configs.map((job) => job.job_name);
    expect(jobs.slice(-6)).toEqual([
      'team-api',
      'team-pods',
      'team-files',
      'team-dns',
      'team-http',
      'cluster-nodes',
    ]);
    const { config } = withStaticTargets(original, {
      targetsOf: () => ({ targets: ['127.0.0.1:9'] }),
    });
    const file = join(scratch, `${name}-prometheus.yml`);
    await writeFile(file, stringify(config), 'utf8');
    const result = await runTool('promtool', ['check', 'config', '--syntax-only', file], scratch);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS/);
  });

  it('refuses the same file with a job name of ours added twice (what the config stage prevents)', async () => {
    const original = await prometheusFile('team');
    const { config } = withStaticTargets(original, {
      targetsOf: () => ({ targets: ['127.0.0.1:9'] }),
    });
    config.scrape_configs.push({ ...config.scrape_configs[0], job_name: 'node-exporter' });
    const file = join(scratch, 'duplicate-prometheus.yml');
    await writeFile(file, stringify(config), 'utf8');
    const result = await runTool('promtool', ['check', 'config', '--syntax-only', file], scratch);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/found multiple scrape configs with job name "node-exporter"/);
  });
});

describe('the DNS discovery rule the config stage enforces is promtool own', () => {
  it('promtool refuses an A-record DNS-SD config without a port, as resolve-scrape.ts does', async () => {
    const file = join(scratch, 'dns-prometheus.yml');
    await writeFile(
      file,
      stringify({
        scrape_configs: [
          { job_name: 'db', dns_sd_configs: [{ names: ['db.internal'], type: 'A' }] },
        ],
      }),
      'utf8',
    );
    const result = await runTool('promtool', ['check', 'config', '--syntax-only', file], scratch);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(
      /a port is required in DNS-SD configs for all record types except SRV/,
    );
  });
});

describe('promtool on the alerts of an environment with the cluster own exporters', () => {
  it('checks and passes the generated rule tests, node alerts reading the team job', async () => {
    const folder = join(root, 'overlays', 'lean', 'prometheus');
    const check = await runTool('promtool', ['check', 'rules', 'alert-rules.yml'], folder);
    expect(check.code, check.output).toBe(0);
    const tests = await runTool('promtool', ['test', 'rules', 'alert-rules.test.yml'], folder);
    expect(tests.code, tests.output).toBe(0);
    expect(await readFile(join(folder, 'alert-rules.test.yml'), 'utf8')).toContain(
      'job="cluster-nodes"',
    );
  });
});

const named = (objects: BuiltObject[], pattern: RegExp): string[] =>
  objects
    .filter((object) => pattern.test(object.metadata.name))
    // Generated ConfigMaps carry a content hash: compare their generator names.
    .map((object) => `${object.kind}/${object.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`);

describe('kubectl kustomize of an overlay with components disabled', () => {
  it('builds without node-exporter, kube-state-metrics and Grafana objects', async () => {
    const objects = await kustomizeBuild(join(root, 'overlays', 'lean'));
    expect(named(objects, /node-exporter|kube-state-metrics|grafana/)).toEqual([]);
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    expect(objects.map((object) => object.kind)).toContain('StatefulSet');
    const prometheus = objects.find(
      (object) => object.kind === 'StatefulSet' && object.metadata.name === 'prometheus',
    );
    const text = JSON.stringify(prometheus);
    expect(text).toContain('"secretName":"team-scrape"');
    expect(text).toContain('"mountPath":"/etc/prometheus/secrets/team-scrape"');
    const config = await prometheusFile('lean');
    const jobs = config.scrape_configs.map((job) => job.job_name);
    expect(jobs).not.toContain('node-exporter');
    expect(jobs).not.toContain('kube-state-metrics');
    const rules = await readFile(
      join(root, 'overlays', 'lean', 'prometheus', 'alert-rules.yml'),
      'utf8',
    );
    expect(rules).not.toContain('kube_');
    expect(rules).toContain('job="cluster-nodes"');
  });

  it('keeps them all in the other environments of the same tree', async () => {
    const objects = await kustomizeBuild(join(root, 'overlays', 'full'));
    expect(named(objects, /node-exporter|kube-state-metrics|grafana/).sort()).toEqual(
      [
        'ClusterRole/mlflow-full-kube-state-metrics',
        'ClusterRoleBinding/mlflow-full-kube-state-metrics',
        'ConfigMap/grafana-dashboard-provider',
        'ConfigMap/grafana-dashboards',
        'ConfigMap/grafana-datasources',
        'DaemonSet/node-exporter',
        'Deployment/grafana',
        'Deployment/kube-state-metrics',
        'Service/grafana',
        'Service/kube-state-metrics',
        'Service/node-exporter',
        'ServiceAccount/kube-state-metrics',
        'ServiceAccount/node-exporter',
      ].sort(),
    );
  });
});
