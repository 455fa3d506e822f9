/**
 * Builds `prometheus.yml` for one environment: the six jobs of the spec's table plus the
 * cAdvisor, node-exporter and kube-state-metrics jobs its alerts need. Everything that names a
 * namespace or a Service is rendered here per environment, because Kustomize's `namespace:`
 * never rewrites text inside a ConfigMap. The result also loads in Prometheus 2.x. Pure.
 */
import type { EnvironmentConfig, ScrapeTargetSettings } from '../config/environment.js';
import { durationToMs } from '../config/units.js';
import { userRuleFilePaths } from './user-rules.js';
import { alertmanagerComponent, jobNames, prometheusComponent } from './components.js';
import {
  kubeStateMetricsDiscovery,
  nodeExporterDiscovery,
  type ServiceDiscovery,
} from './additional-scrape.js';

/** The subset of Prometheus' configuration file format that the stack uses. */
export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep';
}

export interface KubernetesSdConfig {
  role: 'node' | 'pod' | 'endpointslice' | 'service';
  namespaces?: { names: string[] };
}

export interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  metrics_path?: string;
  scheme?: 'http' | 'https';
  honor_labels?: boolean;
  tls_config?: { ca_file: string; insecure_skip_verify?: boolean };
  authorization?: { credentials_file: string };
  static_configs?: { targets: string[] }[];
  kubernetes_sd_configs?: KubernetesSdConfig[];
  relabel_configs?: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
}

export interface AlertmanagerTarget {
  api_version: 'v2';
  kubernetes_sd_configs?: KubernetesSdConfig[];
  static_configs?: { targets: string[] }[];
  relabel_configs?: RelabelConfig[];
}

export interface PrometheusConfig {
  global: {
    scrape_interval: string;
    scrape_timeout: string;
    evaluation_interval: string;
    external_labels: Record<string, string>;
  };
  alerting: { alert_relabel_configs: RelabelConfig[]; alertmanagers?: AlertmanagerTarget[] };
  rule_files: string[];
  /** Ours, then the team's (`prometheus.additionalScrapeConfigs`) as written. */
  scrape_configs: ScrapeConfig[];
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';
const inClusterTls = { ca_file: `${serviceAccountDir}/ca.crt` };
const inClusterAuth = { credentials_file: `${serviceAccountDir}/token` };
/** Kubelet serving certificates are often self-signed (the Helm chart skips verification too). */
const kubeletTls = { ...inClusterTls, insecure_skip_verify: true };

/** Label set by Prometheus' own env expansion in v3 (`POD_NAME` comes from the downward API). */
export const replicaLabel = 'replica';

export function buildPrometheusConfig(environment: EnvironmentConfig): PrometheusConfig {
  const { prometheus } = environment;
  const { runExporter } = environment.metrics;
  const externalLabels: Record<string, string> = { ...prometheus.externalLabels };
  if (prometheus.replicas > 1) externalLabels[replicaLabel] = '${POD_NAME}';
  return {
    global: {
      scrape_interval: prometheus.scrapeInterval,
      scrape_timeout: prometheus.scrapeTimeout,
      evaluation_interval: prometheus.evaluationInterval,
      external_labels: sortKeys(externalLabels),
    },
    alerting: {
      // HA replicas differ only by this label; dropping it lets Alertmanager deduplicate.
      alert_relabel_configs: [{ action: 'labeldrop', regex: replicaLabel }],
      ...(environment.alertmanager.enabled
        ? { alertmanagers: [alertmanagerTarget(environment.namespace)] }
        : {}),
    },
    rule_files: [
      `${prometheusComponent.configDir}/${prometheusComponent.rulesFile}`,
      // The team's rule files (prometheus.additionalRuleFiles), in the same ConfigMap.
      ...userRuleFilePaths(environment),
    ],
    scrape_configs: [...ownJobs(environment, runExporter), ...teamScrapeConfigs(environment)],
  };
}

/** The stack's own jobs, with the per-job settings of the environment. */
function ownJobs(
  environment: EnvironmentConfig,
  runExporter: ScrapeTargetSettings | undefined,
): ScrapeConfig[] {
  const { prometheus } = environment;
  const nodeExporter = nodeExporterDiscovery(environment);
  const kubeStateMetrics = kubeStateMetricsDiscovery(environment);
  return withJobSettings(environment, [
    {
      job_name: jobNames.prometheus,
      static_configs: [{ targets: [`localhost:${prometheusComponent.port}`] }],
    },
    serviceJob(jobNames.mlflow, environment.mlflow, prometheus.scrapeTimeout),
    serviceJob(jobNames.modelServer, environment.modelServer, prometheus.scrapeTimeout),
    ...(runExporter
      ? [serviceJob(jobNames.runExporter, runExporter, prometheus.scrapeTimeout)]
      : []),
    {
      job_name: jobNames.apiServers,
      scheme: 'https',
      tls_config: inClusterTls,
      authorization: inClusterAuth,
      kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['default'] } }],
      relabel_configs: [
        {
          source_labels: [
            '__meta_kubernetes_namespace',
            '__meta_kubernetes_service_name',
            '__meta_kubernetes_endpointslice_port_name',
          ],
          action: 'keep',
          regex: 'default;kubernetes;https',
        },
      ],
    },
    kubeletJob(jobNames.nodes, undefined),
    kubeletJob(jobNames.cadvisor, '/metrics/cadvisor'),
    podsJob(environment),
    ...(nodeExporter
      ? [
          {
            job_name: jobNames.nodeExporter,
            ...endpointsOf(nodeExporter),
            relabel_configs: [
              ...keepEndpoints(nodeExporter),
              // One series per node, named after the node rather than the pod IP.
              {
                source_labels: ['__meta_kubernetes_pod_node_name'],
                target_label: 'instance',
                action: 'replace' as const,
              },
            ],
          },
        ]
      : []),
    ...(environment.alertmanager.enabled ? [alertmanagerJob(environment.namespace)] : []),
    ...(kubeStateMetrics
      ? [
          {
            job_name: jobNames.kubeStateMetrics,
            // kube-state-metrics reports other pods' namespace and pod labels: keep them.
            honor_labels: true,
            ...endpointsOf(kubeStateMetrics),
            relabel_configs: keepEndpoints(kubeStateMetrics),
          },
        ]
      : []),
  ]);
}

