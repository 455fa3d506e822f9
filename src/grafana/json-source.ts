/**
 * Reads a dashboard JSON file into a value and a `FindingSource` whose `locate` maps a key path
 * to the file's own line and column, and reports a syntax error at its line and column.
 *
 * Hand-written scanner, on purpose: Grafana reads dashboards with Go's encoding/json, which is
 * strict RFC 8259 JSON (no comments, no trailing commas, no single quotes), so a YAML parser
 * would accept files Grafana refuses; and JSON.parse gives no position on Node 20 for some
 * errors ("Unexpected token ... is not valid JSON"). The scanner only finds the first error; the
 * value itself comes from JSON.parse, and positions of a valid file from the `yaml` package's
 * CST (JSON is YAML), parsed only when a finding asks for one. Pure.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Finding } from '../findings.js';
import { offsetOfPath } from '../yaml-locate.js';
import type { FindingSource, ObjectPath, Position } from '../prometheus/source.js';

export interface LoadedJson {
  /** The parsed value; undefined when the text is not valid JSON. */
  value: unknown;
  source: FindingSource;
  /** The syntax error (code `grafana/json-syntax`), at most one. */
  findings: Finding[];
}

interface JsonSyntaxError {
  offset: number;
  message: string;
}

/**
 * Bounds the recursion. Go's decoder reads up to 10000 levels; a dashboard nests about ten, so
 * a file deeper than this is refused here although Grafana might read it.
 */
const maxDepth = 512;

class StrictJsonScanner {
  private offset = 0;
  constructor(private readonly text: string) {}

  /** The first syntax error, or undefined for valid JSON. */
  scan(): JsonSyntaxError | undefined {
    try {
      this.skipSpace();
      this.value(0);
      this.skipSpace();
      if (this.offset < this.text.length) this.fail('unexpected text after the top-level value');
      return undefined;
    } catch (error) {
      if (error instanceof ScanError) return { offset: error.offset, message: error.message };
      throw error;
    }
  }

  private fail(message: string, offset = this.offset): never {
    throw new ScanError(offset, message);
  }

  private skipSpace(): void {
    // JSON's only whitespace: space, tab, line feed, carriage return.
    for (;;) {
      const code = this.text.charCodeAt(this.offset);
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return;
      this.offset++;
    }
  }

  private describeHere(): string {
    const char = this.text[this.offset];
    if (char === undefined) return 'the end of the file';
    if (char === '/' && /[/*]/.test(this.text[this.offset + 1] ?? ''))
      return 'a comment (JSON has none)';
    return JSON.stringify(char);
  }

  private value(depth: number): void {
    if (depth > maxDepth) this.fail(`nesting deeper than ${maxDepth} levels`);
    const char = this.text[this.offset];
    if (char === '{') this.object(depth);
    else if (char === '[') this.array(depth);
    else if (char === '"') this.string();
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) this.number();
    else this.literal();
  }

  private literal(): void {
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.offset)) {
        this.offset += word.length;
        return;
      }
    }
    this.fail(`expected a value, found ${this.describeHere()}`);
  }

  private object(depth: number): void {
    this.offset++;
    this.skipSpace();
    if (this.text[this.offset] === '}') {
      this.offset++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.offset] !== '"')
        this.fail(
          this.text[this.offset] === '}'
            ? 'a trailing comma before "}" (JSON allows none)'
            : `expected a double-quoted property name, found ${this.describeHere()}`,
        );
      this.string();
      this.skipSpace();
      if (this.text[this.offset] !== ':')
        this.fail(`expected ":" after the property name, found ${this.describeHere()}`);
      this.offset++;
      this.skipSpace();
      this.value(depth + 1);
      this.skipSpace();
      const next = this.text[this.offset];
      if (next === '}') {
        this.offset++;
        return;
      }
      if (next !== ',')
        this.fail(`expected "," or "}" after a property value, found ${this.describeHere()}`);
      this.offset++;
    }
  }

  private array(depth: number): void {
    this.offset++;
    this.skipSpace();
    if (this.text[this.offset] === ']') {
      this.offset++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.offset] === ']')
        this.fail('a trailing comma before "]" (JSON allows none)');
      this.value(depth + 1);
      this.skipSpace();
      const next = this.text[this.offset];
      if (next === ']') {
        this.offset++;
        return;
      }
      if (next !== ',')
        this.fail(`expected "," or "]" after a list item, found ${this.describeHere()}`);
      this.offset++;
    }
  }

  private string(): void {
    const start = this.offset;
    this.offset++;
    for (;;) {
      const char = this.text[this.offset];
      if (char === undefined) this.fail('a string that is never closed', start);
      if (char === '"') {
        this.offset++;
        return;
      }
      if (char < ' ') this.fail('a control character (such as a line break) inside a string');
      if (char === '\\') {
        const escape = this.text[this.offset + 1] ?? '';
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.offset + 2, this.offset + 6)))
            this.fail('\\u must be followed by four hexadecimal digits');
          this.offset += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(escape) || escape === '')
          this.fail(`an invalid escape \\${escape} in a string`);
        this.offset += 2;
        continue;
      }
      this.offset++;
    }
  }

  private number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(
      this.text.slice(this.offset, this.offset + 400),
    );
    if (!match) this.fail(`an invalid number, found ${this.describeHere()}`);
    this.offset += match[0].length;
  }
}

class ScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** 1-based line and column of a UTF-16 offset (columns count characters, as editors do). */
function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text[index] === '\n') {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parses dashboard JSON as Grafana's Go decoder would accept it, with positions. */
export function loadJsonSource(file: string, text: string): LoadedJson {
  // A UTF-8 byte order mark: Go's decoder refuses it ("invalid character 'ï'").
  let document: { contents: Parameters<typeof offsetOfPath>[0]; lines: LineCounter } | undefined;
  const locate = (path: ObjectPath, at: 'key' | 'value' = 'value'): Position | undefined => {
    if (!document) {
      const lines = new LineCounter();
      document = {
        contents: parseDocument(text, { lineCounter: lines, uniqueKeys: false }).contents,
        lines,
      };
    }
    const offset = offsetOfPath(document.contents, path, at);
    if (offset === undefined) return undefined;
    const { line, col } = document.lines.linePos(offset);
    return { line, column: col };
  };
  const source: FindingSource = { file, locate };
  const error = text.startsWith('\uFEFF')
    ? { offset: 0, message: 'a byte order mark before the JSON (Grafana refuses it)' }
    : new StrictJsonScanner(text).scan();
  if (error) {
    const position = positionOf(text, error.offset);
    return {
      value: undefined,
      source,
      findings: [
        {
          code: 'grafana/json-syntax',
          severity: 'error',
          message: `invalid JSON: ${error.message}`,
          file,
          line: position.line,
          column: position.column,
        },
      ],
    };
  }
  return { value: JSON.parse(text) as unknown, source, findings: [] };
}
