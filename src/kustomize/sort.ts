/**
 * Output order: Kustomize's "legacy" sort (api/internal/builtins/SortOrderTransformer), the
 * default of `kubectl kustomize`: a fixed kind order first, webhooks last, then by
 * group_version_kind, then by `gvk|namespace|name`. `sortOptions.order: fifo` keeps build order.
 */
import { gvkEquals, gvkString, idString } from './resid.js';
import type { Resource } from './resource.js';

export const LEGACY_ORDER_FIRST: readonly string[] = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];

export const LEGACY_ORDER_LAST: readonly string[] = [
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function sortResources(
  resources: readonly Resource[],
  options: {
    order: 'legacy' | 'fifo';
    orderFirst?: readonly string[];
    orderLast?: readonly string[];
  } = {
    order: 'legacy',
  },
): Resource[] {
  if (options.order === 'fifo') return [...resources];
  const first = options.orderFirst ?? LEGACY_ORDER_FIRST;
  const last = options.orderLast ?? LEGACY_ORDER_LAST;
  const rank = new Map<string, number>();
  first.forEach((kind, index) => rank.set(kind, index - first.length));
  last.forEach((kind, index) => rank.set(kind, index + 1));
  const keyed = resources.map((resource) => ({ resource, id: resource.curId() }));
  keyed.sort((a, b) => {
    if (!gvkEquals(a.id, b.id)) {
      const ra = rank.get(a.id.kind) ?? 0;
      const rb = rank.get(b.id.kind) ?? 0;
      if (ra !== rb) return ra - rb;
      return compareText(gvkString(a.id), gvkString(b.id));
    }
    return compareText(idString(a.id), idString(b.id));
  });
  return keyed.map((item) => item.resource);
}