/**
 * The team's jobs, after ours, exactly as written. Typed as the stack's own `ScrapeConfig` only
 * for readers of prometheus.yml: the config stage checked them against Prometheus' rules
 * (resolve-scrape.ts), and they may use keys beyond the subset that type names.
 */
function teamScrapeConfigs(environment: EnvironmentConfig): ScrapeConfig[] {
  return environment.prometheus.additionalScrapeConfigs.map(
    (job) => structuredClone(job) as unknown as ScrapeConfig,
  );
}

/** Endpoint discovery in the namespace of node-exporter or kube-state-metrics. */
function endpointsOf(discovery: ServiceDiscovery): Pick<ScrapeConfig, 'kubernetes_sd_configs'> {
  return {
    kubernetes_sd_configs: [
      { role: 'endpointslice', namespaces: { names: [discovery.namespace] } },
    ],
  };
}

/** Keeps the endpoints of one Service, on one port when it has several. */
function keepEndpoints(discovery: ServiceDiscovery): RelabelConfig[] {
  const { port } = discovery;
  if (port === undefined) return [keepService(discovery.serviceName)];
  return [
    keepService(discovery.serviceName),
    'name' in port
      ? {
          source_labels: ['__meta_kubernetes_endpointslice_port_name'],
          action: 'keep',
          regex: port.name,
        }
      : {
          source_labels: ['__meta_kubernetes_endpointslice_port'],
          action: 'keep',
          regex: String(port.number),
        },
  ];
}

/** Every Alertmanager pod behind its Service: Prometheus must notify all of an HA cluster. */
function alertmanagerDiscovery(namespace: string) {
  return {
    kubernetes_sd_configs: [{ role: 'endpointslice' as const, namespaces: { names: [namespace] } }],
    relabel_configs: [
      keepService(alertmanagerComponent.name),
      {
        source_labels: ['__meta_kubernetes_endpointslice_port_name'],
        action: 'keep' as const,
        regex: 'web',
      },
    ],
  };
}

function alertmanagerTarget(namespace: string): AlertmanagerTarget {
  return { api_version: 'v2', ...alertmanagerDiscovery(namespace) };
}

/** Alertmanager's own metrics: notifications that fail show up here first. */
function alertmanagerJob(namespace: string): ScrapeConfig {
  return { job_name: jobNames.alertmanager, ...alertmanagerDiscovery(namespace) };
}

/**
 * Per-job settings on top of the jobs: its own scrape interval (the timeout shortened to fit),
 * and the drop rules of metric names that apply to it (every rule without `jobs` does).
 */
