/**
 * Built-in defaults: pinned images, the spec's numbers, and per-tier tuning (dev small and
 * short-lived, staging in between, prod as the spec describes it). Pure data.
 */
import type {
  AlertmanagerSettings,
  EnvironmentConfig,
  MetricsProfileName,
  ImageSettings,
  OperatorSettings,
  ResourceSettings,
  ScrapeTargetSettings,
  ServiceSettings,
  Tier,
} from './environment.js';
import { grafanaComponent } from '../stack/components.js';

/** Pinned images. Prometheus is the v3.5 LTS line; its config also loads in Prometheus 2.x. */
export const defaultImages = {
  prometheus: { repository: 'quay.io/prometheus/prometheus', tag: 'v3.5.5' },
  grafana: { repository: 'docker.io/grafana/grafana', tag: '13.2.0' },
  nodeExporter: { repository: 'quay.io/prometheus/node-exporter', tag: 'v1.12.1' },
  kubeStateMetrics: {
    repository: 'registry.k8s.io/kube-state-metrics/kube-state-metrics',
    tag: 'v2.20.0',
  },
  alertmanager: { repository: 'quay.io/prometheus/alertmanager', tag: 'v0.34.0' },
} as const satisfies Record<string, ImageSettings>;

/** The environments used when no environments folder exists. */
export const builtInEnvironmentNames = ['dev', 'staging', 'prod'] as const;

/** Fraction of the storage size given to `--storage.tsdb.retention.size` by default. */
export const retentionSizeShareOfStorage = 0.85;

const resources = (
  requestCpu: string,
  requestMemory: string,
  limitCpu: string,
  limitMemory: string,
): ResourceSettings => ({
  requests: { cpu: requestCpu, memory: requestMemory },
  limits: { cpu: limitCpu, memory: limitMemory },
});

const nodePortService = (nodePort: number): ServiceSettings => ({ type: 'NodePort', nodePort });

interface TierProfile {
  prometheusReplicas: number;
  retentionTime: string;
  prometheusResources: ResourceSettings;
  storage: EnvironmentConfig['prometheus']['storage'];
  grafanaResources: ResourceSettings;
  /** NodePorts differ per tier so that all three tiers can share one cluster. */
  nodePorts: { prometheus: number; grafana: number };
}

const tierProfiles: Record<Tier, TierProfile> = {
  dev: {
    prometheusReplicas: 1,
    retentionTime: '2d',
    // The spec's "Default: 100m / 256Mi".
    prometheusResources: resources('100m', '256Mi', '500m', '1Gi'),
    storage: { type: 'emptyDir', size: '2Gi' },
    grafanaResources: resources('50m', '128Mi', '250m', '512Mi'),
    nodePorts: { prometheus: 30092, grafana: 30302 },
  },
  staging: {
    prometheusReplicas: 1,
    retentionTime: '7d',
    prometheusResources: resources('250m', '1Gi', '1000m', '2Gi'),
    storage: { type: 'pvc', size: '20Gi' },
    grafanaResources: resources('100m', '256Mi', '500m', '512Mi'),
    nodePorts: { prometheus: 30091, grafana: 30301 },
  },
  prod: {
    prometheusReplicas: 2,
    // The spec: 30 days, requests 500m/2Gi, limits 2000m/4Gi, NodePorts 30090/30300.
    retentionTime: '30d',
    prometheusResources: resources('500m', '2Gi', '2000m', '4Gi'),
    storage: { type: 'pvc', size: '50Gi' },
    grafanaResources: resources('100m', '256Mi', '500m', '512Mi'),
    nodePorts: { prometheus: 30090, grafana: 30300 },
  },
};

/** Default tier of an environment: its name when that is a tier, else staging (no plaintext secrets). */
export function defaultTier(name: string): Tier {
  return name === 'dev' || name === 'staging' || name === 'prod' ? name : 'staging';
}

/** Default namespace; prod keeps the spec's `mlflow-prod`. */
export function defaultNamespace(name: string): string {
  return `mlflow-${name}`;
}

/** Default size of a storage type, when the type is not the tier's own. */
export const defaultStorageSize = { emptyDir: '2Gi', pvc: '20Gi' } as const;

const scrapeTarget = (
  serviceName: string,
  namespace: string,
  port: number,
): ScrapeTargetSettings => ({
  serviceName,
  namespace,
  port,
  metricsPath: '/metrics',
  // The spec's table: the MLflow and model-server jobs scrape every 10 s.
  scrapeInterval: '10s',
});

/**
 * Metrics ports of each profile. The spec's pod annotation example says "8000 for model
 * server"; MLServer serves its metrics on a separate port, 8082. MLflow's tracking server
 * serves `/metrics` on its API port, 5000, in both.
 */
export const metricsProfilePorts: Record<
  MetricsProfileName,
  { mlflow: number; modelServer: number }
> = {
  spec: { mlflow: 5000, modelServer: 8000 },
  'mlflow-native': { mlflow: 5000, modelServer: 8082 },
};

/** Where a run exporter is looked for when `metrics.runExporter` does not say. */
export function runExporterDefaults(namespace: string): ScrapeTargetSettings {
  return {
    serviceName: 'mlflow-run-exporter',
    namespace,
    port: 8000,
    metricsPath: '/metrics',
    // Run counts change slowly and each poll queries MLflow's database.
    scrapeInterval: '30s',
  };
}

