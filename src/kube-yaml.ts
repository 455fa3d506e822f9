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
 * The largest object Kubernetes stores. etcd refuses a request over its `--max-request-bytes`,
 * 1.5 MiB (1572864 bytes) by default (https://etcd.io/docs/v3.6/dev-guide/limit/, "Request size
 * limit"); the API server accepts request bodies up to 3 MiB (`MaxRequestBodyBytes`,
 * k8s.io/apiserver/pkg/server/config.go) only because a JSON body shrinks when it is stored as
 * protobuf, and says there that 1.5 MiB is what etcd accepts. A YAML document over this size is
 * refused without being parsed.
 */
export const maxObjectBytes = 1_572_864;

/**
 * The largest file `validate` reads (256 MiB): hundreds of thousands of objects. A larger file is
 * refused from its size alone, unread. (V8 cannot hold a string much over 512 MiB anyway.)
 */
export const maxManifestFileBytes = 256 * 2 ** 20;

/** A document over the size limit: its text was dropped as it was read, never parsed. */
export interface OversizedDocument {
  oversized: true;
  /** 0-based line of the document's first line (its `---`) in the file. */
  lineOffset: number;
  /** Its size in UTF-8 bytes. */
  bytes: number;
}

/** The UTF-8 size of `text` when it is over `limit` bytes; undefined when it is not. */
export function bytesOver(text: string, limit: number): number | undefined {
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes: most texts need no count.
  if (text.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > limit ? bytes : undefined;
}

function newlinesIn(text: string, from = 0, to = text.length): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) {
    count++;
  }
  return count;
}

/** An oversized document being skipped: what is counted of it, and its unfinished last line. */
interface Skipping {
  lineOffset: number;
  lines: number;
  bytes: number;
  /**
   * The start of the line in progress, as far as it can still be a document marker: up to
   * `---` or `...` (blanks after `...` dropped), or `x` for a line that cannot be one.
   */
  carry: string;
}

/**
 * Reads a block of an oversized document, dropping it, up to the next document marker: returns
 * the text from there on (a `---` line, or what follows a `...` line), or undefined when the
 * document goes on. Holds nothing of the document but a few characters of its last line.
 */
function skipBlock(state: Skipping, block: string): string | undefined {
  const text = state.carry + block;
  const offset = state.carry.length;
  const consumed = (end: number): void => {
    state.lines += newlinesIn(text, 0, end);
    if (end > offset) state.bytes += Buffer.byteLength(text.slice(offset, end), 'utf8');
  };
  const marker = /^(?:---|\.\.\.)/gm;
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    const start = match.index;
    let end = start + 3;
    if (text[start] === '-') {
      if (end === text.length) {
        consumed(start);
        state.carry = '---'; // the next block tells whether it is a marker
        return undefined;
      }
      if (!/[ \t\r\n]/.test(text[end] ?? '')) continue;
      consumed(start);
      return text.slice(start);
    }
    while (text[end] === ' ' || text[end] === '\t' || text[end] === '\r') end++;
    if (end === text.length) {
      consumed(start);
      state.carry = '...';
      return undefined;
    }
    if (text[end] !== '\n') continue;
    consumed(end + 1);
    return text.slice(end + 1);
  }
  state.lines += newlinesIn(block);
  state.bytes += Buffer.byteLength(block, 'utf8');
  const tail = text.slice(text.lastIndexOf('\n') + 1);
  state.carry = /^(?:-{0,2}|\.{0,2})$/.test(tail) ? tail : 'x';
  return undefined;
}

/** Starts skipping the open document `text`, which begins at line `lineOffset`. */
function startSkipping(text: string, lineOffset: number): { state: Skipping; rest: string } {
  const state: Skipping = { lineOffset, lines: 0, bytes: 0, carry: '' };
  // Its own opening marker line is not the marker that ends it.
  if (!/^(?:---(?:[ \t\r\n]|$)|\.\.\.)/.test(text)) return { state, rest: text };
  const lineEnd = text.indexOf('\n');
  if (lineEnd === -1) {
    state.bytes = Buffer.byteLength(text, 'utf8');
    state.carry = 'x';
    return { state, rest: '' };
  }
  if (text.startsWith('...')) {
    state.lineOffset++; // a `...` line ends the document before: this one starts after it
  } else {
    state.lines = 1;
    state.bytes = Buffer.byteLength(text.slice(0, lineEnd + 1), 'utf8');
  }
  return { state, rest: text.slice(lineEnd + 1) };
}

/**
 * splitDocuments over a stream of text blocks (a large file read piece by piece): the same
 * documents, while holding only the blocks' text not yet split.
 */
export function* splitDocumentStream(blocks: Iterable<string>): Generator<YamlChunk> {
  for (const chunk of splitDocumentStreamLimited(blocks, Number.POSITIVE_INFINITY)) {
    if (!('oversized' in chunk)) yield chunk;
  }
}

/**
 * splitDocumentStream that never holds much more than `limit` characters: a document that grows
 * past `limit` is dropped as it is read (an OversizedDocument stands for it), up to the marker
 * that ends it, so that a 50 MB one-line document costs one pass and no memory.
 */
export function* splitDocumentStreamLimited(
  blocks: Iterable<string>,
  limit: number,
): Generator<YamlChunk | OversizedDocument> {
  let pending = '';
  let lineOffset = 0; // line of pending's start
  let skipping: Skipping | undefined;
  const split = function* (text: string): Generator<YamlChunk> {
    const { chunks, lines } = splitCounting(text);
    for (const chunk of chunks) {
      yield { text: chunk.text, lineOffset: chunk.lineOffset + lineOffset };
    }
    lineOffset += lines;
  };
  for (const block of blocks) {
    let input: string | undefined = block;
    while (input !== undefined) {
      if (skipping) {
        const rest = skipBlock(skipping, input);
        if (rest === undefined) break;
        yield { oversized: true, lineOffset: skipping.lineOffset, bytes: skipping.bytes };
        lineOffset = skipping.lineOffset + skipping.lines;
        skipping = undefined;
        input = rest;
        continue;
      }
      const checked = pending.lastIndexOf('\n');
      pending += input;
      input = undefined;
      const cut = lastCut(pending, checked);
      if (cut > 0) {
        const head = pending.slice(0, cut);
        pending = pending.slice(cut);
        yield* split(head);
      }
      if (pending.length > limit) {
        // The open document alone is over the limit (a UTF-16 unit is at least one byte).
        const started = startSkipping(pending, lineOffset);
        skipping = started.state;
        pending = '';
        input = started.rest;
      }
    }
  }
  if (!skipping) {
    yield* split(pending);
    return;
  }
  yield { oversized: true, lineOffset: skipping.lineOffset, bytes: skipping.bytes };
  if (skipping.carry === '---') {
    // A `---` on the last line starts one more (empty) document.
    lineOffset = skipping.lineOffset + skipping.lines;
    yield* split('---');
  }
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
