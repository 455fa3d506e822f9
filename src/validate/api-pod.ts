/**
 * The pod spec checks of the API server (pkg/apis/core/validation ValidatePodSpec, and the
 * warnings of pkg/api/pod/warnings.go), for a Pod and for the pod template of every workload:
 * volumes (ValidateVolumes), containers (validateContainers, validateInitContainers,
 * validateContainerCommon), their ports, probes, mounts and resources, and the uniqueness the Go
 * code enforces on lists (container names across containers and initContainers, volume names,
 * port names within a container, host ports). Pure.
 */
import {
  checkEnums,
  checkPort,
  checkPortName,
  checkPortNumOrName,
  checkQuantity,
  checkResources,
  dns1123LabelProblem,
  type EnumRule,
  type RuleContext,
} from './api-syntax.js';
import type { Path } from './documents.js';
import { asArray, isRecord, type Json } from './object-paths.js';
import { quoteValue } from '../text-safety.js';

/** Enums of fields inside a pod spec (relative to it). `*` matches every list item. */
const podSpecEnums: EnumRule[] = [
  { path: ['restartPolicy'], values: ['Always', 'OnFailure', 'Never'], defaulted: true },
  {
    path: ['dnsPolicy'],
    values: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
    defaulted: true,
  },
  { path: ['tolerations', '*', 'operator'], values: ['Exists', 'Equal'], defaulted: true },
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
  { path: ['imagePullPolicy'], values: ['Always', 'Never', 'IfNotPresent'], defaulted: true },
  {
    path: ['terminationMessagePolicy'],
    values: ['File', 'FallbackToLogsOnError'],
    defaulted: true,
  },
  { path: ['ports', '*', 'protocol'], values: ['TCP', 'UDP', 'SCTP'], defaulted: true },
  {
    path: ['volumeMounts', '*', 'mountPropagation'],
    values: ['None', 'HostToContainer', 'Bidirectional'],
  },
  ...['livenessProbe', 'readinessProbe', 'startupProbe'].map((probe) => ({
    path: [probe, 'httpGet', 'scheme'],
    values: ['HTTP', 'HTTPS'],
    defaulted: true,
  })),
  {
    path: ['securityContext', 'seccompProfile', 'type'],
    values: ['RuntimeDefault', 'Unconfined', 'Localhost'],
  },
];

/** restartPolicy per workload: ValidatePodTemplateSpecForReplicaSet, ValidateDaemonSetSpec,
 * ValidateStatefulSetSpec (Always), batch validateJobSpec (OnFailure, Never). */
const restartPolicies: Record<string, readonly string[]> = {
  Deployment: ['Always'],
  ReplicaSet: ['Always'],
  ReplicationController: ['Always'],
  DaemonSet: ['Always'],
  StatefulSet: ['Always'],
  Job: ['OnFailure', 'Never'],
  CronJob: ['OnFailure', 'Never'],
};

/** The handlers whose port ValidatePortNumOrName checks: probes and lifecycle hooks. */
const handlerPaths: readonly Path[] = [
  ...['livenessProbe', 'readinessProbe', 'startupProbe'].flatMap((probe) => [
    [probe, 'httpGet', 'port'],
    [probe, 'tcpSocket', 'port'],
    [probe, 'grpc', 'port'],
  ]),
  ...['postStart', 'preStop'].flatMap((hook) => [
    ['lifecycle', hook, 'httpGet', 'port'],
    ['lifecycle', hook, 'tcpSocket', 'port'],
  ]),
];

export interface PodSpecOptions {
  /** The workload kind (restartPolicy rules). */
  kind: string;
  /** StatefulSet volumeClaimTemplates names: the controller adds them as volumes. */
  claimTemplates: readonly string[];
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const segment of path) {
    if (!isRecord(current)) return undefined;
    current = current[String(segment)];
  }
  return current;
}

const protocolOf = (port: Json): string =>
  typeof port.protocol === 'string' && port.protocol !== '' ? port.protocol : 'TCP';

