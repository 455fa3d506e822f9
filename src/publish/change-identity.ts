/**
 * The identity of a change: its fingerprint (what was rendered, for which environments, onto
 * which base) and the name of its pull-request branch. Both sort the environments, so neither
 * depends on the order the caller gives them. Pure and deterministic.
 */
import { createHash } from 'node:crypto';
import { compareText, sha256Hex } from './changeset.js';
import type { FileMap } from './types.js';

/**
 * `sha256:` over the rendered files' paths and content hashes, the environments, the base and
 * the environments the change retires (only when there are any, so that earlier fingerprints
 * stay valid).
 */
export function fingerprint(
  rendered: FileMap,
  environments: readonly string[],
  base: string,
  retired: readonly string[] = [],
): string {
  const hash = createHash('sha256');
  hash.update('gitops-gen fingerprint v1\n');
  hash.update(`base ${JSON.stringify(base)}\n`);
  hash.update(`envs ${JSON.stringify(sortedUnique(environments))}\n`);
  if (retired.length > 0) hash.update(`retired ${JSON.stringify(sortedUnique(retired))}\n`);
  for (const path of [...rendered.keys()].sort(compareText)) {
    hash.update(`${sha256Hex(rendered.get(path) ?? '')} ${JSON.stringify(path)}\n`);
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * `gitops-gen/<base>/<env1>+<env2>` (sorted), as a valid git branch name: characters outside
 * `[A-Za-z0-9._/+-]` become `-`, no `..`, no component that starts with `.` or ends with `.`
 * or `.lock`, no empty component. Longer than 200 characters: the first 150 of the
 * environment part, then `-` and 12 hex of the full name's sha1.
 */
export function branchName(base: string, environments: readonly string[]): string {
  const basePart = sanitizeRef(base) || 'base';
  const envPart = sanitizeRef(sortedUnique(environments).join('+')) || 'none';
  const full = `gitops-gen/${basePart}/${envPart}`;
  if (full.length <= 200) return full;
  const hash = createHash('sha1').update(full, 'utf8').digest('hex').slice(0, 12);
  const head = `gitops-gen/${basePart}/${envPart.slice(0, 150)}`.slice(0, 187);
  return `${head}-${hash}`;
}

function sanitizeRef(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._/+-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .split('/')
    .filter((component) => component !== '')
    .map((component) => {
      let clean = component.replace(/^\.+/, '');
      while (clean.endsWith('.') || clean.endsWith('.lock')) {
        clean = clean.endsWith('.lock') ? clean.slice(0, -5) : clean.slice(0, -1);
      }
      return clean === '' ? '-' : clean;
    })
    .join('/');
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareText);
}
