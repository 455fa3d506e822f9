/**
 * The GitHub stand-in answers in GitHub's shapes: every REST response it gives (and every request
 * body the real Octokit client sends it) is checked with ajv against the operation's schema in
 * GitHub's OpenAPI description (@octokit/openapi), $refs resolved inside the description.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubHost } from '../../src/publish/github.js';
import type { PullRequestHost } from '../../src/publish/pull-request-host.js';
import {
  githubFaults,
  restRoutes,
  startGitHubStandIn,
  type GitHubStandIn,
  type StandInRequest,
} from '../helpers/github-stand-in.js';

const specFile = fileURLToPath(
  new URL('../../node_modules/@octokit/openapi/generated/api.github.com.json', import.meta.url),
);
const token = 'ghs_openapiStandInToken0123456789abcdefXYZ';

type Json = Record<string, unknown>;
function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let spec: Json;
let ajv: Ajv;
let standIn: GitHubStandIn;
let host: PullRequestHost;

/** Follows a local `#/...` pointer inside the description. */
function resolve(pointer: string): unknown {
  let node: unknown = spec;
  for (const raw of pointer.replace(/^#\//, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isRecord(node) ? node[key] : undefined;
  }
  return node;
}

/** Makes `#/components/...` refs point into the description registered as `github`. */
function anchorRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchorRefs);
  if (!isRecord(schema)) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `github${value}`
        : anchorRefs(value);
  }
  return out;
}

function operationOf(route: string): Json {
  const [method, path] = route.split(' ') as [string, string];
  const paths = spec.paths;
  const item = isRecord(paths) ? paths[path] : undefined;
  const operation = isRecord(item) ? item[method.toLowerCase()] : undefined;
  if (!isRecord(operation)) throw new Error(`no OpenAPI operation for ${route}`);
  return operation;
}

function jsonSchemaOf(container: unknown): unknown {
  const resolved =
    isRecord(container) && typeof container.$ref === 'string' ? resolve(container.$ref) : container;
  if (!isRecord(resolved) || !isRecord(resolved.content)) return undefined;
  const json = resolved.content['application/json'];
  return isRecord(json) ? json.schema : undefined;
}

const compiled = new Map<string, ValidateFunction>();
function validator(key: string, schema: unknown): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(anchorRefs(schema) as Json);
    compiled.set(key, validate);
  }
  return validate;
}

function responseValidator(route: string, status: number): ValidateFunction | undefined {
  const responses = operationOf(route).responses;
  const schema = jsonSchemaOf(isRecord(responses) ? responses[String(status)] : undefined);
  return schema === undefined ? undefined : validator(`${route} ${String(status)}`, schema);
}

function requestValidator(route: string): ValidateFunction | undefined {
  const schema = jsonSchemaOf(operationOf(route).requestBody);
  return schema === undefined ? undefined : validator(`${route} request`, schema);
}

function problems(validate: ValidateFunction): string {
  return ajv.errorsText(validate.errors, { separator: '\n' });
}

beforeAll(async () => {
  spec = JSON.parse(readFileSync(specFile, 'utf8')) as Json;
  ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  ajv.addSchema(spec, 'github');
  standIn = await startGitHubStandIn({ token });
  host = createGitHubHost({
    owner: 'acme',
    repo: 'gitops',
    token,
    apiUrl: standIn.apiUrl,
    userAgent: 'gitops-gen/test',
    retryDelayMs: 1,
    minCreateIntervalMs: 0,
    consistencyRetryDelayMs: 1,
    rateLimit: { secondMs: 5 },
  });
});

afterAll(async () => {
  await standIn.close();
});

