/**
 * Operator mode: the Prometheus Operator's ServiceMonitor or PodMonitor for each MLflow target.
 * The Operator turns each into a scrape job (pkg/prometheus/promcfg.go); these are written so
 * that what it generates scrapes the same endpoints, on the same path and interval, with the same
 * `job` label, as the standalone stack's own jobs: the alerts and panels read `job="mlflow-server"`
 * and `job="model-server"`. Shapes follow the CRDs of monitoring.coreos.com/v1 (the fields used
 * here only); `validate` checks the rendered objects against the full CRD schemas. Pure.
 */
import type { EnvironmentConfig, ScrapeTargetSettings } from '../config/environment.js';
import { jobNames, partOf } from './components.js';

/** A monitoring.coreos.com/v1 RelabelConfig. */
export interface OperatorRelabelConfig {
  action?: 'replace' | 'keep' | 'drop' | 'labeldrop' | 'labelkeep';
  sourceLabels?: string[];
  regex?: string;
  targetLabel?: string;
  replacement?: string;
}

/** The endpoint fields shared by ServiceMonitor `endpoints` and PodMonitor `podMetricsEndpoints`. */
interface MonitorEndpoint {
  port?: string;
  path: string;
  interval: string;
  relabelings: OperatorRelabelConfig[];
  metricRelabelings?: OperatorRelabelConfig[];
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ServiceMonitor {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'ServiceMonitor';
  metadata: ObjectMeta;
  spec: {
    namespaceSelector: { matchNames: string[] };
    selector: { matchLabels?: Record<string, string> };
    endpoints: (MonitorEndpoint & { targetPort?: number })[];
  };
}

export interface PodMonitor {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PodMonitor';
  metadata: ObjectMeta;
  spec: {
    namespaceSelector: { matchNames: string[] };
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: (MonitorEndpoint & { portNumber?: number })[];
  };
}

export type Monitor = ServiceMonitor | PodMonitor;

/** Annotation naming the Prometheus custom resource that must pick the object up. */
export const prometheusAnnotation = 'gitops-gen.dev/prometheus';

/** Labels and annotations of every monitor and rule: the Prometheus selectors read them. */
export function operatorMetadata(environment: EnvironmentConfig, name: string): ObjectMeta {
  const { prometheus, selectorLabels } = environment.operator;
  return {
    name,
    namespace: environment.namespace,
    labels: {
      'app.kubernetes.io/part-of': partOf,
      'app.kubernetes.io/managed-by': 'gitops-gen',
      ...selectorLabels,
    },
    ...(prometheus
      ? { annotations: { [prometheusAnnotation]: `${prometheus.namespace}/${prometheus.name}` } }
      : {}),
  };
}

/** The targets of the environment and the job each one's series must carry. */
export function operatorTargets(
  environment: EnvironmentConfig,
): { job: string; target: ScrapeTargetSettings }[] {
  const runExporter = environment.metrics.runExporter;
  return [
    { job: jobNames.mlflow, target: environment.mlflow },
    { job: jobNames.modelServer, target: environment.modelServer },
    ...(runExporter ? [{ job: jobNames.runExporter, target: runExporter }] : []),
  ];
}

function endpoint(
  environment: EnvironmentConfig,
  job: string,
  target: ScrapeTargetSettings,
  byName: boolean,
): MonitorEndpoint {
  const drops = environment.prometheus.dropMetrics
    .filter((drop) => drop.jobs === undefined || drop.jobs.includes(job))
    .map((drop): OperatorRelabelConfig => ({
      action: 'drop',
      sourceLabels: ['__name__'],
      regex: drop.regex,
    }));
  return {
    ...(target.portName === undefined ? {} : { port: target.portName }),
    path: target.metricsPath,
    interval: target.scrapeInterval,
    relabelings: [
      // Without labels to select by, the Service is kept by its name (the endpoints role's label).
      ...(byName
        ? [
            {
              action: 'keep' as const,
              sourceLabels: ['__meta_kubernetes_service_name'],
              regex: target.serviceName,
            },
          ]
        : []),
      // The Operator sets `job` to the Service name (or the `jobLabel` label's value, a label of
      // the team's Service that we do not own); relabelings run after it, so this wins.
      { action: 'replace', targetLabel: 'job', replacement: job },
    ],
    ...(drops.length > 0 ? { metricRelabelings: drops } : {}),
  };
}

export function buildMonitors(environment: EnvironmentConfig): Monitor[] {
  return operatorTargets(environment).map(({ job, target }): Monitor => {
    const metadata = operatorMetadata(environment, job);
    const namespaceSelector = { matchNames: [target.namespace] };
    if (environment.operator.monitorKind === 'PodMonitor') {
      const podEndpoint = endpoint(environment, job, target, false);
      return {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata,
        spec: {
          namespaceSelector,
          // resolve-operator.ts refuses a PodMonitor target without matchLabels.
          selector: { matchLabels: { ...target.matchLabels } },
          podMetricsEndpoints: [
            target.portName === undefined
              ? { portNumber: target.port, ...podEndpoint }
              : podEndpoint,
          ],
        },
      };
    }
    const byName = target.matchLabels === undefined;
    const serviceEndpoint = endpoint(environment, job, target, byName);
    return {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata,
      spec: {
        namespaceSelector,
        selector: byName ? {} : { matchLabels: { ...target.matchLabels } },
        endpoints: [
          // Without a port name, the container port number (the Service's port names are unknown).
          target.portName === undefined
            ? { targetPort: target.port, ...serviceEndpoint }
            : serviceEndpoint,
        ],
      },
    };
  });
}