/** Alertmanager: off in dev (alerts stay in the Prometheus UI), on in staging and prod. */
function alertmanagerDefaults(tier: Tier): AlertmanagerSettings {
  return {
    enabled: tier !== 'dev',
    replicas: 1,
    image: { ...defaultImages.alertmanager },
    resources: resources('25m', '64Mi', '200m', '256Mi'),
    secretName: 'alertmanager-receivers',
    receivers: [
      { name: 'default', type: 'slack', channel: '#mlflow-alerts', apiUrlKey: 'slack-api-url' },
    ],
    criticalReceiver: 'default',
    routes: [],
    inhibitRules: [],
    templates: [],
    timeIntervals: [],
  };
}

/**
 * Every setting of an environment with the tier's defaults, before the file is applied.
 * Environments not named after a tier get no NodePorts (they would clash with the tiers').
 */
/**
 * Operator mode's defaults: those of kube-prometheus-stack installed as release
 * `kube-prometheus-stack` (its selectors require `release: <release>`; its Grafana sidecar
 * watches `grafana_dashboard: "1"`; its Prometheus datasource has uid `prometheus`).
 */
export function operatorDefaults(): OperatorSettings {
  return {
    monitorKind: 'ServiceMonitor',
    selectorLabels: { release: 'kube-prometheus-stack' },
    prometheus: undefined,
    dashboardLabel: { grafana_dashboard: '1' },
    dashboardFolderAnnotation: 'k8s-sidecar-target-directory',
    datasourceUid: 'prometheus',
    alertmanagerConfig: false,
  };
}

export function environmentDefaults(
  name: string,
  tier: Tier,
  namespace: string,
  metricsProfile: MetricsProfileName,
  // scheduling, persistence and exposure: resolve-scheduling.ts applies their tier defaults.
): Omit<
  EnvironmentConfig,
  'sourceFile' | 'publish' | 'delivery' | 'scheduling' | 'persistence' | 'exposure'
> {
  const profile = tierProfiles[tier];
  const ports = metricsProfilePorts[metricsProfile];
  const isTierNamed = name === tier;
  const service = (nodePort: number): ServiceSettings =>
    isTierNamed ? nodePortService(nodePort) : { type: 'ClusterIP' };
  return {
    name,
    tier,
    namespace,
    // Rendering the Namespace lets a first sync start from an empty cluster; it is annotated so
    // that no controller deletes it, since MLflow may share it.
    namespaceManagement: 'create',
    mode: 'standalone',
    operator: operatorDefaults(),
    prometheus: {
      replicas: profile.prometheusReplicas,
      retention: { time: profile.retentionTime, size: '' },
      scrapeInterval: '15s',
      scrapeTimeout: '10s',
      evaluationInterval: '15s',
      resources: profile.prometheusResources,
      storage: profile.storage,
      externalLabels: { environment: name },
      query: {},
      dropMetrics: [],
      jobScrapeIntervals: {},
      image: { ...defaultImages.prometheus },
      service: service(profile.nodePorts.prometheus),
      additionalRuleFiles: [],
      additionalScrapeConfigs: [],
      secretMounts: [],
    },
    grafana: {
      enabled: true,
      replicas: 1,
      resources: profile.grafanaResources,
      image: { ...defaultImages.grafana },
      service: service(profile.nodePorts.grafana),
      adminCredentials: {
        source: tier === 'dev' ? 'generated' : 'existingSecret',
        secretName: 'grafana-admin',
        userKey: 'admin-user',
        passwordKey: 'admin-password',
      },
      additionalDashboards: [],
      dashboardFolder: grafanaComponent.dashboardFolder,
    },
    // The spec's troubleshooting reaches MLflow at mlflow-service.<namespace>.svc:5000.
    mlflow: scrapeTarget('mlflow-service', namespace, ports.mlflow),
    modelServer: scrapeTarget('model-server', namespace, ports.modelServer),
    metrics: { profile: metricsProfile, runExporter: undefined },
    alertmanager: alertmanagerDefaults(tier),
    nodeExporter: {
      image: { ...defaultImages.nodeExporter },
      resources: resources('50m', '64Mi', '250m', '128Mi'),
      enabled: true,
      job: undefined,
    },
    kubeStateMetrics: {
      image: { ...defaultImages.kubeStateMetrics },
      resources: resources('50m', '128Mi', '250m', '256Mi'),
      enabled: true,
      job: undefined,
    },
    alerts: {
      cpuUsagePercent: 80,
      memoryUsagePercent: 85,
      modelLatencyP95Seconds: 1,
      serverErrorRatio: 0.05,
      metaMonitoring: true,
      runbookBaseUrl: undefined,
    },
  };
}

/**
 * Repository URL of Argo CD Applications and Flux GitRepositories until `publish.repo` or
 * `delivery.repoURL` names the real one (the README says so, and `render` keeps working).
 */
export const placeholderRepoURL = 'https://git.example.com/platform/mlflow-gitops.git';

/** The cluster a controller runs in, as Argo CD names its API server. */
export const inClusterServer = 'https://kubernetes.default.svc';

/** The spec's default Grafana password; only ever written for dev-tier environments. */
export const specDefaultGrafanaPassword = 'admin123456789';
