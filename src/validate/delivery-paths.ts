/**
 * Every folder an Argo CD Application or a Flux Kustomization syncs must exist in the
 * repository and be a kustomization: a typo in a path is otherwise found by the controller,
 * after the merge. The repository root is looked for from the manifest's folder upwards (to
 * the folder holding .git). Reads the file system (synchronously: a few stats per path).
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { closestMatch } from '../config/hints.js';
import type { Finding } from './findings.js';
import { kustomizationFile } from './inputs.js';
import type { DeliveryReference } from './pipeline.js';
import { quoteValue } from '../text-safety.js';

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

function folderEntries(path: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The folder and its ancestors up to the repository root (the one with .git), nearest first. */
function candidateRoots(folder: string): string[] {
  const roots: string[] = [];
  let current = folder;
  for (let depth = 0; depth < 64; depth++) {
    roots.push(current);
    if (exists(join(current, '.git'))) break;
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return roots;
}

/** Findings for delivery paths that name no kustomization folder of the repository. */
export function checkDeliveryPaths(
  references: readonly DeliveryReference[],
  displayRoot: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const reference of references) {
    if (!reference.file || reference.file === '<stdin>') continue;
    const folder = reference.path.replace(/^\.\//, '').replace(/\/$/, '');
    const roots = candidateRoots(dirname(resolve(displayRoot, reference.file)));
    let found = false;
    for (const root of roots) {
      if (kustomizationFile(join(root, folder))) {
        found = true;
        break;
      }
    }
    if (found) continue;
    // Suggest a sibling of the missing folder, found under the nearest root that has its parent.
    let suggestion: string | undefined;
    const parent = dirname(folder);
    for (const root of roots) {
      const entries = folderEntries(join(root, parent));
      if (entries.length === 0) continue;
      const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
      const match = closestMatch(folder.split('/').at(-1) ?? '', names);
      if (match) suggestion = parent === '.' ? match : `${parent}/${match}`;
      break;
    }
    findings.push({
      ...reference.where(),
      code: 'delivery/path-not-found',
      severity: 'error',
      message: `the controller would sync ${quoteValue(reference.path)}, which is no kustomization folder of this repository`,
      hint: suggestion
        ? `did you mean \`${suggestion}\`?`
        : 'render the environment, or correct the path',
    });
  }
  return findings;
}
