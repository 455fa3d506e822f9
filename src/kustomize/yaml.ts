/**
 * YAML reading for the build, in the two dialects Kustomize itself uses:
 *
 * - kustomization files go through sigs.k8s.io/yaml (go-yaml v2): YAML 1.1, so `yes` is true;
 * - resources and patches go through kyaml (go-yaml v3), and `kubectl kustomize` prints every
 *   object through a typed go-yaml v3 decode and JSON: so plain scalars resolve as go-yaml v3
 *   resolves them: only `true`/`false` (any case) are booleans (`yes`, `on`, `y` stay
 *   strings), `0644` is 420, `0o17` is 15, `1e3` is 1000, and a plain timestamp stays a string
 *   but in RFC 3339 form (`2024-01-31` prints as `2024-01-31T00:00:00Z`).
 *
 * Timestamps are never converted to dates. Empty values stay `undefined` (see values.ts).
 *
 * Two parsers give the same values: js-yaml, with these scalar rules as its implicit types, reads
 * the common case several times faster; the `yaml` package stays the reference, and takes over
 * whenever js-yaml finds a problem (so problems are reported the way they always were), a
 * document has directives, or an annotation needs its source text.
 */
import jsYaml from 'js-yaml';
import {
  LineCounter,
  Scalar,
  isMap,
  isScalar,
  parseAllDocuments,
  parseDocument,
  type Document,
  type ParsedNode,
  type ScalarTag,
  type Tags,
} from 'yaml';
import { offsetOfPath } from '../yaml-locate.js';
import { splitDocuments } from '../kube-yaml.js';
import { hasCycle, toJsChecked } from '../yaml-values.js';
import { isRecord, scalarText } from './values.js';

export interface Position {
  line: number;
  column: number;
}

export interface YamlProblem {
  code: 'kustomize/duplicate-key' | 'kustomize/yaml-syntax';
  message: string;
  line?: number;
  column?: number;
}

export interface ParsedResourceDocument {
  value: unknown;
  /** 0-based index of the document in its file. */
  index: number;
  /** 1-based line of the document's first node. */
  line: number;
}

const TIMESTAMP = 'tag:yaml.org,2002:timestamp';
const NULL = 'tag:yaml.org,2002:null';
const BOOL = 'tag:yaml.org,2002:bool';
const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';

function tagName(tag: Tags[number]): string {
  return typeof tag === 'string' ? tag : tag.tag;
}

const emptyAwareNull: ScalarTag = {
  tag: NULL,
  default: true,
  test: /^(?:~|[Nn]ull|NULL)?$/,
  // An empty value resolves to undefined, an explicit null to null.
  resolve: (source: string) => new Scalar(source === '' ? undefined : null),
  identify: (value: unknown) => value === null || value === undefined,
  stringify: () => 'null',
};

const strictBool: ScalarTag = {
  tag: BOOL,
  default: true,
  test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  resolve: (source: string) => source.startsWith('t') || source.startsWith('T'),
  identify: (value: unknown) => typeof value === 'boolean',
  stringify: ({ value }) => (value ? 'true' : 'false'),
};

/**
 * go-yaml v3 integers: Go's ParseInt with base prefix (0x, 0o, 0b, and 1.1-style leading-zero
 * octal), after removing every underscore.
 */
const goIntPattern =
  /^(?:[-+]_*)?(?:0_*[xX](?:_*[0-9a-fA-F])+|0_*[oO](?:_*[0-7])+|0_*[bB](?:_*[01])+|0(?:_*[0-7])*|[1-9](?:_*[0-9])*)_*$/;

function goIntValue(source: string): number {
  const plain = source.replaceAll('_', '');
  const sign = plain.startsWith('-') ? -1 : 1;
  const digits = plain.replace(/^[-+]/, '');
  const prefix = digits.slice(0, 2).toLowerCase();
  if (prefix === '0x') return sign * Number.parseInt(digits.slice(2), 16);
  if (prefix === '0o') return sign * Number.parseInt(digits.slice(2), 8);
  if (prefix === '0b') return sign * Number.parseInt(digits.slice(2), 2);
  if (digits.length > 1 && digits.startsWith('0')) return sign * Number.parseInt(digits, 8);
  return sign * Number.parseInt(digits, 10);
}

const goInt: ScalarTag = {
  tag: INT,
  default: true,
  test: goIntPattern,
  resolve: goIntValue,
  identify: (value: unknown) => typeof value === 'number' && Number.isInteger(value),
  stringify: ({ value }) => String(value),
};

