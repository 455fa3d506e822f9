/**
 * Parses environment-file text into plain data while keeping a way back from any key path to
 * its line and column, so that schema errors found later can point at the exact spot.
 * Pure: no file I/O. YAML 1.2 core schema, duplicate keys are errors.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../errors.js';

export interface SourcePosition {
  line: number;
  column: number;
}

export interface ParsedSource {
  file: string;
  /** The document as plain JavaScript data; `undefined` when parsing failed. */
  data: unknown;
  problems: Problem[];
  /**
   * Position of the value at `path` (or of its key, when `at` is 'key'); falls back to the
   * closest existing ancestor so that every problem gets a position.
   */
  locate: (path: readonly (string | number)[], at?: 'key' | 'value') => SourcePosition | undefined;
}

export function parseYamlSource(file: string, text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const locateOffset = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((error) => {
    const position = error.linePos?.[0];
    return {
      code: error.code === 'DUPLICATE_KEY' ? 'config/duplicate-key' : 'config/yaml-syntax',
      // yaml's messages end with a source excerpt after a blank line: keep the first sentence.
      message: firstLine(error.message),
      file,
      line: position?.line,
      column: position?.col,
      hint:
        error.code === 'DUPLICATE_KEY'
          ? 'each key may appear once per mapping; remove or merge the repeated one'
          : 'check indentation and quoting near this position',
    };
  });
  const data: unknown = doc.errors.length > 0 ? undefined : doc.toJS();
  return {
    file,
    data,
    problems,
    locate: (path, at = 'value') => {
      const offset = findOffset(doc, path, at);
      return offset === undefined ? undefined : locateOffset(offset);
    },
  };
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function findOffset(
  doc: Document,
  path: readonly (string | number)[],
  at: 'key' | 'value',
): number | undefined {
  let node: Node | null | undefined = doc.contents;
  let best = node?.range?.[0];
  for (const [index, segment] of path.entries()) {
    const isLast = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return best;
      const keyNode = isScalar(pair.key) ? pair.key : undefined;
      if (isLast && at === 'key' && keyNode?.range) return keyNode.range[0];
      const value = pair.value as Node | null;
      best = value?.range?.[0] ?? keyNode?.range?.[0] ?? best;
      node = value;
    } else if (isSeq(node) && /^\d+$/.test(String(segment))) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) return best;
      best = item.range?.[0] ?? best;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}
