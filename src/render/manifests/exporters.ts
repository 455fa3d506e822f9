/**
 * The exporters the spec's alerts need but its table leaves out: node-exporter (node_* metrics
 * for HighCPUUsage and HighMemoryUsage) and kube-state-metrics (kube_* metrics for
 * PodCrashLooping). node-exporter runs without hostNetwork, so environments sharing a cluster
 * never fight over port 9100; CPU and memory still come from the host's /proc. Pure.
 */
import type { ComponentSettings } from '../../config/environment.js';
import {
  clusterScopedName,
  componentLabels,
  kubeStateMetricsComponent as ksm,
  nodeExporterComponent as nodeExporter,
  selectorLabels,
} from '../../stack/components.js';
import {
  componentResources,
  imageReference,
  podSecurity,
  restrictedContainerSecurity,
  syncWave,
  syncWaves,
  type ClusterRole,
  type DaemonSet,
  type Deployment,
  type Service,
  type ServiceAccount,
} from '../kubernetes.js';

function serviceAccount(name: string, namespace: string): ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      namespace,
      labels: componentLabels(name),
      annotations: syncWave(syncWaves.rbac),
    },
  };
}

/** A headless Service: its EndpointSlices list every pod, which is what Prometheus discovers. */
function headlessService(
  name: string,
  namespace: string,
  ports: { name: string; port: number }[],
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: componentLabels(name) },
    spec: {
      clusterIP: 'None',
      selector: selectorLabels(name),
      ports: ports.map((port) => ({ ...port, targetPort: port.name, protocol: 'TCP' })),
    },
  };
}

export function nodeExporterServiceAccount(namespace: string): ServiceAccount {
  return serviceAccount(nodeExporter.name, namespace);
}

export function nodeExporterDaemonSet(settings: ComponentSettings, namespace: string): DaemonSet {
  const labels = componentLabels(nodeExporter.name);
  const hostPath = (name: string, path: string) => ({ name, hostPath: { path } });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: nodeExporter.name, namespace, labels },
    spec: {
      selector: { matchLabels: selectorLabels(nodeExporter.name) },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: nodeExporter.name,
          automountServiceAccountToken: false,
          securityContext: podSecurity(nodeExporter.user),
          // Every node counts for the CPU and memory alerts, control-plane nodes included.
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: nodeExporter.name,
              image: imageReference(settings.image),
              args: [
                '--path.procfs=/host/proc',
                '--path.sysfs=/host/sys',
                '--path.rootfs=/host/root',
                `--web.listen-address=:${nodeExporter.port}`,
                '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|var/lib/docker/.+|var/lib/kubelet/.+)($|/)',
              ],
              ports: [{ name: 'metrics', containerPort: nodeExporter.port, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/', port: 'metrics' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/', port: 'metrics' }, periodSeconds: 30 },
              resources: componentResources(settings),
              securityContext: restrictedContainerSecurity(),
              volumeMounts: [
                { name: 'proc', mountPath: '/host/proc', readOnly: true },
                { name: 'sys', mountPath: '/host/sys', readOnly: true },
                {
                  name: 'root',
                  mountPath: '/host/root',
                  readOnly: true,
                  mountPropagation: 'HostToContainer',
                },
              ],
            },
          ],
          volumes: [hostPath('proc', '/proc'), hostPath('sys', '/sys'), hostPath('root', '/')],
        },
      },
    },
  };
}

export function nodeExporterService(namespace: string): Service {
  return headlessService(nodeExporter.name, namespace, [
    { name: 'metrics', port: nodeExporter.port },
  ]);
}

export function kubeStateMetricsServiceAccount(namespace: string): ServiceAccount {
  return serviceAccount(ksm.name, namespace);
}

/** list/watch on exactly the resources kube-state-metrics is told to expose. */
export function kubeStateMetricsClusterRole(namespace: string): ClusterRole {
  const core = ['namespaces', 'nodes', 'persistentvolumeclaims', 'pods', 'services'];
  const apps = ['daemonsets', 'deployments', 'replicasets', 'statefulsets'];
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: clusterScopedName(namespace, ksm.name),
      labels: componentLabels(ksm.name),
      annotations: syncWave(syncWaves.rbac),
    },
    rules: [
      { apiGroups: [''], resources: core, verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: apps, verbs: ['list', 'watch'] },
    ],
  };
}

export function kubeStateMetricsDeployment(
  settings: ComponentSettings,
  namespace: string,
): Deployment {
  const labels = componentLabels(ksm.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: ksm.name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels(ksm.name) },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: ksm.name,
          securityContext: podSecurity(ksm.user),
          containers: [
            {
              name: ksm.name,
              image: imageReference(settings.image),
              args: [
                `--port=${ksm.port}`,
                `--telemetry-port=${ksm.telemetryPort}`,
                `--resources=${[...ksm.resources].join(',')}`,
              ],
              ports: [
                { name: ksm.portName, containerPort: ksm.port, protocol: 'TCP' },
                { name: 'telemetry', containerPort: ksm.telemetryPort, protocol: 'TCP' },
              ],
              livenessProbe: {
                httpGet: { path: '/livez', port: ksm.portName },
                initialDelaySeconds: 5,
                timeoutSeconds: 5,
              },
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'telemetry' },
                initialDelaySeconds: 5,
                timeoutSeconds: 5,
              },
              resources: componentResources(settings),
              securityContext: restrictedContainerSecurity(),
            },
          ],
        },
      },
    },
  };
}

export function kubeStateMetricsService(namespace: string): Service {
  return headlessService(ksm.name, namespace, [
    { name: ksm.portName, port: ksm.port },
    { name: 'telemetry', port: ksm.telemetryPort },
  ]);
}
