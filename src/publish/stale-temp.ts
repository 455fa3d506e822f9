/**
 * Leftovers of killed runs: `publish` renders into `gitops-gen-publish-*` and commits from
 * `gitops-gen-commit-*` folders in the system temporary folder and removes them when it ends,
 * but a SIGKILL (or a power cut) skips that. The next publish removes those that are clearly
 * abandoned: ours by name, owned by this user, and untouched for a while.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The mkdtemp prefixes of src/publish (publish-target.ts, git-workspace.ts). */
export const publishTempPrefixes = ['gitops-gen-publish-', 'gitops-gen-commit-'] as const;

/** A run that is still going touches its folder well within this (renders take seconds). */
export const staleAfterMs = 60 * 60 * 1000;

export interface StaleCleanupOptions {
  /** Where to look (the system temporary folder). */
  dir?: string;
  /** Folders last modified before `now - olderThanMs` are stale. */
  olderThanMs?: number;
  now?: number;
}

/**
 * Removes stale publish folders; returns their paths. Never fails: cleaning up after another
 * run must not stop this one.
 */
export async function removeStalePublishTemps(
  options: StaleCleanupOptions = {},
): Promise<string[]> {
  const dir = options.dir ?? tmpdir();
  const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? staleAfterMs);
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!publishTempPrefixes.some((prefix) => name.startsWith(prefix))) continue;
    const path = join(dir, name);
    try {
      // lstat: a link with our name is not followed, and is not ours.
      const info = await lstat(path);
      if (!info.isDirectory() || info.mtimeMs >= cutoff) continue;
      if (uid !== undefined && info.uid !== uid) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
