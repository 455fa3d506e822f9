/**
 * Stack stage: EnvironmentConfig -> MonitoringStack, the typed content of one environment's
 * monitoring stack (Prometheus config, alert rules, Grafana provisioning) and the shared parts
 * (dashboard, dashboard provider). Knows nothing of files, YAML or Kustomize. Pure.
 */
import type { Dashboard } from '@grafana/schema';
import type { EnvironmentConfig } from '../config/environment.js';
import { buildAlertRules, type RuleFile } from './alert-rules.js';
import { buildDashboard } from './dashboard.js';
import {
  buildDashboardProvider,
  buildDatasources,
  type DashboardProviderProvisioning,
  type DatasourceProvisioning,
} from './grafana-provisioning.js';
import { buildPrometheusConfig, type PrometheusConfig } from './prometheus-config.js';

export * from './components.js';
export { specAlertNames, type AlertingRule, type RuleFile } from './alert-rules.js';
export type { PrometheusConfig, ScrapeConfig } from './prometheus-config.js';
export type {
  DatasourceProvisioning,
  DashboardProviderProvisioning,
} from './grafana-provisioning.js';

/** What differs per environment. */
export interface MonitoringStack {
  environment: EnvironmentConfig;
  prometheusConfig: PrometheusConfig;
  alertRules: RuleFile;
  datasources: DatasourceProvisioning;
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
    datasources: buildDatasources(environment),
  };
}

export function buildSharedStack(): SharedStack {
  return { dashboard: buildDashboard(), dashboardProvider: buildDashboardProvider() };
}
