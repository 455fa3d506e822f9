/**
 * Reads one kustomization file into typed entries, each with its path in the file so that a
 * problem found later points at its line. Reports what `kubectl kustomize` would refuse
 * (unknown fields, wrong types) plus duplicate keys, deprecated and unsupported fields. Owns the
 * top-level fields; their values are decoded by kustomization-reader.ts and, for replacements,
 * kustomization-replacements.ts.
 */
import type { GeneratorArgs } from './generators.js';
import { Reader, rawPathOf } from './kustomization-reader.js';
import { readReplacementEntry } from './kustomization-replacements.js';
import type {
  Kustomization,
  LabelEntry,
  Located,
  PatchEntry,
  SortOptions,
} from './kustomization-types.js';
import type { Replacement } from './replacements.js';
import type { ImageSpec } from './transformers.js';
import type { KustomizeFinding } from './types.js';
import { isRecord, type JsonMap } from './values.js';
import { parseKustomizationYaml } from './yaml.js';

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

/** Fields FixKustomization moves into another and clears: an empty list of them leaves nil. */
const MOVED_FIELDS = ['bases', 'imageTags', 'helmChartInflationGenerator'];

/**
 * CheckEmpty: every field but apiVersion and kind at Go's zero value. A null or "" decodes to
 * it; an empty list or mapping does not, except one that FixKustomization moves away.
 */
function isEmptyKustomization(k: JsonMap): boolean {
  return Object.entries(k).every(
    ([key, value]) =>
      key === 'apiVersion' ||
      key === 'kind' ||
      value === null ||
      value === '' ||
      (MOVED_FIELDS.includes(key) && Array.isArray(value) && value.length === 0),
  );
}

/** Parses a kustomization file; undefined when it cannot be read at all. */
export function readKustomization(
  file: string,
  dir: string,
  text: string,
  findings: KustomizeFinding[],
  realDir = dir,
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
  const value = parsed.value ?? {};
  // Decoded paths name fields as declared; the file may spell them in another letter case.
  const locate: Kustomization['locate'] = (path, at) => parsed.locate(rawPathOf(value, path), at);
  const reader = new Reader(file, findings, locate);
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
      for (const key of ['newName', 'newTag', 'digest', 'tagSuffix'] as const) {
        const text = reader.string(object[key], [...at, key]);
        if (text) image[key] = text;
      }
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

  if (isEmptyKustomization(k)) {
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
    const entry = readReplacementEntry(reader, item, at, true);
    if (entry) replacements.push({ value: entry, at });
  });

  const kustomization: Kustomization = {
    file,
    dir,
    realDir,
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
    locate,
  };
  const generatorOptions = reader.options(k.generatorOptions, ['generatorOptions']);
  if (generatorOptions) kustomization.generatorOptions = generatorOptions;
  if (sortOptions) kustomization.sortOptions = sortOptions;
  reader.object(k.metadata, ['metadata'], ['name', 'namespace', 'labels', 'annotations']);
  return kustomization;
}
