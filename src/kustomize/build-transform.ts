/**
 * The transformers of one kustomization, applied in this order: patchesStrategicMerge and
 * patches, namespace, namePrefix/nameSuffix, labels and commonLabels, commonAnnotations,
 * patchesJson6902, replicas, images, replacements. Each entry that fails is reported and skipped.
 */
import { join } from 'node:path';
import { readFileIn } from './build-files.js';
import {
  applyLegacyJsonPatch,
  applyPatch,
  patchById,
  strategicPatchesFrom,
} from './build-patches.js';
import { reportAt, reportError } from './build-report.js';
import {
  COMMON_LABEL_FIELD_SPECS,
  TEMPLATE_LABEL_FIELD_SPECS,
  type FieldSpec,
} from './fieldspecs.js';
import type { Kustomization, Path } from './kustomization-types.js';
import { readReplacementFile } from './kustomization-replacements.js';
import { applyReplacement, type Replacement } from './replacements.js';
import { gvkSelected, idEquals, idLabel, type Gvk } from './resid.js';
import type { Resource } from './resource.js';
import {
  transformAnnotations,
  transformImages,
  transformMapEntries,
  transformNameAffix,
  transformNamespace,
  transformReplicas,
} from './transformers.js';
import type { KustomizeFileSystem, KustomizeFinding } from './types.js';
import { KustomizeError } from './values.js';

/** Applies the kustomization's transformers to `resources`, in place. */
export async function transform(
  fs: KustomizeFileSystem,
  findings: KustomizeFinding[],
  k: Kustomization,
  resources: Resource[],
): Promise<void> {
  let loaded = 0;
  let failed = false;
  for (const entry of k.patchesStrategicMerge) {
    const report = reportAt(findings, k, entry.at);
    try {
      const patches = await strategicPatchesFrom(fs, k, entry.value, report);
      if (patches) for (const patch of patches) patchById(resources, patch, {}, report);
      loaded += patches?.length ?? 0;
      failed ||= patches === undefined;
    } catch (error) {
      reportError(report, error);
    }
  }
  // PatchStrategicMergeTransformer loads every entry at once and refuses a total of nothing.
  if (k.patchesStrategicMerge.length > 0 && loaded === 0 && !failed) {
    reportAt(findings, k, ['patchesStrategicMerge'])(
      'kustomize/invalid-patch',
      'patchesStrategicMerge holds no patch: its files are empty',
      { hint: 'kubectl kustomize refuses it ("patch appears to be empty"); remove the field' },
    );
  }

  for (const entry of k.patches) {
    const report = reportAt(findings, k, entry.at);
    try {
      await applyPatch(fs, k, entry.value, resources, report);
    } catch (error) {
      reportError(report, error);
    }
  }

  const guarded = (path: Path, run: () => void): void => {
    try {
      run();
    } catch (error) {
      reportError(reportAt(findings, k, path), error);
    }
  };

  if (k.namespace !== '') {
    guarded(['namespace'], () => {
      transformNamespace(resources, k.namespace);
      checkIdConflicts(findings, resources, k, ['namespace']);
    });
  }
  if (k.namePrefix !== '')
    guarded(['namePrefix'], () => {
      transformNameAffix(resources, k.namePrefix, 'prefix');
    });
  if (k.nameSuffix !== '')
    guarded(['nameSuffix'], () => {
      transformNameAffix(resources, k.nameSuffix, 'suffix');
    });
  for (const entry of k.labels) {
    guarded(entry.at, () => {
      const label = entry.value;
      let specs: FieldSpec[] = [...label.fields];
      if (label.includeSelectors) specs = mergeSpecs(specs, COMMON_LABEL_FIELD_SPECS);
      else {
        if (label.includeTemplates) specs = mergeSpecs(specs, TEMPLATE_LABEL_FIELD_SPECS);
        specs = mergeSpecs(specs, [{ path: 'metadata/labels', create: true }]);
      }
      transformMapEntries(resources, label.pairs, specs);
    });
  }
  guarded(['commonLabels'], () => {
    transformMapEntries(resources, k.commonLabels, COMMON_LABEL_FIELD_SPECS);
  });
  guarded(['commonAnnotations'], () => {
    transformAnnotations(resources, k.commonAnnotations);
  });

  for (const entry of k.patchesJson6902) {
    const report = reportAt(findings, k, entry.at);
    try {
      await applyLegacyJsonPatch(fs, k, entry.value, resources, report);
    } catch (error) {
      reportError(report, error);
    }
  }

  for (const entry of k.replicas) {
    guarded(entry.at, () => {
      if (!transformReplicas(resources, entry.value)) {
        reportAt(findings, k, entry.at)(
          'kustomize/replicas-target-not-found',
          `replicas: no Deployment, ReplicationController, ReplicaSet or StatefulSet is named ${entry.value.name}`,
          { hint: 'kubectl kustomize fails on this entry; check the name' },
        );
      }
    });
  }
  for (const entry of k.images) {
    guarded(entry.at, () => {
      transformImages(resources, entry.value);
    });
  }
  for (const entry of k.replacements) {
    const report = reportAt(findings, k, entry.at);
    const { replacement, path } = entry.value;
    let list: Replacement[] = replacement ? [replacement] : [];
    if (path !== undefined) {
      const text = await readFileIn(fs, k, path, report, 'replacement file');
      if (text === undefined) continue;
      list = readReplacementFile(join(k.dir, path), text, findings);
    }
    try {
      for (const item of list) applyReplacement(resources, item);
    } catch (error) {
      if (!(error instanceof KustomizeError)) throw error;
      report(
        error.code === 'kustomize/transform-failed' ? 'kustomize/replacement-failed' : error.code,
        error.message,
        { hint: 'kubectl kustomize fails on this replacement' },
      );
    }
  }
}

