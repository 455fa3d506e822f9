/**
 * The file-system edge of validation: turns the paths a user gives into sources to check.
 * A folder with a kustomization is built as a whole; a folder without one is searched for
 * kustomizations and manifest files, and a kustomization that another one includes is only
 * checked through it (so a rendered tree's `base/` is checked once per overlay, not alone).
 * What a search skips, and why, is listed in the README's validate section: hidden entries and
 * node_modules, Helm charts (a folder with a Chart.yaml), files a kustomization reads (patches,
 * generator inputs, configurations), and whatever `--exclude` or a `.gitops-gen-ignore` names.
 * Reads synchronously: many small stats and reads, each cheaper than a thread-pool round trip.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UsageError } from '../errors.js';
import { loadChunk, maxObjectBytes } from '../kube-yaml.js';

export type InputSource =
  | { kind: 'file'; path: string }
  | { kind: 'kustomization'; directory: string }
  | { kind: 'stdin' }
  /** A Helm chart met in a folder search: skipped whole, reported once. */
  | { kind: 'helm-chart'; directory: string };

export interface InputOptions {
  /** gitignore-style patterns, relative to each folder given (`--exclude`). */
  exclude?: readonly string[];
}

export const kustomizationFileNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
/** The gitignore-syntax file a folder search honours, in the given folder and below. */
export const ignoreFileName = '.gitops-gen-ignore';
const manifestFile = /\.(ya?ml|json)$/i;
/** Package managers' lock files: never manifests, and often over the 1.5 MiB object limit. */
const lockFiles = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml']);

function kind(path: string): 'file' | 'directory' | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return undefined;
  return info.isDirectory() ? 'directory' : 'file';
}

export function kustomizationFile(directory: string): string | undefined {
  for (const name of kustomizationFileNames) {
    if (kind(join(directory, name)) === 'file') return join(directory, name);
  }
  return undefined;
}

