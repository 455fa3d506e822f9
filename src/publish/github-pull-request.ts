/**
 * GitHub's REST pull-request object, as the port's `PullRequest`: one place that knows the
 * field names (`html_url`, `node_id`, `requested_teams`, ...) and GitHub's nulls. Pure.
 */
import type { PullRequest } from './pull-request-host.js';

interface PullRequestFields {
  number: number;
  html_url: string;
  node_id: string;
  state: string;
  draft?: boolean;
  title: string;
  body?: string | null;
  head: { ref: string; sha: string; label?: string; repo?: { full_name: string } | null };
  base: { ref: string };
  merged_at: string | null;
  closed_at: string | null;
  labels: readonly { name?: string }[];
  requested_reviewers?: readonly { login: string }[] | null;
  requested_teams?: readonly { slug: string }[] | null;
}

export function toPullRequest(data: PullRequestFields): PullRequest {
  return {
    number: data.number,
    url: data.html_url,
    nodeId: data.node_id,
    state: data.state === 'closed' ? 'closed' : 'open',
    draft: data.draft ?? false,
    title: data.title,
    body: data.body ?? '',
    headRef: data.head.ref,
    headSha: data.head.sha,
    baseRef: data.base.ref,
    mergedAt: data.merged_at ?? undefined,
    closedAt: data.closed_at ?? undefined,
    labels: data.labels.flatMap((label) => (label.name ? [label.name] : [])),
    requestedReviewers: (data.requested_reviewers ?? []).map((user) => user.login),
    requestedTeams: (data.requested_teams ?? []).map((team) => team.slug),
  };
}
