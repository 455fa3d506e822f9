/**
 * Owns the JSON Schemas that manifests are validated against: reads the bundles that
 * scripts/generate-schemas.mjs writes at build time (generated/schemas/kubernetes.json for the
 * built-in kinds of one Kubernetes release, crds.json for the Argo CD, Flux, prometheus-operator,
 * External Secrets and Sealed Secrets CRDs) and compiles them with ajv: one Ajv instance, each
 * bundle's definitions added once when a kind of it is first asked for, and one compiled
 * function per kind, cached. Knows nothing of files, YAML or findings: callers pass the parsed
 * object to the returned function and read its ajv errors.
 *
 * Like the API server, a `null` for an optional field is accepted (it means "absent"), and a null
 * for a required one is an error. With `strict: false`, unknown fields are allowed: the
 * `additionalProperties: false` of the definitions marked `x-gitops-gen-strict` is dropped.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { requirePrecompiled } from '../precompiled.js';
import { _, Ajv, type ValidateFunction } from 'ajv';

/** One JSON Schema (draft-07) object, as read from a bundle. */
export type JsonSchema = Record<string, unknown>;

/** The shape of generated/schemas/*.json. */
export interface SchemaBundle {
  /** The npm packages the bundle was generated from: `name@version, ...`. */
  source: string;
  /** The Kubernetes release of the built-in kinds (kubernetes.json only), e.g. `1.36`. */
  kubernetesVersion?: string;
  /** Draft-07 schemas; references are `{ "$ref": "#/definitions/<Name>" }`. */
  definitions: Record<string, JsonSchema>;
  /** `<apiVersion>/<Kind>` (`apps/v1/Deployment`, `v1/Service`) -> definition name. */
  kinds: Record<string, string>;
}

export interface SchemaValidatorOptions {
  /** Keep generated source so that standaloneModule() can write precompiled validators. */
  forStandalone?: boolean;

  /**
   * The bundles, or a function that reads them: called only when a kind has no precompiled
   * validator (or a hint needs the schema), so that a run over precompiled kinds skips it.
   */
  bundles: readonly SchemaBundle[] | (() => readonly SchemaBundle[]);
  /** Reject fields that the schema does not know (kubectl's `--validate=strict`). */
  strict: boolean;
}

/** The files scripts/generate-schemas.mjs writes, in lookup order. */
export const SCHEMA_BUNDLE_FILES = ['kubernetes.json', 'crds.json'] as const;

/** Marks the object definitions whose `additionalProperties: false` is dropped when not strict. */
export const STRICT_KEYWORD = 'x-gitops-gen-strict';

/** Works from src/validate (tests) and dist/validate (the built package) alike. */
function defaultDirectory(): URL {
  return new URL('../../generated/schemas/', import.meta.url);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((entry) => typeof entry === 'string');
}

function parseBundle(text: string, where: string): SchemaBundle {
  const data: unknown = JSON.parse(text);
  if (
    !isRecord(data) ||
    typeof data.source !== 'string' ||
    !isRecord(data.definitions) ||
    !Object.values(data.definitions).every(isRecord) ||
    !isStringRecord(data.kinds) ||
    (data.kubernetesVersion !== undefined && typeof data.kubernetesVersion !== 'string')
  ) {
    throw new Error(`${where} is not a schema bundle; regenerate it with npm run build`);
  }
  return {
    source: data.source,
    ...(data.kubernetesVersion === undefined ? {} : { kubernetesVersion: data.kubernetesVersion }),
    definitions: data.definitions as Record<string, JsonSchema>,
    kinds: data.kinds,
  };
}

/**
 * Reads the generated bundles (kubernetes.json, then crds.json) from `directory`, by default the
 * package's generated/schemas/. Reads on every call; a missing file is an installation problem.
 */
