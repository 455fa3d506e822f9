/**
 * Reads one kustomization file into typed entries, each with its path in the file so that a
 * problem found later points at its line. Reports what `kubectl kustomize` would refuse
 * (unknown fields, wrong types) plus duplicate keys, deprecated and unsupported fields.
 */
import type { FieldSpec } from './fieldspecs.js';
import type { GeneratorArgs, GeneratorOptions } from './generators.js';
import type { FieldOptions, Replacement, TargetSelector } from './replacements.js';
import type { Selector } from './selector.js';
import type { ImageSpec } from './transformers.js';
import type { KustomizeFinding } from './types.js';
import { formatPath, isRecord, type JsonMap } from './values.js';
import { parseKustomizationYaml, type Position } from './yaml.js';

export type Path = readonly (string | number)[];

export interface Located<T> {
  value: T;
  /** Path of the entry in the kustomization file. */
  at: Path;
}

export interface PatchEntry {
  path?: string;
  patch?: string;
  target?: Selector;
  options: Record<string, boolean>;
}

export interface LabelEntry {
  pairs: Record<string, string>;
  includeSelectors: boolean;
  includeTemplates: boolean;
  fields: FieldSpec[];
}

export interface SortOptions {
  order: 'legacy' | 'fifo';
  orderFirst?: string[];
  orderLast?: string[];
}

export interface Kustomization {
  file: string;
  dir: string;
  kind: 'Kustomization' | 'Component';
  namespace: string;
  namePrefix: string;
  nameSuffix: string;
  commonLabels: Record<string, string>;
  labels: Located<LabelEntry>[];
  commonAnnotations: Record<string, string>;
  resources: Located<string>[];
  components: Located<string>[];
  configMapGenerator: Located<GeneratorArgs>[];
  secretGenerator: Located<GeneratorArgs>[];
  generatorOptions?: GeneratorOptions;
  patches: Located<PatchEntry>[];
  patchesStrategicMerge: Located<string>[];
  patchesJson6902: Located<PatchEntry>[];
  images: Located<ImageSpec>[];
  replicas: Located<{ name: string; count: number }>[];
  sortOptions?: SortOptions;
  replacements: Located<{ replacement?: Replacement; path?: string }>[];
  locate: (path: Path, at?: 'key' | 'value') => Position | undefined;
}

export const KUSTOMIZATION_FILE_NAMES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

const TOP_LEVEL_FIELDS = [
  'apiVersion',
  'kind',
  'metadata',
  'openapi',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patchesStrategicMerge',
  'patchesJson6902',
  'patches',
  'images',
  'imageTags',
  'replacements',
  'replicas',
  'vars',
  'sortOptions',
  'resources',
  'components',
  'crds',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'generatorOptions',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'buildMetadata',
] as const;

/** Fields `kubectl kustomize` accepts that this build does not implement. */
const UNSUPPORTED_FIELDS = [
  'openapi',
  'vars',
  'crds',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'buildMetadata',
];

const DEPRECATED_FIELDS: Record<string, string> = {
  bases: 'resources',
  imageTags: 'images',
  patchesStrategicMerge: 'patches',
  patchesJson6902: 'patches',
  vars: 'replacements',
};

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
const SELECTOR_FIELDS = [
  'group',
  'version',
  'kind',
  'name',
  'namespace',
  'labelSelector',
  'annotationSelector',
];
const FIELD_SPEC_FIELDS = ['group', 'version', 'kind', 'path', 'create'];
const ID_FIELDS = ['group', 'version', 'kind', 'name', 'namespace'];
const FIELD_OPTION_FIELDS = ['delimiter', 'index', 'create', 'encoding'];

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  return `a ${typeof value}`;
}

