/**
 * Auto-merge of a pull request: GitHub's GraphQL `enablePullRequestAutoMerge`, retried while a
 * new pull request is not indexed yet; when GitHub says the pull request is already mergeable
 * ("clean status"), a direct merge pinned to the expected head, retried while the base moves.
 *
 * Never throws for a GitHub refusal: every failure becomes a one-line, redacted warning and the
 * pull request stays open. Calls GitHub only through `GitHubClient`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GitHubClient } from './github-client.js';
import {
  githubText,
  graphqlErrors,
  httpFailure,
  RemoteError,
  type FailureContext,
} from './github-errors.js';
import { toPullRequest } from './github-pull-request.js';
import type { AutoMergeResult, MergeMethod, PullRequest } from './pull-request-host.js';

/** Enables auto-merge on pull request `number`, or merges it when it is already mergeable. */
export async function enableAutoMerge(
  client: GitHubClient,
  number: number,
  method: MergeMethod,
  expectedHeadSha?: string,
): Promise<AutoMergeResult> {
  const notEnabled = (text: string): AutoMergeResult => ({
    outcome: 'not-enabled',
    warning: client.clean(text),
  });
  let pr: PullRequest;
  try {
    pr = await client.read(
      {
        action: `read pull request #${number}`,
        permission: 'pull_requests=read',
        notFound: client.prNotFound(number),
      },
      async () =>
        toPullRequest(
          (
            await client.octokit.rest.pulls.get({
              owner: client.owner,
              repo: client.repo,
              pull_number: number,
            })
          ).data,
        ),
    );
  } catch (error) {
    if (error instanceof RemoteError) return notEnabled(`auto-merge left off: ${error.message}`);
    throw error;
  }
  if (pr.state !== 'open') {
    return notEnabled(`PR #${number} is ${pr.mergedAt ? 'merged' : 'closed'}; auto-merge left off`);
  }

  const mutation = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;
  let errors: { message: string; type: string }[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await sleep(client.consistencyDelay * 2 ** (attempt - 1));
    try {
      await client.queue.run(() =>
        client.octokit.graphql(mutation, {
          pullRequestId: pr.nodeId,
          mergeMethod: method.toUpperCase(),
        }),
      );
      return { outcome: 'enabled' };
    } catch (error) {
      const found = graphqlErrors(error);
      if (!found) {
        if (httpFailure(error) === undefined) throw error;
        const mapped = client.failure(error, {
          action: `enable auto-merge on pull request #${number}`,
          permission: 'pull_requests=write',
        });
        return notEnabled(`PR #${number}: auto-merge left off: ${mapped.message}`);
      }
      errors = found;
      if (!found.some((entry) => /could not resolve to a node/i.test(entry.message))) break;
    }
  }
  const text = errors.map((entry) => entry.message).join('; ');
  if (/\b(clean|unstable) status\b/i.test(text)) {
    return mergeNow(client, pr, method, expectedHeadSha ?? pr.headSha);
  }
  if (/auto.?merge is not allowed|not allowed for this repository/i.test(text)) {
    return notEnabled(
      `PR #${number}: auto-merge is not allowed in ${client.slug} (enable "Allow auto-merge" in the repository settings); the PR stays open`,
    );
  }
  return notEnabled(`PR #${number}: could not enable auto-merge: ${text || 'unknown error'}`);
}

async function mergeNow(
  client: GitHubClient,
  pr: PullRequest,
  method: MergeMethod,
  sha: string,
): Promise<AutoMergeResult> {
  const context: FailureContext = {
    action: `merge pull request #${pr.number}`,
    permission: 'contents=write',
    notFound: client.prNotFound(pr.number),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await sleep(client.consistencyDelay * 2 ** (attempt - 1));
    try {
      const { data } = await client.queue.run(() =>
        client.octokit.rest.pulls.merge({
          owner: client.owner,
          repo: client.repo,
          pull_number: pr.number,
          merge_method: method,
          sha,
        }),
      );
      return { outcome: 'merged', sha: data.sha };
    } catch (error) {
      const failure = httpFailure(error);
      if (!failure) throw error;
      const text = githubText(failure);
      if (failure.status === 405 && /base branch was modified/i.test(text)) continue;
      if (failure.status === 409) {
        return {
          outcome: 'not-enabled',
          warning: `PR #${pr.number} not merged: its head changed; auto-merge left off`,
        };
      }
      if (failure.status === 405) {
        return {
          outcome: 'not-enabled',
          warning: client.clean(`PR #${pr.number} not merged: ${text}; the PR stays open`),
        };
      }
      const mapped = client.failure(error, context);
      return {
        outcome: 'not-enabled',
        warning: `PR #${pr.number} not merged: ${mapped.message}`,
      };
    }
  }
  return {
    outcome: 'not-enabled',
    warning: `PR #${pr.number} not merged: ${pr.baseRef} kept moving (5 attempts); the PR stays open`,
  };
}
