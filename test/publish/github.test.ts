/**
 * The GitHub pull-request host, driving the real Octokit client (with its retry and throttling
 * plugins) against the local GitHub stand-in: creation, lookup and update, the 422 race, labels,
 * reviewers, auto-merge, every failure of the error table, and a token-leak audit over every
 * message, hint, warning and request the tests produced.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { RemoteError, redact } from '../../src/publish/github-errors.js';
import { compareUrl, parseGitHubRemote, webUrlForApi } from '../../src/publish/github-remote.js';
import { createGitHubHost, type GitHubHostOptions } from '../../src/publish/github.js';
import type { PullRequestHost } from '../../src/publish/pull-request-host.js';
import {
  githubFaults,
  startGitHubStandIn,
  type GitHubStandIn,
  type StandInRequest,
} from '../helpers/github-stand-in.js';

const token = 'ghs_T0kenForStandInTests9f8e7d6c5b4a3210zz';
const branch = 'gitops-gen/main/prod';

let standIn: GitHubStandIn;
/** Every request of every test (the log is cleared between tests). */
const allRequests: StandInRequest[] = [];
/** Every error message, hint, warning and debug line the tests saw. */
const seen: string[] = [];
let warnings: string[] = [];
let debugs: string[] = [];

beforeAll(async () => {
  standIn = await startGitHubStandIn({ token });
});

afterAll(async () => {
  await standIn.close();
});

beforeEach(() => {
  standIn.reset();
  warnings = [];
  debugs = [];
});

afterEach(() => {
  allRequests.push(...standIn.log);
  seen.push(...warnings, ...debugs);
});

function host(overrides: Partial<GitHubHostOptions> = {}): PullRequestHost {
  return createGitHubHost({
    owner: 'acme',
    repo: 'gitops',
    token,
    apiUrl: standIn.apiUrl,
    userAgent: 'gitops-gen/0.1.0',
    retryDelayMs: 1,
    minCreateIntervalMs: 0,
    consistencyRetryDelayMs: 1,
    rateLimit: { secondMs: 5 },
    log: {
      warn: (message) => warnings.push(message),
      debug: (message) => debugs.push(message),
    },
    ...overrides,
  });
}

/** The RemoteError a call rejects with (recorded for the leak audit). */
async function remoteFailure(promise: Promise<unknown>): Promise<RemoteError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RemoteError);
  const error = caught as RemoteError;
  seen.push(error.message, error.hint ?? '', JSON.stringify(error), String(error.stack));
  expect(error.exitCode).toBe(ExitCode.remote);
  expect(error.message).not.toMatch(/\n/);
  return error;
}

function requests(route: StandInRequest['route']): StandInRequest[] {
  return standIn.log.filter((entry) => entry.route === route);
}

const prInput = {
  head: branch,
  base: 'main',
  title: 'gitops-gen: update prod (+1 ~2 -0)',
  body: '<!-- gitops-gen:meta {"v":1} -->\nbody',
  draft: false,
};

describe('repository', () => {
  it('reads the default branch, auto-merge and push permission, with our user agent', async () => {
    standIn.state.repository.allowAutoMerge = false;
    await expect(host().getRepository()).resolves.toEqual({
      defaultBranch: 'main',
      allowAutoMerge: false,
      canPush: true,
    });
    standIn.state.repository.permissions = undefined;
    expect((await host().getRepository()).canPush).toBeUndefined();
    const [first] = standIn.log;
    expect(first?.headers['user-agent']).toMatch(/^gitops-gen\/0\.1\.0 /);
    expect(first?.headers.authorization).toBe(`token ${token}`);
  });
});

