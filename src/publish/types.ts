/**
 * The shapes the publish stage passes between its pure core (change set, PR body) and its
 * edges (a git workspace, a pull-request host). Types only.
 */
import type { ValidationSummary } from '../validate/findings.js';

/** Files by path relative to the tree's root in the repository (publish.path). */
export type FileMap = ReadonlyMap<string, string>;

/**
 * `.gitops-gen/owned.json` under the tree's root: every file gitops-gen wrote at the last
 * publish, with the sha256 (hex) of its content. What it lists is gitops-gen's to rewrite or
 * delete; anything else is somebody else's and is never touched.
 */
export interface OwnershipManifest {
  version: 1;
  files: Record<string, string>;
}

export const ownershipManifestPath = '.gitops-gen/owned.json';

export interface ChangeSetInput {
  /** Files under the tree's root at the base commit (the ownership manifest included). */
  current: FileMap;
  /** What render produced for the environments being published. */
  rendered: FileMap;
  /**
   * Folders (relative, `*` for any folder name) this publish owns: owned files there that the
   * render no longer holds are removed. Owned files elsewhere (another environment's overlay)
   * are left as they are.
   */
  scope: readonly string[];
  /** Environments retired from the configuration (their files are in `scope` too). */
  retired?: readonly string[];
}

/** An environment whose file was deleted, and the files of it this change removes. */
export interface RetiredEnvironment {
  environment: string;
  files: string[];
}

export type FileChangeKind = 'added' | 'changed' | 'removed';

export interface FileChange {
  path: string;
  kind: FileChangeKind;
  before?: string;
  after?: string;
  /**
   * Notable fields of a file that holds no Kubernetes object but configures some: a
   * kustomization's image tags and replica counts (secretGenerator literals redacted).
   * Added for the change summary; absent when there are none.
   */
  fields?: FieldChange[];
}

export interface FieldChange {
  /** Dotted path inside the object, e.g. `spec.replicas`, or a short name such as `retention`. */
  field: string;
  before: string;
  after: string;
}

export interface ResourceChange {
  kind: string;
  name: string;
  namespace?: string;
  change: FileChangeKind;
  /** File the resource is in (after the change; before, for a removal). */
  file: string;
  /** Notable fields that changed: retention, resources, replicas, images (empty otherwise). */
  fields: FieldChange[];
  /** The resource's YAML before and after, Secret values redacted. */
  before?: string;
  after?: string;
}

export interface ChangeSet {
  /** File changes in path order; empty when the repository already holds the render. */
  files: FileChange[];
  resources: ResourceChange[];
  /** Owned files whose content differs from what gitops-gen last wrote: edited by hand. */
  drift: string[];
  /** Files the render would write where a file gitops-gen does not own already is. */
  conflicts: string[];
  /** Environments this change retires, with the files it removes; empty when none. */
  retired: RetiredEnvironment[];
  /** The ownership manifest after this change. */
  manifest: OwnershipManifest;
  /** The files as they should be after the change (current, plus changes, new manifest). */
  next: FileMap;
}

/** A field the API server refuses to update that a change edits, in one built object. */
export interface ImmutableFieldChange {
  /** The overlay name (overlays/<environment>/). */
  environment: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Dotted path, e.g. spec.volumeClaimTemplates[data].spec.resources.requests.storage. */
  field: string;
  /** Short renderings, at most 100 characters each. */
  before: string;
  after: string;
  /** Which Kubernetes rule refuses the update. */
  rule: string;
  /** What to do instead. */
  advice: string;
}

/** What a pull request (or a commit message, or `gitops-gen diff`) says about a change. */
export interface ChangeDescription {
  environments: string[];
  base: string;
  branch: string;
  /** sha256 over the rendered files, the environments and the base. */
  fingerprint: string;
  changeSet: ChangeSet;
  validation: ValidationSummary;
  /**
   * Fields the API server refuses to update that the change edits, and whether the objects are
   * marked to be deleted and recreated (--allow-recreate); absent or empty when none.
   */
  immutable?: { changes: readonly ImmutableFieldChange[]; recreate: boolean };
  /** The command that shows the full diff, for a truncation note. */
  fullDiffCommand: string;
}
