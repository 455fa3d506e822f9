/**
 * What both modes of publish write, before git is involved: the change sets to publish (which
 * environments go to which repository, branch and folder), the validation of a rendered tree,
 * and for each attempt the target against the base branch's files, refused when it would
 * overwrite foreign files and validated again when it differs from what was validated.
 *
 * Reads and writes no repository and calls no host: the callers fetch the base's files and
 * write the result (publish-commit.ts, publish-pull-request.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EnvironmentConfig } from '../config/environment.js';
import { UsageError } from '../errors.js';
import { renderTree, type FileTree } from '../render/index.js';
import type { ValidationReport } from '../validate/findings.js';
import { validate } from '../validate/index.js';
import { fingerprint } from './change-identity.js';
import { planChangeSet, readOwnershipManifest } from './changeset.js';
import { displayRemote } from './git-workspace.js';
import { filesOf, retiredEnvironments, scopeOf } from './plan.js';
import { immutableFieldChanges, markForRecreation } from './immutable-fields.js';
import { ImmutableFieldsRefused, PublishRefused, ValidationRefused } from './publish-errors.js';
import { checkPublishOverrides } from './publish-overrides.js';
import type { ChangeSetResult, PublishMode, PublishOptions } from './publish-types.js';
import type { ChangeDescription, ChangeSet, FileMap, ImmutableFieldChange } from './types.js';

export interface ChangeSetPlan {
  repo: string;
  base: string;
  path: string;
  mode: PublishMode;
  environments: EnvironmentConfig[];
}

/** Change sets: commit mode groups environments by repository, branch and folder; PR mode has one per environment. */
export function planChangeSets(
  environments: readonly EnvironmentConfig[],
  options: PublishOptions,
): ChangeSetPlan[] {
  checkPublishOverrides(options);
  const plans = new Map<string, ChangeSetPlan>();
  for (const environment of environments) {
    const repo = options.repo ?? environment.publish.repo;
    if (repo === undefined) {
      throw new UsageError(
        `no repository to publish ${environment.name} to`,
        'pass --repo URL|PATH, or set publish.repo in the environment file',
      );
    }
    const base = options.base ?? environment.publish.branch;
    const path = (options.path ?? environment.publish.path).replace(/^\/+|\/+$/g, '');
    const mode = options.mode ?? environment.publish.mode;
    const key =
      mode === 'commit'
        ? `${repo}\0${base}\0${path}\0commit`
        : `${repo}\0${base}\0${path}\0pr\0${environment.name}`;
    const plan = plans.get(key) ?? { repo, base, path, mode, environments: [] };
    plan.environments.push(environment);
    plans.set(key, plan);
  }
  return [...plans.values()];
}

