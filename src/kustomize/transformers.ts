/**
 * The built-in transformers of a kustomization, one function each, in the shape of Kustomize's
 * builtins: namespace, name prefix and suffix, labels, annotations, images, replicas, and the
 * two kinds of patches applied to one object.
 */
import {
  COMMON_ANNOTATION_FIELD_SPECS,
  IMAGE_FIELD_SPECS,
  NAME_FIELD_SPECS,
  NAMESPACE_FIELD_SPECS,
  REPLICA_FIELD_SPECS,
  applyFieldSpec,
  setEntry,
  type FieldSpec,
} from './fieldspecs.js';
import { applyJsonPatch, type JsonPatchOperation } from './jsonpatch.js';
import { strategicMerge } from './merge.js';
import { gvkSelected, isNamespaceable, type ResId } from './resid.js';
import type { Resource } from './resource.js';
import {
  KustomizeError,
  clone,
  finalizeValue,
  hasOwn,
  isNullish,
  isRecord,
  isScalar,
  scalarText,
  type JsonMap,
} from './values.js';

export function transformNamespace(resources: readonly Resource[], namespace: string): void {
  for (const resource of resources) {
    if (resource.isEmpty()) continue;
    resource.storePreviousId();
    const gvk = resource.gvk;
    if (isNamespaceable(gvk)) {
      applyFieldSpec(
        resource.object,
        gvk,
        { path: 'metadata/namespace', create: true },
        () => namespace,
        'scalar',
      );
    }
    if (gvk.kind === 'RoleBinding' || gvk.kind === 'ClusterRoleBinding') {
      const subjects = resource.object.subjects;
      if (Array.isArray(subjects)) {
        for (const subject of subjects) {
          if (
            isRecord(subject) &&
            hasOwn(subject, 'name') &&
            scalarText(subject.name) === 'default'
          ) {
            subject.namespace = namespace;
          }
        }
      }
    }
    const apiVersion = scalarText(resource.object.apiVersion);
    for (const spec of NAMESPACE_FIELD_SPECS) {
      if (spec.path === 'metadata/name' && apiVersion !== 'v1') continue;
      applyFieldSpec(resource.object, gvk, spec, () => namespace, 'scalar');
    }
  }
}

function skipsNameAffix(id: ResId): boolean {
  return (
    id.kind === 'CustomResourceDefinition' ||
    id.kind === 'Namespace' ||
    (id.group === 'apiregistration.k8s.io' && id.kind === 'APIService')
  );
}

export function transformNameAffix(
  resources: readonly Resource[],
  affix: string,
  where: 'prefix' | 'suffix',
): void {
  for (const resource of resources) {
    const original = resource.orgId();
    if (skipsNameAffix(original)) continue;
    for (const spec of NAME_FIELD_SPECS) {
      if (!gvkSelected(original, spec)) continue;
      if (spec.path === 'metadata/name') {
        if (where === 'prefix') resource.prefixes.push(affix);
        else resource.suffixes.push(affix);
        resource.storePreviousId();
      }
      applyFieldSpec(
        resource.object,
        resource.gvk,
        spec,
        (current) =>
          where === 'prefix' ? `${affix}${scalarText(current)}` : `${scalarText(current)}${affix}`,
        'scalar',
      );
    }
  }
}

/** Sets every pair on every field the specs locate (labels and annotations transformers). */
export function transformMapEntries(
  resources: readonly Resource[],
  entries: Record<string, string>,
  specs: readonly FieldSpec[],
): void {
  const keys = Object.keys(entries).sort();
  if (keys.length === 0) return;
  for (const resource of resources) {
    for (const key of keys) {
      for (const spec of specs) {
        applyFieldSpec(
          resource.object,
          resource.gvk,
          spec,
          setEntry(key, entries[key] ?? ''),
          'map',
        );
      }
    }
  }
}

export function transformAnnotations(
  resources: readonly Resource[],
  annotations: Record<string, string>,
): void {
  transformMapEntries(resources, annotations, COMMON_ANNOTATION_FIELD_SPECS);
}

export interface ImageSpec {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  /** Appended to the current tag when neither newTag nor digest is given. */
  tagSuffix?: string;
}

function escapeAllowed(name: string): RegExp | undefined {
  try {
    return new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
  } catch {
    return undefined;
  }
}