/** Calls every endpoint of the stand-in through the real client, successes and refusals. */
async function exercise(): Promise<void> {
  await host.getRepository();
  standIn.addBranch('gitops-gen/main/prod');
  const created = await host.createPullRequest({
    head: 'gitops-gen/main/prod',
    base: 'main',
    title: 'gitops-gen: update prod',
    body: '<!-- gitops-gen:meta {} -->',
    draft: false,
  });
  await host.createPullRequest({
    head: 'gitops-gen/main/prod',
    base: 'main',
    title: 'again',
    body: '',
    draft: false,
  });
  standIn.fault('GET /repos/{owner}/{repo}/pulls', {
    status: 200,
    body: [],
    when: ({ query }) => query.head !== undefined,
  });
  await host.findOpenPullRequest('gitops-gen/main/prod', 'main');
  await host.updatePullRequest(created.number, { title: 'gitops-gen: update prod (+1)' });
  await host.addLabels(created.number, ['gitops', 'prod']);
  standIn.addReview(created.number, 'carol');
  await host.requestReviewers(created.number, {
    reviewers: ['alice', 'carol', 'mallory'],
    teamReviewers: ['acme/platform'],
  });
  await host.comment(created.number, 'a comment');
  await host.enableAutoMerge(created.number, 'squash');

  standIn.addBranch('gitops-gen/main/dev');
  const clean = await host.createPullRequest({
    head: 'gitops-gen/main/dev',
    base: 'main',
    title: 'gitops-gen: update dev',
    body: '',
    draft: true,
  });
  const pull = standIn.state.pulls.find((candidate) => candidate.number === clean.number);
  if (pull) pull.mergeableState = 'clean';
  await host.enableAutoMerge(clean.number, 'merge');
  await host.findClosedPullRequests('gitops-gen/main/dev', 'main');
  await host.updatePullRequest(created.number, { state: 'closed' });
  await host.deleteBranch('gitops-gen/main/prod');
  await host.deleteBranch('gitops-gen/main/prod');
  await expect(host.updatePullRequest(999, { title: 'x' })).rejects.toThrow(/#999/);
  await expect(
    createGitHubHost({
      owner: 'acme',
      repo: 'missing',
      token,
      apiUrl: standIn.apiUrl,
      userAgent: 'gitops-gen/test',
      retries: 0,
    }).getRepository(),
  ).rejects.toThrow(/not found/);
  standIn.fault('POST /repos/{owner}/{repo}/pulls', githubFaults.permission('pull_requests=write'));
  standIn.addBranch('gitops-gen/main/staging');
  await expect(
    host.createPullRequest({
      head: 'gitops-gen/main/staging',
      base: 'main',
      title: 't',
      body: '',
      draft: false,
    }),
  ).rejects.toThrow(/pull_requests=write/);
}

describe('GitHub stand-in against the OpenAPI description', () => {
  it('answers every route in the schema of its operation, and gets valid request bodies', async () => {
    await exercise();
    const checked = new Set<string>();
    const failures: string[] = [];
    const rest = standIn.log.filter(
      (entry): entry is StandInRequest & { route: (typeof restRoutes)[number] } =>
        entry.route !== 'unknown' && entry.route !== 'POST /graphql',
    );
    expect(rest.length).toBeGreaterThan(15);
    for (const entry of rest) {
      const where = `${entry.route} → ${String(entry.status)}`;
      if (entry.body) {
        const validate = requestValidator(entry.route);
        if (validate && !validate(JSON.parse(entry.body))) {
          failures.push(`request of ${where}: ${problems(validate)}`);
        }
      }
      if (entry.status === 204) {
        expect(entry.response, where).toBeUndefined();
        checked.add(entry.route);
        continue;
      }
      const validate = responseValidator(entry.route, entry.status);
      if (!validate) {
        // GitHub documents no body for this status (e.g. the 422 of DELETE /git/refs): at least
        // GitHub's basic error shape.
        expect(entry.status, where).toBeGreaterThanOrEqual(400);
        expect(entry.response, where).toMatchObject({ message: expect.any(String) as unknown });
        continue;
      }
      if (!validate(entry.response)) failures.push(`response of ${where}: ${problems(validate)}`);
      if (entry.status < 300 && !entry.scripted) checked.add(entry.route);
    }
    expect(failures).toEqual([]);
    expect([...checked].sort()).toEqual([...restRoutes].sort());
  });

  it('rejects a response that breaks the schema (the check is not vacuous)', () => {
    const created = standIn.log.find(
      (entry) => entry.route === 'POST /repos/{owner}/{repo}/pulls' && entry.status === 201,
    );
    const validate = responseValidator('POST /repos/{owner}/{repo}/pulls', 201);
    expect(validate?.(created?.response)).toBe(true);
    const broken = { ...(created?.response as Json), head: undefined, state: 'merged' };
    expect(validate?.(JSON.parse(JSON.stringify(broken)))).toBe(false);
    expect(validate?.errors?.map((error) => error.message)).toEqual(
      expect.arrayContaining(["must have required property 'head'"]),
    );
  });

  it('answers GraphQL enablePullRequestAutoMerge in GitHub’s data/errors shape', () => {
    const graphql = standIn.log.filter((entry) => entry.route === 'POST /graphql');
    expect(graphql.length).toBeGreaterThanOrEqual(2);
    const [enabled, clean] = graphql;
    expect(enabled?.response).toMatchObject({
      data: {
        enablePullRequestAutoMerge: {
          pullRequest: { autoMergeRequest: { mergeMethod: 'SQUASH' } },
        },
      },
    });
    expect(clean?.response).toMatchObject({
      data: { enablePullRequestAutoMerge: null },
      errors: [
        { type: 'UNPROCESSABLE', message: expect.stringMatching(/clean status/) as unknown },
      ],
    });
  });
});