describe('pull requests', () => {
  it('creates a pull request', async () => {
    const headSha = standIn.addBranch(branch);
    const pr = await host().createPullRequest({ ...prInput, draft: true });
    expect(pr).toMatchObject({
      existed: false,
      number: 1,
      url: `${standIn.origin}/acme/gitops/pull/1`,
      state: 'open',
      draft: true,
      title: prInput.title,
      body: prInput.body,
      headRef: branch,
      headSha,
      baseRef: 'main',
      mergedAt: undefined,
      closedAt: undefined,
      labels: [],
      requestedReviewers: [],
    });
    expect(pr.nodeId).toMatch(/^PR_/);
    const [create] = requests('POST /repos/{owner}/{repo}/pulls');
    expect(JSON.parse(create?.body ?? '{}')).toEqual({
      head: branch,
      base: 'main',
      title: prInput.title,
      body: prInput.body,
      draft: true,
    });
  });

  it('finds the open pull request of a branch with one query, and updates it', async () => {
    standIn.addPull({ head: 'gitops-gen/main/dev' });
    const existing = standIn.addPull({ head: branch, title: 'old', body: 'old body' });
    standIn.addPull({ head: branch, base: 'release' });
    const github = host();
    const found = await github.findOpenPullRequest(branch, 'main');
    expect(found?.number).toBe(existing.number);
    expect(requests('GET /repos/{owner}/{repo}/pulls').map((entry) => entry.query)).toEqual([
      { state: 'open', head: `acme:${branch}`, base: 'main', per_page: '100' },
    ]);

    const updated = await github.updatePullRequest(existing.number, {
      title: 'new',
      body: 'new body',
    });
    expect(updated).toMatchObject({ number: existing.number, title: 'new', body: 'new body' });
    const [patch] = requests('PATCH /repos/{owner}/{repo}/pulls/{pull_number}');
    expect(JSON.parse(patch?.body ?? '{}')).toEqual({ title: 'new', body: 'new body' });

    const closed = await github.updatePullRequest(existing.number, { state: 'closed' });
    expect(closed.state).toBe('closed');
    expect(closed.closedAt).toBeDefined();
    await expect(github.findOpenPullRequest(branch, 'main')).resolves.toBeUndefined();
  });

  it('falls back to paging open pull requests into base when the head filter finds nothing', async () => {
    for (let index = 0; index < 5; index++) standIn.addPull({ head: `other-${String(index)}` });
    const ours = standIn.addPull({ head: branch });
    for (let index = 5; index < 8; index++) standIn.addPull({ head: `other-${String(index)}` });
    standIn.fault('GET /repos/{owner}/{repo}/pulls', {
      status: 200,
      body: [],
      when: ({ query }) => query.head !== undefined,
    });
    const found = await host({ listPageSize: 2 }).findOpenPullRequest(branch, 'main');
    expect(found?.number).toBe(ours.number);
    const pages = requests('GET /repos/{owner}/{repo}/pulls').map((entry) => entry.query.page);
    // Newest first: 8 pull requests, ours is the 4th newest, on page 2.
    expect(pages).toEqual([undefined, '1', '2']);
  });

  it('pages a bounded number of times', async () => {
    for (let index = 0; index < 10; index++) standIn.addPull({ head: `other-${String(index)}` });
    standIn.addPull({ number: 0, head: branch }); // the oldest: on the last page
    standIn.fault('GET /repos/{owner}/{repo}/pulls', {
      status: 200,
      body: [],
      when: ({ query }) => query.head !== undefined,
    });
    const found = await host({ listPageSize: 2, maxListPages: 3 }).findOpenPullRequest(
      branch,
      'main',
    );
    expect(found).toBeUndefined();
    expect(requests('GET /repos/{owner}/{repo}/pulls')).toHaveLength(1 + 3);
  });

  it('finds closed pull requests of the branch, merged or not', async () => {
    const rejected = standIn.addPull({
      head: branch,
      state: 'closed',
      closedAt: '2026-11-20T10:00:00Z',
      body: '<!-- gitops-gen:meta {"fingerprint":"sha256:abc"} -->',
    });
    const merged = standIn.addPull({
      head: branch,
      state: 'closed',
      closedAt: '2026-11-21T10:00:00Z',
      mergedAt: '2026-11-21T10:00:00Z',
    });
    standIn.addPull({ head: 'other', state: 'closed', closedAt: '2026-11-21T10:00:00Z' });
    standIn.addPull({ head: branch });
    const closed = await host().findClosedPullRequests(branch, 'main');
    expect(closed.map((pr) => [pr.number, pr.mergedAt, pr.closedAt, pr.body])).toEqual([
      [merged.number, '2026-11-21T10:00:00Z', '2026-11-21T10:00:00Z', ''],
      [rejected.number, undefined, '2026-11-20T10:00:00Z', rejected.body],
    ]);
  });

  it('on 422 "A pull request already exists" returns the open one (opened concurrently)', async () => {
    standIn.addBranch(branch);
    let concurrent = 0;
    standIn.fault('POST /repos/{owner}/{repo}/pulls', {
      ...githubFaults.validation(`A pull request already exists for acme:${branch}.`),
      effect: (stub) => {
        concurrent = stub.addPull({ head: branch, title: 'from the other run' }).number;
      },
    });
    const github = host();
    const pr = await github.createPullRequest(prInput);
    expect(pr).toMatchObject({ existed: true, number: concurrent, title: 'from the other run' });
    // The caller's update path.
    await github.updatePullRequest(pr.number, { title: prInput.title, body: prInput.body });
    expect(standIn.state.pulls).toHaveLength(1);
    expect(standIn.state.pulls[0]?.title).toBe(prInput.title);
  });

  it('on 422 "No commits between" fails with a code the caller can treat as up to date', async () => {
    standIn.addBranch(branch, standIn.state.branches.get('main'));
    const error = await remoteFailure(host().createPullRequest(prInput));
    expect(error.code).toBe('github/no-commits');
    expect(error.message).toBe(
      `no commits between main and ${branch}: main already contains the branch`,
    );
  });

  it('adds labels without removing any', async () => {
    const pr = standIn.addPull({ head: branch, labels: ['keep-me'] });
    const github = host();
    await expect(github.addLabels(pr.number, ['gitops', 'prod', 'gitops'])).resolves.toEqual([
      'keep-me',
      'gitops',
      'prod',
    ]);
    await expect(github.addLabels(pr.number, ['prod'])).resolves.toEqual([
      'keep-me',
      'gitops',
      'prod',
    ]);
    await expect(github.addLabels(pr.number, [])).resolves.toEqual([]);
    expect(requests('POST /repos/{owner}/{repo}/issues/{issue_number}/labels')).toHaveLength(2);
  });

  it('retries 422 "Could not resolve to a node" right after a create', async () => {
    const pr = standIn.addPull({ head: branch });
    standIn.fault(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      githubFaults.validation("Could not resolve to a node with the global id of 'PR_x'.", 'Label'),
    );
    await expect(host().addLabels(pr.number, ['gitops'])).resolves.toEqual(['gitops']);
    expect(requests('POST /repos/{owner}/{repo}/issues/{issue_number}/labels')).toHaveLength(2);
  });

  it('requests only reviewers not already requested and who have not reviewed', async () => {
    const pr = standIn.addPull({
      head: branch,
      requestedReviewers: ['bob'],
      requestedTeams: ['sre'],
    });
    standIn.addReview(pr.number, 'carol');
    const github = host();
    const result = await github.requestReviewers(pr.number, {
      reviewers: ['@Bob', 'carol', 'dave'],
      teamReviewers: ['acme/platform', 'acme/sre'],
    });
    expect(result).toEqual({
      requested: ['dave'],
      requestedTeams: ['platform'],
      skipped: ['Bob', 'carol', 'acme/sre'],
      warnings: [],
    });
    const posts = () =>
      requests('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers');
    expect(JSON.parse(posts()[0]?.body ?? '{}')).toEqual({
      reviewers: ['dave'],
      team_reviewers: ['platform'],
    });

    // A second run asks nobody again: no write at all.
    const again = await github.requestReviewers(pr.number, {
      reviewers: ['bob', 'carol', 'dave'],
      teamReviewers: ['platform'],
    });
    expect(again.requested).toEqual([]);
    expect(again.requestedTeams).toEqual([]);
    expect(posts()).toHaveLength(1);
  });

  it('turns a 422 on reviewers into a warning and still requests the others', async () => {
    const pr = standIn.addPull({ head: branch });
    const result = await host().requestReviewers(pr.number, {
      reviewers: ['alice', 'mallory'],
      teamReviewers: [],
    });
    expect(result.requested).toEqual(['alice']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^could not request a review from @mallory on PR #1: Reviews may only be requested from collaborators/,
    );
    expect(standIn.state.pulls[0]?.requestedReviewers).toEqual(['alice']);
    seen.push(...result.warnings);
  });

  it('comments on a pull request', async () => {
    const pr = standIn.addPull({ head: branch });
    const comment = await host().comment(pr.number, 'Closing: main already contains this state');
    expect(comment.url).toContain(`/acme/gitops/pull/${String(pr.number)}#issuecomment-`);
    expect(standIn.state.comments.map((entry) => entry.body)).toEqual([
      'Closing: main already contains this state',
    ]);
  });

  it('deletes a branch, and reports a branch that is already gone', async () => {
    standIn.addBranch(branch);
    const github = host();
    await expect(github.deleteBranch(branch)).resolves.toBe(true);
    expect(standIn.state.branches.has(branch)).toBe(false);
    await expect(github.deleteBranch(branch)).resolves.toBe(false);
    expect(requests('DELETE /repos/{owner}/{repo}/git/refs/{ref}')[0]?.path).toBe(
      '/repos/acme/gitops/git/refs/heads%2Fgitops-gen%2Fmain%2Fprod',
    );
  });

  it('sends writes one at a time, at least minCreateIntervalMs apart', async () => {
    const pr = standIn.addPull({ head: branch });
    // When the client sends each write and gets its answer.
    const sent: { start: number; end: number }[] = [];
    const timing: typeof fetch = async (input, init) => {
      const call = { start: performance.now(), end: Number.POSITIVE_INFINITY };
      if (init?.method !== 'GET') sent.push(call);
      try {
        return await fetch(input, init);
      } finally {
        call.end = performance.now();
      }
    };
    const github = host({ minCreateIntervalMs: 40, fetch: timing });
    await Promise.all([
      github.comment(pr.number, 'one'),
      github.comment(pr.number, 'two'),
      github.addLabels(pr.number, ['three']),
    ]);
    expect(sent).toHaveLength(3);
    for (let index = 1; index < sent.length; index++) {
      const previous = sent[index - 1];
      const current = sent[index];
      if (!previous || !current) throw new Error('unreachable');
      expect(current.start).toBeGreaterThanOrEqual(previous.end);
      // Paced just before fetch; a timer may fire a millisecond early.
      expect(current.start - previous.start).toBeGreaterThanOrEqual(39);
    }
    const writes = standIn.writes();
    expect(writes).toHaveLength(3);
    for (let index = 1; index < writes.length; index++) {
      expect(writes[index]?.startedAt).toBeGreaterThanOrEqual(writes[index - 1]?.finishedAt ?? 0);
    }
  });
});

