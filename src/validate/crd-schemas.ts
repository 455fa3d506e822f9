/**
 * CRDs in the tree are schemas (as kubectl-validate does): every apiextensions.k8s.io/v1
 * CustomResourceDefinition of the run (inputs and `--crd-dir`) gives the schema of its served
 * versions, ahead of the built-in CRD schemas. A kind's OpenAPI v3 schema is converted to
 * draft-07 and compiled only when an object of that kind is checked, once per run.
 *
 * The conversion follows the API server: unknown fields are errors unless
 * `x-kubernetes-preserve-unknown-fields` (only for structural CRDs, and only with `strict`);
 * `nullable` and optional fields accept null (pruned before validation); defaults are ignored;
 * root `metadata` and embedded resources' `metadata` are ObjectMeta.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { CelRuleChecker, CrdValidationRule } from './crd-cel.js';
import { UsageError } from '../errors.js';
import { manifestStream, type ManifestResource, type Path } from './documents.js';
import type { Finding } from './findings.js';
import { isRecord } from './object-paths.js';
import { openApiListShape, type ListShape } from './list-semantics.js';
import type { SchemaLookup } from './schema-check.js';
import type { JsonSchema } from './schemas.js';
import { structuralIssues, versionSchemas } from './crd-structural.js';

/** What compiles the converted schemas: the built-in store, which also holds ObjectMeta. */
export interface CrdCompiler {
  compileSchema(schema: JsonSchema): ValidateFunction;
  /** `$ref` of the built-in ObjectMeta definition, when the built-in schemas are loaded. */
  objectMetaRef(): string | undefined;
}

export type { CrdValidationRule } from './crd-cel.js';

interface CrdEntry {
  schema: Record<string, unknown>;
  structural: boolean;
  validate?: ValidateFunction;
  rules?: CrdValidationRule[];
}

const CRD_API_VERSION = 'apiextensions.k8s.io/v1';

/** Formats the API server checks and our ajv knows; int32/int64 become ranges, others are dropped. */
const KNOWN_FORMATS = new Set(['date-time', 'byte']);
const INT_RANGES: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  int64: [-(2 ** 63), 2 ** 63],
};

/** Value keywords copied as they are (OpenAPI v3 and draft-07 agree on them). */
const COPIED = [
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
  'minProperties',
  'maxProperties',
] as const;

interface ConvertContext {
  strict: boolean;
  metaRef: string | undefined;
  rules: CrdValidationRule[];
}

function metadataSchema(context: ConvertContext, restriction?: unknown): JsonSchema {
  const meta: JsonSchema =
    context.metaRef === undefined ? { type: 'object' } : { type: 'object', $ref: context.metaRef };
  // A CRD may restrict name and generateName (the only metadata it may speak of).
  const converted = isRecord(restriction) ? convertNested(restriction, context) : undefined;
  return converted && isRecord(converted.properties)
    ? { allOf: [meta, { properties: converted.properties }] }
    : meta;
}

/** A JavaScript-compatible pattern, or undefined (Go RE2 syntax such as `(?i)` is dropped). */
function usablePattern(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return undefined;
  try {
    new RegExp(pattern, 'u');
    return pattern;
  } catch {
    return undefined;
  }
}

/** Value validations of a node, shared by schemas and nested junctors. */
function convertValues(
  node: Record<string, unknown>,
  out: JsonSchema,
  context: ConvertContext,
): void {
  for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
  if (Array.isArray(node.required)) {
    // The API server defaults before it validates: a required field with a default is never missing.
    const properties = isRecord(node.properties) ? node.properties : {};
    const required = (node.required as unknown[]).filter((name) => {
      const property = typeof name === 'string' ? properties[name] : undefined;
      return !(isRecord(property) && property.default !== undefined);
    });
    if (required.length > 0) out.required = required;
  }
  if (Array.isArray(node.enum)) out.enum = node.enum;
  const pattern = usablePattern(node.pattern);
  if (pattern !== undefined) out.pattern = pattern;
  // OpenAPI v3 exclusive bounds are booleans beside minimum/maximum; draft-07's are numbers.
  for (const [bound, exclusive] of [
    ['minimum', 'exclusiveMinimum'],
    ['maximum', 'exclusiveMaximum'],
  ] as const) {
    if (typeof node[bound] !== 'number') continue;
    if (node[exclusive] === true) out[exclusive] = node[bound];
    else out[bound] = node[bound];
  }
  if (typeof node.format === 'string') {
    const range = INT_RANGES[node.format];
    if (range && (node.type === 'integer' || node.type === undefined)) {
      out.minimum ??= range[0];
      out.maximum ??= range[1];
    } else if (KNOWN_FORMATS.has(node.format) && node.type === 'string') out.format = node.format;
  }
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[junctor];
    if (Array.isArray(list) && list.length > 0)
      out[junctor] = list.map((child) => (isRecord(child) ? convertNested(child, context) : {}));
  }
  if (isRecord(node.not)) out.not = convertNested(node.not, context);
}

