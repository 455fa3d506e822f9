/**
 * Pull-request mode: push a gitops-gen branch with a pinned lease (`--force-with-lease` on the
 * head it read) and open or update its pull request through the `PullRequestHost` port, then
 * labels, reviewers and auto-merge. Foreign pull requests and commits on the branch are
 * refused, a change a human closed is not reopened, and a pull request the base already
 * contains is closed. The branch is rebuilt only when the files gitops-gen writes differ.
 */
import { UsageError, RemoteFailure } from '../errors.js';
import { branchName } from './change-identity.js';
import { commitMessage, diffReport } from './describe.js';
import { displayRemote, type GitWorkspace, type Identity } from './git-workspace.js';
import { createGitHubHost } from './github.js';
import { foreignCommits } from './own-commits.js';
import { parseGitHubRemote } from './github-remote.js';
import { pullRequestBody, pullRequestTitle } from './pull-request-body.js';
import type { PullRequest, PullRequestHost } from './pull-request-host.js';
import { parseMarker, replaceManagedSection } from './pull-request-marker.js';
import { PublishRefused } from './publish-errors.js';
import {
  changesBetween,
  counts,
  describeChange,
  refuseImmutableChanges,
  targetFor,
  type ChangeSetPlan,
  type PreparedChangeSet,
  type Target,
} from './publish-target.js';
import type { ChangeSetResult, PublishOperation, PublishOptions } from './publish-types.js';
import { ownershipManifestPath, type ChangeSet, type FileMap } from './types.js';

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

function hostFor(plan: ChangeSetPlan, options: PublishOptions): PullRequestHost {
  if (options.host) return options.host;
  const named = options.githubRepo?.split('/');
  const remote = parseGitHubRemote(plan.repo);
  const owner = named?.[0] ?? remote?.owner;
  const repo = named?.[1] ?? remote?.repo;
  if (!owner || !repo) {
    throw new UsageError(
      `cannot tell the GitHub repository of ${displayRemote(plan.repo)}`,
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
    ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
  });
}

/** Publishes one change set as a pull request; see the module comment. */
export async function publishPullRequest(
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
    repo: displayRemote(plan.repo),
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
        `${displayRemote(plan.repo)} has no branch ${plan.base} to open a pull request against`,
        'create it, or publish with --mode commit first',
        'publish/no-base',
      );
    }
    const current = await workspace.readFiles(base, plan.path);
    const target = await targetFor(prepared, current, options);
    const { changeSet } = target;
    if (!options.dryRun) refuseImmutableChanges(target);
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
      // By content, not by the trailer alone: an amended or cherry-picked commit keeps it.
      const foreign = await foreignCommits(
        workspace,
        await workspace.commits(`${base}..${head}`),
        plan.path,
        open ? parseMarker(open.body)?.head : undefined,
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
            `${displayRemote(plan.repo)} refused the push to ${branch}: ${outcome.detail}`,
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
