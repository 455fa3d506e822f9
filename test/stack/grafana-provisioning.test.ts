/**
 * Unit: Grafana's datasource (per environment) and dashboard provider (shared) provisioning.
 */
import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../../src/config/index.js';
import { grafanaComponent } from '../../src/stack/components.js';
import { buildDashboard } from '../../src/stack/dashboard.js';
import { buildDashboardProvider, buildDatasources } from '../../src/stack/grafana-provisioning.js';
import { metricsProfiles } from '../../src/stack/metrics-profile.js';
import { buildMonitoringStack, buildSharedStack } from '../../src/stack/index.js';
import { builtIn, environmentFromFile } from './environment.js';

const namespaces: Record<string, string> = {
  dev: 'mlflow-dev',
  staging: 'mlflow-staging',
  prod: 'mlflow-prod',
};

describe.each(builtIn.map((environment) => [environment.name, environment] as const))(
  'buildDatasources(%s)',
  (name, environment: EnvironmentConfig) => {
    const provisioning = buildDatasources(environment);

    it('provisions one default Prometheus datasource with uid prometheus', () => {
      expect(provisioning.apiVersion).toBe(1);
      expect(provisioning.datasources).toHaveLength(1);
      const [datasource] = provisioning.datasources;
      expect(datasource?.uid).toBe('prometheus');
      expect(datasource?.type).toBe('prometheus');
      expect(datasource?.access).toBe('proxy');
      expect(datasource?.isDefault).toBe(true);
    });

    it(`points at http://prometheus.${namespaces[name] ?? '?'}.svc:9090`, () => {
      expect(environment.namespace).toBe(namespaces[name]);
      expect(provisioning.datasources[0]?.url).toBe(
        `http://prometheus.${environment.namespace}.svc:9090`,
      );
    });

    it('uses the scrape interval as the minimum step', () => {
      expect(provisioning.datasources[0]?.jsonData.timeInterval).toBe(
        environment.prometheus.scrapeInterval,
      );
    });

    it('is what buildMonitoringStack provisions', () => {
      expect(buildMonitoringStack(environment).datasources).toEqual(provisioning);
    });
  },
);

describe('buildDatasources with environment files', () => {
  it('follows a custom namespace', () => {
    const environment = environmentFromFile('prod-eu', 'tier: prod\nnamespace: mlops-eu\n');
    expect(buildDatasources(environment).datasources[0]?.url).toBe(
      'http://prometheus.mlops-eu.svc:9090',
    );
  });

  it('gives every environment a different URL but the same uid', () => {
    const all = builtIn.map((environment) => buildDatasources(environment).datasources[0]);
    expect(new Set(all.map((datasource) => datasource?.url)).size).toBe(builtIn.length);
    expect(new Set(all.map((datasource) => datasource?.uid))).toEqual(new Set(['prometheus']));
  });
});

describe('buildDashboardProvider', () => {
  const provisioning = buildDashboardProvider();

  it('reads dashboards from the Grafana dashboards mount folder', () => {
    expect(provisioning.apiVersion).toBe(1);
    expect(provisioning.providers).toHaveLength(1);
    const [provider] = provisioning.providers;
    expect(provider?.type).toBe('file');
    expect(provider?.options.path).toBe(grafanaComponent.dashboardsDir);
    expect(provider?.options.path).toBe('/etc/grafana/dashboards/mlflow');
    // Git is the source of truth.
    expect(provider?.allowUiUpdates).toBe(false);
  });

  it('keeps dashboards outside the Grafana data folder and provisioning folders', () => {
    const path = provisioning.providers[0]?.options.path ?? '';
    for (const other of [
      grafanaComponent.dataDir,
      grafanaComponent.datasourcesDir,
      grafanaComponent.dashboardProviderDir,
    ]) {
      expect(path === other || path.startsWith(`${other}/`), other).toBe(false);
    }
  });

  it('is shared, with a dashboard that uses the provisioned datasource uid', () => {
    const shared = buildSharedStack(builtIn[0] ?? environmentFromFile('dev', ''));
    expect(shared.dashboardProvider).toEqual(provisioning);
    const datasourceUid = buildDatasources(builtIn[0] ?? environmentFromFile('dev', ''))
      .datasources[0]?.uid;
    expect(JSON.stringify(buildDashboard(metricsProfiles.spec))).toContain(
      `"uid":"${datasourceUid ?? ''}"`,
    );
    expect(shared.dashboard.uid).toBe(grafanaComponent.dashboardUid);
  });
});
