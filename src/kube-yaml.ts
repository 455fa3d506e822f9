/**
 * Fast reading of YAML the way Kubernetes reads it (sigs.k8s.io/yaml, i.e. go-yaml v2): the
 * YAML 1.1 scalars of go-yaml's resolver (y/yes/on are booleans, 0644 is octal 420), timestamps
 * kept as strings, `<<` merges, duplicate keys refused. js-yaml does the parsing because it is
 * several times faster than the `yaml` package; positions come later, and only when a finding
 * needs one (see documents.ts). Pure.
 */
import jsYaml from 'js-yaml';

const { Type, FAILSAFE_SCHEMA } = jsYaml;

const nullWords = new Set(['', '~', 'null', 'Null', 'NULL']);
const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || nullWords.has(data),
  construct: () => null,
});

// go-yaml v2's resolve table.
const trueWords = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
]);
const falseWords = new Set([
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
]);
const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && (trueWords.has(data) || falseWords.has(data)),
  construct: (data: string) => trueWords.has(data),
});

const intPatterns: [RegExp, number][] = [
  [/^[-+]?0b[01_]+$/, 2],
  [/^[-+]?0x[0-9a-fA-F_]+$/, 16],
  [/^[-+]?0[0-7_]+$/, 8],
  [/^[-+]?(0|[1-9][0-9_]*)$/, 10],
];
/** Most scalars are words: only one starting like a number can be one (a cheap pre-check). */
const mayBeNumber = (data: string | null): data is string => {
  if (data === null || data === '') return false;
  const first = data.charCodeAt(0);
  return (first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46;
};
const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    mayBeNumber(data) && intPatterns.some(([pattern]) => pattern.test(data)),
  construct: (data: string) => {
    const sign = data.startsWith('-') ? -1 : 1;
    const digits = data.replace(/^[-+]/, '').replace(/_/g, '');
    const base = intPatterns.find(([pattern]) => pattern.test(data))?.[1] ?? 10;
    const body =
      base === 2 || base === 16 ? digits.slice(2) : base === 8 ? digits.slice(1) : digits;
    return sign * parseInt(body, base);
  },
});

const floatPattern = /^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/;
const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    mayBeNumber(data) &&
    (floatPattern.test(data) || /^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/.test(data)),
  construct: (data: string) => {
    if (/nan/i.test(data)) return Number.NaN;
    if (/inf/i.test(data)) return data.startsWith('-') ? -Infinity : Infinity;
    return Number(data.replace(/_/g, ''));
  },
});

// The loader merges `<<: *anchor` for keys resolved to this tag.
const mergeType = new Type('tag:yaml.org,2002:merge', {
  kind: 'scalar',
  resolve: (data: string | null) => data === '<<' || data === null,
});

/** go-yaml v2's implicit types, without timestamps (they stay strings in JSON). */
export const kubernetesSchema = FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, intType, floatType, mergeType],
});

export interface YamlChunk {
  /** The document's text. */
  text: string;
  /** 0-based line of the chunk's first line in the file. */
  lineOffset: number;
}

/**
 * Splits a YAML stream into documents at `---` and `...` lines (a document marker cannot occur
 * inside a document). Text after `---` on the same line (`--- |`) starts its document.
 */
export function splitDocuments(text: string): YamlChunk[] {
  return splitCounting(text).chunks;
}

/** splitDocuments, and the number of newlines in the text. */
function splitCounting(text: string): { chunks: YamlChunk[]; lines: number } {
  const chunks: YamlChunk[] = [];
  const marker = /^(?:(---)(?=[ \t\r]|$)|\.\.\.(?=[ \t\r]*$))/gm;
  let line = 0; // line of `position`
  let position = 0; // start of the current document's text
  let counted = 0; // newlines counted up to here
  let started = false; // the current document began with `---`
  const lineAt = (offset: number): number => {
    for (
      let next = text.indexOf('\n', counted);
      next !== -1 && next < offset;
      next = text.indexOf('\n', next + 1)
    ) {
      line++;
      counted = next + 1;
    }
    return line;
  };
  const flush = (end: number): void => {
    const body = text.slice(position, end);
    // A document needs content: comments and blank lines before the first `---` are not one.
    if (started || /^[ \t]*[^\s#]/m.test(body)) {
      chunks.push({ text: body, lineOffset: lineAt(position) });
    }
  };
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    flush(match.index);
    const lineEnd = text.indexOf('\n', match.index);
    if (match[1]) {
      // `--- |`: what follows the marker on its line starts the document.
      lineAt(match.index);
      position = match.index + 3;
      while (text[position] === ' ' || text[position] === '\t') position++;
      started = true;
    } else {
      position = lineEnd === -1 ? text.length : lineEnd + 1;
      started = false;
    }
  }
  flush(text.length);
  return { chunks, lines: lineAt(text.length + 1) };
}

/**
 * Where a stream can be cut so that both sides split into the same documents as the whole: the
 * start of the last `---` or `...` line that is complete (its newline read). 0 when none.
 * Lines that end at or before `checked` were looked at before: a document longer than a block
 * is not scanned again for each block.
 */
function lastCut(text: string, checked: number): number {
  let from = text.lastIndexOf('\n'); // a marker line must end before the last newline
  while (from > checked) {
    const start = from === 0 ? 0 : text.lastIndexOf('\n', from - 1) + 1;
    const line = text.slice(start, from);
    if (/^(?:---(?:[ \t\r].*)?|\.\.\.[ \t\r]*)$/.test(line) && start > 0) return start;
    from = start - 1;
  }
  return 0;
}

/**
 * splitDocuments over a stream of text blocks (a large file read piece by piece): the same
 * documents, while holding only the blocks' text not yet split.
 */
export function* splitDocumentStream(blocks: Iterable<string>): Generator<YamlChunk> {
  let pending = '';
  let lineOffset = 0;
  const split = function* (text: string): Generator<YamlChunk> {
    const { chunks, lines } = splitCounting(text);
    for (const chunk of chunks) {
      yield { text: chunk.text, lineOffset: chunk.lineOffset + lineOffset };
    }
    lineOffset += lines;
  };
  for (const block of blocks) {
    const checked = pending.lastIndexOf('\n');
    pending += block;
    const cut = lastCut(pending, checked);
    if (cut === 0) continue;
    const head = pending.slice(0, cut);
    pending = pending.slice(cut);
    yield* split(head);
  }
  yield* split(pending);
}

export type ChunkResult =
  | { ok: true; value: unknown }
  | { ok: false; message: string; line: number; column: number; duplicateKey: boolean };

/** Parses one document; line and column of an error are 1-based and file-relative. */
export function loadChunk(chunk: YamlChunk): ChunkResult {
  try {
    return { ok: true, value: jsYaml.load(chunk.text, { schema: kubernetesSchema }) };
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) {
      // Some errors have no position: "expected a single document in the stream" (a text
      // with `---` inside, such as a file embedded in a ConfigMap) is one.
      const mark = error.mark as jsYaml.YAMLException['mark'] | undefined;
      return {
        ok: false,
        message: error.reason,
        line: chunk.lineOffset + (mark?.line ?? 0) + 1,
        column: (mark?.column ?? 0) + 1,
        duplicateKey: /duplicated mapping key/.test(error.reason),
      };
    }
    throw error;
  }
}
