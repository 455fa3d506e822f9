/**
 * What the API server would reject even where a JSON Schema is silent: object names, label
 * and annotation syntax, resource quantities, the enums of common fields, Service ports
 * (ValidateService: names, ranges, the (port, protocol) key), pod specs (api-pod.ts), workload
 * selectors that match their template, and the same object twice. Pure.
 */
import { checkPodSpec } from './api-pod.js';
import {
  checkEnums,
  checkLabelMap,
  checkName,
  checkPort,
  checkPortName,
  checkQuantity,
  dns1123LabelProblem,
  RuleContext,
  type EnumRule,
} from './api-syntax.js';
import type { ManifestResource, Path } from './documents.js';
import { formatPath, type Finding } from './findings.js';
import { asArray, isRecord, podSpecPaths, reach, type Json } from './object-paths.js';
import { quoteValue } from '../text-safety.js';

/** Workloads whose selector must select their own template (apps/v1 rejects otherwise). */
const selectorWorkloads = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Enums at object level, per kind. */
const kindEnums: Record<string, EnumRule[]> = {
  Service: [
    {
      path: ['spec', 'type'],
      values: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
      defaulted: true,
    },
    { path: ['spec', 'sessionAffinity'], values: ['None', 'ClientIP'], defaulted: true },
    { path: ['spec', 'externalTrafficPolicy'], values: ['Cluster', 'Local'], defaulted: true },
    { path: ['spec', 'internalTrafficPolicy'], values: ['Cluster', 'Local'] },
    { path: ['spec', 'ports', '*', 'protocol'], values: ['TCP', 'UDP', 'SCTP'], defaulted: true },
  ],
  Deployment: [
    { path: ['spec', 'strategy', 'type'], values: ['RollingUpdate', 'Recreate'], defaulted: true },
  ],
  StatefulSet: [
    {
      path: ['spec', 'podManagementPolicy'],
      values: ['OrderedReady', 'Parallel'],
      defaulted: true,
    },
    {
      path: ['spec', 'updateStrategy', 'type'],
      values: ['RollingUpdate', 'OnDelete'],
      defaulted: true,
    },
  ],
  DaemonSet: [
    {
      path: ['spec', 'updateStrategy', 'type'],
      values: ['RollingUpdate', 'OnDelete'],
      defaulted: true,
    },
  ],
  PersistentVolumeClaim: [
    {
      path: ['spec', 'accessModes', '*'],
      values: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'],
    },
    { path: ['spec', 'volumeMode'], values: ['Filesystem', 'Block'] },
  ],
  CronJob: [
    {
      path: ['spec', 'concurrencyPolicy'],
      values: ['Allow', 'Forbid', 'Replace'],
      defaulted: true,
    },
  ],
};

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
  // ValidatePodTemplateSpecForReplicaSet (and the DaemonSet, StatefulSet twins) report it at
  // the template's labels: "`selector` does not match template `labels`".
  if (!selects(selector, labels)) {
    context.report(
      'api/selector-mismatch',
      ['spec', 'template', 'metadata', 'labels'],
      'spec.selector does not match spec.template.metadata.labels; the API server rejects such a workload',
      'make every matchLabels entry a label of the pod template',
    );
  }
}

/**
 * ValidateService and validateServicePort (pkg/apis/core/validation), after the v1 defaults
 * (SetDefaults_Service: protocol TCP, type ClusterIP, a targetPort of 0 or "" becomes the port).
 */
function checkService(context: RuleContext): void {
  const spec = context.resource.object.spec;
  if (!isRecord(spec)) return;
  const ports = asArray(spec.ports);
  const type = typeof spec.type === 'string' && spec.type !== '' ? spec.type : 'ClusterIP';
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((port, index) => {
    if (!isRecord(port)) return;
    const path = ['spec', 'ports', index];
    const protocol =
      typeof port.protocol === 'string' && port.protocol !== '' ? port.protocol : 'TCP';
    // ServicePort.name: ValidateDNS1123Label, unique, and required when there are several ports.
    if (typeof port.name === 'string' && port.name !== '') {
      const problem = dns1123LabelProblem(port.name);
      if (problem) {
        context.report(
          'api/invalid-port-name',
          [...path, 'name'],
          `${quoteValue(port.name)} is not a valid Service port name: ${problem}`,
          'a Service port name is a DNS label: at most 63 lowercase letters, digits and "-"',
        );
      } else if (names.has(port.name)) {
        context.report(
          'api/duplicate-name',
          [...path, 'name'],
          `port name ${quoteValue(port.name)} is used twice in this Service`,
        );
      }
      names.add(port.name);
    } else if (ports.length > 1 && (port.name === undefined || port.name === '')) {
      context.report(
        'api/missing-port-name',
        [...path, 'name'],
        'name: Required value; every port of a Service with several ports needs a name',
        'add `name:` to each port',
        path,
      );
    }
    checkPort(context, [...path, 'port'], port.port, 1);
    // ValidatePortNumOrName; 0 and "" are defaulted to the port before validation.
    if (typeof port.targetPort === 'number') {
      if (port.targetPort !== 0) checkPort(context, [...path, 'targetPort'], port.targetPort, 1);
    } else if (port.targetPort !== '')
      checkPortName(context, [...path, 'targetPort'], port.targetPort);
    // The (protocol, port) pair is the list-map key of spec.ports: Duplicate at the item.
    if (typeof port.port === 'number') {
      const key = `${port.port}/${protocol}`;
      if (keys.has(key))
        context.report('api/duplicate-port', path, `port ${key} is defined twice in this Service`);
      keys.add(key);
    }
    if (port.nodePort === undefined || port.nodePort === null || port.nodePort === 0) return;
    if (type === 'ClusterIP') {
      context.report(
        'api/node-port-needs-type',
        [...path, 'nodePort'],
        'nodePort may not be used when type is ClusterIP (the default)',
        'set type: NodePort or LoadBalancer, or remove nodePort',
      );
      return;
    }
    if (typeof port.nodePort !== 'number') return;
    const nodeKey = `${port.nodePort}/${protocol}`;
    if (nodePorts.has(nodeKey)) {
      context.report(
        'api/duplicate-port',
        [...path, 'nodePort'],
        `nodePort ${nodeKey} is used twice in this Service`,
      );
    }
    nodePorts.add(nodeKey);
    if (port.nodePort < 30000 || port.nodePort > 32767) {
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

/**
 * apps/validation ValidatePodTemplateSpecForStatefulSet does not call ValidatePodSpec: the API
 * server stores such a StatefulSet, and the controller's every pod is refused. Said so.
 */
function noteStatefulSetPods(findings: Finding[]): void {
  for (const item of findings) {
    // restartPolicy is ValidateStatefulSetSpec's own check: that one refuses the StatefulSet.
    if (item.severity !== 'error' || item.path?.endsWith('.restartPolicy')) continue;
    item.message +=
      ' (the API server stores the StatefulSet without checking its pod template, then refuses every pod created from it)';
  }
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
    if (isRecord(pod)) {
      const before = context.findings.length;
      checkPodSpec(context, podPath, pod, { kind, claimTemplates: claims });
      if (kind === 'StatefulSet') noteStatefulSetPods(context.findings.slice(before));
    }
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
