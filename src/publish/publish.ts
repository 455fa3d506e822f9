/**
 * `gitops-gen publish`: plan change sets from the environment files, render and validate
 * them, and hand each to git. Commit mode pushes one commit to the base branch (never forced;
 * on a race it re-reads, re-applies and retries). PR mode pushes a gitops-gen branch with a
 * pinned lease and opens or updates its pull request. Idempotent: unchanged content makes no
 * commit, no push and no pull-request update. Foreign commits and files are never overwritten.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { simpleGit } from 'simple-git';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EnvironmentConfig } from '../config/environment.js';
import { loadEnvironments, selectEnvironments } from '../config/index.js';
import { GitopsGenError, ExitCode, RemoteFailure, UsageError } from '../errors.js';
import { renderTree, type FileTree } from '../render/index.js';
import type { ValidationReport } from '../validate/findings.js';
import { validate } from '../validate/index.js';
import { planChangeSet } from './changeset.js';
import {
  branchName,
  commitMessage,
  diffReport,
  fingerprint,
  parseMarker,
  pullRequestBody,
  pullRequestTitle,
  replaceManagedSection,
} from './describe.js';
import { GitWorkspace, type Identity } from './git-workspace.js';
import {
  createGitHubHost,
  parseGitHubRemote,
  type MergeMethod,
  type PullRequest,
  type PullRequestHost,
} from './github.js';
import { filesOf, scopeOf } from './plan.js';
import {
  ownershipManifestPath,
  type ChangeDescription,
  type ChangeSet,
  type FileMap,
} from './types.js';

export type PublishMode = 'commit' | 'pr';

export interface PublishOptions {
  configDir: string;
  configDirRequired?: boolean;
  /** Only these environments (all when empty). */
  environments?: readonly string[];
  /** Overrides of the environment files' `publish` settings. */
  repo?: string;
  base?: string;
  path?: string;
  mode?: PublishMode;
  dryRun?: boolean;
  /** First line of the commit message instead of the generated one. */
  message?: string;
  author?: Identity;
  /** Revision of the configuration that was rendered (for the commit trailer). */
  sourceRevision?: string;
  /** GitHub: `owner/name` (default: from the remote URL), API root, token. */
  githubRepo?: string;
  githubApiUrl?: string;
  token?: string;
  labels?: readonly string[];
  reviewers?: readonly string[];
  teamReviewers?: readonly string[];
  draft?: boolean;
  autoMerge?: MergeMethod;
  /** Overwrite foreign commits on the PR branch, reopen a change a human closed. */
  force?: boolean;
  /** Commit mode: overwrite owned files edited by hand since the last publish. */
  overwriteDrift?: boolean;
  /** Folder of the cache repositories. */
  cacheDir?: string;
  /** Attempts of the commit-mode race loop (default 10) and its first delay in ms (default 1000). */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** A pull-request host to use instead of GitHub (tests, other forges). */
  host?: PullRequestHost;
  userAgent?: string;
  /** Progress lines for people ("render", "validate", "push", ...). */
  progress?: (step: string) => void;
}

export type PublishOperation =
  | 'pushed'
  | 'up-to-date'
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'closed'
  | 'skipped'
  | 'would-push'
  | 'would-open';

export interface ChangeSetResult {
  mode: PublishMode;
  environments: string[];
  repo: string;
  base: string;
  operation: PublishOperation;
  fingerprint: string;
  branch: string;
  commit?: string;
  pullRequest?: { number: number; url: string };
  /** Added, changed and removed files. */
  counts: { added: number; changed: number; removed: number };
  drift: string[];
  warnings: string[];
  /** The change in words and diffs (dry run and `diff`). */
  report?: string;
}

export interface PublishResult {
  changeSets: ChangeSetResult[];
}

/** A publish that needs a person to decide (foreign commits, hand edits, policy). Exit code 3. */
export class PublishRefused extends GitopsGenError {
  constructor(message: string, hint: string, code = 'publish/refused') {
    super(code, message, ExitCode.remote, [{ code, message, hint }]);
  }
}

/** Validation refused the render: nothing was written anywhere. Exit code 1. */
export class ValidationRefused extends GitopsGenError {
  constructor(
    readonly report: ValidationReport,
    what = 'the rendered tree',
  ) {
    super(
      'publish/invalid',
      `${what} has ${report.summary.errors} validation error(s): nothing was published`,
      ExitCode.findings,
    );
  }
}

