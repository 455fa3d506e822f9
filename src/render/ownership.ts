/**
 * The ownership manifest as render reads and writes it: `.gitops-gen/owned.json` in the output
 * folder, in the format publish reads (src/publish/changeset.ts: `version: 1` and `files`, path
 * -> sha256 of what gitops-gen wrote), plus `notGenerated`, the team's files in
 * `overlays/<env>/custom/` that a render already reported (publish ignores the key). It is what
 * lets render remove only files it wrote before in the team's folders. Pure; write-tree.ts reads
 * and writes the file. Kept apart from publish because render may not import publish (one-way
 * data flow); the two formats are tested to agree (test/render/user-material.test.ts).
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { FileTree } from './file-tree.js';

/** The ownership manifest, relative to the output folder (the path publish uses). */
export const ownershipManifestFile = '.gitops-gen/owned.json';

/**
 * What render wrote at its last run: the publish manifest's `version` and `files` (path ->
 * sha256), plus `notGenerated`, the team's files already reported (publish ignores the key).
 */
export interface WrittenFiles {
  files: Record<string, string>;
  notGenerated: string[];
}

/** How writeTree and compareTree judge files that the tree does not hold. */
export interface Ownership {
  /** Folder patterns (`*` for any one folder) whose unlisted files are the team's: kept. */
  userFolders: readonly string[];
}

export interface OwnershipState extends Ownership {
  written: WrittenFiles;
  /** The manifest file's text as found; undefined when there is none. */
  text: string | undefined;
}

/** Whether `path` lies below a folder matching one of `patterns`. */
export function inFolders(path: string, patterns: readonly string[]): boolean {
  const segments = path.split('/');
  return patterns.some((pattern) => {
    const parts = pattern.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.length >= segments.length) return false;
    return parts.every((part, index) => part === '*' || part === segments[index]);
  });
}

export function manifestProblem(message: string): InputError {
  const text = `${ownershipManifestFile} in the output folder ${message}`;
  return new InputError(
    text,
    [
      {
        code: 'render/ownership-manifest',
        message: text,
        file: ownershipManifestFile,
        hint: 'restore it from version control, or delete it: the next render writes a new one (files in overlays/<env>/custom/ are then all kept as the team’s)',
      },
    ],
    'render/ownership-manifest',
  );
}

/** Reads the ownership manifest's text; none (undefined) lists nothing. */
export function parseOwnership(text: string | undefined): WrittenFiles {
  if (text === undefined) return { files: {}, notGenerated: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw manifestProblem(
      `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const { version, files, notGenerated } = (value ?? {}) as Record<string, unknown>;
  if (version !== 1) throw manifestProblem('is not version 1 of the ownership manifest');
  if (typeof files !== 'object' || files === null || Array.isArray(files))
    throw manifestProblem('has no `files` object');
  const listed: Record<string, string> = {};
  for (const [path, sha] of Object.entries(files)) {
    if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha))
      throw manifestProblem(`lists ${JSON.stringify(path)} without a sha256`);
    listed[path] = sha;
  }
  const reported = Array.isArray(notGenerated)
    ? notGenerated.filter((path): path is string => typeof path === 'string')
    : [];
  return { files: listed, notGenerated: reported };
}

export const sha256Hex = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The manifest after writing `tree`: every file of the tree, plus what the last run listed
 * outside the folders this run owns (another environment's overlay under `--env`); keys sorted,
 * as publish formats it.
 */
export function nextManifest(
  tree: FileTree,
  ownedFolders: readonly string[],
  state: OwnershipState,
  notGenerated: readonly string[],
): string {
  const owned = ownedFolders.map((pattern) => pattern.replace(/\/$/, ''));
  const outside = (path: string): boolean => !inFolders(path, owned);
  const files = new Map<string, string>();
  for (const [path, sha] of Object.entries(state.written.files)) {
    if (outside(path) && !tree.has(path)) files.set(path, sha);
  }
  for (const [path, text] of tree) files.set(path, sha256Hex(text));
  const sorted = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const kept = [
    ...new Set([...state.written.notGenerated.filter(outside), ...notGenerated]),
  ].sort();
  return `${JSON.stringify({ version: 1, files: sorted, ...(kept.length > 0 ? { notGenerated: kept } : {}) }, null, 2)}\n`;
}
