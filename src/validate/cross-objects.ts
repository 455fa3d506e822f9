/**
 * The checks across objects, over everything one run reads. Which objects each check sees
 * decides its false alarms, and the two kinds err on opposite sides:
 * - a check that reports a missing match (a ServiceMonitor or PodMonitor that selects nothing)
 *   sees every object of the run, from loose files and every build given together: its target
 *   is often declared in another file or another folder than the monitor;
 * - a check that reports a match (a Prometheus behind a NodePort Service) sees one deployment
 *   unit: one kustomization build, or all the loose files together. Two overlays given in one
 *   run usually go to different clusters; pairing a Service of one with a workload of the
 *   other would report an exposure that exists nowhere.
 * Only what the checks read is kept, so that a large run is never held whole. Pure.
 */
import { checkMonitors, implicitService, kubeletServiceOf } from './catalogue.js';
import type { ManifestResource } from './documents.js';
import type { Finding } from './findings.js';
import { containersOf, isRecord } from './object-paths.js';
import {
  checkLifecycleExposure,
  checkUnauthenticatedExposure,
  enablesLifecycle,
} from './policy.js';
import { exposedServiceType, runsUnauthenticatedServer } from './policy-exposure.js';

const workloadKinds = new Set([
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
]);

const noPosition = (): undefined => undefined;

/**
 * What the cross-checks keep of a resource: monitors, workloads with a finding to locate (the
 * lifecycle flag) or that run Prometheus or Alertmanager, and NodePort or LoadBalancer Services,
 * whole; other Services and other workloads as the labels, selectors and type those checks
 * read, copied so that they pin no source text; anything else not at all.
 */
function retained(resource: ManifestResource): ManifestResource | undefined {
  const { kind } = resource.id;
  if (kind === 'ServiceMonitor' || kind === 'PodMonitor') return resource;
  if (kind !== 'Service' && !workloadKinds.has(kind)) return undefined;
  if (
    workloadKinds.has(kind) &&
    (enablesLifecycle(resource) || runsUnauthenticatedServer(resource))
  ) {
    return resource;
  }
  // Exposed Services are few and small: whole, with their ports, annotations and positions.
  if (exposedServiceType(resource) !== undefined) return resource;
  const object = resource.object;
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const spec = isRecord(object.spec) ? object.spec : {};
  // A CronJob's pod template is one level further down.
  const jobTemplate = isRecord(spec.jobTemplate) ? spec.jobTemplate : {};
  const jobSpec = isRecord(jobTemplate.spec) ? jobTemplate.spec : {};
  const template = isRecord(spec.template)
    ? spec.template
    : isRecord(jobSpec.template)
      ? jobSpec.template
      : {};
  const templateMetadata = isRecord(template.metadata) ? template.metadata : {};
  const templateSummary = { template: { metadata: { labels: templateMetadata.labels } } };
  const summary = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { labels: metadata.labels },
    spec:
      kind === 'Service'
        ? { type: spec.type, selector: spec.selector }
        : kind === 'CronJob'
          ? { jobTemplate: { spec: templateSummary } }
          : templateSummary,
  };
  return {
    ...resource,
    object: JSON.parse(JSON.stringify(summary)) as Record<string, unknown>,
    locate: noPosition,
  };
}

/** The kubelet Service a Prometheus Operator of the run keeps, if it is told to. */
function kubeletService(resource: ManifestResource): ManifestResource | undefined {
  if (!workloadKinds.has(resource.id.kind)) return undefined;
  for (const { container } of containersOf(resource.id.kind, resource.object)) {
    const service = kubeletServiceOf(Array.isArray(container.args) ? container.args : []);
    if (service) return implicitService(service);
  }
  return undefined;
}

export class CrossObjects {
  /** What every check keeps, with the deployment unit it came from. */
  private readonly kept: { unit: string; resource: ManifestResource }[] = [];
  private readonly implicit: ManifestResource[] = [];

  /** Keeps what the checks need of one resource of `unit` (a build, or the loose files). */
  see(resource: ManifestResource, unit: string): void {
    const kept = retained(resource);
    if (kept) this.kept.push({ unit, resource: kept });
    const service = kubeletService(resource);
    if (service) this.implicit.push(service);
  }

  findings(disabledChecks: readonly string[]): Finding[] {
    const all = this.kept.map(({ resource }) => resource);
    const findings = checkMonitors([...all, ...this.implicit]);
    const units = new Map<string, ManifestResource[]>();
    for (const { unit, resource } of this.kept) {
      const members = units.get(unit);
      if (members) members.push(resource);
      else units.set(unit, [resource]);
    }
    for (const members of units.values()) {
      findings.push(...checkLifecycleExposure(members, disabledChecks));
      findings.push(...checkUnauthenticatedExposure(members, disabledChecks));
    }
    return findings;
  }
}