describe('auto-merge', () => {
  it('enables auto-merge through GraphQL with the pull request node id', async () => {
    const pr = standIn.addPull({ head: branch });
    await expect(host().enableAutoMerge(pr.number, 'squash')).resolves.toEqual({
      outcome: 'enabled',
    });
    expect(pr.autoMerge).toEqual({ method: 'squash' });
    const [mutation] = requests('POST /graphql');
    const sent = JSON.parse(mutation?.body ?? '{}') as { variables?: unknown; query?: string };
    expect(sent.variables).toEqual({ pullRequestId: pr.nodeId, mergeMethod: 'SQUASH' });
    expect(sent.query).toContain('enablePullRequestAutoMerge');
  });

  it('merges directly, pinned to our head, when the pull request is already clean', async () => {
    const pr = standIn.addPull({ head: branch, mergeableState: 'clean' });
    const result = await host().enableAutoMerge(pr.number, 'squash', pr.headSha);
    expect(result.outcome).toBe('merged');
    expect(result.sha).toMatch(/^[0-9a-f]{40}$/);
    const [merge] = requests('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge');
    expect(JSON.parse(merge?.body ?? '{}')).toEqual({ merge_method: 'squash', sha: pr.headSha });
    expect(pr.mergedAt).not.toBeNull();
  });

  it('retries a 405 "Base branch was modified" merge', async () => {
    const pr = standIn.addPull({ head: branch, mergeableState: 'unstable' });
    standIn.fault('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      status: 405,
      body: { message: 'Base branch was modified. Review and try the merge again.' },
      times: 2,
    });
    const result = await host().enableAutoMerge(pr.number, 'merge');
    expect(result.outcome).toBe('merged');
    expect(requests('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge')).toHaveLength(3);
  });

  it('warns and leaves the pull request open when its head moved (409)', async () => {
    const pr = standIn.addPull({ head: branch, mergeableState: 'clean' });
    const result = await host().enableAutoMerge(pr.number, 'squash', 'f'.repeat(40));
    expect(result).toEqual({
      outcome: 'not-enabled',
      warning: `PR #${String(pr.number)} not merged: its head changed; auto-merge left off`,
    });
    expect(pr.state).toBe('open');
  });

  it('warns when the repository does not allow auto-merge', async () => {
    standIn.state.repository.allowAutoMerge = false;
    const pr = standIn.addPull({ head: branch });
    const result = await host().enableAutoMerge(pr.number, 'squash');
    expect(result.outcome).toBe('not-enabled');
    expect(result.warning).toMatch(/auto-merge is not allowed in acme\/gitops/);
    seen.push(result.warning ?? '');
  });

  it('warns instead of throwing when GitHub refuses the mutation', async () => {
    const pr = standIn.addPull({ head: branch });
    standIn.fault('POST /graphql', githubFaults.permission('pull_requests=write'));
    const result = await host().enableAutoMerge(pr.number, 'rebase');
    expect(result.outcome).toBe('not-enabled');
    expect(result.warning).toContain('pull_requests=write');
    seen.push(result.warning ?? '');
  });
});

