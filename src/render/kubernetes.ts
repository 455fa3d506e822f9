/**
 * Kubernetes object types for the manifests gitops-gen writes, taken from the generated models
 * of @kubernetes/client-node (type-only imports: nothing of that package runs). A manifest is a
 * model with its apiVersion, kind and metadata required; a patch is a deep partial of one.
 */
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1DaemonSet,
  V1Deployment,
  V1EnvVar,
  V1Namespace,
  V1ObjectMeta,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V1Probe,
  V1SecurityContext,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
  V1Volume,
} from '@kubernetes/client-node';
import type { ImageSettings } from '../config/environment.js';

/**
 * The generated models are classes used as data shapes; mapping over one gives the same
 * fields as a plain object type, which is what a manifest literal is.
 */
export type Plain<T> = T extends (infer Item)[]
  ? Plain<Item>[]
  : T extends Date
    ? string
    : T extends object
      ? { [Key in keyof T]: Plain<T[Key]> }
      : T;

export type DeepPartial<T> = T extends (infer Item)[]
  ? DeepPartial<Item>[]
  : T extends object
    ? { [Key in keyof T]?: DeepPartial<T[Key]> }
    : T;

type Metadata = Plain<V1ObjectMeta> & { name: string };

/** A Kubernetes object as written to a manifest file. */
export type Manifest<T> = Plain<Omit<T, 'apiVersion' | 'kind' | 'metadata'>> & {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
};

/** A strategic-merge patch: names the object, sets only what changes (annotations too). */
export type Patch<T> = DeepPartial<Omit<T, 'apiVersion' | 'kind' | 'metadata'>> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
};

export type Namespace = Manifest<V1Namespace>;
export type ServiceAccount = Manifest<V1ServiceAccount>;
export type ClusterRole = Manifest<V1ClusterRole>;
export type ClusterRoleBinding = Manifest<V1ClusterRoleBinding>;
export type StatefulSet = Manifest<V1StatefulSet>;
export type Deployment = Manifest<V1Deployment>;
export type DaemonSet = Manifest<V1DaemonSet>;
export type Service = Manifest<V1Service>;
export type PodDisruptionBudget = Manifest<V1PodDisruptionBudget>;
export type EnvVar = Plain<V1EnvVar>;
export type PersistentVolumeClaim = Plain<V1PersistentVolumeClaim>;
export type Probe = Plain<V1Probe>;
export type SecurityContext = Plain<V1SecurityContext>;
export type Volume = Plain<V1Volume>;
export type { V1DaemonSet, V1Deployment, V1Service, V1StatefulSet };

/** Any object a manifest file may hold, including CRDs we emit (ExternalSecret, SealedSecret). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
}

/** A custom resource: a Kubernetes object with a CRD-defined spec. */
export interface CustomResource<Spec> extends KubernetesObject {
  spec: Spec;
}

/** Restricted container security context: no privileges, no capabilities, read-only root. */
export function restrictedContainerSecurity(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
}

/** Pod security context running as a fixed non-root user (`fsGroup` makes volumes writable). */
export function podSecurity(user: number) {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    fsGroup: user,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Pod security context field for pods whose volumes can be large (a Prometheus TSDB, Alertmanager
 * and Grafana claims): with `fsGroup` set, the kubelet otherwise changes the owner and mode of
 * every file at each mount (`Always`), which on a large volume delays the start by minutes;
 * `OnRootMismatch` does it only when the volume's root does not already match.
 */
export const largeVolumeOwnership = { fsGroupChangePolicy: 'OnRootMismatch' } as const;

/**
 * Argo CD sync waves: the Namespace first, then RBAC, then configuration, then workloads, so
 * that no pod starts before what it mounts exists (Flux applies in dependency order anyway).
 */
export const syncWaves = { namespace: -3, rbac: -2, config: -1 } as const;

export function syncWave(wave: number): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': String(wave) };
}

/**
 * Keeps a Namespace when a controller would delete it: MLflow may live in it too. Argo CD skips
 * `Delete=false` objects when a cascading Application deletion cleans up, and `Prune=false`
 * ones when an object leaves Git (such as after switching to `namespaceManagement: existing`);
 * Flux's garbage collection, on pruning and on deleting the Kustomization, skips
 * `prune: disabled`. `kubectl delete -k` ignores both.
 */
export const keepNamespaceAnnotations: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

/** `repository:tag`, `repository:tag@digest` or `repository@digest`. */
export function imageReference(image: ImageSettings): string {
  const tag = image.tag === undefined ? '' : `:${image.tag}`;
  const digest = image.digest === undefined ? '' : `@${image.digest}`;
  return `${image.repository}${tag}${digest}`;
}

/** Requests and limits of a component, copied so that no two objects share one. */
export function componentResources(settings: {
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
}) {
  return {
    requests: { ...settings.resources.requests },
    limits: { ...settings.resources.limits },
  };
}

/** Never lets a voluntary disruption (a drain, an upgrade) take every replica down at once. */
export function disruptionBudget(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace, labels },
    spec: { minAvailable: 1, selector: { matchLabels: selector } },
  };
}

/** Replicas on different nodes where the scheduler can: one node failing keeps the others. */
export function spreadAcrossNodes(selector: Record<string, string>) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: selector },
          },
        },
      ],
    },
  };
}

/** A StatefulSet's claim template: one ReadWriteOnce claim per replica. */
export function claimTemplate(
  name: string,
  storage: { size: string; storageClass?: string },
  selector: Record<string, string>,
): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, labels: { ...selector } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storage.storageClass === undefined ? {} : { storageClassName: storage.storageClass }),
      resources: { requests: { storage: storage.size } },
    },
  };
}

export type PodSpec = NonNullable<NonNullable<StatefulSet['spec']>['template']['spec']>;

/**
 * A StatefulSet of a component: stable pod names (replica labels, gossip peers) behind a
 * headless Service, pods started together rather than one by one.
 */
export function componentStatefulSet(options: {
  name: string;
  namespace: string;
  serviceName: string;
  replicas: number;
  labels: Record<string, string>;
  selector: Record<string, string>;
  podSpec: PodSpec;
}): StatefulSet {
  const { name, namespace, serviceName, replicas, labels, selector, podSpec } = options;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels },
    spec: {
      serviceName,
      replicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template: { metadata: { labels }, spec: podSpec },
    },
  };
}
