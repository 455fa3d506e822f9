/**
 * The file-system edge of validation: turns the paths a user gives into sources to check.
 * A folder with a kustomization is built as a whole; a folder without one is searched for
 * kustomizations and manifest files, and a kustomization that another one includes is only
 * checked through it (so a rendered tree's `base/` is checked once per overlay, not alone).
 * Reads synchronously: many small stats and reads, each cheaper than a thread-pool round trip.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { loadChunk, maxObjectBytes } from '../kube-yaml.js';

export type InputSource =
  { kind: 'file'; path: string } | { kind: 'kustomization'; directory: string } | { kind: 'stdin' };

export const kustomizationFileNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const manifestFile = /\.(ya?ml|json)$/i;
const skippedFolders = new Set(['.git', 'node_modules', '.github']);

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

/** The folders a kustomization includes through resources, bases and components. */
function includedFolders(directory: string, file: string): string[] {
  let data: unknown;
  try {
    // Not parsed when over the size limit: the build refuses it with a finding.
    if (statSync(file).size > maxObjectBytes) return [];
    const loaded = loadChunk({ text: readFileSync(file, 'utf8'), lineOffset: 0 });
    data = loaded.ok ? loaded.value : undefined;
  } catch {
    return [];
  }
  if (typeof data !== 'object' || data === null) return [];
  const record = data as Record<string, unknown>;
  const entries = ['resources', 'bases', 'components'].flatMap((key) => {
    const value = record[key];
    return Array.isArray(value)
      ? value.filter((item): item is string => typeof item === 'string')
      : [];
  });
  const folders: string[] = [];
  for (const entry of entries) {
    const path = resolve(directory, entry);
    if (kind(path) === 'directory') folders.push(path);
  }
  return folders;
}

async function walk(
  directory: string,
  found: { kustomizations: string[]; files: string[] },
  insideKustomization = false,
): Promise<void> {
  const own = kustomizationFile(directory) !== undefined;
  if (own) found.kustomizations.push(directory);
  // Below a kustomization, loose files are its patches and generator inputs, not manifests;
  // only nested kustomizations (a bootstrap/ folder) are sources of their own.
  const onlyKustomizations = insideKustomization || own;
  const entries = readdirSync(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!skippedFolders.has(entry.name)) await walk(path, found, onlyKustomizations);
    } else if (!onlyKustomizations && entry.isFile() && manifestFile.test(entry.name)) {
      found.files.push(path);
    }
  }
}

/** Sources to validate for these paths (`-` is standard input); unknown paths are usage errors. */
export async function resolveInputs(paths: readonly string[]): Promise<InputSource[]> {
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
    if (type === 'file') {
      sources.push({ kind: 'file', path });
      continue;
    }
    const found = { kustomizations: [] as string[], files: [] as string[] };
    await walk(path, found);
    const included = new Set<string>();
    for (const directory of found.kustomizations) {
      const file = kustomizationFile(directory);
      if (file) for (const folder of includedFolders(directory, file)) included.add(folder);
    }
    for (const directory of found.kustomizations) {
      if (!included.has(resolve(directory))) sources.push({ kind: 'kustomization', directory });
    }
    for (const file of found.files) sources.push({ kind: 'file', path: file });
  }
  return sources;
}
