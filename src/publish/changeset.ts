/**
 * What a publish changes in the repository, worked out from file contents alone: which files
 * are added, changed or removed, which Kubernetes objects that touches (and their notable
 * fields), which owned files were edited by hand (drift), which files the render would write
 * over somebody else's (conflicts), and the ownership manifest after the change. Pure.
 *
 * Ownership rules (`.gitops-gen/owned.json`, see OwnershipManifest):
 * - a rendered file that is not owned and is absent is added, and owned from now on;
 * - a rendered file that is not owned but present with the same content is adopted: owned
 *   from now on, with no file change (a tree rendered and committed by hand before the first
 *   publish is taken over without conflicts);
 * - a rendered file that is not owned and present with other content is a conflict: it is
 *   never overwritten, stays as it is in `next`, and stays unowned;
 * - an owned file whose content differs from the manifest's sha256 (or that was deleted) is
 *   drift when the change would overwrite, recreate or remove that hand edit; it IS overwritten
 *   in `next` (the caller decides whether to proceed). A hand edit that already equals the
 *   render is not drift: nothing would be reverted;
 * - an owned file the render no longer holds is removed when it lies within `scope`, and kept
 *   (file and manifest entry, with its old sha256) when it does not;
 * - files that are not owned and not rendered are never touched.
 *
 * The manifest is a file like any other: `files` lists it whenever its text changes (also when
 * the rendered files are already all there, e.g. the first publish of a tree committed by
 * hand), so `files` is empty exactly when `next` equals `current`, and then `next` IS
 * `current`.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { environmentOf } from './plan.js';
import {
  fieldChanges,
  isYamlPath,
  jsonText,
  parseFile,
  type ParsedFile,
  type ParsedResource,
} from './resources.js';
import {
  ownershipManifestPath,
  type ChangeSet,
  type ChangeSetInput,
  type FileChange,
  type FileMap,
  type OwnershipManifest,
  type ResourceChange,
  type RetiredEnvironment,
} from './types.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Whether `path` lies within one of the `scope` folder (or file) patterns. */
export function inScope(path: string, scope: readonly string[]): boolean {
  const segments = path.split('/');
  return scope.some((pattern) => {
    const parts = pattern.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.length > segments.length) return false;
    return parts.every((part, index) => part === '*' || part === segments[index]);
  });
}

/** Reads the ownership manifest from the current files; an absent one owns nothing. */
export function readOwnershipManifest(current: FileMap): OwnershipManifest {
  const text = current.get(ownershipManifestPath);
  if (text === undefined) return { version: 1, files: {} };
  const problem = (message: string): InputError =>
    new InputError(
      `the ownership manifest ${ownershipManifestPath} ${message}`,
      [
        {
          code: 'publish/ownership-manifest',
          message,
          file: ownershipManifestPath,
          hint: 'restore it from the history of the repository, or delete it to publish as the first time (every existing file then counts as somebody else’s)',
        },
      ],
      'publish/ownership-manifest',
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw problem(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw problem('is not a JSON object');
  }
  const { version, files } = value as { version?: unknown; files?: unknown };
  if (version !== 1) {
    throw problem(`has version ${jsonText(version)}; this gitops-gen reads version 1`);
  }
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw problem('has no `files` object');
  }
  const owned: Record<string, string> = {};
  for (const [path, sha] of Object.entries(files as Record<string, unknown>)) {
    if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) {
      throw problem(`lists ${JSON.stringify(path)} with ${JSON.stringify(sha)}, not a sha256`);
    }
    owned[path] = sha;
  }
  return { version: 1, files: owned };
}

/** The manifest's file text: pretty JSON, keys sorted, trailing newline. */
export function formatOwnershipManifest(manifest: OwnershipManifest): string {
  const files: Record<string, string> = {};
  for (const path of Object.keys(manifest.files).sort(compareText)) {
    files[path] = manifest.files[path] ?? '';
  }
  return `${JSON.stringify({ version: manifest.version, files }, null, 2)}\n`;
}

