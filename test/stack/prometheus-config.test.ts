/**
 * Unit: `prometheus.yml` of one environment, as built by the stack (before any YAML is written).
 */
import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../../src/config/index.js';
import { durationToMs } from '../../src/config/units.js';
import {
  buildPrometheusConfig,
  replicaLabel,
  type PrometheusConfig,
  type RelabelConfig,
  type ScrapeConfig,
} from '../../src/stack/prometheus-config.js';
import { builtIn, environmentFromFile, prometheusRegex } from './environment.js';

const specJobs = [
  'mlflow-server',
  'model-server',
  'prometheus',
  'kubernetes-apiservers',
  'kubernetes-nodes',
  'kubernetes-pods',
];
const extraJobs = ['kubernetes-cadvisor', 'node-exporter', 'kube-state-metrics'];

function job(config: PrometheusConfig, name: string): ScrapeConfig {
  const found = config.scrape_configs.find((candidate) => candidate.job_name === name);
  if (!found) throw new Error(`no scrape job ${name}`);
  return found;
}

/** What Prometheus uses: the job's own interval and timeout, else the global ones. */
function effective(config: PrometheusConfig, scrape: ScrapeConfig): [number, number] {
  const interval = scrape.scrape_interval ?? config.global.scrape_interval;
  const timeout = scrape.scrape_timeout ?? config.global.scrape_timeout;
  return [durationToMs(interval), durationToMs(timeout)];
}

function expectTimeoutsWithinIntervals(config: PrometheusConfig): void {
  const { global } = config;
  expect(durationToMs(global.scrape_timeout)).toBeLessThanOrEqual(
    durationToMs(global.scrape_interval),
  );
  for (const scrape of config.scrape_configs) {
    const [interval, timeout] = effective(config, scrape);
    expect(timeout, scrape.job_name).toBeGreaterThan(0);
    expect(timeout, scrape.job_name).toBeLessThanOrEqual(interval);
  }
}

function namespacesOf(scrape: ScrapeConfig): (string[] | undefined)[] {
  return (scrape.kubernetes_sd_configs ?? []).map((sd) => sd.namespaces?.names);
}

/** The `drop` rule of kubernetes-pods that skips the pods of the dedicated jobs. */
function dedicatedPodsDrop(config: PrometheusConfig): RegExp {
  const rule = job(config, 'kubernetes-pods').relabel_configs?.find(
    (candidate: RelabelConfig) => candidate.action === 'drop' && candidate.regex?.includes(';'),
  );
  expect(rule?.source_labels).toEqual([
    '__meta_kubernetes_namespace',
    '__meta_kubernetes_pod_annotation_prometheus_io_port',
  ]);
  return prometheusRegex(rule?.regex ?? '');
}

function keptValue(scrape: ScrapeConfig, sourceLabel: string): string | undefined {
  return scrape.relabel_configs?.find(
    (rule) =>
      rule.action === 'keep' &&
      rule.source_labels?.length === 1 &&
      rule.source_labels[0] === sourceLabel,
  )?.regex;
}

