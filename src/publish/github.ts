/**
 * The GitHub side of `gitops-gen publish --mode pr`: `createGitHubHost` implements the
 * `PullRequestHost` port (pull-request-host.ts) with the real Octokit client, following the
 * reference's sections 4.3 and 4.5:
 *
 * - writes go one at a time and at least `minCreateIntervalMs` apart (secondary rate limits);
 * - 422 "A pull request already exists" on create finds the open pull request and returns it;
 * - 422 "Could not resolve to a node" right after a create is retried (eventual consistency);
 * - reviewers already requested or who already reviewed are not asked again;
 * - every failure becomes a one-line `RemoteError` (exit code 3) with a hint, and every message
 *   and hint passes through `redact()`, so the token never reaches the user's terminal.
 *
 * This file holds the pull-request operations; the client, its pacing and retries are in
 * github-client.ts, the error mapping and redaction in github-errors.ts, review requests in
 * github-reviewers.ts, auto-merge in github-auto-merge.ts and remote URLs in github-remote.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { enableAutoMerge } from './github-auto-merge.js';
import { GitHubClient, type GitHubHostOptions } from './github-client.js';
import { GitHubErrorCode, githubText, httpFailure, type FailureContext } from './github-errors.js';
import { toPullRequest } from './github-pull-request.js';
import { compareUrl } from './github-remote.js';
import { requestReviewers } from './github-reviewers.js';
import type {
  AutoMergeResult,
  CreatePullRequestInput,
  CreatedPullRequest,
  MergeMethod,
  PullRequest,
  PullRequestHost,
  RepositoryInfo,
  ReviewRequestResult,
  ReviewerRequest,
  UpdatePullRequestInput,
} from './pull-request-host.js';

// The client's settings, exported next to the factory that takes them.
export type { GitHubHostLog, GitHubHostOptions } from './github-client.js';

/** `owner/repo` of a pull request's head; GitHub sends null when the fork was deleted. */
function headRepository(head: { repo?: { full_name: string } | null }): string | undefined {
  return head.repo?.full_name;
}

class GitHubHost implements PullRequestHost {
  private readonly client: GitHubClient;

  constructor(options: GitHubHostOptions) {
    this.client = new GitHubClient(options);
  }

  async getRepository(): Promise<RepositoryInfo> {
    const { data } = await this.client.read(
      {
        action: `read repository ${this.client.slug}`,
        permission: 'metadata=read',
      },
      () =>
        this.client.octokit.rest.repos.get({ owner: this.client.owner, repo: this.client.repo }),
    );
    return {
      defaultBranch: data.default_branch,
      allowAutoMerge: data.allow_auto_merge ?? false,
      canPush: data.permissions?.push,
    };
  }

  async findOpenPullRequest(head: string, base: string): Promise<PullRequest | undefined> {
    const { branch, label } = this.headOf(head);
    const context = {
      action: `list the pull requests of ${this.client.slug}`,
      permission: 'pull_requests=read',
    };
    const { data } = await this.client.read(context, () =>
      this.client.octokit.rest.pulls.list({
        owner: this.client.owner,
        repo: this.client.repo,
        state: 'open',
        head: label,
        base,
        per_page: this.client.pageSize,
      }),
    );
    const direct = data.find((pr) => pr.head.ref === branch && pr.base.ref === base);
    if (direct) return toPullRequest(direct);
    // GitHub's head filter misses some cases (renamed owners, forks): look through the open pull
    // requests into base, a bounded number of pages.
    for (let page = 1; page <= this.client.maxPages; page++) {
      const { data: pulls } = await this.client.read(context, () =>
        this.client.octokit.rest.pulls.list({
          owner: this.client.owner,
          repo: this.client.repo,
          state: 'open',
          base,
          per_page: this.client.pageSize,
          page,
        }),
      );
      const hit = pulls.find(
        (pr) =>
          pr.head.ref === branch &&
          pr.base.ref === base &&
          (pr.head.label.toLowerCase() === label.toLowerCase() ||
            headRepository(pr.head)?.toLowerCase() === this.client.slug.toLowerCase()),
      );
      if (hit) return toPullRequest(hit);
      if (pulls.length < this.client.pageSize) break;
    }
    return undefined;
  }

  async findClosedPullRequests(head: string, base: string): Promise<PullRequest[]> {
    const { branch, label } = this.headOf(head);
    const context = {
      action: `list the closed pull requests of ${this.client.slug}`,
      permission: 'pull_requests=read',
    };
    const found: PullRequest[] = [];
    for (let page = 1; page <= this.client.maxPages; page++) {
      const { data } = await this.client.read(context, () =>
        this.client.octokit.rest.pulls.list({
          owner: this.client.owner,
          repo: this.client.repo,
          state: 'closed',
          head: label,
          base,
          sort: 'updated',
          direction: 'desc',
          per_page: this.client.pageSize,
          page,
        }),
      );
      for (const pr of data) {
        if (pr.head.ref === branch && pr.base.ref === base) found.push(toPullRequest(pr));
      }
      if (data.length < this.client.pageSize) break;
    }
    return found;
  }

