/**
 * The pull request's title and Markdown body (reference 4.4): summary table, changes with
 * their notable fields, validation, drift and conflicts, and the rendered diff in collapsible
 * sections, cut to fit GitHub's size limit. Content is escaped so it cannot break the Markdown
 * or forge our markers. Pure and deterministic: the same description gives the same text byte
 * for byte.
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
  type Area,
  type Entry,
} from './change-entries.js';
import { markers, metaMarker } from './pull-request-marker.js';
import { absent } from './resources.js';
import { ownershipManifestPath, type ChangeDescription } from './types.js';

export interface PullRequestBodyOptions {
  /** Characters the body may hold; default 65,536 (GitHub's limit) minus a 2,000 margin. */
  maxLength?: number;
  head?: string;
}

export const defaultBodyLimit = 65_536 - 2_000;

/** `gitops-gen: update staging, prod (+3 ~5 -1)`, then `; retire qa` when it retires any. */
export function pullRequestTitle(d: ChangeDescription): string {
  const counts = countsOf(entriesOf(d.changeSet, d.environments));
  const retired = d.changeSet.retired.map((entry) => oneLine(entry.environment));
  const retiring = retired.length > 0 ? `; retire ${retired.join(', ')}` : '';
  return `gitops-gen: update ${displayEnvironments(d.environments).join(', ')} (${countText(counts)})${retiring}`;
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
  if (d.immutable?.recreate && d.immutable.changes.length > 0) {
    lines.push('### Objects recreated (--allow-recreate)', '');
    lines.push(
      'The API server does not update these fields: Argo CD (`Force=true,Replace=true`) and Flux (`force: enabled`) delete each object and create it again when this is synced.',
      '',
    );
    lines.push(
      ...d.immutable.changes.map(
        (change) => `- ${inlineCode(immutableChangeText(change))} (${escapeMarkdown(change.rule)})`,
      ),
      '',
    );
  }
  for (const retired of d.changeSet.retired) {
    lines.push(`### ${escapeMarkdown(upperFirst(retiredText(retired)))}`, '');
    lines.push(
      'Its environment file was deleted, so its overlay and delivery files go too, and Argo CD or Flux stop applying it.',
      '',
    );
    const shown = retired.files.slice(0, retiredListLimit).map((path) => `- ${inlineCode(path)}`);
    if (retired.files.length > retiredListLimit) {
      shown.push(`- … and ${retired.files.length - retiredListLimit} more`);
    }
    lines.push(...shown, '');
  }
  return `${lines.join('\n')}\n`;
}

/** Files listed per retired environment; the rest are counted (the head must stay short). */
const retiredListLimit = 30;

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
