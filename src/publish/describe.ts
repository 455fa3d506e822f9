/**
 * What a publish says about a change: fingerprint, branch name, commit message, pull-request
 * title and body (with its hidden marker and managed section), and the `gitops-gen diff`
 * report. Pure and deterministic: the same description gives the same text byte for byte.
 *
 * A change set is shown as "changes": one per Kubernetes object added, changed or removed,
 * plus one per changed file that holds no object (kustomization.yaml, prometheus.yml,
 * dashboards), since each of those changes what the cluster runs too. The counts in the
 * title and commit subject (`+3 ~5 -1`) count these changes. The ownership manifest is
 * bookkeeping: it is written, but never counted or diffed.
 *
 * Environments are shown in the order the caller gives them (which should be stable, e.g.
 * the configuration's order); the branch name and the fingerprint sort them, so they do not
 * depend on that order.
 */
import { createHash } from 'node:crypto';
import { compareText, sha256Hex } from './changeset.js';
import { unifiedDiff } from './diff.js';
import { absent, isYamlPath, parseFile, redactSecrets, type ParsedFile } from './resources.js';
import {
  ownershipManifestPath,
  type ChangeDescription,
  type ChangeSet,
  type FieldChange,
  type FileMap,
} from './types.js';

/** The JSON in the pull request's hidden `<!-- gitops-gen:meta … -->` marker. */
export interface PullRequestMeta {
  v: 1;
  base: string;
  branch: string;
  envs: string[];
  fingerprint: string;
  /** The head commit of the pull-request branch, when known. */
  head?: string;
}

export interface PullRequestBodyOptions {
  /** Characters the body may hold; default 65,536 (GitHub's limit) minus a 2,000 margin. */
  maxLength?: number;
  head?: string;
}

export const defaultBodyLimit = 65_536 - 2_000;

export const markers = {
  meta: '<!-- gitops-gen:meta ',
  begin: '<!-- gitops-gen:begin -->',
  end: '<!-- gitops-gen:end -->',
} as const;

// --- identity -------------------------------------------------------------------------------