/** Reads values with the strictness of Kustomize's JSON decoding, reporting each problem. */
class Reader {
  constructor(
    private readonly file: string,
    private readonly findings: KustomizeFinding[],
    private readonly locate: (path: Path, at?: 'key' | 'value') => Position | undefined,
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

  object(value: unknown, path: Path, allowed: readonly string[]): JsonMap | undefined {
    if (value === null || value === undefined) return undefined;
    if (!isRecord(value)) {
      this.wrongType(path, 'a mapping', value);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.report(
          'kustomize/unknown-field',
          'error',
          `unknown field \`${key}\`${path.length > 0 ? ` in \`${formatPath(path)}\`` : ''}`,
          [...path, key],
          `kubectl kustomize refuses unknown fields; known here: ${allowed.join(', ')}`,
          'key',
        );
      }
    }
    return value;
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
      if (text) selector[field as keyof Selector] = text;
    }
    return selector;
  }

  patch(value: unknown, path: Path): PatchEntry | undefined {
    const object = this.object(value, path, PATCH_FIELDS);
    if (!object) return undefined;
    const options: Record<string, boolean> = {};
    const rawOptions = this.object(
      object.options,
      [...path, 'options'],
      ['allowNameChange', 'allowKindChange', 'allowNoTargetMatch'],
    );
    for (const [key, option] of Object.entries(rawOptions ?? {})) {
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

  fieldOptions(value: unknown, path: Path): FieldOptions | undefined {
    const object = this.object(value, path, FIELD_OPTION_FIELDS);
    if (!object) return undefined;
    const options: FieldOptions = {};
    const delimiter = this.string(object.delimiter, [...path, 'delimiter']);
    const index = this.integer(object.index, [...path, 'index']);
    if (delimiter) options.delimiter = delimiter;
    if (index !== undefined) options.index = index;
    if (this.bool(object.create, [...path, 'create'])) options.create = true;
    if (object.encoding !== undefined && object.encoding !== null) {
      this.report(
        'kustomize/unsupported-field',
        'error',
        '`encoding` in replacement options is not supported by the in-process build',
        [...path, 'encoding'],
      );
    }
    return options;
  }

  targetSelector(value: unknown, path: Path): TargetSelector | undefined {
    const object = this.object(value, path, [...ID_FIELDS, 'labelSelector', 'annotationSelector']);
    if (!object) return undefined;
    const selector: TargetSelector = {};
    const fields = [
      'group',
      'version',
      'kind',
      'name',
      'namespace',
      'labelSelector',
      'annotationSelector',
    ] as const;
    for (const field of fields) {
      const text = this.string(object[field], [...path, field]);
      if (text) selector[field] = text;
    }
    return selector;
  }

  replacement(
    value: unknown,
    path: Path,
    allowPath: boolean,
  ): { replacement?: Replacement; path?: string } | undefined {
    const object = this.object(
      value,
      path,
      allowPath ? ['source', 'targets', 'path'] : ['source', 'targets'],
    );
    if (!object) return undefined;
    const file = allowPath ? this.string(object.path, [...path, 'path']) : undefined;
    if (file) return { path: file };
    const sourceObject = this.object(
      object.source,
      [...path, 'source'],
      [...ID_FIELDS, 'fieldPath', 'options'],
    );
    if (!sourceObject) {
      this.report('kustomize/invalid-replacement', 'error', 'a replacement needs a source', path);
      return undefined;
    }
    const source: Replacement['source'] = {};
    for (const field of ['group', 'version', 'kind', 'name', 'namespace'] as const) {
      const text = this.string(sourceObject[field], [...path, 'source', field]);
      if (text) source[field] = text;
    }
    const fieldPath = this.string(sourceObject.fieldPath, [...path, 'source', 'fieldPath']);
    if (fieldPath) source.fieldPath = fieldPath;
    const sourceOptions = this.fieldOptions(sourceObject.options, [...path, 'source', 'options']);
    if (sourceOptions) source.options = sourceOptions;
    const targets: Replacement['targets'] = [];
    this.list(object.targets, [...path, 'targets']).forEach((item, index) => {
      const at = [...path, 'targets', index];
      const target = this.object(item, at, ['select', 'reject', 'fieldPaths', 'options']);
      if (!target) return;
      const select = this.targetSelector(target.select, [...at, 'select']);
      if (!select) {
        this.report(
          'kustomize/invalid-replacement',
          'error',
          'a replacement target needs select',
          at,
        );
        return;
      }
      const reject: TargetSelector[] = [];
      this.list(target.reject, [...at, 'reject']).forEach((rejected, rejectIndex) => {
        const selector = this.targetSelector(rejected, [...at, 'reject', rejectIndex]);
        if (selector) reject.push(selector);
      });
      const entry: Replacement['targets'][number] = {
        select,
        reject,
        fieldPaths: this.strings(target.fieldPaths, [...at, 'fieldPaths']).map(
          (text) => text.value,
        ),
      };
      const options = this.fieldOptions(target.options, [...at, 'options']);
      if (options) entry.options = options;
      targets.push(entry);
    });
    if (targets.length === 0) {
      this.report(
        'kustomize/invalid-replacement',
        'error',
        'a replacement needs at least one target',
        path,
      );
      return undefined;
    }
    return { replacement: { source, targets } };
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

/** Parses a kustomization file; undefined when it cannot be read at all. */
export function readKustomization(
  file: string,
  dir: string,
  text: string,
  findings: KustomizeFinding[],
): Kustomization | undefined {
  const parsed = parseKustomizationYaml(text);
  for (const problem of parsed.problems) {
    findings.push({
      code: problem.code,
      severity: 'error',
      message:
        problem.code === 'kustomize/duplicate-key'
          ? 'duplicate key in the kustomization: only the last value is used'
          : `the kustomization is not valid YAML: ${problem.message}`,
      file,
      ...(problem.line !== undefined ? { line: problem.line } : {}),
      ...(problem.column !== undefined ? { column: problem.column } : {}),
      hint:
        problem.code === 'kustomize/duplicate-key'
          ? 'merge the two entries into one'
          : 'check indentation and quoting here',
    });
  }
  if (parsed.problems.some((problem) => problem.code !== 'kustomize/duplicate-key')) {
    return undefined;
  }
  const reader = new Reader(file, findings, parsed.locate);
  const value = parsed.value ?? {};
  const top = reader.object(value, [], TOP_LEVEL_FIELDS);
  if (!top) {
    if (!isRecord(value)) return undefined;
  }
  const k: JsonMap = top ?? {};
  const kindText = reader.string(k.kind, ['kind']) ?? '';
  if (kindText !== '' && kindText !== 'Kustomization' && kindText !== 'Component') {
    reader.report(
      'kustomize/invalid-value',
      'error',
      `kind should be Kustomization or Component, not ${kindText}`,
      ['kind'],
    );
  }
  const kind = kindText === 'Component' ? 'Component' : 'Kustomization';
  const apiVersion = reader.string(k.apiVersion, ['apiVersion']) ?? '';
  const wantedVersion =
    kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if (apiVersion !== '' && apiVersion !== wantedVersion) {
    reader.report(
      'kustomize/invalid-value',
      'error',
      `apiVersion for ${kind} should be ${wantedVersion}, not ${apiVersion}`,
      ['apiVersion'],
    );
  }
  for (const field of UNSUPPORTED_FIELDS) {
    if (k[field] === undefined || k[field] === null) continue;
    reader.report(
      'kustomize/unsupported-field',
      'error',
      `\`${field}\` is not supported by the in-process build: its output would differ from kubectl kustomize`,
      [field],
      'run kubectl kustomize on this folder, or move this feature to a patch',
      'key',
    );
  }
  for (const [field, replacement] of Object.entries(DEPRECATED_FIELDS)) {
    if (k[field] === undefined || k[field] === null) continue;
    reader.report(
      'kustomize/deprecated-field',
      'warning',
      `\`${field}\` is deprecated; use \`${replacement}\``,
      [field],
      'run `kustomize edit fix` to migrate the kustomization',
      'key',
    );
  }
  const commonLabels = reader.stringMap(k.commonLabels, ['commonLabels']);
  if (Object.keys(commonLabels).length > 0) {
    reader.report(
      'kustomize/common-labels-rewrite-selectors',
      'warning',
      '`commonLabels` also rewrites selectors, which are immutable in Deployments, StatefulSets, DaemonSets and Jobs: changing them later breaks `kubectl apply`',
      ['commonLabels'],
      'use `labels:` with `pairs:` (and `includeSelectors: false`) instead',
      'key',
    );
  }

  const labels: Located<LabelEntry>[] = [];
  reader.list(k.labels, ['labels']).forEach((item, index) => {
    const at = ['labels', index];
    const object = reader.object(item, at, [
      'pairs',
      'includeSelectors',
      'includeTemplates',
      'fields',
    ]);
    if (!object) return;
    labels.push({
      value: {
        pairs: reader.stringMap(object.pairs, [...at, 'pairs']),
        includeSelectors: reader.bool(object.includeSelectors, [...at, 'includeSelectors']),
        includeTemplates: reader.bool(object.includeTemplates, [...at, 'includeTemplates']),
        fields: reader.fieldSpecs(object.fields, [...at, 'fields']),
      },
      at,
    });
  });

  const generators = (
    field: 'configMapGenerator' | 'secretGenerator',
  ): Located<GeneratorArgs>[] => {
    const result: Located<GeneratorArgs>[] = [];
    reader.list(k[field], [field]).forEach((item, index) => {
      const at = [field, index];
      const args = reader.generator(item, at, field === 'secretGenerator' ? 'Secret' : 'ConfigMap');
      if (args) result.push({ value: args, at });
    });
    return result;
  };

  const patchList = (field: 'patches' | 'patchesJson6902'): Located<PatchEntry>[] => {
    const result: Located<PatchEntry>[] = [];
    reader.list(k[field], [field]).forEach((item, index) => {
      const at = [field, index];
      const patch = reader.patch(item, at);
      if (!patch) return;
      if (patch.path === undefined && patch.patch === undefined) {
        reader.report('kustomize/invalid-patch', 'error', 'a patch needs `path` or `patch`', at);
        return;
      }
      if (patch.path !== undefined && patch.patch !== undefined) {
        reader.report(
          'kustomize/invalid-patch',
          'error',
          'a patch cannot have both `path` and `patch`',
          at,
        );
        return;
      }
      result.push({ value: patch, at });
    });
    return result;
  };

  const images: Located<ImageSpec>[] = [];
  for (const field of ['images', 'imageTags'] as const) {
    reader.list(k[field], [field]).forEach((item, index) => {
      const at = [field, index];
      const object = reader.object(item, at, ['name', 'newName', 'newTag', 'digest', 'tagSuffix']);
      if (!object) return;
      const image: ImageSpec = { name: reader.string(object.name, [...at, 'name']) ?? '' };
      for (const key of ['newName', 'newTag', 'digest'] as const) {
        const text = reader.string(object[key], [...at, key]);
        if (text) image[key] = text;
      }
      reader.string(object.tagSuffix, [...at, 'tagSuffix']);
      images.push({ value: image, at });
    });
  }

  const replicas: Located<{ name: string; count: number }>[] = [];
  reader.list(k.replicas, ['replicas']).forEach((item, index) => {
    const at = ['replicas', index];
    const object = reader.object(item, at, ['name', 'count']);
    if (!object) return;
    replicas.push({
      value: {
        name: reader.string(object.name, [...at, 'name']) ?? '',
        count: reader.integer(object.count, [...at, 'count']) ?? 0,
      },
      at,
    });
  });

  let sortOptions: SortOptions | undefined;
  const sort = reader.object(k.sortOptions, ['sortOptions'], ['order', 'legacySortOptions']);
  if (sort) {
    const order = reader.string(sort.order, ['sortOptions', 'order']);
    if (order !== 'legacy' && order !== 'fifo') {
      reader.report(
        'kustomize/invalid-value',
        'error',
        "the field 'sortOptions.order' must be one of [fifo, legacy]",
        ['sortOptions', 'order'],
      );
    } else {
      sortOptions = { order };
      const legacy = reader.object(
        sort.legacySortOptions,
        ['sortOptions', 'legacySortOptions'],
        ['orderFirst', 'orderLast'],
      );
      if (legacy) {
        sortOptions.orderFirst = reader
          .strings(legacy.orderFirst, ['sortOptions', 'legacySortOptions', 'orderFirst'])
          .map((item) => item.value);
        sortOptions.orderLast = reader
          .strings(legacy.orderLast, ['sortOptions', 'legacySortOptions', 'orderLast'])
          .map((item) => item.value);
      }
    }
  }

  const meaningful = Object.keys(k).filter((key) => key !== 'apiVersion' && key !== 'kind');
  if (meaningful.length === 0) {
    reader.report(
      'kustomize/empty-kustomization',
      'error',
      'the kustomization is empty',
      [],
      'kubectl kustomize refuses an empty kustomization',
    );
  }

  const replacements: Located<{ replacement?: Replacement; path?: string }>[] = [];
  reader.list(k.replacements, ['replacements']).forEach((item, index) => {
    const at = ['replacements', index];
    const entry = reader.replacement(item, at, true);
    if (entry) replacements.push({ value: entry, at });
  });

  const kustomization: Kustomization = {
    file,
    dir,
    kind,
    namespace: reader.string(k.namespace, ['namespace']) ?? '',
    namePrefix: reader.string(k.namePrefix, ['namePrefix']) ?? '',
    nameSuffix: reader.string(k.nameSuffix, ['nameSuffix']) ?? '',
    commonLabels,
    labels,
    commonAnnotations: reader.stringMap(k.commonAnnotations, ['commonAnnotations']),
    resources: [
      ...reader.strings(k.resources, ['resources']),
      ...reader.strings(k.bases, ['bases']),
    ],
    components: reader.strings(k.components, ['components']),
    configMapGenerator: generators('configMapGenerator'),
    secretGenerator: generators('secretGenerator'),
    patches: patchList('patches'),
    patchesStrategicMerge: reader.strings(k.patchesStrategicMerge, ['patchesStrategicMerge']),
    patchesJson6902: patchList('patchesJson6902'),
    images,
    replicas,
    replacements,
    locate: parsed.locate,
  };
  const generatorOptions = reader.options(k.generatorOptions, ['generatorOptions']);
  if (generatorOptions) kustomization.generatorOptions = generatorOptions;
  if (sortOptions) kustomization.sortOptions = sortOptions;
  reader.object(k.metadata, ['metadata'], ['name', 'namespace', 'labels', 'annotations']);
  return kustomization;
}

/** The replacements of a `replacements: - path: file` entry: one replacement or a list. */
export function readReplacementFile(
  file: string,
  text: string,
  findings: KustomizeFinding[],
): Replacement[] {
  const parsed = parseKustomizationYaml(text);
  const reader = new Reader(file, findings, parsed.locate);
  for (const problem of parsed.problems) {
    reader.report(
      problem.code,
      'error',
      `the replacement file is not valid YAML: ${problem.message}`,
      [],
    );
  }
  const value = parsed.value;
  const items = Array.isArray(value) ? value : [value];
  const result: Replacement[] = [];
  items.forEach((item, index) => {
    const entry = reader.replacement(item, Array.isArray(value) ? [index] : [], false);
    if (entry?.replacement) result.push(entry.replacement);
  });
  return result;
}
