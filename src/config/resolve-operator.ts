/**
 * Resolves `mode` and `operator`, and keeps each mode to the keys that mean something in it: in
 * operator mode the cluster's kube-prometheus-stack runs Prometheus, Grafana and Alertmanager, so
 * a key that sizes, exposes or schedules them would be silently ignored; it is refused at its
 * line instead. Likewise the operator-only keys are refused in standalone mode. Pure.
 */
import type { EnvironmentConfig, OperatorSettings, StackMode } from './environment.js';
import { operatorDefaults } from './defaults.js';
import { report, type ResolveContext } from './resolve-context.js';
import { checkLabels } from './resolve-scheduling.js';
import type { EnvironmentFile } from './schema.js';
import { alertmanagerConfigGaps } from '../stack/operator-alertmanager-config.js';

/** The keys of each section that operator mode reads; every other key there is refused. */
const operatorModeKeys: Record<string, readonly string[] | 'all'> = {
  tier: 'all',
  mode: 'all',
  operator: 'all',
  namespace: 'all',
  namespaceManagement: 'all',
  mlflow: 'all',
  modelServer: 'all',
  metrics: 'all',
  alerts: 'all',
  publish: 'all',
  delivery: 'all',
  kustomize: 'all',
  // What the monitors and rules carry; the rest sizes and configures the cluster's Prometheus.
  prometheus: ['dropMetrics', 'additionalRuleFiles'],
  grafana: ['additionalDashboards', 'dashboardFolder'],
  // What an AlertmanagerConfig holds (it has no templates: those belong to the Alertmanager).
  alertmanager: [
    'secretName',
    'receivers',
    'criticalReceiver',
    'routes',
    'inhibitRules',
    'timeIntervals',
  ],
};

const operatorOnlyTargetKeys = ['matchLabels', 'portName'] as const;

export function resolveOperator(
  input: EnvironmentFile,
  context: ResolveContext,
): { mode: StackMode; operator: OperatorSettings } {
  const defaults = operatorDefaults();
  const given = input.operator ?? {};
  for (const key of ['selectorLabels', 'dashboardLabel'] as const) {
    const labels = given[key];
    if (labels) checkLabels(['operator', key], labels, 'label', context);
  }
  if (given.dashboardFolderAnnotation !== undefined) {
    checkLabels(
      ['operator', 'dashboardFolderAnnotation'],
      { [given.dashboardFolderAnnotation]: '' },
      'annotation',
      context,
    );
  }
  if (given.dashboardLabel && Object.keys(given.dashboardLabel).length === 0) {
    report(
      context,
      ['operator', 'dashboardLabel'],
      'config/empty-dashboard-label',
      'the Grafana sidecar finds dashboards by one label; an empty map gives it none to find',
      'write the label the sidecar watches, such as { grafana_dashboard: "1" }',
    );
  }
  const [namespace, name] = given.prometheus?.split('/') ?? [];
  return {
    mode: input.mode ?? 'standalone',
    operator: {
      monitorKind: given.monitorKind ?? defaults.monitorKind,
      selectorLabels: { ...(given.selectorLabels ?? defaults.selectorLabels) },
      prometheus: namespace !== undefined && name !== undefined ? { namespace, name } : undefined,
      dashboardLabel: { ...(given.dashboardLabel ?? defaults.dashboardLabel) },
      dashboardFolderAnnotation:
        given.dashboardFolderAnnotation ?? defaults.dashboardFolderAnnotation,
      datasourceUid: given.datasourceUid ?? defaults.datasourceUid,
      alertmanagerConfig: given.alertmanagerConfig ?? defaults.alertmanagerConfig,
    },
  };
}

/**
 * Each mode's keys: operator mode refuses what only the standalone stack reads, standalone mode
 * refuses the operator keys. Reported at each key the file sets.
 */
