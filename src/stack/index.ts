/**
 * Stack stage: EnvironmentConfig -> MonitoringStack, the typed content of one environment's
 * monitoring stack (Prometheus config, alert rules, Grafana provisioning) and the shared parts
 * (dashboard, dashboard provider). Knows nothing of files, YAML or Kustomize. Pure.
 */
import type { Dashboard } from '@grafana/schema';
import type { EnvironmentConfig } from '../config/environment.js';
import { buildAlertRules, buildAlertRuleTests, type RuleFile } from './alert-rules.js';
import { profileOf } from './metrics-profile.js';
import type { RuleTestFile } from './rule-tests.js';
import { buildAlertmanagerConfig, type AlertmanagerConfig } from './alertmanager-config.js';
import { buildDashboard } from './dashboard.js';
import {
  buildDashboardProvider,
  buildDatasources,
  type DashboardProviderProvisioning,
  type DatasourceProvisioning,
} from './grafana-provisioning.js';
import { buildPrometheusConfig, type PrometheusConfig } from './prometheus-config.js';
import { prometheusComponent } from './components.js';
import { buildUserDashboards, type UserDashboardsStack } from './user-dashboards.js';
import { buildUserRuleFiles, type ShippedRuleFile } from './user-rules.js';

export * from './components.js';
export { specAlertNames, type AlertingRule, type RuleFile } from './alert-rules.js';
export type { PrometheusConfig, ScrapeConfig } from './prometheus-config.js';
export {
  exampleQueries,
  metricsProfiles,
  profileOf,
  type MetricsProfile,
} from './metrics-profile.js';
export type { RuleTestFile } from './rule-tests.js';
export type { AlertmanagerConfig } from './alertmanager-config.js';
export { userDashboardsComponent, type UserDashboardsStack } from './user-dashboards.js';
export type {
  DatasourceProvisioning,
  DashboardProviderProvisioning,
} from './grafana-provisioning.js';

/** What differs per environment. */
export interface MonitoringStack {
  environment: EnvironmentConfig;
  prometheusConfig: PrometheusConfig;
  alertRules: RuleFile;
  /** promtool unit tests of `alertRules`, which they read from `rulesFileName`. */
  alertRuleTests: RuleTestFile;
  datasources: DatasourceProvisioning;
  /** The dashboard for the environment's metrics profile. */
  dashboard: Dashboard;
  /** `alertmanager.yml`, when the environment runs Alertmanager. */
  alertmanagerConfig: AlertmanagerConfig | undefined;
  /** The team's dashboards and their provider, when `grafana.additionalDashboards` names any. */
  userDashboards: UserDashboardsStack | undefined;
  /** The team's rule files (and promtool tests), shipped beside `alertRules`. */
  userRuleFiles: ShippedRuleFile[];
}

/** What every environment shares. */
export interface SharedStack {
  dashboard: Dashboard;
  dashboardProvider: DashboardProviderProvisioning;
}

export function buildMonitoringStack(environment: EnvironmentConfig): MonitoringStack {
  return {
    environment,
    prometheusConfig: buildPrometheusConfig(environment),
    alertRules: buildAlertRules(environment),
    alertRuleTests: buildAlertRuleTests(environment, prometheusComponent.rulesFile),
    datasources: buildDatasources(environment),
    dashboard: buildDashboard(profileOf(environment)),
    alertmanagerConfig: environment.alertmanager.enabled
      ? buildAlertmanagerConfig(environment)
      : undefined,
    userDashboards: buildUserDashboards(environment),
    userRuleFiles: buildUserRuleFiles(environment),
  };
}

/** The shared parts, with the dashboard of the base's metrics profile. */
export function buildSharedStack(base: EnvironmentConfig): SharedStack {
  return {
    dashboard: buildDashboard(profileOf(base)),
    dashboardProvider: buildDashboardProvider(),
  };
}
