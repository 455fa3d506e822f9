/**
 * Policy checks: what a cluster accepts but a careful reviewer would not. Each check has an
 * id, a default severity and can be switched off per resource (annotation
 * `gitops-gen.dev/ignore-checks: "policy/probes-set, ..."`) or per run. Pure.
 */
import type { ManifestResource, Path } from './documents.js';
import { formatPath, type Finding, type Severity } from './findings.js';
import { asArray, containersOf, isRecord, podSpecPaths, reach, type Json } from './object-paths.js';
import { unauthenticatedExposures } from './policy-exposure.js';

export const ignoreChecksAnnotation = 'gitops-gen.dev/ignore-checks';

export interface PolicyCheck {
  id: string;
  severity: Severity;
  description: string;
}

export const policyChecks = {
  imageTagPinned: {
    id: 'policy/image-tag-pinned',
    severity: 'error',
    description: 'every image names a tag other than latest, or a digest',
  },
  resourcesSet: {
    id: 'policy/resources-set',
    severity: 'warning',
    description: 'every container sets CPU and memory requests and limits',
  },
  probesSet: {
    id: 'policy/probes-set',
    severity: 'warning',
    description: 'every long-running container has liveness and readiness probes',
  },
  securityContext: {
    id: 'policy/security-context',
    severity: 'warning',
    description:
      'containers run as non-root, with a read-only root filesystem, no capabilities and no privilege escalation',
  },
  noLiteralSecret: {
    id: 'policy/no-literal-secret',
    severity: 'error',
    description:
      'no Secret with literal data outside dev namespaces, and no known default password anywhere',
  },
  rbacNoWildcards: {
    id: 'policy/rbac-no-wildcards',
    severity: 'error',
    description: 'RBAC rules name their API groups, resources and verbs (no "*")',
  },
  lifecycleNotExposed: {
    id: 'policy/prometheus-lifecycle-not-exposed',
    severity: 'error',
    description:
      'Prometheus with --web.enable-lifecycle is not reachable through a NodePort or LoadBalancer',
  },
  unauthenticatedExposure: {
    id: 'policy/unauthenticated-exposure',
    severity: 'warning',
    description:
      'no NodePort or LoadBalancer Service in a prod namespace exposes Prometheus or Alertmanager, which have no authentication',
  },
  clientSideApplySize: {
    id: 'policy/client-side-apply-size',
    severity: 'warning',
    description:
      'objects fit the 262144-byte last-applied-configuration annotation of client-side apply',
  },
} as const satisfies Record<string, PolicyCheck>;

export interface PolicyOptions {
  /** Check ids switched off for this run. */
  disabled?: readonly string[];
  /** Namespaces where literal Secrets are tolerated (a warning, not an error). */
  isDevNamespace?: (namespace: string | undefined) => boolean;
  /** Prod-tier namespaces, where policy/unauthenticated-exposure applies. */
  isProdNamespace?: (namespace: string | undefined) => boolean;
}

/** Passwords that ship as defaults (the spec's Grafana password among them). */
const knownDefaultPasswords = new Set([
  'admin123456789',
  'admin',
  'password',
  'changeme',
  'prom-operator',
  'grafana',
]);

const defaultIsDevNamespace = (namespace: string | undefined): boolean =>
  namespace !== undefined && /(^|-)(dev|development|local|test)($|-)/.test(namespace);

/**
 * Prod tier, for policy/unauthenticated-exposure. gitops-gen puts no tier label on what it
 * renders (a label on every object would roll every pod), so the namespace name tells: `prod`,
 * `production` or `prd` as a `-`-separated word (`mlflow-prod`, `prod-eu`, `team-prd-2`), as
 * `defaultIsDevNamespace` reads dev. A prod-tier environment in a namespace named otherwise
 * (`mlflow-edge`) is warned about by `render`, which knows its tier, and not here.
 */
export const defaultIsProdNamespace = (namespace: string | undefined): boolean =>
  namespace !== undefined && /(^|-)(prod|production|prd)($|-)/.test(namespace);

function ignoredChecks(resource: ManifestResource): Set<string> {
  const metadata = isRecord(resource.object.metadata) ? resource.object.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const value = annotations[ignoreChecksAnnotation];
  if (typeof value !== 'string') return new Set();
  return new Set(
    value
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '')
      .map((id) => (id.includes('/') ? id : `policy/${id}`)),
  );
}

class PolicyContext {
  readonly findings: Finding[] = [];
  readonly #ignored: Set<string>;
  constructor(
    readonly resource: ManifestResource,
    readonly disabled: ReadonlySet<string>,
  ) {
    this.#ignored = ignoredChecks(resource);
  }

