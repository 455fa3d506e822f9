/**
 * The patches of a kustomization: `patches` (strategic merge or JSON 6902, with or without a
 * target), `patchesStrategicMerge` (inline or a file) and `patchesJson6902`; each read, checked
 * and applied to the objects it matches, a patch that matches nothing reported.
 */
import { readFileIn } from './build-files.js';
import type { Reporter } from './build-report.js';
import { decodeJsonPatch, type JsonPatchOperation } from './jsonpatch.js';
import type { Kustomization, PatchEntry } from './kustomization-types.js';
import { idEquals, idLabel } from './resid.js';
import { Resource } from './resource.js';
import { selectResources, type Selector } from './selector.js';
import { applyJsonPatchToResource, applyStrategicMergePatch } from './transformers.js';
import type { KustomizeFileSystem } from './types.js';
import { hasOwn, isRecord, scalarText, type JsonMap } from './values.js';
import { parseKustomizationYaml, parseResourceYaml } from './yaml.js';

/** Strategic merge patches of a patchesStrategicMerge entry: inline YAML or a file. */
export async function strategicPatchesFrom(
  fs: KustomizeFileSystem,
  k: Kustomization,
  value: string,
  report: Reporter,
): Promise<JsonMap[] | undefined> {
  const inline = parseResourceYaml(value);
  // Kustomize reads the entry as YAML first: nothing but comments is an inline patch of nothing.
  if (inline.problems.length === 0 && inline.documents.length === 0) return [];
  const inlineMaps = inline.documents.filter(
    (doc) => isRecord(doc.value) && hasOwn(doc.value, 'kind'),
  );
  if (
    inline.problems.length === 0 &&
    inlineMaps.length > 0 &&
    inlineMaps.length === inline.documents.length
  ) {
    return strategicPatches(
      inline.documents.map((doc) => doc.value),
      report,
    );
  }
  const text = await readFileIn(fs, k, value, report, 'patch');
  if (text === undefined) return undefined;
  const parsed = parseResourceYaml(text);
  if (parsed.problems.length > 0) {
    report(
      'kustomize/invalid-patch',
      `patch ${value} is not valid YAML: ${parsed.problems[0]?.message ?? ''}`,
    );
    return undefined;
  }
  return strategicPatches(
    parsed.documents.map((doc) => doc.value),
    report,
  );
}

function strategicPatches(values: readonly unknown[], report: Reporter): JsonMap[] | undefined {
  const patches: JsonMap[] = [];
  for (const value of values) {
    if (
      !isRecord(value) ||
      scalarText(value.kind) === '' ||
      !isRecord(value.metadata) ||
      scalarText(value.metadata.name) === ''
    ) {
      report(
        'kustomize/invalid-patch',
        'a strategic merge patch needs a kind and a metadata.name',
        {
          hint: 'kubectl kustomize cannot parse it as a strategic merge or a JSON patch',
        },
      );
      return undefined;
    }
    patches.push(value);
  }
  return patches;
}

/** A patch with no target applies to the object of its own kind and name (by any id). */
export function patchById(
  resources: Resource[],
  patch: JsonMap,
  options: PatchEntry['options'],
  report: Reporter,
): void {
  const probe = new Resource(patch, { file: '', document: 0, line: 0 });
  const id = probe.curId();
  const matches = resources.filter((resource) =>
    resource.anyIds().some((other) => idEquals(other, id)),
  );
  if (matches.length !== 1) {
    report(
      'kustomize/patch-target-not-found',
      matches.length === 0
        ? `the patch for ${idLabel(id)} matches no object (kind, apiVersion, name and namespace must match)`
        : `the patch for ${idLabel(id)} matches ${matches.length} objects`,
      {
        hint: "check the patch's apiVersion, kind, metadata.name and metadata.namespace, or give it a target",
      },
    );
    return;
  }
  applySmPatchTo(resources, matches, patch, options);
}

function applySmPatchTo(
  resources: Resource[],
  targets: readonly Resource[],
  patch: JsonMap,
  options: PatchEntry['options'],
): void {
  for (const target of targets) {
    if (!resources.includes(target)) continue;
    const kept = applyStrategicMergePatch(target, patch, options);
    if (!kept) resources.splice(resources.indexOf(target), 1);
  }
}

async function patchText(
  fs: KustomizeFileSystem,
  k: Kustomization,
  entry: PatchEntry,
  report: Reporter,
): Promise<string | undefined> {
  if (entry.patch !== undefined) return entry.patch;
  if (entry.path === undefined) return undefined;
  return readFileIn(fs, k, entry.path, report, 'patch');
}