export function planChangeSet(input: ChangeSetInput): ChangeSet {
  const { current, rendered, scope } = input;
  if (rendered.has(ownershipManifestPath)) {
    throw new Error(`the render holds ${ownershipManifestPath}, which is the ownership manifest`);
  }
  const previous = readOwnershipManifest(current);
  const owned = new Map(Object.entries(previous.files));
  const nextOwned = new Map<string, string>();
  const next = new Map(current);
  const files: FileChange[] = [];
  const drift: string[] = [];
  const conflicts: string[] = [];

  for (const path of [...rendered.keys()].sort(compareText)) {
    const content = rendered.get(path) ?? '';
    const existing = current.get(path);
    const ownedSha = owned.get(path);
    if (ownedSha === undefined && existing !== undefined && existing !== content) {
      conflicts.push(path);
      continue;
    }
    nextOwned.set(path, sha256Hex(content));
    if (existing === content) continue;
    if (ownedSha !== undefined && (existing === undefined || sha256Hex(existing) !== ownedSha)) {
      drift.push(path);
    }
    next.set(path, content);
    files.push(
      existing === undefined
        ? { path, kind: 'added', after: content }
        : { path, kind: 'changed', before: existing, after: content },
    );
  }

  for (const [path, sha] of [...owned].sort(([x], [y]) => compareText(x, y))) {
    if (rendered.has(path) || path === ownershipManifestPath) continue;
    if (!inScope(path, scope)) {
      nextOwned.set(path, sha);
      continue;
    }
    const existing = current.get(path);
    if (existing === undefined) continue;
    if (sha256Hex(existing) !== sha) drift.push(path);
    next.delete(path);
    files.push({ path, kind: 'removed', before: existing });
  }

  const manifest: OwnershipManifest = {
    version: 1,
    files: Object.fromEntries([...nextOwned].sort(([x], [y]) => compareText(x, y))),
  };
  const manifestText = formatOwnershipManifest(manifest);
  const currentManifest = current.get(ownershipManifestPath);
  if (manifestText !== currentManifest) {
    next.set(ownershipManifestPath, manifestText);
    files.push(
      currentManifest === undefined
        ? { path: ownershipManifestPath, kind: 'added', after: manifestText }
        : {
            path: ownershipManifestPath,
            kind: 'changed',
            before: currentManifest,
            after: manifestText,
          },
    );
  }

  files.sort((x, y) => compareText(x.path, y.path));
  drift.sort(compareText);
  return {
    files,
    resources: summarizeResources(files),
    drift,
    conflicts,
    retired: retiredFiles(files, input.retired ?? []),
    manifest,
    next: files.length === 0 ? current : next,
  };
}

/** The removed files of each retired environment that has any, in name order. */
function retiredFiles(
  files: readonly FileChange[],
  retired: readonly string[],
): RetiredEnvironment[] {
  return [...retired]
    .sort(compareText)
    .map((environment) => ({
      environment,
      files: files
        .filter((file) => file.kind === 'removed' && environmentOf(file.path) === environment)
        .map((file) => file.path),
    }))
    .filter((entry) => entry.files.length > 0);
}

/**
 * The Kubernetes objects that `files` add, change or remove. Objects are matched by kind,
 * namespace and name within a file first, then across files (an object that moved is a
 * change, reported under its new file). kustomize config files (Kustomization, Component)
 * and YAML that holds no object (prometheus.yml) are not objects: their changes are file
 * changes, and a kustomization's image tags, replica counts and (redacted) secretGenerator
 * literals are set as the file's `fields` (the FileChange objects are updated in place). A
 * file with a side that does not parse is a file change only.
 */
