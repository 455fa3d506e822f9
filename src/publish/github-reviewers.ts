/**
 * Review requests on a pull request: reviewers already requested or who already reviewed are
 * not asked again, and a reviewer GitHub refuses (422: not a collaborator, the author, ...)
 * becomes a warning instead of failing the others.
 *
 * Calls GitHub only through `GitHubClient` (pacing, retries and redaction are its job).
 */
import type { GitHubClient } from './github-client.js';
import { githubText, httpFailure, type FailureContext, type HttpFailure } from './github-errors.js';
import type { ReviewRequestResult, ReviewerRequest } from './pull-request-host.js';

/** Asks `request`'s reviewers not yet asked; see the module comment. */
export async function requestReviewers(
  client: GitHubClient,
  number: number,
  request: ReviewerRequest,
): Promise<ReviewRequestResult> {
  const readContext: FailureContext = {
    action: `read the reviewers of pull request #${number}`,
    permission: 'pull_requests=read',
    notFound: client.prNotFound(number),
  };
  const { data: pending } = await client.read(readContext, () =>
    client.octokit.rest.pulls.listRequestedReviewers({
      owner: client.owner,
      repo: client.repo,
      pull_number: number,
    }),
  );
  const asked = new Set(pending.users.map((user) => user.login.toLowerCase()));
  const askedTeams = new Set(pending.teams.map((team) => team.slug.toLowerCase()));
  for (let page = 1; page <= client.maxPages; page++) {
    const { data: reviews } = await client.read(readContext, () =>
      client.octokit.rest.pulls.listReviews({
        owner: client.owner,
        repo: client.repo,
        pull_number: number,
        per_page: client.pageSize,
        page,
      }),
    );
    for (const review of reviews) {
      if (review.user) asked.add(review.user.login.toLowerCase());
    }
    if (reviews.length < client.pageSize) break;
  }

  const skipped: string[] = [];
  const users: string[] = [];
  for (const login of request.reviewers) {
    const name = login.trim().replace(/^@/, '');
    if (!name) continue;
    if (asked.has(name.toLowerCase())) skipped.push(name);
    else if (!users.some((user) => user.toLowerCase() === name.toLowerCase())) users.push(name);
  }
  const teams: string[] = [];
  for (const team of request.teamReviewers) {
    const slug = team.trim().replace(/^@/, '').split('/').pop() ?? '';
    if (!slug) continue;
    if (askedTeams.has(slug.toLowerCase())) skipped.push(team.trim());
    else if (!teams.some((t) => t.toLowerCase() === slug.toLowerCase())) teams.push(slug);
  }
  const result: ReviewRequestResult = {
    requested: [],
    requestedTeams: [],
    skipped,
    warnings: [],
  };
  if (users.length === 0 && teams.length === 0) return result;

  const context: FailureContext = {
    action: `request reviews on pull request #${number}`,
    permission: 'pull_requests=write',
    notFound: client.prNotFound(number),
  };
  const send = (reviewers: string[], teamReviewers: string[]) =>
    client.queue.run(() =>
      client.afterCreate(() =>
        client.octokit.rest.pulls.requestReviewers({
          owner: client.owner,
          repo: client.repo,
          pull_number: number,
          reviewers,
          team_reviewers: teamReviewers,
        }),
      ),
    );
  try {
    await send(users, teams);
    result.requested.push(...users);
    result.requestedTeams.push(...teams);
    return result;
  } catch (error) {
    const failure = httpFailure(error);
    if (failure?.status !== 422) throw client.failure(error, context);
    if (users.length + teams.length === 1) {
      result.warnings.push(reviewWarning(client, number, users, teams, failure));
      return result;
    }
  }
  // One refused reviewer fails the whole request: ask each one alone to keep the others.
  const singles: [string[], string[]][] = [
    ...users.map((user): [string[], string[]] => [[user], []]),
    ...teams.map((team): [string[], string[]] => [[], [team]]),
  ];
  for (const [user, team] of singles) {
    try {
      await send(user, team);
      result.requested.push(...user);
      result.requestedTeams.push(...team);
    } catch (error) {
      const failure = httpFailure(error);
      if (failure?.status !== 422) throw client.failure(error, context);
      result.warnings.push(reviewWarning(client, number, user, team, failure));
    }
  }
  return result;
}

function reviewWarning(
  client: GitHubClient,
  number: number,
  users: string[],
  teams: string[],
  failure: HttpFailure,
): string {
  const who = [...users.map((user) => `@${user}`), ...teams.map((team) => `team ${team}`)];
  return client.clean(
    `could not request a review from ${who.join(', ')} on PR #${number}: ${githubText(failure)}`,
  );
}