  enabled(check: PolicyCheck): boolean {
    return !this.disabled.has(check.id) && !this.#ignored.has(check.id);
  }

  report(
    check: PolicyCheck,
    path: Path,
    message: string,
    hint?: string,
    severity?: Severity,
  ): void {
    if (!this.enabled(check)) return;
    this.findings.push({
      code: check.id,
      severity: severity ?? check.severity,
      message,
      file: this.resource.file,
      document: this.resource.document,
      ...this.resource.locate(path, 'key'),
      path: formatPath([...this.resource.pathInDocument, ...path]),
      resource: this.resource.id,
      hint:
        hint ??
        `switch it off for this object with the annotation ${ignoreChecksAnnotation}: "${check.id}"`,
    });
  }
}

/** `repo/name:tag` or `repo/name@sha256:...`; a port in the registry host is not a tag. */
function imageTag(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { digest: image.slice(at + 1) };
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? { tag: image.slice(colon + 1) } : {};
}

function checkContainers(context: PolicyContext): void {
  const { kind } = context.resource.id;
  const longRunning = kind !== 'Job' && kind !== 'CronJob' && kind !== 'Pod';
  const podPath = podSpecPaths[kind];
  const pod = podPath ? reach(context.resource.object, podPath)[0]?.[1] : undefined;
  const podSecurity = isRecord(pod) && isRecord(pod.securityContext) ? pod.securityContext : {};
  for (const { path, container, init } of containersOf(kind, context.resource.object)) {
    const name = typeof container.name === 'string' ? container.name : '?';
    const image = typeof container.image === 'string' ? container.image : undefined;
    if (image !== undefined) {
      const { tag, digest } = imageTag(image);
      if (digest === undefined && (tag === undefined || tag === 'latest')) {
        context.report(
          policyChecks.imageTagPinned,
          [...path, 'image'],
          `container "${name}" uses ${tag === 'latest' ? 'the latest tag' : 'no tag'} (${image}), so what runs changes without a commit`,
          'pin a version tag or a digest',
        );
      }
    }
    const resources = isRecord(container.resources) ? container.resources : {};
    const missing: string[] = [];
    for (const part of ['requests', 'limits'] as const) {
      const map = isRecord(resources[part]) ? resources[part] : {};
      for (const resource of ['cpu', 'memory']) {
        if (map[resource] === undefined) missing.push(`${part}.${resource}`);
      }
    }
    if (missing.length > 0) {
      context.report(
        policyChecks.resourcesSet,
        [...path, 'resources'],
        `container "${name}" sets no ${missing.join(', ')}`,
        'requests let the scheduler place the pod; limits keep it from starving its neighbours',
      );
    }
    if (longRunning && !init) {
      const probes = ['livenessProbe', 'readinessProbe'].filter(
        (probe) => container[probe] === undefined,
      );
      if (probes.length > 0) {
        context.report(
          policyChecks.probesSet,
          path,
          `container "${name}" has no ${probes.join(' or ')}`,
        );
      }
    }
    const security = isRecord(container.securityContext) ? container.securityContext : {};
    const capabilities = isRecord(security.capabilities) ? security.capabilities : {};
    const problems: string[] = [];
    if (security.runAsNonRoot !== true && podSecurity.runAsNonRoot !== true)
      problems.push('runAsNonRoot is not true');
    if (security.readOnlyRootFilesystem !== true)
      problems.push('readOnlyRootFilesystem is not true');
    if (security.allowPrivilegeEscalation !== false)
      problems.push('allowPrivilegeEscalation is not false');
    if (!asArray(capabilities.drop).includes('ALL')) problems.push('capabilities do not drop ALL');
    if (security.privileged === true) problems.push('it is privileged');
    if (problems.length > 0) {
      context.report(
        policyChecks.securityContext,
        [...path, 'securityContext'],
        `container "${name}": ${problems.join('; ')}`,
        'set runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false and capabilities.drop: [ALL]',
      );
    }
  }
}

function decodedSecretValues(object: Json): [Path, string][] {
  const values: [Path, string][] = [];
  if (isRecord(object.data)) {
    for (const [key, value] of Object.entries(object.data)) {
      if (typeof value === 'string')
        values.push([['data', key], Buffer.from(value, 'base64').toString('utf8')]);
    }
  }
  if (isRecord(object.stringData)) {
    for (const [key, value] of Object.entries(object.stringData)) {
      if (typeof value === 'string') values.push([['stringData', key], value]);
    }
  }
  return values;
}

