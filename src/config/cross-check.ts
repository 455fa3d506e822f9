/**
 * Rules across environments, which no single file can break alone: Argo CD environments
 * share one AppProject and agree on their ApplicationSet generator; a git-directory generator
 * needs the default overlay paths and namespaces; Flux `dependsOn` names environments Flux
 * runs in the same cluster; environments delivered to one cluster must not render the same
 * objects (namespace, NodePorts, and the delivery objects' names). Pure.
 */
import { basename } from 'node:path';
import type { Problem } from '../errors.js';
import { quoteValue } from '../text-safety.js';
import {
  clusterScopedName,
  kubeStateMetricsComponent,
  partOf,
  prometheusComponent,
} from '../stack/components.js';
import { inClusterServer } from './defaults.js';
import type { EnvironmentConfig } from './environment.js';
import type { ParsedSource, SourcePosition } from './parse.js';

export interface EnvironmentOrigin {
  file: string | undefined;
  locate: ParsedSource['locate'];
}

function problem(
  origin: EnvironmentOrigin | undefined,
  keyPath: string[],
  code: string,
  message: string,
  hint: string,
): Problem {
  const position = origin?.locate(keyPath, 'value');
  return {
    code,
    message,
    hint,
    file: origin?.file,
    line: position?.line,
    column: position?.column,
    keyPath: keyPath.join('.'),
  };
}

/** The Flux cluster folder of an environment: clusters/<name>/. */
export function fluxClusterName(environment: EnvironmentConfig): string {
  return environment.delivery.cluster.name ?? 'default';
}

export function crossCheckEnvironments(
  environments: readonly EnvironmentConfig[],
  origins: ReadonlyMap<string, EnvironmentOrigin>,
): Problem[] {
  const problems: Problem[] = [];
  const argo = environments.filter((environment) => environment.delivery.controller === 'argocd');
  const first = argo[0];
  if (first) {
    for (const environment of argo.slice(1)) {
      const origin = origins.get(environment.name);
      for (const key of ['generator', 'namespace', 'project'] as const) {
        if (environment.delivery.argocd[key] !== first.delivery.argocd[key]) {
          problems.push(
            problem(
              origin,
              ['delivery', 'argocd', key],
              'config/argocd-disagreement',
              `delivery.argocd.${key} is ${quoteValue(environment.delivery.argocd[key])} here but ${quoteValue(first.delivery.argocd[key])} in ${first.name}: Argo CD environments share one AppProject and one way of generating Applications`,
              `use the same ${key} in every Argo CD environment`,
            ),
          );
        }
      }
    }
    if (first.delivery.argocd.generator === 'git-directory') {
      for (const environment of environments) {
        const origin = origins.get(environment.name);
        if (environment.delivery.controller !== 'argocd') {
          problems.push(
            problem(
              origin,
              ['delivery', 'controller'],
              'config/git-directory-mixed',
              `a git-directory ApplicationSet would also pick up the overlay of ${environment.name}, which Flux syncs`,
              'use the list generator, or the same controller everywhere',
            ),
          );
        }
        if (environment.namespace !== `mlflow-${environment.name}`) {
          problems.push(
            problem(
              origin,
              ['namespace'],
              'config/git-directory-namespace',
              `a git-directory ApplicationSet derives the namespace mlflow-${environment.name} from the overlay folder, but this environment uses ${environment.namespace}`,
              'use the list generator, or the default namespace',
            ),
          );
        }
        const overlays = [environment.publish.path, 'overlays', environment.name]
          .filter((part) => part !== '')
          .join('/');
        if (
          environment.delivery.path !== overlays ||
          environment.publish.path !== first.publish.path
        ) {
          problems.push(
            problem(
              origin,
              ['delivery', 'path'],
              'config/git-directory-path',
              `a git-directory ApplicationSet reads the folders of ${first.publish.path === '' ? '' : `${first.publish.path}/`}overlays/, but this environment syncs ${environment.delivery.path}`,
              'keep the default overlay path, or use the list generator',
            ),
          );
        }
        if (
          environment.delivery.repoURL !== first.delivery.repoURL ||
          environment.delivery.targetRevision !== first.delivery.targetRevision
        ) {
          problems.push(
            problem(
              origin,
              ['delivery', 'repoURL'],
              'config/git-directory-repository',
              'a git-directory ApplicationSet reads one repository and revision for every environment',
              'use the same repository and revision, or the list generator',
            ),
          );
        }
      }
    }
  }
  const flux = new Map(
    environments
      .filter((environment) => environment.delivery.controller === 'flux')
      .map((environment) => [environment.name, environment]),
  );
  for (const environment of flux.values()) {
    const origin = origins.get(environment.name);
    environment.delivery.flux.dependsOn.forEach((name, index) => {
      const other = flux.get(name);
      const path = ['delivery', 'flux', 'dependsOn', String(index)];
      if (name === environment.name) {
        problems.push(
          problem(
            origin,
            path,
            'config/depends-on-itself',
            'an environment cannot depend on itself',
            'remove it from dependsOn',
          ),
        );
      } else if (!other) {
        problems.push(
          problem(
            origin,
            path,
            'config/unknown-dependency',
            `dependsOn names ${quoteValue(name)}, which is not an environment that Flux syncs`,
            `Flux environments: ${[...flux.keys()].join(', ') || 'none'}`,
          ),
        );
      } else if (fluxClusterName(other) !== fluxClusterName(environment)) {
        problems.push(
          problem(
            origin,
            path,
            'config/dependency-in-other-cluster',
            `dependsOn names ${quoteValue(name)}, which Flux syncs in cluster ${fluxClusterName(other)}, not ${fluxClusterName(environment)}`,
            'Flux orders Kustomizations of one cluster only',
          ),
        );
      }
    });
  }
  problems.push(...collisions(environments, origins));
  return problems;
}

