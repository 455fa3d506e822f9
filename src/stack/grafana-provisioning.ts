/**
 * Grafana provisioning files: the Prometheus datasource (per environment, because its URL names
 * the namespace) and the dashboard provider (shared). Formats from Grafana's provisioning docs.
 * Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import { grafanaComponent, prometheusComponent } from './components.js';

export interface DatasourceProvisioning {
  apiVersion: 1;
  prune: boolean;
  datasources: {
    name: string;
    type: 'prometheus';
    uid: string;
    access: 'proxy';
    url: string;
    isDefault: boolean;
    editable: boolean;
    jsonData: { httpMethod: 'POST' | 'GET'; timeInterval: string };
  }[];
}

export interface DashboardProviderProvisioning {
  apiVersion: 1;
  providers: {
    name: string;
    orgId: number;
    folder: string;
    type: 'file';
    disableDeletion: boolean;
    updateIntervalSeconds: number;
    allowUiUpdates: boolean;
    options: { path: string; foldersFromFilesStructure: boolean };
  }[];
}

export function buildDatasources(environment: EnvironmentConfig): DatasourceProvisioning {
  return {
    apiVersion: 1,
    // Grafana >= 11.1 deletes provisioned datasources that leave this file.
    prune: true,
    datasources: [
      {
        name: 'Prometheus',
        type: 'prometheus',
        // Dashboards reference this uid; it must never change.
        uid: grafanaComponent.datasourceUid,
        access: 'proxy',
        url: `http://${prometheusComponent.name}.${environment.namespace}.svc:${prometheusComponent.port}`,
        isDefault: true,
        editable: false,
        jsonData: { httpMethod: 'POST', timeInterval: environment.prometheus.scrapeInterval },
      },
    ],
  };
}

export function buildDashboardProvider(): DashboardProviderProvisioning {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'mlflow',
        orgId: 1,
        folder: 'MLflow',
        type: 'file',
        disableDeletion: false,
        updateIntervalSeconds: 30,
        // Git is the source of truth: edits in the UI could not be saved back.
        allowUiUpdates: false,
        options: { path: grafanaComponent.dashboardsDir, foldersFromFilesStructure: false },
      },
    ],
  };
}
