/**
 * The `render` command as a library call: environment files -> the GitOps tree, written to a
 * folder or compared with it. Kept apart from src/index.ts so that the CLI loads only what a
 * command needs.
 */
import { loadEnvironments, selectEnvironments, type EnvironmentConfig } from '../config/index.js';
import {
  ownedFolders,
  renderTree,
  renderWarnings,
  type FileTree,
  type RenderWarning,
} from './index.js';
import { compareTree, compareTreeState, writeTreeState, type Drift } from './write-tree.js';
import { customFolderPattern } from './overlay-custom.js';
import { UsageError } from '../errors.js';
import { renderFlat } from './flat.js';
import { checkCustomMaterial } from './custom-check.js';

export { WriteInterrupted } from './write-tree.js';

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
  /** Called as each step starts: load, render, write (or compare). */
  progress?: (step: string) => void;
  /**
   * `kustomize` (default): base/, overlays/ and the delivery manifests. `flat`: the spec's
   * `k8s/monitoring/` files for the one environment of `environments`.
   */
  layout?: 'kustomize' | 'flat';
  /** Stops writing between two files, leaving no temporaries (the CLI aborts on SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export interface RenderResult {
  environments: EnvironmentConfig[];
  tree: FileTree;
  /** With `check`: how the folder differs from the tree; otherwise: what was written. */
  drift: Drift[];
  /** Per rendered environment, what deserves a second look (such as an exposed Prometheus). */
  warnings: RenderWarning[];
  /**
   * Files in overlays/<env>/custom/ that gitops-gen did not write: kept, never drift. With
   * `check` all of them; otherwise those no earlier render reported (each is reported once).
   */
  notGenerated: string[];
}

export async function render(options: RenderOptions): Promise<RenderResult> {
  const only = options.environments ?? [];
  options.progress?.('load environments');
  // Every environment: delivery manifests (one AppProject, one cluster folder) cover them all.
  const all = await loadEnvironments({
    configDir: options.configDir,
    configDirRequired: options.configDirRequired,
  });
  const environments = selectEnvironments(all, only);
  options.progress?.('render');
  let tree = renderTree(all, environments);
  // The team's patches must apply and their files must build, before anything is written.
  await checkCustomMaterial(tree, environments);
  let owned = ownedFolders(environments, only.length === 0);
  if (options.layout === 'flat') {
    const [environment, ...more] = environments;
    if (!environment || more.length > 0 || only.length === 0) {
      throw new UsageError(
        'the flat layout holds one environment',
        'name it with --env, such as `gitops-gen render --layout flat --env prod`',
      );
    }
    if (environment.mode === 'operator') {
      throw new UsageError(
        `environment ${environment.name} is in operator mode: the flat layout holds the spec's own stack, which operator mode does not run`,
        'render it without --layout flat; its overlay holds only the monitors, rules and dashboards',
      );
    }
    tree = await renderFlat(tree, environment.name);
    // Only its three files: a README or anything else in k8s/monitoring/ stays.
    owned = [];
  }
  options.progress?.(options.check ? `compare with ${options.outDir}` : `write ${options.outDir}`);
  // The flat layout owns three files and no custom/: no ownership manifest there.
  const ownership = options.layout === 'flat' ? undefined : { userFolders: [customFolderPattern] };
  const state = options.check
    ? ownership
      ? await compareTreeState(options.outDir, tree, owned, ownership)
      : {
          drift: await compareTree(options.outDir, tree, owned),
          notGenerated: [],
          newlyNotGenerated: [],
        }
    : await writeTreeState(options.outDir, tree, owned, { signal: options.signal, ownership });
  return {
    environments,
    tree,
    drift: state.drift,
    warnings: renderWarnings(environments),
    // --check lists every one of them; a write only those no earlier render reported.
    notGenerated: options.check ? state.notGenerated : state.newlyNotGenerated,
  };
}
