/**
 * The seven alerts of the spec, with its names, thresholds, `for` durations and severities,
 * written so that they behave: "down" also fires when a target vanishes from discovery,
 * latency is a histogram quantile over bucket rates, crash looping follows kubernetes-mixin.
 * Thresholds and namespaces come from the environment. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import { jobNames } from './components.js';

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' | 'info' };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertingRule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

/** Alert names of the spec, in the order the spec lists them. */
export const specAlertNames = [
  'MLflowServerDown',
  'ModelServerDown',
  'PodCrashLooping',
  'HighCPUUsage',
  'HighMemoryUsage',
  'HighModelLatency',
  'MLflowExperimentFailure',
] as const;
export type SpecAlertName = (typeof specAlertNames)[number];

/** A label matcher for one or more namespaces. */
function namespaceMatcher(namespaces: readonly string[]): string {
  const unique = [...new Set(namespaces)].sort();
  return unique.length === 1
    ? `namespace="${unique[0] ?? ''}"`
    : `namespace=~"${unique.join('|')}"`;
}

function targetDown(
  job: string,
  alert: SpecAlertName,
  what: string,
  namespace: string,
): AlertingRule {
  const selector = `up{job="${job}"}`;
  return {
    alert,
    // absent() covers a target that disappeared from discovery: then `up` has no series at all.
    expr: `sum(${selector}) == 0 or absent(${selector})`,
    for: '1m',
    labels: { severity: 'critical' },
    annotations: {
      summary: `${what} is unreachable`,
      description: `No ${job} target in namespace ${namespace} has answered a scrape for 1 minute, or none is discovered.`,
    },
  };
}

export function buildAlertRules(environment: EnvironmentConfig): RuleFile {
  const { alerts, mlflow, modelServer } = environment;
  const watched = namespaceMatcher([
    environment.namespace,
    mlflow.namespace,
    modelServer.namespace,
  ]);
  const rules: AlertingRule[] = [
    targetDown(jobNames.mlflow, 'MLflowServerDown', 'MLflow server', mlflow.namespace),
    targetDown(jobNames.modelServer, 'ModelServerDown', 'Model server', modelServer.namespace),
    {
      alert: 'PodCrashLooping',
      expr: `max_over_time(kube_pod_container_status_waiting_reason{job="${jobNames.kubeStateMetrics}", reason="CrashLoopBackOff", ${watched}}[5m]) >= 1`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Pod is restarting frequently',
        description:
          'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 5 minutes.',
      },
    },
    {
      alert: 'HighCPUUsage',
      expr: `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{job="${jobNames.nodeExporter}", mode="idle"}[5m]))) > ${alerts.cpuUsagePercent}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `CPU usage above ${alerts.cpuUsagePercent}%`,
        description: `CPU usage on node {{ $labels.instance }} has been above ${alerts.cpuUsagePercent}% for 5 minutes (now {{ printf "%.1f" $value }}%).`,
      },
    },
    {
      alert: 'HighMemoryUsage',
      expr: `100 * (1 - node_memory_MemAvailable_bytes{job="${jobNames.nodeExporter}"} / node_memory_MemTotal_bytes{job="${jobNames.nodeExporter}"}) > ${alerts.memoryUsagePercent}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `Memory usage above ${alerts.memoryUsagePercent}%`,
        description: `Memory usage on node {{ $labels.instance }} has been above ${alerts.memoryUsagePercent}% for 5 minutes (now {{ printf "%.1f" $value }}%).`,
      },
    },
    {
      alert: 'HighModelLatency',
      expr: `histogram_quantile(0.95, sum by (le) (rate(mlflow_model_request_duration_seconds_bucket{job="${jobNames.modelServer}"}[5m]))) > ${alerts.modelLatencyP95Seconds}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `Model p95 latency above ${alerts.modelLatencyP95Seconds}s`,
        description: `The 95th percentile of model-server request latency has been above ${alerts.modelLatencyP95Seconds}s for 5 minutes (now {{ humanizeDuration $value }}).`,
      },
    },
    {
      alert: 'MLflowExperimentFailure',
      expr: `sum(increase(mlflow_runs_finished_total{job="${jobNames.mlflow}", status="FAILED"}[15m])) > 0`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'A training run failed',
        description:
          '{{ printf "%.0f" $value }} MLflow run(s) finished with status FAILED in the last 15 minutes.',
      },
    },
  ];
  return { groups: [{ name: 'mlflow.rules', rules }] };
}