/** go-yaml v3 floats: `.inf`/`.nan` spellings, then its `yamlStyleFloat` pattern. */
const goFloatPattern =
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\.[0-9]+(?:[eE][-+]?[0-9]+)?|(?:[-+]_*)?(?:\._*[0-9](?:_*[0-9])*|[0-9](?:_*[0-9])*(?:_*\.(?:_*[0-9])*)?)(?:_*[eE]_*(?:[-+]_*)?[0-9](?:_*[0-9])*)?_*)$/;

function goFloatValue(source: string): number {
  if (/nan$/i.test(source)) return Number.NaN;
  if (/inf$/i.test(source)) return source.startsWith('-') ? -Infinity : Infinity;
  return Number.parseFloat(source.replaceAll('_', ''));
}

const goFloat: ScalarTag = {
  tag: FLOAT,
  default: true,
  test: goFloatPattern,
  resolve: goFloatValue,
  identify: (value: unknown) => typeof value === 'number',
  stringify: ({ value }) => String(value),
};

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * go-yaml v3 decodes a plain timestamp into a time.Time, which `kubectl kustomize` then prints
 * as RFC 3339 (`2024-01-31` becomes `2024-01-31T00:00:00Z`); the value stays a string.
 */
export function goTimestamp(source: string): string | undefined {
  const match =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
      source,
    );
  if (!match) return undefined;
  const [, year = '', month = '', day = '', letterT, space, hour, minute, second, fraction, zone] =
    match;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth) return undefined;
  const date = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  if (hour === undefined) return `${date}T00:00:00Z`;
  if (letterT !== undefined && zone === undefined) return undefined;
  if (space !== undefined && zone !== undefined) return undefined;
  const h = Number(hour);
  const min = Number(minute);
  const sec = Number(second);
  if (h > 23 || min > 59 || sec > 59) return undefined;
  const nanos = (fraction ?? '').slice(0, 9).replace(/0+$/, '');
  let offset = 'Z';
  if (zone !== undefined && zone !== 'Z') {
    const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    if (minutes !== 0) offset = zone;
  }
  return `${date}T${pad(h)}:${pad(min)}:${pad(sec)}${nanos ? `.${nanos}` : ''}${offset}`;
}

const timestampPattern =
  /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

const goTimestampTag: ScalarTag = {
  tag: TIMESTAMP,
  default: true,
  test: timestampPattern,
  resolve: (source: string) => goTimestamp(source) ?? source,
  identify: () => false,
  stringify: ({ value }) => String(value),
};

const resourceTags = (tags: Tags): Tags => [
  strictBool,
  emptyAwareNull,
  goTimestampTag,
  goInt,
  goFloat,
  ...tags.filter((tag) => ![TIMESTAMP, NULL, BOOL, INT, FLOAT].includes(tagName(tag))),
];

/** go-yaml v2: YAML 1.1 booleans and nulls, Go's numbers, no timestamps. */
const kustomizationTags = (tags: Tags): Tags => [
  goInt,
  goFloat,
  ...tags.filter((tag) => ![TIMESTAMP, INT, FLOAT].includes(tagName(tag))),
];

// The same scalar rules as js-yaml implicit types, for the fast path.
const { Type, FAILSAFE_SCHEMA } = jsYaml;
const scalarType = (
  tag: string,
  test: (data: string) => boolean,
  construct: (data: string) => unknown,
): InstanceType<typeof Type> =>
  new Type(tag, {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null && test(data),
    construct,
  });

/**
 * js-yaml hands an empty value over as `null` without asking the types, so an explicit null
 * is built as this marker and both are put right afterwards (see restoreNulls).
 */
const explicitNull = Object.freeze({ explicitNull: true });
const mergeType = new Type('tag:yaml.org,2002:merge', {
  kind: 'scalar',
  resolve: (data: string | null) => data === '<<' || data === null,
});
const goIntType = scalarType(INT, (data) => goIntPattern.test(data), goIntValue);
const goFloatType = scalarType(FLOAT, (data) => goFloatPattern.test(data), goFloatValue);

const resourceSchema = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalarType(
      BOOL,
      (data) => /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(data),
      (data) => data.startsWith('t') || data.startsWith('T'),
    ),
    scalarType(
      NULL,
      (data) => /^(?:~|[Nn]ull|NULL)$/.test(data),
      () => explicitNull,
    ),
    scalarType(
      TIMESTAMP,
      (data) => timestampPattern.test(data),
      (data) => goTimestamp(data) ?? data,
    ),
    goIntType,
    goFloatType,
    mergeType,
  ],
});

