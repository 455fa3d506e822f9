/**
 * Grafana manifests: Deployment with provisioned datasource, dashboard provider and dashboards
 * (each ConfigMap mounted as a whole directory, never with subPath, so updates arrive), the
 * Service, and the admin-credential objects of each secret source. Pure.
 */
import type { AdminCredentials, GrafanaSettings } from '../../config/environment.js';
import { specDefaultGrafanaPassword } from '../../config/defaults.js';
import {
  componentLabels,
  grafanaComponent as component,
  selectorLabels,
} from '../../stack/components.js';
import {
  componentResources,
  imageReference,
  podSecurity,
  restrictedContainerSecurity,
  syncWave,
  syncWaves,
  type CustomResource,
  type Deployment,
  type Service,
  type EnvVar,
  type Probe,
} from '../kubernetes.js';
import { nodePortFields } from './service.js';

const labels = componentLabels(component.name);

/** external-secrets.io/v1 ExternalSecret, the fields gitops-gen sets. */
type ExternalSecret = CustomResource<{
  refreshInterval: string;
  secretStoreRef: { name: string; kind: 'SecretStore' | 'ClusterSecretStore' };
  target: { name: string; creationPolicy: 'Owner' };
  data: { secretKey: string; remoteRef: { key: string; property: string } }[];
}>;

/** bitnami.com/v1alpha1 SealedSecret, the fields gitops-gen sets. */
type SealedSecret = CustomResource<{
  encryptedData: Record<string, string>;
  template: { metadata: { name: string; labels: Record<string, string> }; type: 'Opaque' };
}>;
const selector = selectorLabels(component.name);

/** The admin user and password read from the environment's Secret. */
export function grafanaCredentialEnv(credentials: AdminCredentials): EnvVar[] {
  const fromSecret = (name: string, key: string): EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: credentials.secretName, key } },
  });
  return [
    fromSecret('GF_SECURITY_ADMIN_USER', credentials.userKey),
    fromSecret('GF_SECURITY_ADMIN_PASSWORD', credentials.passwordKey),
  ];
}

const probe = (initialDelaySeconds: number, failureThreshold: number): Probe => ({
  httpGet: { path: '/api/health', port: 'http' },
  initialDelaySeconds,
  periodSeconds: 10,
  timeoutSeconds: 5,
  failureThreshold,
});

const configMapVolume = (name: string) => ({
  name,
  configMap: { name, defaultMode: 0o644 },
});

export function grafanaDeployment(settings: GrafanaSettings, namespace: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: component.name, namespace, labels },
    spec: {
      replicas: settings.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(component.user),
          containers: [
            {
              name: component.name,
              image: imageReference(settings.image),
              ports: [{ name: 'http', containerPort: component.port, protocol: 'TCP' }],
              env: [
                ...grafanaCredentialEnv(settings.adminCredentials),
                { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'false' },
                { name: 'GF_USERS_ALLOW_SIGN_UP', value: 'false' },
                { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
                { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
                // Logs go to stdout; with a read-only root there is no log file to write.
                { name: 'GF_LOG_MODE', value: 'console' },
              ],
              readinessProbe: probe(5, 3),
              livenessProbe: probe(60, 10),
              resources: componentResources(settings),
              // Grafana writes only to its data folder and /tmp, both emptyDir volumes.
              securityContext: restrictedContainerSecurity(),
              volumeMounts: [
                { name: 'storage', mountPath: component.dataDir },
                { name: 'tmp', mountPath: '/tmp' },
                {
                  name: component.datasourcesConfigMap,
                  mountPath: component.datasourcesDir,
                  readOnly: true,
                },
                {
                  name: component.dashboardProviderConfigMap,
                  mountPath: component.dashboardProviderDir,
                  readOnly: true,
                },
                {
                  name: component.dashboardsConfigMap,
                  mountPath: component.dashboardsDir,
                  readOnly: true,
                },
              ],
            },
          ],
          volumes: [
            // Dashboards and datasources come from Git; the SQLite database is disposable.
            { name: 'storage', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
            configMapVolume(component.datasourcesConfigMap),
            configMapVolume(component.dashboardProviderConfigMap),
            configMapVolume(component.dashboardsConfigMap),
          ],
        },
      },
    },
  };
}

export function grafanaService(settings: GrafanaSettings, namespace: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: component.name, namespace, labels },
    spec: {
      type: settings.service.type,
      selector,
      ports: [
        {
          name: 'http',
          port: component.port,
          targetPort: 'http',
          protocol: 'TCP',
          ...nodePortFields(settings.service),
        },
      ],
    },
  };
}

/** The admin Secret's source as objects for the overlay; none for an existing Secret. */
export function grafanaCredentialObjects(
  credentials: AdminCredentials,
  namespace: string,
): (ExternalSecret | SealedSecret)[] {
  const metadata = {
    name: credentials.secretName,
    namespace,
    labels,
    annotations: syncWave(syncWaves.config),
  };
  switch (credentials.source) {
    case 'generated':
    case 'existingSecret':
      return [];
    case 'externalSecret': {
      const { externalSecret } = credentials;
      return [
        {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata,
          spec: {
            refreshInterval: externalSecret.refreshInterval,
            secretStoreRef: { name: externalSecret.storeName, kind: externalSecret.storeKind },
            target: { name: credentials.secretName, creationPolicy: 'Owner' },
            data: [
              {
                secretKey: credentials.userKey,
                remoteRef: { key: externalSecret.remoteKey, property: 'user' },
              },
              {
                secretKey: credentials.passwordKey,
                remoteRef: { key: externalSecret.remoteKey, property: 'password' },
              },
            ],
          },
        },
      ];
    }
    case 'sealedSecret':
      return [
        {
          apiVersion: 'bitnami.com/v1alpha1',
          kind: 'SealedSecret',
          metadata,
          spec: {
            encryptedData: {
              [credentials.userKey]: credentials.sealedSecret.encryptedUser,
              [credentials.passwordKey]: credentials.sealedSecret.encryptedPassword,
            },
            template: { metadata: { name: credentials.secretName, labels }, type: 'Opaque' },
          },
        },
      ];
  }
}

/**
 * Literals of the kustomize secretGenerator for a `generated` source (dev tier only): the
 * spec's default credentials, never written for staging or prod.
 */
export function generatedCredentialLiterals(credentials: AdminCredentials): string[] {
  if (credentials.source !== 'generated') return [];
  return [
    `${credentials.userKey}=admin`,
    `${credentials.passwordKey}=${specDefaultGrafanaPassword}`,
  ];
}