export function summarizeResources(files: readonly FileChange[]): ResourceChange[] {
  interface Side {
    file: string;
    resource: ParsedResource;
  }
  const removed: Side[] = [];
  const added: Side[] = [];
  const changes: ResourceChange[] = [];

  for (const file of files) {
    if (file.path === ownershipManifestPath || !isYamlPath(file.path)) continue;
    const before = file.before === undefined ? emptyFile() : parseFile(file.before);
    const after = file.after === undefined ? emptyFile() : parseFile(file.after);
    // A side that does not parse (a broken hand edit) makes the file opaque: a file change.
    if (!before || !after) continue;
    const fields = fieldChanges(before.kustomizeFields, after.kustomizeFields);
    if (fields.length > 0) file.fields = fields;
    const beforeByKey = keyed(before.resources);
    const afterByKey = keyed(after.resources);
    for (const [key, old] of beforeByKey) {
      const now = afterByKey.get(key);
      if (!now) removed.push({ file: file.path, resource: old });
      else if (differs(old, now)) changes.push(change('changed', file.path, old, now));
    }
    for (const [key, now] of afterByKey) {
      if (!beforeByKey.has(key)) added.push({ file: file.path, resource: now });
    }
  }

  // An object removed from one file and added to another moved: match it once, by identity.
  const addedByIdentity = new Map<string, Side[]>();
  for (const side of added) {
    const key = identity(side.resource);
    addedByIdentity.set(key, [...(addedByIdentity.get(key) ?? []), side]);
  }
  const matched = new Set<Side>();
  for (const old of removed) {
    const candidates = addedByIdentity.get(identity(old.resource)) ?? [];
    const now = candidates.find((candidate) => !matched.has(candidate));
    if (now) {
      matched.add(now);
      if (differs(old.resource, now.resource)) {
        changes.push(change('changed', now.file, old.resource, now.resource));
      }
    } else {
      changes.push(change('removed', old.file, old.resource, undefined));
    }
  }
  for (const now of added) {
    if (!matched.has(now)) changes.push(change('added', now.file, undefined, now.resource));
  }

  return changes.sort(
    (x, y) =>
      compareText(x.file, y.file) ||
      compareText(x.kind, y.kind) ||
      compareText(x.namespace ?? '', y.namespace ?? '') ||
      compareText(x.name, y.name) ||
      compareText(x.change, y.change),
  );
}

/** Changed text, or a changed Secret value (redacted away in the text, kept in the fields). */
function differs(before: ParsedResource, after: ParsedResource): boolean {
  return before.text !== after.text || fieldChanges(before.fields, after.fields).length > 0;
}

function emptyFile(): ParsedFile {
  return { resources: [], kustomizeFields: new Map() };
}

function identity(resource: ParsedResource): string {
  return JSON.stringify([resource.kind, resource.namespace ?? '', resource.name]);
}

/** Resources by identity; the same identity twice in a file gets an occurrence number. */
function keyed(resources: readonly ParsedResource[]): Map<string, ParsedResource> {
  const byKey = new Map<string, ParsedResource>();
  for (const resource of resources) {
    const base = identity(resource);
    let key = base;
    for (let occurrence = 2; byKey.has(key); occurrence++) key = `${base}#${occurrence}`;
    byKey.set(key, resource);
  }
  return byKey;
}

function change(
  kind: ResourceChange['change'],
  file: string,
  before: ParsedResource | undefined,
  after: ParsedResource | undefined,
): ResourceChange {
  const resource = after ?? before;
  if (!resource) throw new Error('a resource change needs a before or an after');
  const result: ResourceChange = {
    kind: resource.kind,
    name: resource.name,
    change: kind,
    file,
    fields: kind === 'changed' && before && after ? fieldChanges(before.fields, after.fields) : [],
  };
  if (resource.namespace !== undefined) result.namespace = resource.namespace;
  if (before) result.before = before.text;
  if (after) result.after = after.text;
  return result;
}

/** Code-unit order: the same on every machine and locale. */
export function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