// --- Collisions on one cluster -------------------------------------------------------------

interface Cluster {
  /** Equal keys: the same cluster, as far as the files tell. */
  key: string;
  description: string;
}

/**
 * The destination cluster of an environment. A cluster name means one cluster to Argo CD and
 * Flux alike (one `delivery.cluster.name`, as the README's prod-eu); Argo CD registers its own
 * cluster as `in-cluster`, at the in-cluster API server URL.
 * A name and a URL are otherwise taken as two clusters: nothing here can tell them apart.
 */
function clusterOf(environment: EnvironmentConfig): Cluster {
  const { controller, cluster } = environment.delivery;
  if (controller === 'flux') {
    const name = fluxClusterName(environment);
    return { key: `name ${name}`, description: `cluster ${name}, clusters/${name}/ of Flux` };
  }
  if (cluster.name !== undefined && cluster.name !== 'in-cluster')
    return { key: `name ${cluster.name}`, description: `cluster ${cluster.name}` };
  const server = (cluster.server ?? inClusterServer).replace(/\/+$/, '');
  return {
    key: `server ${server}`,
    description:
      server === inClusterServer ? `Argo CD's own cluster, ${server}` : `cluster ${server}`,
  };
}

/**
 * Where the file sets `keyPath`, or undefined when a default applies: `locate` then falls back
 * to an ancestor, which is exactly where it puts the parent path.
 */
function setAt(
  origin: EnvironmentOrigin | undefined,
  keyPath: readonly string[],
): SourcePosition | undefined {
  const position = origin?.locate(keyPath, 'value');
  const parent = origin?.locate(keyPath.slice(0, -1), 'value');
  if (!position || (parent?.line === position.line && parent.column === position.column))
    return undefined;
  return position;
}

/** One environment's use of something cluster-wide: a namespace, a NodePort. */
interface Claim {
  environment: EnvironmentConfig;
  keyPath: string[];
  /** What holds it, for the message: "the grafana Service". */
  holder: string;
}

/** "the namespace of dev (dev.yaml:3:12)": the other side of a collision, for the message. */
function reference(claim: Claim, origins: ReadonlyMap<string, EnvironmentOrigin>): string {
  const origin = origins.get(claim.environment.name);
  // The file name only: every environment file sits in one folder.
  const file = origin?.file === undefined ? undefined : basename(origin.file);
  const position = setAt(origin, claim.keyPath);
  const where =
    file === undefined
      ? 'built in'
      : position
        ? `${file}:${position.line}:${position.column}`
        : `${file}, by default`;
  return `${claim.holder} of ${claim.environment.name} (${where})`;
}

