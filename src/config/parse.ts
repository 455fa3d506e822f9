/**
 * Parses environment-file text into plain data while keeping a way back from any key path to
 * its line and column, so that schema errors found later can point at the exact spot.
 * Pure: no file I/O. YAML 1.2 core schema, duplicate keys are errors.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type YAMLError,
} from 'yaml';
import { toJsChecked } from '../yaml-values.js';
import type { Problem } from '../errors.js';
import { clip } from '../text-safety.js';
import { offsetOfPath } from '../yaml-locate.js';

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

/**
 * The largest environment file read (1 MiB). A full environment file is a few kilobytes; one
 * over this is a mistake (a manifest or a log saved under environments/), and parsing it would
 * cost seconds and hundreds of megabytes before saying so.
 */
export const maxEnvironmentFileBytes = 2 ** 20;

/** The problem of an environment file over maxEnvironmentFileBytes. */
export function environmentFileTooLarge(file: string, bytes: number): Problem {
  return {
    code: 'config/file-too-large',
    file,
    message: `the file is ${bytes} bytes; environment files may hold at most ${maxEnvironmentFileBytes} bytes (1 MiB)`,
    hint: 'an environment file holds a few kilobytes of settings; keep other files (manifests, logs, dumps) out of the config folder',
  };
}

export function parseYamlSource(file: string, text: string): ParsedSource {
  // Refused before parsing: a UTF-16 unit is 1 to 3 bytes of UTF-8.
  if (text.length * 3 > maxEnvironmentFileBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxEnvironmentFileBytes) {
      return {
        file,
        data: undefined,
        problems: [environmentFileTooLarge(file, bytes)],
        locate: () => undefined,
      };
    }
  }
  const lineCounter = new LineCounter();
  // resolveKnownTags: false keeps YAML 1.1 tags such as !!binary, !!set or !!timestamp from
  // turning into a Uint8Array, Set or Date that the schema check cannot describe.
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: true,
    resolveKnownTags: false,
  });
  const locateOffset = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((error) => {
    const position = error.linePos?.[0];
    return {
      ...describeYamlError(doc, text, error),
      file,
      line: position?.line,
      column: position?.col,
    };
  });
  let data: unknown;
  if (doc.errors.length === 0) {
    // Aliases to nothing, bad merge keys and alias bombs throw in toJS(): input errors too.
    const converted = toJsChecked(doc, text.includes('&'));
    if (converted.ok) data = converted.value;
    else {
      const position = converted.offset === undefined ? undefined : locateOffset(converted.offset);
      problems.push({
        code: 'config/yaml-syntax',
        message: converted.message,
        hint: 'define an anchor (&name) before its alias (*name), and do not nest an alias in its own anchor',
        file,
        line: position?.line,
        column: position?.column,
      });
    }
  }
  return {
    file,
    data,
    problems,
    locate: (path, at = 'value') => {
      const offset = offsetOfPath(doc.contents, path, at);
      return offset === undefined ? undefined : locateOffset(offset);
    },
  };
}

function describeYamlError(
  doc: Document,
  text: string,
  error: YAMLError,
): Pick<Problem, 'code' | 'message' | 'keyPath' | 'hint'> {
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const keyPath = keyPathAt(doc.contents, error.pos[0], []);
      return {
        code: 'config/duplicate-key',
        message:
          keyPath === undefined
            ? firstLine(error.message)
            : `duplicate key \`${clip(keyPath[keyPath.length - 1] ?? '')}\``,
        keyPath: keyPath?.join('.'),
        hint: 'each key may appear once per mapping; remove or merge the repeated one',
      };
    }
    case 'TAG_RESOLVE_FAILED':
      return {
        code: 'config/yaml-tag',
        message: `unsupported YAML tag \`${clip(text.slice(error.pos[0], error.pos[1]).trim())}\``,
        hint: 'remove the tag: environment files hold plain strings, numbers, lists and mappings',
      };
    case 'MULTIPLE_DOCS':
      return {
        code: 'config/multiple-documents',
        message: 'the file holds more than one YAML document',
        hint: 'an environment file is a single document: remove the `---` separator and merge the documents, or give each environment its own file',
      };
    default:
      return {
        code: 'config/yaml-syntax',
        // yaml's messages end with a source excerpt after a blank line: keep the first sentence.
        message: clip(firstLine(error.message), 200),
        hint: 'check indentation and quoting near this position',
      };
  }
}

/** Key path of the mapping key that starts at `offset` (where yaml reports a duplicate key). */
function keyPathAt(node: unknown, offset: number, path: string[]): string[] | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const keyPath = [...path, String(pair.key.value)];
      if (pair.key.range?.[0] === offset) return keyPath;
      const found = keyPathAt(pair.value, offset, keyPath);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const found = keyPathAt(item, offset, [...path, String(index)]);
      if (found) return found;
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}
