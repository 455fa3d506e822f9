/**
 * `configMapGenerator` and `secretGenerator` (api/kv and api/internal/generators): key/value
 * pairs from env files, literals and files, in that order; text in `data`, non-UTF-8 files in
 * `binaryData`; Secret values base64-encoded in lines of 70; and the `behavior` merge into an
 * existing object (api/resmap appendReplaceOrMerge).
 */
import { Resource, stringMap, type Origin } from './resource.js';
import { KustomizeError, deleteKey, isRecord, type JsonMap } from './values.js';

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

export interface GeneratorArgs {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  namespace?: string;
  behavior?: string;
  literals: string[];
  files: string[];
  envs: string[];
  type?: string;
  options?: GeneratorOptions;
}

/** Reads files for a generator, relative to its kustomization; throws KustomizeError. */
export interface GeneratorFiles {
  text(path: string): Promise<string>;
  bytes(path: string): Promise<Uint8Array>;
}

/** Local options win; labels and annotations are merged; flags are or-ed. */
export function mergeGeneratorOptions(
  local: GeneratorOptions | undefined,
  global: GeneratorOptions | undefined,
): GeneratorOptions | undefined {
  if (!global) return local;
  const result: GeneratorOptions = { ...local };
  if (global.labels) result.labels = { ...global.labels, ...local?.labels };
  if (global.annotations) result.annotations = { ...global.annotations, ...local?.annotations };
  if (global.disableNameSuffixHash) result.disableNameSuffixHash = true;
  if (global.immutable) result.immutable = true;
  return result;
}

function removeQuotes(text: string): string {
  if (text.length < 2 || text[0] !== text[text.length - 1]) return text;
  return text[0] === '"' || text[0] === "'" ? text.slice(1, -1) : text;
}

function parseLiteral(source: string): [string, string] {
  const equals = source.indexOf('=');
  if (equals <= 0) {
    throw new KustomizeError(
      `invalid literal source ${source}, expected key=value`,
      'kustomize/invalid-generator',
    );
  }
  return [source.slice(0, equals), removeQuotes(source.slice(equals + 1))];
}

function parseFileSource(source: string): [string, string] {
  const separators = source.split('=').length - 1;
  if (separators === 0) return [source.split('/').pop() ?? source, source];
  if (separators === 1 && source.startsWith('=')) {
    throw new KustomizeError(
      `missing key name for file path "${source.slice(1)}" in source "${source}"`,
      'kustomize/invalid-generator',
    );
  }
  if (separators === 1 && source.endsWith('=')) {
    throw new KustomizeError(
      `missing file path for key name "${source.slice(0, -1)}" in source "${source}"`,
      'kustomize/invalid-generator',
    );
  }
  if (separators > 1) {
    throw new KustomizeError(
      `source "${source}" key name or file path contains '='`,
      'kustomize/invalid-generator',
    );
  }
  const [key = '', path = ''] = source.split('=');
  return [key, path];
}

/** Env file lines: `KEY=value` kept verbatim (quotes too); `KEY` alone is an empty value. */
function parseEnvFile(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (index === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    line = line.replace(/^\s+/u, '');
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    if (equals < 0) pairs.push([line, '']);
    else pairs.push([line.slice(0, equals), line.slice(equals + 1)]);
  });
  return pairs;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A value as text, or raw bytes when it is not valid UTF-8. */
type PairValue = string | Uint8Array;

async function loadPairs(
  args: GeneratorArgs,
  files: GeneratorFiles,
): Promise<Map<string, PairValue>> {
  const pairs: [string, PairValue][] = [];
  for (const env of args.envs) pairs.push(...parseEnvFile(await files.text(env)));
  for (const literal of args.literals) pairs.push(parseLiteral(literal));
  for (const source of args.files) {
    const [key, path] = parseFileSource(source);
    const bytes = await files.bytes(path);
    pairs.push([key, decodeUtf8(bytes) ?? bytes]);
  }
  const result = new Map<string, PairValue>();
  for (const [key, value] of pairs) {
    if (result.has(key)) {
      throw new KustomizeError(
        `${args.kind.toLowerCase()} ${args.name} illegally repeats the key \`${key}\``,
        'kustomize/invalid-generator',
      );
    }
    result.set(key, value);
  }
  return result;
}