/**
 * One problem per collision, at the claim whose file sets the value (the one to change), or at
 * the later claim when both or neither do; the message names the other with its file and line.
 */
function collisionProblem(
  first: Claim,
  later: Claim,
  origins: ReadonlyMap<string, EnvironmentOrigin>,
  describe: (other: string) => { code: string; message: string; hint: string },
): Problem {
  const flip =
    setAt(origins.get(first.environment.name), first.keyPath) !== undefined &&
    setAt(origins.get(later.environment.name), later.keyPath) === undefined;
  const [here, other] = flip ? [first, later] : [later, first];
  const { code, message, hint } = describe(reference(other, origins));
  return problem(origins.get(here.environment.name), here.keyPath, code, message, hint);
}

/**
 * What two environments delivered to one cluster would both apply. Everything an overlay
 * renders is namespaced except the Namespace itself and the ClusterRoles and bindings, which
 * carry the namespace in their name: all of them collide exactly when namespaces do. NodePorts
 * are cluster-wide whatever the namespace. Application, GitRepository and Kustomization names
 * carry the environment name, unique by file name, except that `root` is the root's own name.
 */
function collisions(
  environments: readonly EnvironmentConfig[],
  origins: ReadonlyMap<string, EnvironmentOrigin>,
): Problem[] {
  const problems: Problem[] = [];
  const claims = new Map<string, Claim>();
  /** The first claim of the same thing on the same cluster; records this one if none. */
  const earlier = (key: string, claim: Claim): Claim | undefined => {
    const first = claims.get(key);
    if (!first) claims.set(key, claim);
    return first;
  };
  const rootName = `${partOf}-root`;
  for (const environment of environments) {
    const cluster = clusterOf(environment);
    const onCluster = `on the same cluster (${cluster.description})`;
    const { namespace } = environment;
    const namespaceClaim: Claim = { environment, keyPath: ['namespace'], holder: 'the namespace' };
    const sameNamespace = earlier(`namespace ${cluster.key} ${namespace}`, namespaceClaim);
    if (sameNamespace) {
      const clusterScoped = [prometheusComponent.name, kubeStateMetricsComponent.name]
        .map((component) => clusterScopedName(namespace, component))
        .join(' and ');
      problems.push(
        collisionProblem(sameNamespace, namespaceClaim, origins, (other) => ({
          code: 'config/namespace-collision',
          message: `namespace ${namespace} is also ${other}, ${onCluster}: the two environments would overwrite each other's objects in it, and the cluster-wide ClusterRoles and ClusterRoleBindings ${clusterScoped}`,
          hint: 'give each environment on a cluster its own namespace, or deliver one to another cluster (delivery.cluster)',
        })),
      );
    }
    for (const component of ['prometheus', 'grafana'] as const) {
      const { service } = environment[component];
      // Only then does the rendered Service pin a nodePort (render/manifests/service.ts).
      if (service.type === 'ClusterIP' || service.nodePort === undefined) continue;
      const port = service.nodePort;
      const claim: Claim = {
        environment,
        keyPath: [component, 'service', 'nodePort'],
        holder: `the ${component} Service`,
      };
      const samePort = earlier(`nodePort ${cluster.key} ${port}`, claim);
      if (samePort) {
        problems.push(
          collisionProblem(samePort, claim, origins, (other) => ({
            code: 'config/node-port-collision',
            message: `NodePort ${port} is also taken by ${other}, ${onCluster}: NodePorts are cluster-wide, whatever the namespace`,
            hint: 'pick a NodePort that no other Service on the cluster uses, or remove nodePort to let Kubernetes allocate one',
          })),
        );
      }
    }
    if (`${partOf}-${environment.name}` === rootName) {
      const [own, root] =
        environment.delivery.controller === 'argocd'
          ? ['its Argo CD Application', 'the root Application that syncs every Argo CD environment']
          : [
              'its Flux GitRepository and Kustomization',
              `the root ones of Flux cluster ${fluxClusterName(environment)}`,
            ];
      problems.push({
        code: 'config/reserved-environment-name',
        file: origins.get(environment.name)?.file,
        message: `environment "${environment.name}" would name ${own} ${rootName}, like ${root}: each would overwrite the other`,
        hint: 'rename the file: "root" is taken by the root that syncs every environment',
      });
    }
  }
  return problems;
}
