/**
 * Prometheus manifests: ServiceAccount, least-privilege ClusterRole and binding, StatefulSet
 * (stable pod names for the `replica` external label, one volume claim per replica), Services
 * and the PodDisruptionBudget of HA environments. Built from an environment's settings, so the
 * base and every overlay patch come from one definition. Pure.
 */
import type { PrometheusSettings, StorageSettings } from '../../config/environment.js';
import {
  clusterScopedName,
  componentLabels,
  prometheusComponent as component,
  selectorLabels,
} from '../../stack/components.js';
import {
  componentResources,
  componentStatefulSet,
  disruptionBudget,
  spreadAcrossNodes,
  imageReference,
  podSecurity,
  restrictedContainerSecurity,
  syncWave,
  syncWaves,
  type ClusterRole,
  type ClusterRoleBinding,
  type PodDisruptionBudget,
  type Service,
  type ServiceAccount,
  type StatefulSet,
  type PersistentVolumeClaim,
  type Probe,
  type Volume,
} from '../kubernetes.js';
import { nodePortFields } from './service.js';

const labels = componentLabels(component.name);
const selector = selectorLabels(component.name);

/**
 * Command-line flags. Setting `args` replaces the image's CMD, so the config file and TSDB path
 * are repeated. No `--web.enable-lifecycle`: the Service may be a NodePort, and config changes
 * roll out through the hashed ConfigMap name instead of a reload endpoint.
 */
export function prometheusArgs(settings: PrometheusSettings): string[] {
  const args = [
    `--config.file=${component.configDir}/${component.configFile}`,
    `--storage.tsdb.path=${component.dataDir}`,
    `--storage.tsdb.retention.time=${settings.retention.time}`,
    `--storage.tsdb.retention.size=${settings.retention.size}`,
    `--web.listen-address=:${component.port}`,
  ];
  if (settings.query.maxSamples !== undefined) {
    args.push(`--query.max-samples=${settings.query.maxSamples}`);
  }
  if (settings.query.timeout !== undefined) args.push(`--query.timeout=${settings.query.timeout}`);
  return args;
}

/** The data volume of the pod template: an emptyDir; a PVC replaces it with a claim template. */
export function dataVolume(storage: StorageSettings): Volume {
  return { name: component.dataVolume, emptyDir: { sizeLimit: storage.size } };
}

export function volumeClaimTemplate(
  storage: Extract<StorageSettings, { type: 'pvc' }>,
): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: component.dataVolume, labels: { ...selector } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storage.storageClass === undefined ? {} : { storageClassName: storage.storageClass }),
      resources: { requests: { storage: storage.size } },
    },
  };
}

const probe = (path: string, periodSeconds: number, failureThreshold: number): Probe => ({
  httpGet: { path, port: 'web' },
  periodSeconds,
  timeoutSeconds: 5,
  failureThreshold,
});

export function prometheusServiceAccount(namespace: string): ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: component.name, namespace, labels, annotations: syncWave(syncWaves.rbac) },
  };
}

/** Read-only discovery and kubelet scraping: get/list/watch, no wildcards, no nodes/proxy. */
export function prometheusClusterRole(namespace: string): ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: clusterScopedName(namespace, component.name),
      labels,
      annotations: syncWave(syncWaves.rbac),
    },
    rules: [
      {
        apiGroups: [''],
        resources: ['nodes', 'nodes/metrics', 'pods', 'services'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['discovery.k8s.io'],
        resources: ['endpointslices'],
        verbs: ['get', 'list', 'watch'],
      },
      { nonResourceURLs: ['/metrics', '/metrics/cadvisor'], verbs: ['get'] },
    ],
  };
}

export function clusterRoleBinding(
  namespace: string,
  name: string,
  objectLabels: Record<string, string>,
): ClusterRoleBinding {
  const clusterName = clusterScopedName(namespace, name);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: clusterName, labels: objectLabels, annotations: syncWave(syncWaves.rbac) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  };
}

export function prometheusStatefulSet(
  settings: PrometheusSettings,
  namespace: string,
): StatefulSet {
  return componentStatefulSet({
    name: component.name,
    namespace,
    serviceName: component.headlessService,
    replicas: settings.replicas,
    labels,
    selector,
    podSpec: {
      serviceAccountName: component.name,
      securityContext: podSecurity(component.user),
      // Prometheus flushes its head block on shutdown; give it time.
      terminationGracePeriodSeconds: 120,
      affinity: spreadAcrossNodes(selector),
      containers: [
        {
          name: component.name,
          image: imageReference(settings.image),
          args: prometheusArgs(settings),
          env: [
            // Expanded in external_labels (`replica: ${POD_NAME}`) by Prometheus 3.
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          ports: [{ name: 'web', containerPort: component.port, protocol: 'TCP' }],
          // WAL replay of a large TSDB can take minutes: the startup probe covers it.
          startupProbe: probe('/-/ready', 15, 60),
          readinessProbe: probe('/-/ready', 10, 3),
          livenessProbe: probe('/-/healthy', 15, 5),
          resources: componentResources(settings),
          securityContext: restrictedContainerSecurity(),
          volumeMounts: [
            { name: 'config', mountPath: component.configDir, readOnly: true },
            { name: component.dataVolume, mountPath: component.dataDir },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: component.configMap, defaultMode: 0o644 } },
        dataVolume(settings.storage),
      ],
    },
  });
}

const webPort = { name: 'web', port: component.port, targetPort: 'web', protocol: 'TCP' };

export function prometheusService(settings: PrometheusSettings, namespace: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: component.name, namespace, labels },
    spec: {
      type: settings.service.type,
      selector,
      // With two replicas, keep a client (Grafana) on one of them so graphs do not flap.
      sessionAffinity: 'ClientIP',
      ports: [{ ...webPort, ...nodePortFields(settings.service) }],
    },
  };
}

/** Stable per-pod DNS names for the StatefulSet. */
export function prometheusHeadlessService(namespace: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: component.headlessService, namespace, labels },
    spec: { clusterIP: 'None', selector, ports: [webPort] },
  };
}

/** Only for HA environments: a voluntary disruption never takes both replicas down. */
export function prometheusDisruptionBudget(namespace: string): PodDisruptionBudget {
  return disruptionBudget(component.name, namespace, labels, selector);
}
