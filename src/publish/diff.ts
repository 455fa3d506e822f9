/**
 * Unified diffs the way `git diff` prints them, computed in memory. Pure.
 *
 * The algorithm follows git's xdiff: lines that occur only on one side are changed outright,
 * the rest go through Myers' O(ND) algorithm in its linear-space form (divide and conquer on
 * the middle snake, two diagonal vectors of N + M + 3 entries, so memory stays proportional to
 * the input), then every group of changed lines is slid to git's preferred position (aligned
 * with the other side's changes, else placed by git's indent heuristic). Hunks carry three
 * lines of context, merge when at most twice the context lies between them, and name the last
 * line before them that starts with a letter, `_` or `$` (git's default function line), so the
 * output matches `git diff` line for line in the usual cases.
 */

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
 * Which lines changed, as runs in order (0-based line indices). Minimal in the number of
 * removed plus added lines, then positioned the way git positions them.
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
  const header =
    `--- ${before === undefined ? '/dev/null' : quotePath(`a/${path}`)}\n` +
    `+++ ${after === undefined ? '/dev/null' : quotePath(`b/${path}`)}\n`;
  const changes = diffLines(a, b);
  if (changes.length === 0) return before === undefined || after === undefined ? header : '';
  return header + formatHunks(a, b, changes, Math.max(0, Math.floor(context)));
}

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

/** git's default function line: starts with a letter, `_` or `$`; 80 characters at most. */
function functionName(line: string): string | undefined {
  if (!/^[A-Za-z_$]/.test(line)) return undefined;
  return line.slice(0, 80).replace(/\s+$/, '');
}

