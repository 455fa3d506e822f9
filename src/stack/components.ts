/**
 * Fixed names, ports and labels of the stack's components. Shared by the stack model (which
 * writes them into Prometheus and Grafana config) and the Kubernetes manifests, so the two
 * always agree. Pure data.
 */

export const prometheusComponent = {
  name: 'prometheus',
  headlessService: 'prometheus-headless',
  port: 9090,
  configMap: 'prometheus-config',
  configFile: 'prometheus.yml',
  rulesFile: 'alert-rules.yml',
  rulesTestFile: 'alert-rules.test.yml',
  configDir: '/etc/prometheus',
  dataDir: '/prometheus',
  dataVolume: 'prometheus-data',
  /** UID/GID `nobody`, as in the official image and Helm chart. */
  user: 65534,
} as const;

export const grafanaComponent = {
  name: 'grafana',
  port: 3000,
  datasourcesConfigMap: 'grafana-datasources',
  datasourcesFile: 'datasources.yaml',
  dashboardProviderConfigMap: 'grafana-dashboard-provider',
  dashboardProviderFile: 'dashboard-provider.yaml',
  dashboardsConfigMap: 'grafana-dashboards',
  dataDir: '/var/lib/grafana',
  datasourcesDir: '/etc/grafana/provisioning/datasources',
  dashboardProviderDir: '/etc/grafana/provisioning/dashboards',
  /** Outside the data volume, mounted as a whole directory so that ConfigMap updates arrive. */
  dashboardsDir: '/etc/grafana/dashboards/mlflow',
  dashboardFile: 'mlflow-monitoring-dashboard.json',
  dashboardUid: 'mlflow-monitoring',
  /** Grafana folder of our dashboard, and by default of the team's (`grafana.dashboardFolder`). */
  dashboardFolder: 'MLflow',
  datasourceUid: 'prometheus',
  /** Name of the provisioned Prometheus datasource (legacy dashboards reference it by name). */
  datasourceName: 'Prometheus',
  /** UID/GID of the official image. */
  user: 472,
} as const;

export const alertmanagerComponent = {
  name: 'alertmanager',
  /** Stable pod DNS names for the gossip cluster of several replicas. */
  headlessService: 'alertmanager-cluster',
  port: 9093,
  clusterPort: 9094,
  configMap: 'alertmanager-config',
  configFile: 'alertmanager.yml',
  configDir: '/etc/alertmanager/config',
  /** The receivers' Secret, one file per key; the config points at these files. */
  secretsDir: '/etc/alertmanager/secrets',
  dataDir: '/alertmanager',
  user: 65534,
} as const;

export const nodeExporterComponent = {
  name: 'node-exporter',
  port: 9100,
  user: 65534,
} as const;

export const kubeStateMetricsComponent = {
  name: 'kube-state-metrics',
  port: 8080,
  portName: 'http-metrics',
  telemetryPort: 8081,
  user: 65534,
  /** Only the resources the alerts and dashboard read; fewer watches, less memory. */
  resources: [
    'daemonsets',
    'deployments',
    'namespaces',
    'nodes',
    'persistentvolumeclaims',
    'pods',
    'replicasets',
    'services',
    'statefulsets',
  ],
} as const;

/** Scrape job names; the first three and the Kubernetes ones are the spec's table. */
export const jobNames = {
  prometheus: 'prometheus',
  mlflow: 'mlflow-server',
  modelServer: 'model-server',
  apiServers: 'kubernetes-apiservers',
  nodes: 'kubernetes-nodes',
  pods: 'kubernetes-pods',
  cadvisor: 'kubernetes-cadvisor',
  nodeExporter: 'node-exporter',
  kubeStateMetrics: 'kube-state-metrics',
  alertmanager: 'alertmanager',
  runExporter: 'mlflow-run-exporter',
} as const;

/**
 * The labels that tell cAdvisor's series apart: our own job, or, in operator mode,
 * kube-prometheus-stack's kubelet ServiceMonitor, whose three endpoints share job `kubelet`
 * and differ by `metrics_path` (as kubernetes-mixin selects them).
 */
export function cadvisorSeriesLabels(mode: 'standalone' | 'operator'): Record<string, string> {
  return mode === 'operator'
    ? { job: 'kubelet', metrics_path: '/metrics/cadvisor' }
    : { job: jobNames.cadvisor };
}

/** The scrape jobs an environment's prometheus.yml holds. */
export function scrapeJobNames(environment: {
  alertmanager: { enabled: boolean };
  metrics: { runExporter: unknown };
  nodeExporter?: ClusterComponentJob;
  kubeStateMetrics?: ClusterComponentJob;
}): string[] {
  return Object.values(jobNames).filter(
    (job) =>
      (job !== jobNames.alertmanager || environment.alertmanager.enabled) &&
      (job !== jobNames.runExporter || environment.metrics.runExporter !== undefined) &&
      (job !== jobNames.nodeExporter || hasOwnJob(environment.nodeExporter)) &&
      (job !== jobNames.kubeStateMetrics || hasOwnJob(environment.kubeStateMetrics)),
  );
}

/** node-exporter or kube-state-metrics as far as its scrape job is concerned. */
export interface ClusterComponentJob {
  enabled: boolean;
  job: { kind: 'job' | 'service' } | undefined;
}

/**
 * Whether the component's own job (node-exporter, kube-state-metrics) is in prometheus.yml: when
 * deployed, or when disabled in favour of the cluster's own Service, scraped under that name.
 */
export function hasOwnJob(component: ClusterComponentJob | undefined): boolean {
  return component === undefined || component.enabled || component.job?.kind === 'service';
}

export const partOf = 'mlflow-monitoring';

/** Namespace of the base; every overlay replaces it with the environment's own. */
export const baseNamespace = 'mlflow-monitoring';

/**
 * Cluster-scoped objects (ClusterRole, ClusterRoleBinding) carry the namespace in their name,
 * so that several environments can share one cluster without overwriting each other's RBAC.
 */
export function clusterScopedName(namespace: string, component: string): string {
  return `${namespace}-${component}`;
}

/** Selector labels of a component: stable, never changed by overlays. */
export function selectorLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component };
}

/** Labels every object of a component carries. */
export function componentLabels(component: string): Record<string, string> {
  return {
    ...selectorLabels(component),
    'app.kubernetes.io/part-of': partOf,
    'app.kubernetes.io/managed-by': 'gitops-gen',
  };
}
