import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { planChangeSet, sha256Hex } from '../../src/publish/changeset.js';
import { branchName, fingerprint } from '../../src/publish/change-identity.js';
import { commitMessage, diffReport } from '../../src/publish/describe.js';
import {
  defaultBodyLimit,
  pullRequestBody,
  pullRequestTitle,
} from '../../src/publish/pull-request-body.js';
import { parseMarker, replaceManagedSection } from '../../src/publish/pull-request-marker.js';
import { ownershipManifestPath, type ChangeDescription } from '../../src/publish/types.js';
import {
  allScope,
  builtInTree,
  describeChange,
  published,
  treeWithProd,
} from './publish-fixtures.js';

/** prod with more replicas, retention and memory, and a hand edit in a staging file. */
function prodChange(): ChangeDescription {
  const current = new Map(published(builtInTree()));
  const drifted = 'overlays/staging/grafana/datasources.yaml';
  current.set(drifted, `${current.get(drifted) ?? ''}# edited by hand\n`);
  const rendered = treeWithProd(
    [
      'tier: prod',
      'prometheus:',
      '  replicas: 3',
      '  retention: { time: 45d }',
      '  resources:',
      '    limits: { cpu: 2000m, memory: 8Gi }',
      '',
    ].join('\n'),
  );
  return describeChange(planChangeSet({ current, rendered, scope: allScope }), rendered);
}

/** 200 ConfigMaps changed, each with a few lines of diff. */
function manyResources(count = 200): ChangeDescription {
  const configMap = (index: number, value: string): string =>
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      `  name: settings-${String(index).padStart(3, '0')}`,
      '  namespace: mlflow-prod',
      'data:',
      ...Array.from({ length: 12 }, (_, line) => `  key${line}: "${value}-${index}-${line}"`),
      '',
    ].join('\n');
  const before = new Map<string, string>();
  const after = new Map<string, string>();
  for (let index = 0; index < count; index++) {
    const path = `overlays/prod/config/settings-${String(index).padStart(3, '0')}.yaml`;
    before.set(path, configMap(index, 'old'));
    after.set(path, configMap(index, 'new'));
  }
  const current = published(before);
  return describeChange(planChangeSet({ current, rendered: after, scope: allScope }), after, [
    'prod',
  ]);
}

describe('fingerprint', () => {
  it('is deterministic and independent of map and environment order', () => {
    const tree = builtInTree();
    const value = fingerprint(tree, ['staging', 'prod'], 'main');
    expect(value).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fingerprint(new Map([...tree].reverse()), ['prod', 'staging'], 'main')).toBe(value);
    expect(fingerprint(tree, ['prod'], 'main')).not.toBe(value);
    expect(fingerprint(tree, ['staging', 'prod'], 'release')).not.toBe(value);
    const edited = new Map(tree);
    edited.set('base/namespace.yaml', `${tree.get('base/namespace.yaml') ?? ''}\n`);
    expect(fingerprint(edited, ['staging', 'prod'], 'main')).not.toBe(value);
  });
});

describe('branchName', () => {
  it('joins sorted environments', () => {
    expect(branchName('main', ['staging', 'prod'])).toBe('gitops-gen/main/prod+staging');
    expect(branchName('main', ['prod', 'prod'])).toBe('gitops-gen/main/prod');
    expect(branchName('release/2.0', ['dev'])).toBe('gitops-gen/release/2.0/dev');
  });

  it('sanitises odd characters into a valid ref', () => {
    const name = branchName('my base..branch.lock', ['prod eu', 'qa~1^2:x', '.hidden', 'a.lock']);
    expect(name).toBe('gitops-gen/my-base.branch/hidden+a.lock+prod-eu+qa-1-2-x');
    expect(name).toMatch(/^[A-Za-z0-9._/+-]+$/);
    expect(name).not.toContain('..');
    expect(branchName('main', ['x.lock'])).toBe('gitops-gen/main/x');
    expect(branchName('//main//', ['a/b.'])).toBe('gitops-gen/main/a/b');
    for (const candidate of [name, branchName('feature/ünïcödé', ['é'])]) {
      const check = spawnSync('git', ['check-ref-format', '--branch', candidate], {
        encoding: 'utf8',
      });
      expect(check.status, `${candidate}: ${check.stderr}`).toBe(0);
    }
  });

  it('shortens names over 200 characters with a sha1 suffix', () => {
    const environments = Array.from({ length: 30 }, (_, index) => `environment-${index}`);
    const name = branchName('main', environments);
    expect(name.length).toBeLessThanOrEqual(200);
    const match = /^gitops-gen\/main\/(.*)-([0-9a-f]{12})$/.exec(name);
    expect(match?.[1]).toHaveLength(150);
    expect(name).toBe(branchName('main', [...environments].reverse()));
    expect(branchName('main', [...environments, 'one-more'])).not.toBe(name);
    const check = spawnSync('git', ['check-ref-format', '--branch', name], { encoding: 'utf8' });
    expect(check.status).toBe(0);
  });
});