describe.each(builtIn.map((environment) => [environment.name, environment] as const))(
  'buildPrometheusConfig(%s)',
  (name, environment: EnvironmentConfig) => {
    const config = buildPrometheusConfig(environment);

    it('has the six jobs of the spec plus cAdvisor, node-exporter and kube-state-metrics', () => {
      const names = config.scrape_configs.map((scrape) => scrape.job_name);
      const alertmanager = environment.alertmanager.enabled ? ['alertmanager'] : [];
      expect([...names].sort()).toEqual([...specJobs, ...extraJobs, ...alertmanager].sort());
      expect(new Set(names).size).toBe(names.length);
    });

    it('notifies every Alertmanager pod of its own namespace when Alertmanager is on', () => {
      expect(environment.alertmanager.enabled).toBe(name !== 'dev');
      const targets = config.alerting.alertmanagers ?? [];
      if (!environment.alertmanager.enabled) {
        expect(targets).toEqual([]);
        return;
      }
      expect(targets).toHaveLength(1);
      const [target] = targets;
      expect(target?.api_version).toBe('v2');
      expect(target?.kubernetes_sd_configs).toEqual([
        { role: 'endpointslice', namespaces: { names: [environment.namespace] } },
      ]);
      expect(
        target?.relabel_configs?.find(
          (rule) => rule.source_labels?.[0] === '__meta_kubernetes_service_name',
        )?.regex,
      ).toBe('alertmanager');
      expect(config.alerting.alert_relabel_configs).toEqual([
        { action: 'labeldrop', regex: 'replica' },
      ]);
    });

    it('scrapes MLflow and the model server every 10s on /metrics, the rest every 15s', () => {
      expect(config.global.scrape_interval).toBe('15s');
      expect(config.global.evaluation_interval).toBe('15s');
      for (const jobName of ['mlflow-server', 'model-server']) {
        expect(job(config, jobName).scrape_interval).toBe('10s');
        expect(job(config, jobName).metrics_path).toBe('/metrics');
      }
      // The spec's table: Prometheus at 15s, i.e. the global interval.
      expect(job(config, 'prometheus').scrape_interval).toBeUndefined();
      expect(job(config, 'prometheus').static_configs).toEqual([{ targets: ['localhost:9090'] }]);
    });

    it('keeps the MLflow and model-server Services on their ports', () => {
      const mlflow = job(config, 'mlflow-server');
      expect(keptValue(mlflow, '__meta_kubernetes_service_name')).toBe('mlflow-service');
      expect(keptValue(mlflow, '__meta_kubernetes_endpointslice_port')).toBe('5000');
      const model = job(config, 'model-server');
      expect(keptValue(model, '__meta_kubernetes_service_name')).toBe('model-server');
      expect(keptValue(model, '__meta_kubernetes_endpointslice_port')).toBe('8000');
    });

    it('scrapes kubelet /metrics and /metrics/cadvisor over HTTPS with the service account', () => {
      const nodes = job(config, 'kubernetes-nodes');
      const cadvisor = job(config, 'kubernetes-cadvisor');
      expect(nodes.metrics_path).toBeUndefined();
      expect(cadvisor.metrics_path).toBe('/metrics/cadvisor');
      for (const kubelet of [nodes, cadvisor]) {
        expect(kubelet.scheme).toBe('https');
        expect(kubelet.kubernetes_sd_configs).toEqual([{ role: 'node' }]);
        expect(kubelet.authorization?.credentials_file).toBe(
          '/var/run/secrets/kubernetes.io/serviceaccount/token',
        );
      }
    });

    it('keeps only the default/kubernetes https endpoints for the API servers', () => {
      const apiServers = job(config, 'kubernetes-apiservers');
      expect(apiServers.scheme).toBe('https');
      const keep = apiServers.relabel_configs?.find((rule) => rule.action === 'keep');
      expect(keep?.regex).toBe('default;kubernetes;https');
    });

    it('scrapes node-exporter and kube-state-metrics through their Services', () => {
      expect(keptValue(job(config, 'node-exporter'), '__meta_kubernetes_service_name')).toBe(
        'node-exporter',
      );
      const kubeStateMetrics = job(config, 'kube-state-metrics');
      expect(keptValue(kubeStateMetrics, '__meta_kubernetes_service_name')).toBe(
        'kube-state-metrics',
      );
      expect(keptValue(kubeStateMetrics, '__meta_kubernetes_endpointslice_port_name')).toBe(
        'http-metrics',
      );
      // kube-state-metrics' own namespace and pod labels describe other pods: keep them.
      expect(kubeStateMetrics.honor_labels).toBe(true);
    });

    it('never sets a scrape timeout above the interval', () => {
      expectTimeoutsWithinIntervals(config);
    });

    it(`discovers in ${environment.namespace} (and the API server in default)`, () => {
      for (const jobName of [
        'mlflow-server',
        'model-server',
        'node-exporter',
        'kube-state-metrics',
      ]) {
        expect(namespacesOf(job(config, jobName)), jobName).toEqual([[environment.namespace]]);
      }
      expect(namespacesOf(job(config, 'kubernetes-apiservers'))).toEqual([['default']]);
      for (const scrape of config.scrape_configs) {
        for (const names of namespacesOf(scrape)) {
          for (const namespace of names ?? []) {
            expect(['default', environment.namespace], scrape.job_name).toContain(namespace);
          }
        }
      }
    });

    it('drops the pods of the dedicated jobs from kubernetes-pods', () => {
      const drop = dedicatedPodsDrop(config);
      expect(drop.test(`${environment.namespace};5000`)).toBe(true);
      expect(drop.test(`${environment.namespace};8000`)).toBe(true);
      expect(drop.test(`${environment.namespace};9000`)).toBe(false);
      expect(drop.test(`other-namespace;5000`)).toBe(false);
      expect(drop.test(`${environment.namespace};50000`)).toBe(false);
      const pods = job(config, 'kubernetes-pods');
      expect(pods.relabel_configs?.[0]).toEqual({
        source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
        action: 'keep',
        regex: 'true',
      });
    });

    it('discovers annotated pods only in the namespaces this environment watches', () => {
      const pods = job(config, 'kubernetes-pods');
      expect(pods.kubernetes_sd_configs).toEqual([
        { role: 'pod', namespaces: { names: [environment.namespace] } },
      ]);
    });

    it('writes sorted external labels with the environment name', () => {
      const labels = config.global.external_labels;
      expect(labels.environment).toBe(name);
      expect(Object.keys(labels)).toEqual(Object.keys(labels).sort());
    });

    it(`sets the replica label only with 2+ replicas (${environment.prometheus.replicas} here)`, () => {
      const labels = config.global.external_labels;
      if (environment.prometheus.replicas > 1) {
        expect(labels[replicaLabel]).toBe('${POD_NAME}');
      } else {
        expect(replicaLabel in labels).toBe(false);
      }
      expect(config.alerting.alert_relabel_configs).toContainEqual({
        action: 'labeldrop',
        regex: 'replica',
      });
    });

    it('loads the alert rules from the mounted config folder', () => {
      expect(config.rule_files).toEqual(['/etc/prometheus/alert-rules.yml']);
    });
  },
);

