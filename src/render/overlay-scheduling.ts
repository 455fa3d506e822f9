/**
 * The overlay's part for where each workload's pods run and what data they keep: one
 * strategic-merge patch per workload (`patches/<name>-pod.yaml`) with the environment's
 * scheduling settings (nodeSelector, tolerations, affinity, topologySpreadConstraints,
 * priorityClassName, imagePullSecrets, podAnnotations, podLabels), `fsGroupChangePolicy` on
 * pods with large volumes, Grafana's PVC, and the Ingress or HTTPRoute objects (ingress.ts).
 * Patches, not base changes: the base is shared by every environment. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import type {
  SchedulableComponent,
  SchedulingSettings,
  VolumeStorage,
} from '../config/schema-scheduling.js';
import {
  alertmanagerComponent,
  componentLabels,
  grafanaComponent,
  kubeStateMetricsComponent,
  nodeExporterComponent,
  prometheusComponent,
} from '../stack/components.js';
import { exposureObjects } from './ingress.js';
import { largeVolumeOwnership, type KubernetesObject } from './kubernetes.js';
import type { PatchEntry } from './kustomization.js';
import { toYamlFile, toYamlStream } from './yaml.js';

export const schedulingFiles = {
  grafanaStorage: 'grafana-storage.yaml',
  exposure: 'ingress.yaml',
} as const;

/** The PersistentVolumeClaim of Grafana's data (`grafana.storage.type: pvc`). */
export const grafanaClaimName = `${grafanaComponent.name}-data`;

const workloads: Record<SchedulableComponent, { kind: string; name: string }> = {
  prometheus: { kind: 'StatefulSet', name: prometheusComponent.name },
  grafana: { kind: 'Deployment', name: grafanaComponent.name },
  alertmanager: { kind: 'StatefulSet', name: alertmanagerComponent.name },
  nodeExporter: { kind: 'DaemonSet', name: nodeExporterComponent.name },
  kubeStateMetrics: { kind: 'Deployment', name: kubeStateMetricsComponent.name },
};

export interface SchedulingOverlayPart {
  /** Overlay files by path. */
  files: Map<string, string>;
  /** Entries for the kustomization's `resources`. */
  resources: string[];
  /** Entries for the kustomization's `patches`. */
  patches: PatchEntry[];
}

/** The pod spec fields of the scheduling settings; undefined when nothing is set. */
export function schedulingPodFields(settings: SchedulingSettings): {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
} {
  const spec: Record<string, unknown> = {};
  if (settings.nodeSelector) spec.nodeSelector = { ...settings.nodeSelector };
  if (settings.tolerations) spec.tolerations = settings.tolerations;
  if (settings.topologySpreadConstraints) {
    spec.topologySpreadConstraints = settings.topologySpreadConstraints;
  }
  if (settings.priorityClassName !== undefined) {
    spec.priorityClassName = settings.priorityClassName;
  }
  if (settings.imagePullSecrets) spec.imagePullSecrets = settings.imagePullSecrets;
  if (settings.affinity) {
    // `$patch: replace` swaps the base's whole anti-affinity for the user's, instead of
    // merging the two (a merge would keep the base's podAntiAffinity beside a nodeAffinity).
    spec.affinity = { ...settings.affinity, $patch: 'replace' };
  }
  const metadata = {
    ...(settings.podLabels ? { labels: { ...settings.podLabels } } : {}),
    ...(settings.podAnnotations ? { annotations: { ...settings.podAnnotations } } : {}),
  };
  return Object.keys(metadata).length > 0 ? { metadata, spec } : { spec };
}

/** Whether the component runs in this environment's overlay. */
function deployed(environment: EnvironmentConfig, component: SchedulableComponent): boolean {
  switch (component) {
    case 'prometheus':
      return true;
    case 'alertmanager':
      return environment.alertmanager.enabled;
    default:
      return environment[component].enabled;
  }
}

/** Grafana's data volume: the base's emptyDir, limited, or swapped for the claim. */
function grafanaStorageFields(storage: VolumeStorage): Record<string, unknown> | undefined {
  if (storage.type === 'emptyDir') {
    return storage.size === undefined
      ? undefined
      : { volumes: [{ name: 'storage', emptyDir: { sizeLimit: storage.size } }] };
  }
  return {
    // A null deletes the base's emptyDir in the merge: a volume has exactly one source.
    volumes: [
      { name: 'storage', emptyDir: null, persistentVolumeClaim: { claimName: grafanaClaimName } },
    ],
    securityContext: { ...largeVolumeOwnership },
  };
}

function workloadPatch(
  environment: EnvironmentConfig,
  component: SchedulableComponent,
): Record<string, unknown> | undefined {
  const { kind, name } = workloads[component];
  const pod = schedulingPodFields(environment.scheduling[component]);
  const spec: Record<string, unknown> = { ...pod.spec };
  const workloadSpec: Record<string, unknown> = {};
  if (component === 'prometheus' && environment.prometheus.storage.type === 'pvc') {
    spec.securityContext = { ...largeVolumeOwnership };
  }
  if (component === 'grafana') {
    const storage = environment.persistence.grafana;
    Object.assign(spec, grafanaStorageFields(storage));
    if (storage.type === 'pvc') {
      // A rolling update starts the new pod before stopping the old one: the ReadWriteOnce
      // claim stays attached to the old pod's node (a new pod elsewhere hangs on a Multi-Attach
      // error), and two Grafanas would write one SQLite database. Recreate stops the old first.
      workloadSpec.strategy = { type: 'Recreate' };
    }
  }
  if (Object.keys(spec).length === 0 && pod.metadata === undefined) {
    return Object.keys(workloadSpec).length === 0 ? undefined : patchOf(kind, name, workloadSpec);
  }
  return patchOf(kind, name, {
    ...workloadSpec,
    template: { ...(pod.metadata ? { metadata: pod.metadata } : {}), spec },
  });
}

function patchOf(kind: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'apps/v1', kind, metadata: { name }, spec };
}

function grafanaClaim(environment: EnvironmentConfig): KubernetesObject & { spec: unknown } {
  const storage = environment.persistence.grafana;
  if (storage.type !== 'pvc') throw new Error('grafanaClaim needs pvc storage');
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: grafanaClaimName,
      namespace: environment.namespace,
      labels: componentLabels(grafanaComponent.name),
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storage.storageClass === undefined ? {} : { storageClassName: storage.storageClass }),
      resources: { requests: { storage: storage.size } },
    },
  };
}

export function schedulingOverlayPart(
  environment: EnvironmentConfig,
  header: readonly string[],
): SchedulingOverlayPart {
  const part: SchedulingOverlayPart = { files: new Map(), resources: [], patches: [] };
  for (const component of Object.keys(workloads) as SchedulableComponent[]) {
    if (!deployed(environment, component)) continue;
    const patch = workloadPatch(environment, component);
    if (patch === undefined) continue;
    const { kind, name } = workloads[component];
    const path = `patches/${name}-pod.yaml`;
    part.files.set(path, toYamlFile(header, patch));
    part.patches.push({ path, target: { kind, name } });
  }
  if (environment.grafana.enabled && environment.persistence.grafana.type === 'pvc') {
    part.files.set(schedulingFiles.grafanaStorage, toYamlFile(header, grafanaClaim(environment)));
    part.resources.push(schedulingFiles.grafanaStorage);
  }
  const exposure = exposureObjects(environment);
  if (exposure.length > 0) {
    part.files.set(schedulingFiles.exposure, toYamlStream(header, exposure));
    part.resources.push(schedulingFiles.exposure);
  }
  return part;
}
