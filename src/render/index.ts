/**
 * Render stage: MonitoringStack -> FileTree. `base/` holds what every environment shares,
 * `overlays/<env>/` what differs. Pure; writing the tree is done by write-tree.ts at the edge.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import { buildMonitoringStack, buildSharedStack } from '../stack/index.js';
import { renderBase } from './base.js';
import { FileTreeBuilder, type FileTree } from './file-tree.js';
import { renderOverlay } from './overlay.js';

export type { FileTree } from './file-tree.js';
export { isSafeRelativePath } from './file-tree.js';

export const treeRoots = { base: 'base', overlays: 'overlays' } as const;

/** The whole GitOps tree for these environments: the base plus one overlay each. */
export function renderTree(environments: readonly EnvironmentConfig[]): FileTree {
  const tree = new FileTreeBuilder().addAll(treeRoots.base, renderBase(buildSharedStack()));
  for (const environment of environments) {
    tree.addAll(
      `${treeRoots.overlays}/${environment.name}`,
      renderOverlay(buildMonitoringStack(environment)),
    );
  }
  return tree.build();
}

/**
 * Folders the tree owns: files there that the tree does not hold are stale. With every
 * environment rendered that is all of `overlays/`; with a subset, only their folders.
 */
export function ownedFolders(
  environments: readonly EnvironmentConfig[],
  allEnvironments: boolean,
): string[] {
  return allEnvironments
    ? [treeRoots.base, treeRoots.overlays]
    : [treeRoots.base, ...environments.map((e) => `${treeRoots.overlays}/${e.name}`)];
}
