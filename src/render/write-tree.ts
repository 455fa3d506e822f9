/**
 * The file-system edge of rendering: compares a FileTree with a folder (for `--check`) and
 * writes it there. Each file is written to a temporary name and renamed into place, so an
 * interrupted run never leaves a half-written file; stale files in owned folders are removed.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { FileTree } from './file-tree.js';

export type DriftKind = 'changed' | 'missing' | 'stale';

export interface Drift {
  path: string;
  kind: DriftKind;
}

/** Folders matching an owned-folder pattern, where a `*` segment stands for every folder. */
async function expandFolders(root: string, pattern: string): Promise<string[]> {
  const star = pattern.indexOf('*');
  if (star === -1) return [pattern];
  const parent = pattern.slice(0, star).replace(/\/$/, '');
  const rest = pattern.slice(star + 1);
  const entries = await readdir(join(root, parent), { withFileTypes: true }).catch(() => []);
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${parent}/${entry.name}${rest}`);
  return (await Promise.all(folders.map((folder) => expandFolders(root, folder)))).flat();
}

async function listFiles(root: string, folder: string): Promise<string[]> {
  const entries = await readdir(join(root, folder), { withFileTypes: true }).catch(
    (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    },
  );
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, path)));
    else files.push(path.split(sep).join('/'));
  }
  return files;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
}

/** How the folder differs from the tree, in path order. */
export async function compareTree(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const [path, content] of tree) {
    const current = await readIfPresent(join(outDir, path));
    if (current === undefined) drift.push({ path, kind: 'missing' });
    else if (current !== content) drift.push({ path, kind: 'changed' });
  }
  for (const pattern of ownedFolders) {
    for (const folder of await expandFolders(outDir, pattern)) {
      for (const path of await listFiles(outDir, folder)) {
        if (!tree.has(path)) drift.push({ path, kind: 'stale' });
      }
    }
  }
  return drift.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes what changed and removes stale files; returns what it did. */
export async function writeTree(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
): Promise<Drift[]> {
  const drift = await compareTree(outDir, tree, ownedFolders);
  for (const { path, kind } of drift) {
    const target = join(outDir, path);
    if (kind === 'stale') {
      await rm(target, { force: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.gitops-gen-${process.pid}.tmp`;
    await writeFile(temporary, tree.get(path) ?? '', 'utf8');
    await rename(temporary, target);
  }
  await removeEmptyFolders(outDir, ownedFolders);
  return drift;
}

async function removeEmptyFolders(outDir: string, folders: readonly string[]): Promise<void> {
  const visit = async (path: string): Promise<boolean> => {
    const entries = await readdir(path, { withFileTypes: true }).catch(() => undefined);
    if (!entries) return false;
    let empty = true;
    for (const entry of entries) {
      if (!entry.isDirectory() || !(await visit(join(path, entry.name)))) empty = false;
    }
    if (empty) await rm(path, { recursive: true, force: true });
    return empty;
  };
  for (const pattern of folders) {
    for (const folder of await expandFolders(outDir, pattern)) await visit(join(outDir, folder));
  }
}
