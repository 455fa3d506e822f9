/**
 * The name suffix of generated ConfigMaps and Secrets, computed exactly as
 * sigs.k8s.io/kustomize/api/hasher does: Go's `json.Marshal` of
 * `{kind, name, data[, binaryData]}` (ConfigMap) or `{kind, type, name, data[, stringData]}`
 * (Secret), SHA-256, the first 10 hex digits with 0,1,3,a,e mapped to g,h,k,m,t.
 *
 * One quirk matters: the hasher looks the name up with `yaml.Lookup("metadata/name")`, a single
 * field literally called "metadata/name", which never exists, so `name` is always "" and the
 * suffix depends on kind, type and data only (checked against kubectl kustomize v5.5.0).
 */
import { createHash } from 'node:crypto';
import { isNullish, isRecord, scalarText, type JsonMap } from './values.js';

const HTML_AND_SEPARATORS: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string as Go's encoding/json writes it (HTML-escaped, lone surrogates as U+FFFD). */
export function goJsonString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (code < 0x20) out += `\\u00${code.toString(16).padStart(2, '0')}`;
    else if (HTML_AND_SEPARATORS[char] !== undefined) out += HTML_AND_SEPARATORS[char];
    else if (code >= 0xd800 && code <= 0xdfff) out += '\ufffd';
    else out += char;
  }
  return `${out}"`;
}

function goBytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** Go's json.Marshal of decoded YAML data: maps with keys sorted bytewise. */
export function goJson(value: unknown): string {
  if (isNullish(value)) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort((a, b) => Buffer.compare(goBytes(a), goBytes(b)));
    return `{${keys.map((key) => `${goJsonString(key)}:${goJson(value[key])}`).join(',')}}`;
  }
  return 'null';
}

/** The 10-character suffix from a hex SHA-256 (hasher.encode). */
export function encodeHash(hex: string): string {
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return hex.slice(0, 10).replace(/[013ae]/g, (char) => map[char] ?? char);
}

/** A node value as `getNodeValues` reads it: maps as decoded JSON, scalars as their text. */
function nodeValue(object: JsonMap, path: readonly string[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (!isRecord(current) || !(key in current)) return '';
    current = current[key];
  }
  if (isRecord(current)) return current;
  if (Array.isArray(current)) return null;
  if (isNullish(current)) return current === null ? 'null' : '';
  return scalarText(current);
}

/** The hash suffix of a ConfigMap or Secret. */
export function generatedNameHash(object: JsonMap): string {
  const kind = scalarText(object.kind);
  const encoded: JsonMap =
    kind === 'Secret'
      ? {
          kind: 'Secret',
          type: nodeValue(object, ['type']),
          name: nodeValue(object, ['metadata/name']),
          data: nodeValue(object, ['data']),
        }
      : {
          kind: 'ConfigMap',
          name: nodeValue(object, ['metadata/name']),
          data: nodeValue(object, ['data']),
        };
  const extra = kind === 'Secret' ? 'stringData' : 'binaryData';
  const extraValue = nodeValue(object, [extra]);
  if (isRecord(extraValue)) encoded[extra] = extraValue;
  const json = kind === 'Secret' || kind === 'ConfigMap' ? goJson(encoded) : goJson(object);
  return encodeHash(createHash('sha256').update(json, 'utf8').digest('hex'));
}