function checkSecrets(
  context: PolicyContext,
  isDevNamespace: (namespace: string | undefined) => boolean,
): void {
  const { resource } = context;
  const dev = isDevNamespace(resource.id.namespace);
  if (resource.id.kind === 'Secret') {
    const values = decodedSecretValues(resource.object);
    if (values.length > 0 && !dev) {
      context.report(
        policyChecks.noLiteralSecret,
        [values[0]?.[0][0] ?? 'data'],
        `Secret "${resource.id.name}" carries literal data in Git outside a dev namespace`,
        'keep the value out of Git: an ExternalSecret, a SealedSecret, or a Secret created in the cluster',
      );
    }
    for (const [path, value] of values) {
      if (knownDefaultPasswords.has(value)) {
        context.report(
          policyChecks.noLiteralSecret,
          path,
          `Secret "${resource.id.name}" holds a well-known default password`,
          'generate a strong password and keep it out of Git',
          dev ? 'warning' : 'error',
        );
      }
    }
  }
  for (const { path, container } of containersOf(resource.id.kind, resource.object)) {
    asArray(container.env).forEach((variable, index) => {
      if (!isRecord(variable) || typeof variable.value !== 'string') return;
      const name = typeof variable.name === 'string' ? variable.name : '';
      if (/PASSWORD|SECRET|TOKEN/i.test(name) || knownDefaultPasswords.has(variable.value)) {
        if (variable.value === '') return;
        context.report(
          policyChecks.noLiteralSecret,
          [...path, 'env', index, 'value'],
          `environment variable ${name} holds a literal secret`,
          'read it from a Secret with valueFrom.secretKeyRef',
          dev ? 'warning' : 'error',
        );
      }
    });
  }
}

function checkRbac(context: PolicyContext): void {
  const { kind } = context.resource.id;
  if (kind !== 'Role' && kind !== 'ClusterRole') return;
  asArray(context.resource.object.rules).forEach((rule, index) => {
    if (!isRecord(rule)) return;
    for (const field of ['apiGroups', 'resources', 'verbs', 'nonResourceURLs'] as const) {
      const values = asArray(rule[field]);
      const wildcard = values.findIndex(
        (value) => typeof value === 'string' && value.includes('*'),
      );
      if (wildcard >= 0) {
        context.report(
          policyChecks.rbacNoWildcards,
          ['rules', index, field, wildcard],
          `${kind} "${context.resource.id.name}" grants "${String(values[wildcard])}" in ${field}`,
          'name each API group, resource and verb the workload needs',
        );
      }
    }
  });
}

function checkApplySize(context: PolicyContext): void {
  // ConfigMaps get a sharper check of their own (grafana/configmap-too-large-*).
  if (context.resource.id.kind === 'ConfigMap') return;
  // Its YAML is far below the limit, so its JSON is too: skip the serialisation.
  if ((context.resource.sourceLength ?? Infinity) < 100_000) return;
  const size = Buffer.byteLength(JSON.stringify(context.resource.object), 'utf8');
  if (size > 262144) {
    context.report(
      policyChecks.clientSideApplySize,
      [],
      `the object is ${size} bytes: kubectl apply (client-side) fails because its last-applied-configuration annotation may hold at most 262144`,
      'apply it with --server-side (Argo CD: ServerSideApply=true) or split it',
    );
  }
}

const lifecycleFlag = '--web.enable-lifecycle';

/** Whether a container of this workload starts Prometheus with its lifecycle API on. */
export function enablesLifecycle(resource: ManifestResource): boolean {
  return containersOf(resource.id.kind, resource.object).some(({ container }) =>
    asArray(container.args).includes(lifecycleFlag),
  );
}