export function loadSchemaBundles(options: { directory?: string } = {}): SchemaBundle[] {
  const directory =
    options.directory === undefined
      ? defaultDirectory()
      : pathToFileURL(`${resolve(options.directory)}/`);
  return SCHEMA_BUNDLE_FILES.map((file) => {
    const url = new URL(file, directory);
    let text: string;
    try {
      text = readFileSync(url, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `cannot read the generated schema ${fileURLToPath(url)} (${reason}); ` +
          'run `npm run build` (node scripts/generate-schemas.mjs) to generate it',
        { cause: error },
      );
    }
    return parseBundle(text, fileURLToPath(url));
  });
}

/**
 * The formats, as regular expressions only, so that precompiled (standalone) validators can
 * carry them: RFC 3339 as Go's time.RFC3339 reads it (metav1.Time), and standard base64 with
 * padding ([]byte fields such as Secret data) where Go skips line breaks. int32 and int64 become
 * minimum and maximum in prepareSchema.
 */
const formatSource = {
  'date-time': String.raw`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$`,
  byte: String.raw`^(?:(?:[A-Za-z0-9+/][\r\n]*){4})*(?:(?:[A-Za-z0-9+/][\r\n]*){2}=[\r\n]*=|(?:[A-Za-z0-9+/][\r\n]*){3}=)?[\r\n]*$`,
} as const;

/** Name the standalone module gives its format table. */
const FORMATS_NAME = 'gitopsGenFormats';

/** The format table as JavaScript source, for the standalone module. */
function formatTableSource(): string {
  return `const ${FORMATS_NAME} = {${Object.entries(formatSource)
    .map(([name, source]) => `${JSON.stringify(name)}: new RegExp(${JSON.stringify(source)})`)
    .join(', ')}};\n`;
}

/** Where the build writes precompiled validators (works from src/validate and dist/validate). */
const defaultValidatorsDirectory = new URL('../../generated/validators/', import.meta.url);

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  // ±2^63: a double cannot tell 2^63 - 1 (the largest int64) from 2^63.
  int64: [-(2 ** 63), 2 ** 63],
};

interface KindEntry {
  bundle: number;
  definition: string;
}

