/**
 * What a publish says about a change in plain text: the commit message (with its
 * `Gitops-Gen-*` trailers) and the `gitops-gen diff` report. Pure and deterministic: the same
 * description gives the same text byte for byte.
 *
 * The rest of the description lives next door: the changes counted and listed
 * (change-entries.ts), the fingerprint and branch name (change-identity.ts), and the
 * pull-request title and body (pull-request-body.ts) with its marker (pull-request-marker.ts).
 */
import {
  areaTitle,
  byArea,
  countText,
  countsOf,
  displayEnvironments,
  entriesOf,
  immutableChangeText,
  manifestChanged,
  oneLine,
  plural,
  retiredText,
  shortFingerprint,
  upperFirst,
  validationText,
  type Entry,
} from './change-entries.js';
import { unifiedDiff } from './diff.js';
import { fingerprintTrailer } from './own-commits.js';
import { redactSecrets } from './resources.js';
import { ownershipManifestPath, type ChangeDescription } from './types.js';

// --- commit message -------------------------------------------------------------------------

const commitEntryLimit = 200;

/**
 * `chore(gitops): render staging, prod (+3 ~5 -1 resources)`, the per-resource summary, then
 * the trailers `Gitops-Gen-Fingerprint`, `Gitops-Gen-Envs` and (when given) `Gitops-Gen-Source`.
 */
export function commitMessage(d: ChangeDescription, sourceRevision?: string): string {
  const entries = entriesOf(d.changeSet, d.environments);
  const envs = displayEnvironments(d.environments);
  const lines = [
    `chore(gitops): render ${envs.join(', ')} (${countText(countsOf(entries))} resources)`,
    '',
  ];
  if (entries.length === 0) {
    lines.push(
      manifestChanged(d.changeSet)
        ? `Only the ownership manifest ${ownershipManifestPath} changes.`
        : 'No changes.',
      '',
    );
  }
  let shown = 0;
  for (const group of byArea(entries)) {
    if (shown >= commitEntryLimit) break;
    lines.push(`${areaTitle(group.area)}:`);
    for (const entry of group.entries) {
      if (shown >= commitEntryLimit) break;
      lines.push(`  ${plainEntry(entry)}`);
      shown++;
    }
    lines.push('');
  }
  if (shown < entries.length) {
    lines.push(
      `... and ${entries.length - shown} more changes (see \`${oneLine(d.fullDiffCommand)}\`).`,
      '',
    );
  }
  if (d.changeSet.drift.length > 0) {
    lines.push('Reverts hand edits in:', ...d.changeSet.drift.map((path) => `  ${path}`), '');
  }
  if (d.immutable?.recreate) {
    lines.push(
      'Recreates (--allow-recreate; the API server does not update these fields):',
      ...d.immutable.changes.map((change) => `  ${immutableChangeText(change)}`),
      '',
    );
  }
  for (const retired of d.changeSet.retired) lines.push(`${upperFirst(retiredText(retired))}.`);
  if (d.changeSet.retired.length > 0) lines.push('');
  lines.push(`${fingerprintTrailer}: ${oneLine(d.fingerprint)}`);
  lines.push(`Gitops-Gen-Envs: ${envs.join(',')}`);
  if (sourceRevision !== undefined && sourceRevision.trim() !== '') {
    lines.push(`Gitops-Gen-Source: ${oneLine(sourceRevision)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Fields the API server will not update: refused (with what to do) or recreated. */
function immutableSection(d: ChangeDescription): string[] {
  const changes = d.immutable?.changes ?? [];
  if (changes.length === 0) return [];
  const lines = d.immutable?.recreate
    ? ['recreated (--allow-recreate): Argo CD and Flux delete these objects and create them again:']
    : [
        'refused: the API server does not update these fields, so the sync would fail; publish stops (exit 1) unless --allow-recreate:',
      ];
  for (const change of changes) {
    lines.push(`  ! ${immutableChangeText(change)}`, `      rule: ${change.rule}`);
    if (!d.immutable?.recreate) lines.push(`      to do: ${change.advice}`);
  }
  return [...lines, ''];
}

function plainEntry(entry: Entry): string {
  const where = entry.isResource ? ` (${entry.file})` : '';
  const fields = entry.fields
    .map((field) => `${field.field} ${field.before} → ${field.after}`)
    .join('; ');
  const note = entry.commentsOnly ? ' (comments or layout only)' : '';
  return `${entry.sign} ${entry.label}${where}${note}${fields ? `: ${fields}` : ''}`;
}

// --- gitops-gen diff ------------------------------------------------------------------------

/**
 * The `gitops-gen diff` report: the per-object summary (with drift and conflicts), then a
 * unified diff per file, Secret values redacted. No pull-request decorations.
 */
export function diffReport(d: ChangeDescription): string {
  const entries = entriesOf(d.changeSet, d.environments);
  const envs = displayEnvironments(d.environments).join(', ');
  const files = d.changeSet.files.filter((file) => file.path !== ownershipManifestPath);
  const lines: string[] = [];
  if (d.changeSet.files.length === 0) {
    lines.push(
      `${envs}: up to date with ${d.base} (fingerprint ${shortFingerprint(d.fingerprint)})`,
    );
  } else {
    lines.push(
      `${envs} onto ${d.base}: ${countText(countsOf(entries))} (fingerprint ${shortFingerprint(d.fingerprint)})`,
    );
  }
  lines.push('');
  lines.push(...immutableSection(d));
  for (const retired of d.changeSet.retired) {
    lines.push(`${retiredText(retired)}:`, ...retired.files.map((path) => `  - ${path}`), '');
  }
  for (const group of byArea(entries)) {
    lines.push(`${areaTitle(group.area)}:`);
    lines.push(...group.entries.map((entry) => `  ${plainEntry(entry)}`), '');
  }
  if (manifestChanged(d.changeSet)) {
    lines.push(
      `ownership manifest ${ownershipManifestPath}: ${plural(Object.keys(d.changeSet.manifest.files).length, 'owned file')}`,
      '',
    );
  }
  lines.push(`validation: ${validationText(d)}`, '');
  if (d.changeSet.drift.length > 0) {
    lines.push('drift (hand edits in owned files that publishing reverts):');
    lines.push(...d.changeSet.drift.map((path) => `  ${path}`), '');
  }
  if (d.changeSet.conflicts.length > 0) {
    lines.push('conflicts (files gitops-gen did not write; left as they are):');
    lines.push(...d.changeSet.conflicts.map((path) => `  ${path}`), '');
  }
  let text = lines.join('\n');
  for (const file of files) {
    const before = file.before === undefined ? undefined : redactSecrets(file.before);
    const after = file.after === undefined ? undefined : redactSecrets(file.after);
    text += unifiedDiff(file.path, before, after);
  }
  return text;
}