/** ValidateVolumes: DNS-1123 label names, unique; emptyDir.sizeLimit a quantity. */
function checkVolumes(context: RuleContext, base: Path, pod: Json): Set<string> {
  const names = new Set<string>();
  asArray(pod.volumes).forEach((volume, index) => {
    if (!isRecord(volume) || typeof volume.name !== 'string' || volume.name === '') return;
    const path = [...base, 'volumes', index, 'name'];
    const problem = dns1123LabelProblem(volume.name);
    if (problem) {
      context.report(
        'api/invalid-name',
        path,
        `${quoteValue(volume.name)} is not a valid volume name: ${problem}`,
        'use at most 63 lowercase letters, digits and "-"',
      );
    } else if (names.has(volume.name)) {
      context.report(
        'api/duplicate-name',
        path,
        `volume ${quoteValue(volume.name)} is defined twice`,
      );
    } else names.add(volume.name);
    if (isRecord(volume.emptyDir) && volume.emptyDir.sizeLimit !== undefined) {
      checkQuantity(
        context,
        [...base, 'volumes', index, 'emptyDir', 'sizeLimit'],
        volume.emptyDir.sizeLimit,
      );
    }
  });
  return names;
}

/** validateContainerPorts: port numbers, IANA names unique within the container. */
function checkContainerPorts(context: RuleContext, path: Path, container: Json): void {
  const names = new Set<string>();
  asArray(container.ports).forEach((port, index) => {
    if (!isRecord(port)) return;
    const portPath = [...path, 'ports', index];
    checkPort(context, [...portPath, 'containerPort'], port.containerPort, 1);
    checkPort(context, [...portPath, 'hostPort'], port.hostPort, 0);
    if (typeof port.name !== 'string' || port.name === '') return;
    const before = context.findings.length;
    checkPortName(context, [...portPath, 'name'], port.name);
    if (context.findings.length > before) return;
    if (names.has(port.name)) {
      context.report(
        'api/duplicate-name',
        [...portPath, 'name'],
        `port name ${quoteValue(port.name)} is used twice in this container`,
      );
    }
    names.add(port.name);
  });
}

/** checkHostPortConflicts: "protocol/hostIP/hostPort" at most once among `containers`. */
function checkHostPorts(context: RuleContext, containers: readonly [Path, Json][]): void {
  const seen = new Set<string>();
  for (const [path, container] of containers) {
    asArray(container.ports).forEach((port, index) => {
      if (!isRecord(port) || typeof port.hostPort !== 'number' || port.hostPort === 0) return;
      const hostIP = typeof port.hostIP === 'string' ? port.hostIP : '';
      const key = `${protocolOf(port)}/${hostIP}/${port.hostPort}`;
      if (seen.has(key)) {
        context.report(
          'api/duplicate-port',
          [...path, 'ports', index, 'hostPort'],
          `host port ${key} is used twice`,
        );
      }
      seen.add(key);
    });
  }
}

/**
 * pkg/api/pod/warnings.go: the same containerPort and protocol twice among all containers
 * ("duplicate port definition") and an env name defined again without referring to the first
 * ("hides previous definition ..., which may be dropped when using apply"). Warnings: the API
 * server accepts both.
 */
function warnDuplicates(context: RuleContext, containers: readonly [Path, Json][]): void {
  const ports = new Map<string, { path: Path; hostIP: string; hostPort: number }[]>();
  for (const [path, container] of containers) {
    asArray(container.ports).forEach((port, index) => {
      if (!isRecord(port) || typeof port.containerPort !== 'number') return;
      const key = `${port.containerPort}/${protocolOf(port)}`;
      const hostIP = typeof port.hostIP === 'string' ? port.hostIP : '';
      const hostPort = typeof port.hostPort === 'number' ? port.hostPort : 0;
      const portPath = [...path, 'ports', index];
      const other = (ports.get(key) ?? []).find(
        (entry) => entry.hostIP === hostIP && entry.hostPort === hostPort,
      );
      if (other) {
        context.warn(
          'api/duplicate-container-port',
          portPath,
          `containerPort ${key} is defined twice (also at ${context.pathText(other.path)}); the API server warns "duplicate port definition"`,
        );
      }
      ports.set(key, [...(ports.get(key) ?? []), { path: portPath, hostIP, hostPort }]);
    });
    const names = new Set<string>();
    asArray(container.env).forEach((env, index) => {
      if (!isRecord(env) || typeof env.name !== 'string') return;
      if (names.has(env.name)) {
        const reference = `$(${env.name})`;
        const value = typeof env.value === 'string' ? env.value : '';
        if (env.valueFrom !== undefined || value === reference || !value.includes(reference)) {
          context.warn(
            'api/duplicate-env',
            [...path, 'env', index, 'name'],
            `env ${quoteValue(env.name)} hides its previous definition, which may be dropped when using apply (the API server warns)`,
            'define each variable once; server-side apply refuses duplicate names outright',
          );
        }
      }
      names.add(env.name);
    });
  }
}

