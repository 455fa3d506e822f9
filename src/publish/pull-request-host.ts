/**
 * The pull-request host port: everything `gitops-gen publish --mode pr` asks of GitHub (read the
 * repository, find the open or closed pull request of a branch, create or update it, label it,
 * request reviews, comment, enable auto-merge, delete the branch) and the shapes it answers in.
 *
 * Types only, and nothing GitHub-specific beyond the vocabulary: publish-pull-request.ts
 * depends on this port, github.ts implements it with Octokit, and tests (or another forge) may
 * implement it too.
 */
export interface PullRequest {
  number: number;
  /** The pull request's page (`html_url`). */
  url: string;
  /** GraphQL node id, needed for auto-merge. */
  nodeId: string;
  state: 'open' | 'closed';
  draft: boolean;
  title: string;
  /** The body, `''` when it has none. */
  body: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  mergedAt: string | undefined;
  closedAt: string | undefined;
  labels: string[];
  /** Logins whose review is requested and still pending. */
  requestedReviewers: string[];
  /** Team slugs whose review is requested and still pending. */
  requestedTeams: string[];
}

export interface CreatedPullRequest extends PullRequest {
  /** True when GitHub answered 422 "already exists" and this is the pull request that exists. */
  existed: boolean;
}

export interface RepositoryInfo {
  defaultBranch: string;
  /** The repository allows auto-merge (false when GitHub does not say). */
  allowAutoMerge: boolean;
  /** Whether the token may push; undefined when GitHub does not say (App installation tokens). */
  canPush: boolean | undefined;
}

export interface CreatePullRequestInput {
  /** The branch (or `owner:branch` for a fork). */
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  maintainerCanModify?: boolean;
}

export interface UpdatePullRequestInput {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
}

export interface ReviewerRequest {
  /** User logins. */
  reviewers: readonly string[];
  /** Team slugs, `slug` or `org/slug`. */
  teamReviewers: readonly string[];
}

export interface ReviewRequestResult {
  /** Logins asked for a review by this call. */
  requested: string[];
  /** Team slugs asked for a review by this call. */
  requestedTeams: string[];
  /** Logins and team slugs not asked again: already requested, or already reviewed. */
  skipped: string[];
  /** Reviewers GitHub refused (422: not a collaborator, the author, ...): one line each. */
  warnings: string[];
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export interface AutoMergeResult {
  /**
   * `enabled`: GitHub merges when the checks pass. `merged`: the pull request was already
   * mergeable and was merged directly (pinned to its head). `not-enabled`: see `warning`.
   */
  outcome: 'enabled' | 'merged' | 'not-enabled';
  /** The merge commit, for `merged`. */
  sha?: string;
  /** One line, redacted, for `not-enabled`. */
  warning?: string;
}

/** What `publish --mode pr` needs from the pull-request host. */
export interface PullRequestHost {
  getRepository(): Promise<RepositoryInfo>;
  /** The open pull request from `head` (a branch of this repository) into `base`, if any. */
  findOpenPullRequest(head: string, base: string): Promise<PullRequest | undefined>;
  /** Closed pull requests (merged or not) from `head` into `base`, most recently updated first. */
  findClosedPullRequests(head: string, base: string): Promise<PullRequest[]>;
  createPullRequest(input: CreatePullRequestInput): Promise<CreatedPullRequest>;
  updatePullRequest(number: number, changes: UpdatePullRequestInput): Promise<PullRequest>;
  /** Adds labels (never removes any); returns the labels the pull request has afterwards. */
  addLabels(number: number, labels: readonly string[]): Promise<string[]>;
  requestReviewers(number: number, request: ReviewerRequest): Promise<ReviewRequestResult>;
  comment(number: number, body: string): Promise<{ id: number; url: string }>;
  /** Never throws for a GitHub refusal: a failure is returned as a warning. */
  enableAutoMerge(
    number: number,
    method: MergeMethod,
    expectedHeadSha?: string,
  ): Promise<AutoMergeResult>;
  /** Deletes `refs/heads/<branch>`; false when it did not exist. */
  deleteBranch(branch: string): Promise<boolean>;
}