export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly loadBundles: () => readonly SchemaBundle[];
  private loaded: { bundles: readonly SchemaBundle[]; kinds: Map<string, KindEntry> } | undefined;
  private readonly strict: boolean;
  private readonly added = new Set<number>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private precompiledIndex: Partial<Record<string, string>> | undefined;

  constructor(options: SchemaValidatorOptions) {
    const { bundles } = options;
    this.loadBundles = typeof bundles === 'function' ? bundles : () => bundles;
    this.strict = options.strict;
    this.ajv = new Ajv({
      allErrors: true,
      // Errors carry their schema, so an unknown field can suggest the closest known one.
      verbose: !options.forStandalone,
      strict: true,
      // CRDs of the run require properties that only a oneOf branch declares (kyverno's).
      strictRequired: false,
      // Object definitions leave `type: object` to the places that reference them (see prepare).
      strictTypes: false,
      allowUnionTypes: true,
      // First-use cost: the bundles are generated (the tests check them against the draft-07
      // meta-schema), and ajv's code optimisation costs more to compile than it saves here.
      validateSchema: false,
      code: options.forStandalone
        ? { optimize: false, source: true, esm: false, formats: _`gitopsGenFormats` }
        : { optimize: false },
    });
    this.ajv.addKeyword({ keyword: STRICT_KEYWORD, schemaType: 'boolean' });
    for (const [name, source] of Object.entries(formatSource)) {
      this.ajv.addFormat(name, new RegExp(source));
    }
  }

  private get bundles(): readonly SchemaBundle[] {
    return this.load().bundles;
  }

  private get kinds(): Map<string, KindEntry> {
    return this.load().kinds;
  }

  private load(): { bundles: readonly SchemaBundle[]; kinds: Map<string, KindEntry> } {
    if (!this.loaded) {
      const bundles = this.loadBundles();
      const kinds = new Map<string, KindEntry>();
      // The first bundle that knows a kind wins.
      bundles.forEach((bundle, index) => {
        for (const [key, definition] of Object.entries(bundle.kinds)) {
          if (!kinds.has(key)) kinds.set(key, { bundle: index, definition });
        }
      });
      this.loaded = { bundles, kinds };
    }
    return this.loaded;
  }

  hasKind(apiVersion: string, kind: string): boolean {
    if (this.compiled.has(`${apiVersion}/${kind}`)) return true;
    return this.kinds.has(`${apiVersion}/${kind}`);
  }

  /** Every `<apiVersion>/<Kind>` that has a schema, sorted. */
  knownKinds(): string[] {
    return [...this.kinds.keys()].sort();
  }

  /** The compiled validator of a kind (compiled on first use, then cached), or undefined. */
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const entry = this.kinds.get(key);
    if (!entry) return undefined;
    const validate = this.ajv.compile({
      type: 'object',
      $ref: `${this.addBundle(entry.bundle)}#/definitions/${entry.definition}`,
    });
    this.compiled.set(key, validate);
    return validate;
  }

  /**
   * One ES module per kind, exporting its validator as precompiled code (`validate`), so that
   * a run loads the code of the kinds it meets instead of compiling schemas. Keys as in
   * validatorFor; each module carries the definitions its kind uses.
   */
  standaloneModules(): Map<string, string> {
    const modules = new Map<string, string>();
    this.knownKinds().forEach((key, index) => {
      const entry = this.kinds.get(key);
      if (!entry) return;
      const id = `https://gitops-gen.invalid/kinds/${index}.json`;
      this.ajv.addSchema({
        $id: id,
        type: 'object',
        $ref: `${this.addBundle(entry.bundle)}#/definitions/${entry.definition}`,
      });
      modules.set(
        key,
        `"use strict";\n${formatTableSource()}${standaloneCode.default(this.ajv, { validate: id })}`,
      );
    });
    return modules;
  }

  prepare(apiVersion: string, kind: string): Promise<void> {
    return this.preload([`${apiVersion}/${kind}`]);
  }

  /**
   * Loads the precompiled validators of these kinds, where the build wrote them. They are
   * CommonJS, loaded with require: synchronous, and cached by V8's code cache when the CLI runs
   * from its bundle (see bin/gitops-gen.js).
   */
  preload(keys: Iterable<string>, directory: URL = defaultValidatorsDirectory): Promise<void> {
    if (!this.strict) return Promise.resolve();
    if (this.precompiledIndex === undefined) {
      try {
        this.precompiledIndex = JSON.parse(
          readFileSync(new URL('index.json', directory), 'utf8'),
        ) as Partial<Record<string, string>>;
      } catch {
        this.precompiledIndex = {}; // not built: compile on use
      }
    }
    const index = this.precompiledIndex;
    for (const key of new Set(keys)) {
      const file = index[key];
      if (file === undefined || this.compiled.has(key)) continue;
      const module = requirePrecompiled(fileURLToPath(new URL(file, directory))) as {
        validate: ValidateFunction;
      };
      this.compiled.set(key, module.validate);
    }
    return Promise.resolve();
  }

  /**
   * The property names the schema allows at `path` inside an object of this kind (for "did you
   * mean" hints when a precompiled validator's errors carry no schema).
   */
  allowedKeys(apiVersion: string, kind: string, path: readonly (string | number)[]): string[] {
    const entry = this.kinds.get(`${apiVersion}/${kind}`);
    const bundle = entry ? this.bundles[entry.bundle] : undefined;
    if (!entry || !bundle) return [];
    const resolve = (schema: unknown): JsonSchema | undefined => {
      let current = schema;
      for (let depth = 0; depth < 32 && isRecord(current); depth++) {
        const ref = current.$ref;
        if (typeof ref !== 'string' || !ref.startsWith(DEFINITION_PREFIX)) return current;
        current = bundle.definitions[ref.slice(DEFINITION_PREFIX.length)];
      }
      return undefined;
    };
    let schema = resolve(bundle.definitions[entry.definition]);
    for (const segment of path) {
      if (!schema) return [];
      const properties = isRecord(schema.properties) ? schema.properties : {};
      if (typeof segment === 'string' && segment in properties)
        schema = resolve(properties[segment]);
      else if (typeof segment === 'number' && isRecord(schema.items))
        schema = resolve(schema.items);
      else if (isRecord(schema.additionalProperties)) schema = resolve(schema.additionalProperties);
      else return [];
    }
    return schema && isRecord(schema.properties) ? Object.keys(schema.properties) : [];
  }

  /** Compiles a schema from outside the bundles (a CRD of the run, see crd-schemas.ts). */
  compileSchema(schema: JsonSchema): ValidateFunction {
    return this.ajv.compile(schema);
  }

  /** The `$ref` of ObjectMeta, adding its bundle to ajv; undefined without built-in schemas. */
  objectMetaRef(): string | undefined {
    const index = this.bundles.findIndex((bundle) => OBJECT_META in bundle.definitions);
    return index < 0 ? undefined : `${this.addBundle(index)}#/definitions/${OBJECT_META}`;
  }

  /** Adds a bundle's definitions to ajv the first time one of its kinds is compiled. */
  private addBundle(index: number): string {
    const id = `https://gitops-gen.invalid/schemas/${index}.json`;
    if (this.added.has(index)) return id;
    const bundle = this.bundles[index];
    if (!bundle) throw new Error(`no schema bundle ${index}`);
    this.ajv.addSchema({
      $id: id,
      definitions: prepareDefinitions(bundle.definitions, this.strict),
    });
    this.added.add(index);
    return id;
  }
}

