/**
 * Every tuning knob of the spec's "Performance Tuning", "High Memory Usage" and "Data Retention"
 * sections, set in an environment file, reaches what the cluster gets: checked on the real
 * `kubectl kustomize` build of the overlay.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { findObject, kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import { renderEnvironments } from '../helpers/render.js';

const environment = [
  'tier: staging',
  'prometheus:',
  '  scrapeInterval: 30s',
  '  jobScrapeIntervals: { node-exporter: 1m }',
  '  retention: { time: 365d, size: 15GB }',
  '  query: { maxSamples: 10000000, timeout: 5m }',
  '  resources:',
  '    requests: { cpu: 500m, memory: 2Gi }',
  '    limits: { cpu: 2000m, memory: 4Gi }',
  '  storage: { type: pvc, size: 20Gi, storageClass: fast-ssd }',
  '  dropMetrics:',
  "    - { regex: 'node_(network|netdev|softnet).*' }",
  'mlflow: { scrapeInterval: 5s }',
  'modelServer: { scrapeInterval: 20s }',
  '',
].join('\n');

interface Container {
  args: string[];
  resources: unknown;
}

interface ScrapeJob {
  job_name: string;
  scrape_interval?: string;
  metric_relabel_configs?: unknown[];
}

let objects: BuiltObject[];

beforeAll(async () => {
  const root = await renderEnvironments({ tuned: environment });
  objects = await kustomizeBuild(join(root, 'overlays', 'tuned'));
});

function prometheusContainer(): Container {
  const statefulSet = findObject(objects, 'StatefulSet', 'prometheus') as unknown as {
    spec: { template: { spec: { containers: Container[] } } };
  };
  const [container] = statefulSet.spec.template.spec.containers;
  if (!container) throw new Error('no Prometheus container');
  return container;
}

function prometheusYaml(): { global: { scrape_interval: string }; scrape_configs: ScrapeJob[] } {
  const configMap = findObject(objects, 'ConfigMap', 'prometheus-config') as unknown as {
    data: Record<string, string>;
  };
  return parse(configMap.data['prometheus.yml'] ?? '') as ReturnType<typeof prometheusYaml>;
}

const job = (name: string): ScrapeJob | undefined =>
  prometheusYaml().scrape_configs.find((scrape) => scrape.job_name === name);

describe('the spec’s tuning knobs reach the built manifests', () => {
  it('retention time and size become the TSDB flags', () => {
    expect(prometheusContainer().args).toEqual(
      expect.arrayContaining([
        '--storage.tsdb.retention.time=365d',
        '--storage.tsdb.retention.size=15GB',
      ]),
    );
  });

  it('the query limits become --query.max-samples and --query.timeout', () => {
    expect(prometheusContainer().args).toEqual(
      expect.arrayContaining(['--query.max-samples=10000000', '--query.timeout=5m']),
    );
  });

  it('requests and limits land on the Prometheus container', () => {
    expect(prometheusContainer().resources).toEqual({
      requests: { cpu: '500m', memory: '2Gi' },
      limits: { cpu: '2000m', memory: '4Gi' },
    });
  });

  it('persistent storage replaces the emptyDir with a volume claim', () => {
    const statefulSet = JSON.stringify(findObject(objects, 'StatefulSet', 'prometheus'));
    expect(statefulSet).toContain('"volumeClaimTemplates"');
    expect(statefulSet).toContain('"storageClassName":"fast-ssd"');
    expect(statefulSet).toContain('"storage":"20Gi"');
    expect(statefulSet).not.toContain('"emptyDir":{"sizeLimit"');
  });

  it('the global and per-job scrape intervals land in prometheus.yml', () => {
    expect(prometheusYaml().global.scrape_interval).toBe('30s');
    expect(job('mlflow-server')?.scrape_interval).toBe('5s');
    expect(job('model-server')?.scrape_interval).toBe('20s');
    expect(job('node-exporter')?.scrape_interval).toBe('1m');
    expect(job('kube-state-metrics')?.scrape_interval).toBeUndefined();
  });

  it('the metric drop rule lands in every job as metric_relabel_configs', () => {
    for (const scrape of prometheusYaml().scrape_configs) {
      expect(scrape.metric_relabel_configs, scrape.job_name).toEqual([
        { source_labels: ['__name__'], regex: 'node_(network|netdev|softnet).*', action: 'drop' },
      ]);
    }
  });
});
