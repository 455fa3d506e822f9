/**
 * A local GitHub stand-in for publish tests: a node:http server on 127.0.0.1 (random port) that
 * implements the REST endpoints the pull-request host calls, plus GraphQL
 * `enablePullRequestAutoMerge`, over in-memory state. The real Octokit client is pointed at it
 * with `baseUrl`, so no HTTP mocking library is involved (nock cannot intercept Octokit's native
 * fetch anyway).
 *
 * - Response bodies follow the shapes of GitHub's OpenAPI description (`@octokit/openapi`);
 *   test/publish/github-openapi.test.ts checks each one against the operation's schema.
 * - Every request needs `authorization: token|Bearer <token>`; otherwise 401 "Bad credentials".
 * - Every request is logged (method, path, route template, query, headers, body, status,
 *   response), so tests can assert what was written, and that the token went nowhere else.
 * - Scripted faults per route, consumed in order: "the next N answers are status S with these
 *   headers and body", optionally with a side effect (another writer acting first) or a dropped
 *   connection.
 *
 * Routes are named like the OpenAPI paths: `POST /repos/{owner}/{repo}/pulls`; GraphQL is
 * `POST /graphql`. With `prefix: '/api/v3'` the server looks like GitHub Enterprise Server (REST
 * under `/api/v3`, GraphQL at `/api/graphql`).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export type StandInRoute =
  | 'GET /repos/{owner}/{repo}'
  | 'GET /repos/{owner}/{repo}/pulls'
  | 'POST /repos/{owner}/{repo}/pulls'
  | 'GET /repos/{owner}/{repo}/pulls/{pull_number}'
  | 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}'
  | 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge'
  | 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels'
  | 'GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers'
  | 'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers'
  | 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews'
  | 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
  | 'DELETE /repos/{owner}/{repo}/git/refs/{ref}'
  | 'POST /graphql';

/** The REST routes (each has an OpenAPI operation); GraphQL is not among them. */
export const restRoutes: readonly Exclude<StandInRoute, 'POST /graphql'>[] = [
  'GET /repos/{owner}/{repo}',
  'GET /repos/{owner}/{repo}/pulls',
  'POST /repos/{owner}/{repo}/pulls',
  'GET /repos/{owner}/{repo}/pulls/{pull_number}',
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
  'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'DELETE /repos/{owner}/{repo}/git/refs/{ref}',
];

export interface StandInPull {
  number: number;
  nodeId: string;
  state: 'open' | 'closed';
  draft: boolean;
  title: string;
  body: string | null;
  head: string;
  headSha: string;
  base: string;
  baseSha: string;
  author: string;
  labels: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  /** What GitHub would report: `blocked` (checks pending), `clean` (mergeable now), ... */
  mergeableState: string;
  mergedAt: string | null;
  closedAt: string | null;
  mergeCommitSha: string | null;
  autoMerge: { method: string } | null;
  maintainerCanModify: boolean;
  createdAt: string;
  updatedAt: string;
  /** Order of the last update, for `sort=updated`. */
  updatedSeq: number;
}

export interface StandInReview {
  id: number;
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  commitId: string;
}

export interface StandInState {
  repository: {
    owner: string;
    name: string;
    defaultBranch: string;
    allowAutoMerge: boolean;
    private: boolean;
    /** Sent as `permissions` when set (GitHub omits it for some tokens). */
    permissions:
      | { admin: boolean; maintain: boolean; push: boolean; triage: boolean; pull: boolean }
      | undefined;
  };
  /** Branch name → head sha. */
  branches: Map<string, string>;
  pulls: StandInPull[];
  reviews: Map<number, StandInReview[]>;
  comments: { id: number; issue: number; body: string; login: string; createdAt: string }[];
  /** Lowercase logins that may be asked for a review. */
  collaborators: Set<string>;
  /** Lowercase team slugs that may be asked for a review. */
  teams: Set<string>;
  /** The login the token belongs to. */
  viewer: string;
}

export interface StandInRequest {
  method: string;
  /** Path as received, without the query. */
  path: string;
  /** The route template, or `unknown`. */
  route: StandInRoute | 'unknown';
  query: Record<string, string>;
  /** Every request header, as received (authorization included). */
  headers: Record<string, string>;
  /** The raw request body. */
  body: string;
  status: number;
  /** The parsed response body (undefined for 204 and dropped connections). */
  response: unknown;
  responseHeaders: Record<string, string>;
  /** The answer came from a scripted fault (or the 401 gate), not from the handler. */
  scripted: boolean;
  startedAt: number;
  finishedAt: number;
}

