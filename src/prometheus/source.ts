/**
 * Where the checked object comes from and how its findings are built: the file, a way from a
 * key path to a line and column, and the path of the object inside its document (`['spec']`
 * for a PrometheusRule). Also a loader that reads YAML or JSON text into a value plus such a
 * source, for callers (and tests) that start from text. Shared by the Prometheus and Grafana
 * checks. Pure.
 */
import { LineCounter, parseDocument } from 'yaml';
import { offsetOfPath } from '../yaml-locate.js';
import { formatPath, type Finding, type ResourceId, type Severity } from '../findings.js';
import { toJsChecked } from '../yaml-values.js';
import { quoteJson } from '../text-safety.js';

export type PathSegment = string | number;
export type ObjectPath = readonly PathSegment[];

export interface Position {
  line: number;
  column: number;
}

/**
 * The origin of a checked object. `locate` receives the full path inside the document, that is
 * `basePath` followed by the path inside the checked object; `ManifestResource.locate` of a
 * PrometheusRule fits as is with `basePath: ['spec']`.
 */
export interface FindingSource {
  file: string;
  locate?: (path: ObjectPath, at?: 'key' | 'value') => Position | undefined;
  basePath?: ObjectPath;
  /** 0-based document index, copied into every finding. */
  document?: number;
  /** The Kubernetes object the checked data belongs to, copied into every finding. */
  resource?: ResourceId;
}

export interface FindingInit {
  code: string;
  message: string;
  path: ObjectPath;
  severity?: Severity;
  hint?: string;
  /** Locate the key rather than the value (unknown or misplaced keys). */
  at?: 'key' | 'value';
}

/** A finding with the source's file, document and resource, and the located full path. */
export function makeFinding(source: FindingSource, init: FindingInit): Finding {
  const fullPath = [...(source.basePath ?? []), ...init.path];
  const position = source.locate?.(fullPath, init.at ?? 'value');
  const finding: Finding = {
    code: init.code,
    severity: init.severity ?? 'error',
    message: init.message,
    file: source.file,
  };
  if (source.document !== undefined) finding.document = source.document;
  if (position) {
    finding.line = position.line;
    finding.column = position.column;
  }
  if (fullPath.length > 0) finding.path = formatPath(fullPath);
  if (source.resource) finding.resource = source.resource;
  if (init.hint !== undefined) finding.hint = init.hint;
  return finding;
}

/** Collects findings for one source. */
export class FindingCollector {
  readonly findings: Finding[] = [];
  constructor(readonly source: FindingSource) {}

  add(init: FindingInit): void {
    this.findings.push(makeFinding(this.source, init));
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in a message: `"30x"`, `5`, `a list`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quoteJson(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const left = previous[j - 1] ?? 0;
      previous[j] = Math.min(above + 1, left + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** The closest known word, when it is close enough to be a typo. */
export function closest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? best
    : undefined;
}

/** Reports every key of `object` that is not in `known`, with a "did you mean" hint. */
export function checkKnownKeys(
  collector: FindingCollector,
  object: Record<string, unknown>,
  known: ReadonlySet<string>,
  path: ObjectPath,
  code: string,
  what: string,
  severity: Severity = 'error',
): void {
  for (const key of Object.keys(object)) {
    if (known.has(key)) continue;
    const suggestion = closest(key, known);
    collector.add({
      code,
      severity,
      message: `unknown key \`${key}\` in ${what}`,
      path: [...path, key],
      at: 'key',
      hint: suggestion
        ? `did you mean \`${suggestion}\`?`
        : `known keys: ${[...known].sort().join(', ')}`,
    });
  }
}

export interface LoadedSource {
  /** The parsed value; undefined when the text does not parse. */
  value: unknown;
  source: FindingSource;
  /** Syntax errors of the text itself (code `<prefix>/syntax`). */
  findings: Finding[];
}

/**
 * Parses YAML (or JSON, which is YAML) text into a value and a source whose `locate` maps paths
 * to lines and columns. YAML 1.1 by default, as Prometheus' and Grafana's Go YAML readers.
 */
export function loadSource(
  file: string,
  text: string,
  options: { codePrefix: string; version?: '1.1' | '1.2'; basePath?: ObjectPath } = {
    codePrefix: 'yaml',
  },
): LoadedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    version: options.version ?? '1.1',
    uniqueKeys: true,
    prettyErrors: false,
  });
  const locate = (path: ObjectPath, at: 'key' | 'value' = 'value'): Position | undefined => {
    const offset = offsetOfPath(doc.contents, path, at);
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const source: FindingSource = {
    file,
    locate,
    ...(options.basePath ? { basePath: options.basePath } : {}),
  };
  if (doc.errors.length > 0) {
    const findings = doc.errors.map((error): Finding => {
      const position = error.linePos?.[0];
      return {
        code: `${options.codePrefix}/syntax`,
        severity: 'error',
        message: (error.message.split('\n')[0] ?? error.message).replace(
          / at line \d+, column \d+:?$/,
          '',
        ),
        file,
        ...(position ? { line: position.line, column: position.col } : {}),
      };
    });
    return { value: undefined, source, findings };
  }
  const converted = toJsChecked(doc, text.includes('&'), { maxAliasCount: 1000 });
  if (!converted.ok) {
    const position =
      converted.offset === undefined ? undefined : lineCounter.linePos(converted.offset);
    const finding: Finding = {
      code: `${options.codePrefix}/syntax`,
      severity: 'error',
      message: converted.message,
      file,
      ...(position ? { line: position.line, column: position.col } : {}),
    };
    return { value: undefined, source, findings: [finding] };
  }
  return { value: converted.value, source, findings: [] };
}
