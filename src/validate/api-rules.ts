/**
 * What the API server would reject even where a JSON Schema is silent: object names, label
 * and annotation syntax, resource quantities, the enums of common fields, port ranges, pod
 * spec consistency (unique container and volume names, mounts of existing volumes), workload
 * selectors that match their template, and the same object twice. Pure.
 */
import type { ManifestResource, Path } from './documents.js';
import { formatPath, type Finding } from './findings.js';
import { asArray, isRecord, podSpecPaths, reach, type Json } from './object-paths.js';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const ianaServiceName = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const quantityPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Kinds whose names are single path segments (anything but `/`, `%`, `.` and `..`). */
const pathSegmentNamed = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const labelNamed = new Set(['Namespace']);
const dns1035Named = new Set(['Service']);

/** Workloads whose selector must select their own template (apps/v1 rejects otherwise). */
const selectorWorkloads = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

interface EnumRule {
  path: Path;
  values: readonly string[];
}

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

class RuleContext {
  readonly findings: Finding[] = [];
  constructor(readonly resource: ManifestResource) {}

  report(code: string, path: Path, message: string, hint?: string): void {
    const position = this.resource.locate(path, 'key');
    this.findings.push({
      code,
      severity: 'error',
      message,
      file: this.resource.file,
      document: this.resource.document,
      ...position,
      path: formatPath([...this.resource.pathInDocument, ...path]),
      resource: this.resource.id,
      ...(hint ? { hint } : {}),
    });
  }
}

function checkName(context: RuleContext): void {
  const { kind } = context.resource.id;
  const metadata = context.resource.object.metadata;
  if (!isRecord(metadata)) {
    context.report('api/missing-metadata', [], 'the object has no metadata', 'add metadata.name');
    return;
  }
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') {
    if (typeof metadata.generateName !== 'string') {
      context.report('api/missing-name', ['metadata'], 'metadata.name is required', 'add a name');
    }
    return;
  }
  const path = ['metadata', 'name'];
  if (pathSegmentNamed.has(kind)) {
    if (name === '.' || name === '..' || /[/%]/.test(name)) {
      context.report(
        'api/invalid-name',
        path,
        `"${name}" is not a valid ${kind} name`,
        'a name may not be "." or ".." or contain "/" or "%"',
      );
    }
  } else if (labelNamed.has(kind)) {
    if (name.length > 63 || !dns1123Label.test(name)) {
      context.report(
        'api/invalid-name',
        path,
        `"${name}" is not a valid ${kind} name`,
        'use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
      );
    }
  } else if (dns1035Named.has(kind)) {
    if (name.length > 63 || !dns1035Label.test(name)) {
      context.report(
        'api/invalid-name',
        path,
        `"${name}" is not a valid ${kind} name`,
        'use at most 63 lowercase letters, digits and "-", starting with a letter',
      );
    }
  } else if (name.length > 253 || !dns1123Subdomain.test(name)) {
    context.report(
      'api/invalid-name',
      path,
      `"${name}" is not a valid ${kind} name`,
      'use at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
    );
  }
  const namespace = metadata.namespace;
  if (typeof namespace === 'string' && (namespace.length > 63 || !dns1123Label.test(namespace))) {
    context.report(
      'api/invalid-namespace',
      ['metadata', 'namespace'],
      `"${namespace}" is not a valid namespace`,
      'use at most 63 lowercase letters, digits and "-"',
    );
  }
}