export function checkPodSpec(
  context: RuleContext,
  base: Path,
  pod: Json,
  options: PodSpecOptions,
): void {
  checkEnums(context, podSpecEnums, base);
  const allowed = restartPolicies[options.kind];
  // SetDefaults_PodSpec makes a missing or empty restartPolicy Always before validation.
  const restartPolicy =
    typeof pod.restartPolicy === 'string' && pod.restartPolicy !== ''
      ? pod.restartPolicy
      : 'Always';
  if (allowed && !allowed.includes(restartPolicy)) {
    context.report(
      'api/invalid-enum',
      [...base, 'restartPolicy'],
      `a ${options.kind} needs restartPolicy ${allowed.join(' or ')}, not ${quoteValue(restartPolicy)}${restartPolicy === pod.restartPolicy ? '' : ' (the default)'}`,
      undefined,
      pod.restartPolicy === undefined ? base : [...base, 'restartPolicy'],
    );
  }
  const volumes = checkVolumes(context, base, pod);
  // The StatefulSet controller sets a volume per claim template (replacing one of that name).
  for (const claim of options.claimTemplates) volumes.add(claim);
  const regular = asArray(pod.containers);
  const names = new Set<string>();
  const all: [Path, Json][] = [];
  // validateContainers first (names unique among containers), then validateInitContainers
  // (unique among init containers and the regular ones, reported at the init container).
  for (const list of ['containers', 'initContainers'] as const) {
    const items = list === 'containers' ? regular : asArray(pod[list]);
    const own: [Path, Json][] = [];
    items.forEach((container, index) => {
      if (!isRecord(container)) return;
      const path = [...base, list, index];
      own.push([path, container]);
      checkContainer(context, path, container, volumes);
      if (typeof container.name !== 'string' || container.name === '') return;
      if (names.has(container.name)) {
        context.report(
          'api/duplicate-name',
          [...path, 'name'],
          `container ${quoteValue(container.name)} is defined twice in the pod`,
          list === 'initContainers'
            ? 'init containers and containers share one set of names'
            : undefined,
        );
      }
      names.add(container.name);
    });
    // Host ports: across all regular containers; each init container on its own.
    if (list === 'containers') checkHostPorts(context, own);
    else for (const entry of own) checkHostPorts(context, [entry]);
    // pods.VisitContainersWithPath, which warnings.go walks: init containers first.
    if (list === 'containers') all.push(...own);
    else all.unshift(...own);
  }
  warnDuplicates(context, all);
}

/** validateContainerCommon and the probe and hook ports of validateHandler. */
function checkContainer(
  context: RuleContext,
  path: Path,
  container: Json,
  volumes: ReadonlySet<string>,
): void {
  if (typeof container.name === 'string' && container.name !== '') {
    const problem = dns1123LabelProblem(container.name);
    if (problem) {
      context.report(
        'api/invalid-name',
        [...path, 'name'],
        `${quoteValue(container.name)} is not a valid container name: ${problem}`,
        'use at most 63 lowercase letters, digits and "-"',
      );
    }
  }
  if (container.image === undefined || container.image === null || container.image === '') {
    context.report(
      'api/missing-image',
      [...path, 'image'],
      'image: Required value; the API server refuses a container without an image',
      'add `image:` to the container',
      path,
    );
  }
  checkEnums(context, containerEnums, path);
  checkResources(context, [...path, 'resources'], container.resources);
  checkContainerPorts(context, path, container);
  for (const handler of handlerPaths) {
    const value = valueAt(container, handler);
    if (value !== undefined) checkPortNumOrName(context, [...path, ...handler], value);
  }
  // ValidateVolumeMounts: each mountPath "must be unique" within the container.
  const mountPaths = new Set<string>();
  asArray(container.volumeMounts).forEach((mount, index) => {
    if (!isRecord(mount)) return;
    if (typeof mount.mountPath === 'string' && mount.mountPath !== '') {
      if (mountPaths.has(mount.mountPath)) {
        context.report(
          'api/duplicate-mount-path',
          [...path, 'volumeMounts', index, 'mountPath'],
          `mountPath ${quoteValue(mount.mountPath)} must be unique: another volume mount of this container uses it`,
          'mount each path once; use subPath to put two volumes side by side',
        );
      }
      mountPaths.add(mount.mountPath);
    }
    if (typeof mount.name !== 'string') return;
    if (!volumes.has(mount.name)) {
      context.report(
        'api/unknown-volume',
        [...path, 'volumeMounts', index, 'name'],
        `volume mount ${quoteValue(mount.name)} names no volume of the pod`,
        volumes.size > 0
          ? `volumes: ${[...volumes].join(', ')}`
          : 'add the volume under spec.volumes',
      );
    }
  });
}
