/**
 * The resolved environment: every setting present, defaults applied, cross-field rules checked.
 * This is what the rest of the pipeline consumes; nothing downstream looks at raw files.
 */
import type {
  ComponentScheduling,
  ExposureSettings,
  PersistenceSettings,
} from './schema-scheduling.js';
import type { CustomKustomize } from './schema-kustomize.js';

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
  /** Operator mode: labels selecting the Service (ServiceMonitor) or pods (PodMonitor). */
  matchLabels?: Record<string, string>;
  /** Operator mode: name of the Service port (ServiceMonitor) or container port (PodMonitor). */
  portName?: string;
}

/**
 * `standalone` runs the whole stack; `operator` plugs MLflow's monitors, rules and dashboards
 * into the cluster's Prometheus Operator (kube-prometheus-stack) and runs nothing itself.
 */
export type StackMode = 'standalone' | 'operator';

export interface OperatorSettings {
  monitorKind: 'ServiceMonitor' | 'PodMonitor';
  /** On every ServiceMonitor, PodMonitor and PrometheusRule, for the Prometheus' selectors. */
  selectorLabels: Record<string, string>;
  /** The Prometheus custom resource that must pick them up, when named. */
  prometheus: { namespace: string; name: string } | undefined;
  /** Label of the dashboard ConfigMaps the Grafana sidecar watches. */
  dashboardLabel: Record<string, string>;
  /** Annotation carrying the dashboards' folder for the sidecar. */
  dashboardFolderAnnotation: string;
  /** uid of the cluster Grafana's Prometheus datasource. */
  datasourceUid: string;
  /** Render an AlertmanagerConfig from the `alertmanager` receivers and routes. */
  alertmanagerConfig: boolean;
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
  /** The team's rule files (`additionalRuleFiles`), checked, in the order of their paths. */
  additionalRuleFiles: UserRuleFile[];
  /** The team's own scrape jobs, as written (checked by resolve-scrape.ts), after ours. */
  additionalScrapeConfigs: AdditionalScrapeConfig[];
  /** Secrets mounted at /etc/prometheus/secrets/<name>/ for the jobs' credential files. */
  secretMounts: string[];
}

/** A team rule file as shipped: its name in the rules ConfigMap, text and promtool test. */
export interface UserRuleFile {
  /** Path relative to the environments folder, e.g. `rules/team.yaml`. */
  path: string;
  /** Name in the rules ConfigMap, in overlays/<env>/prometheus/ and in `rule_files`. */
  key: string;
  text: string;
  /** The file parsed (`{groups: [...]}`): a PrometheusRule's spec in operator mode. */
  content: unknown;
  /** `<name>.test.yml` found next to the file, its `rule_files` pointing at the shipped keys. */
  test: { path: string; key: string; text: string } | undefined;
}

/** A Prometheus `scrape_config` of `prometheus.additionalScrapeConfigs`, as plain data. */
export type AdditionalScrapeConfig = { job_name: string } & Record<string, unknown>;

/**
 * Where the node_* or kube_* series come from when the component is not deployed: a job of
 * `additionalScrapeConfigs`, or a Service scraped under the component's own job name.
 */
export type ReplacementJob =
  | { kind: 'job'; jobName: string }
  | { kind: 'service'; namespace: string; serviceName: string; port: number };

/** node-exporter and kube-state-metrics: deployed by the stack, or the cluster's own. */
export interface ClusterComponentSettings extends ComponentSettings {
  enabled: boolean;
  /** Only when `enabled` is false: where the cluster's own instance is scraped. */
  job: ReplacementJob | undefined;
}

export interface GrafanaSettings extends ComponentSettings {
  /** false: no Grafana in this environment's overlay (the cluster has its own). */
  enabled: boolean;
  replicas: number;
  service: ServiceSettings;
  adminCredentials: AdminCredentials;
  /** The team's dashboards (`grafana.additionalDashboards`), checked, inputs resolved. */
  additionalDashboards: UserDashboard[];
  /** Grafana folder of `additionalDashboards` (`grafana.dashboardFolder`). */
  dashboardFolder: string;
}

