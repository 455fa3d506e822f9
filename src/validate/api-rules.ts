/**
 * What the API server would reject even where a JSON Schema is silent: object names, label
 * and annotation syntax, resource quantities, the enums of common fields, port ranges, pod
 * spec consistency (unique container and volume names, mounts of existing volumes), workload
 * selectors that match their template, and the same object twice. Pure.
 */
import {
  checkEnums,
  checkLabelMap,
  checkName,
  checkPort,
  checkPortName,
  checkQuantity,
  checkResources,
  dns1123Label,
  RuleContext,
  type EnumRule,
} from './api-syntax.js';
import type { ManifestResource, Path } from './documents.js';
import { formatPath, type Finding } from './findings.js';
import { asArray, isRecord, podSpecPaths, reach, type Json } from './object-paths.js';
import { quoteValue } from '../text-safety.js';

/** Workloads whose selector must select their own template (apps/v1 rejects otherwise). */
const selectorWorkloads = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Enums of fields inside a pod spec (relative to it). `*` matches every list item. */
const podSpecEnums: EnumRule[] = [
  { path: ['restartPolicy'], values: ['Always', 'OnFailure', 'Never'] },
  { path: ['dnsPolicy'], values: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] },
  { path: ['tolerations', '*', 'operator'], values: ['Exists', 'Equal'] },
  {
    path: ['tolerations', '*', 'effect'],
    values: ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'],
  },
  {
    path: ['securityContext', 'seccompProfile', 'type'],
    values: ['RuntimeDefault', 'Unconfined', 'Localhost'],
  },
  {
    path: ['volumes', '*', 'hostPath', 'type'],
    values: [
      '',
      'DirectoryOrCreate',
      'Directory',
      'FileOrCreate',
      'File',
      'Socket',
      'CharDevice',
      'BlockDevice',
    ],
  },
];

/** Enums of fields inside a container (relative to it). */
const containerEnums: EnumRule[] = [
  { path: ['imagePullPolicy'], values: ['Always', 'Never', 'IfNotPresent'] },
  { path: ['terminationMessagePolicy'], values: ['File', 'FallbackToLogsOnError'] },
  { path: ['ports', '*', 'protocol'], values: ['TCP', 'UDP', 'SCTP'] },
  {
    path: ['volumeMounts', '*', 'mountPropagation'],
    values: ['None', 'HostToContainer', 'Bidirectional'],
  },
  ...['livenessProbe', 'readinessProbe', 'startupProbe'].map((probe) => ({
    path: [probe, 'httpGet', 'scheme'],
    values: ['HTTP', 'HTTPS'],
  })),
  {
    path: ['securityContext', 'seccompProfile', 'type'],
    values: ['RuntimeDefault', 'Unconfined', 'Localhost'],
  },
];

