/**
 * Which Services expose Prometheus or Alertmanager outside the cluster, for
 * policy/unauthenticated-exposure (reported by policy.ts). Neither server authenticates
 * anyone: through a NodePort (every node) or a LoadBalancer, Prometheus answers every query and
 * Alertmanager takes silences from whoever reaches it. Grafana has a login and is not one of
 * them. Pure.
 */
import type { ManifestResource, Path } from './documents.js';
import { asArray, containersOf, isRecord, podSpecPaths, reach, type Json } from './object-paths.js';

/** The servers without authentication, by the last segment of their image name. */
const servers = {
  prometheus: { name: 'Prometheus', port: 9090, risk: 'query every series' },
  alertmanager: { name: 'Alertmanager', port: 9093, risk: 'silence every alert' },
} as const;

export type UnauthenticatedServer = (typeof servers)[keyof typeof servers];

export interface Exposure {
  /** The NodePort or LoadBalancer Service. */
  service: ManifestResource;
  type: 'NodePort' | 'LoadBalancer';
  server: UnauthenticatedServer;
  /** Where the exposed port is in the Service. */
  path: Path;
  port: number | undefined;
  /** Undefined when Kubernetes allocates it. */
  nodePort: number | undefined;
}

/** `registry:5000/team/prometheus:v3@sha256:...` -> `prometheus`. */
function imageName(image: string): string {
  const [reference = ''] = image.split('@');
  const last = reference.slice(reference.lastIndexOf('/') + 1);
  return last.split(':')[0] ?? '';
}

function serverOfImage(image: unknown): UnauthenticatedServer | undefined {
  if (typeof image !== 'string') return undefined;
  const name = imageName(image);
  return name === 'prometheus' || name === 'alertmanager' ? servers[name] : undefined;
}

/** The unauthenticated servers a workload runs, with the ports (numbers and names) they listen on. */
function serversOf(
  resource: ManifestResource,
): { server: UnauthenticatedServer; ports: Set<unknown> }[] {
  return containersOf(resource.id.kind, resource.object).flatMap(({ container, init }) => {
    const server = init ? undefined : serverOfImage(container.image);
    if (!server) return [];
    const ports = new Set<unknown>([server.port]);
    for (const port of asArray(container.ports)) {
      if (!isRecord(port)) continue;
      ports.add(port.containerPort);
      if (typeof port.name === 'string') ports.add(port.name);
    }
    return [{ server, ports }];
  });
}

/** Whether a workload's containers run Prometheus or Alertmanager (kept whole for this check). */
export function runsUnauthenticatedServer(resource: ManifestResource): boolean {
  return serversOf(resource).length > 0;
}

/** A NodePort or LoadBalancer Service (kept whole for this check). */
export function exposedServiceType(resource: ManifestResource): Exposure['type'] | undefined {
  if (resource.id.kind !== 'Service') return undefined;
  const spec = isRecord(resource.object.spec) ? resource.object.spec : {};
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? spec.type : undefined;
}

function podLabels(resource: ManifestResource): Json | undefined {
  const podPath = podSpecPaths[resource.id.kind];
  if (!podPath) return undefined;
  const path =
    resource.id.kind === 'Pod'
      ? ['metadata', 'labels']
      : [...podPath.slice(0, -1), 'metadata', 'labels'];
  const labels = reach(resource.object, path)[0]?.[1];
  return isRecord(labels) ? labels : undefined;
}

/** The Service's first port that reaches one of `ports` (its targetPort, else its port). */
function exposedPort(
  service: ManifestResource,
  ports: ReadonlySet<unknown>,
): { index: number; port: number | undefined; nodePort: number | undefined } | undefined {
  const spec = isRecord(service.object.spec) ? service.object.spec : {};
  const list = asArray(spec.ports);
  for (const [index, entry] of list.entries()) {
    if (!isRecord(entry)) continue;
    const target = entry.targetPort ?? entry.port;
    if (!ports.has(target) && !ports.has(entry.port)) continue;
    return {
      index,
      port: typeof entry.port === 'number' ? entry.port : undefined,
      nodePort: typeof entry.nodePort === 'number' ? entry.nodePort : undefined,
    };
  }
  return undefined;
}

/**
 * Every NodePort or LoadBalancer Service in a prod namespace that reaches Prometheus or
 * Alertmanager. A Service that selects workloads of the set exposes what their containers run
 * (on a port those containers listen on: a Service of a sidecar's port does not count); one
 * that selects none of them (its workloads live elsewhere) is judged by the well-known ports,
 * 9090 and 9093.
 */
export function unauthenticatedExposures(
  resources: readonly ManifestResource[],
  isProdNamespace: (namespace: string | undefined) => boolean,
): Exposure[] {
  const services = resources.filter(
    (resource) =>
      exposedServiceType(resource) !== undefined && isProdNamespace(resource.id.namespace),
  );
  if (services.length === 0) return [];
  const workloads = resources.flatMap((resource) => {
    const labels = podLabels(resource);
    return labels ? [{ resource, labels }] : [];
  });
  return services.flatMap((service) => {
    const type = exposedServiceType(service);
    if (type === undefined) return [];
    const spec = isRecord(service.object.spec) ? service.object.spec : {};
    const selector = isRecord(spec.selector) ? Object.entries(spec.selector) : [];
    const selected =
      selector.length === 0
        ? []
        : workloads.filter(
            ({ resource, labels }) =>
              resource.id.namespace === service.id.namespace &&
              selector.every(([key, value]) => labels[key] === value),
          );
    const candidates =
      selected.length > 0
        ? selected.flatMap(({ resource }) => serversOf(resource))
        : Object.values(servers).map((server) => ({
            server,
            ports: new Set<unknown>([server.port]),
          }));
    const seen = new Set<string>();
    return candidates.flatMap(({ server, ports }) => {
      const port = exposedPort(service, ports);
      if (!port || seen.has(server.name)) return [];
      seen.add(server.name);
      return [
        {
          service,
          type,
          server,
          path: ['spec', 'ports', port.index],
          port: port.port,
          nodePort: port.nodePort,
        },
      ];
    });
  });
}
