/**
 * The file-system side of the delivery-path check (delivery-paths.ts): which repository a
 * folder belongs to (its git `origin` remote, read from the git config, no git process), how
 * repository URLs compare, and what a controller would sync from a folder. Synchronous: a few
 * stats and one small read per repository.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { kustomizationFileNames } from './inputs.js';

export function pathKind(path: string): 'file' | 'directory' | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return undefined;
  return info.isDirectory() ? 'directory' : 'file';
}

export function folderEntries(path: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
}

/**
 * A repository URL reduced to `host/path` so that the spellings git and the controllers accept
 * for one repository compare equal: https, http, git and ssh URLs, the scp-like `git@host:path`,
 * user info and port dropped, host in lower case, no `.git` suffix and no trailing slash.
 * Undefined for what is no repository URL (a template, an empty string).
 */
export function normaliseRepoUrl(url: string): string | undefined {
  const text = url.trim();
  if (text === '' || text.includes('{{')) return undefined;
  let host: string;
  let path: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(text);
  const scpLike = /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(text);
  if (scheme) {
    const authority = (scheme[2] ?? '').replace(/^.*@/, '');
    host = authority.replace(/:\d*$/, '');
    path = scheme[3] ?? '';
    if (scheme[1]?.toLowerCase() === 'file') return `file:${resolve(path)}`;
  } else if (scpLike && !/^[a-z]:[\\/]/i.test(text)) {
    host = scpLike[1] ?? '';
    path = scpLike[2] ?? '';
  } else {
    // A local path, as `git remote add origin ../x` allows.
    return `file:${resolve(text)}`;
  }
  path = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
  return `${host.toLowerCase()}/${path}`;
}

