/**
 * What Prometheus scrapes beyond the stack's fixed jobs, and what follows from it: the team's
 * own jobs (`prometheus.additionalScrapeConfigs`, appended after ours as written), the jobs of
 * node-exporter and kube-state-metrics when the cluster runs its own (`enabled: false` with a
 * `job`), and which job the alerts and dashboard panels read node_* and kube_* series from, or
 * which alerts are dropped when nothing scrapes them. Pure.
 */
import type { ClusterComponentSettings, EnvironmentConfig } from '../config/environment.js';
import { jobNames, kubeStateMetricsComponent, nodeExporterComponent } from './components.js';

/** The jobs the node_* and kube_* series come from; undefined when nothing scrapes them. */
export interface ClusterMetricsJobs {
  nodeExporter: string | undefined;
  kubeStateMetrics: string | undefined;
}

function metricsJob(component: ClusterComponentSettings, ownJob: string): string | undefined {
  // Deployed, or the cluster's own Service scraped under our job name: the series keep it.
  if (component.enabled || component.job?.kind === 'service') return ownJob;
  return component.job?.jobName;
}

export function clusterMetricsJobs(environment: EnvironmentConfig): ClusterMetricsJobs {
  return {
    nodeExporter: metricsJob(environment.nodeExporter, jobNames.nodeExporter),
    kubeStateMetrics: metricsJob(environment.kubeStateMetrics, jobNames.kubeStateMetrics),
  };
}

/** A PromQL `job="..."` matcher; a team's job name may hold any character. */
export function jobMatcher(job: string): string {
  return `job=${JSON.stringify(job)}`;
}

/** The spec's alerts that read node_* (node scope) or kube_* series, by the metrics they need. */
export const alertsNeeding = {
  nodeExporter: ['HighCPUUsage (node)', 'HighMemoryUsage (node)'],
  kubeStateMetrics: ['PodCrashLooping', 'HighCPUUsage (container)', 'HighMemoryUsage (container)'],
} as const;

/** Alerts dropped because nothing scrapes the series they need, with the reason. */
export function droppedAlerts(
  environment: EnvironmentConfig,
): { component: 'nodeExporter' | 'kubeStateMetrics'; alerts: readonly string[] }[] {
  const jobs = clusterMetricsJobs(environment);
  return (['nodeExporter', 'kubeStateMetrics'] as const)
    .filter((component) => jobs[component] === undefined)
    .map((component) => ({ component, alerts: alertsNeeding[component] }));
}

/** Discovery of a Service's endpoints in one namespace; `keep` picks its name and port. */
export interface ServiceDiscovery {
  namespace: string;
  serviceName: string;
  /**
   * The endpoint's port: by name for our kube-state-metrics (which has two), by number for the
   * cluster's own Service, none for our node-exporter (one port).
   */
  port?: { name: string } | { number: number };
}

/** Where node-exporter's series come from under our job name, or undefined when not ours. */
export function nodeExporterDiscovery(
  environment: EnvironmentConfig,
): ServiceDiscovery | undefined {
  return componentDiscovery(environment.nodeExporter, environment.namespace, {
    serviceName: nodeExporterComponent.name,
    port: undefined,
  });
}

export function kubeStateMetricsDiscovery(
  environment: EnvironmentConfig,
): ServiceDiscovery | undefined {
  return componentDiscovery(environment.kubeStateMetrics, environment.namespace, {
    serviceName: kubeStateMetricsComponent.name,
    port: { name: kubeStateMetricsComponent.portName },
  });
}

function componentDiscovery(
  component: ClusterComponentSettings,
  namespace: string,
  own: { serviceName: string; port: { name: string } | undefined },
): ServiceDiscovery | undefined {
  if (component.enabled) {
    return { namespace, serviceName: own.serviceName, ...(own.port ? { port: own.port } : {}) };
  }
  if (component.job?.kind !== 'service') return undefined;
  return {
    namespace: component.job.namespace,
    serviceName: component.job.serviceName,
    port: { number: component.job.port },
  };
}