describe('commit message and title', () => {
  it('is conventional, summarises resources and ends with git trailers', () => {
    const d = prodChange();
    const message = commitMessage(d, 'a1b2c3d');
    const [subject, blank] = message.split('\n');
    expect(subject).toMatch(/^chore\(gitops\): render staging, prod \(\+0 ~\d+ -0 resources\)$/);
    expect(blank).toBe('');
    expect(message).toContain(
      '~ StatefulSet prometheus (patches/prometheus-statefulset.yaml): replicas 2 → 3; retention.time 30d → 45d',
    );
    expect(message).toContain(
      'Reverts hand edits in:\n  overlays/staging/grafana/datasources.yaml',
    );
    const trailers = spawnSync('git', ['interpret-trailers', '--parse'], {
      input: message,
      encoding: 'utf8',
    }).stdout;
    expect(trailers).toBe(
      `Gitops-Gen-Fingerprint: ${d.fingerprint}\nGitops-Gen-Envs: staging,prod\nGitops-Gen-Source: a1b2c3d\n`,
    );
    expect(commitMessage(d)).not.toContain('Gitops-Gen-Source');
    expect(commitMessage(d)).toBe(commitMessage(prodChange()));
  });

  it('titles the pull request with the counts', () => {
    const d = manyResources(5);
    expect(pullRequestTitle(d)).toBe('gitops-gen: update prod (+0 ~5 -0)');
    expect(commitMessage(d).split('\n')[0]).toBe('chore(gitops): render prod (+0 ~5 -0 resources)');
  });
});

