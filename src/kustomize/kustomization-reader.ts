/**
 * Decoding of kustomization values with the strictness of Kustomize's JSON decoding: wrong
 * types and unknown fields become findings at their line. Owns the primitive readers and the
 * entries shared by several fields (generators and their options, patches and selectors, field
 * specs); the kustomization's top-level fields are read in kustomization.ts.
 */
import type { FieldSpec } from './fieldspecs.js';
import type { GeneratorArgs, GeneratorOptions } from './generators.js';
import type { Located, Path, PatchEntry } from './kustomization-types.js';
import type { Selector } from './selector.js';
import type { KustomizeFinding } from './types.js';
import { formatPath, hasOwn, isRecord, type JsonMap } from './values.js';
import type { Position } from './yaml.js';

const GENERATOR_FIELDS = [
  'name',
  'namespace',
  'behavior',
  'literals',
  'files',
  'envs',
  'env',
  'options',
];
const OPTION_FIELDS = ['labels', 'annotations', 'disableNameSuffixHash', 'immutable'];
const PATCH_FIELDS = ['path', 'patch', 'target', 'options'];
/** The fields of a patch target, also of a replacement's source and targets. */
export const SELECTOR_FIELDS = [
  'group',
  'version',
  'kind',
  'name',
  'namespace',
  'labelSelector',
  'annotationSelector',
] as const;
const FIELD_SPEC_FIELDS = ['group', 'version', 'kind', 'path', 'create'];

/** Non-ASCII letters Go folds to ASCII ones: Kelvin sign, long s, dotted and dotless i. */
const GO_FOLDS: Record<string, string> = {
  '\u212a': 'K',
  '\u017f': 'S',
  '\u0130': 'I',
  '\u0131': 'I',
};

/**
 * encoding/json's foldName: kustomize decodes a kustomization as JSON, where a key names a
 * field in any letter case (`nameprefix`, `patchesJSON6902`).
 */
function foldName(name: string): string {
  let folded = '';
  for (const char of name) {
    folded += char.charCodeAt(0) < 0x80 ? char.toUpperCase() : (GO_FOLDS[char] ?? char);
  }
  return folded;
}

/** The field a key decodes into: its exact name, else the one equal in any letter case. */
function fieldOf(key: string, allowed: readonly string[]): string | undefined {
  if (allowed.includes(key)) return key;
  const folded = foldName(key);
  return allowed.find((field) => foldName(field) === folded);
}

/**
 * Go decodes a key given twice (in two letter cases) into the same value: mappings (maps and
 * structs) merge, anything else is replaced.
 */
function mergeDecoded(earlier: unknown, later: unknown): unknown {
  if (!isRecord(earlier) || !isRecord(later)) return later;
  const merged: JsonMap = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    merged[key] = hasOwn(merged, key) ? mergeDecoded(merged[key], value) : value;
  }
  return merged;
}

/** The raw path of a decoded one: each field as the file spells it (the last spelling wins). */
export function rawPathOf(root: unknown, path: Path): Path {
  const raw: (string | number)[] = [];
  let node = root;
  for (const segment of path) {
    let key: string | number = segment;
    if (typeof segment === 'string' && isRecord(node) && !hasOwn(node, segment)) {
      const folded = foldName(segment);
      key = Object.keys(node).findLast((candidate) => foldName(candidate) === folded) ?? segment;
    }
    raw.push(key);
    node =
      isRecord(node) && typeof key === 'string'
        ? node[key]
        : Array.isArray(node) && typeof key === 'number'
          ? node[key]
          : undefined;
  }
  return raw;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  return `a ${typeof value}`;
}

/** Reads values with the strictness of Kustomize's JSON decoding, reporting each problem. */
export class Reader {
  /**
   * `lenient`: unknown fields are ignored with a warning, as sigs.k8s.io/yaml's plain Unmarshal
   * does (replacement files); a kustomization is decoded strictly.
   */
  constructor(
    private readonly file: string,
    private readonly findings: KustomizeFinding[],
    private readonly locate: (path: Path, at?: 'key' | 'value') => Position | undefined,
    private readonly lenient = false,
  ) {}