/**
 * The definitions as ajv compiles them:
 * - not strict: `additionalProperties: false` of strict-marked objects dropped;
 * - `null` accepted for optional properties (`nullable`, which ajv reads with `type`). So that a
 *   null can also stand for an optional object, `type: object` moves from each object definition
 *   to the places that reference it, where it is nullable when the property is optional.
 */
function prepareDefinitions(
  definitions: Record<string, JsonSchema>,
  strict: boolean,
): Record<string, JsonSchema> {
  const objects = new Set(
    Object.entries(definitions)
      .filter(([, definition]) => definition.type === 'object')
      .map(([name]) => name),
  );
  const prepared: Record<string, JsonSchema> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    const schema = prepareSchema(definition, false, { strict, objects });
    if (objects.has(name)) delete schema.type;
    prepared[name] = schema;
  }
  return prepared;
}

interface PrepareContext {
  strict: boolean;
  objects: ReadonlySet<string>;
}

const DEFINITION_PREFIX = '#/definitions/';

/** The ObjectMeta definition of kubernetes.json, which custom resources' metadata is checked against. */
const OBJECT_META = 'V1ObjectMeta';

function prepareSchema(schema: JsonSchema, optional: boolean, context: PrepareContext): JsonSchema {
  const out: JsonSchema = { ...schema };
  const range = typeof out.format === 'string' ? INT_RANGES[out.format] : undefined;
  if (range) {
    delete out.format;
    [out.minimum, out.maximum] = range;
  }
  if (!context.strict && out[STRICT_KEYWORD] === true && out.additionalProperties === false) {
    delete out.additionalProperties;
  }
  if (typeof out.$ref === 'string' && out.$ref.startsWith(DEFINITION_PREFIX)) {
    if (context.objects.has(out.$ref.slice(DEFINITION_PREFIX.length))) out.type = 'object';
  }
  if (isRecord(out.properties)) {
    const required = new Set(Array.isArray(out.required) ? out.required : []);
    const properties: JsonSchema = {};
    for (const [name, property] of Object.entries(out.properties)) {
      properties[name] = isRecord(property)
        ? prepareSchema(property, !required.has(name), context)
        : property;
    }
    out.properties = properties;
  }
  if (isRecord(out.items)) out.items = prepareSchema(out.items, false, context);
  if (isRecord(out.additionalProperties)) {
    out.additionalProperties = prepareSchema(out.additionalProperties, false, context);
  }
  if (optional && out.type !== undefined) {
    out.nullable = true;
    const values: unknown = out.enum;
    if (Array.isArray(values) && !values.includes(null))
      out.enum = [...(values as unknown[]), null];
  }
  return out;
}