export function checkModeKeys(
  environment: EnvironmentConfig,
  input: EnvironmentFile,
  context: ResolveContext,
): void {
  const targets = [
    ['mlflow', input.mlflow],
    ['modelServer', input.modelServer],
    ['metrics', 'runExporter', input.metrics?.runExporter],
  ] as const;
  if (environment.mode === 'standalone') {
    if (input.operator !== undefined) {
      report(
        context,
        ['operator'],
        'config/operator-key-in-standalone-mode',
        '`operator` only applies with `mode: operator`',
        "set `mode: operator` to plug into the cluster's Prometheus Operator, or remove `operator`",
      );
    }
    for (const entry of targets) {
      const keyPath = entry.slice(0, -1) as string[];
      const target = entry[entry.length - 1] as
        { matchLabels?: unknown; portName?: unknown } | undefined;
      for (const key of operatorOnlyTargetKeys) {
        if (target?.[key] === undefined) continue;
        report(
          context,
          [...keyPath, key],
          'config/operator-key-in-standalone-mode',
          `${[...keyPath, key].join('.')} only applies with \`mode: operator\`: the standalone Prometheus scrapes the Service by name and port`,
          'remove it, or set `mode: operator`',
        );
      }
    }
    return;
  }
  const sections = input as Record<string, unknown>;
  for (const [section, value] of Object.entries(sections)) {
    const allowed = operatorModeKeys[section];
    if (allowed === 'all') continue;
    const keys =
      allowed === undefined
        ? [undefined]
        : Object.keys(value as Record<string, unknown>).filter((key) => !allowed.includes(key));
    for (const key of keys) {
      const keyPath = key === undefined ? [section] : [section, key];
      report(
        context,
        keyPath,
        'config/not-in-operator-mode',
        `${keyPath.join('.')} has no effect with \`mode: operator\`: the cluster's kube-prometheus-stack runs ${runBy(section)}`,
        allowed === undefined || allowed.length === 0
          ? 'remove it, or set it in the kube-prometheus-stack Helm values'
          : `remove it (in operator mode ${section} takes ${allowed.join(', ')}), or set it in the kube-prometheus-stack Helm values`,
      );
    }
  }
  if (environment.operator.monitorKind === 'PodMonitor') {
    for (const entry of targets) {
      const keyPath = entry.slice(0, -1) as string[];
      const target = entry[entry.length - 1] as { matchLabels?: unknown } | undefined;
      if (keyPath[0] === 'metrics' && target === undefined) continue;
      if (target?.matchLabels !== undefined) continue;
      report(
        context,
        keyPath,
        'config/pod-monitor-needs-labels',
        `a PodMonitor selects pods by their labels, and ${keyPath.join('.')}.matchLabels gives none`,
        `set ${keyPath.join('.')}.matchLabels to the labels of its pods, such as { app.kubernetes.io/name: mlflow }, or use operator.monitorKind: ServiceMonitor`,
      );
    }
  }
  const alertmanagerInput = input.alertmanager ?? {};
  if (!environment.operator.alertmanagerConfig && Object.keys(alertmanagerInput).length > 0) {
    report(
      context,
      ['alertmanager'],
      'config/alertmanager-needs-alertmanager-config',
      'in operator mode the alertmanager keys describe an AlertmanagerConfig, and operator.alertmanagerConfig is not true',
      "set operator.alertmanagerConfig: true to render it, or remove `alertmanager` and route the alerts in the cluster's Alertmanager",
    );
  }
  if (environment.operator.alertmanagerConfig) {
    // What an AlertmanagerConfig cannot carry; templates are refused above already.
    for (const gap of alertmanagerConfigGaps(environment.alertmanager, environment.namespace)) {
      if (gap.severity !== 'error' || gap.keyPath.join('.') === 'alertmanager.templates') continue;
      report(context, gap.keyPath, gap.code, gap.message, gap.hint);
    }
  }
  for (const entry of targets) {
    const keyPath = entry.slice(0, -1) as string[];
    const target = entry[entry.length - 1] as { matchLabels?: Record<string, string> } | undefined;
    if (target?.matchLabels)
      checkLabels([...keyPath, 'matchLabels'], target.matchLabels, 'label', context);
  }
}

function runBy(section: string): string {
  switch (section) {
    case 'prometheus':
      return 'Prometheus (only dropMetrics and additionalRuleFiles apply here)';
    case 'grafana':
      return 'Grafana (only additionalDashboards and dashboardFolder apply here)';
    case 'alertmanager':
      return 'Alertmanager (its templates and settings belong to the Alertmanager resource)';
    case 'nodeExporter':
      return 'node-exporter (its job is node-exporter, which the alerts read)';
    case 'kubeStateMetrics':
      return 'kube-state-metrics (its job is kube-state-metrics, which the alerts read)';
    default:
      return 'that part of the stack';
  }
}
