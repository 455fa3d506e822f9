/**
 * Immutable fields (issue 13): which objects of a publish the API server would refuse to update,
 * because a field changed that can only be set at creation (a StatefulSet's
 * volumeClaimTemplates, a selector, a Service's clusterIP, a bound PVC's spec, a Job's template,
 * a binding's roleRef, an immutable ConfigMap's data), and a tree in which exactly those objects
 * ask Argo CD and Flux to delete and recreate them. Owns comparing the built overlays of two
 * trees and the recreate patch; the rules themselves are in immutable-rules.ts. Pure: both trees
 * are built in memory by the kustomize engine.
 */
import { isNode, isSeq, parseAllDocuments, parseDocument, type Document } from 'yaml';
import {
  buildKustomization,
  memoryFileSystem,
  type BuildCache,
  type BuiltResource,
} from '../kustomize/index.js';
import { toYamlFile } from '../render/yaml.js';
import { canonical, groupOf, isRecord, refusedFields, type ObjectRef } from './immutable-rules.js';
import type { FileMap, ImmutableFieldChange } from './types.js';

export type { ImmutableFieldChange };

export const syncOptionsAnnotation = 'argocd.argoproj.io/sync-options';
export const fluxForceAnnotation = 'kustomize.toolkit.fluxcd.io/force';

const kustomizationNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const maxRendering = 100;

const overlayOf = (environment: string): string => `overlays/${environment}`;

function kustomizationPath(tree: FileMap, environment: string): string | undefined {
  return kustomizationNames
    .map((name) => `${overlayOf(environment)}/${name}`)
    .find((path) => tree.has(path));
}

function short(value: unknown, redact: boolean): string {
  const text = redact && value !== undefined ? '(redacted)' : canonical(value);
  return text.length > maxRendering ? `${text.slice(0, maxRendering - 1)}…` : text;
}

interface Identified {
  apiVersion: string;
  ref: ObjectRef;
  object: Record<string, unknown>;
}

function identify({ object }: BuiltResource): Identified | undefined {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const { apiVersion, kind } = object;
  const { name, namespace } = metadata;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') {
    return undefined;
  }
  return {
    apiVersion,
    ref: { kind, name, ...(typeof namespace === 'string' ? { namespace } : {}) },
    object,
  };
}

/** Group, kind, namespace and name: an object's identity across API versions. */
const keyOf = ({ apiVersion, ref }: Identified): string =>
  [groupOf(apiVersion), ref.kind, ref.namespace ?? '', ref.name].join('\u0000');

async function builtObjects(
  tree: FileMap,
  environment: string,
  cache: BuildCache,
): Promise<Map<string, Identified> | undefined> {
  if (kustomizationPath(tree, environment) === undefined) return undefined;
  const built = await buildKustomization(
    `/${overlayOf(environment)}`,
    memoryFileSystem(tree),
    cache,
  );
  if (built.findings.some((finding) => finding.severity === 'error')) return undefined;
  const objects = new Map<string, Identified>();
  for (const resource of built.resources) {
    const identified = identify(resource);
    if (identified) objects.set(keyOf(identified), identified);
  }
  return objects;
}

/**
 * Every field the API server would refuse to update when `next` replaces `current`, per
 * environment, in environment, kind, namespace, name and field order. An environment whose
 * overlay `current` lacks (nothing deployed yet) or whose overlay does not build on either side
 * is skipped. Objects are matched by API group, kind, namespace and name as built.
 */