/** One `patches` entry. */
export async function applyPatch(
  fs: KustomizeFileSystem,
  k: Kustomization,
  entry: PatchEntry,
  resources: Resource[],
  report: Reporter,
): Promise<void> {
  const text = await patchText(fs, k, entry, report);
  if (text === undefined) return;
  const operations = jsonPatchOperations(text);
  if (operations?.length === 0) {
    // `[]` also reads as a strategic merge patch of nothing.
    report('kustomize/invalid-patch', 'the patch is an empty list of JSON patch operations', {
      hint: 'kubectl kustomize refuses it ("illegally qualifies as both an SM and JSON patch"); remove the entry',
    });
    return;
  }
  if (operations) {
    if (!entry.target) {
      report('kustomize/invalid-patch', 'a JSON patch needs a target', {
        hint: 'add target: with at least the kind and name of the object to patch',
      });
      return;
    }
    const selected = selectResources(resources, entry.target);
    if (selected.length === 0) targetNotFound(entry, report);
    for (const resource of selected) applyJsonPatchToResource(resource, operations, true);
    return;
  }
  const parsed = parseResourceYaml(text);
  if (parsed.problems.length > 0) {
    report(
      'kustomize/invalid-patch',
      `the patch is not valid YAML: ${parsed.problems[0]?.message ?? ''}`,
    );
    return;
  }
  const patches = strategicPatches(
    parsed.documents.map((doc) => doc.value),
    report,
  );
  if (!patches) return;
  if (patches.length === 0) {
    emptyPatch(text, entry, resources, report);
    return;
  }
  if (!entry.target) {
    for (const patch of patches) patchById(resources, patch, entry.options, report);
    return;
  }
  if (patches.length > 1) {
    report(
      'kustomize/invalid-patch',
      'a `patches` entry with a target may hold only one strategic merge patch',
      { hint: 'split the documents into one entry each, or drop the target' },
    );
    return;
  }
  const selected = selectResources(resources, entry.target);
  if (selected.length === 0) targetNotFound(entry, report);
  for (const patch of patches) applySmPatchTo(resources, selected, patch, entry.options);
}

/**
 * A patch with no object in it (PatchTransformer.Config): an empty file is taken for a JSON
 * patch of nothing, which needs a target; blank lines or comments read as null, which is both
 * an (empty) strategic merge and a JSON patch, and kubectl refuses.
 */
function emptyPatch(
  text: string,
  entry: PatchEntry,
  resources: Resource[],
  report: Reporter,
): void {
  if (text !== '') {
    report('kustomize/invalid-patch', 'the patch holds no object, only blank lines or comments', {
      hint: 'kubectl kustomize refuses it ("illegally qualifies as both an SM and JSON patch"); remove the entry or fill the file',
    });
  } else if (!entry.target) {
    report('kustomize/invalid-patch', 'the patch file is empty', {
      hint: 'kubectl kustomize takes it for a JSON patch and refuses it without a target; remove the entry or fill the file',
    });
  } else if (selectResources(resources, entry.target).length === 0) {
    targetNotFound(entry, report);
  }
}

function targetNotFound(entry: PatchEntry, report: Reporter): void {
  if (entry.options.allowNoTargetMatch) return;
  report(
    'kustomize/patch-target-not-found',
    `the patch target ${describeSelector(entry.target ?? {})} matches no object, so the patch does nothing`,
    { hint: 'kubectl kustomize silently skips it; check the target kind, name and selectors' },
  );
}

/** One `patchesJson6902` entry. */
export async function applyLegacyJsonPatch(
  fs: KustomizeFileSystem,
  k: Kustomization,
  entry: PatchEntry,
  resources: Resource[],
  report: Reporter,
): Promise<void> {
  if (!entry.target?.name) {
    report('kustomize/invalid-patch', 'a patchesJson6902 entry needs target.name');
    return;
  }
  const text = await patchText(fs, k, entry, report);
  if (text === undefined) return;
  const operations = jsonPatchOperations(text);
  if (!operations || operations.length === 0) {
    report(
      'kustomize/invalid-patch',
      'the patchesJson6902 entry is not a list of JSON patch operations',
    );
    return;
  }
  const selected = selectResources(resources, entry.target);
  if (selected.length === 0) targetNotFound(entry, report);
  for (const resource of selected) applyJsonPatchToResource(resource, operations, false);
}

/** JSON patch operations when the text is a list (JSON, or YAML read as Kustomize reads it). */
function jsonPatchOperations(text: string): JsonPatchOperation[] | undefined {
  const trimmed = text.trim();
  let value: unknown;
  if (trimmed.startsWith('[')) {
    try {
      value = JSON.parse(trimmed) as unknown;
    } catch {
      value = parseKustomizationYaml(trimmed).value;
    }
  } else {
    const parsed = parseKustomizationYaml(trimmed);
    if (parsed.problems.length > 0) return undefined;
    value = parsed.value;
  }
  if (!Array.isArray(value)) return undefined;
  return decodeJsonPatch(value);
}

function describeSelector(selector: Selector): string {
  const parts = Object.entries(selector).map(([key, value]) => `${key}=${String(value)}`);
  return parts.length > 0 ? `(${parts.join(', ')})` : '(everything)';
}