/** image.Split: name, tag and digest of `[host[:port]/]path[:tag][@digest]`. */
export function splitImage(image: string): [string, string, string] {
  let search = image;
  let slash = image.indexOf('/');
  if (slash > 0) search = image.slice(slash);
  else slash = 0;
  let at = search.indexOf('@');
  let colon = search.indexOf(':');
  if (colon < 0 && at < 0) return [image, '', ''];
  if (at >= 0 && (at < colon || colon < 0)) {
    at += slash;
    return [image.slice(0, at), '', image.slice(at + 1)];
  }
  if (at >= 0 && colon >= 0) {
    at += slash;
    colon += slash;
    return [image.slice(0, colon), image.slice(colon + 1, at), image.slice(at + 1)];
  }
  colon += slash;
  return [image.slice(0, colon), image.slice(colon + 1), ''];
}

function imageUpdater(spec: ImageSpec): (current: unknown) => unknown {
  const pattern = escapeAllowed(spec.name);
  return (current) => {
    if (!isNullish(current) && !isScalar(current)) {
      throw new KustomizeError('an image field is not a scalar');
    }
    const text = scalarText(current);
    if (!pattern?.test(text)) return current;
    let [name, tag, digest] = splitImage(text);
    if (spec.newName) name = spec.newName;
    if (spec.newTag && spec.digest) {
      tag = spec.newTag;
      digest = spec.digest;
    } else if (spec.newTag) {
      tag = spec.newTag;
      digest = '';
    } else if (spec.digest) {
      tag = '';
      digest = spec.digest;
    } else if (spec.tagSuffix) {
      tag += spec.tagSuffix;
      digest = '';
    }
    return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  };
}

/** Every `image` of every item of any `containers`/`initContainers` list, at any depth. */
function legacyImageWalk(value: unknown, update: (current: unknown) => unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) legacyImageWalk(item, update);
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, field] of Object.entries(value)) {
    legacyImageWalk(field, update);
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(field)) {
      for (const container of field) {
        if (isRecord(container) && hasOwn(container, 'image')) {
          container.image = update(container.image);
        }
      }
    }
  }
}

export function transformImages(resources: readonly Resource[], spec: ImageSpec): void {
  const update = imageUpdater(spec);
  for (const resource of resources) {
    if (resource.kind === 'CustomResourceDefinition') continue;
    legacyImageWalk(resource.object, update);
  }
  for (const resource of resources) {
    if (resource.kind === 'CustomResourceDefinition') continue;
    for (const fieldSpec of IMAGE_FIELD_SPECS) {
      applyFieldSpec(resource.object, resource.gvk, fieldSpec, update);
    }
  }
}

/** Returns false when no object matches the name. */
export function transformReplicas(
  resources: readonly Resource[],
  replica: { name: string; count: number },
): boolean {
  let found = false;
  for (const spec of REPLICA_FIELD_SPECS) {
    const matched = resources.filter((resource) =>
      resource.anyIds().some((id) => id.name === replica.name && gvkSelected(id, spec)),
    );
    if (matched.length === 0) continue;
    found = true;
    for (const resource of matched) {
      applyFieldSpec(resource.object, resource.gvk, spec, () => replica.count, 'scalar');
    }
  }
  return found;
}

export interface PatchOptions {
  allowNameChange?: boolean;
  allowKindChange?: boolean;
}

/**
 * Applies a strategic merge patch to one object (resource.ApplySmPatch): the object keeps its
 * kind, name and namespace unless the options allow a change. Returns false when the patch
 * deleted the object.
 */
export function applyStrategicMergePatch(
  resource: Resource,
  patch: JsonMap,
  options: PatchOptions = {},
): boolean {
  const { name, namespace, kind } = resource;
  if (options.allowNameChange || options.allowKindChange) resource.storePreviousId();
  const copy = clone(patch);
  if (hasOwn(resource.object, 'apiVersion')) copy.apiVersion = resource.object.apiVersion;
  const merged = strategicMerge(resource.object, copy);
  if (merged === undefined || Object.keys(merged).length === 0) {
    resource.object = {};
    return false;
  }
  resource.object = merged;
  if (!options.allowKindChange) resource.kind = kind;
  if (!options.allowNameChange) resource.name = name;
  resource.namespace = namespace;
  return true;
}

/** Applies JSON patch operations to one object, through JSON as Kustomize does. */
export function applyJsonPatchToResource(
  resource: Resource,
  operations: readonly JsonPatchOperation[],
  storePreviousId: boolean,
): void {
  if (storePreviousId) resource.storePreviousId();
  const document = finalizeValue(clone(resource.object));
  const patched = applyJsonPatch(document, operations);
  if (!isRecord(patched)) throw new KustomizeError('the JSON patch did not leave an object');
  resource.object = patched;
}
