/**
 * Unified diffs the way `git diff` prints them, computed in memory. Pure.
 *
 * Owns the public API (lines, line changes, the diff text) and git's output format: three
 * lines of context, hunks merged when at most twice the context lies between them, the last
 * line before a hunk that starts with a letter, `_` or `$` after its `@@` (git's default
 * function line), `\ No newline at end of file`, and git's quoting of the `---`/`+++` paths.
 * Which lines changed comes from ./diff-myers.ts, where changed runs sit from ./diff-compact.ts.
 *
 * jsdiff (the `diff` package) is used only for the path quoting, which it does exactly as git.
 * Its diffing cannot replace the rest. Measured against `git diff --no-index` on 2,611 file
 * pairs (1,078 modified files of this repository's history, 1 and 5 commits apart; the
 * rendered overlays pairwise; 1,500 random edits), where this module gives 2,611 identical:
 * - structuredPatch as it is: 2,329 identical. Its runs sit elsewhere (no slider or indent
 *   heuristic), and formatPatch always prints `,1` counts and no function line.
 * - jsdiff's diffArrays edit script put through ./diff-compact.ts and the hunks below: 2,589
 *   identical; 2,592 with git's discard step (./diff-myers.ts) first. The 19 left are ties
 *   between equally short edit scripts that jsdiff's forward Myers breaks unlike git's
 *   middle-snake bisection, and no slide turns one into the other (the `}` rows in
 *   test/publish/diff.test.ts).
 * - jsdiff keeps every path of its search (no linear-space form): 50,000 lines with every
 *   other line changed took 179 s and 776 MB against 2.5 s and 23 MB here; 5,000 permuted
 *   lines 7.3 s against 0.5 s. Its maxEditLength/timeout give up without an answer, so a
 *   fallback would need this search anyway.
 */

import { FILE_HEADERS_ONLY, formatPatch } from 'diff';
import { compact } from './diff-compact.js';
import { markChanges } from './diff-myers.js';

/** A file's lines, each with its line terminator (the last one may have none). */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end === -1) break;
    lines.push(text.slice(start, end + 1));
    start = end + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** One run of changes: `count1` lines of the old side at `start1` became `count2` at `start2`. */
export interface LineChange {
  start1: number;
  count1: number;
  start2: number;
  count2: number;
}

/**
 * Which lines changed, as runs in order (0-based line indices): the lines git picks, placed
 * where git places them.
 */
export function diffLines(a: readonly string[], b: readonly string[]): LineChange[] {
  const changed1 = new Uint8Array(a.length + 2);
  const changed2 = new Uint8Array(b.length + 2);
  markChanges(a, b, changed1, changed2);
  compact(a, changed1, changed2);
  compact(b, changed2, changed1);
  const changes: LineChange[] = [];
  let i1 = 0;
  let i2 = 0;
  while (i1 < a.length || i2 < b.length) {
    if (changed1[i1 + 1] === 1 || changed2[i2 + 1] === 1) {
      const start1 = i1;
      const start2 = i2;
      while (changed1[i1 + 1] === 1) i1++;
      while (changed2[i2 + 1] === 1) i2++;
      changes.push({ start1, count1: i1 - start1, start2, count2: i2 - start2 });
    } else {
      i1++;
      i2++;
    }
  }
  return changes;
}

/**
 * `--- a/path`, `+++ b/path` and the hunks turning `before` into `after`; `undefined` stands
 * for a file that does not exist (`/dev/null`). Equal texts give the empty string.
 */
export function unifiedDiff(
  path: string,
  before: string | undefined,
  after: string | undefined,
  context = 3,
): string {
  if (before === after || (before === undefined && after === undefined)) return '';
  const a = splitLines(before ?? '');
  const b = splitLines(after ?? '');
  const header = fileHeaders(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
  );
  const changes = diffLines(a, b);
  if (changes.length === 0) return before === undefined || after === undefined ? header : '';
  return header + formatHunks(a, b, changes, Math.max(0, Math.floor(context)));
}

