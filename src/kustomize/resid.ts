/**
 * Resource identity as Kustomize sees it (sigs.k8s.io/kustomize/kyaml/resid): group, version,
 * kind, name, namespace; the "effective" namespace that makes `""` equal `default`; and which
 * API types are cluster-scoped.
 */

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface ResId extends Gvk {
  name: string;
  namespace: string;
}

export const DEFAULT_NAMESPACE = 'default';
/** The effective namespace of cluster-scoped objects. */
export const NOT_NAMESPACEABLE = '_non_namespaceable_';

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(gvk: Gvk): string {
  return gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
}

/**
 * The cluster-scoped types of Kustomize's built-in OpenAPI schema (Kubernetes 1.21), by
 * apiVersion and kind, exactly as kyaml's `precomputedIsNamespaceScoped` lists them. A type
 * missing here (including every custom resource) counts as namespaced, as in Kustomize.
 */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration',
  'apiextensions.k8s.io/v1 CustomResourceDefinition',
  'apiextensions.k8s.io/v1beta1 CustomResourceDefinition',
  'apiregistration.k8s.io/v1 APIService',
  'apiregistration.k8s.io/v1beta1 APIService',
  'certificates.k8s.io/v1 CertificateSigningRequest',
  'certificates.k8s.io/v1beta1 CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema',
  'flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration',
  'networking.k8s.io/v1 IngressClass',
  'networking.k8s.io/v1beta1 IngressClass',
  'node.k8s.io/v1 RuntimeClass',
  'node.k8s.io/v1beta1 RuntimeClass',
  'policy/v1beta1 PodSecurityPolicy',
  'rbac.authorization.k8s.io/v1 ClusterRole',
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1beta1 ClusterRole',
  'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding',
  'scheduling.k8s.io/v1 PriorityClass',
  'scheduling.k8s.io/v1beta1 PriorityClass',
  'storage.k8s.io/v1 CSIDriver',
  'storage.k8s.io/v1 CSINode',
  'storage.k8s.io/v1 StorageClass',
  'storage.k8s.io/v1 VolumeAttachment',
  'storage.k8s.io/v1beta1 CSIDriver',
  'storage.k8s.io/v1beta1 CSINode',
  'storage.k8s.io/v1beta1 StorageClass',
  'storage.k8s.io/v1beta1 VolumeAttachment',
  'v1 ComponentStatus',
  'v1 Namespace',
  'v1 Node',
  'v1 NodeProxyOptions',
  'v1 PersistentVolume',
]);

/** Namespaced types of the same schema: together with CLUSTER_SCOPED, the types it knows. */
const NAMESPACED: ReadonlySet<string> = new Set([
  'apps/v1 ControllerRevision',
  'apps/v1 DaemonSet',
  'apps/v1 Deployment',
  'apps/v1 ReplicaSet',
  'apps/v1 StatefulSet',
  'autoscaling/v1 HorizontalPodAutoscaler',
  'autoscaling/v1 Scale',
  'autoscaling/v2beta1 HorizontalPodAutoscaler',
  'autoscaling/v2beta2 HorizontalPodAutoscaler',
  'batch/v1 CronJob',
  'batch/v1 Job',
  'batch/v1beta1 CronJob',
  'coordination.k8s.io/v1 Lease',
  'coordination.k8s.io/v1beta1 Lease',
  'discovery.k8s.io/v1 EndpointSlice',
  'discovery.k8s.io/v1beta1 EndpointSlice',
  'events.k8s.io/v1 Event',
  'events.k8s.io/v1beta1 Event',
  'extensions/v1beta1 Ingress',
  'networking.k8s.io/v1 Ingress',
  'networking.k8s.io/v1 NetworkPolicy',
  'networking.k8s.io/v1beta1 Ingress',
  'policy/v1 PodDisruptionBudget',
  'policy/v1beta1 PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1 Role',
  'rbac.authorization.k8s.io/v1 RoleBinding',
  'rbac.authorization.k8s.io/v1beta1 Role',
  'rbac.authorization.k8s.io/v1beta1 RoleBinding',
  'storage.k8s.io/v1beta1 CSIStorageCapacity',
  'v1 ConfigMap',
  'v1 Endpoints',
  'v1 Event',
  'v1 LimitRange',
  'v1 PersistentVolumeClaim',
  'v1 Pod',
  'v1 PodAttachOptions',
  'v1 PodExecOptions',
  'v1 PodPortForwardOptions',
  'v1 PodProxyOptions',
  'v1 PodTemplate',
  'v1 ReplicationController',
  'v1 ResourceQuota',
  'v1 Secret',
  'v1 Service',
  'v1 ServiceAccount',
  'v1 ServiceProxyOptions',
]);

function typeKey(gvk: Gvk): string {
  return `${apiVersionOf(gvk)} ${gvk.kind}`;
}

export function isNamespaceable(gvk: Gvk): boolean {
  return !CLUSTER_SCOPED.has(typeKey(gvk));
}

/** Whether Kustomize's built-in schema knows the type (drives strategic-merge list keys). */
export function isBuiltInType(gvk: Gvk): boolean {
  const key = typeKey(gvk);
  return CLUSTER_SCOPED.has(key) || NAMESPACED.has(key);
}

export function effectiveNamespace(id: ResId): string {
  if (!isNamespaceable(id)) return NOT_NAMESPACEABLE;
  return id.namespace === '' || id.namespace === DEFAULT_NAMESPACE
    ? DEFAULT_NAMESPACE
    : id.namespace;
}

export function gvkEquals(a: Gvk, b: Gvk): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

export function idEquals(a: ResId, b: ResId): boolean {
  return a.name === b.name && gvkEquals(a, b) && effectiveNamespace(a) === effectiveNamespace(b);
}

/** `Gvk.IsSelected`: empty selector fields are wildcards. */
export function gvkSelected(gvk: Gvk, selector: Partial<Gvk>): boolean {
  if (selector.group && selector.group !== gvk.group) return false;
  if (selector.version && selector.version !== gvk.version) return false;
  if (selector.kind && selector.kind !== gvk.kind) return false;
  return true;
}

/** `Gvk.String()`: `group_version_kind` with `~G`, `~V`, `~K` for empty parts. */
export function gvkString(gvk: Gvk): string {
  return [gvk.group || '~G', gvk.version || '~V', gvk.kind || '~K'].join('_');
}

/** `ResId.String()`: `gvk|namespace|name` with `~X` and `~N` for empty parts. */
export function idString(id: ResId): string {
  return [gvkString(id), id.namespace || '~X', id.name || '~N'].join('|');
}

/** `Kind/namespace/name` for messages. */
export function idLabel(id: ResId): string {
  return id.namespace ? `${id.kind}/${id.namespace}/${id.name}` : `${id.kind}/${id.name}`;
}