/** After the namespace change: of two objects with one id, the later is reported and dropped. */
function checkIdConflicts(
  findings: KustomizeFinding[],
  resources: Resource[],
  k: Kustomization,
  at: Path,
): void {
  for (let index = 0; index < resources.length; index++) {
    const resource = resources[index];
    if (!resource) continue;
    const id = resource.curId();
    const other = resources.findIndex(
      (candidate, i) => i !== index && idEquals(candidate.curId(), id),
    );
    if (other > index) {
      reportAt(findings, k, at)(
        'kustomize/duplicate-resource',
        `the namespace transformation gives two objects the id ${idLabel(id)}`,
        { hint: 'the same object exists in two namespaces of the bases' },
      );
      resources.splice(other, 1);
    }
  }
}

/** FieldSpec.effectivelyEquals: same path, the existing spec's type selected by the other's. */
function sameSpec(existing: FieldSpec, other: FieldSpec): boolean {
  return existing.path === other.path && gvkSelected(gvkOf(existing), other);
}

const gvkOf = (spec: FieldSpec): Gvk => ({
  group: spec.group ?? '',
  version: spec.version ?? '',
  kind: spec.kind ?? '',
});

/**
 * FsSlice.MergeAll: adds the specs not already there (a narrower one given in `fields` keeps
 * the default out); the same path with another `create` is refused.
 */
function mergeSpecs(specs: readonly FieldSpec[], more: readonly FieldSpec[]): FieldSpec[] {
  const result = [...specs];
  for (const spec of more) {
    const existing = result.find((candidate) => sameSpec(candidate, spec));
    if (!existing) result.push(spec);
    else if ((existing.create ?? false) !== (spec.create ?? false)) {
      throw new KustomizeError(
        `the field spec ${spec.path} is given with create ${String(existing.create ?? false)}, the default has create ${String(spec.create ?? false)}`,
        'kustomize/invalid-value',
        'kubectl kustomize refuses it ("conflicting fieldspecs"); drop the field spec or match create',
      );
    }
  }
  return result;
}