describe('buildPrometheusConfig with environment files', () => {
  it('caps a job timeout at a 5s job interval when the global timeout is 10s', () => {
    const environment = environmentFromFile('fast', 'mlflow: { scrapeInterval: 5s }\n');
    expect(environment.prometheus.scrapeTimeout).toBe('10s');
    const config = buildPrometheusConfig(environment);
    expect(job(config, 'mlflow-server').scrape_interval).toBe('5s');
    expect(job(config, 'mlflow-server').scrape_timeout).toBe('5s');
    expect(job(config, 'model-server').scrape_timeout).toBe('10s');
    expectTimeoutsWithinIntervals(config);
  });

  it('caps both dedicated jobs when the global timeout is longer than their 10s', () => {
    const environment = environmentFromFile(
      'slow',
      'prometheus: { scrapeInterval: 1m, scrapeTimeout: 30s }\nmodelServer: { scrapeInterval: 5s }\n',
    );
    const config = buildPrometheusConfig(environment);
    expect(config.global.scrape_timeout).toBe('30s');
    expect(job(config, 'mlflow-server').scrape_timeout).toBe('10s');
    expect(job(config, 'model-server').scrape_timeout).toBe('5s');
    expectTimeoutsWithinIntervals(config);
  });

  it('keeps the global timeout for a job interval longer than it', () => {
    const config = buildPrometheusConfig(
      environmentFromFile('lazy', 'mlflow: { scrapeInterval: 1m }\n'),
    );
    expect(job(config, 'mlflow-server').scrape_timeout).toBe('10s');
    expectTimeoutsWithinIntervals(config);
  });

  it('follows the environment namespace and a custom mlflow.namespace', () => {
    const environment = environmentFromFile(
      'team-a',
      'namespace: team-a-monitoring\nmlflow: { namespace: team-a-tracking, serviceName: tracking, port: 5001 }\nmodelServer: { port: 8082 }\n',
    );
    const config = buildPrometheusConfig(environment);
    expect(namespacesOf(job(config, 'mlflow-server'))).toEqual([['team-a-tracking']]);
    expect(keptValue(job(config, 'mlflow-server'), '__meta_kubernetes_service_name')).toBe(
      'tracking',
    );
    expect(keptValue(job(config, 'mlflow-server'), '__meta_kubernetes_endpointslice_port')).toBe(
      '5001',
    );
    for (const name of ['model-server', 'node-exporter', 'kube-state-metrics']) {
      expect(namespacesOf(job(config, name)), name).toEqual([['team-a-monitoring']]);
    }
    expect(keptValue(job(config, 'model-server'), '__meta_kubernetes_endpointslice_port')).toBe(
      '8082',
    );
    const drop = dedicatedPodsDrop(config);
    expect(drop.test('team-a-tracking;5001')).toBe(true);
    expect(drop.test('team-a-monitoring;8082')).toBe(true);
    expect(drop.test('team-a-monitoring;5001')).toBe(false);
    expect(drop.test('team-a-tracking;8082')).toBe(false);
    expect(config.global.external_labels).toEqual({ environment: 'team-a' });
  });

  it('adds the replica label to user labels, sorted, for any tier with 2+ replicas', () => {
    const config = buildPrometheusConfig(
      environmentFromFile(
        'qa',
        'prometheus:\n  replicas: 3\n  externalLabels: { zone: b, cluster: eu-1 }\n',
      ),
    );
    expect(Object.entries(config.global.external_labels)).toEqual([
      ['cluster', 'eu-1'],
      ['environment', 'qa'],
      ['replica', '${POD_NAME}'],
      ['zone', 'b'],
    ]);
  });

  it('leaves the replica label out of a prod environment with one replica', () => {
    const environment = environmentFromFile('prod', 'prometheus: { replicas: 1 }\n');
    expect(environment.tier).toBe('prod');
    const config = buildPrometheusConfig(environment);
    expect(config.global.external_labels).toEqual({ environment: 'prod' });
  });
});