/** Validates the rendered tree from a temporary folder; the report, or undefined when clean. */
export async function validateTree(tree: FileTree): Promise<ValidationReport> {
  const root = await mkdtemp(join(tmpdir(), 'gitops-gen-publish-'));
  try {
    for (const [path, text] of tree) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text, 'utf8');
    }
    const folders = [...new Set([...tree.keys()].map((path) => path.split('/')[0] ?? ''))].filter(
      (folder) => folder === 'overlays' || folder === 'argocd' || folder === 'clusters',
    );
    return await validate({
      paths: folders.map((folder) => join(root, folder)),
      displayRoot: root,
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Files to write (text) and remove (null) to turn `current` into `next`. */
export function changesBetween(current: FileMap, next: FileMap): Map<string, string | null> {
  const changes = new Map<string, string | null>();
  for (const [path, text] of next) if (current.get(path) !== text) changes.set(path, text);
  for (const path of current.keys()) if (!next.has(path)) changes.set(path, null);
  return changes;
}

export function counts(changeSet: ChangeSet): ChangeSetResult['counts'] {
  return {
    added: changeSet.files.filter((file) => file.kind === 'added').length,
    changed: changeSet.files.filter((file) => file.kind === 'changed').length,
    removed: changeSet.files.filter((file) => file.kind === 'removed').length,
  };
}

export interface PreparedChangeSet {
  plan: ChangeSetPlan;
  /** Every environment of the configuration, and the tree rendered and validated from them. */
  all: readonly EnvironmentConfig[];
  tree: FileTree;
  validation: ValidationReport;
  names: string[];
}

/** What one attempt writes: the change set against the base and the fingerprint of its render. */
export interface Target {
  fingerprint: string;
  changeSet: ChangeSet;
  /** Fields the API server refuses to update that the change edits. */
  immutable: ImmutableFieldChange[];
  /** Whether those objects are marked to be deleted and recreated (--allow-recreate). */
  recreate: boolean;
}

/** Refuses a change the API server would not apply, unless the user allowed recreation. */
export function refuseImmutableChanges(target: Target): void {
  if (target.immutable.length > 0 && !target.recreate) {
    throw new ImmutableFieldsRefused(target.immutable);
  }
}

/**
 * The change set against the files of the base branch. Shared files (the Argo CD project and
 * kustomization, the ApplicationSet, Flux's cluster kustomization) are rendered for the
 * environments the branch will hold: this change set's and those already published there.
 * Publishing dev alone must not list prod's Application, which only a reviewed pull request
 * brings, or Argo CD's root app fails to build until then.
 */
export async function targetFor(
  prepared: PreparedChangeSet,
  current: FileMap,
  options: Pick<PublishOptions, 'force' | 'allowRecreate'>,
): Promise<Target> {
  const { plan, all, names } = prepared;
  const included = all.filter(
    (environment) =>
      names.includes(environment.name) ||
      current.has(`overlays/${environment.name}/kustomization.yaml`),
  );
  const tree =
    included.length === all.length ? prepared.tree : renderTree(included, plan.environments);
  let rendered: FileMap = filesOf(tree, plan.environments);
  // An environment whose file was deleted is retired by every change set to this folder: the
  // shared files rendered above no longer list it, so its overlay must go in the same change.
  const retired = retiredEnvironments(
    readOwnershipManifest(current),
    all.map((environment) => environment.name),
  );
  const changeSetOf = (files: FileMap): ChangeSet =>
    planChangeSet({
      current,
      rendered: files,
      scope: scopeOf(plan.environments, retired),
      retired,
    });
  let changeSet = changeSetOf(rendered);
  refuseConflicts(changeSet, options.force);
  // What the cluster holds is what the base branch holds: fields the API server will not
  // update are compared against it, overlay by overlay, as built.
  // An unchanged tree changes no field: skip building every overlay twice.
  const immutable =
    changeSet.files.length === 0 ? [] : await immutableFieldChanges(current, changeSet.next, names);
  if (immutable.length > 0 && options.allowRecreate) {
    rendered = markForRecreation(rendered, immutable);
    changeSet = changeSetOf(rendered);
  }
  await validateOwnedResult(prepared.tree, changeSet);
  const retiring = changeSet.retired.map((entry) => entry.environment);
  return {
    fingerprint: fingerprint(rendered, names, plan.base, retiring),
    changeSet,
    immutable,
    recreate: immutable.length > 0 && options.allowRecreate === true,
  };
}

/**
 * Validates the files gitops-gen will own after the change when they differ from the tree
 * validated before: the branch may hold other environments published from another
 * configuration, or shared files rendered for fewer environments, and a concurrent publisher
 * may have changed either between two attempts.
 */
async function validateOwnedResult(validated: FileTree, changeSet: ChangeSet): Promise<void> {
  const owned = new Map<string, string>();
  let differs = false;
  for (const path of Object.keys(changeSet.manifest.files)) {
    const text = changeSet.next.get(path);
    if (text === undefined) continue;
    owned.set(path, text);
    if (validated.get(path) !== text) differs = true;
  }
  if (!differs) return;
  const report = await validateTree(owned);
  if (report.summary.errors > 0)
    throw new ValidationRefused(report, 'the repository after this change');
}

export function describeChange(
  prepared: PreparedChangeSet,
  target: Target,
  branch: string,
): ChangeDescription {
  const { changeSet } = target;
  return {
    environments: prepared.names,
    base: prepared.plan.base,
    branch,
    fingerprint: target.fingerprint,
    changeSet,
    immutable: { changes: target.immutable, recreate: target.recreate },
    validation: prepared.validation.summary,
    fullDiffCommand: `gitops-gen diff --repo ${displayRemote(prepared.plan.repo)} --base ${prepared.plan.base}${prepared.names.map((name) => ` --env ${name}`).join('')}`,
  };
}

function refuseConflicts(changeSet: ChangeSet, force: boolean | undefined): void {
  if (changeSet.conflicts.length > 0 && !force) {
    throw new PublishRefused(
      `the repository holds files gitops-gen did not write where it would write: ${changeSet.conflicts.join(', ')}`,
      'move or delete them, or rerun with --force to take them over',
      'publish/foreign-files',
    );
  }
}
