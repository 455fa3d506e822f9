/**
 * Resource files into the accumulated list: a file's documents read as objects (Lists expanded,
 * invalid documents reported), then added by id, a second object with the same id reported as
 * a duplicate.
 */
import { reportInFile } from './build-report.js';
import { idEquals, idLabel, type ResId } from './resid.js';
import { Resource, type Origin } from './resource.js';
import type { KustomizeFinding } from './types.js';
import { finalizeValue, hasOwn, isNullish, isRecord, scalarText } from './values.js';
import { parseResourceYaml } from './yaml.js';

/** Objects of a resource file: Lists expanded (their items after the other documents). */
export function parseResources(
  findings: KustomizeFinding[],
  file: string,
  text: string,
): Resource[] {
  const { documents, problems } = parseResourceYaml(text);
  for (const problem of problems) {
    reportInFile(
      findings,
      file,
      problem.line,
      problem.column,
    )(
      problem.code,
      problem.code === 'kustomize/duplicate-key'
        ? 'duplicate mapping key: kubectl kustomize refuses this file'
        : `not valid YAML: ${problem.message}`,
    );
  }
  const queue: { value: unknown; origin: Origin; fromList: boolean }[] = documents.map((doc) => ({
    value: doc.value,
    origin: { file, document: doc.index, line: doc.line },
    fromList: false,
  }));
  const resources: Resource[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const { value, origin } = item;
    const report = reportInFile(findings, origin.file, origin.line);
    if (!isRecord(value)) {
      report('kustomize/invalid-resource', `document ${origin.document} is not a mapping`);
      continue;
    }
    const kind = scalarText(value.kind);
    if (kind === '') {
      report('kustomize/invalid-resource', `document ${origin.document} has no kind`);
      continue;
    }
    if (kind.endsWith('List') && hasOwn(value, 'items')) {
      const items = value.items;
      if (isNullish(items)) continue;
      if (!Array.isArray(items)) {
        report('kustomize/invalid-resource', `the items of ${kind} are not a list`);
        continue;
      }
      for (const listItem of items) {
        queue.push({ value: finalizeValue(listItem), origin, fromList: true });
      }
      continue;
    }
    const metadata = value.metadata;
    if (!kind.endsWith('List') && (!isRecord(metadata) || scalarText(metadata.name) === '')) {
      report(
        'kustomize/invalid-resource',
        `the ${kind} in document ${origin.document} has no metadata.name`,
      );
      continue;
    }
    resources.push(new Resource(value, origin));
  }
  return resources;
}

/** Adds objects to `resources`, reporting each whose id is already there instead. */
export function appendAll(
  findings: KustomizeFinding[],
  resources: Resource[],
  added: readonly Resource[],
): void {
  for (const resource of added) {
    const id = resource.curId();
    const existing = resources.find((other) => idEquals(other.curId(), id));
    if (existing) {
      duplicate(findings, resource, id, existing);
      continue;
    }
    resources.push(resource);
  }
}

function duplicate(
  findings: KustomizeFinding[],
  resource: Resource,
  id: ResId,
  existing: Resource,
): void {
  reportInFile(findings, resource.origin.file, resource.origin.line)(
    'kustomize/duplicate-resource',
    `${idLabel(id)} is already defined (in ${existing.origin.file}): kubectl kustomize refuses two objects with the same kind, namespace and name`,
    { hint: 'remove one of them, or rename one with a patch' },
  );
}