describe('failures', () => {
  it('403 with x-accepted-github-permissions names the missing permission', async () => {
    standIn.addBranch(branch);
    standIn.fault(
      'POST /repos/{owner}/{repo}/pulls',
      githubFaults.permission('pull_requests=write'),
    );
    const error = await remoteFailure(host().createPullRequest(prInput));
    expect(error.code).toBe('github/permission');
    expect(error.status).toBe(403);
    expect(error.message).toBe(
      `the token cannot open a pull request from ${branch} into main in acme/gitops (needs pull_requests=write)`,
    );
    expect(error.hint).toContain(`${standIn.origin}/acme/gitops/compare/main...${branch}?expand=1`);
    expect(error.problems[0]?.hint).toBe(error.hint);
    // Not retried.
    expect(requests('POST /repos/{owner}/{repo}/pulls')).toHaveLength(1);
  });

  it('403 permission sets: alternatives and combinations', async () => {
    const pr = standIn.addPull({ head: branch });
    standIn.fault(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      githubFaults.permission('issues=write; pull_requests=write,contents=read'),
    );
    const error = await remoteFailure(host().addLabels(pr.number, ['x']));
    expect(error.message).toBe(
      'the token cannot add labels to pull request #1 in acme/gitops (needs issues=write or pull_requests=write and contents=read)',
    );
  });

  it('403 "GitHub Actions is not permitted to create or approve pull requests"', async () => {
    standIn.addBranch(branch);
    standIn.fault(
      'POST /repos/{owner}/{repo}/pulls',
      githubFaults.actionsCannotCreatePullRequests(),
    );
    const error = await remoteFailure(host().createPullRequest(prInput));
    expect(error.code).toBe('github/actions-pull-requests-disabled');
    expect(error.message).toContain(
      '"Allow GitHub Actions to create and approve pull requests" is off',
    );
    expect(error.hint).toContain('Settings → Actions → General');
    expect(error.hint).toContain(`/compare/main...${branch}?expand=1`);
  });

  it('404: repository not found, or the token cannot see it', async () => {
    const error = await remoteFailure(host({ repo: 'missing' }).getRepository());
    expect(error.code).toBe('github/not-found');
    expect(error.message).toBe('repository acme/missing not found, or the token cannot see it');
    expect(requests('GET /repos/{owner}/{repo}')).toHaveLength(1);
    const pr = await remoteFailure(host().updatePullRequest(42, { title: 'x' }));
    expect(pr.message).toBe(
      'pull request #42 of acme/gitops not found, or the token cannot see it',
    );
  });

  it('401: the token is missing, expired or revoked (not retried)', async () => {
    const wrong = await remoteFailure(host({ token: 'ghs_revoked' }).getRepository());
    expect(wrong.code).toBe('github/unauthorized');
    expect(wrong.message).toBe(
      'GitHub rejected the token (401): it is missing, expired or revoked',
    );
    expect(wrong.hint).toMatch(/create a new token/);
    const missing = await remoteFailure(host({ token: undefined }).getRepository());
    expect(missing.hint).toMatch(/no token was given/);
    expect(standIn.log.map((entry) => entry.status)).toEqual([401, 401]);
    expect(standIn.log[1]?.headers.authorization).toBeUndefined();
  });

  it('502 then success: retried by plugin-retry', async () => {
    standIn.addBranch(branch);
    standIn.fault('POST /repos/{owner}/{repo}/pulls', githubFaults.status(502, 'Bad Gateway'));
    const pr = await host().createPullRequest(prInput);
    expect(pr.existed).toBe(false);
    expect(requests('POST /repos/{owner}/{repo}/pulls').map((entry) => entry.status)).toEqual([
      502, 201,
    ]);
    expect(standIn.state.pulls).toHaveLength(1);
    expect(debugs).toEqual(['POST /repos/acme/gitops/pulls answered 502']);
  });

  it('5xx on every attempt: a remote failure after the retries', async () => {
    standIn.fault('GET /repos/{owner}/{repo}', { ...githubFaults.status(503), times: 10 });
    const error = await remoteFailure(host({ retries: 2 }).getRepository());
    expect(error.code).toBe('github/server-error');
    expect(error.message).toBe(
      'GitHub answered 503 to every attempt to read repository acme/gitops (3 attempts)',
    );
    expect(requests('GET /repos/{owner}/{repo}')).toHaveLength(3);
  });

  it('primary rate limit with a near reset: waits and retries', async () => {
    standIn.fault('GET /repos/{owner}/{repo}', githubFaults.rateLimit(1));
    await expect(host().getRepository()).resolves.toMatchObject({ defaultBranch: 'main' });
    expect(requests('GET /repos/{owner}/{repo}').map((entry) => entry.status)).toEqual([403, 200]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^GitHub API rate limit reached; waiting \d+ s before retrying GET/,
    );
  });

  it('secondary rate limit (403, then 429, with retry-after): waits twice and retries', async () => {
    standIn.addBranch(branch);
    standIn.fault(
      'POST /repos/{owner}/{repo}/pulls',
      githubFaults.secondaryRateLimit(1),
      githubFaults.secondaryRateLimit(1, 429),
    );
    const pr = await host().createPullRequest(prInput);
    expect(pr.number).toBe(1);
    expect(requests('POST /repos/{owner}/{repo}/pulls').map((entry) => entry.status)).toEqual([
      403, 429, 201,
    ]);
    expect(warnings).toEqual([
      'GitHub secondary rate limit reached; waiting 1 s before retrying POST /repos/{owner}/{repo}/pulls',
      'GitHub secondary rate limit reached; waiting 1 s before retrying POST /repos/{owner}/{repo}/pulls',
    ]);
  });

  it('rate limit with a far reset: fails at once, naming the reset time', async () => {
    standIn.fault('GET /repos/{owner}/{repo}', githubFaults.rateLimit(40 * 60));
    const error = await remoteFailure(host().getRepository());
    expect(error.code).toBe('github/rate-limited');
    expect(error.message).toMatch(
      /^GitHub API rate limit exhausted until \d\d:\d\d UTC; could not read repository acme\/gitops$/,
    );
    expect(error.hint).toMatch(/re-run after the reset/);
    expect(requests('GET /repos/{owner}/{repo}')).toHaveLength(1);
  });

  it('secondary rate limit that does not clear: fails after two retries', async () => {
    standIn.fault('GET /repos/{owner}/{repo}', { ...githubFaults.secondaryRateLimit(1), times: 5 });
    const error = await remoteFailure(host().getRepository());
    expect(error.code).toBe('github/rate-limited');
    expect(error.message).toBe(
      "GitHub's secondary rate limit stopped the request to read repository acme/gitops; retry after 1 s",
    );
    expect(requests('GET /repos/{owner}/{repo}')).toHaveLength(3);
  });

  it('network down (connection refused): retried, then a one-line failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      closed.close(() => {
        resolve();
      });
    });
    let attempts = 0;
    const counting: typeof fetch = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    const error = await remoteFailure(
      host({ apiUrl: `http://127.0.0.1:${String(port)}`, fetch: counting }).getRepository(),
    );
    expect(error.code).toBe('github/network');
    expect(error.message).toBe(
      `cannot reach 127.0.0.1:${String(port)} (ECONNREFUSED); could not read repository acme/gitops`,
    );
    expect(attempts).toBe(4);
  });

  it('a connection dropped mid-request is a network failure too', async () => {
    standIn.fault('GET /repos/{owner}/{repo}', { drop: 'before', times: 10 });
    const error = await remoteFailure(host({ retries: 1 }).getRepository());
    expect(error.code).toBe('github/network');
    expect(error.message).toMatch(/^cannot reach 127\.0\.0\.1:\d+ \(\w+\); could not read/);
  });

  it('an invalid API URL is a usage error', () => {
    expect(() => host({ apiUrl: 'api.github.com' })).toThrow(
      expect.objectContaining({
        message: 'invalid GitHub API URL: api.github.com',
        exitCode: ExitCode.input,
      }) as Error,
    );
  });

  it('redacts a token GitHub (or a proxy) echoes back', async () => {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    standIn.fault('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      status: 400,
      body: {
        message: `bad request for ${token} via https://x-access-token:${token}@github.com/acme/gitops.git (basic ${basic})`,
      },
    });
    const error = await remoteFailure(host().updatePullRequest(1, { title: 'x' }));
    expect(error.message).toBe(
      'GitHub answered 400 when asked to update pull request #1: bad request for *** via https://***@github.com/acme/gitops.git (basic ***)',
    );
  });
});

