/**
 * The file-system edge of rendering: compares a FileTree with a folder (for `--check`) and
 * writes it there, in two phases so that a failing or interrupted render never leaves a
 * half-written tree:
 *
 * 1. every new or changed file is written to a temporary sibling (`.<name>.gitops-gen-tmp-<pid>`);
 *    if any of that fails, the temporaries (and the folders made for them) are removed and the
 *    tree is as it was;
 * 2. the temporaries are renamed into place (each rename is atomic), then stale files are
 *    removed.
 *
 * Temporaries left by a run that was killed are never drift; the next write removes them. An
 * AbortSignal (the CLI's SIGINT/SIGTERM) stops a write between two files and removes them at once.
 * Nothing is written or read through a symbolic link to a folder inside the output folder: that
 * would let the tree escape it. Synchronous underneath: a render writes a few dozen small files,
 * and a thread-pool round trip per call costs more than the call (the functions stay async for
 * callers).
 *
 * With `ownership` (the CLI's `render`), the manifest `.gitops-gen/owned.json` (publish's
 * format: every file written, with its sha256) is read before and rewritten after. A file the
 * render no longer holds is removed only if the manifest lists it, unchanged; any other file is
 * the team's, kept and reported once as not generated (never drift). A tree without a manifest
 * (written by an older version) keeps the old rule outside `overlays/<env>/custom/`.
 */
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { FileTree } from './file-tree.js';
import { writeFailure } from './write-errors.js';
import {
  inFolders,
  manifestProblem,
  nextManifest,
  ownershipManifestFile,
  parseOwnership,
  sha256Hex,
  type Ownership,
  type OwnershipState,
} from './ownership.js';

export { ownershipManifestFile, type Ownership } from './ownership.js';
export { writeFailure } from './write-errors.js';

export type DriftKind = 'changed' | 'missing' | 'stale';

export interface Drift {
  path: string;
  kind: DriftKind;
}

/** `.<name>.gitops-gen-tmp-<pid>`, and the `<name>.gitops-gen-<pid>.tmp` of earlier versions. */
const temporaryPatterns = [/^\..+\.gitops-gen-tmp-(\d+)$/, /^.+\.gitops-gen-(\d+)\.tmp$/];

/** The temporary sibling that phase 1 writes `target` to. */
export function temporaryPath(target: string, pid = process.pid): string {
  return join(dirname(target), `.${basename(target)}.gitops-gen-tmp-${pid}`);
}

