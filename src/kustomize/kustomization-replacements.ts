/**
 * The `replacements` entries of a kustomization, inline or in a replacement file: their source,
 * targets and field options, read with the same strictness as the rest of the kustomization.
 */
import type { Path } from './kustomization-types.js';
import { Reader, SELECTOR_FIELDS } from './kustomization-reader.js';
import type { FieldOptions, Replacement, TargetSelector } from './replacements.js';
import type { KustomizeFinding } from './types.js';
import { parseKustomizationYaml } from './yaml.js';

const isPresent = (value: unknown): boolean => value !== null && value !== undefined;

const ID_FIELDS = ['group', 'version', 'kind', 'name', 'namespace'];
const FIELD_OPTION_FIELDS = ['delimiter', 'index', 'create', 'encoding'];

function readFieldOptions(reader: Reader, value: unknown, path: Path): FieldOptions | undefined {
  const object = reader.object(value, path, FIELD_OPTION_FIELDS);
  if (!object) return undefined;
  const options: FieldOptions = {};
  const delimiter = reader.string(object.delimiter, [...path, 'delimiter']);
  const index = reader.integer(object.index, [...path, 'index']);
  if (delimiter) options.delimiter = delimiter;
  if (index !== undefined) options.index = index;
  if (reader.bool(object.create, [...path, 'create'])) options.create = true;
  if (object.encoding !== undefined && object.encoding !== null) {
    reader.report(
      'kustomize/unsupported-field',
      'error',
      '`encoding` in replacement options is not supported by the in-process build',
      [...path, 'encoding'],
    );
  }
  return options;
}

function readTargetSelector(
  reader: Reader,
  value: unknown,
  path: Path,
): TargetSelector | undefined {
  const object = reader.object(value, path, [...ID_FIELDS, 'labelSelector', 'annotationSelector']);
  if (!object) return undefined;
  const selector: TargetSelector = {};
  for (const field of SELECTOR_FIELDS) {
    const text = reader.string(object[field], [...path, field]);
    if (text) selector[field] = text;
  }
  return selector;
}

/** One replacement; a kustomization's entry (`allowPath`) may instead name a replacement file. */
export function readReplacementEntry(
  reader: Reader,
  value: unknown,
  path: Path,
  allowPath: boolean,
): { replacement?: Replacement; path?: string } | undefined {
  const object = reader.object(
    value,
    path,
    allowPath ? ['source', 'targets', 'path'] : ['source', 'targets'],
  );
  if (!object) return undefined;
  const file = allowPath ? reader.string(object.path, [...path, 'path']) : undefined;
  if (file) {
    // ReplacementTransformer.Config refuses an entry with both.
    if (isPresent(object.source) || reader.list(object.targets, [...path, 'targets']).length > 0) {
      reader.report(
        'kustomize/invalid-replacement',
        'error',
        'a replacement entry cannot have both `path` and an inline source or targets',
        path,
        'kubectl kustomize refuses it; keep the path or the inline replacement',
      );
      return undefined;
    }
    return { path: file };
  }
  const sourceObject = reader.object(
    object.source,
    [...path, 'source'],
    [...ID_FIELDS, 'fieldPath', 'options'],
  );
  if (!sourceObject) {
    reader.report('kustomize/invalid-replacement', 'error', 'a replacement needs a source', path);
    return undefined;
  }
  const source: Replacement['source'] = {};
  for (const field of ['group', 'version', 'kind', 'name', 'namespace'] as const) {
    const text = reader.string(sourceObject[field], [...path, 'source', field]);
    if (text) source[field] = text;
  }
  const fieldPath = reader.string(sourceObject.fieldPath, [...path, 'source', 'fieldPath']);
  if (fieldPath) source.fieldPath = fieldPath;
  const sourceOptions = readFieldOptions(reader, sourceObject.options, [
    ...path,
    'source',
    'options',
  ]);
  if (sourceOptions) source.options = sourceOptions;
  const targets: Replacement['targets'] = [];
  reader.list(object.targets, [...path, 'targets']).forEach((item, index) => {
    const at = [...path, 'targets', index];
    const target = reader.object(item, at, ['select', 'reject', 'fieldPaths', 'options']);
    if (!target) return;
    const select = readTargetSelector(reader, target.select, [...at, 'select']);
    if (!select) {
      reader.report(
        'kustomize/invalid-replacement',
        'error',
        'a replacement target needs select',
        at,
      );
      return;
    }
    const reject: TargetSelector[] = [];
    reader.list(target.reject, [...at, 'reject']).forEach((rejected, rejectIndex) => {
      const selector = readTargetSelector(reader, rejected, [...at, 'reject', rejectIndex]);
      if (selector) reject.push(selector);
    });
    const entry: Replacement['targets'][number] = {
      select,
      reject,
      fieldPaths: reader
        .strings(target.fieldPaths, [...at, 'fieldPaths'])
        .map((text) => text.value),
    };
    const options = readFieldOptions(reader, target.options, [...at, 'options']);
    if (options) entry.options = options;
    targets.push(entry);
  });
  if (targets.length === 0) {
    reader.report(
      'kustomize/invalid-replacement',
      'error',
      'a replacement needs at least one target',
      path,
    );
    return undefined;
  }
  return { replacement: { source, targets } };
}

/** The replacements of a `replacements: - path: file` entry: one replacement or a list. */
export function readReplacementFile(
  file: string,
  text: string,
  findings: KustomizeFinding[],
): Replacement[] {
  const parsed = parseKustomizationYaml(text);
  const reader = new Reader(file, findings, parsed.locate, true);
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
    const entry = readReplacementEntry(reader, item, Array.isArray(value) ? [index] : [], false);
    if (entry?.replacement) result.push(entry.replacement);
  });
  return result;
}