/** git's quoting of a path in `---`/`+++` lines, plus its trailing tab for names with spaces. */
function quotePath(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/["\\\u0000-\u001f\u007f-\uffff]/.test(name)) return name.includes(' ') ? `${name}\t` : name;
  const escapes: Record<string, string> = {
    '\u0007': '\\a',
    '\b': '\\b',
    '\t': '\\t',
    '\n': '\\n',
    '\u000b': '\\v',
    '\f': '\\f',
    '\r': '\\r',
    '"': '\\"',
    '\\': '\\\\',
  };
  let quoted = '"';
  for (const byte of new TextEncoder().encode(name)) {
    const char = String.fromCharCode(byte);
    const escape = escapes[char];
    if (escape !== undefined) quoted += escape;
    else if (byte < 0x20 || byte >= 0x7f) quoted += `\\${byte.toString(8).padStart(3, '0')}`;
    else quoted += char;
  }
  return `${quoted}"`;
}

// --- Myers, linear space ------------------------------------------------------------------

/**
 * Marks changed lines in `changed1`/`changed2` (index + 1; slots 0 and length + 1 are
 * sentinels that stay 0).
 */
function markChanges(
  a: readonly string[],
  b: readonly string[],
  changed1: Uint8Array,
  changed2: Uint8Array,
): void {
  // Classes: equal lines share a number. Counts per side decide which lines can match at all.
  const classes = new Map<string, number>();
  const counts1: number[] = [];
  const counts2: number[] = [];
  const classOf = (line: string): number => {
    let id = classes.get(line);
    if (id === undefined) {
      id = classes.size;
      classes.set(line, id);
      counts1.push(0);
      counts2.push(0);
    }
    return id;
  };
  const class1 = Int32Array.from(a, (line) => {
    const id = classOf(line);
    counts1[id] = (counts1[id] ?? 0) + 1;
    return id;
  });
  const class2 = Int32Array.from(b, (line) => {
    const id = classOf(line);
    counts2[id] = (counts2[id] ?? 0) + 1;
    return id;
  });

  // Common prefix and suffix are unchanged; lines in between that the other side never has
  // are changed without a search.
  let start = 0;
  while (start < a.length && start < b.length && class1[start] === class2[start]) start++;
  let end1 = a.length;
  let end2 = b.length;
  while (end1 > start && end2 > start && class1[end1 - 1] === class2[end2 - 1]) {
    end1--;
    end2--;
  }
  // git's xdl_cleanup_records: 0 = no match on the other side, 1 = matches, 2 = matches so
  // often that it is dropped when it sits amid lines without a match.
  const discardState = (
    lineClasses: Int32Array,
    from: number,
    to: number,
    length: number,
    otherCounts: readonly number[],
  ): Uint8Array => {
    const limit = Math.min(bogoSqrt(length), 1024);
    const states = new Uint8Array(length + 1);
    for (let line = from; line < to; line++) {
      const matches = otherCounts[lineClasses[line] ?? 0] ?? 0;
      states[line] = matches === 0 ? 0 : matches >= limit ? 2 : 1;
    }
    return states;
  };
  const keep = (
    lineClasses: Int32Array,
    from: number,
    to: number,
    states: Uint8Array,
    changed: Uint8Array,
  ): { hashes: Int32Array; index: Int32Array } => {
    const hashes: number[] = [];
    const index: number[] = [];
    for (let line = from; line < to; line++) {
      const state = states[line] ?? 0;
      if (state === 1 || (state === 2 && !dropMultimatch(states, line, from, to - 1))) {
        hashes.push(lineClasses[line] ?? 0);
        index.push(line);
      } else changed[line + 1] = 1;
    }
    return { hashes: Int32Array.from(hashes), index: Int32Array.from(index) };
  };
  const side1 = keep(
    class1,
    start,
    end1,
    discardState(class1, start, end1, a.length, counts2),
    changed1,
  );
  const side2 = keep(
    class2,
    start,
    end2,
    discardState(class2, start, end2, b.length, counts1),
    changed2,
  );
  compare(side1.hashes, side1.index, changed1, side2.hashes, side2.index, changed2);
}

function bogoSqrt(n: number): number {
  let root = 1;
  for (let rest = n; rest > 0; rest >>= 2) root <<= 1;
  return root;
}

/**
 * git's xdl_clean_mmatch: whether a line that matches many lines (state 2) lies in a run of
 * lines without a match (state 0) dense enough to drop it (`first`..`last` inclusive).
 */
function dropMultimatch(states: Uint8Array, line: number, first: number, last: number): boolean {
  const window = 100;
  const low = line - first > window ? line - window : first;
  const high = last - line > window ? line + window : last;
  let noMatchBefore = 0;
  let multiBefore = 1;
  for (let r = 1; line - r >= low; r++) {
    const state = states[line - r];
    if (state === 0) noMatchBefore++;
    else if (state === 2) multiBefore++;
    else break;
  }
  if (noMatchBefore === 0) return false;
  let noMatchAfter = 0;
  let multiAfter = 1;
  for (let r = 1; line + r <= high; r++) {
    const state = states[line + r];
    if (state === 0) noMatchAfter++;
    else if (state === 2) multiAfter++;
    else break;
  }
  if (noMatchAfter === 0) return false;
  const noMatch = noMatchAfter + noMatchBefore;
  const multi = multiAfter + multiBefore;
  return multi * 4 < multi + noMatch;
}

/** git's xdl_recs_cmp with need_min: divide at the middle snake until a side is empty. */
function compare(
  ha1: Int32Array,
  rindex1: Int32Array,
  changed1: Uint8Array,
  ha2: Int32Array,
  rindex2: Int32Array,
  changed2: Uint8Array,
): void {
  const n1 = ha1.length;
  const n2 = ha2.length;
  const diagonals = n1 + n2 + 3;
  const forward = new Int32Array(diagonals);
  const backward = new Int32Array(diagonals);
  const offset = n2 + 1;
  const stack: number[] = [0, n1, 0, n2];
  while (stack.length > 0) {
    let lim2 = stack.pop() ?? 0;
    let off2 = stack.pop() ?? 0;
    let lim1 = stack.pop() ?? 0;
    let off1 = stack.pop() ?? 0;
    while (off1 < lim1 && off2 < lim2 && ha1[off1] === ha2[off2]) {
      off1++;
      off2++;
    }
    while (off1 < lim1 && off2 < lim2 && ha1[lim1 - 1] === ha2[lim2 - 1]) {
      lim1--;
      lim2--;
    }
    if (off1 === lim1) {
      for (let line = off2; line < lim2; line++) changed2[(rindex2[line] ?? 0) + 1] = 1;
    } else if (off2 === lim2) {
      for (let line = off1; line < lim1; line++) changed1[(rindex1[line] ?? 0) + 1] = 1;
    } else {
      const [i1, i2] = middleSnake(ha1, off1, lim1, ha2, off2, lim2, forward, backward, offset);
      // Second half pushed first so the first half is processed first (order is irrelevant).
      stack.push(i1, lim1, i2, lim2, off1, i1, off2, i2);
    }
  }
}

const lineMax = 0x7fffffff;

/** git's xdl_split without its cost heuristics: a point on a minimal path through the box. */
function middleSnake(
  ha1: Int32Array,
  off1: number,
  lim1: number,
  ha2: Int32Array,
  off2: number,
  lim2: number,
  kvdf: Int32Array,
  kvdb: Int32Array,
  offset: number,
): [number, number] {
  const dmin = off1 - lim2;
  const dmax = lim1 - off2;
  const fmid = off1 - off2;
  const bmid = lim1 - lim2;
  const odd = ((fmid - bmid) & 1) !== 0;
  let fmin = fmid;
  let fmax = fmid;
  let bmin = bmid;
  let bmax = bmid;
  kvdf[offset + fmid] = off1;
  kvdb[offset + bmid] = lim1;
  for (;;) {
    if (fmin > dmin) kvdf[offset + --fmin - 1] = -1;
    else ++fmin;
    if (fmax < dmax) kvdf[offset + ++fmax + 1] = -1;
    else --fmax;
    for (let d = fmax; d >= fmin; d -= 2) {
      const left = kvdf[offset + d - 1] ?? -1;
      const right = kvdf[offset + d + 1] ?? -1;
      let i1 = left >= right ? left + 1 : right;
      let i2 = i1 - d;
      while (i1 < lim1 && i2 < lim2 && ha1[i1] === ha2[i2]) {
        i1++;
        i2++;
      }
      kvdf[offset + d] = i1;
      if (odd && bmin <= d && d <= bmax && (kvdb[offset + d] ?? lineMax) <= i1) return [i1, i2];
    }

    if (bmin > dmin) kvdb[offset + --bmin - 1] = lineMax;
    else ++bmin;
    if (bmax < dmax) kvdb[offset + ++bmax + 1] = lineMax;
    else --bmax;
    for (let d = bmax; d >= bmin; d -= 2) {
      const left = kvdb[offset + d - 1] ?? lineMax;
      const right = kvdb[offset + d + 1] ?? lineMax;
      let i1 = left < right ? left : right - 1;
      let i2 = i1 - d;
      while (i1 > off1 && i2 > off2 && ha1[i1 - 1] === ha2[i2 - 1]) {
        i1--;
        i2--;
      }
      kvdb[offset + d] = i1;
      if (!odd && fmin <= d && d <= fmax && i1 <= (kvdf[offset + d] ?? -1)) return [i1, i2];
    }
  }
}

// --- git's change compaction (xdl_change_compact, with the indent heuristic) --------------

interface Group {
  start: number;
  end: number;
}

/**
 * Slides each group of changed lines of `lines` (flags in `changed`, 1-based with sentinels)
 * to where git puts it; `other` holds the other side's flags and is kept in step.
 */
function compact(lines: readonly string[], changed: Uint8Array, other: Uint8Array): void {
  const n = lines.length;
  const flag = (flags: Uint8Array, index: number): boolean => flags[index + 1] === 1;
  const set = (flags: Uint8Array, index: number, value: 0 | 1): void => {
    flags[index + 1] = value;
  };
  const otherLength = other.length - 2;
  const init = (flags: Uint8Array): Group => {
    const group = { start: 0, end: 0 };
    while (flag(flags, group.end)) group.end++;
    return group;
  };
  const next = (flags: Uint8Array, length: number, group: Group): boolean => {
    if (group.end === length) return false;
    group.start = group.end + 1;
    group.end = group.start;
    while (flag(flags, group.end)) group.end++;
    return true;
  };
  const previous = (flags: Uint8Array, group: Group): boolean => {
    if (group.start === 0) return false;
    group.end = group.start - 1;
    group.start = group.end;
    while (flag(flags, group.start - 1)) group.start--;
    return true;
  };
  const slideDown = (group: Group): boolean => {
    if (group.end < n && lines[group.start] === lines[group.end]) {
      set(changed, group.start++, 0);
      set(changed, group.end++, 1);
      while (flag(changed, group.end)) group.end++;
      return true;
    }
    return false;
  };
  const slideUp = (group: Group): boolean => {
    if (group.start > 0 && lines[group.start - 1] === lines[group.end - 1]) {
      set(changed, --group.start, 1);
      set(changed, --group.end, 0);
      while (flag(changed, group.start - 1)) group.start--;
      return true;
    }
    return false;
  };

  const g = init(changed);
  const go = init(other);
  for (;;) {
    if (g.end !== g.start) {
      let groupSize: number;
      let earliestEnd: number;
      let endMatchingOther: number;
      do {
        groupSize = g.end - g.start;
        endMatchingOther = -1;
        while (slideUp(g)) {
          if (!previous(other, go)) throw new Error('diff: group sync broken sliding up');
        }
        earliestEnd = g.end;
        if (go.end > go.start) endMatchingOther = g.end;
        for (;;) {
          if (!slideDown(g)) break;
          if (!next(other, otherLength, go))
            throw new Error('diff: group sync broken sliding down');
          if (go.end > go.start) endMatchingOther = g.end;
        }
      } while (groupSize !== g.end - g.start);

      if (g.end === earliestEnd) {
        // It cannot move.
      } else if (endMatchingOther !== -1) {
        while (go.end === go.start) {
          if (!slideUp(g)) throw new Error('diff: match disappeared');
          if (!previous(other, go)) throw new Error('diff: group sync broken sliding to match');
        }
      } else {
        let shift = earliestEnd;
        if (g.end - groupSize - 1 > shift) shift = g.end - groupSize - 1;
        if (g.end - maxSliding > shift) shift = g.end - maxSliding;
        let bestShift = -1;
        let best: Score = { effectiveIndent: 0, penalty: 0 };
        for (; shift <= g.end; shift++) {
          const score: Score = { effectiveIndent: 0, penalty: 0 };
          addSplitScore(measureSplit(lines, shift), score);
          addSplitScore(measureSplit(lines, shift - groupSize), score);
          if (bestShift === -1 || compareScores(score, best) <= 0) {
            best = score;
            bestShift = shift;
          }
        }
        while (g.end > bestShift) {
          if (!slideUp(g)) throw new Error('diff: best shift unreached');
          if (!previous(other, go)) throw new Error('diff: group sync broken sliding to blank');
        }
      }
    }
    if (!next(changed, n, g)) break;
    if (!next(other, otherLength, go)) throw new Error('diff: group sync broken moving on');
  }
}

const maxIndent = 200;
const maxBlanks = 20;
const maxSliding = 100;

interface SplitMeasurement {
  endOfFile: boolean;
  indent: number;
  preBlank: number;
  preIndent: number;
  postBlank: number;
  postIndent: number;
}

interface Score {
  effectiveIndent: number;
  penalty: number;
}

function indentOf(line: string | undefined): number {
  if (line === undefined) return -1;
  let indent = 0;
  for (const char of line) {
    if (char === ' ') indent += 1;
    else if (char === '\t') indent += 8 - (indent % 8);
    else if (!/[\n\r\v\f]/.test(char)) return indent;
    if (indent >= maxIndent) return maxIndent;
  }
  return -1;
}

function measureSplit(lines: readonly string[], split: number): SplitMeasurement {
  const m: SplitMeasurement = {
    endOfFile: split >= lines.length,
    indent: split >= lines.length ? -1 : indentOf(lines[split]),
    preBlank: 0,
    preIndent: -1,
    postBlank: 0,
    postIndent: -1,
  };
  for (let line = split - 1; line >= 0; line--) {
    m.preIndent = indentOf(lines[line]);
    if (m.preIndent !== -1) break;
    m.preBlank += 1;
    if (m.preBlank === maxBlanks) {
      m.preIndent = 0;
      break;
    }
  }
  for (let line = split + 1; line < lines.length; line++) {
    m.postIndent = indentOf(lines[line]);
    if (m.postIndent !== -1) break;
    m.postBlank += 1;
    if (m.postBlank === maxBlanks) {
      m.postIndent = 0;
      break;
    }
  }
  return m;
}

function addSplitScore(m: SplitMeasurement, score: Score): void {
  if (m.preIndent === -1 && m.preBlank === 0) score.penalty += 1; // start of file
  if (m.endOfFile) score.penalty += 21;
  const postBlank = m.indent === -1 ? 1 + m.postBlank : 0;
  const totalBlank = m.preBlank + postBlank;
  score.penalty += -30 * totalBlank;
  score.penalty += 6 * postBlank;
  const indent = m.indent !== -1 ? m.indent : m.postIndent;
  const anyBlanks = totalBlank !== 0;
  score.effectiveIndent += indent;
  if (indent === -1 || m.preIndent === -1) {
    // No adjustment.
  } else if (indent > m.preIndent) {
    score.penalty += anyBlanks ? 10 : -4;
  } else if (indent === m.preIndent) {
    // No adjustment.
  } else if (m.postIndent !== -1 && m.postIndent > indent) {
    score.penalty += anyBlanks ? 17 : 24;
  } else {
    score.penalty += anyBlanks ? 17 : 23;
  }
}

function compareScores(s1: Score, s2: Score): number {
  const indents =
    Number(s1.effectiveIndent > s2.effectiveIndent) -
    Number(s1.effectiveIndent < s2.effectiveIndent);
  return 60 * indents + (s1.penalty - s2.penalty);
}
