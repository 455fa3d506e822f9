/**
 * Render stage: MonitoringStack -> FileTree. `base/` holds what every environment shares,
 * `overlays/<env>/` what differs, `argocd/` and `clusters/<cluster>/mlflow-monitoring/` what
 * Argo CD or Flux needs to sync them. Pure; writing the tree is done by write-tree.ts.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import { buildMonitoringStack, buildSharedStack } from '../stack/index.js';
import { baseEnvironment, renderBase } from './base.js';
import { FileTreeBuilder, type FileTree } from './file-tree.js';
import { deliveryRoots, fluxFolder, renderDelivery } from './delivery.js';
import { renderOverlay } from './overlay.js';
import { renderOperatorOverlay } from './operator-overlay.js';
import { buildOperatorStack } from '../stack/operator.js';
import { droppedAlertWarnings } from './overlay-components.js';
import { userRuleWarnings } from './user-rule-warnings.js';
import { basename } from 'node:path';
import { prometheusComponent } from '../stack/components.js';
import { policyChecks } from '../validate/policy.js';

export type { FileTree } from './file-tree.js';
export { isSafeRelativePath } from './file-tree.js';

export const treeRoots = { base: 'base', overlays: 'overlays' } as const;

/**
 * The whole GitOps tree: the base, one overlay per environment, and the delivery manifests.
 * `overlaysOf` limits the overlays (for `--env`); delivery always covers every environment,
 * because one AppProject or cluster folder serves them all.
 */
export function renderTree(
  environments: readonly EnvironmentConfig[],
  overlaysOf: readonly EnvironmentConfig[] = environments,
): FileTree {
  const shared = buildSharedStack(baseEnvironment());
  const tree = new FileTreeBuilder();
  // Operator-mode overlays stand alone: a tree of only those has no use for the base.
  if (environments.some((environment) => environment.mode === 'standalone')) {
    tree.addAll(treeRoots.base, renderBase(shared));
  }
  tree.addAll('.', renderDelivery(environments));
  for (const environment of overlaysOf) {
    tree.addAll(
      `${treeRoots.overlays}/${environment.name}`,
      environment.mode === 'operator'
        ? renderOperatorOverlay(buildOperatorStack(environment))
        : renderOverlay(buildMonitoringStack(environment), shared),
    );
  }
  return tree.build();
}

/** Something rendered as asked that deserves a second look; never an error. */
export interface RenderWarning {
  /** The environment it concerns. */
  environment: string;
  /** The `validate` check that reports the same in the rendered tree. */
  code: string;
  /** One line: what, where, how to fix it, and how to accept it. */
  message: string;
}

/**
 * Prometheus exposed outside the cluster in a prod-tier environment: it has no authentication,
 * so a NodePort hands every node's port to anyone on the network (policy/unauthenticated-exposure
 * says the same of the rendered Service). The built-in prod keeps the spec's NodePort 30090 and
 * warns; `prometheus.service.acceptUnauthenticated: true` accepts it. Alertmanager's Service is
 * always ClusterIP (it has no service setting), so only Prometheus can be exposed here.
 */
export function renderWarnings(environments: readonly EnvironmentConfig[]): RenderWarning[] {
  // Alerts left out because a disabled component's series are not scraped (overlay-components.ts).
  return [
    ...exposureWarnings(environments),
    ...environments.flatMap(droppedAlertWarnings),
    // The team's rules on jobs or metrics nothing scrapes (validate's catalogue cross-check).
    ...environments.flatMap(userRuleWarnings),
  ];
}

function exposureWarnings(environments: readonly EnvironmentConfig[]): RenderWarning[] {
  return environments.flatMap((environment) => {
    const { service } = environment.prometheus;
    if (environment.mode === 'operator') return [];
    if (environment.tier !== 'prod' || service.type === 'ClusterIP') return [];
    if (service.acceptUnauthenticated === true) return [];
    const where =
      service.type === 'NodePort'
        ? `on ${service.nodePort === undefined ? 'a node port' : `node port ${String(service.nodePort)}`} of every node`
        : 'through a LoadBalancer (and a node port of every node)';
    const file =
      environment.sourceFile === undefined
        ? `environments/${environment.name}.yaml (the built-in ${environment.name} is in use)`
        : basename(environment.sourceFile);
    return [
      {
        environment: environment.name,
        code: policyChecks.unauthenticatedExposure.id,
        message:
          `Prometheus (Service ${prometheusComponent.name}, namespace ${environment.namespace}, prod tier) has no authentication and is exposed ${where}: anyone who reaches it can query every series. ` +
          'Set prometheus.service.type: ClusterIP and use `kubectl port-forward`, or put an Ingress with authentication in front; ' +
          `to accept it deliberately, set prometheus.service.acceptUnauthenticated: true in ${file}`,
      },
    ];
  });
}

/**
 * Folders the tree owns: files there that the tree does not hold are stale. With every
 * environment rendered that is all of `overlays/`; with a subset, only their folders.
 */
export function ownedFolders(
  overlaysOf: readonly EnvironmentConfig[],
  allEnvironments: boolean,
): string[] {
  // `*` stands for every folder there: flux-system/ and the rest of a cluster folder are not ours.
  const delivery = [deliveryRoots.argocd, `${deliveryRoots.clusters}/*/${fluxFolder}`];
  return allEnvironments
    ? [treeRoots.base, treeRoots.overlays, ...delivery]
    : [treeRoots.base, ...overlaysOf.map((e) => `${treeRoots.overlays}/${e.name}`), ...delivery];
}