export interface StandInFault {
  /** Answer with this status (default 500), headers and JSON body. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * `before`: close the connection without answering. `after`: run the real handler (state
   * changes happen), then close the connection without answering.
   */
  drop?: 'before' | 'after';
  /** How many requests this fault answers (default 1). */
  times?: number;
  /** Only requests this accepts are answered by the fault. */
  when?: (request: { query: Record<string, string>; json: unknown }) => boolean;
  /** Runs when the fault fires, before the answer (e.g. a concurrent run creates the PR). */
  effect?: (standIn: GitHubStandIn) => void;
}

export interface GitHubStandInOptions {
  token: string;
  owner?: string;
  repo?: string;
  /** `''` (github.com layout, default) or `/api/v3` (GitHub Enterprise Server layout). */
  prefix?: '' | '/api/v3';
}

export interface GitHubStandIn {
  /** `http://127.0.0.1:<port>`: also the web root of html_url fields. */
  readonly origin: string;
  /** The REST root to give Octokit (`origin` + prefix). */
  readonly apiUrl: string;
  readonly token: string;
  readonly state: StandInState;
  readonly log: StandInRequest[];
  /** Queue scripted answers for a route. */
  fault(route: StandInRoute, ...faults: StandInFault[]): void;
  /** Scripted answers not yet used. */
  pendingFaults(): number;
  /** Creates (or moves) a branch; returns its sha. */
  addBranch(name: string, sha?: string): string;
  /** Adds a pull request directly to the state (its head branch too). */
  addPull(pull: Partial<StandInPull> & { head: string }): StandInPull;
  addReview(number: number, login: string, state?: StandInReview['state']): void;
  /** Non-GET requests in the log. */
  writes(): StandInRequest[];
  /** Back to a fresh repository: state, faults and log. */
  reset(): void;
  close(): Promise<void>;
}

/** Ready-made faults in GitHub's own shapes. */
export const githubFaults = {
  status(status: number, message = 'Server Error'): StandInFault {
    return { status, body: { message } };
  },
  /** 422 in GitHub's exact shape: `{"message":"Validation Failed","errors":[...]}`. */
  validation(message: string, resource = 'PullRequest'): StandInFault {
    return {
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource, code: 'custom', message }],
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        status: '422',
      },
    };
  },
  /** 403 "Resource not accessible by integration" naming the permission the call needs. */
  permission(accepted: string): StandInFault {
    return {
      status: 403,
      headers: { 'x-accepted-github-permissions': accepted },
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        status: '403',
      },
    };
  },
  actionsCannotCreatePullRequests(): StandInFault {
    return {
      status: 403,
      body: {
        message: 'GitHub Actions is not permitted to create or approve pull requests.',
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        status: '403',
      },
    };
  },
  /** Primary rate limit: 403, `x-ratelimit-remaining: 0`, reset in `resetInSeconds`. */
  rateLimit(resetInSeconds: number): StandInFault {
    return {
      status: 403,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
        'x-ratelimit-resource': 'core',
      },
      body: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url:
          'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
        status: '403',
      },
    };
  },
  /** Secondary rate limit: 403 (or 429) with `retry-after`. */
  secondaryRateLimit(retryAfterSeconds: number, status: 403 | 429 = 403): StandInFault {
    return {
      status,
      headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-remaining': '4000' },
      body: {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url:
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        status: String(status),
      },
    };
  },
};

const maxBodyBytes = 5 * 1024 * 1024;
const docs = 'https://docs.github.com/rest';

function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

function numericId(seed: string): number {
  return Number.parseInt(sha(seed).slice(0, 8), 16);
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

class HttpAnswer extends Error {
  constructor(readonly answer: Answer) {
    super(`HTTP ${answer.status}`);
  }
}

function fail(status: number, message: string, extra: Record<string, unknown> = {}): never {
  throw new HttpAnswer({
    status,
    body: { message, documentation_url: docs, status: String(status), ...extra },
  });
}

function validationFailed(errors: Record<string, unknown>[]): never {
  fail(422, 'Validation Failed', { errors });
}

const routeTemplates: readonly StandInRoute[] = [...restRoutes];

function matchRoute(
  method: string,
  segments: string[],
): { route: StandInRoute; params: Record<string, string> } | undefined {
  for (const route of routeTemplates) {
    const [routeMethod, template] = route.split(' ') as [string, string];
    if (routeMethod !== method) continue;
    const parts = template.split('/').slice(1);
    const params: Record<string, string> = {};
    let matched = true;
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index] ?? '';
      const segment = segments[index];
      if (segment === undefined) {
        matched = false;
        break;
      }
      if (part === '{ref}') {
        // The rest of the path, whether the client encoded the slashes or not.
        params.ref = segments.slice(index).join('/');
        return { route, params };
      }
      if (part.startsWith('{')) params[part.slice(1, -1)] = segment;
      else if (part !== segment) {
        matched = false;
        break;
      }
    }
    if (matched && segments.length === parts.length) return { route, params };
  }
  return undefined;
}