/** Enums at object level, per kind. */
const kindEnums: Record<string, EnumRule[]> = {
  Service: [
    { path: ['spec', 'type'], values: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
    { path: ['spec', 'sessionAffinity'], values: ['None', 'ClientIP'] },
    { path: ['spec', 'externalTrafficPolicy'], values: ['Cluster', 'Local'] },
    { path: ['spec', 'internalTrafficPolicy'], values: ['Cluster', 'Local'] },
    { path: ['spec', 'ports', '*', 'protocol'], values: ['TCP', 'UDP', 'SCTP'] },
  ],
  Deployment: [{ path: ['spec', 'strategy', 'type'], values: ['RollingUpdate', 'Recreate'] }],
  StatefulSet: [
    { path: ['spec', 'podManagementPolicy'], values: ['OrderedReady', 'Parallel'] },
    { path: ['spec', 'updateStrategy', 'type'], values: ['RollingUpdate', 'OnDelete'] },
  ],
  DaemonSet: [{ path: ['spec', 'updateStrategy', 'type'], values: ['RollingUpdate', 'OnDelete'] }],
  PersistentVolumeClaim: [
    {
      path: ['spec', 'accessModes', '*'],
      values: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'],
    },
    { path: ['spec', 'volumeMode'], values: ['Filesystem', 'Block'] },
  ],
  CronJob: [{ path: ['spec', 'concurrencyPolicy'], values: ['Allow', 'Forbid', 'Replace'] }],
};

function checkPodSpec(
  context: RuleContext,
  base: Path,
  pod: Json,
  claimTemplates: readonly string[],
): void {
  checkEnums(context, podSpecEnums, base);
  const volumes = asArray(pod.volumes);
  const volumeNames = new Set<string>(claimTemplates);
  volumes.forEach((volume, index) => {
    if (!isRecord(volume) || typeof volume.name !== 'string') return;
    const path = [...base, 'volumes', index, 'name'];
    if (!dns1123Label.test(volume.name) || volume.name.length > 63) {
      context.report(
        'api/invalid-name',
        path,
        `${quoteValue(volume.name)} is not a valid volume name`,
        'use at most 63 lowercase letters, digits and "-"',
      );
    }
    if (volumeNames.has(volume.name))
      context.report(
        'api/duplicate-name',
        path,
        `volume ${quoteValue(volume.name)} is defined twice`,
      );
    volumeNames.add(volume.name);
    if (isRecord(volume.emptyDir) && volume.emptyDir.sizeLimit !== undefined) {
      checkQuantity(
        context,
        [...base, 'volumes', index, 'emptyDir', 'sizeLimit'],
        volume.emptyDir.sizeLimit,
      );
    }
  });
  const containerNames = new Set<string>();
  for (const list of ['initContainers', 'containers'] as const) {
    asArray(pod[list]).forEach((container, index) => {
      if (!isRecord(container)) return;
      const path = [...base, list, index];
      if (typeof container.name === 'string') {
        if (!dns1123Label.test(container.name) || container.name.length > 63) {
          context.report(
            'api/invalid-name',
            [...path, 'name'],
            `${quoteValue(container.name)} is not a valid container name`,
            'use at most 63 lowercase letters, digits and "-"',
          );
        }
        if (containerNames.has(container.name)) {
          context.report(
            'api/duplicate-name',
            [...path, 'name'],
            `container ${quoteValue(container.name)} is defined twice in the pod`,
          );
        }
        containerNames.add(container.name);
      }
      checkEnums(context, containerEnums, path);
      checkResources(context, [...path, 'resources'], container.resources);
      asArray(container.ports).forEach((port, portIndex) => {
        if (!isRecord(port)) return;
        checkPort(context, [...path, 'ports', portIndex, 'containerPort'], port.containerPort, 1);
        checkPort(context, [...path, 'ports', portIndex, 'hostPort'], port.hostPort, 0);
        checkPortName(context, [...path, 'ports', portIndex, 'name'], port.name);
      });
      asArray(container.volumeMounts).forEach((mount, mountIndex) => {
        if (!isRecord(mount) || typeof mount.name !== 'string') return;
        if (!volumeNames.has(mount.name)) {
          context.report(
            'api/unknown-volume',
            [...path, 'volumeMounts', mountIndex, 'name'],
            `volume mount ${quoteValue(mount.name)} names no volume of the pod`,
            volumeNames.size > 0
              ? `volumes: ${[...volumeNames].join(', ')}`
              : 'add the volume under spec.volumes',
          );
        }
      });
    });
  }
}

/** Does a label selector select these labels? */
function selects(selector: Json, labels: Json): boolean {
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== value) return false;
  for (const expression of asArray(selector.matchExpressions)) {
    if (!isRecord(expression) || typeof expression.key !== 'string') continue;
    const value = labels[expression.key];
    const values = asArray(expression.values);
    switch (expression.operator) {
      case 'In':
        if (!values.includes(value)) return false;
        break;
      case 'NotIn':
        if (values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
    }
  }
  return true;
}

function checkSelector(context: RuleContext): void {
  const { object } = context.resource;
  const spec = isRecord(object.spec) ? object.spec : undefined;
  if (!spec) return;
  const selector = spec.selector;
  const template = isRecord(spec.template) ? spec.template : {};
  const labels =
    isRecord(template.metadata) && isRecord(template.metadata.labels)
      ? template.metadata.labels
      : {};
  // A missing selector is the schema's finding (a required field); an empty one is ours.
  if (selector === undefined) return;
  if (
    !isRecord(selector) ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 &&
      asArray(selector.matchExpressions).length === 0)
  ) {
    context.report(
      'api/missing-selector',
      ['spec', 'selector'],
      `a ${context.resource.id.kind} needs a non-empty spec.selector`,
      'select the labels of spec.template.metadata.labels',
    );
    return;
  }
  if (!selects(selector, labels)) {
    context.report(
      'api/selector-mismatch',
      ['spec', 'selector'],
      'spec.selector does not match spec.template.metadata.labels; the API server rejects such a workload',
      'make every matchLabels entry a label of the pod template',
    );
  }
}