const yaml11True = /^(?:[Yy]|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const kustomizationSchema = FAILSAFE_SCHEMA.extend({
  implicit: [
    goIntType,
    goFloatType,
    scalarType(
      NULL,
      (data) => /^(?:~|[Nn]ull|NULL)$/.test(data),
      () => null,
    ),
    scalarType(
      BOOL,
      (data) => yaml11True.test(data) || /^(?:[Nn]|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/.test(data),
      (data) => yaml11True.test(data),
    ),
    mergeType,
  ],
});

/** Empty values (`null` from js-yaml) to `undefined`, explicit ones to `null`, in place. */
function restoreNulls(value: unknown, seen = new Set<object>()): unknown {
  if (value === null) return undefined;
  if (value === explicitNull) return null;
  if (typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      value[index] = restoreNulls(value[index], seen);
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = restoreNulls(record[key], seen);
  }
  return value;
}

/** 1-based line of a chunk's first node: its first line that is neither blank nor a comment. */
function firstNodeLine(text: string, lineOffset: number): number {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => !/^\s*(?:#.*)?$/.test(line));
  return lineOffset + Math.max(index, 0) + 1;
}

function hasNonStringAnnotation(value: unknown): boolean {
  if (!isRecord(value) || !isRecord(value.metadata)) return false;
  const annotations = value.metadata.annotations;
  return (
    isRecord(annotations) && Object.values(annotations).some((item) => typeof item !== 'string')
  );
}

/** Resource documents through js-yaml; undefined where the reference parser must decide. */
export function fastResourceYaml(text: string): ParsedResources | undefined {
  const documents: ParsedResourceDocument[] = [];
  const chunks = splitDocuments(text);
  for (let index = 0; index < chunks.length; index++) {
    const chunk = chunks[index];
    if (!chunk) continue;
    if (/^%/m.test(chunk.text)) return undefined;
    let value: unknown;
    try {
      value = restoreNulls(jsYaml.load(chunk.text, { schema: resourceSchema }));
    } catch {
      return undefined;
    }
    if (value === null || value === undefined) continue;
    // An alias inside its own anchor: the reference parser reports where.
    if (chunk.text.includes('&') && hasCycle(value)) return undefined;
    if (hasNonStringAnnotation(value)) return undefined;
    documents.push({ value, index, line: firstNodeLine(chunk.text, chunk.lineOffset) });
  }
  return { documents, problems: [] };
}

/** A document whose value toJsChecked refused, as a problem at the alias (or merge key). */
function aliasProblem(
  refused: { message: string; offset: number | undefined },
  lineCounter: LineCounter,
): YamlProblem {
  const position = refused.offset === undefined ? undefined : lineCounter.linePos(refused.offset);
  return {
    code: 'kustomize/yaml-syntax',
    message: refused.message,
    ...(position ? { line: position.line, column: position.col } : {}),
  };
}

function problemsOf(doc: Document.Parsed): YamlProblem[] {
  return doc.errors.map((error) => {
    const position = error.linePos?.[0];
    const duplicate = error.code === 'DUPLICATE_KEY';
    return {
      code: duplicate ? 'kustomize/duplicate-key' : 'kustomize/yaml-syntax',
      message: duplicate
        ? 'duplicate mapping key'
        : (error.message.split('\n')[0] ?? error.message).replace(
            / at line \d+, column \d+:?$/,
            '',
          ),
      ...(position ? { line: position.line, column: position.col } : {}),
    };
  });
}

/**
 * Annotation values as Kustomize reads them (`node.Value`): the source text of plain scalars,
 * so `1.50` stays "1.50" and `0x1F` stays "0x1F".
 */
function normalizeAnnotationSources(node: unknown, value: unknown): void {
  if (!isMap(node) || !isRecord(value)) return;
  const metadataNode = node.get('metadata', true);
  const metadata = value.metadata;
  if (!isMap(metadataNode) || !isRecord(metadata)) return;
  const annotationsNode = metadataNode.get('annotations', true);
  const annotations = metadata.annotations;
  if (!isMap(annotationsNode) || !isRecord(annotations)) return;
  for (const pair of annotationsNode.items) {
    if (!isScalar(pair.key) || !isScalar(pair.value)) continue;
    const key = String(pair.key.value);
    const current = annotations[key];
    if (typeof current === 'string' || current === undefined) continue;
    if (current === null) annotations[key] = '';
    else if (pair.value.type === 'PLAIN' && typeof pair.value.source === 'string') {
      annotations[key] = pair.value.source;
    } else annotations[key] = scalarText(current);
  }
}

type ParsedResources = { documents: ParsedResourceDocument[]; problems: YamlProblem[] };

/**
 * Parses of recent texts: validating several overlays builds their shared base once per
 * overlay, and copying a parse is several times cheaper than parsing again. Callers get copies,
 * because the build transforms objects in place.
 */
const recentParses = new Map<string, ParsedResources>();
const recentParsesLimit = 512;

/** Resource or patch documents, empty and comment-only documents dropped. */
export function parseResourceYaml(text: string): ParsedResources {
  let parsed = recentParses.get(text);
  if (!parsed) {
    parsed = parseResourceYamlUncached(text);
    if (recentParses.size >= recentParsesLimit) recentParses.clear();
    recentParses.set(text, parsed);
  }
  return {
    documents: parsed.documents.map((document) => ({
      ...document,
      value: structuredClone(document.value),
    })),
    problems: [...parsed.problems],
  };
}

function parseResourceYamlUncached(text: string): ParsedResources {
  return fastResourceYaml(text) ?? referenceResourceYaml(text);
}

/** Resource documents through the `yaml` package: the reference (exported for its tests). */
export function referenceResourceYaml(text: string): ParsedResources {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, {
    lineCounter,
    version: '1.1',
    uniqueKeys: true,
    merge: true,
    customTags: resourceTags,
  });
  const documents: ParsedResourceDocument[] = [];
  const problems: YamlProblem[] = [];
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const mayHaveAnchors = text.includes('&');
  list.forEach((doc: Document.Parsed, index) => {
    if (doc.errors.length > 0) {
      problems.push(...problemsOf(doc));
      return;
    }
    const converted = toJsChecked(doc, mayHaveAnchors, { maxAliasCount: 1000 });
    if (!converted.ok) {
      problems.push(aliasProblem(converted, lineCounter));
      return;
    }
    const value = converted.value;
    if (value === null || value === undefined) return;
    normalizeAnnotationSources(doc.contents, value);
    const start = doc.contents?.range[0] ?? 0;
    documents.push({ value, index, line: lineCounter.linePos(start).line });
  });
  return { documents, problems };
}

/** A plain scalar the way kyaml's `NewScalarRNode(text)` is read back after output. */
export function plainScalar(text: string): unknown {
  try {
    return restoreNulls(jsYaml.load(text, { schema: resourceSchema }));
  } catch {
    const doc = parseDocument(text, { version: '1.1', customTags: resourceTags });
    if (doc.errors.length > 0) return text;
    const converted = toJsChecked(doc, text.includes('&'));
    return converted.ok ? converted.value : text;
  }
}

export interface ParsedKustomization {
  value: unknown;
  problems: YamlProblem[];
  locate: (path: readonly (string | number)[], at?: 'key' | 'value') => Position | undefined;
}

export function parseKustomizationYaml(text: string): ParsedKustomization {
  if (!/^%/m.test(text)) {
    try {
      const value: unknown = jsYaml.load(text, { schema: kustomizationSchema }) ?? null;
      // An alias inside its own anchor: the reference parser reports where.
      if (text.includes('&') && hasCycle(value)) return referenceKustomizationYaml(text);
      let reference: ParsedKustomization | undefined;
      // Positions are needed for findings only: the reference parse runs then.
      const locate: ParsedKustomization['locate'] = (path, at) => {
        reference ??= referenceKustomizationYaml(text);
        return reference.locate(path, at);
      };
      return { value, problems: [], locate };
    } catch {
      // a problem: the reference parser reports it
    }
  }
  return referenceKustomizationYaml(text);
}

function referenceKustomizationYaml(text: string): ParsedKustomization {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    version: '1.1',
    uniqueKeys: true,
    merge: true,
    customTags: kustomizationTags,
  });
  const problems = problemsOf(doc);
  const contents: ParsedNode | null = doc.contents;
  let value: unknown = null;
  // Duplicate keys are reported but the document is still read (the last value wins).
  if (problems.every((problem) => problem.code === 'kustomize/duplicate-key')) {
    const converted = toJsChecked(doc, text.includes('&'), { maxAliasCount: 1000 });
    if (converted.ok) value = converted.value;
    else problems.push(aliasProblem(converted, lineCounter));
  }
  return {
    value,
    problems,
    locate: (path, at = 'value') => {
      const offset = offsetOfPath(contents, path, at);
      if (offset === undefined) return undefined;
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    },
  };
}
