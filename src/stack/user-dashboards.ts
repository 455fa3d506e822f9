/**
 * The team's own Grafana dashboards (`grafana.additionalDashboards`) as a part of the stack: the
 * dashboard models under their file names, and the second dashboard provider that loads them
 * into `grafana.dashboardFolder`. Where they live in the container is fixed here, so that the
 * provider and the Deployment's mount always agree. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import {
  buildUserDashboardProvider,
  type DashboardProviderProvisioning,
} from './grafana-provisioning.js';

export const userDashboardsComponent = {
  /** Provider name; unique among the providers of Grafana's provisioning folder. */
  providerName: 'team',
  /** Key of the provider file in the base's provider ConfigMap, beside ours. */
  providerFile: 'team-dashboard-provider.yaml',
  /** Beside ours (/etc/grafana/dashboards/mlflow): one projected volume of all their ConfigMaps. */
  dashboardsDir: '/etc/grafana/dashboards/team',
  volume: 'team-dashboards',
  /** ConfigMaps `grafana-team-dashboards-1`, `-2`, ...: split when large. */
  configMapPrefix: 'grafana-team-dashboards',
} as const;

export interface UserDashboardsStack {
  provider: DashboardProviderProvisioning;
  /** Sorted by key: the ConfigMaps they are packed into are deterministic. */
  dashboards: { key: string; model: Record<string, unknown> }[];
}

/** The team's dashboards, or undefined when the environment names none. */
export function buildUserDashboards(
  environment: EnvironmentConfig,
): UserDashboardsStack | undefined {
  const { additionalDashboards, dashboardFolder } = environment.grafana;
  if (additionalDashboards.length === 0 || !environment.grafana.enabled) return undefined;
  return {
    provider: buildUserDashboardProvider(
      userDashboardsComponent.providerName,
      dashboardFolder,
      userDashboardsComponent.dashboardsDir,
    ),
    dashboards: additionalDashboards
      .map(({ key, model }) => ({ key, model }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
}
