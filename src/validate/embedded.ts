/**
 * Files embedded in ConfigMaps (prometheus.yml, rule files, dashboards, datasources): parsed,
 * and located either in the file a kustomize generator read them from (exact lines) or, for a
 * ConfigMap written by hand, at the ConfigMap key that holds them. Pure.
 */
import { LineCounter, parseDocument } from 'yaml';
import { loadChunk } from '../kube-yaml.js';
import { offsetOfPath } from '../yaml-locate.js';
import { detached, type ManifestResource } from './documents.js';
import type { Finding } from './findings.js';
import { isRecord } from './object-paths.js';
import type { ContentSource, EmbeddedFile } from './pipeline.js';

/** ConfigMap keys whose content gitops-gen understands. */
const contentKey = /\.(ya?ml|json)$|\.rules$/;

export interface GeneratedFile {
  /** Path of the file the generator read, as shown to the user. */
  file: string;
}

interface ParsedText {
  data: unknown;
  locate: (
    path: readonly (string | number)[],
    at?: 'key' | 'value',
  ) => { line: number; column: number } | undefined;
  error?: { message: string; line?: number; column?: number };
}

/**
 * Parses embedded text for its value (JSON.parse or js-yaml: fast); positions come from the
 * `yaml` package, and only when a finding asks for one.
 */
/**
 * Values of recent texts by ConfigMap key: overlays of one base embed the same files (read-only
 * use). A text is parsed from a copy of its own, so that neither it nor its value pins the
 * document (or the block of a large file) it was cut from.
 */
const recentValues = new Map<string, Map<string, unknown>>();
let recentCount = 0;
const recentValuesLimit = 256;

function parseText(key: string, text: string): ParsedText {
  const known = recentValues.get(key)?.get(text);
  if (known !== undefined) return parseTextUncached(key, text, known);
  const own = detached(text);
  const result = parseTextUncached(key, own, undefined);
  if (!result.error) {
    if (recentCount >= recentValuesLimit) {
      recentValues.clear();
      recentCount = 0;
    }
    let values = recentValues.get(key);
    if (!values) {
      values = new Map();
      recentValues.set(detached(key), values);
    }
    values.set(own, result.data);
    recentCount++;
  }
  return result;
}

function parseTextUncached(key: string, text: string, known: unknown): ParsedText {
  let document:
    { contents: Parameters<typeof offsetOfPath>[0]; lineCounter: LineCounter } | undefined;
  const locate: ParsedText['locate'] = (path, at = 'value') => {
    if (!document) {
      const lineCounter = new LineCounter();
      document = {
        contents: parseDocument(text, { lineCounter, uniqueKeys: false }).contents,
        lineCounter,
      };
    }
    const offset = offsetOfPath(document.contents, path, at);
    if (offset === undefined) return undefined;
    const { line, col } = document.lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (known !== undefined) return { data: known, locate };
  if (key.endsWith('.json')) {
    try {
      return { data: JSON.parse(text) as unknown, locate };
    } catch (error) {
      return {
        data: undefined,
        locate,
        error: { message: error instanceof Error ? error.message : String(error) },
      };
    }
  }
  const loaded = loadChunk({ text, lineOffset: 0 });
  return loaded.ok
    ? { data: loaded.value, locate }
    : {
        data: undefined,
        locate,
        error: { message: loaded.message, line: loaded.line, column: loaded.column },
      };
}

/**
 * The content files of a ConfigMap. `generated` maps a data key to the file a kustomize
 * generator read it from, when known.
 */
export function embeddedFilesOf(
  resource: ManifestResource,
  generated: ReadonlyMap<string, GeneratedFile> = new Map(),
): { files: EmbeddedFile[]; findings: Finding[] } {
  const files: EmbeddedFile[] = [];
  const findings: Finding[] = [];
  if (resource.id.kind !== 'ConfigMap' || !isRecord(resource.object.data))
    return { files, findings };
  for (const [key, value] of Object.entries(resource.object.data)) {
    if (typeof value !== 'string' || !contentKey.test(key)) continue;
    const origin = generated.get(key);
    const parsed = parseText(key, value);
    const identity = { document: resource.document, resource: resource.id };
    const source: ContentSource = origin
      ? // The generator copied the file verbatim: positions in the value are positions in it.
        { file: origin.file, locate: parsed.locate, ...identity }
      : {
          file: resource.file,
          ...identity,
          basePath: ['data', key],
          // Inside hand-written ConfigMap text, point at the key that holds the file.
          locate: () => resource.locate(['data', key], 'key'),
        };
    if (parsed.error) {
      const position = origin ? parsed.error : resource.locate(['data', key], 'key');
      findings.push({
        code: 'embedded/syntax',
        severity: 'error',
        message: `${key} does not parse: ${parsed.error.message}`,
        file: source.file,
        document: resource.document,
        ...(position?.line === undefined
          ? {}
          : { line: position.line, column: position.column ?? 1 }),
        resource: resource.id,
      });
      continue;
    }
    files.push({ key, text: value, data: parsed.data, source });
  }
  return { files, findings };
}
