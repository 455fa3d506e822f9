/**
 * Which lines changed between two files, chosen the way git's xdiff chooses (xdl_do_diff).
 *
 * Lines get equivalence classes; lines the other side never has, and very common lines amid
 * those, are changed outright (xdl_cleanup_records); the rest go through Myers' O(ND) algorithm
 * in its linear-space form: divide at the middle snake, two diagonal vectors of N + M + 3
 * entries, so memory stays proportional to the input.
 *
 * Both steps shape the result, so both are needed to match git: without the discard step 18
 * of 1,078 file pairs from this repository's history differ from git (in 5 git's script is
 * not even the shortest), and jsdiff's forward Myers in its place breaks ties otherwise in 19
 * (see diff.ts).
 *
 * git also stops insisting on a minimal script once a split costs more than ~256 edits
 * (xdl_split's heuristics); this does not, so for thousands of permuted lines its (still
 * correct) hunks can differ from git's.
 */

/**
 * Marks changed lines in `changed1`/`changed2` (index + 1; slots 0 and length + 1 are
 * sentinels that stay 0).
 */
export function markChanges(
  a: readonly string[],
  b: readonly string[],
  changed1: Uint8Array,
  changed2: Uint8Array,
): void {
  // Classes: equal lines share a number. Counts per side decide which lines can match at all.
  const classes = new Map<string, number>();
  const counts1: number[] = [];
  const counts2: number[] = [];
  const classify = (lines: readonly string[], counts: number[]): Int32Array =>
    Int32Array.from(lines, (line) => {
      let id = classes.get(line);
      if (id === undefined) {
        id = classes.size;
        classes.set(line, id);
        counts1.push(0);
        counts2.push(0);
      }
      counts[id] = (counts[id] ?? 0) + 1;
      return id;
    });
  const class1 = classify(a, counts1);
  const class2 = classify(b, counts2);

  // The common prefix and suffix are unchanged; only the lines in between are examined.
  let start = 0;
  while (start < a.length && start < b.length && class1[start] === class2[start]) start++;
  let end1 = a.length;
  let end2 = b.length;
  while (end1 > start && end2 > start && class1[end1 - 1] === class2[end2 - 1]) {
    end1--;
    end2--;
  }
  const side1 = discard(class1, start, end1, counts2, changed1);
  const side2 = discard(class2, start, end2, counts1, changed2);
  compare(side1.classes, side1.lines, changed1, side2.classes, side2.lines, changed2);
}

/**
 * git's xdl_cleanup_records for lines `from`..`to` of one side: marks the lines it drops as
 * changed and returns the classes and line numbers of those left for the search.
 */
function discard(
  lineClasses: Int32Array,
  from: number,
  to: number,
  otherCounts: readonly number[],
  changed: Uint8Array,
): { classes: Int32Array; lines: Int32Array } {
  // 0 = no match on the other side, 1 = matches, 2 = matches so often that it is dropped when
  // it sits amid lines without a match.
  const limit = Math.min(bogoSqrt(lineClasses.length), 1024);
  const states = new Uint8Array(lineClasses.length + 1);
  for (let line = from; line < to; line++) {
    const matches = otherCounts[lineClasses[line] ?? 0] ?? 0;
    states[line] = matches === 0 ? 0 : matches >= limit ? 2 : 1;
  }
  const kept: number[] = [];
  for (let line = from; line < to; line++) {
    const state = states[line];
    if (state === 1 || (state === 2 && !dropMultimatch(states, line, from, to - 1))) {
      kept.push(line);
    } else changed[line + 1] = 1;
  }
  return {
    classes: Int32Array.from(kept, (line) => lineClasses[line] ?? 0),
    lines: Int32Array.from(kept),
  };
}

/** git's xdl_bogosqrt: a power of two near the square root. */
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
  const forward = new Int32Array(n1 + n2 + 3);
  const backward = new Int32Array(n1 + n2 + 3);
  const offset = n2 + 1;
  // An explicit stack instead of recursion: deep splits must not overflow the call stack.
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
