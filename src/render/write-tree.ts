/**
 * The file-system edge of rendering: compares a FileTree with a folder (for `--check`) and
 * writes it there. Each file is written to a temporary name and renamed into place, so an
 * interrupted run never leaves a half-written file; stale files in owned folders are removed.
 * Synchronous underneath: a render writes a few dozen small files, and a thread-pool round trip
 * per call costs more than the call (the functions stay async for callers).
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { FileTree } from './file-tree.js';

export type DriftKind = 'changed' | 'missing' | 'stale';

export interface Drift {
  path: string;
  kind: DriftKind;
}

/** The entries of a folder; none when it does not exist (`missing`) or cannot be read. */
function entriesOf(path: string, missing: 'empty' | 'throw' = 'empty'): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch (error) {
    if (missing === 'empty' || (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Folders matching an owned-folder pattern, where a `*` segment stands for every folder. */
function expandFolders(root: string, pattern: string): string[] {
  const star = pattern.indexOf('*');
  if (star === -1) return [pattern];
  const parent = pattern.slice(0, star).replace(/\/$/, '');
  const rest = pattern.slice(star + 1);
  return entriesOf(join(root, parent))
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => expandFolders(root, `${parent}/${entry.name}${rest}`));
}

function listFiles(root: string, folder: string): string[] {
  const files: string[] = [];
  for (const entry of entriesOf(join(root, folder), 'throw')) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(root, path));
    else files.push(path.split(sep).join('/'));
  }
  return files;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** How the folder differs from the tree, in path order. */
export function compareTree(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
): Promise<Drift[]> {
  return settled(() => differences(outDir, tree, ownedFolders));
}

/** The result of synchronous work as a promise (a thrown error becomes a rejection). */
function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function differences(outDir: string, tree: FileTree, ownedFolders: readonly string[]): Drift[] {
  const drift: Drift[] = [];
  for (const [path, content] of tree) {
    const current = readIfPresent(join(outDir, path));
    if (current === undefined) drift.push({ path, kind: 'missing' });
    else if (current !== content) drift.push({ path, kind: 'changed' });
  }
  for (const pattern of ownedFolders) {
    for (const folder of expandFolders(outDir, pattern)) {
      for (const path of listFiles(outDir, folder)) {
        if (!tree.has(path)) drift.push({ path, kind: 'stale' });
      }
    }
  }
  return drift.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes what changed and removes stale files; returns what it did. */
export function writeTree(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
): Promise<Drift[]> {
  return settled(() => {
    const drift = differences(outDir, tree, ownedFolders);
    for (const { path, kind } of drift) {
      const target = join(outDir, path);
      if (kind === 'stale') {
        rmSync(target, { force: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      const temporary = `${target}.gitops-gen-${process.pid}.tmp`;
      writeFileSync(temporary, tree.get(path) ?? '', 'utf8');
      renameSync(temporary, target);
    }
    removeEmptyFolders(outDir, ownedFolders);
    return drift;
  });
}

function removeEmptyFolders(outDir: string, folders: readonly string[]): void {
  const visit = (path: string): boolean => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      return false;
    }
    let empty = true;
    for (const entry of entries) {
      if (!entry.isDirectory() || !visit(join(path, entry.name))) empty = false;
    }
    if (empty) rmSync(path, { recursive: true, force: true });
    return empty;
  };
  for (const pattern of folders) {
    for (const folder of expandFolders(outDir, pattern)) visit(join(outDir, folder));
  }
}
