/**
 * Issue 13, point 3, end to end: a change to a field the API server refuses to update (the
 * volume size of Prometheus's StatefulSet) stops `publish` and shows in `diff` (exit 1, object,
 * field and what to do); `--allow-recreate` publishes it with the Argo CD and Flux annotations
 * that recreate that object, and the next publish takes them away again. Real bare remote,
 * the real CLI, real `kubectl kustomize`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { git, remoteWith } from '../helpers/git.js';
import { findObject, kustomizeBuild } from '../helpers/kubectl.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const prod = (size: string): string =>
  `publish: { mode: commit }\nprometheus:\n  storage: { type: pvc, size: ${size} }\n`;

async function project(size: string): Promise<string> {
  const dir = await tempDir();
  await writeFiles(dir, {
    'environments/dev.yaml': '',
    'environments/staging.yaml': '',
    'environments/prod.yaml': prod(size),
  });
  return dir;
}

const author = ['--author', 'gitops-gen <gitops-gen@example.com>'];

describe('immutable fields against the remote tree', () => {
  it('refuses a StatefulSet volume resize, and --allow-recreate publishes it for that one change', async () => {
    const { remote, clone } = await remoteWith({});
    const cache = { env: { XDG_CACHE_HOME: await tempDir() } };
    const publish = async (dir: string, ...extra: string[]): ReturnType<typeof runCli> =>
      runCli(['publish', '--repo', remote, '--env', 'prod', ...author, ...extra], dir, cache);

    const first = await publish(await project('50Gi'));
    expect(first.code, first.stderr).toBe(0);
    const published = (await git(clone, 'ls-remote', 'origin', 'refs/heads/main')).split('\t')[0];

    const grown = await project('100Gi');
    const refused = await publish(grown);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('StatefulSet mlflow-prod/prometheus');
    expect(refused.stderr).toMatch(/spec\.volumeClaimTemplates\S*: 50Gi → 100Gi/);
    expect(refused.stderr).toContain('--cascade=orphan');
    expect(refused.stderr).toContain('--allow-recreate');
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect((await git(clone, 'ls-remote', 'origin', 'refs/heads/main')).split('\t')[0]).toBe(
      published,
    );

    const diff = await runCli(['diff', '--repo', remote, '--env', 'prod'], grown, cache);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('refused: the API server does not update these fields');
    expect(diff.stdout).toMatch(
      /! prod: StatefulSet mlflow-prod\/prometheus spec\.volumeClaimTemplates/,
    );

    const allowed = await publish(grown, '--allow-recreate');
    expect(allowed.code, allowed.stderr).toBe(0);
    await git(clone, 'fetch', '--quiet', 'origin');
    await git(clone, 'checkout', '--quiet', '--detach', 'origin/main');
    expect(await git(clone, 'log', '-1', '--format=%B')).toContain('Recreates (--allow-recreate');
    const built = await kustomizeBuild(join(clone, 'overlays/prod'));
    const statefulSet = findObject(built, 'StatefulSet', 'prometheus');
    expect(statefulSet.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/sync-options': expect.stringContaining(
        'Force=true,Replace=true',
      ) as string,
      'kustomize.toolkit.fluxcd.io/force': 'enabled',
    });
    const marked = built.filter(
      (object) => object.metadata.annotations?.['kustomize.toolkit.fluxcd.io/force'] !== undefined,
    );
    expect(marked.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'StatefulSet/prometheus',
    ]);

    // For that one change: the next publish (no flag) takes the annotations away again.
    const after = await publish(grown);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/pushed/);
    await git(clone, 'fetch', '--quiet', 'origin');
    await git(clone, 'checkout', '--quiet', '--detach', 'origin/main');
    const again = await kustomizeBuild(join(clone, 'overlays/prod'));
    expect(
      findObject(again, 'StatefulSet', 'prometheus').metadata.annotations?.[
        'kustomize.toolkit.fluxcd.io/force'
      ],
    ).toBeUndefined();
  });

  it('mutable changes (retention, replicas) publish without a word about recreation', async () => {
    const { remote } = await remoteWith({});
    const cache = { env: { XDG_CACHE_HOME: await tempDir() } };
    const dir = await project('50Gi');
    const first = await runCli(
      ['publish', '--repo', remote, '--env', 'prod', ...author],
      dir,
      cache,
    );
    expect(first.code, first.stderr).toBe(0);
    await writeFiles(dir, {
      'environments/prod.yaml': `${prod('50Gi')}  retention: { time: 45d }\n  replicas: 3\n`,
    });
    const diff = await runCli(['diff', '--repo', remote, '--env', 'prod'], dir, cache);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('retention');
    expect(diff.stdout).not.toContain('refused:');
    const next = await runCli(
      ['publish', '--repo', remote, '--env', 'prod', ...author],
      dir,
      cache,
    );
    expect(next.code, next.stderr).toBe(0);
  });
});