export async function startGitHubStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  const owner = options.owner ?? 'acme';
  const repoName = options.repo ?? 'gitops';
  const prefix = options.prefix ?? '';
  const graphqlPath = prefix === '/api/v3' ? '/api/graphql' : '/graphql';

  const freshState = (): StandInState => ({
    repository: {
      owner,
      name: repoName,
      defaultBranch: 'main',
      allowAutoMerge: true,
      private: true,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    },
    branches: new Map([['main', sha('main-0')]]),
    pulls: [],
    reviews: new Map(),
    comments: [],
    collaborators: new Set(['gitops-gen-bot', 'alice', 'bob', 'carol', 'dave']),
    teams: new Set(['platform', 'sre']),
    viewer: 'gitops-gen-bot',
  });

  let state = freshState();
  const log: StandInRequest[] = [];
  const faults = new Map<StandInRoute, StandInFault[]>();
  let sequence = 0;
  let origin = '';
  let apiUrl = '';

  // --- response shapes (see @octokit/openapi components/schemas) ----------------------------

  const repoApi = () => `${apiUrl}/repos/${owner}/${repoName}`;
  const repoWeb = () => `${origin}/${owner}/${repoName}`;

  const simpleUser = (login: string) => {
    const url = `${apiUrl}/users/${login}`;
    return {
      login,
      id: numericId(`user:${login}`),
      node_id: `U_${numericId(`user:${login}`).toString(36)}`,
      avatar_url: `${origin}/avatars/${login}`,
      gravatar_id: '',
      url,
      html_url: `${origin}/${login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      site_admin: false,
      user_view_type: 'public',
    };
  };

  const repository = () => {
    const api = repoApi();
    const created = '2025-01-01T00:00:00Z';
    return {
      id: numericId(`repo:${owner}/${repoName}`),
      node_id: `R_${numericId(`repo:${owner}/${repoName}`).toString(36)}`,
      name: repoName,
      full_name: `${owner}/${repoName}`,
      owner: simpleUser(owner),
      private: state.repository.private,
      html_url: repoWeb(),
      description: null,
      fork: false,
      url: api,
      archive_url: `${api}/{archive_format}{/ref}`,
      assignees_url: `${api}/assignees{/user}`,
      blobs_url: `${api}/git/blobs{/sha}`,
      branches_url: `${api}/branches{/branch}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      comments_url: `${api}/comments{/number}`,
      commits_url: `${api}/commits{/sha}`,
      compare_url: `${api}/compare/{base}...{head}`,
      contents_url: `${api}/contents/{+path}`,
      contributors_url: `${api}/contributors`,
      deployments_url: `${api}/deployments`,
      downloads_url: `${api}/downloads`,
      events_url: `${api}/events`,
      forks_url: `${api}/forks`,
      git_commits_url: `${api}/git/commits{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_url: `git://${new URL(origin).host}/${owner}/${repoName}.git`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      issue_events_url: `${api}/issues/events{/number}`,
      issues_url: `${api}/issues{/number}`,
      keys_url: `${api}/keys{/key_id}`,
      labels_url: `${api}/labels{/name}`,
      languages_url: `${api}/languages`,
      merges_url: `${api}/merges`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      pulls_url: `${api}/pulls{/number}`,
      releases_url: `${api}/releases{/id}`,
      ssh_url: `git@${new URL(origin).hostname}:${owner}/${repoName}.git`,
      stargazers_url: `${api}/stargazers`,
      statuses_url: `${api}/statuses/{sha}`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      tags_url: `${api}/tags`,
      teams_url: `${api}/teams`,
      trees_url: `${api}/git/trees{/sha}`,
      clone_url: `${repoWeb()}.git`,
      mirror_url: null,
      hooks_url: `${api}/hooks`,
      svn_url: repoWeb(),
      homepage: null,
      language: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 1,
      default_branch: state.repository.defaultBranch,
      open_issues: state.pulls.filter((pull) => pull.state === 'open').length,
      open_issues_count: state.pulls.filter((pull) => pull.state === 'open').length,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: state.repository.private ? 'private' : 'public',
      license: null,
      pushed_at: now(),
      created_at: created,
      updated_at: now(),
      allow_forking: true,
      web_commit_signoff_required: false,
    };
  };

  const fullRepository = () => ({
    ...repository(),
    ...(state.repository.permissions ? { permissions: { ...state.repository.permissions } } : {}),
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_auto_merge: state.repository.allowAutoMerge,
    delete_branch_on_merge: false,
    allow_update_branch: true,
    use_squash_pr_title_as_default: false,
    squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
    squash_merge_commit_message: 'COMMIT_MESSAGES',
    merge_commit_title: 'MERGE_MESSAGE',
    merge_commit_message: 'PR_TITLE',
    network_count: 0,
    subscribers_count: 1,
  });

  const label = (name: string) => ({
    id: numericId(`label:${name}`),
    node_id: `LA_${numericId(`label:${name}`).toString(36)}`,
    url: `${repoApi()}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: 'ededed',
    default: false,
  });

  const team = (slug: string) => {
    const url = `${apiUrl}/organizations/1/team/${numericId(`team:${slug}`)}`;
    return {
      id: numericId(`team:${slug}`),
      node_id: `T_${numericId(`team:${slug}`).toString(36)}`,
      url,
      members_url: `${url}/members{/member}`,
      name: slug,
      description: null,
      permission: 'pull',
      privacy: 'closed',
      notification_setting: 'notifications_enabled',
      html_url: `${origin}/orgs/${owner}/teams/${slug}`,
      repositories_url: `${url}/repos`,
      slug,
      type: 'organization',
      parent: null,
    };
  };

  const branchRef = (ref: string, refSha: string) => ({
    label: `${owner}:${ref}`,
    ref,
    repo: repository(),
    sha: refSha,
    user: simpleUser(owner),
  });

  const pullSimple = (pull: StandInPull) => {
    const api = `${repoApi()}/pulls/${pull.number}`;
    const issue = `${repoApi()}/issues/${pull.number}`;
    const html = `${repoWeb()}/pull/${pull.number}`;
    return {
      url: api,
      id: numericId(`pull:${pull.number}`),
      node_id: pull.nodeId,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issue,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${repoApi()}/pulls/comments{/number}`,
      comments_url: `${issue}/comments`,
      statuses_url: `${repoApi()}/statuses/${pull.headSha}`,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: simpleUser(pull.author),
      body: pull.body,
      // Labels inside a pull request carry a string description (the labels API allows null).
      labels: pull.labels.map((name) => ({ ...label(name), description: '' })),
      milestone: null,
      active_lock_reason: null,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: pull.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: pull.requestedReviewers.map(simpleUser),
      requested_teams: pull.requestedTeams.map(team),
      head: branchRef(pull.head, pull.headSha),
      base: branchRef(pull.base, pull.baseSha),
      _links: {
        self: { href: api },
        html: { href: html },
        issue: { href: issue },
        comments: { href: `${issue}/comments` },
        review_comments: { href: `${api}/comments` },
        review_comment: { href: `${repoApi()}/pulls/comments{/number}` },
        commits: { href: `${api}/commits` },
        statuses: { href: `${repoApi()}/statuses/${pull.headSha}` },
      },
      author_association: 'MEMBER',
      auto_merge: pull.autoMerge
        ? {
            enabled_by: simpleUser(state.viewer),
            merge_method: pull.autoMerge.method,
            commit_title: pull.title,
            commit_message: '',
          }
        : null,
      draft: pull.draft,
    };
  };

  const pullFull = (pull: StandInPull) => ({
    ...pullSimple(pull),
    merged: pull.mergedAt !== null,
    mergeable: pull.state === 'open' ? pull.mergeableState !== 'dirty' : null,
    rebaseable: pull.state === 'open' ? true : null,
    mergeable_state: pull.mergeableState,
    merged_by: pull.mergedAt !== null ? simpleUser(state.viewer) : null,
    comments: state.comments.filter((comment) => comment.issue === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  });

  const issueComment = (comment: StandInState['comments'][number]) => ({
    id: comment.id,
    node_id: `IC_${comment.id.toString(36)}`,
    url: `${repoApi()}/issues/comments/${comment.id}`,
    body: comment.body,
    html_url: `${repoWeb()}/pull/${comment.issue}#issuecomment-${comment.id}`,
    user: simpleUser(comment.login),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    issue_url: `${repoApi()}/issues/${comment.issue}`,
    author_association: 'MEMBER',
  });

  const review = (number: number, entry: StandInReview) => ({
    id: entry.id,
    node_id: `PRR_${entry.id.toString(36)}`,
    user: simpleUser(entry.login),
    body: '',
    state: entry.state,
    html_url: `${repoWeb()}/pull/${number}#pullrequestreview-${entry.id}`,
    pull_request_url: `${repoApi()}/pulls/${number}`,
    _links: {
      html: { href: `${repoWeb()}/pull/${number}#pullrequestreview-${entry.id}` },
      pull_request: { href: `${repoApi()}/pulls/${number}` },
    },
    submitted_at: now(),
    commit_id: entry.commitId,
    author_association: 'MEMBER',
  });

  // --- state helpers ----------------------------------------------------------------------

  const touch = (pull: StandInPull) => {
    pull.updatedAt = now();
    pull.updatedSeq = ++sequence;
  };

  const nextNumber = () => state.pulls.reduce((max, pull) => Math.max(max, pull.number), 0) + 1;

  const addBranch = (name: string, branchSha?: string): string => {
    const value = branchSha ?? sha(`${name}-${String(++sequence)}`);
    state.branches.set(name, value);
    return value;
  };

  const addPull = (pull: Partial<StandInPull> & { head: string }): StandInPull => {
    const number = pull.number ?? nextNumber();
    const base = pull.base ?? state.repository.defaultBranch;
    const headSha = pull.headSha ?? state.branches.get(pull.head) ?? addBranch(pull.head);
    if (!state.branches.has(pull.head) && pull.state !== 'closed') addBranch(pull.head, headSha);
    const created: StandInPull = {
      number,
      nodeId: `PR_kwDO${Buffer.from(`pull:${String(number)}`).toString('base64url')}`,
      state: 'open',
      draft: false,
      title: `Pull request ${String(number)}`,
      body: null,
      base,
      baseSha: state.branches.get(base) ?? sha(base),
      author: state.viewer,
      labels: [],
      requestedReviewers: [],
      requestedTeams: [],
      mergeableState: 'blocked',
      mergedAt: null,
      closedAt: null,
      mergeCommitSha: null,
      autoMerge: null,
      maintainerCanModify: false,
      createdAt: now(),
      updatedAt: now(),
      updatedSeq: ++sequence,
      ...pull,
      headSha,
    };
    state.pulls.push(created);
    return created;
  };

  const findPull = (params: Record<string, string>): StandInPull => {
    const number = Number(params.pull_number ?? params.issue_number);
    const pull = state.pulls.find((candidate) => candidate.number === number);
    if (!pull) fail(404, 'Not Found');
    return pull;
  };

  // --- handlers ---------------------------------------------------------------------------

  const listPulls = (query: Record<string, string>, path: string): Answer => {
    const wantedState = query.state ?? 'open';
    let pulls = state.pulls.filter((pull) => wantedState === 'all' || pull.state === wantedState);
    if (query.head) {
      const colon = query.head.indexOf(':');
      const headOwner = colon >= 0 ? query.head.slice(0, colon) : owner;
      const headRef = colon >= 0 ? query.head.slice(colon + 1) : query.head;
      pulls =
        headOwner.toLowerCase() === owner.toLowerCase()
          ? pulls.filter((pull) => pull.head === headRef)
          : [];
    }
    if (query.base) pulls = pulls.filter((pull) => pull.base === query.base);
    const byUpdated = query.sort === 'updated';
    const ascending = query.direction === 'asc';
    pulls = [...pulls].sort((a, b) => {
      const order = byUpdated ? a.updatedSeq - b.updatedSeq : a.number - b.number;
      return ascending ? order : -order;
    });
    const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.page ?? 1) || 1, 1);
    const slice = pulls.slice((page - 1) * perPage, page * perPage);
    const lastPage = Math.max(Math.ceil(pulls.length / perPage), 1);
    const link = (n: number) => {
      const params = new URLSearchParams({ ...query, page: String(n) });
      return `<${origin}${path}?${params.toString()}>`;
    };
    const links: string[] = [];
    if (page < lastPage)
      links.push(`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`);
    if (page > 1) links.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
    return {
      status: 200,
      body: slice.map(pullSimple),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  };

  const branchName = (head: string): string => {
    const colon = head.indexOf(':');
    if (colon < 0) return head;
    if (head.slice(0, colon).toLowerCase() !== owner.toLowerCase()) {
      validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    }
    return head.slice(colon + 1);
  };

  const createPull = (json: unknown): Answer => {
    if (!isRecord(json)) fail(400, 'Problems parsing JSON');
    const { title, head, base, body, draft } = json;
    if (typeof head !== 'string' || typeof base !== 'string') {
      validationFailed([{ resource: 'PullRequest', field: 'head', code: 'missing_field' }]);
    }
    if (typeof title !== 'string' || !title) {
      validationFailed([{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
    }
    const ref = branchName(head);
    const headSha = state.branches.get(ref);
    const baseSha = state.branches.get(base);
    if (headSha === undefined) {
      validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    }
    if (baseSha === undefined) {
      validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    }
    if (headSha === baseSha) {
      validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `No commits between ${base} and ${ref}`,
        },
      ]);
    }
    if (
      state.pulls.some((pull) => pull.state === 'open' && pull.head === ref && pull.base === base)
    ) {
      validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${owner}:${ref}.`,
        },
      ]);
    }
    const pull = addPull({
      head: ref,
      base,
      headSha,
      baseSha,
      title,
      body: typeof body === 'string' ? body : null,
      draft: draft === true,
      maintainerCanModify: json.maintainer_can_modify === true,
    });
    return { status: 201, body: pullFull(pull) };
  };

  const updatePull = (params: Record<string, string>, json: unknown): Answer => {
    const pull = findPull(params);
    if (!isRecord(json)) fail(400, 'Problems parsing JSON');
    if (typeof json.title === 'string') pull.title = json.title;
    if (typeof json.body === 'string') pull.body = json.body;
    if (typeof json.base === 'string') {
      const baseSha = state.branches.get(json.base);
      if (baseSha === undefined) {
        validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
      }
      pull.base = json.base;
      pull.baseSha = baseSha;
    }
    if (json.state === 'closed' && pull.state === 'open') {
      pull.state = 'closed';
      pull.closedAt = now();
      pull.autoMerge = null;
    } else if (json.state === 'open' && pull.state === 'closed') {
      if (pull.mergedAt !== null || !state.branches.has(pull.head)) {
        validationFailed([
          { resource: 'PullRequest', code: 'custom', message: 'state cannot be changed.' },
        ]);
      }
      pull.state = 'open';
      pull.closedAt = null;
    }
    touch(pull);
    return { status: 200, body: pullFull(pull) };
  };

  const mergePull = (params: Record<string, string>, json: unknown): Answer => {
    const pull = findPull(params);
    const body = isRecord(json) ? json : {};
    if (pull.state !== 'open') fail(405, 'Pull Request is not mergeable');
    if (typeof body.sha === 'string' && body.sha !== pull.headSha) {
      fail(409, 'Head branch was modified. Review and try the merge again.');
    }
    if (!['clean', 'unstable', 'has_hooks'].includes(pull.mergeableState)) {
      fail(405, 'At least 1 approving review is required by reviewers with write access.');
    }
    const mergeSha = sha(`merge-${String(pull.number)}-${pull.headSha}`);
    pull.state = 'closed';
    pull.mergedAt = now();
    pull.closedAt = pull.mergedAt;
    pull.mergeCommitSha = mergeSha;
    state.branches.set(pull.base, mergeSha);
    touch(pull);
    return {
      status: 200,
      body: { sha: mergeSha, merged: true, message: 'Pull Request successfully merged' },
    };
  };

  const addLabels = (params: Record<string, string>, json: unknown): Answer => {
    const pull = findPull(params);
    const names = Array.isArray(json)
      ? stringList(json)
      : isRecord(json)
        ? stringList(json.labels)
        : [];
    if (names.length === 0) {
      validationFailed([{ resource: 'Label', field: 'labels', code: 'missing_field' }]);
    }
    for (const name of names) {
      if (!pull.labels.some((existing) => existing.toLowerCase() === name.toLowerCase())) {
        pull.labels.push(name);
      }
    }
    touch(pull);
    return { status: 200, body: pull.labels.map(label) };
  };

  const requestReviewers = (params: Record<string, string>, json: unknown): Answer => {
    const pull = findPull(params);
    const body = isRecord(json) ? json : {};
    const users = stringList(body.reviewers);
    const teams = stringList(body.team_reviewers);
    if (users.some((user) => user.toLowerCase() === pull.author.toLowerCase())) {
      fail(422, 'Review cannot be requested from pull request author.');
    }
    if (
      users.some((user) => !state.collaborators.has(user.toLowerCase())) ||
      teams.some((slug) => !state.teams.has(slug.toLowerCase()))
    ) {
      fail(
        422,
        `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${owner}/${repoName} repository.`,
      );
    }
    for (const user of users) {
      if (!pull.requestedReviewers.includes(user)) pull.requestedReviewers.push(user);
    }
    for (const slug of teams) {
      if (!pull.requestedTeams.includes(slug)) pull.requestedTeams.push(slug);
    }
    touch(pull);
    return { status: 201, body: pullSimple(pull) };
  };

  const listReviews = (params: Record<string, string>, query: Record<string, string>): Answer => {
    const pull = findPull(params);
    const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.page ?? 1) || 1, 1);
    const all = state.reviews.get(pull.number) ?? [];
    return {
      status: 200,
      body: all
        .slice((page - 1) * perPage, page * perPage)
        .map((entry) => review(pull.number, entry)),
    };
  };

  const createComment = (params: Record<string, string>, json: unknown): Answer => {
    const pull = findPull(params);
    if (!isRecord(json) || typeof json.body !== 'string') {
      validationFailed([{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]);
    }
    const comment = {
      id: numericId(`comment:${String(++sequence)}`),
      issue: pull.number,
      body: json.body,
      login: state.viewer,
      createdAt: now(),
    };
    state.comments.push(comment);
    return { status: 201, body: issueComment(comment) };
  };

  const deleteRef = (params: Record<string, string>): Answer => {
    const ref = params.ref ?? '';
    const branch = ref.startsWith('heads/') ? ref.slice('heads/'.length) : undefined;
    if (branch === undefined || !state.branches.has(branch)) fail(422, 'Reference does not exist');
    state.branches.delete(branch);
    return { status: 204 };
  };

  const graphql = (json: unknown): Answer => {
    const query = isRecord(json) && typeof json.query === 'string' ? json.query : '';
    const variables = isRecord(json) && isRecord(json.variables) ? json.variables : {};
    if (!query.includes('enablePullRequestAutoMerge')) {
      return {
        status: 200,
        body: { errors: [{ message: 'the stand-in only implements enablePullRequestAutoMerge' }] },
      };
    }
    const nodeId = typeof variables.pullRequestId === 'string' ? variables.pullRequestId : '';
    const method = typeof variables.mergeMethod === 'string' ? variables.mergeMethod : 'MERGE';
    const error = (message: string, type: string): Answer => ({
      status: 200,
      body: {
        data: { enablePullRequestAutoMerge: null },
        errors: [
          {
            type,
            path: ['enablePullRequestAutoMerge'],
            locations: [{ line: 2, column: 3 }],
            message,
          },
        ],
      },
    });
    const pull = state.pulls.find((candidate) => candidate.nodeId === nodeId);
    if (!pull)
      return error(`Could not resolve to a node with the global id of '${nodeId}'.`, 'NOT_FOUND');
    if (!state.repository.allowAutoMerge) {
      return error('Pull request Auto merge is not allowed for this repository', 'UNPROCESSABLE');
    }
    if (pull.state !== 'open') return error('Pull request Pull request is closed', 'UNPROCESSABLE');
    if (pull.mergeableState === 'clean' || pull.mergeableState === 'unstable') {
      return error(
        `Pull request Pull request is in ${pull.mergeableState} status`,
        'UNPROCESSABLE',
      );
    }
    pull.autoMerge = { method: method.toLowerCase() };
    touch(pull);
    return {
      status: 200,
      body: {
        data: {
          enablePullRequestAutoMerge: {
            pullRequest: {
              number: pull.number,
              autoMergeRequest: { enabledAt: now(), mergeMethod: method },
            },
          },
        },
      },
    };
  };

  const handle = (
    route: StandInRoute,
    params: Record<string, string>,
    query: Record<string, string>,
    json: unknown,
    path: string,
  ): Answer => {
    if (route !== 'POST /graphql') {
      const sameRepo =
        (params.owner ?? '').toLowerCase() === owner.toLowerCase() &&
        (params.repo ?? '').toLowerCase() === repoName.toLowerCase();
      if (!sameRepo) fail(404, 'Not Found');
    }
    switch (route) {
      case 'GET /repos/{owner}/{repo}':
        return { status: 200, body: fullRepository() };
      case 'GET /repos/{owner}/{repo}/pulls':
        return listPulls(query, path);
      case 'POST /repos/{owner}/{repo}/pulls':
        return createPull(json);
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}':
        return { status: 200, body: pullFull(findPull(params)) };
      case 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}':
        return updatePull(params, json);
      case 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge':
        return mergePull(params, json);
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels':
        return addLabels(params, json);
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers': {
        const pull = findPull(params);
        return {
          status: 200,
          body: {
            users: pull.requestedReviewers.map(simpleUser),
            teams: pull.requestedTeams.map(team),
          },
        };
      }
      case 'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers':
        return requestReviewers(params, json);
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews':
        return listReviews(params, query);
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments':
        return createComment(params, json);
      case 'DELETE /repos/{owner}/{repo}/git/refs/{ref}':
        return deleteRef(params);
      case 'POST /graphql':
        return graphql(json);
    }
  };

  // --- the server -------------------------------------------------------------------------

  const readBody = (request: IncomingMessage): Promise<string | undefined> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          resolve(undefined);
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      request.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      request.on('error', reject);
    });

  const authorized = (value: string | undefined): boolean => {
    const match = /^(token|bearer)\s+(\S+)$/i.exec(value ?? '');
    return match?.[2] === options.token;
  };

  const takeFault = (
    route: StandInRoute,
    query: Record<string, string>,
    json: unknown,
  ): StandInFault | undefined => {
    const queue = faults.get(route);
    if (!queue) return undefined;
    const index = queue.findIndex((fault) => !fault.when || fault.when({ query, json }));
    if (index < 0) return undefined;
    const fault = queue[index];
    if (!fault) return undefined;
    const times = (fault.times ?? 1) - 1;
    if (times <= 0) queue.splice(index, 1);
    else queue[index] = { ...fault, times };
    return fault;
  };

  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    void serve(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const body = await readBody(request);
    const entry: StandInRequest = {
      method,
      path: url.pathname,
      route: 'unknown',
      query,
      headers,
      body: body ?? '',
      status: 0,
      response: undefined,
      responseHeaders: {},
      scripted: false,
      startedAt,
      finishedAt: startedAt,
    };
    log.push(entry);

    const send = (answer: Answer, scripted: boolean) => {
      const responseHeaders: Record<string, string> = {
        'x-github-request-id': `STANDIN:${String(log.length)}`,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
        'x-github-api-version-selected': '2022-11-28',
        ...(answer.headers ?? {}),
      };
      entry.status = answer.status;
      entry.response = answer.body;
      entry.responseHeaders = responseHeaders;
      entry.scripted = scripted;
      entry.finishedAt = Date.now();
      if (answer.body === undefined || answer.status === 204) {
        response.writeHead(answer.status, responseHeaders);
        response.end();
        return;
      }
      const text = JSON.stringify(answer.body);
      response.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        ...responseHeaders,
      });
      response.end(text);
    };
    const drop = () => {
      entry.finishedAt = Date.now();
      entry.scripted = true;
      request.socket.destroy();
    };

    if (body === undefined) {
      send({ status: 413, body: { message: 'Request body too large' } }, true);
      return;
    }
    let restPath: string | undefined;
    let route: StandInRoute | undefined;
    let params: Record<string, string> = {};
    if (method === 'POST' && url.pathname === graphqlPath) {
      route = 'POST /graphql';
    } else if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) {
      restPath = url.pathname.slice(prefix.length);
      let segments: string[];
      try {
        segments = restPath
          .split('/')
          .slice(1)
          .map((segment) => decodeURIComponent(segment));
      } catch {
        segments = [];
      }
      const matched = matchRoute(method, segments);
      route = matched?.route;
      params = matched?.params ?? {};
    }
    if (route === undefined) {
      send(
        { status: 404, body: { message: 'Not Found', documentation_url: docs, status: '404' } },
        false,
      );
      return;
    }
    entry.route = route;
    if (!authorized(headers.authorization)) {
      send(
        {
          status: 401,
          body: { message: 'Bad credentials', documentation_url: docs, status: '401' },
        },
        true,
      );
      return;
    }
    let json: unknown;
    if (body) {
      try {
        json = JSON.parse(body);
      } catch {
        send(
          { status: 400, body: { message: 'Problems parsing JSON', documentation_url: docs } },
          false,
        );
        return;
      }
    }
    const fault = takeFault(route, query, json);
    fault?.effect?.(standIn);
    if (fault?.drop === 'before') {
      drop();
      return;
    }
    if (fault && fault.drop !== 'after') {
      send({ status: fault.status ?? 500, body: fault.body, headers: fault.headers ?? {} }, true);
      return;
    }
    let answer: Answer;
    try {
      answer = handle(route, params, query, json, url.pathname);
    } catch (error) {
      answer =
        error instanceof HttpAnswer
          ? error.answer
          : { status: 500, body: { message: `stand-in bug: ${String(error)}` } };
    }
    if (fault?.drop === 'after') {
      entry.status = answer.status;
      entry.response = answer.body;
      drop();
      return;
    }
    send(answer, false);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${String(port)}`;
  apiUrl = `${origin}${prefix}`;

  const standIn: GitHubStandIn = {
    origin,
    apiUrl,
    token: options.token,
    get state() {
      return state;
    },
    log,
    fault(route, ...added) {
      const queue = faults.get(route) ?? [];
      queue.push(...added);
      faults.set(route, queue);
    },
    pendingFaults() {
      let count = 0;
      for (const queue of faults.values()) count += queue.length;
      return count;
    },
    addBranch,
    addPull,
    addReview(number, login, reviewState = 'APPROVED') {
      const reviews = state.reviews.get(number) ?? [];
      const pull = state.pulls.find((candidate) => candidate.number === number);
      reviews.push({
        id: numericId(`review:${String(++sequence)}`),
        login,
        state: reviewState,
        commitId: pull?.headSha ?? sha('none'),
      });
      state.reviews.set(number, reviews);
    },
    writes() {
      return log.filter((entry) => entry.method !== 'GET');
    },
    reset() {
      state = freshState();
      faults.clear();
      log.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
  return standIn;
}

/**
 * A stand-in for the `acme/gitops` repository started before the tests of the calling file
 * and closed after them; the getter returns it once started.
 */
export function useGitHubStandIn(token: string): () => GitHubStandIn {
  let standIn: GitHubStandIn | undefined;
  beforeAll(async () => {
    standIn = await startGitHubStandIn({ token, owner: 'acme', repo: 'gitops' });
  });
  afterAll(async () => {
    await standIn?.close();
  });
  return () => {
    if (!standIn) throw new Error('the GitHub stand-in is not started yet');
    return standIn;
  };
}