/** One of the team's dashboard files, as it will be provisioned. */
export interface UserDashboard {
  /** ConfigMap key and file name in Grafana's dashboards folder, e.g. `team-latency.json`. */
  key: string;
  /** Path relative to the environments folder, e.g. `dashboards/team-latency.json`. */
  path: string;
  uid: string;
  /** The dashboard model, with `${DS_...}` inputs replaced by the provisioned datasource. */
  model: Record<string, unknown>;
}

export interface AlertThresholds {
  cpuUsagePercent: number;
  memoryUsagePercent: number;
  modelLatencyP95Seconds: number;
  /** Share of MLflow requests answered 5xx that counts as failing runs (mlflow-native profile). */
  serverErrorRatio: number;
  /** Watchdog and the other alerts about the monitoring stack itself (meta-alerts.ts). */
  metaMonitoring: boolean;
  /** `runbook_url` of every alert is `<runbookBaseUrl>/<AlertName>`; none when undefined. */
  runbookBaseUrl: string | undefined;
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
  /** The team's routes (Alertmanager's own fields), after the critical one, in file order. */
  routes: AlertmanagerUserRoute[];
  /** The team's inhibit rules, after the generated ones. */
  inhibitRules: AlertmanagerInhibitRule[];
  /** The team's message templates, shipped in the config ConfigMap under `key`. */
  templates: AlertmanagerTemplateFile[];
  /** Named time intervals the team's routes mute or are active in. */
  timeIntervals: AlertmanagerTimeInterval[];
}

/** A time interval as alertmanager.yml spells it (`time_intervals` entry). */
export interface AlertmanagerTimeInterval {
  name: string;
  time_intervals: {
    times?: { start_time: string; end_time: string }[];
    weekdays?: string[];
    days_of_month?: string[];
    months?: string[];
    years?: string[];
    location?: string;
  }[];
}

/** A route as alertmanager.yml spells it; checked by resolve-alertmanager-routes.ts. */
export interface AlertmanagerUserRoute {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: AlertmanagerUserRoute[];
}

export interface AlertmanagerInhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export interface AlertmanagerTemplateFile {
  /** File name inside the ConfigMap (and the config folder Alertmanager reads). */
  key: string;
  /** Path relative to the environments folder. */
  path: string;
  text: string;
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
  /** `standalone` (the whole stack) or `operator` (custom resources for an existing Operator). */
  mode: StackMode;
  /** Operator mode's settings; defaults in standalone mode, where nothing reads them. */
  operator: OperatorSettings;
  namespace: string;
  namespaceManagement: NamespaceManagement;
  /** File the environment came from, or undefined for a built-in default. */
  sourceFile: string | undefined;
  prometheus: PrometheusSettings;
  grafana: GrafanaSettings;
  mlflow: ScrapeTargetSettings;
  modelServer: ScrapeTargetSettings;
  nodeExporter: ClusterComponentSettings;
  kubeStateMetrics: ClusterComponentSettings;
  metrics: MetricsSettings;
  alertmanager: AlertmanagerSettings;
  alerts: AlertThresholds;
  publish: PublishSettings;
  delivery: DeliverySettings;
  /** Pod scheduling settings per workload (`<component>.nodeSelector`, `.tolerations`, ...). */
  scheduling: ComponentScheduling;
  /** Data volumes of Alertmanager (`alertmanager.storage`) and Grafana (`grafana.storage`). */
  persistence: PersistenceSettings;
  /** `grafana.ingress` and `prometheus.ingress`. */
  exposure: ExposureSettings;
  /** The team's own objects and patches for the overlay (`kustomize`); absent when none. */
  kustomize?: CustomKustomize;
}
