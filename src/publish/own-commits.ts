/**
 * Which commits on a gitops-gen pull-request branch are gitops-gen's own. The fingerprint
 * trailer alone does not tell: a human who amends or cherry-picks gitops-gen's commit keeps it,
 * and replacing that commit would throw their work away. A commit is gitops-gen's when it is
 * the head gitops-gen recorded in its pull request's marker, or when its content is exactly
 * what gitops-gen writes:
 * - it carries the `Gitops-Gen-Fingerprint` trailer and has exactly one parent;
 * - it changes nothing outside the publish folder;
 * - every path it changes there is the ownership manifest, a file the commit's own manifest
 *   lists with that content's sha256, or the removal of a file the parent's manifest owned.
 * Anything else is foreign. Reads commits through a small port; decides nothing else.
 */
import { readOwnershipManifest, sha256Hex } from './changeset.js';
import type { CommitInfo } from './git-workspace.js';
import { ownershipManifestPath } from './types.js';

export interface CommitReader {
  changedPaths(from: string, to: string): Promise<string[]>;
  readFiles(commit: string, folder: string): Promise<Map<string, string>>;
}

export const fingerprintTrailer = 'Gitops-Gen-Fingerprint';

/** The commits of `commits` (a pull-request branch above its base) gitops-gen did not make. */
export async function foreignCommits(
  reader: CommitReader,
  commits: readonly CommitInfo[],
  folder: string,
  recordedHead: string | undefined,
): Promise<CommitInfo[]> {
  const foreign: CommitInfo[] = [];
  for (const commit of commits) {
    if (commit.sha === recordedHead) continue;
    if (!(await isOwnContent(reader, commit, folder))) foreign.push(commit);
  }
  return foreign;
}

async function isOwnContent(
  reader: CommitReader,
  commit: CommitInfo,
  folder: string,
): Promise<boolean> {
  const [parent] = commit.parents;
  if (commit.trailers[fingerprintTrailer] === undefined || !parent || commit.parents.length > 1)
    return false;
  const prefix = folder === '' ? '' : `${folder}/`;
  const changed = await reader.changedPaths(parent, commit.sha);
  if (changed.some((path) => !path.startsWith(prefix))) return false;
  const after = await reader.readFiles(commit.sha, folder);
  const before = await reader.readFiles(parent, folder);
  let ownedAfter;
  let ownedBefore;
  try {
    ownedAfter = readOwnershipManifest(after).files;
    ownedBefore = readOwnershipManifest(before).files;
  } catch {
    return false; // a manifest gitops-gen cannot read is not one it wrote
  }
  return changed
    .map((path) => path.slice(prefix.length))
    .every((path) => {
      if (path === ownershipManifestPath) return true;
      const text = after.get(path);
      if (text === undefined) return ownedBefore[path] !== undefined;
      return ownedAfter[path] === sha256Hex(text);
    });
}
