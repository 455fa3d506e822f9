/**
 * The render-time check of the team's kustomize material (`kustomize.resources` and
 * `kustomize.patches`): each overlay that has some is built in memory with the in-process
 * kustomize engine, as `kubectl kustomize overlays/<env>` would build it, and the engine's
 * errors about the team's entries and files become input errors. kustomize itself silently
 * skips a patch whose target matches nothing (`kustomize/patch-target-not-found`); here that is
 * an error, as the patch was written to change something. Errors at an entry of the overlay's
 * kustomization point at the environment key that produced it (file:line); errors inside a
 * copied file point at the team's own file. Findings about gitops-gen's own material are left
 * to `validate`.
 */
import { parseDocument } from 'yaml';
import type { EnvironmentConfig } from '../config/environment.js';
import type { CustomFile } from '../config/schema-kustomize.js';
import { InputError, type Problem } from '../errors.js';
import { buildKustomization, memoryFileSystem, type BuildCache } from '../kustomize/index.js';
import type { KustomizeFinding } from '../kustomize/index.js';
import type { FileTree } from './file-tree.js';
import { customFolder, customPath } from './overlay-custom.js';
import { baseNamespace } from '../stack/components.js';

const overlayOf = (environment: string): string => `overlays/${environment}`;

/** The `path` of a finding at an entry of a list, e.g. `patches[3].target` -> patches, 3. */
function entryOf(path: string | undefined): { list: string; index: number } | undefined {
  const match = /^(resources|patches)\[(\d+)\]/.exec(path ?? '');
  return match ? { list: match[1] ?? '', index: Number(match[2]) } : undefined;
}

/** The custom entries of the overlay's kustomization by their list index. */
function customEntries(tree: FileTree, environment: EnvironmentConfig): Map<string, CustomFile> {
  const byIndex = new Map<string, CustomFile>();
  const text = tree.get(`${overlayOf(environment.name)}/kustomization.yaml`);
  const custom = environment.kustomize;
  if (text === undefined || custom === undefined) return byIndex;
  const value = parseDocument(text).toJS() as {
    resources?: unknown[];
    patches?: { path?: unknown }[];
  } | null;
  const prefix = `${customFolder}/`;
  let next = 0;
  (value?.resources ?? []).forEach((entry, index) => {
    if (typeof entry === 'string' && entry.startsWith(prefix)) {
      const file = custom.resources[next++];
      if (file) byIndex.set(`resources:${index}`, file);
    }
  });
  next = 0;
  (value?.patches ?? []).forEach((entry, index) => {
    if (typeof entry.path === 'string' && entry.path.startsWith(prefix)) {
      const file = custom.patches[next++];
      if (file) byIndex.set(`patches:${index}`, file);
    }
  });
  return byIndex;
}

function problemOf(
  finding: KustomizeFinding,
  environment: EnvironmentConfig,
  entries: ReadonlyMap<string, CustomFile>,
): Problem | undefined {
  const overlay = overlayOf(environment.name);
  const file = finding.file.replace(/^\/+/, '');
  const refused =
    finding.hint ?? 'kubectl kustomize refuses this overlay; fix the file or the kustomize key';
  // kustomize patches before it sets the overlay's namespace: a patch naming the environment's
  // namespace finds nothing, the commonest reason for a patch that matches nothing.
  const hint =
    finding.code === 'kustomize/patch-target-not-found'
      ? `${refused} (patches apply before the overlay's namespace is set: the objects are still in the base's namespace ${baseNamespace})`
      : refused;
  if (file === `${overlay}/kustomization.yaml`) {
    const entry = entryOf(finding.path);
    const source = entry && entries.get(`${entry.list}:${entry.index}`);
    if (!source) return undefined;
    return {
      code: finding.code,
      message: `${source.path} (${entry.list === 'patches' ? 'patch' : 'resource'} of overlays/${environment.name}): ${finding.message}`,
      hint,
      file: source.key.file,
      line: source.key.line,
      column: source.key.column,
      keyPath: source.key.keyPath,
    };
  }
  const inCustom = `${overlay}/${customFolder}/`;
  if (!file.startsWith(inCustom)) return undefined;
  const custom = environment.kustomize;
  const source = [...(custom?.resources ?? []), ...(custom?.patches ?? [])].find(
    (candidate) => `${overlay}/${customPath(candidate.path)}` === file,
  );
  return {
    code: finding.code,
    message: finding.message,
    hint,
    file: source?.file ?? file,
    ...(finding.line === undefined ? {} : { line: finding.line }),
    ...(finding.column === undefined ? {} : { column: finding.column }),
  };
}

/**
 * Builds every overlay with team material in memory; throws an InputError listing every
 * problem of the team's entries and files (none: returns).
 */
export async function checkCustomMaterial(
  tree: FileTree,
  environments: readonly EnvironmentConfig[],
): Promise<void> {
  const problems: Problem[] = [];
  const cache: BuildCache = new Map();
  const files = memoryFileSystem(tree);
  for (const environment of environments) {
    if (environment.kustomize === undefined) continue;
    const built = await buildKustomization(`/${overlayOf(environment.name)}`, files, cache);
    const entries = customEntries(tree, environment);
    const seen = new Set<string>();
    for (const finding of built.findings) {
      if (finding.severity !== 'error') continue;
      const problem = problemOf(finding, environment, entries);
      if (!problem) continue;
      const key = JSON.stringify(problem);
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
    }
  }
  if (problems.length === 0) return;
  throw new InputError(
    `the kustomize material of ${problems.length === 1 ? 'an environment has a problem' : `the environments has ${problems.length} problems`}; nothing was written`,
    problems,
    'render/custom-kustomize',
  );
}