/** The repository root holding `folder` (the nearest folder upwards with `.git`), if any. */
export function gitRoot(folder: string): string | undefined {
  let current = folder;
  for (let depth = 0; depth < 64; depth++) {
    if (pathKind(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The git folder of the repository at `root` and its common folder (they differ in a worktree). */
function gitFolders(root: string): { gitDir: string; commonDir: string } | undefined {
  const dotGit = join(root, '.git');
  let gitDir = dotGit;
  if (pathKind(dotGit) !== 'directory') {
    const match = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '');
    if (!match?.[1]) return undefined;
    gitDir = resolve(root, match[1]);
  }
  // A linked worktree keeps its config and refs in the common git folder.
  const common = readText(join(gitDir, 'commondir'))?.trim();
  return { gitDir, commonDir: common ? resolve(gitDir, common) : gitDir };
}

/** The `url` of `[remote "origin"]` in a git config text, as git reads it (first one wins). */
export function originUrlOf(config: string): string | undefined {
  let inOrigin = false;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inOrigin = /^\[\s*remote\s+"origin"\s*\]$/i.test(line);
      continue;
    }
    if (!inOrigin) continue;
    const match = /^url\s*=\s*(.*?)\s*$/i.exec(line);
    if (match?.[1]) return match[1].replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

const originCache = new Map<string, string | undefined>();

/** The normalised `origin` URL of the repository at `root`; undefined when it has none. */
export function originOf(root: string): string | undefined {
  if (originCache.has(root)) return originCache.get(root);
  let origin: string | undefined;
  const folders = gitFolders(root);
  const url = folders && originUrlOf(readText(join(folders.commonDir, 'config')) ?? '');
  if (url) origin = normaliseRepoUrl(url.startsWith('.') ? resolve(root, url) : url);
  originCache.set(root, origin);
  return origin;
}

const branchCache = new Map<string, Set<string>>();

/**
 * The branches whose content the work tree at `root` is: the checked-out branch, the remote's
 * default branch (`origin/HEAD`), and, on a detached HEAD, the branches at that commit.
 */
export function workTreeBranches(root: string): Set<string> {
  const cached = branchCache.get(root);
  if (cached) return cached;
  const branches = new Set<string>();
  const folders = gitFolders(root);
  if (folders) {
    const head = readText(join(folders.gitDir, 'HEAD'))?.trim() ?? '';
    const symbolic = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
    if (symbolic?.[1]) branches.add(symbolic[1]);
    const remoteHead = readText(join(folders.commonDir, 'refs/remotes/origin/HEAD'))?.trim() ?? '';
    const remoteDefault = /^ref:\s*refs\/remotes\/origin\/(.+)$/.exec(remoteHead);
    if (remoteDefault?.[1]) branches.add(remoteDefault[1]);
    if (/^[0-9a-f]{40,64}$/.test(head)) {
      const refs: [string, string][] = [];
      for (const line of (readText(join(folders.commonDir, 'packed-refs')) ?? '').split('\n')) {
        const [sha, name] = line.trim().split(' ');
        if (sha && name) refs.push([name, sha]);
      }
      for (const prefix of ['refs/heads', 'refs/remotes/origin']) {
        for (const entry of folderEntries(join(folders.commonDir, prefix))) {
          if (!entry.isFile()) continue;
          const sha = readText(join(folders.commonDir, prefix, entry.name))?.trim();
          if (sha) refs.push([`${prefix}/${entry.name}`, sha]);
        }
      }
      for (const [name, sha] of refs) {
        const branch = /^refs\/(?:heads|remotes\/origin)\/(.+)$/.exec(name)?.[1];
        if (branch && sha === head && branch !== 'HEAD') branches.add(branch);
      }
    }
  }
  branchCache.set(root, branches);
  return branches;
}

/** How a controller builds a folder: the tool options of the source that names it. */
export interface SyncTool {
  controller: 'argocd' | 'flux';
  /** Argo CD `directory.recurse`: plain manifests are read from subfolders too. */
  recurse?: boolean;
  /** Argo CD `plugin`: a config management plugin decides what the folder holds. */
  plugin?: boolean;
}

/**
 * Argo CD reads `*.yaml`, `*.yml`, `*.json` and `*.jsonnet` as a plain directory
 * (argo-cd reposerver/repository/repository.go: `manifestFile`); Flux generates a
 * kustomization.yaml from the YAML files (fluxcd/pkg kustomize generator).
 */
const argoManifestFile = /^.*\.(yaml|yml|json|jsonnet)$/;
const fluxManifestFile = /^.*\.(yaml|yml)$/;

function holdsManifests(folder: string, file: RegExp, recurse: boolean, depth = 0): boolean {
  if (depth > 32) return false;
  const entries = folderEntries(folder);
  for (const entry of entries) {
    if (entry.isFile() && file.test(entry.name)) return true;
  }
  if (!recurse) return false;
  return entries.some(
    (entry) =>
      entry.isDirectory() &&
      !entry.name.startsWith('.') &&
      holdsManifests(join(folder, entry.name), file, recurse, depth + 1),
  );
}

/** What the controller would make of an existing folder: `ok`, or why it syncs nothing. */
export function syncable(folder: string, tool: SyncTool): 'ok' | 'empty' | 'needs-recurse' {
  if (tool.plugin) return 'ok';
  if (kustomizationFileNames.some((name) => pathKind(join(folder, name)) === 'file')) return 'ok';
  if (tool.controller === 'flux') {
    // kustomize-controller: a kustomization.yaml is generated for all the manifests in the
    // directory tree of spec.path.
    return holdsManifests(folder, fluxManifestFile, true) ? 'ok' : 'empty';
  }
  // Argo CD tool detection: Helm if there is a Chart.yaml, Kustomize if there is a
  // kustomization, otherwise a plain directory (jsonnet included).
  if (pathKind(join(folder, 'Chart.yaml')) === 'file') return 'ok';
  if (holdsManifests(folder, argoManifestFile, tool.recurse === true)) return 'ok';
  if (!tool.recurse && holdsManifests(folder, argoManifestFile, true)) return 'needs-recurse';
  return 'empty';
}
