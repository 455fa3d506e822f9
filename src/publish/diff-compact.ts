/**
 * Where git puts a run of changed lines that could sit in more than one place (a block
 * inserted between repeated lines, say): git's xdl_change_compact with the indent heuristic,
 * on and by default since git 2.14. A run slides to line up with the other side's changes,
 * else to the position the heuristic scores best, so hunks match `git diff`'s.
 */

interface Group {
  start: number;
  end: number;
}

/**
 * Slides each group of changed lines of `lines` (flags in `changed`, index + 1 with sentinels)
 * to where git puts it; `other` holds the other side's flags and is kept in step.
 */
export function compact(lines: readonly string[], changed: Uint8Array, other: Uint8Array): void {
  const n = lines.length;
  const otherLength = other.length - 2;
  const flag = (flags: Uint8Array, index: number): boolean => flags[index + 1] === 1;
  const set = (flags: Uint8Array, index: number, value: 0 | 1): void => {
    flags[index + 1] = value;
  };
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
  // git's BUG() checks: the two sides' groups must stay paired while one slides.
  const must = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`diff: ${what}`);
  };

  const g = init(changed);
  const go = init(other);
  for (;;) {
    if (g.end !== g.start) {
      let groupSize: number;
      let earliestEnd: number;
      let endMatchingOther: number;
      // Sliding can merge neighbouring groups; repeat until the group stops growing.
      do {
        groupSize = g.end - g.start;
        endMatchingOther = -1;
        while (slideUp(g)) must(previous(other, go), 'group sync broken sliding up');
        earliestEnd = g.end;
        if (go.end > go.start) endMatchingOther = g.end;
        while (slideDown(g)) {
          must(next(other, otherLength, go), 'group sync broken sliding down');
          if (go.end > go.start) endMatchingOther = g.end;
        }
      } while (groupSize !== g.end - g.start);

      if (g.end === earliestEnd) {
        // It cannot move.
      } else if (endMatchingOther !== -1) {
        // Line up with the other side's change, making one hunk of a replacement.
        while (go.end === go.start) {
          must(slideUp(g), 'match disappeared');
          must(previous(other, go), 'group sync broken sliding to match');
        }
      } else {
        let shift = Math.max(earliestEnd, g.end - groupSize - 1, g.end - maxSliding);
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
          must(slideUp(g), 'best shift unreached');
          must(previous(other, go), 'group sync broken sliding to blank');
        }
      }
    }
    if (!next(changed, n, g)) break;
    must(next(other, otherLength, go), 'group sync broken moving on');
  }
}

// git's constants (xdiffi.c).
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

/** git's get_indent: columns of leading space (tabs to multiples of 8), -1 for a blank line. */
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

/** git's score_add_split, with its tuned weights. */
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
