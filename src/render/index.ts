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
  const tree = new FileTreeBuilder()
    .addAll(treeRoots.base, renderBase(shared))
    .addAll('.', renderDelivery(environments));
  for (const environment of overlaysOf) {
    tree.addAll(
      `${treeRoots.overlays}/${environment.name}`,
      renderOverlay(buildMonitoringStack(environment), shared),
    );
  }
  return tree.build();
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