/** Inside allOf/anyOf/oneOf/not: value validations only, no strictness of their own. */
function convertNested(node: Record<string, unknown>, context: ConvertContext): JsonSchema {
  const out: JsonSchema = {};
  if (typeof node.type === 'string') out.type = node.type;
  convertValues(node, out, context);
  if (isRecord(node.properties)) {
    const properties: JsonSchema = {};
    for (const [name, child] of Object.entries(node.properties))
      if (isRecord(child)) properties[name] = convertNested(child, context);
    out.properties = properties;
  }
  if (isRecord(node.items)) out.items = convertNested(node.items, context);
  return out;
}

type Level = 'root' | 'child';

function isIntOrStringAnyOf(list: unknown): boolean {
  return (
    Array.isArray(list) &&
    list.length === 2 &&
    list.every((item, index) => isRecord(item) && item.type === ['integer', 'string'][index])
  );
}

function convert(
  node: Record<string, unknown>,
  context: ConvertContext,
  options: { level: Level; nullable: boolean; path: Path },
): JsonSchema {
  const out: JsonSchema = {};
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = node['x-kubernetes-embedded-resource'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const nullable = options.nullable || node.nullable === true;
  const type = embedded ? 'object' : node.type;
  if (Array.isArray(node['x-kubernetes-validations'])) {
    // Hook for the CEL check: rules are collected with their place, not evaluated here.
    for (const rule of node['x-kubernetes-validations'] as unknown[]) {
      if (isRecord(rule) && typeof rule.rule === 'string')
        context.rules.push({
          path: options.path,
          rule: rule.rule,
          ...(typeof rule.message === 'string' ? { message: rule.message } : {}),
          ...(typeof rule.messageExpression === 'string'
            ? { messageExpression: rule.messageExpression }
            : {}),
          ...(typeof rule.reason === 'string' ? { reason: rule.reason } : {}),
          ...(typeof rule.fieldPath === 'string' ? { fieldPath: rule.fieldPath } : {}),
        });
    }
  }
  if (typeof type === 'string' && !intOrString) out.type = nullable ? [type, 'null'] : type;
  convertValues(node, out, context);
  if (intOrString) {
    // One union type (one error), in place of the anyOf pattern that usually spells it out.
    out.type = ['integer', 'string', ...(nullable ? ['null'] : [])];
    if (isIntOrStringAnyOf(out.anyOf)) delete out.anyOf;
  }
  if (nullable && Array.isArray(out.enum) && !out.enum.includes(null))
    out.enum = [...(out.enum as unknown[]), null];
  const required = new Set(Array.isArray(node.required) ? (node.required as unknown[]) : []);
  const properties: JsonSchema = {};
  if (isRecord(node.properties)) {
    for (const [name, child] of Object.entries(node.properties)) {
      if (!isRecord(child)) continue;
      properties[name] = convert(child, context, {
        level: 'child',
        nullable: !required.has(name),
        path: [...options.path, name],
      });
    }
  }
  if (options.level === 'root' || embedded) {
    // apiVersion, kind and metadata are implied at the root and for embedded objects.
    properties.apiVersion ??= { type: 'string' };
    properties.kind ??= { type: 'string' };
    properties.metadata = metadataSchema(
      context,
      options.level === 'root' && isRecord(node.properties) ? node.properties.metadata : undefined,
    );
    if (embedded)
      out.required = [
        ...new Set([
          ...(Array.isArray(out.required) ? (out.required as string[]) : []),
          'apiVersion',
          'kind',
        ]),
      ];
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (isRecord(node.additionalProperties)) {
    out.additionalProperties = convert(node.additionalProperties, context, {
      level: 'child',
      nullable: false,
      path: [...options.path, '*'],
    });
  } else if (
    node.additionalProperties === false ||
    (context.strict && type === 'object' && !preserve && node.additionalProperties === undefined)
  ) {
    // Structural objects prune unknown fields; kubectl's strict validation reports them.
    out.additionalProperties = false;
  }
  if (isRecord(node.items)) {
    out.items = convert(node.items, context, {
      level: 'child',
      nullable: false,
      path: [...options.path, '*'],
    });
  }
  return out;
}

/**
 * The draft-07 schema of one CRD version, ready for ajv, and its `x-kubernetes-validations`.
 * `strict` is only honoured for a structural schema: a non-structural one prunes nothing.
 */
export function convertCrdSchema(
  schema: Record<string, unknown>,
  options: { strict: boolean; structural: boolean; metaRef: string | undefined },
): { schema: JsonSchema; rules: CrdValidationRule[] } {
  const context: ConvertContext = {
    strict: options.strict && options.structural,
    metaRef: options.metaRef,
    rules: [],
  };
  const converted = convert(schema, context, { level: 'root', nullable: false, path: [] });
  return { schema: converted, rules: context.rules };
}

function isCrd(object: Record<string, unknown>): boolean {
  return object.apiVersion === CRD_API_VERSION && object.kind === 'CustomResourceDefinition';
}

/**
 * The CRDs of one run, keyed `<group>/<version>/<Kind>`, and a schema lookup that puts them
 * ahead of another one (the built-in store or the schema locations).
 */
export class CrdSchemas implements SchemaLookup {
  readonly #entries = new Map<string, CrdEntry>();
  /** The CEL check (crd-cel.ts), loaded by prepare() only when a kind with rules is met. */
  #cel: CelRuleChecker | undefined;

  constructor(
    private readonly inner: SchemaLookup,
    private readonly compiler: CrdCompiler,
    private readonly strict: boolean,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Registers a CRD's served versions; the first CRD of a group/version/kind wins. */
  add(object: Record<string, unknown>): void {
    if (!isCrd(object)) return;
    const spec = isRecord(object.spec) ? object.spec : {};
    const names = isRecord(spec.names) ? spec.names : {};
    if (typeof spec.group !== 'string' || typeof names.kind !== 'string') return;
    for (const { version, schema } of versionSchemas(object)) {
      if (typeof version.name !== 'string' || version.served === false || !isRecord(schema))
        continue;
      const key = `${spec.group}/${version.name}/${names.kind}`;
      if (this.#entries.has(key)) continue;
      this.#entries.set(key, { schema, structural: structuralIssues(schema).length === 0 });
    }
  }

  /** Every CRD in a text (a file or standard input) that mentions one. */
  addFromText(file: string, text: string): void {
    if (!text.includes('CustomResourceDefinition')) return;
    for (const resource of manifestStream(file, text, [])) this.add(resource.object);
  }

  addFromFile(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // the pipeline reports unreadable inputs
    }
    this.addFromText(path, text);
  }

  /** `--crd-dir`: every .yaml, .yml and .json file below the folder. */
  addDirectory(directory: string): void {
    let names: string[];
    try {
      if (!statSync(directory).isDirectory()) throw new Error('not a folder');
      names = readdirSync(directory, { recursive: true, encoding: 'utf8' });
    } catch (error) {
      throw new UsageError(
        `--crd-dir ${directory} is not a readable folder (${error instanceof Error ? error.message : String(error)})`,
        'give a folder holding CustomResourceDefinition manifests',
      );
    }
    for (const name of names.sort()) {
      if (/\.(ya?ml|json)$/i.test(name)) this.addFromFile(join(directory, name));
    }
  }

  has(apiVersion: string, kind: string): boolean {
    return this.#entries.has(`${apiVersion}/${kind}`);
  }

  /** The `x-kubernetes-validations` of a kind, for the CEL check (empty until compiled). */
  validationRules(apiVersion: string, kind: string): readonly CrdValidationRule[] {
    return this.#entries.get(`${apiVersion}/${kind}`)?.rules ?? [];
  }

  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const entry = this.#entries.get(`${apiVersion}/${kind}`);
    if (!entry) return this.inner.validatorFor(apiVersion, kind);
    if (!entry.validate) {
      const { schema, rules } = convertCrdSchema(entry.schema, {
        strict: this.strict,
        structural: entry.structural,
        metaRef: this.compiler.objectMetaRef(),
      });
      try {
        entry.validate = this.compiler.compileSchema(schema);
      } catch {
        // A schema ajv cannot take (it is the CRD's problem): the object is still known.
        entry.validate = this.compiler.compileSchema({ type: 'object' });
      }
      entry.rules = rules;
    }
    return entry.validate;
  }

  async prepare(apiVersion: string, kind: string): Promise<void> {
    if (!this.has(apiVersion, kind)) {
      await this.inner.prepare?.(apiVersion, kind);
      return;
    }
    this.validatorFor(apiVersion, kind); // converts the schema, which collects the rules
    if (this.#cel === undefined && this.validationRules(apiVersion, kind).length > 0) {
      const { CelRuleChecker } = await import('./crd-cel.js');
      this.#cel = new CelRuleChecker();
    }
  }

  /** Whether the CEL library was loaded in this run (for tests: never without rules). */
  get celLoaded(): boolean {
    return this.#cel !== undefined;
  }

  /** Findings of the `x-kubernetes-validations` rules on a custom resource (after prepare). */
  ruleFindings(resource: ManifestResource): Finding[] {
    const { apiVersion, kind } = resource.id;
    const rules = this.validationRules(apiVersion, kind);
    return this.#cel && rules.length > 0 ? this.#cel.check(resource, rules) : [];
  }

  allowedKeys(apiVersion: string, kind: string, path: readonly (string | number)[]): string[] {
    // Errors of CRD validators carry their schema: only the inner lookup needs this.
    return this.has(apiVersion, kind)
      ? []
      : (this.inner.allowedKeys?.(apiVersion, kind, path) ?? []);
  }

  learnCrd(object: Record<string, unknown>): void {
    this.add(object);
  }

  customListShape(apiVersion: string, kind: string): ListShape | undefined {
    const entry = this.#entries.get(`${apiVersion}/${kind}`);
    // The API server checks list types only for structural schemas (which may carry them).
    return entry?.structural ? openApiListShape(entry.schema) : undefined;
  }
}