export async function immutableFieldChanges(
  current: FileMap,
  next: FileMap,
  environments: readonly string[],
): Promise<ImmutableFieldChange[]> {
  const currentCache: BuildCache = new Map();
  const nextCache: BuildCache = new Map();
  const changes: ImmutableFieldChange[] = [];
  for (const environment of [...new Set(environments)]) {
    const before = await builtObjects(current, environment, currentCache);
    if (!before) continue;
    const after = await builtObjects(next, environment, nextCache);
    if (!after) continue;
    for (const [key, was] of before) {
      const will = after.get(key);
      if (!will) continue;
      for (const refused of refusedFields(was.object, will.object, will.apiVersion, will.ref)) {
        const redact = refused.redact === true;
        changes.push({
          environment,
          apiVersion: will.apiVersion,
          ...will.ref,
          field: refused.field,
          before: short(refused.before, redact),
          after: short(refused.after, redact),
          rule: refused.rule,
          advice: refused.advice,
        });
      }
    }
  }
  const order = (change: ImmutableFieldChange): string[] => [
    change.environment,
    change.kind,
    change.namespace ?? '',
    change.name,
    change.field,
  ];
  return changes.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    const index = x.findIndex((part, i) => part !== y[i]);
    return index < 0 ? 0 : (x[index] ?? '') < (y[index] ?? '') ? -1 : 1;
  });
}

/** Merges sync options: ours replace any Force or Replace already there, the rest stay. */
function mergedSyncOptions(existing: readonly string[]): string {
  const options = existing
    .flatMap((value) => value.split(','))
    .map((option) => option.trim())
    .filter((option) => option !== '' && !/^(Force|Replace)=/.test(option));
  return [...new Set([...options, 'Force=true', 'Replace=true'])].join(',');
}

function yamlDocuments(text: string): unknown[] {
  const documents: unknown[] = [];
  try {
    for (const document of parseAllDocuments(text, { version: '1.1' })) {
      if (document.errors.length === 0) documents.push(document.toJS());
    }
  } catch {
    // Not YAML (or aliases gone wild): nothing to take from it.
  }
  return documents;
}

/** Whether a patch target's name (an anchored regular expression) selects one of `names`. */
function selects(target: Record<string, unknown>, names: Set<string>): boolean {
  if (typeof target.name !== 'string') return true;
  try {
    const pattern = new RegExp(`^(?:${target.name})$`);
    return [...names].some((name) => pattern.test(name));
  } catch {
    return names.has(target.name);
  }
}

/**
 * Sync options the build already gives the object: on its own document in the base or the
 * overlay (under its built or its pre-prefix name), from commonAnnotations, or from a patch.
 * A scan of the sources, since this function cannot build: enough for the trees gitops-gen
 * writes and for hand edits of the usual kinds.
 */
function existingSyncOptions(
  tree: FileMap,
  environment: string,
  names: Set<string>,
  kind: string,
): string[] {
  const found: string[] = [];
  const take = (annotations: unknown): void => {
    const value = isRecord(annotations) ? annotations[syncOptionsAnnotation] : undefined;
    if (typeof value === 'string') found.push(value);
  };
  const ofObject = (document: unknown): void => {
    if (!isRecord(document) || document.kind !== kind || !isRecord(document.metadata)) return;
    if (typeof document.metadata.name === 'string' && names.has(document.metadata.name)) {
      take(document.metadata.annotations);
    }
  };
  for (const [path, text] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/\.ya?ml$|\/Kustomization$/.test(path)) continue;
    if (!path.startsWith('base/') && !path.startsWith(`${overlayOf(environment)}/`)) continue;
    for (const document of yamlDocuments(text)) {
      if (isRecord(document) && document.kind === 'Kustomization') {
        take(document.commonAnnotations);
        const patches = Array.isArray(document.patches) ? document.patches : [];
        for (const patch of patches) {
          if (!isRecord(patch) || typeof patch.patch !== 'string') continue;
          const target = isRecord(patch.target) ? patch.target : {};
          if ((target.kind !== undefined && target.kind !== kind) || !selects(target, names)) {
            continue;
          }
          yamlDocuments(patch.patch).forEach((inner) => {
            if (isRecord(inner) && isRecord(inner.metadata)) take(inner.metadata.annotations);
          });
        }
      } else {
        ofObject(document);
      }
    }
  }
  return found;
}