/** Base64 in lines of 70 characters, each followed by a newline when there is more than one. */
export function encodeBase64(value: PairValue): string {
  const encoded = Buffer.from(
    typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
  ).toString('base64');
  const lineLength = 70;
  const lines = Math.floor(encoded.length / lineLength) + 1;
  if (lines <= 1) return encoded;
  let out = '';
  for (let index = 0; index < encoded.length; index += lineLength) {
    out += `${encoded.slice(index, index + lineLength)}\n`;
  }
  return out;
}

const sortedEntries = <T>(map: Map<string, T>): [string, T][] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export type Behavior = 'create' | 'merge' | 'replace' | 'unspecified';

export function generationBehavior(text: string | undefined): Behavior {
  return text === 'create' || text === 'merge' || text === 'replace' ? text : 'unspecified';
}

/** Builds the ConfigMap or Secret of one generator entry. */
export async function generate(
  args: GeneratorArgs,
  files: GeneratorFiles,
  origin: Origin,
): Promise<Resource> {
  const pairs = await loadPairs(args, files);
  const metadata: JsonMap = { name: args.name };
  if (args.namespace) metadata.namespace = args.namespace;
  const object: JsonMap = { apiVersion: 'v1', kind: args.kind, metadata };
  if (args.kind === 'Secret') {
    object.type = args.type ?? 'Opaque';
    const data: JsonMap = {};
    for (const [key, value] of sortedEntries(pairs)) data[key] = encodeBase64(value);
    object.data = data;
  } else {
    const data: JsonMap = {};
    const binaryData: JsonMap = {};
    for (const [key, value] of sortedEntries(pairs)) {
      if (typeof value === 'string') data[key] = value;
      else binaryData[key] = encodeBase64(value);
    }
    if (Object.keys(binaryData).length > 0) object.binaryData = binaryData;
    if (Object.keys(data).length > 0) object.data = data;
  }
  const options = args.options;
  if (options?.labels && Object.keys(options.labels).length > 0)
    metadata.labels = { ...options.labels };
  if (options?.annotations && Object.keys(options.annotations).length > 0) {
    metadata.annotations = { ...options.annotations };
  }
  if (options?.immutable) object.immutable = true;
  const resource = new Resource(object, origin);
  resource.needsHash = options?.disableNameSuffixHash !== true;
  resource.behavior = generationBehavior(args.behavior);
  return resource;
}

function setStringMap(metadata: JsonMap, field: string, map: Record<string, string>): void {
  if (Object.keys(map).length === 0) deleteKey(metadata, field);
  else metadata[field] = map;
}

function setDataMap(
  object: JsonMap,
  field: 'data' | 'binaryData',
  map: Record<string, string>,
): void {
  deleteKey(object, field);
  if (Object.keys(map).length > 0) object[field] = map;
}

/**
 * `behavior: merge|replace`: the generated object takes the place of the existing one, with
 * its name, namespace and build state; labels and annotations merged; for merge, data too.
 */
export function absorbGenerated(
  existing: Resource,
  generated: Resource,
  behavior: 'merge' | 'replace',
): Resource {
  const metadata = generated.ensureMetadata();
  setStringMap(metadata, 'labels', { ...existing.labels(), ...generated.labels() });
  setStringMap(metadata, 'annotations', { ...existing.annotations(), ...generated.annotations() });
  generated.name = existing.name;
  generated.namespace = existing.namespace;
  generated.copyBuildStateFrom(existing);
  if (behavior === 'merge') {
    const data = { ...stringMap(existing.object.data), ...stringMap(generated.object.data) };
    setDataMap(generated.object, 'data', data);
    const binary = {
      ...stringMap(existing.object.binaryData),
      ...stringMap(generated.object.binaryData),
    };
    setDataMap(generated.object, 'binaryData', binary);
    generated.origin = existing.origin;
  }
  if (!isRecord(generated.object.metadata)) generated.object.metadata = metadata;
  return generated;
}