/** The process that wrote a temporary, or undefined when `name` is not one. */
function temporaryOwner(name: string): number | undefined {
  for (const pattern of temporaryPatterns) {
    const match = pattern.exec(name);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** Whether another process that is still running may be about to rename this temporary. */
function isOtherLiveProcess(pid: number): boolean {
  if (pid === process.pid || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The entries of a folder; none when it does not exist (`missing`) or cannot be read. */
function entriesOf(path: string, missing: 'empty' | 'throw' = 'empty'): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (missing === 'empty' || code === 'ENOENT' || code === 'ENOTDIR') return [];
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

const toPosix = (path: string): string => path.split(sep).join('/');

/** What a folder holds, recursively: files (and links) and the temporaries of earlier runs. */
interface Listing {
  files: string[];
  temporaries: string[];
}

function listFiles(root: string, folder: string, into: Listing, recurse = true): Listing {
  for (const entry of entriesOf(join(root, folder), 'throw')) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (recurse) listFiles(root, path, into);
    } else if (temporaryOwner(entry.name) !== undefined) into.temporaries.push(toPosix(path));
    else into.files.push(toPosix(path));
  }
  return into;
}

type Current = { kind: 'missing' } | { kind: 'file'; text: string } | { kind: 'other' };

/** What is at `path` now, without following a link. */
function currentAt(path: string): Current {
  let info;
  try {
    info = lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    // A file where a folder of the path should be: nothing is there yet (writing will say why).
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return { kind: 'missing' };
    throw error;
  }
  if (info === undefined) return { kind: 'missing' };
  // A link or a folder where a file belongs is never read through; writing replaces a link.
  if (!info.isFile()) return { kind: 'other' };
  return { kind: 'file', text: readFileSync(path, 'utf8') };
}

/**
 * Refuses a symbolic link among the folders of `relative` (a POSIX path below `outDir`,
 * including its last segment when `self`): reading or writing through it could leave `outDir`.
 */
function refuseLinkedFolders(
  outDir: string,
  relative: string,
  self: boolean,
  checked: Set<string>,
): void {
  const segments = relative.split('/').filter((segment) => segment !== '' && segment !== '.');
  const count = self ? segments.length : segments.length - 1;
  for (let index = 1; index <= count; index++) {
    const path = segments.slice(0, index).join('/');
    if (checked.has(path)) continue;
    const absolute = join(outDir, path);
    let info;
    try {
      info = lstatSync(absolute, { throwIfNoEntry: false });
    } catch {
      return; // ENOTDIR and the like: nothing below exists to follow
    }
    if (info === undefined) return;
    if (info.isSymbolicLink()) {
      let to = '?';
      try {
        to = readlinkSync(absolute);
      } catch {
        // keep '?'
      }
      const message = `${path} in the output folder is a symbolic link (to ${to}); gitops-gen does not write or read the tree through links`;
      const hint =
        'replace the link with a real folder, or render into the folder it points to with --out';
      throw new InputError(
        message,
        [{ code: 'render/linked-folder', message, hint }],
        'render/linked-folder',
      );
    }
    checked.add(path);
    if (!info.isDirectory()) return;
  }
}

/**
 * Whether the file at `path` is what gitops-gen wrote there: listed in the manifest with the
 * sha256 of its content. A copy the team edited afterwards is theirs now, and is kept.
 */
function wroteIt(outDir: string, path: string, ownership: OwnershipState): boolean {
  const listed = ownership.written.files[path];
  if (listed === undefined) return false;
  const current = currentAt(join(outDir, path));
  return current.kind === 'file' && sha256Hex(current.text) === listed;
}

interface Survey {
  drift: Drift[];
  /** Temporaries of earlier runs (absolute paths) that no running process will rename. */
  strays: string[];
  /** Files the manifest does not list (with `ownership`): in the user folders, or anywhere once a manifest exists. */
  notGenerated: string[];
}

function survey(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
  ownership?: OwnershipState,
): Survey {
  const checked = new Set<string>();
  const drift: Drift[] = [];
  for (const [path, content] of tree) {
    refuseLinkedFolders(outDir, path, false, checked);
    const current = currentAt(join(outDir, path));
    if (current.kind === 'missing') drift.push({ path, kind: 'missing' });
    else if (current.kind === 'other' || current.text !== content)
      drift.push({ path, kind: 'changed' });
  }
  const listing: Listing = { files: [], temporaries: [] };
  const owned: string[] = [];
  for (const pattern of ownedFolders) {
    for (const folder of expandFolders(outDir, pattern)) {
      refuseLinkedFolders(outDir, folder, true, checked);
      owned.push(folder.replace(/\/$/, ''));
      listFiles(outDir, folder, listing);
    }
  }
  const notGenerated: string[] = [];
  for (const path of listing.files) {
    if (tree.has(path)) continue;
    // With a manifest, render removes only what it wrote (and nobody edited since); without one
    // (a tree from before the manifest), the owned folders outside the user folders are ours.
    const listsWrites = ownership !== undefined && ownership.text !== undefined;
    if (
      ownership &&
      (listsWrites || inFolders(path, ownership.userFolders)) &&
      !wroteIt(outDir, path, ownership)
    )
      notGenerated.push(path);
    else drift.push({ path, kind: 'stale' });
  }
  // Temporaries sit next to the files they were for, which may be outside every owned folder.
  const inOwned = (folder: string): boolean =>
    owned.some((root) => root === '' || folder === root || folder.startsWith(`${root}/`));
  const folders = new Set([...tree.keys()].map((path) => dirname(path)));
  for (const folder of folders) {
    if (!inOwned(folder === '.' ? '' : folder)) {
      listFiles(outDir, folder, { files: [], temporaries: listing.temporaries }, false);
    }
  }
  const strays = [...new Set(listing.temporaries)]
    .filter((path) => !tree.has(path))
    .filter((path) => !isOtherLiveProcess(temporaryOwner(basename(path)) ?? 0))
    .map((path) => join(outDir, path));
  drift.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  notGenerated.sort();
  return { drift, strays, notGenerated };
}

/** What a folder holds compared with the tree, and the team's files it keeps. */
export interface TreeState {
  drift: Drift[];
  /** Files in the user folders that gitops-gen did not write, in path order: kept. */
  notGenerated: string[];
  /** Of `notGenerated`, those no earlier render reported (each is reported once). */
  newlyNotGenerated: string[];
}

/** Reads the ownership manifest of `outDir`; an absent one lists nothing. */
function readOwnership(outDir: string, ownership: Ownership, checked: Set<string>): OwnershipState {
  refuseLinkedFolders(outDir, ownershipManifestFile, false, checked);
  const current = currentAt(join(outDir, ownershipManifestFile));
  if (current.kind === 'other') throw manifestProblem('is not a regular file');
  const text = current.kind === 'file' ? current.text : undefined;
  return { ...ownership, written: parseOwnership(text), text };
}

function surveyWithOwnership(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
  ownership: Ownership | undefined,
): Survey & { state: OwnershipState | undefined; newlyNotGenerated: string[] } {
  const state = ownership ? readOwnership(outDir, ownership, new Set()) : undefined;
  const result = survey(outDir, tree, ownedFolders, state);
  const reported = new Set(state?.written.notGenerated ?? []);
  // The manifest's own temporaries of a killed run, which survey (by the tree's folders) misses.
  const manifestFolder = dirname(ownershipManifestFile);
  const leftovers = state
    ? listFiles(outDir, manifestFolder, { files: [], temporaries: [] }, false)
        .temporaries.filter((path) => !isOtherLiveProcess(temporaryOwner(basename(path)) ?? 0))
        .map((path) => join(outDir, path))
    : [];
  return {
    ...result,
    strays: [...result.strays, ...leftovers],
    state,
    newlyNotGenerated: result.notGenerated.filter((path) => !reported.has(path)),
  };
}

/** How the folder differs from the tree, in path order. */
export function compareTree(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
): Promise<Drift[]> {
  return settled(() => survey(outDir, tree, ownedFolders).drift);
}

/** compareTree, with the team's files of the user folders kept apart from drift. */
export function compareTreeState(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
  ownership: Ownership,
): Promise<TreeState> {
  return settled(() => {
    const { drift, notGenerated, newlyNotGenerated } = surveyWithOwnership(
      outDir,
      tree,
      ownedFolders,
      ownership,
    );
    return { drift, notGenerated, newlyNotGenerated };
  });
}

/** The result of synchronous work as a promise (a thrown error becomes a rejection). */
function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

interface Staged {
  target: string;
  temporary: string;
}

/** Removes a temporary while cleaning up after a failure, which must not fail in turn. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // a folder or an unreadable path: not one of ours
  }
}

/** Removes `folder` when it is empty. */
function removeIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch {
    // not empty or already gone: leave it
  }
}

/**
 * `mkdir -p` that creates each missing folder itself, top down, and returns the first one it
 * made (like `mkdirSync(..., { recursive: true })`). Node's recursive mkdir loops forever where
 * mkdir says ENOENT under a folder that exists (/proc), and reports EROFS as ENOENT; here every
 * call is bounded by the path's depth and a failure names the folder that refused.
 */
export function makeFolders(
  folder: string,
  mkdir: (path: string) => void = (path) => {
    mkdirSync(path);
  },
): string | undefined {
  const missing: string[] = [];
  for (let path = folder; ; path = dirname(path)) {
    // Follows a link, as mkdir -p does; a file in the way throws ENOTDIR (named by reasonOf).
    const info = statSync(path, { throwIfNoEntry: false });
    if (info?.isDirectory()) break;
    if (info) throw Object.assign(new Error(`EEXIST: ${path}`), { code: 'EEXIST', path });
    missing.push(path);
    if (path === dirname(path)) break;
  }
  const made: string[] = [];
  try {
    for (const path of missing.reverse()) {
      try {
        mkdir(path);
        made.push(path);
      } catch (error) {
        const failure = error as NodeJS.ErrnoException;
        // Made meanwhile by someone else: fine.
        if (failure.code === 'EEXIST' && statSync(path, { throwIfNoEntry: false })?.isDirectory())
          continue;
        if (failure.code === 'ENOENT') {
          // Its parent exists (found or made above), yet the file system refuses the name.
          throw Object.assign(
            new Error('ENOENT: the file system does not allow a new folder here'),
            { code: 'ENOENT', path },
          );
        }
        throw Object.assign(failure, { path });
      }
    }
  } catch (error) {
    // Leave no half-made chain behind: the caller only learns of what succeeded.
    for (const path of made.reverse()) removeIfEmpty(path);
    throw error;
  }
  return made[0];
}

/**
 * Phase 1: writes every new or changed file to its temporary sibling. On failure removes what
 * it wrote, and the folders it made, and throws: the tree is as it was.
 */
async function stage(
  outDir: string,
  tree: FileTree,
  writes: readonly Drift[],
  signal: AbortSignal | undefined,
): Promise<Staged[]> {
  const staged: Staged[] = [];
  const madeFolders: string[] = [];
  let current = outDir;
  try {
    for (const { path } of writes) {
      const target = join(outDir, path);
      current = target;
      const made = makeFolders(dirname(target));
      if (made !== undefined) {
        // Every folder from the parent up to `made` is new.
        for (let folder = dirname(target); ; folder = dirname(folder)) {
          madeFolders.push(folder);
          if (folder === made || folder === dirname(folder)) break;
        }
      }
      if (lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) {
        throw Object.assign(new Error('EISDIR: a folder is where this file belongs'), {
          code: 'EISDIR',
          path: target,
        });
      }
      const temporary = temporaryPath(target);
      staged.push({ target, temporary });
      // A leftover of this pid is ours to replace; `wx` never writes through a planted link.
      rmSync(temporary, { force: true });
      writeFileSync(temporary, tree.get(path) ?? '', { encoding: 'utf8', flag: 'wx' });
      await checkpoint(signal, () => new WriteInterrupted('stage', 0, writes.length));
    }
    return staged;
  } catch (error) {
    for (const { temporary } of staged) removeQuietly(temporary);
    // Deepest first, so that a parent is empty by the time it is tried.
    for (const folder of [...madeFolders].sort((a, b) => b.length - a.length))
      removeIfEmpty(folder);
    throw error instanceof WriteInterrupted
      ? error
      : writeFailure(error, current, 'nothing was changed');
  }
}

/** Phase 2: renames every temporary into place. */
async function commit(staged: readonly Staged[], signal: AbortSignal | undefined): Promise<void> {
  let done = 0;
  try {
    for (const { temporary, target } of staged) {
      renameSync(temporary, target);
      done++;
      if (done < staged.length)
        await checkpoint(signal, () => new WriteInterrupted('commit', done, staged.length));
    }
  } catch (error) {
    for (const { temporary } of staged.slice(done)) removeQuietly(temporary);
    if (error instanceof WriteInterrupted) throw error;
    throw writeFailure(
      error,
      staged[done]?.target ?? '',
      `${done} of ${staged.length} files were replaced; render again`,
    );
  }
}

/**
 * A write stopped by its AbortSignal (Ctrl-C): in phase 1 (`stage`) nothing was changed; in
 * phase 2 (`commit`) `replaced` of `total` files are new. Either way no temporary is left.
 */
export class WriteInterrupted extends Error {
  constructor(
    readonly phase: 'stage' | 'commit',
    readonly replaced: number,
    readonly total: number,
  ) {
    super(
      phase === 'stage'
        ? 'interrupted before any file was replaced: the output folder is unchanged'
        : `interrupted after replacing ${replaced} of ${total} files; render again to finish`,
    );
    this.name = 'WriteInterrupted';
  }
}

/**
 * With a signal, lets the event loop run (so that a signal handler can abort) and throws when
 * aborted; without one, costs nothing.
 */
async function checkpoint(
  signal: AbortSignal | undefined,
  interrupted: () => WriteInterrupted,
): Promise<void> {
  if (signal === undefined) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw interrupted();
}

export interface WriteOptions {
  /** Aborting stops between two files and removes the temporaries (see WriteInterrupted). */
  signal?: AbortSignal;
  /** Read and rewrite the ownership manifest, and keep the team's files (see Ownership). */
  ownership?: Ownership;
}

/** Writes what changed and removes stale files; returns what it did. */
export async function writeTree(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
  options: WriteOptions = {},
): Promise<Drift[]> {
  return (await writeTreeState(outDir, tree, ownedFolders, options)).drift;
}

/** writeTree, also saying which of the team's files it kept. */
export async function writeTreeState(
  outDir: string,
  tree: FileTree,
  ownedFolders: readonly string[],
  options: WriteOptions = {},
): Promise<TreeState> {
  const { signal } = options;
  if (signal?.aborted) throw new WriteInterrupted('stage', 0, 0);
  const { drift, strays, notGenerated, newlyNotGenerated, state } = await settled(() =>
    surveyWithOwnership(outDir, tree, ownedFolders, options.ownership),
  );
  const writes = drift.filter(({ kind }) => kind !== 'stale');
  let staging = tree;
  if (state) {
    // The manifest goes through both phases with the files it lists: all of them, or none.
    const manifest = nextManifest(tree, ownedFolders, state, notGenerated);
    if (manifest !== state.text) {
      staging = new Map(tree).set(ownershipManifestFile, manifest);
      writes.push({
        path: ownershipManifestFile,
        kind: state.text === undefined ? 'missing' : 'changed',
      });
    }
  }
  const staged = await stage(outDir, staging, writes, signal);
  await commit(staged, signal);
  return settled(() => {
    let current = outDir;
    try {
      for (const { path, kind } of drift) {
        current = join(outDir, path);
        if (kind === 'stale') rmSync(current, { force: true });
      }
      for (const path of strays) {
        current = path;
        rmSync(path, { force: true });
      }
    } catch (error) {
      throw writeFailure(error, current, 'every rendered file was written; render again');
    }
    removeEmptyFolders(outDir, ownedFolders);
    return { drift, notGenerated, newlyNotGenerated };
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