function checkService(context: RuleContext): void {
  const spec = context.resource.object.spec;
  if (!isRecord(spec)) return;
  asArray(spec.ports).forEach((port, index) => {
    if (!isRecord(port)) return;
    const path = ['spec', 'ports', index];
    checkPort(context, [...path, 'port'], port.port, 1);
    if (typeof port.targetPort === 'number')
      checkPort(context, [...path, 'targetPort'], port.targetPort, 1);
    else checkPortName(context, [...path, 'targetPort'], port.targetPort);
    checkPortName(context, [...path, 'name'], port.name);
    if (port.nodePort !== undefined) {
      if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
        context.report(
          'api/node-port-needs-type',
          [...path, 'nodePort'],
          `a nodePort needs a Service of type NodePort or LoadBalancer (this is ${typeof spec.type === 'string' ? spec.type : 'ClusterIP'})`,
        );
      } else if (
        typeof port.nodePort === 'number' &&
        (port.nodePort < 30000 || port.nodePort > 32767)
      ) {
        context.findings.push({
          ...finding(
            context,
            'api/node-port-range',
            [...path, 'nodePort'],
            `nodePort ${port.nodePort} is outside the default range 30000-32767; the API server rejects it unless --service-node-port-range allows it`,
          ),
          severity: 'warning',
        });
      }
    }
  });
}

function finding(context: RuleContext, code: string, path: Path, message: string): Finding {
  return {
    code,
    severity: 'error',
    message,
    file: context.resource.file,
    document: context.resource.document,
    ...context.resource.locate(path, 'key'),
    path: formatPath([...context.resource.pathInDocument, ...path]),
    resource: context.resource.id,
  };
}

/** The API-server checks of one object. */
export function checkApiRules(resource: ManifestResource): Finding[] {
  const context = new RuleContext(resource);
  const { kind } = resource.id;
  checkName(context);
  checkLabelMap(context, ['metadata', 'labels'], true);
  checkLabelMap(context, ['metadata', 'annotations'], false);
  checkEnums(context, kindEnums[kind] ?? [], []);
  const podPath = podSpecPaths[kind];
  if (podPath) {
    const pod = reach(resource.object, podPath)[0]?.[1];
    const claims = asArray(
      isRecord(resource.object.spec) ? resource.object.spec.volumeClaimTemplates : undefined,
    )
      .map((claim) =>
        isRecord(claim) && isRecord(claim.metadata) ? claim.metadata.name : undefined,
      )
      .filter((name): name is string => typeof name === 'string');
    if (isRecord(pod)) checkPodSpec(context, podPath, pod, claims);
    if (podPath.length > 1) {
      checkLabelMap(context, [...podPath.slice(0, -1), 'metadata', 'labels'], true);
      checkLabelMap(context, [...podPath.slice(0, -1), 'metadata', 'annotations'], false);
    }
  }
  if (selectorWorkloads.has(kind)) checkSelector(context);
  if (kind === 'Service') checkService(context);
  if (kind === 'PersistentVolumeClaim') {
    for (const [path, value] of reach(resource.object, [
      'spec',
      'resources',
      'requests',
      'storage',
    ]))
      checkQuantity(context, path, value);
  }
  if (kind === 'StatefulSet') {
    for (const [path, value] of reach(resource.object, [
      'spec',
      'volumeClaimTemplates',
      '*',
      'spec',
      'resources',
      'requests',
      'storage',
    ]))
      checkQuantity(context, path, value);
  }
  if (kind === 'ResourceQuota') {
    const hard = reach(resource.object, ['spec', 'hard'])[0]?.[1];
    if (isRecord(hard))
      for (const [name, value] of Object.entries(hard))
        checkQuantity(context, ['spec', 'hard', name], value);
  }
  return context.findings;
}

/**
 * The same group/kind/namespace/name twice in one set of objects, found as the objects are
 * read: only the key and the place of the first of each are kept, not the object.
 */
export class DuplicateObjects {
  private readonly seen = new Map<string, { file: string; document: number }>();

  /** Findings for `resource` when an object with its key was seen before. */
  see(resource: ManifestResource): Finding[] {
    const group = resource.id.apiVersion.includes('/') ? resource.id.apiVersion.split('/')[0] : '';
    const key = `${group ?? ''}/${resource.id.kind}/${resource.id.namespace ?? ''}/${resource.id.name}`;
    const first = this.seen.get(key);
    if (!first) {
      this.seen.set(key, { file: resource.file, document: resource.document });
      return [];
    }
    const context = new RuleContext(resource);
    context.report(
      'api/duplicate-object',
      ['metadata', 'name'],
      `${resource.id.kind} ${quoteValue(resource.id.name)} appears twice (also in ${first.file}, document ${first.document + 1}); the second would overwrite the first`,
    );
    return context.findings;
  }
}