  report(
    code: string,
    severity: 'error' | 'warning',
    message: string,
    path: Path,
    hint?: string,
    at: 'key' | 'value' = 'value',
  ): void {
    this.findings.push({
      code,
      severity,
      message,
      file: this.file,
      ...this.locate(path, at),
      ...(path.length > 0 ? { path: formatPath(path) } : {}),
      ...(hint ? { hint } : {}),
    });
  }

  private wrongType(path: Path, expected: string, value: unknown): void {
    this.report(
      'kustomize/invalid-value',
      'error',
      `\`${formatPath(path)}\` must be ${expected}, not ${typeName(value)}`,
      path,
      'kubectl kustomize refuses a kustomization with a value of the wrong type',
    );
  }

  /**
   * A struct: each key decoded into its field as encoding/json does (any letter case), the
   * result keyed by field names; unknown keys reported.
   */
  object(value: unknown, path: Path, allowed: readonly string[]): JsonMap | undefined {
    if (value === null || value === undefined) return undefined;
    if (!isRecord(value)) {
      this.wrongType(path, 'a mapping', value);
      return undefined;
    }
    const decoded: JsonMap = {};
    const spelled: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      const field = fieldOf(key, allowed);
      if (field === undefined) {
        this.report(
          'kustomize/unknown-field',
          this.lenient ? 'warning' : 'error',
          `unknown field \`${key}\`${path.length > 0 ? ` in \`${formatPath(path)}\`` : ''}`,
          [...path, key],
          `kubectl kustomize ${this.lenient ? 'ignores' : 'refuses'} unknown fields; known here: ${allowed.join(', ')}`,
          'key',
        );
        continue;
      }
      const earlier = spelled[field];
      if (earlier !== undefined) {
        this.report(
          'kustomize/duplicate-key',
          'error',
          `\`${earlier}\` and \`${key}\` both set \`${field}\` (field names match in any letter case): mappings are merged, other values replaced`,
          [...path, key],
          'merge the two entries into one',
          'key',
        );
      } else if (key !== field) {
        this.report(
          'kustomize/field-case',
          'warning',
          `\`${key}\` is read as \`${field}\``,
          [...path, field],
          `kubectl kustomize matches field names in any letter case, other tools may not; write \`${field}\``,
          'key',
        );
      }
      spelled[field] = key;
      decoded[field] = hasOwn(decoded, field) ? mergeDecoded(decoded[field], item) : item;
    }
    return decoded;
  }

  string(value: unknown, path: Path): string | undefined {
    if (value === null || value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.wrongType(path, 'a string', value);
      return undefined;
    }
    return value;
  }

  bool(value: unknown, path: Path): boolean {
    if (value === null || value === undefined) return false;
    if (typeof value !== 'boolean') {
      this.wrongType(path, 'true or false', value);
      return false;
    }
    return value;
  }

  integer(value: unknown, path: Path): number | undefined {
    if (value === null || value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.wrongType(path, 'an integer', value);
      return undefined;
    }
    return value;
  }

  list(value: unknown, path: Path): unknown[] {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) {
      this.wrongType(path, 'a list', value);
      return [];
    }
    return value;
  }

  strings(value: unknown, path: Path): Located<string>[] {
    const result: Located<string>[] = [];
    this.list(value, path).forEach((item, index) => {
      const text = this.string(item, [...path, index]);
      if (text !== undefined) result.push({ value: text, at: [...path, index] });
    });
    return result;
  }

  stringMap(value: unknown, path: Path): Record<string, string> {
    const result: Record<string, string> = {};
    if (value === null || value === undefined) return result;
    if (!isRecord(value)) {
      this.wrongType(path, 'a mapping of strings', value);
      return result;
    }
    for (const [key, item] of Object.entries(value)) {
      const text = this.string(item, [...path, key]);
      if (text !== undefined) result[key] = text;
    }
    return result;
  }

  options(value: unknown, path: Path): GeneratorOptions | undefined {
    const object = this.object(value, path, OPTION_FIELDS);
    if (!object) return undefined;
    return {
      labels: this.stringMap(object.labels, [...path, 'labels']),
      annotations: this.stringMap(object.annotations, [...path, 'annotations']),
      disableNameSuffixHash: this.bool(object.disableNameSuffixHash, [
        ...path,
        'disableNameSuffixHash',
      ]),
      immutable: this.bool(object.immutable, [...path, 'immutable']),
    };
  }

  selector(value: unknown, path: Path): Selector | undefined {
    const object = this.object(value, path, SELECTOR_FIELDS);
    if (!object) return undefined;
    const selector: Selector = {};
    for (const field of SELECTOR_FIELDS) {
      const text = this.string(object[field], [...path, field]);
      if (text) selector[field] = text;
    }
    return selector;
  }

  patch(value: unknown, path: Path): PatchEntry | undefined {
    const object = this.object(value, path, PATCH_FIELDS);
    if (!object) return undefined;
    // A map[string]bool: any key decodes, only the exact names take effect.
    const options: Record<string, boolean> = {};
    const rawOptions = object.options;
    if (rawOptions !== null && rawOptions !== undefined && !isRecord(rawOptions)) {
      this.wrongType([...path, 'options'], 'a mapping', rawOptions);
    }
    for (const [key, option] of Object.entries(isRecord(rawOptions) ? rawOptions : {})) {
      options[key] = this.bool(option, [...path, 'options', key]);
    }
    const entry: PatchEntry = { options };
    const patchPath = this.string(object.path, [...path, 'path']);
    const patch = this.string(object.patch, [...path, 'patch']);
    const target = this.selector(object.target, [...path, 'target']);
    if (patchPath) entry.path = patchPath;
    if (patch?.trim()) entry.patch = patch;
    if (target) entry.target = target;
    return entry;
  }

  generator(value: unknown, path: Path, kind: 'ConfigMap' | 'Secret'): GeneratorArgs | undefined {
    const object = this.object(
      value,
      path,
      kind === 'Secret' ? [...GENERATOR_FIELDS, 'type'] : GENERATOR_FIELDS,
    );
    if (!object) return undefined;
    const name = this.string(object.name, [...path, 'name']) ?? '';
    if (name === '') {
      this.report('kustomize/invalid-generator', 'error', `a ${kind} generator needs a name`, path);
      return undefined;
    }
    const envs = this.strings(object.envs, [...path, 'envs']).map((item) => item.value);
    const env = this.string(object.env, [...path, 'env']);
    if (env) envs.push(env);
    const args: GeneratorArgs = {
      kind,
      name,
      literals: this.strings(object.literals, [...path, 'literals']).map((item) => item.value),
      files: this.strings(object.files, [...path, 'files']).map((item) => item.value),
      envs,
    };
    const namespace = this.string(object.namespace, [...path, 'namespace']);
    const behavior = this.string(object.behavior, [...path, 'behavior']);
    const type = kind === 'Secret' ? this.string(object.type, [...path, 'type']) : undefined;
    const options = this.options(object.options, [...path, 'options']);
    if (namespace) args.namespace = namespace;
    if (behavior) args.behavior = behavior;
    if (type) args.type = type;
    if (options) args.options = options;
    return args;
  }

  fieldSpecs(value: unknown, path: Path): FieldSpec[] {
    const result: FieldSpec[] = [];
    this.list(value, path).forEach((item, index) => {
      const at = [...path, index];
      const object = this.object(item, at, FIELD_SPEC_FIELDS);
      if (!object) return;
      const spec: FieldSpec = {
        path: this.string(object.path, [...at, 'path']) ?? '',
        create: this.bool(object.create, [...at, 'create']),
      };
      for (const field of ['group', 'version', 'kind'] as const) {
        const text = this.string(object[field], [...at, field]);
        if (text) spec[field] = text;
      }
      result.push(spec);
    });
    return result;
  }
}
