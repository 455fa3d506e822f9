/**
 * gitops-gen as a library: load environments, render the GitOps tree, check it against a
 * folder or write it there. The CLI is one user of these functions; they take every setting as
 * an argument and never read the process's arguments or environment.
 */
import { loadEnvironments, selectEnvironments, type EnvironmentConfig } from './config/index.js';
import { ownedFolders, renderTree, type FileTree } from './render/index.js';
import { compareTree, writeTree, type Drift } from './render/write-tree.js';

export { ExitCode, GitopsGenError, InputError, UsageError, formatProblem } from './errors.js';
export type { Problem } from './errors.js';
export {
  builtInEnvironments,
  environmentSchema,
  loadEnvironments,
  resolveEnvironmentSources,
  type EnvironmentConfig,
  type EnvironmentFile,
  type EnvironmentSource,
} from './config/index.js';
export { buildMonitoringStack, buildSharedStack, type MonitoringStack } from './stack/index.js';
export { renderTree, type FileTree } from './render/index.js';
export type { Drift, DriftKind } from './render/write-tree.js';
export {
  validate,
  formatReport,
  outputFormats,
  type OutputFormat,
  type ValidateOptions,
  type ValidationReport,
  type Finding,
} from './validate/index.js';

export interface RenderOptions {
  /** Folder of `<env>.yaml` files; the built-in dev, staging and prod when it does not exist. */
  configDir: string;
  /** Root of the GitOps tree: `base/` and `overlays/` are written below it. */
  outDir: string;
  /** Only these environments (all when empty). */
  environments?: readonly string[];
  /** Compare instead of writing. */
  check?: boolean;
  /** Fail when the config folder is missing instead of using the built-in environments. */
  configDirRequired?: boolean;
}

export interface RenderResult {
  environments: EnvironmentConfig[];
  tree: FileTree;
  /** With `check`: how the folder differs from the tree; otherwise: what was written. */
  drift: Drift[];
}

export async function render(options: RenderOptions): Promise<RenderResult> {
  const only = options.environments ?? [];
  // Every environment: delivery manifests (one AppProject, one cluster folder) cover them all.
  const all = await loadEnvironments({
    configDir: options.configDir,
    configDirRequired: options.configDirRequired,
  });
  const environments = selectEnvironments(all, only);
  const tree = renderTree(all, environments);
  const owned = ownedFolders(environments, only.length === 0);
  const drift = options.check
    ? await compareTree(options.outDir, tree, owned)
    : await writeTree(options.outDir, tree, owned);
  return { environments, tree, drift };
}
