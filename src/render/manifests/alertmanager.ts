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
import type { VolumeStorage } from '../../config/schema-scheduling.js';
import {
  claimTemplate,
  componentResources,
  componentStatefulSet,
  largeVolumeOwnership,
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

/**
 * `storage`: `alertmanager.storage` (environment.persistence); a PVC becomes one claim per
 * replica (a volumeClaimTemplate, which the API server never updates: see immutable-rules.ts).
 */
export function alertmanagerStatefulSet(
  settings: AlertmanagerSettings,
  namespace: string,
  storage: VolumeStorage = { type: 'emptyDir', size: '1Gi' },
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
  const statefulSet = componentStatefulSet({
    name: component.name,
    namespace,
    serviceName: component.headlessService,
    replicas: settings.replicas,
    labels,
    selector,
    podSpec: {
      // Alertmanager talks to no Kubernetes API.
      automountServiceAccountToken: false,
      securityContext:
        storage.type === 'pvc'
          ? { ...podSecurity(component.user), ...largeVolumeOwnership }
          : podSecurity(component.user),
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
        ...(storage.type === 'pvc'
          ? []
          : [{ name: 'data', emptyDir: { sizeLimit: storage.size ?? '1Gi' } }]),
      ],
    },
  });
  if (storage.type === 'pvc' && statefulSet.spec) {
    statefulSet.spec.volumeClaimTemplates = [claimTemplate('data', storage, selector)];
  }
  return statefulSet;
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

/** A template file of the team's, as the overlay ships it. */
export interface AlertmanagerTemplateOverlayFile {
  /** Path in the overlay. */
  path: string;
  text: string;
  /** The configMapGenerator `files` entry: the key Alertmanager finds it under, and the path. */
  generatorEntry: string;
}

/**
 * The team's message templates go into the config ConfigMap beside alertmanager.yml, so they
 * appear in the folder that is already mounted (where `templates:` names them) and a change
 * rolls the pods through the generated name's hash. Copied as written: a header would shift
 * the lines Alertmanager's errors name.
 */
export function alertmanagerTemplateFiles(
  settings: AlertmanagerSettings,
): AlertmanagerTemplateOverlayFile[] {
  return settings.templates.map((template) => {
    const path = `alertmanager/templates/${template.key}`;
    return { path, text: template.text, generatorEntry: `${template.key}=${path}` };
  });
}