  async createPullRequest(input: CreatePullRequestInput): Promise<CreatedPullRequest> {
    const context: FailureContext = {
      action: `open a pull request from ${input.head} into ${input.base}`,
      permission: 'pull_requests=write',
      compareUrl: compareUrl(
        this.client.webUrl,
        this.client.owner,
        this.client.repo,
        input.base,
        input.head,
      ),
    };
    try {
      const { data } = await this.client.queue.run(() =>
        this.client.octokit.rest.pulls.create({
          owner: this.client.owner,
          repo: this.client.repo,
          head: input.head,
          base: input.base,
          title: input.title,
          body: input.body,
          draft: input.draft,
          ...(input.maintainerCanModify === undefined
            ? {}
            : { maintainer_can_modify: input.maintainerCanModify }),
        }),
      );
      return { ...toPullRequest(data), existed: false };
    } catch (error) {
      const failure = httpFailure(error);
      const text = failure ? githubText(failure) : '';
      if (failure?.status === 422 && /pull request already exists/i.test(text)) {
        // A concurrent run opened it between our lookup and our create: find it and update it.
        for (let attempt = 0; attempt < 3; attempt++) {
          if (attempt > 0) await sleep(this.client.consistencyDelay * attempt);
          const existing = await this.findOpenPullRequest(input.head, input.base);
          if (existing) return { ...existing, existed: true };
        }
        throw this.client.remoteError(
          `GitHub says a pull request from ${input.head} into ${input.base} already exists, but it cannot be found`,
          {
            code: GitHubErrorCode.invalid,
            status: 422,
            hint: `re-run, or look for it: ${this.client.webUrl}/${this.client.slug}/pulls`,
          },
        );
      }
      if (failure?.status === 422 && /no commits between/i.test(text)) {
        throw this.client.remoteError(
          `no commits between ${input.base} and ${input.head}: ${input.base} already contains the branch`,
          { code: GitHubErrorCode.noCommits, status: 422 },
        );
      }
      throw this.client.failure(error, context);
    }
  }

  async updatePullRequest(number: number, changes: UpdatePullRequestInput): Promise<PullRequest> {
    const { data } = await this.client.write(
      {
        action: `update pull request #${number}`,
        permission: 'pull_requests=write',
        notFound: this.client.prNotFound(number),
      },
      () =>
        this.client.octokit.rest.pulls.update({
          owner: this.client.owner,
          repo: this.client.repo,
          pull_number: number,
          ...(changes.title === undefined ? {} : { title: changes.title }),
          ...(changes.body === undefined ? {} : { body: changes.body }),
          ...(changes.state === undefined ? {} : { state: changes.state }),
        }),
    );
    return toPullRequest(data);
  }

  async addLabels(number: number, labels: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(labels.map((label) => label.trim()).filter(Boolean))];
    if (wanted.length === 0) return [];
    const { data } = await this.client.write(
      {
        action: `add labels to pull request #${number}`,
        permission: 'pull_requests=write',
        notFound: this.client.prNotFound(number),
      },
      () =>
        this.client.afterCreate(() =>
          this.client.octokit.rest.issues.addLabels({
            owner: this.client.owner,
            repo: this.client.repo,
            issue_number: number,
            labels: wanted,
          }),
        ),
    );
    return data.map((label) => label.name);
  }

  requestReviewers(number: number, request: ReviewerRequest): Promise<ReviewRequestResult> {
    return requestReviewers(this.client, number, request);
  }

  async comment(number: number, body: string): Promise<{ id: number; url: string }> {
    const { data } = await this.client.write(
      {
        action: `comment on pull request #${number}`,
        permission: 'pull_requests=write',
        notFound: this.client.prNotFound(number),
      },
      () =>
        this.client.afterCreate(() =>
          this.client.octokit.rest.issues.createComment({
            owner: this.client.owner,
            repo: this.client.repo,
            issue_number: number,
            body,
          }),
        ),
    );
    return { id: data.id, url: data.html_url };
  }

  enableAutoMerge(
    number: number,
    method: MergeMethod,
    expectedHeadSha?: string,
  ): Promise<AutoMergeResult> {
    return enableAutoMerge(this.client, number, method, expectedHeadSha);
  }

  async deleteBranch(branch: string): Promise<boolean> {
    const context: FailureContext = {
      action: `delete branch ${branch}`,
      permission: 'contents=write',
    };
    try {
      await this.client.queue.run(() =>
        this.client.octokit.rest.git.deleteRef({
          owner: this.client.owner,
          repo: this.client.repo,
          ref: `heads/${branch}`,
        }),
      );
      return true;
    } catch (error) {
      const failure = httpFailure(error);
      if (failure?.status === 422 && /reference does not exist/i.test(githubText(failure))) {
        return false;
      }
      throw this.client.failure(error, context);
    }
  }

  private headOf(head: string): { branch: string; label: string } {
    const colon = head.indexOf(':');
    return colon > 0
      ? { branch: head.slice(colon + 1), label: head }
      : { branch: head, label: `${this.client.owner}:${head}` };
  }
}

/** A PullRequestHost backed by the GitHub REST and GraphQL APIs. */
export function createGitHubHost(options: GitHubHostOptions): PullRequestHost {
  return new GitHubHost(options);
}