describe('GitHub Enterprise layout', () => {
  let enterprise: GitHubStandIn;
  beforeAll(async () => {
    enterprise = await startGitHubStandIn({ token, prefix: '/api/v3' });
  });
  afterAll(async () => {
    allRequests.push(...enterprise.log);
    await enterprise.close();
  });

  it('derives the API from the remote; REST under /api/v3, GraphQL at /api/graphql', async () => {
    const remote = parseGitHubRemote(`${enterprise.origin}/acme/gitops.git`);
    expect(remote).toEqual({
      owner: 'acme',
      repo: 'gitops',
      host: new URL(enterprise.origin).host,
      apiUrl: enterprise.apiUrl,
    });
    if (!remote) throw new Error('unreachable');
    const github = host({ owner: remote.owner, repo: remote.repo, apiUrl: remote.apiUrl });
    await expect(github.getRepository()).resolves.toMatchObject({ defaultBranch: 'main' });
    enterprise.addBranch(branch);
    const pr = await github.createPullRequest(prInput);
    expect(pr.url).toBe(`${enterprise.origin}/acme/gitops/pull/1`);
    await expect(github.enableAutoMerge(pr.number, 'squash')).resolves.toEqual({
      outcome: 'enabled',
    });
    expect(
      enterprise.log.map((entry) => `${entry.method} ${entry.path} ${String(entry.status)}`),
    ).toEqual([
      'GET /api/v3/repos/acme/gitops 200',
      'POST /api/v3/repos/acme/gitops/pulls 201',
      'GET /api/v3/repos/acme/gitops/pulls/1 200',
      'POST /api/graphql 200',
    ]);
  });
});

