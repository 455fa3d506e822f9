/**
 * The files a build reads from a kustomization's folder: its kustomization file (exactly one of
 * the accepted names) and the files its entries name, kept in or below the folder as Kustomize's
 * load restrictor requires.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Reporter } from './build-report.js';
import type { Kustomization } from './kustomization-types.js';
import { KUSTOMIZATION_FILE_NAMES, readKustomization } from './kustomization.js';
import type { KustomizeFileSystem, KustomizeFinding } from './types.js';

/** Whether `ancestor` is `path` or one of its parent folders. */
export function contains(ancestor: string, path: string): boolean {
  const rel = relative(resolve(ancestor), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

/** The folder's kustomization file, read: reports a folder with none or several. */
export async function loadKustomization(
  fs: KustomizeFileSystem,
  findings: KustomizeFinding[],
  dir: string,
  report: Reporter,
): Promise<Kustomization | undefined> {
  const found: { file: string; text: string }[] = [];
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const file = join(dir, name);
    const text = await fs.readFile(file);
    if (text !== undefined) found.push({ file, text });
  }
  const [first] = found;
  if (!first) {
    report(
      'kustomize/missing-kustomization',
      `no kustomization.yaml, kustomization.yml or Kustomization in ${dir}`,
      { hint: 'a folder listed in resources or components needs a kustomization file' },
    );
    return undefined;
  }
  if (found.length > 1) {
    report('kustomize/multiple-kustomizations', `several kustomization files in ${dir}`, {
      hint: 'keep one of kustomization.yaml, kustomization.yml and Kustomization',
    });
    return undefined;
  }
  return readKustomization(first.file, dir, first.text, findings);
}

/** A file of the kustomization's folder: reports a missing file or one outside the folder. */
export async function readFileIn(
  fs: KustomizeFileSystem,
  k: Kustomization,
  relativePath: string,
  report: Reporter,
  what: string,
): Promise<string | undefined> {
  const path = join(k.dir, relativePath);
  const text = await fs.readFile(path);
  if (text === undefined) {
    report('kustomize/file-not-found', `${what} ${relativePath} does not exist`, {
      hint: `looked for ${path}`,
    });
    return undefined;
  }
  if (!contains(k.dir, path)) {
    report(
      'kustomize/file-outside-root',
      `${what} ${relativePath} is outside the kustomization folder ${k.dir}`,
      {
        hint: 'kubectl kustomize only loads files in or below the kustomization folder (load restrictor)',
      },
    );
    return undefined;
  }
  return text;
}