interface Marked {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Escapes a name for a patch target, which kustomize reads as an anchored regular expression. */
const literal = (name: string): string => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function recreatePatch(
  tree: FileMap,
  environment: string,
  object: Marked,
  kustomization: Record<string, unknown>,
): { target: Record<string, string>; patch: string } {
  // The overlay's own prefix, suffix and namespace are applied after its patches.
  const prefix = typeof kustomization.namePrefix === 'string' ? kustomization.namePrefix : '';
  const suffix = typeof kustomization.nameSuffix === 'string' ? kustomization.nameSuffix : '';
  let name = object.name;
  if (prefix !== '' && name.startsWith(prefix)) name = name.slice(prefix.length);
  if (suffix !== '' && name.endsWith(suffix)) name = name.slice(0, name.length - suffix.length);
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const ownNamespace = typeof kustomization.namespace === 'string';
  const target: Record<string, string> = {
    ...(group ? { group } : {}),
    ...(version ? { version } : {}),
    kind: object.kind,
    name: literal(name),
    ...(object.namespace !== undefined && !ownNamespace
      ? { namespace: literal(object.namespace) }
      : {}),
  };
  const options = mergedSyncOptions(
    existingSyncOptions(tree, environment, new Set([object.name, name]), object.kind),
  );
  const patch = toYamlFile([], {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name,
      annotations: { [syncOptionsAnnotation]: options, [fluxForceAnnotation]: 'enabled' },
    },
  });
  return { target, patch };
}

/**
 * A copy of `tree` in which every object of `changes` carries, in its environment's overlay
 * only, the annotations that make Argo CD (`Force=true,Replace=true`: delete and recreate, merged
 * with its sync options) and Flux (`force: enabled`) recreate it: one patch per object, added to
 * the end of overlays/<environment>/kustomization.yaml. The base and every other file stay
 * byte-identical; an existing identical target is rewritten, not repeated.
 */
export function markForRecreation(
  tree: FileMap,
  changes: readonly ImmutableFieldChange[],
): Map<string, string> {
  const result = new Map(tree);
  const byEnvironment = new Map<string, Map<string, Marked>>();
  for (const change of changes) {
    const objects = byEnvironment.get(change.environment) ?? new Map<string, Marked>();
    const { apiVersion, kind, name, namespace } = change;
    const key = [groupOf(apiVersion), kind, namespace ?? '', name].join('\u0000');
    objects.set(key, { apiVersion, kind, name, ...(namespace === undefined ? {} : { namespace }) });
    byEnvironment.set(change.environment, objects);
  }
  for (const [environment, objects] of [...byEnvironment].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = kustomizationPath(tree, environment);
    const text = path === undefined ? undefined : tree.get(path);
    if (path === undefined || text === undefined) {
      throw new Error(
        `${overlayOf(environment)} has no kustomization to add the recreate patch to`,
      );
    }
    const document: Document = parseDocument(text, { version: '1.1' });
    const kustomization: unknown = document.toJS();
    if (document.errors.length > 0 || !isRecord(kustomization)) {
      throw new Error(`${path} is not a kustomization`);
    }
    // Edited as a document, so that the rest of the file (comments, quoting) stays as it was.
    if (!isSeq(document.get('patches', true))) document.set('patches', document.createNode([]));
    const patches = document.get('patches', true);
    if (!isSeq(patches)) throw new Error(`${path}: patches is not a list`);
    const sorted = [...objects.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [, object] of sorted) {
      const entry = recreatePatch(tree, environment, object, kustomization);
      // Only an earlier recreate patch is replaced: somebody else's patch of the object stays.
      const same = patches.items.findIndex((item) => {
        const patch: unknown = isNode(item) ? item.toJS(document) : item;
        return (
          isRecord(patch) &&
          typeof patch.patch === 'string' &&
          patch.patch.includes(fluxForceAnnotation) &&
          canonical(patch.target) === canonical(entry.target)
        );
      });
      if (same >= 0) patches.items[same] = document.createNode(entry);
      else patches.items.push(document.createNode(entry));
    }
    result.set(path, document.toString({ lineWidth: 0, indentSeq: true }));
  }
  return result;
}
