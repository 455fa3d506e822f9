/**
 * Grafana provisioning files: the Prometheus datasource (per environment, because its URL names
 * the namespace), the dashboard provider (shared) and the provider of the team's dashboards.
 * Formats from Grafana's provisioning docs. Pure.
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
        name: grafanaComponent.datasourceName,
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

type DashboardProvider = DashboardProviderProvisioning['providers'][number];

/** A file provider of the dashboards in one folder of the Grafana container. */
function fileProvider(name: string, folder: string, path: string): DashboardProvider {
  return {
    name,
    orgId: 1,
    folder,
    type: 'file',
    disableDeletion: false,
    updateIntervalSeconds: 30,
    // Git is the source of truth: edits in the UI could not be saved back.
    allowUiUpdates: false,
    options: { path, foldersFromFilesStructure: false },
  };
}

export function buildDashboardProvider(): DashboardProviderProvisioning {
  return {
    apiVersion: 1,
    providers: [
      fileProvider('mlflow', grafanaComponent.dashboardFolder, grafanaComponent.dashboardsDir),
    ],
  };
}

/**
 * The second provider, of the team's dashboards (`grafana.additionalDashboards`): its own
 * provisioning file beside ours, so the base's stays shared, and its own folder in the
 * container. Provider names must be unique within Grafana's provisioning folder.
 */
export function buildUserDashboardProvider(
  name: string,
  folder: string,
  path: string,
): DashboardProviderProvisioning {
  return { apiVersion: 1, providers: [fileProvider(name, folder, path)] };
}