/** git's xdl_emit_diff: changes closer than twice the context share a hunk (xdl_get_hunk). */
function formatHunks(
  a: readonly string[],
  b: readonly string[],
  changes: readonly LineChange[],
  context: number,
): string {
  const out: string[] = [];
  let functionLine = '';
  let previousSearchStart = -1;
  let index = 0;
  while (index < changes.length) {
    const first = changes[index];
    if (!first) break;
    let lastIndex = index;
    for (let next = index + 1; next < changes.length; next++) {
      const previous = changes[next - 1];
      const current = changes[next];
      if (!previous || !current) break;
      if (current.start1 - (previous.start1 + previous.count1) > 2 * context) break;
      lastIndex = next;
    }
    const last = changes[lastIndex];
    if (!last) break;
    const s1 = Math.max(first.start1 - context, 0);
    const s2 = Math.max(first.start2 - context, 0);
    const trailing = Math.min(
      context,
      a.length - (last.start1 + last.count1),
      b.length - (last.start2 + last.count2),
    );
    const e1 = last.start1 + last.count1 + trailing;
    const e2 = last.start2 + last.count2 + trailing;

    // git: search back from the line before the hunk to where the previous search started.
    for (let line = s1 - 1; line > previousSearchStart && line >= 0; line--) {
      const candidate = functionName(a[line] ?? '');
      if (candidate !== undefined) {
        functionLine = candidate;
        break;
      }
    }
    previousSearchStart = s1 - 1;

    out.push(
      `@@ -${range(s1, e1 - s1)} +${range(s2, e2 - s2)} @@${functionLine ? ` ${functionLine}` : ''}\n`,
    );
    for (let line = s2; line < first.start2; line++) out.push(record(' ', b[line]));
    let p1 = first.start1;
    let p2 = first.start2;
    for (let k = index; k <= lastIndex; k++) {
      const change = changes[k];
      if (!change) break;
      for (; p1 < change.start1 && p2 < change.start2; p1++, p2++) out.push(record(' ', b[p2]));
      for (let line = change.start1; line < change.start1 + change.count1; line++) {
        out.push(record('-', a[line]));
      }
      for (let line = change.start2; line < change.start2 + change.count2; line++) {
        out.push(record('+', b[line]));
      }
      p1 = change.start1 + change.count1;
      p2 = change.start2 + change.count2;
    }
    for (let line = p2; line < e2; line++) out.push(record(' ', b[line]));
    index = lastIndex + 1;
  }
  return out.join('');
}

function range(start: number, count: number): string {
  const shown = count === 0 ? start : start + 1;
  return count === 1 ? `${shown}` : `${shown},${count}`;
}

function record(prefix: string, line: string | undefined): string {
  const text = line ?? '';
  return text.endsWith('\n')
    ? `${prefix}${text}`
    : `${prefix}${text}\n\\ No newline at end of file\n`;
}

const utf8 = new TextEncoder();

/**
 * git's default function line (xemit.c def_ff): a line that starts with a letter, `_` or `$`,
 * cut to 80 bytes, less trailing ASCII whitespace and less a character the cut split (diff.c
 * sane_truncate_line).
 */
function functionName(line: string): string | undefined {
  if (!/^[A-Za-z_$]/.test(line)) return undefined;
  const bytes = utf8.encode(line);
  let end = Math.min(bytes.length, 80);
  while (end > 0 && isAsciiSpace(bytes[end - 1] ?? 0)) end--;
  // Streaming decode holds back an incomplete last character instead of printing U+FFFD.
  return new TextDecoder().decode(bytes.subarray(0, end), { stream: true });
}

function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** The `---`/`+++` lines: jsdiff quotes names as git does; git adds a tab after one with a space. */
function fileHeaders(oldName: string, newName: string): string {
  const lines = formatPatch(
    {
      oldFileName: oldName,
      newFileName: newName,
      oldHeader: undefined,
      newHeader: undefined,
      hunks: [],
    },
    FILE_HEADERS_ONLY,
  );
  return lines.replace(/^(---|\+\+\+) (.* .*)$/gm, '$1 $2\t');
}