interface ChangeSetPlan {
  repo: string;
  base: string;
  path: string;
  mode: PublishMode;
  environments: EnvironmentConfig[];
}

/** Change sets: commit mode groups environments by repository, branch and folder; PR mode has one per environment. */
function planChangeSets(
  environments: readonly EnvironmentConfig[],
  options: PublishOptions,
): ChangeSetPlan[] {
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
async function validateTree(tree: FileTree): Promise<ValidationReport> {
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

/**
 * Whether `files` (a pull-request branch) already hold what the change set writes: every file
 * gitops-gen owns after it, the ownership manifest, and the absence of the files it removes.
 */
function holdsOwnFiles(files: FileMap, changeSet: ChangeSet): boolean {
  const paths = new Set([
    ownershipManifestPath,
    ...Object.keys(changeSet.manifest.files),
    ...changeSet.files.map((file) => file.path),
  ]);
  return [...paths].every((path) => files.get(path) === changeSet.next.get(path));
}

/** Files to write (text) and remove (null) to turn `current` into `next`. */
function changesBetween(current: FileMap, next: FileMap): Map<string, string | null> {
  const changes = new Map<string, string | null>();
  for (const [path, text] of next) if (current.get(path) !== text) changes.set(path, text);
  for (const path of current.keys()) if (!next.has(path)) changes.set(path, null);
  return changes;
}

function counts(changeSet: ChangeSet): ChangeSetResult['counts'] {
  return {
    added: changeSet.files.filter((file) => file.kind === 'added').length,
    changed: changeSet.files.filter((file) => file.kind === 'changed').length,
    removed: changeSet.files.filter((file) => file.kind === 'removed').length,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Jittered exponential backoff: delay × 1.5^attempt ± 50 %, at most 30 s. */
function backoff(attempt: number, delay: number): number {
  return Math.min(30_000, delay * 1.5 ** attempt * (0.5 + Math.random()));
}

interface PreparedChangeSet {
  plan: ChangeSetPlan;
  /** Every environment of the configuration, and the tree rendered and validated from them. */
  all: readonly EnvironmentConfig[];
  tree: FileTree;
  validation: ValidationReport;
  names: string[];
}

/** What one attempt writes: the change set against the base and the fingerprint of its render. */
interface Target {
  fingerprint: string;
  changeSet: ChangeSet;
}

/**
 * The change set against the files of the base branch. Shared files (the Argo CD project and
 * kustomization, the ApplicationSet, Flux's cluster kustomization) are rendered for the
 * environments the branch will hold: this change set's and those already published there.
 * Publishing dev alone must not list prod's Application, which only a reviewed pull request
 * brings, or Argo CD's root app fails to build until then.
 */
async function targetFor(
  prepared: PreparedChangeSet,
  current: FileMap,
  force: boolean | undefined,
): Promise<Target> {
  const { plan, all, names } = prepared;
  const included = all.filter(
    (environment) =>
      names.includes(environment.name) ||
      current.has(`overlays/${environment.name}/kustomization.yaml`),
  );
  const tree =
    included.length === all.length ? prepared.tree : renderTree(included, plan.environments);
  const rendered = filesOf(tree, plan.environments);
  const changeSet = planChangeSet({ current, rendered, scope: scopeOf(plan.environments) });
  refuseConflicts(changeSet, force);
  await validateOwnedResult(prepared.tree, changeSet);
  return { fingerprint: fingerprint(rendered, names, plan.base), changeSet };
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

function describeChange(
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
    validation: prepared.validation.summary,
    fullDiffCommand: `gitops-gen diff --repo ${prepared.plan.repo} --base ${prepared.plan.base}${prepared.names.map((name) => ` --env ${name}`).join('')}`,
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

async function publishCommit(
  prepared: PreparedChangeSet,
  workspace: GitWorkspace,
  options: PublishOptions,
  author: Identity,
): Promise<ChangeSetResult> {
  const { plan } = prepared;
  const maxAttempts = options.maxAttempts ?? 10;
  let lastCommit: string | undefined;
  let target: Target | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (attempt > 0) await sleep(backoff(attempt, options.retryDelayMs ?? 1000));
    const base = await workspace.fetchBranch(plan.base);
    // A push whose outcome was unknown (the network dropped) may have landed after all.
    if (
      lastCommit &&
      target &&
      base &&
      (base === lastCommit || (await workspace.isAncestor(lastCommit, base)))
    ) {
      return result('pushed', target, lastCommit);
    }
    const current = base ? await workspace.readFiles(base, plan.path) : new Map<string, string>();
    target = await targetFor(prepared, current, options.force);
    const { changeSet } = target;
    if (changeSet.drift.length > 0 && !options.overwriteDrift) {
      throw new PublishRefused(
        `owned files were edited by hand since the last publish: ${changeSet.drift.join(', ')}`,
        'move the change into the environment files, or rerun with --overwrite-drift to replace the edits (or publish with --mode pr to review them)',
        'publish/drift',
      );
    }
    const description = describeChange(prepared, target, plan.base);
    if (changeSet.files.length === 0) return result('up-to-date', target);
    if (options.dryRun) return result('would-push', target, undefined, diffReport(description));
    const generated = commitMessage(description, options.sourceRevision);
    const message = options.message
      ? `${options.message}\n${generated.slice(generated.indexOf('\n'))}`
      : generated;
    options.progress?.(`commit ${prepared.names.join(', ')}`);
    const commit = await workspace.commit({
      parent: base,
      folder: plan.path,
      changes: changesBetween(current, changeSet.next),
      message,
      author,
    });
    options.progress?.(`push ${plan.base}`);
    let outcome;
    try {
      outcome = await workspace.push(commit, plan.base);
    } catch (error) {
      if (
        error instanceof RemoteFailure &&
        error.code === 'remote/network' &&
        attempt + 1 < maxAttempts
      ) {
        lastCommit = commit;
        continue;
      }
      throw error;
    }
    if (outcome.status === 'pushed') return result('pushed', target, commit);
    if (outcome.reason === 'policy') {
      throw new PublishRefused(
        `${plan.repo} refused the push to ${plan.base}: ${outcome.detail}`,
        'the branch is protected: publish with --mode pr, or ask for the rule to allow gitops-gen',
        'publish/push-refused',
      );
    }
    lastCommit = undefined; // rejected for sure: build again on the new tip
  }
  throw new RemoteFailure(
    `${plan.base} kept moving: ${maxAttempts} attempts to push lost the race, nothing was pushed`,
    'run the same command again later',
    'remote/race',
  );

  function result(
    operation: PublishOperation,
    { fingerprint: print, changeSet }: Target,
    commit?: string,
    report?: string,
  ): ChangeSetResult {
    return {
      mode: 'commit',
      environments: prepared.names,
      repo: plan.repo,
      base: plan.base,
      operation,
      fingerprint: print,
      branch: plan.base,
      ...(commit ? { commit } : {}),
      counts: counts(changeSet),
      drift: changeSet.drift,
      warnings: [],
      ...(report ? { report } : {}),
    };
  }
}

function hostFor(plan: ChangeSetPlan, options: PublishOptions): PullRequestHost {
  if (options.host) return options.host;
  const named = options.githubRepo?.split('/');
  const remote = parseGitHubRemote(plan.repo);
  const owner = named?.[0] ?? remote?.owner;
  const repo = named?.[1] ?? remote?.repo;
  if (!owner || !repo) {
    throw new UsageError(
      `cannot tell the GitHub repository of ${plan.repo}`,
      'pass --github-repo owner/name (and --github-api-url for GitHub Enterprise)',
    );
  }
  return createGitHubHost({
    owner,
    repo,
    token: options.token,
    ...((options.githubApiUrl ?? remote?.apiUrl)
      ? { apiUrl: options.githubApiUrl ?? remote?.apiUrl }
      : {}),
    userAgent: options.userAgent ?? 'gitops-gen',
  });
}

async function publishPullRequest(
  prepared: PreparedChangeSet,
  workspace: GitWorkspace,
  options: PublishOptions,
  author: Identity,
): Promise<ChangeSetResult> {
  const { plan } = prepared;
  const host = hostFor(plan, options);
  const branch = branchName(plan.base, prepared.names);
  const warnings: string[] = [];
  const done = (
    operation: PublishOperation,
    extra: Partial<ChangeSetResult>,
    { fingerprint: print, changeSet }: Target,
  ): ChangeSetResult => ({
    mode: 'pr',
    environments: prepared.names,
    repo: plan.repo,
    base: plan.base,
    operation,
    fingerprint: print,
    branch,
    counts: counts(changeSet),
    drift: changeSet.drift,
    warnings,
    ...extra,
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    const base = await workspace.fetchBranch(plan.base);
    if (base === undefined) {
      throw new PublishRefused(
        `${plan.repo} has no branch ${plan.base} to open a pull request against`,
        'create it, or publish with --mode commit first',
        'publish/no-base',
      );
    }
    const current = await workspace.readFiles(base, plan.path);
    const target = await targetFor(prepared, current, options.force);
    const { changeSet } = target;
    const description = describeChange(prepared, target, branch);
    const open = await host.findOpenPullRequest(branch, plan.base);
    if (open && !parseMarker(open.body) && !options.force) {
      throw new PublishRefused(
        `branch ${branch} is used by pull request #${open.number}, which gitops-gen did not open`,
        'close that pull request or rename its branch, or rerun with --force',
        'publish/foreign-pull-request',
      );
    }
    const head = await workspace.remoteHead(branch);
    if (head !== undefined) {
      await workspace.fetchRef(branch);
      const foreign = (await workspace.commits(`${base}..${head}`)).filter(
        (commit) => commit.trailers['Gitops-Gen-Fingerprint'] === undefined,
      );
      if (foreign.length > 0 && !options.force) {
        throw new PublishRefused(
          `branch ${branch} carries commits gitops-gen did not make: ${foreign.map((commit) => `${commit.sha.slice(0, 7)} ${commit.authorName}: ${commit.subject}`).join('; ')}`,
          'merge or close the pull request, delete the branch, or rerun with --force to replace them',
          'publish/foreign-commits',
        );
      }
    }
    if (changeSet.files.length === 0) {
      // The base already holds this state: a pull request of ours for it is stale.
      if (open && parseMarker(open.body)) {
        if (!options.dryRun) {
          await host.comment(
            open.number,
            `Closing: ${plan.base} already contains this rendered state (${target.fingerprint}).`,
          );
          await host.updatePullRequest(open.number, { state: 'closed' });
          if (head !== undefined) await host.deleteBranch(branch);
        }
        return done('closed', { pullRequest: { number: open.number, url: open.url } }, target);
      }
      return done('up-to-date', {}, target);
    }
    if (!open && !options.force) {
      const rejected = (await host.findClosedPullRequests(branch, plan.base)).find(
        (closed) =>
          closed.mergedAt === undefined &&
          parseMarker(closed.body)?.fingerprint === target.fingerprint,
      );
      if (rejected) {
        warnings.push(
          `pull request #${rejected.number} with this exact change was closed without merging; not opened again (use --force)`,
        );
        return done(
          'skipped',
          { pullRequest: { number: rejected.number, url: rejected.url } },
          target,
        );
      }
    }
    if (options.dryRun) {
      return done(
        open ? 'updated' : 'would-open',
        { report: `${pullRequestTitle(description)}\n\n${diffReport(description)}` },
        target,
      );
    }
    // The branch is rebuilt only when the files gitops-gen writes differ from what they should
    // be: commits on the base that touch other files leave the branch (and its review) alone.
    let headSha = head;
    let pushed = false;
    const branchFiles = head !== undefined ? await workspace.readFiles(head, plan.path) : undefined;
    const upToDate = branchFiles !== undefined && holdsOwnFiles(branchFiles, changeSet);
    if (!upToDate) {
      const commit = await workspace.commit({
        parent: base,
        folder: plan.path,
        changes: changesBetween(current, changeSet.next),
        message: commitMessage(description, options.sourceRevision),
        author,
      });
      options.progress?.(`push ${branch}`);
      const outcome = await workspace.push(commit, branch, { expected: head ?? '' });
      if (outcome.status === 'rejected') {
        if (outcome.reason === 'policy') {
          throw new PublishRefused(
            `${plan.repo} refused the push to ${branch}: ${outcome.detail}`,
            'allow gitops-gen to push gitops-gen/* branches',
            'publish/push-refused',
          );
        }
        continue; // someone moved the branch between our read and our write: look again
      }
      headSha = commit;
      pushed = true;
    }
    const title = pullRequestTitle(description);
    const body = pullRequestBody(description, headSha ? { head: headSha } : {});
    let pullRequest: PullRequest;
    let operation: PublishOperation;
    if (open) {
      const nextBody = replaceManagedSection(open.body, body);
      const changes = {
        ...(open.title !== title ? { title } : {}),
        ...(normalize(open.body) !== normalize(nextBody) ? { body: nextBody } : {}),
      };
      pullRequest =
        Object.keys(changes).length > 0 ? await host.updatePullRequest(open.number, changes) : open;
      operation = pushed || Object.keys(changes).length > 0 ? 'updated' : 'unchanged';
    } else {
      options.progress?.('open pull request');
      const created = await host.createPullRequest({
        head: branch,
        base: plan.base,
        title,
        body,
        draft: options.draft ?? false,
      });
      pullRequest = created;
      operation = created.existed ? 'updated' : 'created';
      if (created.existed) {
        pullRequest = await host.updatePullRequest(created.number, {
          title,
          body: replaceManagedSection(created.body, body),
        });
      }
    }
    const missingLabels = (options.labels ?? []).filter(
      (label) => !pullRequest.labels.includes(label),
    );
    if (missingLabels.length > 0) await host.addLabels(pullRequest.number, missingLabels);
    if (options.reviewers?.length || options.teamReviewers?.length) {
      const review = await host.requestReviewers(pullRequest.number, {
        reviewers: options.reviewers ?? [],
        teamReviewers: options.teamReviewers ?? [],
      });
      warnings.push(...review.warnings);
    }
    if (options.autoMerge) {
      const merge = await host.enableAutoMerge(pullRequest.number, options.autoMerge, headSha);
      if (merge.warning) warnings.push(merge.warning);
    }
    return done(
      operation,
      {
        ...(headSha ? { commit: headSha } : {}),
        pullRequest: { number: pullRequest.number, url: pullRequest.url },
      },
      target,
    );
  }
  throw new RemoteFailure(
    `branch ${branch} kept moving while gitops-gen wrote it: nothing was overwritten`,
    'run the same command again',
    'remote/race',
  );
}

function normalize(text: string): string {
  return text.replace(/\r\n/g, '\n').trimEnd();
}

/** The identity of gitops-gen's commits: --author, else GIT_AUTHOR_NAME/EMAIL, else a bot identity. */
export function parseAuthor(text: string): Identity {
  const match = /^\s*(.+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text);
  if (!match?.[1] || !match[2])
    throw new UsageError(`"${text}" is not an author`, 'write it as "Name <mail@example.com>"');
  return { name: match[1], email: match[2] };
}

function defaultAuthor(): Identity {
  const name = process.env.GIT_AUTHOR_NAME;
  const email = process.env.GIT_AUTHOR_EMAIL;
  if (name && email) return { name, email };
  if (process.env.GITHUB_ACTIONS === 'true') {
    return {
      name: 'github-actions[bot]',
      email: '41898282+github-actions[bot]@users.noreply.github.com',
    };
  }
  return { name: 'gitops-gen', email: 'gitops-gen@users.noreply.github.com' };
}

/**
 * The commit of the configuration being rendered, for the commit trailer: HEAD of the git
 * repository around the environments folder, `-dirty` when it has uncommitted changes.
 */
async function configurationRevision(configDir: string): Promise<string | undefined> {
  try {
    const git = simpleGit({ baseDir: configDir });
    const head = (await git.revparse(['HEAD'])).trim();
    const dirty = !(await git.status(['--porcelain', '--', '.'])).isClean();
    return `${head}${dirty ? '-dirty' : ''}`;
  } catch {
    return undefined; // not in a git repository
  }
}

/** Plans, renders, validates and publishes every change set; see the module comment. */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  const all = await loadEnvironments({
    configDir: options.configDir,
    configDirRequired: options.configDirRequired,
  });
  const selected = selectEnvironments(all, options.environments ?? []);
  const author = options.author ?? defaultAuthor();
  const sourceRevision = options.sourceRevision ?? (await configurationRevision(options.configDir));
  options = { ...options, ...(sourceRevision ? { sourceRevision } : {}) };
  options.progress?.('render');
  // The whole tree, every environment, is validated first: a render with errors writes nothing
  // anywhere. Each change set then takes its own files (see targetFor).
  const tree = renderTree(all);
  options.progress?.('validate');
  const validation = await validateTree(tree);
  if (validation.summary.errors > 0) throw new ValidationRefused(validation);
  const results: ChangeSetResult[] = [];
  for (const plan of planChangeSets(selected, options)) {
    const names = plan.environments.map((environment) => environment.name);
    const prepared: PreparedChangeSet = { plan, all, tree, validation, names };
    options.progress?.(`fetch ${plan.repo}`);
    const workspace = await GitWorkspace.open({
      remote: plan.repo,
      ...(options.cacheDir ? { cacheDir: join(options.cacheDir, String(results.length)) } : {}),
      ...(options.token ? { token: options.token } : {}),
    });
    results.push(
      plan.mode === 'commit'
        ? await publishCommit(prepared, workspace, options, author)
        : await publishPullRequest(prepared, workspace, options, author),
    );
  }
  return { changeSets: results };
}
