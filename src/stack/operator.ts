/**
 * Stack stage, operator mode: EnvironmentConfig -> OperatorStack, what an environment plugs into
 * a cluster's existing Prometheus Operator (kube-prometheus-stack): the monitors that make it
 * scrape MLflow, the PrometheusRules with the spec's alerts and the team's rule files, the
 * dashboards for the Grafana sidecar, and optionally an AlertmanagerConfig. The rules, their
 * promtool tests and the dashboards are the standalone stack's own, so both modes alert and
 * chart the same. Pure.
 */
import type { Dashboard } from '@grafana/schema';
import type { EnvironmentConfig } from '../config/environment.js';
import { buildAlertRules, buildAlertRuleTests, type RuleFile } from './alert-rules.js';
import { grafanaComponent, prometheusComponent } from './components.js';
import { buildDashboard } from './dashboard.js';
import { profileOf } from './metrics-profile.js';
import {
  buildMonitors,
  operatorMetadata,
  type Monitor,
  type ObjectMeta,
} from './operator-monitors.js';
import {
  buildOperatorAlertmanagerConfig,
  type OperatorAlertmanagerConfig,
} from './operator-alertmanager-config.js';
import type { RuleTestFile } from './rule-tests.js';
import { buildUserRuleFiles, type ShippedRuleFile } from './user-rules.js';

export type { Monitor, ServiceMonitor, PodMonitor } from './operator-monitors.js';
export { prometheusAnnotation } from './operator-monitors.js';

/** A monitoring.coreos.com/v1 PrometheusRule: a rule file as a custom resource. */
export interface PrometheusRule {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: ObjectMeta;
  spec: unknown;
}

/** A dashboard for the Grafana sidecar: one ConfigMap each, in its folder. */
export interface SidecarDashboard {
  /** ConfigMap name, and (with `.json`) the file name the sidecar writes. */
  name: string;
  key: string;
  folder: string;
  model: Record<string, unknown> | Dashboard;
}

export interface OperatorStack {
  environment: EnvironmentConfig;
  monitors: Monitor[];
  /** Ours, then one per team rule file (their group names may repeat ours: a file each). */
  prometheusRules: PrometheusRule[];
  /** Our rule file and its promtool tests, shipped beside the PrometheusRule for `promtool`. */
  alertRules: RuleFile;
  alertRuleTests: RuleTestFile;
  userRuleFiles: ShippedRuleFile[];
  dashboards: SidecarDashboard[];
  /** A monitoring.coreos.com/v1alpha1 AlertmanagerConfig, with `operator.alertmanagerConfig`. */
  alertmanagerConfig: OperatorAlertmanagerConfig | undefined;
}

/** Name of our PrometheusRule; the team's are `<this>-<file path without extension>`. */
export const operatorRuleName = 'mlflow-alerts';

/** Name of our dashboard's ConfigMap; the team's are `<this>-<file key without extension>`. */
export const operatorDashboardName = 'mlflow-dashboard';

function stem(key: string): string {
  return key
    .replace(/\.(ya?ml|json)$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Every datasource reference of our uid, pointed at the cluster Grafana's own. */
function withDatasourceUid<T>(model: T, uid: string): T {
  if (uid === grafanaComponent.datasourceUid) return model;
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value).map(([key, inner]): [string, unknown] =>
      key === 'uid' && inner === grafanaComponent.datasourceUid ? [key, uid] : [key, visit(inner)],
    );
    return Object.fromEntries(entries);
  };
  return visit(model) as T;
}

export function buildOperatorStack(environment: EnvironmentConfig): OperatorStack {
  const alertRules = buildAlertRules(environment);
  const { additionalDashboards, dashboardFolder } = environment.grafana;
  const uid = environment.operator.datasourceUid;
  const userRuleFiles = buildUserRuleFiles(environment);
  return {
    environment,
    monitors: buildMonitors(environment),
    prometheusRules: [
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: operatorMetadata(environment, operatorRuleName),
        spec: alertRules,
      },
      ...environment.prometheus.additionalRuleFiles.map((file): PrometheusRule => ({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: operatorMetadata(
          environment,
          `${operatorRuleName}-${stem(file.path.replace(/\//g, '-'))}`,
        ),
        spec: file.content,
      })),
    ],
    alertRules,
    alertRuleTests: buildAlertRuleTests(environment, prometheusComponent.rulesFile),
    userRuleFiles,
    dashboards: [
      {
        name: operatorDashboardName,
        key: grafanaComponent.dashboardFile,
        folder: grafanaComponent.dashboardFolder,
        model: withDatasourceUid(buildDashboard(profileOf(environment)), uid),
      },
      ...[...additionalDashboards]
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((dashboard) => ({
          name: `${operatorDashboardName}-${stem(dashboard.key)}`,
          key: dashboard.key,
          folder: dashboardFolder,
          model: withDatasourceUid(dashboard.model, uid),
        })),
    ],
    alertmanagerConfig: environment.operator.alertmanagerConfig
      ? buildOperatorAlertmanagerConfig(environment)
      : undefined,
  };
}
