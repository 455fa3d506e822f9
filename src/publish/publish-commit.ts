/**
 * Commit mode: one commit on the base branch, never forced. On a lost race it fetches again,
 * builds the change on the new tip and retries with jittered backoff; a push whose outcome was
 * unknown counts as pushed once it shows up on the base. Refuses to overwrite hand edits of
 * owned files unless told to.
 */
import { RemoteFailure } from '../errors.js';
import { commitMessage, diffReport } from './describe.js';
import { displayRemote, type GitWorkspace, type Identity } from './git-workspace.js';
import { PublishRefused } from './publish-errors.js';
import {
  changesBetween,
  counts,
  describeChange,
  refuseImmutableChanges,
  targetFor,
  type PreparedChangeSet,
  type Target,
} from './publish-target.js';
import type { ChangeSetResult, PublishOperation, PublishOptions } from './publish-types.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Jittered exponential backoff: delay × 1.5^attempt ± 50 %, at most 30 s. */
function backoff(attempt: number, delay: number): number {
  return Math.min(30_000, delay * 1.5 ** attempt * (0.5 + Math.random()));
}

/** Publishes one change set as a commit on its base branch; see the module comment. */
export async function publishCommit(
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
    target = await targetFor(prepared, current, options);
    const { changeSet } = target;
    if (!options.dryRun) refuseImmutableChanges(target);
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
        `${displayRemote(plan.repo)} refused the push to ${plan.base}: ${outcome.detail}`,
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
      repo: displayRemote(plan.repo),
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
