/**
 * The resolved environment: every setting present, defaults applied, cross-field rules checked.
 * This is what the rest of the pipeline consumes; nothing downstream looks at raw files.
 */

export const tiers = ['dev', 'staging', 'prod'] as const;
export type Tier = (typeof tiers)[number];

export interface ResourceList {
  cpu: string;
  memory: string;
}

export interface ResourceSettings {
  requests: ResourceList;
  limits: ResourceList;
}

export interface ImageSettings {
  repository: string;
  /** Undefined when a digest alone pins the image. */
  tag?: string;
  /** `sha256:...`; it pins the image whatever the tag. */
  digest?: string;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface ServiceSettings {
  type: ServiceType;
  /** Only for NodePort and LoadBalancer; undefined lets Kubernetes allocate one. */
  nodePort?: number;
}

/**
 * Prometheus' Service: it has no authentication, so exposing it outside the cluster in a prod
 * tier is warned about unless accepted on purpose.
 */
export interface PrometheusServiceSettings extends ServiceSettings {
  /**
   * Set (only ever `true`, and only on NodePort and LoadBalancer) when the environment accepts
   * an unauthenticated Prometheus outside the cluster: `render` does not warn, and the Service
   * carries the ignore annotation of `policy/unauthenticated-exposure`.
   */
  acceptUnauthenticated?: true;
}

export type StorageSettings =
  { type: 'emptyDir'; size: string } | { type: 'pvc'; size: string; storageClass?: string };

export interface ScrapeTargetSettings {
  serviceName: string;
  namespace: string;
  port: number;
  metricsPath: string;
  scrapeInterval: string;
}

interface SecretReference {
  secretName: string;
  userKey: string;
  passwordKey: string;
}

export type AdminCredentials =
  | (SecretReference & { source: 'generated' })
  | (SecretReference & { source: 'existingSecret' })
  | (SecretReference & {
      source: 'externalSecret';
      externalSecret: {
        storeName: string;
        storeKind: 'SecretStore' | 'ClusterSecretStore';
        remoteKey: string;
        refreshInterval: string;
      };
    })
  | (SecretReference & {
      source: 'sealedSecret';
      sealedSecret: { encryptedUser: string; encryptedPassword: string };
    });

export interface ComponentSettings {
  image: ImageSettings;
  resources: ResourceSettings;
}

export interface PrometheusSettings extends ComponentSettings {
  replicas: number;
  retention: { time: string; size: string };
  scrapeInterval: string;
  scrapeTimeout: string;
  evaluationInterval: string;
  storage: StorageSettings;
  externalLabels: Record<string, string>;
  query: { maxSamples?: number; timeout?: string };
  /** Scrape interval by job name, for jobs other than the MLflow and model-server ones. */
  jobScrapeIntervals: Record<string, string>;
  /** Metric names dropped at scrape time; `jobs` undefined means every job. */
  dropMetrics: { regex: string; jobs: string[] | undefined }[];
  service: PrometheusServiceSettings;
}

export interface GrafanaSettings extends ComponentSettings {
  replicas: number;
  service: ServiceSettings;
  adminCredentials: AdminCredentials;
}

export interface AlertThresholds {
  cpuUsagePercent: number;
  memoryUsagePercent: number;
  modelLatencyP95Seconds: number;
  /** Share of MLflow requests answered 5xx that counts as failing runs (mlflow-native profile). */
  serverErrorRatio: number;
}

/**
 * Which metric names the MLflow and model servers export: `spec` (the names of the spec, for
 * servers instrumented that way) or `mlflow-native` (stock `mlflow server --expose-prometheus`
 * and MLServer).
 */
export const metricsProfileNames = ['spec', 'mlflow-native'] as const;
export type MetricsProfileName = (typeof metricsProfileNames)[number];

export interface MetricsSettings {
  profile: MetricsProfileName;
  /**
   * An exporter that polls the MLflow REST API and exports the spec's run counters
   * (`mlflow_runs_created_total`, `mlflow_runs_finished_total{status}`), when one runs.
   */
  runExporter: ScrapeTargetSettings | undefined;
}

export type AlertmanagerReceiver =
  | { name: string; type: 'slack'; channel: string; apiUrlKey: string }
  | { name: string; type: 'pagerduty'; routingKeyKey: string }
  | { name: string; type: 'webhook'; url: string; bearerTokenKey?: string }
  | {
      name: string;
      type: 'email';
      to: string;
      from: string;
      smarthost: string;
      authUsername?: string;
      authPasswordKey?: string;
    };

export interface AlertmanagerSettings extends ComponentSettings {
  enabled: boolean;
  replicas: number;
  /** Secret holding every receiver credential; mounted as files, never rendered. */
  secretName: string;
  receivers: AlertmanagerReceiver[];
  /** Receiver of critical alerts; the first receiver gets everything else. */
  criticalReceiver: string;
}

export interface PublishSettings {
  /** The GitOps repository, when configured. */
  repo: string | undefined;
  branch: string;
  /** Folder of the tree inside the repository ('' for its root). */
  path: string;
  mode: 'commit' | 'pr';
}

export type DeliveryController = 'argocd' | 'flux';
export type ApplicationSetGenerator = 'none' | 'list' | 'git-directory';

export interface DeliverySettings {
  controller: DeliveryController;
  repoURL: string;
  targetRevision: string;
  /** Folder of the overlay inside the repository. */
  path: string;
  /** Destination cluster: an API server URL, or a registered name (Argo CD) / folder (Flux). */
  cluster: { server: string; name?: undefined } | { name: string; server?: undefined };
  automated: boolean;
  argocd: { namespace: string; project: string; generator: ApplicationSetGenerator };
  flux: {
    namespace: string;
    interval: string;
    sourceInterval: string;
    timeout: string;
    wait: boolean;
    secretRef?: string;
    dependsOn: string[];
    sopsSecret?: string;
  };
}

/**
 * Who owns the namespace: `create` renders it (protected from controller deletion), `existing`
 * leaves it out because it is shared, such as with MLflow, and must already exist.
 */
export type NamespaceManagement = 'create' | 'existing';

export interface EnvironmentConfig {
  /** The file name without extension; also the overlay folder name. */
  name: string;
  tier: Tier;
  namespace: string;
  namespaceManagement: NamespaceManagement;
  /** File the environment came from, or undefined for a built-in default. */
  sourceFile: string | undefined;
  prometheus: PrometheusSettings;
  grafana: GrafanaSettings;
  mlflow: ScrapeTargetSettings;
  modelServer: ScrapeTargetSettings;
  nodeExporter: ComponentSettings;
  kubeStateMetrics: ComponentSettings;
  metrics: MetricsSettings;
  alertmanager: AlertmanagerSettings;
  alerts: AlertThresholds;
  publish: PublishSettings;
  delivery: DeliverySettings;
}
