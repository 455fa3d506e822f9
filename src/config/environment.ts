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
  tag: string;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface ServiceSettings {
  type: ServiceType;
  /** Only for NodePort and LoadBalancer; undefined lets Kubernetes allocate one. */
  nodePort?: number;
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
  service: ServiceSettings;
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
}

export interface EnvironmentConfig {
  /** The file name without extension; also the overlay folder name. */
  name: string;
  tier: Tier;
  namespace: string;
  /** File the environment came from, or undefined for a built-in default. */
  sourceFile: string | undefined;
  prometheus: PrometheusSettings;
  grafana: GrafanaSettings;
  mlflow: ScrapeTargetSettings;
  modelServer: ScrapeTargetSettings;
  nodeExporter: ComponentSettings;
  kubeStateMetrics: ComponentSettings;
  alerts: AlertThresholds;
}
