/**
 * The files a build reads from a kustomization's folder: its kustomization file (exactly one of
 * the accepted names) and the files its entries name, kept in or below the folder as Kustomize's
 * load restrictor (LoadRestrictionsRootOnly) requires. As in Kustomize, every path is resolved
 * to its real path (symlinks followed) first, and the restrictor judges the real path before
 * anything is read: a symlink inside the folder to a file outside it is refused.
 */
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { reportError, type Reporter } from './build-report.js';
import type { Kustomization } from './kustomization-types.js';
import { KUSTOMIZATION_FILE_NAMES, readKustomization } from './kustomization.js';
import type { KustomizeFileSystem, KustomizeFinding } from './types.js';
import { KustomizeError } from './values.js';

const RESTRICTOR_HINT =
  'kubectl kustomize only loads files whose real path (symlinks followed) is in or below the kustomization folder (load restrictor)';

/** A kustomization folder: as reported, and as Kustomize's root (its real path). */
export interface Folder {
  dir: string;
  realDir: string;
}

/** Whether `ancestor` is `path` or one of its parent folders. */
export function contains(ancestor: string, path: string): boolean {
  const rel = relative(resolve(ancestor), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

/**
 * The path with its symlinks resolved, or undefined when nothing is there. A port that cannot
 * resolve has no symlinks: the path is its own real path (its existence is checked on read).
 */
export async function realPathOf(
  fs: KustomizeFileSystem,
  path: string,
): Promise<string | undefined> {
  return fs.realPath ? fs.realPath(path) : normalize(path);
}

/**
 * The real path of a file the kustomization names, checked against the load restrictor before
 * it is read: throws a `kustomize/file-not-found` (dangling symlinks included) or
 * `kustomize/file-outside-root` error, worded after Kustomize's `security; file ... is not in
 * or below ...`.
 */
export async function restrictedPath(
  fs: KustomizeFileSystem,
  k: Kustomization,
  relativePath: string,
  what: string,
): Promise<string> {
  // Looked up from the real folder, as Kustomize does: `../x` from a symlinked base is
  // relative to where the base really is.
  const candidate = join(k.realDir, relativePath);
  const real = await realPathOf(fs, candidate);
  if (real === undefined) {
    throw new KustomizeError(
      `${what} ${relativePath} does not exist`,
      'kustomize/file-not-found',
      `looked for ${join(k.dir, relativePath)}`,
    );
  }
  if (!contains(k.realDir, real)) {
    const via = resolve(real) === resolve(candidate) ? '' : ` (its real path is ${real})`;
    throw new KustomizeError(
      `${what} ${relativePath} is not in or below the kustomization folder ${k.dir}${via}`,
      'kustomize/file-outside-root',
      RESTRICTOR_HINT,
    );
  }
  return real;
}

/**
 * A folder a kustomization names (a resource base or a component), or undefined when it is not
 * a folder. Folders may lie outside the kustomization's folder; their real path becomes their
 * root. Reported as written, unless a symlink leads elsewhere: then where it really is.
 */
export async function folderOf(
  fs: KustomizeFileSystem,
  k: Kustomization,
  relativePath: string,
): Promise<Folder | undefined> {
  const candidate = join(k.realDir, relativePath);
  if (!(await fs.isDirectory(candidate))) return undefined;
  const realDir = (await realPathOf(fs, candidate)) ?? candidate;
  const viaSymlink = resolve(realDir) !== resolve(candidate);
  return { dir: viaSymlink ? realDir : join(k.dir, relativePath), realDir };
}

/** The folder's kustomization file, read: reports a folder with none or several. */
export async function loadKustomization(
  fs: KustomizeFileSystem,
  findings: KustomizeFinding[],
  folder: Folder,
  report: Reporter,
): Promise<Kustomization | undefined> {
  const { dir, realDir } = folder;
  const found: { file: string; text: string }[] = [];
  const outside: string[] = [];
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const real = await realPathOf(fs, join(realDir, name));
    if (real === undefined) continue;
    // Kustomize reads it through the restricted loader, so a symlink out counts as missing.
    if (!contains(realDir, real)) {
      outside.push(name);
      continue;
    }
    let text: string | undefined;
    try {
      text = await fs.readFile(real);
    } catch (error) {
      reportError(report, error); // a file over a size limit (the port refuses it)
      return undefined;
    }
    if (text !== undefined) found.push({ file: join(dir, name), text });
  }
  const [first] = found;
  if (!first) {
    report(
      'kustomize/missing-kustomization',
      `no kustomization.yaml, kustomization.yml or Kustomization in ${dir}`,
      {
        hint:
          outside.length > 0
            ? `${outside.join(', ')} is a symlink to a file outside the folder, which kubectl kustomize does not load`
            : 'a folder listed in resources or components needs a kustomization file',
      },
    );
    return undefined;
  }
  if (found.length > 1) {
    report('kustomize/multiple-kustomizations', `several kustomization files in ${dir}`, {
      hint: 'keep one of kustomization.yaml, kustomization.yml and Kustomization',
    });
    return undefined;
  }
  return readKustomization(first.file, dir, first.text, findings, realDir);
}

/** A file of the kustomization's folder: reports a missing file or one outside the folder. */
export async function readFileIn(
  fs: KustomizeFileSystem,
  k: Kustomization,
  relativePath: string,
  report: Reporter,
  what: string,
): Promise<string | undefined> {
  let text: string | undefined;
  try {
    // The port may refuse a file over a size limit, too.
    text = await fs.readFile(await restrictedPath(fs, k, relativePath, what));
  } catch (error) {
    reportError(report, error);
    return undefined;
  }
  if (text === undefined) {
    report('kustomize/file-not-found', `${what} ${relativePath} does not exist`, {
      hint: `looked for ${join(k.dir, relativePath)}`,
    });
  }
  return text;
}