/** Helm reads exactly `Chart.yaml`; a folder holding one is a chart, not manifests. */
function isHelmChart(directory: string): boolean {
  return kind(join(directory, 'Chart.yaml')) === 'file';
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.filter(
        (item): item is Record<string, unknown> =>
          typeof item === 'object' && item !== null && !Array.isArray(item),
      )
    : [];

/** Every path a kustomization names, whatever it reads it for (a kustomize field each). */
function referencedPaths(record: Record<string, unknown>): string[] {
  const pathOf = (item: Record<string, unknown>, key: string): string[] =>
    typeof item[key] === 'string' ? [item[key]] : [];
  const generatorFiles = [
    ...records(record.configMapGenerator),
    ...records(record.secretGenerator),
  ].flatMap((generator) => [
    // `files` entries may be `key=path`.
    ...strings(generator.files).map((entry) => entry.slice(entry.indexOf('=') + 1)),
    ...strings(generator.envs),
    ...pathOf(generator, 'env'),
  ]);
  return [
    ...['resources', 'bases', 'components', 'crds', 'configurations'].flatMap((key) =>
      strings(record[key]),
    ),
    // These may also hold inline YAML: only entries that exist as paths count (see below).
    ...['patchesStrategicMerge', 'transformers', 'generators', 'validators'].flatMap((key) =>
      strings(record[key]),
    ),
    ...['patches', 'patchesJson6902', 'replacements'].flatMap((key) =>
      records(record[key]).flatMap((item) => pathOf(item, 'path')),
    ),
    ...records(record.helmCharts).flatMap((chart) => pathOf(chart, 'valuesFile')),
    ...records([record.openapi]).flatMap((openapi) => pathOf(openapi, 'path')),
    ...generatorFiles,
  ].filter((entry) => !entry.includes('\n') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(entry));
}

/** The folders a kustomization includes and the files it reads, resolved. */
function kustomizationInputs(
  directory: string,
  file: string,
): { folders: string[]; files: string[] } {
  let data: unknown;
  try {
    // Not parsed when over the size limit: the build refuses it with a finding.
    if (statSync(file).size > maxObjectBytes) return { folders: [], files: [] };
    const loaded = loadChunk({ text: readFileSync(file, 'utf8'), lineOffset: 0 });
    data = loaded.ok ? loaded.value : undefined;
  } catch {
    return { folders: [], files: [] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { folders: [], files: [] };
  }
  const found = { folders: [] as string[], files: [] as string[] };
  for (const entry of referencedPaths(data as Record<string, unknown>)) {
    const path = resolve(directory, entry);
    const type = kind(path);
    if (type === 'directory') found.folders.push(path);
    else if (type === 'file') found.files.push(path);
  }
  return found;
}

/** The ignore rules of one folder: its `.gitops-gen-ignore`, relative to it. */
interface IgnoreLayer {
  base: string;
  rules: Ignore;
}

/** gitignore precedence: the deepest layer with a rule for the path decides. */
function isIgnored(layers: readonly IgnoreLayer[], path: string, directory: boolean): boolean {
  let ignored = false;
  for (const layer of layers) {
    const shown = relative(layer.base, path);
    if (shown === '' || shown.startsWith('..')) continue;
    const result = layer.rules.test(directory ? `${shown}/` : shown);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

function ignoreLayer(directory: string): IgnoreLayer | undefined {
  const file = join(directory, ignoreFileName);
  if (kind(file) !== 'file') return undefined;
  return { base: directory, rules: ignore().add(readFileSync(file, 'utf8')) };
}

interface Found {
  kustomizations: string[];
  files: string[];
  charts: string[];
}

interface Walk {
  found: Found;
  /** The ignore files met so far, outermost first. */
  layers: IgnoreLayer[];
  /** `--exclude`, relative to the given folder: applied last, so it wins over the files. */
  exclude: IgnoreLayer | undefined;
}

function walk(directory: string, state: Walk, insideKustomization = false): void {
  const own = kustomizationFile(directory) !== undefined;
  if (own) state.found.kustomizations.push(directory);
  // Below a kustomization, loose files are its patches and generator inputs, not manifests;
  // only nested kustomizations (a bootstrap/ folder) are sources of their own.
  const onlyKustomizations = insideKustomization || own;
  const layer = ignoreLayer(directory);
  const layers = layer ? [...state.layers, layer] : state.layers;
  const skipped = (path: string, isDirectory: boolean): boolean =>
    isIgnored(state.exclude ? [...layers, state.exclude] : layers, path, isDirectory);
  const entries = readdirSync(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden entries are tool settings (.github, .gitlab-ci.yml, .sops.yaml, ...), not manifests.
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (skipped(path, true)) continue;
      if (isHelmChart(path)) {
        // A chart below a kustomization is one of its inputs (helmCharts), not a source.
        if (!onlyKustomizations) state.found.charts.push(path);
        continue;
      }
      walk(path, { ...state, layers }, onlyKustomizations);
    } else if (
      !onlyKustomizations &&
      entry.isFile() &&
      manifestFile.test(entry.name) &&
      !lockFiles.has(entry.name) &&
      !skipped(path, false)
    ) {
      state.found.files.push(path);
    }
  }
}

/** The sources of one folder given on the command line. */
function folderSources(path: string, exclude: readonly string[]): InputSource[] {
  if (isHelmChart(path)) return [{ kind: 'helm-chart', directory: path }];
  const found: Found = { kustomizations: [], files: [], charts: [] };
  walk(path, {
    found,
    layers: [],
    exclude: exclude.length > 0 ? { base: path, rules: ignore().add([...exclude]) } : undefined,
  });
  const included = new Set<string>();
  const read = new Set<string>();
  for (const directory of found.kustomizations) {
    const file = kustomizationFile(directory);
    if (!file) continue;
    const inputs = kustomizationInputs(directory, file);
    for (const folder of inputs.folders) included.add(folder);
    for (const input of inputs.files) read.add(input);
  }
  const sources: InputSource[] = [];
  for (const directory of found.kustomizations) {
    if (!included.has(resolve(directory))) sources.push({ kind: 'kustomization', directory });
  }
  // A file a kustomization reads (a patch or resource in a sibling folder) is checked through it.
  for (const file of found.files) {
    if (!read.has(resolve(file))) sources.push({ kind: 'file', path: file });
  }
  for (const directory of found.charts) sources.push({ kind: 'helm-chart', directory });
  return sources;
}

/** Sources to validate for these paths (`-` is standard input); unknown paths are usage errors. */
export function resolveInputs(paths: readonly string[], options: InputOptions = {}): InputSource[] {
  const sources: InputSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ kind: 'stdin' });
      continue;
    }
    const type = kind(path);
    if (type === undefined) {
      throw new UsageError(
        `no such file or folder: ${path}`,
        'give a rendered tree, a kustomization folder, manifest files or - for standard input',
      );
    }
    // A file named on the command line is read whatever it is called.
    if (type === 'file') sources.push({ kind: 'file', path });
    else sources.push(...folderSources(path, options.exclude ?? []));
  }
  return sources;
}