/** `sha256:` over the rendered files' paths and content hashes, the environments and the base. */
export function fingerprint(
  rendered: FileMap,
  environments: readonly string[],
  base: string,
): string {
  const hash = createHash('sha256');
  hash.update('gitops-gen fingerprint v1\n');
  hash.update(`base ${JSON.stringify(base)}\n`);
  hash.update(`envs ${JSON.stringify(sortedUnique(environments))}\n`);
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

function displayEnvironments(environments: readonly string[]): string[] {
  return [...new Set(environments)];
}

// --- changes --------------------------------------------------------------------------------

type Sign = '+' | '~' | '-';

interface Area {
  /** `overlays/prod`, `base`, `argocd`, `clusters/eu-1/mlflow-monitoring`, or `.`. */
  path: string;
  /** The environment, or `shared`. */
  env: string;
}

/** One line of the summary: an object, or a file that holds none. */
interface Entry {
  area: Area;
  sign: Sign;
  /** `StatefulSet monitoring/prometheus`, or the file's path within its area. */
  label: string;
  /** The file, relative to the area. */
  file: string;
  fields: FieldChange[];
  isResource: boolean;
  /** For a file whose objects are all unchanged: only comments or layout changed. */
  commentsOnly?: boolean;
  /** Unified diff, Secret values redacted. */
  diff: string;
}

const signs: Record<'added' | 'changed' | 'removed', Sign> = {
  added: '+',
  changed: '~',
  removed: '-',
};

function areaOf(path: string, environments: readonly string[]): Area {
  const parts = path.split('/');
  const [first = '', second = '', third = '', fourth = ''] = parts;
  const envOfFile = (file: string): string => {
    const name = file.replace(/\.ya?ml$/, '');
    return environments.includes(name) ? name : 'shared';
  };
  if (first === 'overlays' && parts.length > 2) return { path: `overlays/${second}`, env: second };
  if (first === 'clusters' && parts.length > 3) {
    return {
      path: `clusters/${second}/${third}`,
      env: parts.length === 4 ? envOfFile(fourth) : 'shared',
    };
  }
  if (first === 'argocd' && second === 'applications' && parts.length === 3) {
    return { path: 'argocd', env: envOfFile(third) };
  }
  return { path: parts.length > 1 ? first : '.', env: 'shared' };
}

function relativeTo(area: Area, path: string): string {
  return area.path === '.' ? path : path.slice(area.path.length + 1);
}

function resourceLabel(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

function entriesOf(changeSet: ChangeSet, environments: readonly string[]): Entry[] {
  const entries: Entry[] = [];
  const covered = new Set<string>();
  for (const resource of changeSet.resources) {
    covered.add(resource.file);
    const area = areaOf(resource.file, environments);
    entries.push({
      area,
      sign: signs[resource.change],
      label: resourceLabel(resource.kind, resource.name, resource.namespace),
      file: relativeTo(area, resource.file),
      fields: resource.fields,
      isResource: true,
      diff: unifiedDiff(resource.file, resource.before, resource.after),
    });
  }
  for (const file of changeSet.files) {
    if (file.path === ownershipManifestPath || covered.has(file.path)) continue;
    const area = areaOf(file.path, environments);
    const before = file.before === undefined ? undefined : redactSecrets(file.before);
    const after = file.after === undefined ? undefined : redactSecrets(file.after);
    entries.push({
      area,
      sign: signs[file.kind],
      label: relativeTo(area, file.path),
      file: relativeTo(area, file.path),
      fields: file.fields ?? [],
      isResource: false,
      commentsOnly: sameObjects(file.path, file.before, file.after),
      diff: unifiedDiff(file.path, before, after),
    });
  }
  return entries.sort(
    (x, y) =>
      compareText(x.area.path, y.area.path) ||
      compareText(x.area.env, y.area.env) ||
      compareText(x.file, y.file) ||
      Number(y.isResource) - Number(x.isResource) ||
      compareText(x.label, y.label),
  );
}

/** Whether a changed YAML file holds the same objects, text for text, before and after. */
function sameObjects(path: string, before?: string, after?: string): boolean {
  if (before === undefined || after === undefined || !isYamlPath(path)) return false;
  const old = parseFile(before);
  const now = parseFile(after);
  if (!old || !now || now.resources.length === 0) return false;
  const texts = (file: ParsedFile): string => JSON.stringify(file.resources.map((r) => r.text));
  return texts(old) === texts(now);
}

interface Counts {
  added: number;
  changed: number;
  removed: number;
}

function countsOf(entries: readonly Entry[]): Counts {
  return {
    added: entries.filter((entry) => entry.sign === '+').length,
    changed: entries.filter((entry) => entry.sign === '~').length,
    removed: entries.filter((entry) => entry.sign === '-').length,
  };
}

/** `+3 ~5 -1`: objects (and object-less files) added, changed and removed. */
export function changeCounts(d: ChangeDescription): Counts {
  return countsOf(entriesOf(d.changeSet, d.environments));
}

function countText(counts: Counts): string {
  return `+${counts.added} ~${counts.changed} -${counts.removed}`;
}

function manifestChanged(changeSet: ChangeSet): boolean {
  return changeSet.files.some((file) => file.path === ownershipManifestPath);
}

/** Groups entries by area, in order. */
function byArea(entries: readonly Entry[]): { area: Area; entries: Entry[] }[] {
  const groups: { area: Area; entries: Entry[] }[] = [];
  for (const entry of entries) {
    const last = groups[groups.length - 1];
    if (last && last.area.path === entry.area.path && last.area.env === entry.area.env) {
      last.entries.push(entry);
    } else groups.push({ area: entry.area, entries: [entry] });
  }
  return groups;
}

function areaTitle(area: Area): string {
  return area.env === 'shared' ? `${area.path} (shared)` : `${area.path} (${area.env})`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function validationText(d: ChangeDescription): string {
  const v = d.validation;
  return (
    `${v.errors > 0 ? '✖' : '✔'} ${plural(v.errors, 'error')}, ${plural(v.warnings, 'warning')} ` +
    `(${plural(v.resources, 'resource')}: ${v.valid} valid, ${v.invalid} invalid, ${v.skipped} skipped)`
  );
}

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
  lines.push(`Gitops-Gen-Fingerprint: ${oneLine(d.fingerprint)}`);
  lines.push(`Gitops-Gen-Envs: ${envs.join(',')}`);
  if (sourceRevision !== undefined && sourceRevision.trim() !== '') {
    lines.push(`Gitops-Gen-Source: ${oneLine(sourceRevision)}`);
  }
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function plainEntry(entry: Entry): string {
  const where = entry.isResource ? ` (${entry.file})` : '';
  const fields = entry.fields
    .map((field) => `${field.field} ${field.before} → ${field.after}`)
    .join('; ');
  const note = entry.commentsOnly ? ' (comments or layout only)' : '';
  return `${entry.sign} ${entry.label}${where}${note}${fields ? `: ${fields}` : ''}`;
}

// --- pull request ---------------------------------------------------------------------------

/** `gitops-gen: update staging, prod (+3 ~5 -1)`. */
export function pullRequestTitle(d: ChangeDescription): string {
  const counts = countsOf(entriesOf(d.changeSet, d.environments));
  return `gitops-gen: update ${displayEnvironments(d.environments).join(', ')} (${countText(counts)})`;
}

/** The meta marker line, with `<`, `>` and `&` escaped so `-->` can never occur inside. */
function metaMarker(d: ChangeDescription, head: string | undefined): string {
  const meta: PullRequestMeta = {
    v: 1,
    base: d.base,
    branch: d.branch,
    envs: displayEnvironments(d.environments),
    fingerprint: d.fingerprint,
  };
  if (head !== undefined) meta.head = head;
  const json = JSON.stringify(meta)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return `${markers.meta}${json} -->`;
}

/** Keeps our markers from appearing inside content (a hand-edited file could hold one). */
function defuse(text: string): string {
  return text.replace(/<!-- gitops-gen:/g, '<!-- gitops-gen\u200b:');
}

function inlineCode(text: string): string {
  const value = /[\r\n]/.test(text) ? JSON.stringify(text) : text;
  const longest = longestRun(value, /`+/g);
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${defuse(value)}${pad}${fence}`;
}

function fieldValue(value: string): string {
  return value === absent ? absent : inlineCode(value);
}

function markdownEntry(entry: Entry): string {
  const where = entry.isResource ? ` (${inlineCode(entry.file)})` : '';
  const label = entry.isResource ? escapeMarkdown(entry.label) : inlineCode(entry.label);
  const fields = entry.fields
    .map(
      (field) =>
        `${inlineCode(field.field)} ${fieldValue(field.before)} → ${fieldValue(field.after)}`,
    )
    .join('; ');
  const note = entry.commentsOnly ? ' (comments or layout only)' : '';
  return `- ${entry.sign} ${label}${where}${note}${fields ? `: ${fields}` : ''}`;
}

function escapeMarkdown(text: string): string {
  return defuse(text).replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

function codeFence(text: string): string {
  return '`'.repeat(Math.max(3, longestRun(text, /`{3,}/g) + 1));
}

function longestRun(text: string, pattern: RegExp): number {
  let longest = 0;
  for (const match of text.matchAll(pattern)) longest = Math.max(longest, match[0].length);
  return longest;
}

interface BodyParts {
  head: string;
  summary: string;
  tail: string;
}

function table(entries: readonly Entry[]): string {
  const rows = byArea(entries).map((group) => {
    const counts = countsOf(group.entries);
    return `| ${escapeMarkdown(group.area.env)} | ${inlineCode(group.area.path)} | ${counts.added} | ${counts.changed} | ${counts.removed} |`;
  });
  return ['| env | path | added | changed | removed |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

function listSection(title: string, paths: readonly string[], limit: number): string {
  if (paths.length === 0) return '';
  const shown = paths.slice(0, limit).map((path) => `- ${inlineCode(path)}`);
  if (paths.length > limit) shown.push(`- … and ${paths.length - limit} more`);
  return `### ${title}\n${shown.join('\n')}\n`;
}

const driftTitle = 'Drift (hand edits in owned files that this PR reverts)';
const conflictTitle = 'Conflicts (files gitops-gen did not write; left as they are)';

function bodyHead(
  d: ChangeDescription,
  entries: readonly Entry[],
  head: string | undefined,
): string {
  const envs = displayEnvironments(d.environments).join(', ');
  const lines = [
    metaMarker(d, head),
    markers.begin,
    `## gitops-gen: ${escapeMarkdown(envs)}`,
    '',
    `Renders ${escapeMarkdown(envs)} onto ${inlineCode(d.base)} (fingerprint ${inlineCode(shortFingerprint(d.fingerprint))}).`,
    '',
  ];
  if (entries.length > 0) lines.push(table(entries), '');
  else if (manifestChanged(d.changeSet)) {
    lines.push(
      `No rendered file changes; only the ownership manifest ${inlineCode(ownershipManifestPath)} is updated.`,
      '',
    );
  } else lines.push('No changes.', '');
  return `${lines.join('\n')}\n`;
}

function shortFingerprint(value: string): string {
  const match = /^sha256:([0-9a-f]{12})/.exec(value);
  return match?.[1] !== undefined ? `sha256:${match[1]}` : value;
}

function fullSummary(d: ChangeDescription, entries: readonly Entry[]): string {
  const parts: string[] = [];
  if (entries.length > 0) {
    const lines = ['### Changes'];
    for (const group of byArea(entries)) {
      lines.push(`**${escapeMarkdown(areaTitle(group.area))}**`, '');
      lines.push(...group.entries.map(markdownEntry), '');
    }
    parts.push(`${lines.join('\n')}\n`);
  }
  parts.push(`### Validation\n${validationText(d)}\n\n`);
  const drift = listSection(driftTitle, d.changeSet.drift, Number.POSITIVE_INFINITY);
  if (drift) parts.push(`${drift}\n`);
  const conflicts = listSection(conflictTitle, d.changeSet.conflicts, Number.POSITIVE_INFINITY);
  if (conflicts) parts.push(`${conflicts}\n`);
  return parts.join('');
}

/** Concise: kind/name lists only, each list cut to `limit` items. */
function conciseSummary(d: ChangeDescription, entries: readonly Entry[], limit: number): string {
  const parts: string[] = [];
  if (entries.length > 0) {
    const lines = ['### Changes (concise: the full list does not fit)'];
    const shown = entries.slice(0, limit);
    for (const group of byArea(shown)) {
      const items = group.entries.map(
        (entry) =>
          `${entry.sign} ${entry.isResource ? escapeMarkdown(entry.label.replace(' ', '/')) : inlineCode(entry.label)}`,
      );
      lines.push(`- **${escapeMarkdown(areaTitle(group.area))}**: ${items.join(', ')}`);
    }
    if (entries.length > shown.length) lines.push(`- … and ${entries.length - shown.length} more`);
    parts.push(`${lines.join('\n')}\n\n`);
  }
  parts.push(`### Validation\n${validationText(d)}\n\n`);
  const drift = listSection(driftTitle, d.changeSet.drift, limit);
  if (drift) parts.push(`${drift}\n`);
  const conflicts = listSection(conflictTitle, d.changeSet.conflicts, limit);
  if (conflicts) parts.push(`${conflicts}\n`);
  return parts.join('');
}

function truncationNote(d: ChangeDescription, shown: number, total: number): string {
  return `> Diff truncated (showing ${shown}/${total} changes). Full diff: ${inlineCode(oneLine(d.fullDiffCommand))}\n`;
}

const diffHeading = '### Rendered diff\n\n';
const areaClose = '</details>\n\n';

function areaOpen(area: Area, shown: number, total: number, partial = shown < total): string {
  const count = partial ? `${shown} of ${plural(total, 'change')}` : plural(total, 'change');
  return `<details><summary>${escapeHtml(areaTitle(area))}: ${count}</summary>\n\n`;
}

function entryBlock(entry: Entry): string {
  const label = entry.isResource
    ? `${escapeMarkdown(entry.label)} (${inlineCode(entry.file)})`
    : inlineCode(entry.label);
  const diff = defuse(entry.diff).replace(/\n$/, '');
  const fence = codeFence(diff);
  return `#### ${entry.sign} ${label}\n${fence}diff\n${diff}\n${fence}\n\n`;
}

/** The rendered-diff section with the entries `included` picks (whole entries only). */
function diffSection(
  d: ChangeDescription,
  entries: readonly Entry[],
  included: ReadonlySet<Entry>,
): string {
  if (entries.length === 0) return '';
  let text = diffHeading;
  for (const group of byArea(entries)) {
    const shown = group.entries.filter((entry) => included.has(entry));
    if (shown.length === 0) continue;
    text += areaOpen(group.area, shown.length, group.entries.length);
    for (const entry of shown) text += entryBlock(entry);
    text += areaClose;
  }
  if (included.size < entries.length) {
    text += `${truncationNote(d, included.size, entries.length)}\n`;
  }
  return text;
}

function escapeHtml(text: string): string {
  return defuse(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The pull request's body (reference 4.4): the hidden meta marker, then between the
 * begin/end markers a summary table, the changes with their notable fields, the validation
 * summary, drift and conflicts, and the rendered diff in collapsible sections, one fenced
 * ```diff per object or file. When it does not fit `maxLength`, diffs are kept whole, in
 * order, as long as they fit (one that does not fit is left out and later, smaller ones are
 * still tried), with a note naming the full-diff command; when even the summary does not fit,
 * the body falls back to the table and kind/name lists (cut with "… and N more" if need be).
 * Only when even the bare markers and title exceed `maxLength` is the result longer.
 */
export function pullRequestBody(
  d: ChangeDescription,
  options: PullRequestBodyOptions = {},
): string {
  const maxLength = options.maxLength ?? defaultBodyLimit;
  const entries = entriesOf(d.changeSet, d.environments);
  const head = bodyHead(d, entries, options.head);
  const tail = `${markers.end}\n`;
  const build = (parts: BodyParts, diff: string): string =>
    parts.head + parts.summary + diff + parts.tail;

  const full: BodyParts = { head, summary: fullSummary(d, entries), tail };
  const complete = build(full, diffSection(d, entries, new Set(entries)));
  if (complete.length <= maxLength) return complete;

  // Whole diffs in order while they fit, each area's wrapper counted at its longest.
  const fixed =
    head.length +
    full.summary.length +
    tail.length +
    diffHeading.length +
    truncationNote(d, entries.length, entries.length).length +
    1;
  if (fixed <= maxLength) {
    let budget = maxLength - fixed;
    const included = new Set<Entry>();
    for (const group of byArea(entries)) {
      const total = group.entries.length;
      const wrapper = areaOpen(group.area, total, total, true).length + areaClose.length;
      let opened = false;
      for (const entry of group.entries) {
        const cost = entryBlock(entry).length + (opened ? 0 : wrapper);
        if (cost > budget) continue;
        budget -= cost;
        opened = true;
        included.add(entry);
      }
    }
    return build(full, diffSection(d, entries, included));
  }

  // Concise: table and kind/name lists, cut to fit.
  const note = `${diffHeading}${truncationNote(d, 0, entries.length)}\n`;
  const concise = (limit: number): string =>
    build(
      { head, summary: conciseSummary(d, entries, limit), tail },
      entries.length > 0 ? note : '',
    );
  const longest = Math.max(entries.length, d.changeSet.drift.length, d.changeSet.conflicts.length);
  if (concise(longest).length <= maxLength) return concise(longest);
  let low = 0;
  let high = longest;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (concise(middle).length <= maxLength) low = middle;
    else high = middle - 1;
  }
  const shortest = concise(low);
  if (shortest.length <= maxLength) return shortest;
  // Not even that: markers, title and the note.
  const bare = `${metaMarker(d, options.head)}\n${markers.begin}\n## gitops-gen: ${escapeMarkdown(displayEnvironments(d.environments).join(', '))}\n\n${truncationNote(d, 0, entries.length)}${tail}`;
  return bare.length < shortest.length ? bare : shortest;
}

/** The meta marker's JSON, or undefined when the body has none (or a malformed one). */
export function parseMarker(body: string): PullRequestMeta | undefined {
  const start = body.indexOf(markers.meta);
  if (start === -1) return undefined;
  const end = body.indexOf(' -->', start + markers.meta.length);
  if (end === -1) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.slice(start + markers.meta.length, end));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const meta = value as Record<string, unknown>;
  const { v, base, branch, envs, fingerprint: print, head } = meta;
  if (
    v !== 1 ||
    typeof base !== 'string' ||
    typeof branch !== 'string' ||
    !Array.isArray(envs) ||
    !envs.every((env): env is string => typeof env === 'string') ||
    typeof print !== 'string' ||
    (head !== undefined && typeof head !== 'string')
  ) {
    return undefined;
  }
  const parsed: PullRequestMeta = { v: 1, base, branch, envs, fingerprint: print };
  if (typeof head === 'string') parsed.head = head;
  return parsed;
}

/**
 * `existingBody` with its managed part (meta marker plus begin..end) replaced by `newBody`'s;
 * text humans wrote before and after it stays. CRLF line ends (bodies edited on GitHub) are
 * normalised to LF. A body without our section gets the new one on top, its text below. A begin
 * marker whose end marker was deleted counts as reaching to the end of the body.
 */
export function replaceManagedSection(existingBody: string, newBody: string): string {
  const managed = managedPart(newBody.replace(/\r\n/g, '\n'));
  if (!managed) throw new Error('the new pull-request body has no gitops-gen section');
  const existing = existingBody.replace(/\r\n/g, '\n');
  const begin = existing.indexOf(markers.begin);
  if (begin === -1) {
    const rest = removeMeta(existing).trim();
    return rest === '' ? managed.text : `${managed.text}\n${rest}\n`;
  }
  const endIndex = existing.indexOf(markers.end, begin);
  const after =
    endIndex === -1 ? '' : existing.slice(endIndex + markers.end.length).replace(/^\n/, '');
  const before = removeMeta(existing.slice(0, begin));
  return `${before}${managed.text}${after}`;
}

function removeMeta(text: string): string {
  return text.replace(/<!-- gitops-gen:meta [^\n]*? -->\n?/g, '');
}

/** The meta marker line through the end marker line of a body we produced. */
function managedPart(body: string): { text: string } | undefined {
  const meta = body.indexOf(markers.meta);
  const begin = body.indexOf(markers.begin);
  const end = body.indexOf(markers.end, begin);
  if (begin === -1 || end === -1) return undefined;
  const start = meta !== -1 && meta < begin ? meta : begin;
  return { text: `${body.slice(start, end + markers.end.length)}\n` };
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