describe('prometheus.dropMetrics', () => {
  it("drops the spec's high-cardinality node metrics in the jobs named, or in every job", () => {
    const environment = environmentFromFile(
      'lean',
      [
        'prometheus:',
        '  dropMetrics:',
        "    - { regex: 'node_(network|netdev|softnet).*', jobs: [node-exporter] }",
        "    - { regex: 'go_gc_.*' }",
        '',
      ].join('\n'),
    );
    const config = buildPrometheusConfig(environment);
    const drops = (name: string) => job(config, name).metric_relabel_configs;
    expect(drops('node-exporter')).toEqual([
      { source_labels: ['__name__'], regex: 'node_(network|netdev|softnet).*', action: 'drop' },
      { source_labels: ['__name__'], regex: 'go_gc_.*', action: 'drop' },
    ]);
    expect(drops('mlflow-server')).toEqual([
      { source_labels: ['__name__'], regex: 'go_gc_.*', action: 'drop' },
    ]);
    for (const scrape of config.scrape_configs) expect(scrape.metric_relabel_configs).toBeDefined();
  });

  it('drops nothing by default', () => {
    for (const environment of builtIn) {
      const config = buildPrometheusConfig(environment);
      for (const scrape of config.scrape_configs) {
        expect(scrape.metric_relabel_configs).toBeUndefined();
      }
    }
  });
});

describe('prometheus.jobScrapeIntervals', () => {
  it('sets one job’s interval, its timeout shortened to fit', () => {
    const config = buildPrometheusConfig(
      environmentFromFile(
        'tuned',
        'prometheus:\n  jobScrapeIntervals: { node-exporter: 30s, kubernetes-pods: 5s }\n',
      ),
    );
    expect(job(config, 'node-exporter')).toMatchObject({
      scrape_interval: '30s',
      scrape_timeout: '10s',
    });
    expect(job(config, 'kubernetes-pods')).toMatchObject({
      scrape_interval: '5s',
      scrape_timeout: '5s',
    });
    expect(job(config, 'kube-state-metrics').scrape_interval).toBeUndefined();
  });
});