describe('pullRequestBody', () => {
  it('follows the reference layout', () => {
    const d = prodChange();
    const body = pullRequestBody(d, { head: '0123abcd' });
    expect(body.startsWith('<!-- gitops-gen:meta {"v":1,"base":"main"')).toBe(true);
    const order = [
      '<!-- gitops-gen:begin -->',
      '## gitops-gen: staging, prod',
      '| env | path | added | changed | removed |',
      '| prod | `overlays/prod` | 0 |',
      '### Changes',
      '- ~ StatefulSet prometheus (`patches/prometheus-statefulset.yaml`): `replicas` `2` → `3`; `retention.time` `30d` → `45d`; `containers[prometheus].resources.limits.memory` `4Gi` → `8Gi`',
      '### Validation',
      '✔ 0 errors, 2 warnings',
      '### Drift (hand edits in owned files that this PR reverts)',
      '- `overlays/staging/grafana/datasources.yaml`',
      '### Rendered diff',
      '<details><summary>overlays/prod (prod):',
      '#### ~ StatefulSet prometheus (`patches/prometheus-statefulset.yaml`)',
      '```diff\n--- a/overlays/prod/patches/prometheus-statefulset.yaml',
      '-  replicas: 2\n+  replicas: 3',
      '</details>',
      '<!-- gitops-gen:end -->',
    ];
    let position = 0;
    for (const part of order) {
      const found = body.indexOf(part, position);
      expect(found, part).toBeGreaterThanOrEqual(position);
      position = found + part.length;
    }
    expect(body).not.toContain('Diff truncated');
    expect(body.endsWith('<!-- gitops-gen:end -->\n')).toBe(true);
    expect(body.length).toBeLessThanOrEqual(defaultBodyLimit);
  });

  it('is deterministic byte for byte', () => {
    expect(pullRequestBody(prodChange())).toBe(pullRequestBody(prodChange()));
    expect(pullRequestBody(manyResources(), { maxLength: 20_000 })).toBe(
      pullRequestBody(manyResources(), { maxLength: 20_000 }),
    );
    expect(diffReport(prodChange())).toBe(diffReport(prodChange()));
  });

  it('drops whole resources to fit the budget and says so', () => {
    const d = manyResources(200);
    const complete = pullRequestBody(d, { maxLength: 10_000_000 });
    expect(complete).not.toContain('Diff truncated');
    expect(complete.match(/^#### /gm)).toHaveLength(200);

    const maxLength = 30_000;
    const body = pullRequestBody(d, { maxLength });
    expect(body.length).toBeLessThanOrEqual(maxLength);
    const shown = body.match(/^#### /gm)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(200);
    expect(body).toContain(
      `> Diff truncated (showing ${shown}/200 changes). Full diff: \`gitops-gen diff --base main --env prod\``,
    );
    // Whole resources only: every shown block is exactly the complete body's block.
    const blocks = (text: string): string[] =>
      text
        .split(/(?=^#### )/m)
        .slice(1)
        .map((block) => block.split('\n```\n')[0] ?? '');
    const all = blocks(complete);
    for (const block of blocks(body)) expect(all).toContain(block);
    expect(body.match(/^```diff$/gm)).toHaveLength(shown);
    expect(body.match(/^```$/gm)).toHaveLength(shown);
    // The summary still lists all 200.
    expect(body.match(/^- ~ ConfigMap mlflow-prod\/settings-/gm)).toHaveLength(200);
    expect(body).toContain('<details><summary>overlays/prod (prod): ');
    expect(body.endsWith('<!-- gitops-gen:end -->\n')).toBe(true);
  });

  it('skips a diff too large to fit but keeps later ones', () => {
    const d = manyResources(3);
    const files = d.changeSet.files.filter((file) => file.path !== ownershipManifestPath);
    const [first] = files;
    if (!first) throw new Error('no files');
    const big = Array.from({ length: 2_000 }, (_, line) => `  big${line}: value\n`).join('');
    first.after = `${first.after ?? ''}${big}`;
    const changeSet = planChangeSet({
      current: published(new Map(files.map((file) => [file.path, file.before ?? '']))),
      rendered: new Map(files.map((file) => [file.path, file.after ?? ''])),
      scope: allScope,
    });
    const body = pullRequestBody({ ...d, changeSet }, { maxLength: 8_000 });
    expect(body.length).toBeLessThanOrEqual(8_000);
    expect(body).toContain('settings-001 (`config/settings-001.yaml`)\n```diff');
    expect(body).toContain('settings-002 (`config/settings-002.yaml`)\n```diff');
    expect(body).not.toContain('settings-000 (`config/settings-000.yaml`)\n```diff');
    expect(body).toContain('showing 2/3 changes');
  });

  it('falls back to a concise body when even the summary does not fit', () => {
    const d = manyResources(200);
    const body = pullRequestBody(d, { maxLength: 8_000 });
    expect(body.length).toBeLessThanOrEqual(8_000);
    expect(body).toContain('### Changes (concise: the full list does not fit)');
    expect(body).toContain('| prod | `overlays/prod` | 0 | 200 | 0 |');
    expect(body).not.toContain('```diff');
    expect(body).toContain('~ ConfigMap/mlflow-prod/settings-000');
    expect(body).toMatch(/- … and \d+ more/);
    expect(body).toContain('Diff truncated (showing 0/200 changes)');
    expect(parseMarker(body)?.fingerprint).toBe(d.fingerprint);
    expect(body.endsWith('<!-- gitops-gen:end -->\n')).toBe(true);
  });

  it('round-trips its marker', () => {
    const d = prodChange();
    expect(parseMarker(pullRequestBody(d, { head: 'f00dcafe' }))).toEqual({
      v: 1,
      base: 'main',
      branch: 'gitops-gen/main/prod+staging',
      envs: ['staging', 'prod'],
      fingerprint: d.fingerprint,
      head: 'f00dcafe',
    });
    expect(parseMarker(pullRequestBody(d))).not.toHaveProperty('head');
    const odd = { ...d, base: 'weird --> <base> & "quotes"' };
    const body = pullRequestBody(odd);
    expect(body.split('\n')[0]).not.toMatch(/-->.*-->/);
    expect(parseMarker(body)?.base).toBe(odd.base);
    expect(parseMarker('no marker here')).toBeUndefined();
    expect(parseMarker('<!-- gitops-gen:meta {broken -->')).toBeUndefined();
    expect(parseMarker('<!-- gitops-gen:meta {"v":2} -->')).toBeUndefined();
  });

  it('replaces only the managed section, keeping what humans wrote', () => {
    const old = pullRequestBody(manyResources(2));
    const existing = `Reviewer note: please check prod first.\r\n\r\n${old.replace(/\n/g, '\r\n')}\r\nThanks!\r\n`;
    const fresh = pullRequestBody(prodChange(), { head: 'abc' });
    const merged = replaceManagedSection(existing, fresh);
    expect(
      merged.startsWith('Reviewer note: please check prod first.\n\n<!-- gitops-gen:meta '),
    ).toBe(true);
    expect(merged.endsWith('<!-- gitops-gen:end -->\n\nThanks!\n')).toBe(true);
    expect(merged).toContain(fresh.trimEnd());
    expect(merged).not.toContain('settings-000');
    expect(merged).not.toContain('\r');
    expect(merged.match(/gitops-gen:meta/g)).toHaveLength(1);
    expect(parseMarker(merged)?.head).toBe('abc');
    // Idempotent, and a body without our section gets it on top.
    expect(replaceManagedSection(merged, fresh)).toBe(merged);
    expect(replaceManagedSection('', fresh)).toBe(fresh);
    expect(replaceManagedSection('Opened by hand.\n', fresh)).toBe(`${fresh}\nOpened by hand.\n`);
    expect(() => replaceManagedSection('x', 'no markers')).toThrow();
  });
});

describe('diffReport', () => {
  it('prints the summary then unified diffs, without PR decorations', () => {
    const d = prodChange();
    const report = diffReport(d);
    expect(report.startsWith('staging, prod onto main: +0 ~')).toBe(true);
    expect(report).toContain(
      '  ~ StatefulSet prometheus (patches/prometheus-statefulset.yaml): replicas 2 → 3',
    );
    expect(report).toContain('drift (hand edits in owned files that publishing reverts):\n');
    expect(report).toContain(
      '--- a/overlays/prod/patches/prometheus-statefulset.yaml\n+++ b/overlays/prod/patches/prometheus-statefulset.yaml\n@@',
    );
    expect(report).not.toContain('<!--');
    expect(report).not.toContain('```');
    expect(report).not.toContain(`+++ b/${ownershipManifestPath}`);
  });

  it('says up to date when nothing changes', () => {
    const tree = builtInTree();
    const current = published(tree);
    const d = describeChange(planChangeSet({ current, rendered: tree, scope: allScope }), tree);
    expect(diffReport(d)).toMatch(
      /^staging, prod: up to date with main \(fingerprint sha256:[0-9a-f]{12}\)\n/,
    );
    expect(pullRequestBody(d)).toContain('No changes.');
  });

  it('reports a manifest-only change (first publish of a tree committed by hand)', () => {
    const tree = builtInTree();
    const d = describeChange(
      planChangeSet({ current: new Map(tree), rendered: tree, scope: allScope }),
      tree,
    );
    expect(d.changeSet.files.map((file) => file.path)).toEqual([ownershipManifestPath]);
    expect(diffReport(d)).toContain(`ownership manifest ${ownershipManifestPath}:`);
    expect(pullRequestTitle(d)).toBe('gitops-gen: update staging, prod (+0 ~0 -0)');
    expect(pullRequestBody(d)).toContain('only the ownership manifest');
    expect(sha256Hex('')).toHaveLength(64);
  });
});
