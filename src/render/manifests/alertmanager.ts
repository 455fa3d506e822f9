/**
 * Alertmanager manifests: a StatefulSet (stable names for the gossip peers of several
 * replicas), its Services and, with replicas, a PodDisruptionBudget. The configuration comes
 * from the overlay's generated ConfigMap, the receivers' credentials from an existing Secret
 * mounted as files. Rendered only into overlays that enable Alertmanager. Pure.
 */
import type { AlertmanagerSettings } from '../../config/environment.js';
import {
  alertmanagerComponent as component,
  componentLabels,
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
  type PodDisruptionBudget,
  type Probe,
  type Service,
  type StatefulSet,
} from '../kubernetes.js';

const labels = componentLabels(component.name);
const selector = selectorLabels(component.name);

/** One replica runs alone; several find each other through the headless Service. */
export function alertmanagerArgs(settings: AlertmanagerSettings, namespace: string): string[] {
  const args = [
    `--config.file=${component.configDir}/${component.configFile}`,
    `--storage.path=${component.dataDir}`,
    `--web.listen-address=:${component.port}`,
  ];
  if (settings.replicas === 1) return [...args, '--cluster.listen-address='];
  const peers = Array.from(
    { length: settings.replicas },
    (_, index) =>
      `--cluster.peer=${component.name}-${index}.${component.headlessService}.${namespace}.svc:${component.clusterPort}`,
  );
  return [...args, `--cluster.listen-address=0.0.0.0:${component.clusterPort}`, ...peers];
}

const probe = (path: string): Probe => ({
  httpGet: { path, port: 'web' },
  periodSeconds: 10,
  timeoutSeconds: 5,
  failureThreshold: 3,
});

export function alertmanagerStatefulSet(
  settings: AlertmanagerSettings,
  namespace: string,
): StatefulSet {
  const ports: { name: string; containerPort: number; protocol: string }[] = [
    { name: 'web', containerPort: component.port, protocol: 'TCP' },
  ];
  if (settings.replicas > 1) {
    ports.push(
      { name: 'cluster-tcp', containerPort: component.clusterPort, protocol: 'TCP' },
      { name: 'cluster-udp', containerPort: component.clusterPort, protocol: 'UDP' },
    );
  }
  return componentStatefulSet({
    name: component.name,
    namespace,
    serviceName: component.headlessService,
    replicas: settings.replicas,
    labels,
    selector,
    podSpec: {
      // Alertmanager talks to no Kubernetes API.
      automountServiceAccountToken: false,
      securityContext: podSecurity(component.user),
      affinity: spreadAcrossNodes(selector),
      containers: [
        {
          name: component.name,
          image: imageReference(settings.image),
          args: alertmanagerArgs(settings, namespace),
          ports,
          readinessProbe: probe('/-/ready'),
          livenessProbe: probe('/-/healthy'),
          resources: componentResources(settings),
          securityContext: restrictedContainerSecurity(),
          volumeMounts: [
            { name: 'config', mountPath: component.configDir, readOnly: true },
            { name: 'receivers', mountPath: component.secretsDir, readOnly: true },
            // Silences and the notification log; gossip restores them across restarts.
            { name: 'data', mountPath: component.dataDir },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: component.configMap, defaultMode: 0o644 } },
        // Not optional: without its credentials Alertmanager could only fail to notify.
        { name: 'receivers', secret: { secretName: settings.secretName, defaultMode: 0o440 } },
        { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
      ],
    },
  });
}

export function alertmanagerServices(namespace: string): Service[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: component.name, namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'web', port: component.port, targetPort: 'web', protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: component.headlessService, namespace, labels },
      spec: {
        clusterIP: 'None',
        selector,
        // Peers must find each other before they are ready: readiness waits for the cluster.
        publishNotReadyAddresses: true,
        ports: [
          {
            name: 'cluster-tcp',
            port: component.clusterPort,
            targetPort: component.clusterPort,
            protocol: 'TCP',
          },
          {
            name: 'cluster-udp',
            port: component.clusterPort,
            targetPort: component.clusterPort,
            protocol: 'UDP',
          },
        ],
      },
    },
  ];
}

export function alertmanagerDisruptionBudget(namespace: string): PodDisruptionBudget {
  return disruptionBudget(component.name, namespace, labels, selector);
}