describe('parseGitHubRemote', () => {
  const dotCom = {
    owner: 'acme',
    repo: 'gitops',
    host: 'github.com',
    apiUrl: 'https://api.github.com',
  };
  it.each([
    ['https://github.com/acme/gitops', dotCom],
    ['https://github.com/acme/gitops.git', dotCom],
    ['https://github.com/acme/gitops/', dotCom],
    ['https://x-access-token:s3cret@github.com/acme/gitops.git', dotCom],
    ['http://www.github.com/acme/gitops', dotCom],
    ['git@github.com:acme/gitops.git', dotCom],
    ['git@github.com:acme/gitops', dotCom],
    ['ssh://git@github.com/acme/gitops.git', dotCom],
    ['ssh://git@ssh.github.com:443/acme/gitops.git', dotCom],
    ['git+ssh://git@github.com/acme/gitops.git', dotCom],
    [
      'https://github.com/my-org/my.repo_name-2.git',
      { ...dotCom, owner: 'my-org', repo: 'my.repo_name-2' },
    ],
    [
      'ssh://git@ghe.example.com/acme/gitops.git',
      { ...dotCom, host: 'ghe.example.com', apiUrl: 'https://ghe.example.com/api/v3' },
    ],
    [
      'git@ghe.example.com:acme/gitops.git',
      { ...dotCom, host: 'ghe.example.com', apiUrl: 'https://ghe.example.com/api/v3' },
    ],
    [
      'https://ghe.example.com:8443/acme/gitops.git',
      { ...dotCom, host: 'ghe.example.com:8443', apiUrl: 'https://ghe.example.com:8443/api/v3' },
    ],
    [
      'ssh://git@ghe.example.com:2222/acme/gitops.git',
      { ...dotCom, host: 'ghe.example.com', apiUrl: 'https://ghe.example.com/api/v3' },
    ],
    [
      'https://octocorp.ghe.com/acme/gitops.git',
      { ...dotCom, host: 'octocorp.ghe.com', apiUrl: 'https://api.octocorp.ghe.com' },
    ],
    [
      'git@octocorp.ghe.com:acme/gitops.git',
      { ...dotCom, host: 'octocorp.ghe.com', apiUrl: 'https://api.octocorp.ghe.com' },
    ],
  ])('%s', (url, expected) => {
    expect(parseGitHubRemote(url)).toEqual(expected);
  });

  it.each([
    '',
    'https://gitlab.com/acme/gitops.git',
    'git@gitlab.com:group/sub/project.git',
    'https://gitlab.example.com/acme/gitops.git',
    'https://bitbucket.org/acme/gitops.git',
    'https://codeberg.org/acme/gitops.git',
    'https://dev.azure.com/org/project/_git/repo',
    'git@ssh.dev.azure.com:v3/org/project/repo',
    '/srv/git/gitops.git',
    '../gitops',
    'file:///srv/git/gitops.git',
    'https://github.com/acme',
    'https://github.com/acme/gitops/tree/main',
    'https://github.com/acme/..',
    'github-work:acme/gitops.git',
    'ftp://github.com/acme/gitops',
    'not a url',
  ])('%s is not a GitHub remote', (url) => {
    expect(parseGitHubRemote(url)).toBeUndefined();
  });

  it('derives web roots and compare URLs', () => {
    expect(webUrlForApi('https://api.github.com')).toBe('https://github.com');
    expect(webUrlForApi('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com');
    expect(webUrlForApi('https://api.octocorp.ghe.com')).toBe('https://octocorp.ghe.com');
    expect(compareUrl('https://github.com', 'acme', 'gitops', 'main', 'gitops-gen/main/a+b')).toBe(
      'https://github.com/acme/gitops/compare/main...gitops-gen/main/a+b?expand=1',
    );
  });
});

describe('redact', () => {
  it('replaces the token, its x-access-token base64 form and URL userinfo', () => {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    expect(redact(`token ${token}!`, token)).toBe('token ***!');
    expect(redact(`AUTHORIZATION: basic ${basic}`, token)).toBe('AUTHORIZATION: basic ***');
    expect(redact('fetch https://user:pass@ghe.example.com/a/b.git', undefined)).toBe(
      'fetch https://***@ghe.example.com/a/b.git',
    );
    expect(redact('Authorization: Bearer abc.def', undefined)).toBe('Authorization: Bearer ***');
    expect(redact('nothing secret here', token)).toBe('nothing secret here');
    expect(redact('nothing secret here', '')).toBe('nothing secret here');
  });
});

describe('token leak audit', () => {
  it('the token appears in no message, hint, warning or request except authorization headers', () => {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64').replace(/=+$/, '');
    const secrets = [token, basic];
    expect(seen.length).toBeGreaterThan(20);
    for (const text of seen) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    expect(allRequests.length).toBeGreaterThan(50);
    let authorized = 0;
    for (const entry of allRequests) {
      const { authorization, ...headers } = entry.headers;
      if (authorization === `token ${token}`) authorized++;
      // What the client sent, and what the stand-in itself answered (a scripted answer may echo
      // the token on purpose: the redaction test).
      const visible = JSON.stringify({
        path: entry.path,
        query: entry.query,
        headers,
        body: entry.body,
        ...(entry.scripted ? {} : { response: entry.response }),
      });
      for (const secret of secrets) expect(visible).not.toContain(secret);
    }
    // The audit looked at requests that did carry the token.
    expect(authorized).toBeGreaterThan(50);
  });
});