/** Prometheus pods started with --web.enable-lifecycle behind a NodePort or LoadBalancer. */
export function checkLifecycleExposure(
  resources: readonly ManifestResource[],
  disabledChecks: readonly string[],
): Finding[] {
  const disabled = disabledSet(disabledChecks);
  const exposedSelectors: { namespace: string | undefined; selector: Json }[] = [];
  for (const resource of resources) {
    if (resource.id.kind !== 'Service') continue;
    const spec = isRecord(resource.object.spec) ? resource.object.spec : {};
    if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && isRecord(spec.selector)) {
      exposedSelectors.push({ namespace: resource.id.namespace, selector: spec.selector });
    }
  }
  const findings: Finding[] = [];
  for (const resource of resources) {
    const podPath = podSpecPaths[resource.id.kind];
    // The flag first: it is rare, and matching every workload against every Service is not.
    if (!podPath || !enablesLifecycle(resource)) continue;
    const templateLabels = reach(resource.object, [
      ...podPath.slice(0, -1),
      'metadata',
      'labels',
    ])[0]?.[1];
    const labels =
      resource.id.kind === 'Pod'
        ? reach(resource.object, ['metadata', 'labels'])[0]?.[1]
        : templateLabels;
    if (!isRecord(labels)) continue;
    const exposed = exposedSelectors.some(
      ({ namespace, selector }) =>
        namespace === resource.id.namespace &&
        Object.entries(selector).every(([key, value]) => labels[key] === value),
    );
    if (!exposed) continue;
    const context = new PolicyContext(resource, disabled);
    for (const { path, container } of containersOf(resource.id.kind, resource.object)) {
      const args = asArray(container.args);
      const index = args.indexOf(lifecycleFlag);
      if (index >= 0) {
        context.report(
          policyChecks.lifecycleNotExposed,
          [...path, 'args', index],
          'Prometheus enables its lifecycle API (/-/reload, /-/quit) on a port a NodePort or LoadBalancer Service exposes: anyone who reaches it can stop Prometheus',
          'drop --web.enable-lifecycle (roll out config changes with a hashed ConfigMap name), or keep the Service ClusterIP',
        );
      }
    }
    findings.push(...context.findings);
  }
  return findings;
}

/**
 * policy/unauthenticated-exposure: Prometheus or Alertmanager behind a NodePort or LoadBalancer
 * Service in a prod namespace (`isProdNamespace`, by default `defaultIsProdNamespace`); which
 * Services reach them is decided in policy-exposure.ts. Reported on the Service, so that its
 * ignore annotation (which `render` writes for `prometheus.service.acceptUnauthenticated`)
 * silences it.
 */
export function checkUnauthenticatedExposure(
  resources: readonly ManifestResource[],
  disabledChecks: readonly string[],
  isProdNamespace: (namespace: string | undefined) => boolean = defaultIsProdNamespace,
): Finding[] {
  const check = policyChecks.unauthenticatedExposure;
  const disabled = disabledSet(disabledChecks);
  if (disabled.has(check.id)) return [];
  return unauthenticatedExposures(resources, isProdNamespace).flatMap((exposure) => {
    const { service, server, port, nodePort } = exposure;
    const { name, namespace = 'its namespace' } = service.id;
    const context = new PolicyContext(service, disabled);
    const portText = port === undefined ? '' : ` (port ${String(port)})`;
    const where =
      exposure.type === 'NodePort'
        ? `on ${nodePort === undefined ? 'a node port' : `node port ${String(nodePort)}`} of every node`
        : 'through a load balancer (and a node port of every node)';
    const forward = `${String(port ?? server.port)}:${String(port ?? server.port)}`;
    context.report(
      check,
      exposure.path,
      `Service "${name}" (${exposure.type}) in prod namespace ${namespace} exposes ${server.name}${portText}, which has no authentication, ${where}: anyone who reaches it can ${server.risk}; make the Service ClusterIP and use kubectl port-forward, or put an Ingress with authentication in front`,
      [
        `with type ClusterIP: kubectl port-forward svc/${name} -n ${namespace} ${forward}`,
        'an Ingress with authentication in front: ingress-nginx basic auth or oauth2-proxy',
        server.name === 'Prometheus'
          ? 'in a gitops-gen environment file: prometheus.service.type: ClusterIP, or prometheus.service.acceptUnauthenticated: true to accept it'
          : undefined,
        `to accept it on this object: the annotation ${ignoreChecksAnnotation}: "${check.id}"`,
      ]
        .filter((part) => part !== undefined)
        .join('; '),
    );
    return context.findings;
  });
}

function disabledSet(disabled: readonly string[] | undefined): Set<string> {
  return new Set((disabled ?? []).map((id) => (id.includes('/') ? id : `policy/${id}`)));
}

/** The policy checks of one object. */
export function checkResourcePolicies(
  resource: ManifestResource,
  options: PolicyOptions = {},
): Finding[] {
  const context = new PolicyContext(resource, disabledSet(options.disabled));
  checkContainers(context);
  checkSecrets(context, options.isDevNamespace ?? defaultIsDevNamespace);
  checkRbac(context);
  checkApplySize(context);
  return context.findings;
}

/** Every policy check over a set of objects: per object, then across them. */
export function checkPolicies(
  resources: readonly ManifestResource[],
  options: PolicyOptions = {},
): Finding[] {
  return [
    ...resources.flatMap((resource) => checkResourcePolicies(resource, options)),
    ...checkLifecycleExposure(resources, options.disabled ?? []),
    ...checkUnauthenticatedExposure(resources, options.disabled ?? [], options.isProdNamespace),
  ];
}
