/**
 * The Kubernetes objects in a YAML file, as the change summary sees them: identity, the
 * object's own text with Secret values redacted, and the few fields a reviewer cares about
 * (retention, replicas, container resources and images, storage sizes). Pure.
 */
import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { FieldChange } from './types.js';

/** One Kubernetes object found in a file. */
export interface ParsedResource {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** The object's text in the file (comments before it left out), Secret values redacted. */
  text: string;
  /** Notable fields, in a stable order, with their values as text. */
  fields: Map<string, string>;
}

/** What a YAML file holds for the summary. */
export interface ParsedFile {
  resources: ParsedResource[];
  /** Notable fields of kustomize config (images, replicas, secretGenerator literals). */
  kustomizeFields: Map<string, string>;
}

/**
 * Shown instead of a Secret value in any text. No hash of the value either: a short unsalted
 * hash of a weak password (`admin`) gives it away by dictionary lookup.
 */
export function redactedValue(): string {
  return '<redacted>';
}

/**
 * What a Secret value is compared by, never shown: fieldChanges turns a difference into
 * "<redacted> → <redacted, changed>".
 */
const secretPrefix = '\u0000secret:';
function secretFingerprint(value: string): string {
  return `${secretPrefix}${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

export const absent = '(none)';

/** JSON text of a parsed YAML value (`JSON.stringify` gives no text for undefined). */
export function jsonText(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

const unparseableSecret =
  '# gitops-gen: this file does not parse as YAML and may hold Secret values; not shown\n';

/**
 * `text` with every Secret `data`/`stringData` value and every kustomize secretGenerator
 * literal value replaced by `<redacted sha256:…>`, the rest byte for byte. A file that does not
 * parse but mentions a Secret is replaced by a one-line note.
 */
export function redactSecrets(text: string): string {
  if (!/Secret|secretGenerator/.test(text)) return text;
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, { prettyErrors: false }) as Document.Parsed[];
  } catch {
    return unparseableSecret;
  }
  const edits: Edit[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) return unparseableSecret;
    edits.push(...secretEdits(document));
  }
  return applyEdits(text, edits, 0);
}

/** Parses a YAML file; undefined when it is not YAML that parses (any document broken). */
export function parseFile(text: string): ParsedFile | undefined {
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, { prettyErrors: false }) as Document.Parsed[];
  } catch {
    return undefined;
  }
  if (documents.some((document) => document.errors.length > 0)) return undefined;
  const parsed: ParsedFile = { resources: [], kustomizeFields: new Map() };
  for (const document of documents) {
    const contents = document.contents;
    if (!contents || !isMap(contents)) continue;
    let object: unknown;
    try {
      object = document.toJS({ maxAliasCount: 100 });
    } catch {
      continue;
    }
    if (!isRecord(object)) continue;
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') continue;
    if (isKustomize(apiVersion)) {
      for (const [field, value] of kustomizeFields(object))
        parsed.kustomizeFields.set(field, value);
      continue;
    }
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    const name =
      typeof metadata.name === 'string'
        ? metadata.name
        : typeof metadata.generateName === 'string'
          ? metadata.generateName
          : '(unnamed)';
    const edits = secretEdits(document);
    const [start, , end] = contents.range;
    const resource: ParsedResource = {
      apiVersion,
      kind,
      name,
      text: withNewline(applyEdits(text.slice(start, end), edits, start)),
      fields: notableFields(object),
    };
    if (typeof metadata.namespace === 'string') resource.namespace = metadata.namespace;
    parsed.resources.push(resource);
  }
  return parsed;
}

/** Field changes between two field maps, in the order the fields were found. */
export function fieldChanges(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const keys = [...before.keys(), ...[...after.keys()].filter((key) => !before.has(key))];
  for (const field of keys) {
    const old = before.get(field) ?? absent;
    const value = after.get(field) ?? absent;
    if (old === value) continue;
    const shown = (text: string, changed: boolean): string =>
      text.startsWith(secretPrefix) ? (changed ? '<redacted, changed>' : '<redacted>') : text;
    changes.push({ field, before: shown(old, false), after: shown(value, old !== absent) });
  }
  return changes;
}

function isKustomize(apiVersion: string): boolean {
  return apiVersion.startsWith('kustomize.config.k8s.io/');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withNewline(text: string): string {
  const trimmed = text.replace(/\n+$/, '');
  return `${trimmed}\n`;
}

// --- redaction ----------------------------------------------------------------------------

interface Edit {
  start: number;
  end: number;
  text: string;
}

function secretEdits(document: Document.Parsed): Edit[] {
  const contents = document.contents;
  if (!contents || !isMap(contents)) return [];
  const kindNode = contents.get('kind', true);
  const apiVersionNode = contents.get('apiVersion', true);
  const kind: unknown = isScalar(kindNode) ? kindNode.value : undefined;
  const apiVersion: unknown = isScalar(apiVersionNode) ? apiVersionNode.value : undefined;
  const edits: Edit[] = [];
  if (kind === 'Secret' && !(typeof apiVersion === 'string' && isKustomize(apiVersion))) {
    for (const key of ['data', 'stringData']) {
      const values = contents.get(key, true);
      if (isMap(values)) {
        for (const pair of values.items) {
          if (pair.value && typeof pair.value === 'object' && 'range' in pair.value) {
            edits.push(redactNode(pair.value as Node));
          }
        }
      } else if (values && typeof values === 'object' && 'range' in values) {
        edits.push(redactNode(values as Node));
      }
    }
  }
  if (typeof apiVersion === 'string' && isKustomize(apiVersion)) {
    const generators = contents.get('secretGenerator', true);
    if (isSeq(generators)) {
      for (const generator of generators.items) {
        if (!isMap(generator)) continue;
        const literals = generator.get('literals', true);
        if (!isSeq(literals)) continue;
        for (const literal of literals.items) {
          if (isScalar(literal) && typeof literal.value === 'string' && literal.range) {
            const text = literal.value;
            const equals = text.indexOf('=');
            const key = equals === -1 ? '' : text.slice(0, equals + 1);
            edits.push(replaceNode(literal, `${key}${redactedValue()}`));
          }
        }
      }
    }
  }
  return edits;
}

/** A Secret value's node, replaced by the redaction mark. */
function redactNode(node: Node): Edit {
  return replaceNode(node, redactedValue());
}

/** Replaces a node's source text by a plain scalar (keeping a line break it ended with). */
function replaceNode(node: Node, replacement: string): Edit {
  const [start, valueEnd] = node.range ?? [0, 0, 0];
  return { start, end: valueEnd, text: replacement };
}

/** Applies edits (positions relative to the whole file) to `text` that starts at `base`. */
function applyEdits(text: string, edits: readonly Edit[], base: number): string {
  const sorted = [...edits].sort((x, y) => y.start - x.start);
  let result = text;
  for (const edit of sorted) {
    const start = edit.start - base;
    const end = edit.end - base;
    if (start < 0 || end > text.length) continue;
    const original = result.slice(start, end);
    const newline = original.endsWith('\n') ? '\n' : '';
    result = result.slice(0, start) + edit.text + newline + result.slice(end);
  }
  return result;
}

// --- notable fields -----------------------------------------------------------------------

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return undefined;
  return jsonText(value);
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function put(fields: Map<string, string>, field: string, value: unknown): void {
  const text = scalarText(value);
  if (text !== undefined && !fields.has(field)) fields.set(field, text);
}

const retentionFlags: [RegExp, string][] = [
  [/^--storage\.tsdb\.retention\.time(?:=(.*))?$/, 'retention.time'],
  [/^--storage\.tsdb\.retention\.size(?:=(.*))?$/, 'retention.size'],
  [/^--storage\.tsdb\.retention(?:=(.*))?$/, 'retention.time'],
];

function notableFields(object: Record<string, unknown>): Map<string, string> {
  const fields = new Map<string, string>();
  const kind = object.kind;
  const spec = at(object, 'spec');

  if (kind === 'Secret') {
    for (const key of ['data', 'stringData']) {
      const values = at(object, key);
      if (!isRecord(values)) continue;
      for (const name of Object.keys(values).sort()) {
        const value = values[name];
        fields.set(
          `${key}.${name}`,
          secretFingerprint(typeof value === 'string' ? value : jsonText(value)),
        );
      }
    }
    return fields;
  }

  put(fields, 'replicas', at(spec, 'replicas'));

  if (kind === 'Prometheus' || kind === 'Alertmanager') {
    put(fields, 'retention.time', at(spec, 'retention'));
    put(fields, 'retention.size', at(spec, 'retentionSize'));
    put(fields, 'image', at(spec, 'image'));
    put(fields, 'version', at(spec, 'version'));
    for (const group of ['requests', 'limits']) {
      const values = at(spec, 'resources', group);
      if (isRecord(values)) {
        for (const name of Object.keys(values).sort()) {
          put(fields, `resources.${group}.${name}`, values[name]);
        }
      }
    }
    put(
      fields,
      'storage',
      at(spec, 'storage', 'volumeClaimTemplate', 'spec', 'resources', 'requests', 'storage'),
    );
  }

  if (kind === 'PersistentVolumeClaim') {
    put(fields, 'storage', at(spec, 'resources', 'requests', 'storage'));
  }

  const podSpec =
    kind === 'Pod'
      ? spec
      : kind === 'CronJob'
        ? at(spec, 'jobTemplate', 'spec', 'template', 'spec')
        : at(spec, 'template', 'spec');
  for (const list of ['initContainers', 'containers']) {
    for (const container of records(at(podSpec, list))) {
      const name = typeof container.name === 'string' ? container.name : '?';
      const prefix = `${list}[${name}]`;
      const args = [...strings(container.command), ...strings(container.args)];
      for (let index = 0; index < args.length; index++) {
        const arg = args[index] ?? '';
        for (const [pattern, field] of retentionFlags) {
          const match = pattern.exec(arg);
          if (!match) continue;
          put(fields, field, match[1] ?? args[index + 1]);
          break;
        }
      }
      put(fields, `${prefix}.image`, container.image);
      for (const group of ['requests', 'limits']) {
        const values = at(container, 'resources', group);
        if (!isRecord(values)) continue;
        for (const resource of Object.keys(values).sort()) {
          put(fields, `${prefix}.resources.${group}.${resource}`, values[resource]);
        }
      }
    }
  }

  for (const template of records(at(spec, 'volumeClaimTemplates'))) {
    const name = scalarText(at(template, 'metadata', 'name')) ?? '?';
    put(
      fields,
      `volumeClaimTemplates[${name}].storage`,
      at(template, 'spec', 'resources', 'requests', 'storage'),
    );
  }
  return fields;
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

/** Image tags, replica counts and (redacted) secretGenerator literals of a kustomization. */
function kustomizeFields(object: Record<string, unknown>): Map<string, string> {
  const fields = new Map<string, string>();
  put(fields, 'namespace', object.namespace);
  for (const image of records(object.images)) {
    const name = scalarText(image.name) ?? '?';
    put(fields, `images[${name}].newName`, image.newName);
    put(fields, `images[${name}].newTag`, image.newTag);
    put(fields, `images[${name}].digest`, image.digest);
  }
  for (const replica of records(object.replicas)) {
    put(fields, `replicas[${scalarText(replica.name) ?? '?'}]`, replica.count);
  }
  for (const generator of records(object.secretGenerator)) {
    const name = scalarText(generator.name) ?? '?';
    for (const literal of strings(generator.literals)) {
      const equals = literal.indexOf('=');
      const key = equals === -1 ? literal : literal.slice(0, equals);
      const value = equals === -1 ? '' : literal.slice(equals + 1);
      put(fields, `secretGenerator[${name}].${key}`, secretFingerprint(value));
    }
  }
  return fields;
}