/** A label or annotation key: `[prefix/]name`, prefix a DNS subdomain, name at most 63 characters. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a key has at most one "/"';
  const name = parts.at(-1) ?? '';
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !dns1123Subdomain.test(prefix))
  ) {
    return `the prefix "${prefix}" must be a lowercase DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !qualifiedNamePart.test(name)) {
    return 'the name part must be 1-63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  }
  return undefined;
}

function checkLabelMap(context: RuleContext, path: Path, values: boolean): void {
  const map = reach(context.resource.object, path)[0]?.[1];
  if (!isRecord(map)) return;
  for (const [key, value] of Object.entries(map)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) {
      context.report(
        values ? 'api/invalid-label-key' : 'api/invalid-annotation-key',
        [...path, key],
        `"${key}" is not a valid ${values ? 'label' : 'annotation'} key: ${keyProblem}`,
      );
    }
    if (
      values &&
      typeof value === 'string' &&
      value !== '' &&
      (value.length > 63 || !qualifiedNamePart.test(value))
    ) {
      context.report(
        'api/invalid-label-value',
        [...path, key],
        `"${value}" is not a valid label value`,
        'use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
      );
    }
    if (typeof value !== 'string') {
      context.report(
        values ? 'api/invalid-label-value' : 'api/invalid-annotation-value',
        [...path, key],
        `the ${values ? 'label' : 'annotation'} value is ${value === null ? 'null' : typeof value}, not a string`,
        `quote it: "${String(value)}"`,
      );
    }
  }
  if (!values) {
    const size = Object.entries(map).reduce(
      (sum, [key, value]) => sum + key.length + (typeof value === 'string' ? value.length : 0),
      0,
    );
    if (size > 256 * 1024) {
      context.report(
        'api/annotations-too-large',
        path,
        `the annotations total ${size} bytes, above the API server's 262144`,
      );
    }
  }
}

function checkEnums(context: RuleContext, rules: readonly EnumRule[], base: Path): void {
  const root = reach(context.resource.object, base)[0]?.[1];
  for (const rule of rules) {
    for (const [path, value] of reach(root, rule.path, base)) {
      if (typeof value === 'string' && !rule.values.includes(value)) {
        const shown = rule.values.map((allowed) => (allowed === '' ? '""' : allowed)).join(', ');
        context.report('api/invalid-enum', path, `"${value}" is not one of ${shown}`);
      }
    }
  }
}

function quantityToNumber(quantity: string): number {
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(
    quantity,
  );
  if (!match) return Number.NaN;
  const suffix = match[2] ?? '';
  const base = Number(match[1]);
  const binary: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
  };
  const decimal: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    '': 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  if (/^[eE]/.test(suffix)) return base * 10 ** Number(suffix.slice(1));
  return base * (binary[suffix] ?? decimal[suffix] ?? Number.NaN);
}

function checkQuantity(context: RuleContext, path: Path, value: unknown): void {
  if (typeof value === 'number') return;
  if (typeof value !== 'string' || !quantityPattern.test(value)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const decimalBytes =
      typeof value === 'string' ? /^(\d+(?:\.\d+)?)([KMGTPE])B$/i.exec(value) : null;
    context.report(
      'api/invalid-quantity',
      path,
      `"${text}" is not a valid Kubernetes quantity`,
      decimalBytes
        ? `write ${decimalBytes[1] ?? ''}${(decimalBytes[2] ?? '').toUpperCase()}i (binary) or ${decimalBytes[1] ?? ''}${(decimalBytes[2] ?? '').toUpperCase()} (decimal)`
        : 'use a number with an optional suffix such as 500m, 2, 512Mi or 2Gi',
    );
  }
}

function checkResources(context: RuleContext, path: Path, resources: unknown): void {
  if (!isRecord(resources)) return;
  for (const part of ['requests', 'limits'] as const) {
    const map = resources[part];
    if (!isRecord(map)) continue;
    for (const [name, value] of Object.entries(map))
      checkQuantity(context, [...path, part, name], value);
  }
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const limits = isRecord(resources.limits) ? resources.limits : {};
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    if (typeof request !== 'string' || typeof limit !== 'string') continue;
    if (quantityToNumber(request) > quantityToNumber(limit)) {
      context.report(
        'api/request-above-limit',
        [...path, 'requests', name],
        `the ${name} request ${request} is above its limit ${limit}`,
        `lower requests.${name} or raise limits.${name}`,
      );
    }
  }
}

function checkPort(context: RuleContext, path: Path, value: unknown, minimum: number): void {
  if (typeof value === 'number' && (!Number.isInteger(value) || value < minimum || value > 65535)) {
    context.report('api/invalid-port', path, `port ${value} is outside ${minimum}-65535`);
  }
}

function checkPortName(context: RuleContext, path: Path, value: unknown): void {
  if (typeof value !== 'string') return;
  if (
    value.length > 15 ||
    !ianaServiceName.test(value) ||
    !/[a-z]/.test(value) ||
    value.includes('--')
  ) {
    context.report(
      'api/invalid-port-name',
      path,
      `"${value}" is not a valid port name`,
      'use at most 15 lowercase letters, digits and "-", with at least one letter',
    );
  }
}

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
        `"${volume.name}" is not a valid volume name`,
        'use at most 63 lowercase letters, digits and "-"',
      );
    }
    if (volumeNames.has(volume.name))
      context.report('api/duplicate-name', path, `volume "${volume.name}" is defined twice`);
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
            `"${container.name}" is not a valid container name`,
            'use at most 63 lowercase letters, digits and "-"',
          );
        }
        if (containerNames.has(container.name)) {
          context.report(
            'api/duplicate-name',
            [...path, 'name'],
            `container "${container.name}" is defined twice in the pod`,
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
            `volume mount "${mount.name}" names no volume of the pod`,
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
      `${resource.id.kind} "${resource.id.name}" appears twice (also in ${first.file}, document ${first.document + 1}); the second would overwrite the first`,
    );
    return context.findings;
  }
}