function withJobSettings(environment: EnvironmentConfig, jobs: ScrapeConfig[]): ScrapeConfig[] {
  const { dropMetrics, jobScrapeIntervals, scrapeTimeout } = environment.prometheus;
  return jobs.map((scrape) => {
    const { job_name: name, ...rest } = scrape;
    const interval = jobScrapeIntervals[name];
    const job: ScrapeConfig =
      interval === undefined
        ? scrape
        : {
            // Written where the MLflow jobs write theirs: right after the name.
            job_name: name,
            scrape_interval: interval,
            scrape_timeout: jobTimeout(scrapeTimeout, interval),
            ...rest,
          };
    const rules = dropMetrics
      .filter((drop) => drop.jobs === undefined || drop.jobs.includes(job.job_name))
      .map((drop): RelabelConfig => ({
        source_labels: ['__name__'],
        regex: drop.regex,
        action: 'drop',
      }));
    return rules.length > 0 ? { ...job, metric_relabel_configs: rules } : job;
  });
}

function keepService(serviceName: string): RelabelConfig {
  return { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: serviceName };
}

/** The shorter of the global timeout and the job's interval: Prometheus rejects a longer one. */
function jobTimeout(globalTimeout: string, interval: string): string {
  return durationToMs(globalTimeout) <= durationToMs(interval) ? globalTimeout : interval;
}

/** Every pod behind a Service, on one port: scrapes each replica, not one at random. */
function serviceJob(
  jobName: string,
  target: ScrapeTargetSettings,
  globalTimeout: string,
): ScrapeConfig {
  return {
    job_name: jobName,
    scrape_interval: target.scrapeInterval,
    scrape_timeout: jobTimeout(globalTimeout, target.scrapeInterval),
    metrics_path: target.metricsPath,
    kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: [target.namespace] } }],
    relabel_configs: [
      keepService(target.serviceName),
      {
        source_labels: ['__meta_kubernetes_endpointslice_port'],
        action: 'keep',
        regex: String(target.port),
      },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
    ],
  };
}

/** Kubelets scraped directly on :10250 with the service-account token (no nodes/proxy). */
function kubeletJob(jobName: string, metricsPath: string | undefined): ScrapeConfig {
  return {
    job_name: jobName,
    scheme: 'https',
    ...(metricsPath ? { metrics_path: metricsPath } : {}),
    tls_config: kubeletTls,
    authorization: inClusterAuth,
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: [{ action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' }],
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Annotation-driven discovery (`prometheus.io/scrape|port|path|scheme`) in the environment's
 * namespaces. Pods already scraped
 * by the mlflow-server and model-server jobs are dropped here, or their series would be
 * collected twice under two job names.
 */
function podsJob(environment: EnvironmentConfig): ScrapeConfig {
  // Only the namespaces this environment watches: environments sharing a cluster must not
  // scrape each other's pods.
  const namespaces = [
    ...new Set([
      environment.namespace,
      environment.mlflow.namespace,
      environment.modelServer.namespace,
    ]),
  ].sort();
  const dedicated = [environment.mlflow, environment.modelServer, environment.metrics.runExporter]
    .filter((target) => target !== undefined)
    .map((target) => `${escapeRegex(target.namespace)};${target.port}`)
    .join('|');
  return {
    job_name: jobNames.pods,
    honor_labels: true,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: namespaces } }],
    relabel_configs: [
      {
        source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
        action: 'keep',
        regex: 'true',
      },
      {
        source_labels: [
          '__meta_kubernetes_namespace',
          '__meta_kubernetes_pod_annotation_prometheus_io_port',
        ],
        action: 'drop',
        regex: dedicated,
      },
      {
        source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scheme'],
        action: 'replace',
        regex: '(https?)',
        target_label: '__scheme__',
      },
      {
        source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
        action: 'replace',
        regex: '(.+)',
        target_label: '__metrics_path__',
      },
      {
        source_labels: [
          '__meta_kubernetes_pod_annotation_prometheus_io_port',
          '__meta_kubernetes_pod_ip',
        ],
        action: 'replace',
        regex: '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})',
        replacement: '[$2]:$1',
        target_label: '__address__',
      },
      {
        source_labels: [
          '__meta_kubernetes_pod_annotation_prometheus_io_port',
          '__meta_kubernetes_pod_ip',
        ],
        action: 'replace',
        regex: '(\\d+);((([0-9]+?)(\\.|$)){4})',
        replacement: '$2:$1',
        target_label: '__address__',
      },
      { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      {
        source_labels: ['__meta_kubernetes_pod_phase'],
        regex: 'Pending|Succeeded|Failed|Completed',
        action: 'drop',
      },
    ],
  };
}

export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
