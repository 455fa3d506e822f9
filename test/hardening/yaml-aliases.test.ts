/**
 * Regressions found by the property tests: YAML that the yaml package reads without errors but
 * throws on (or turns into a cyclic value) when converting: an alias to no anchor, a merge key
 * given a scalar, an alias inside its own anchor, aliases that expand too far; and a file with
 * several documents embedded in a ConfigMap. `validate` reports each as a finding (exit 1),
 * wherever the YAML is read: a manifest, a kustomization, a resource or patch of a build, or a
 * file a generator puts into a ConfigMap.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { hasCycle, toJsChecked } from '../../src/yaml-values.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const bomb = [
  'l1: &l1 [1, 1, 1, 1, 1, 1, 1, 1, 1]',
  'l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]',
  'l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]',
  'l4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]',
  'l5: [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]',
  '',
].join('\n');

/** YAML mapping entries (at the top level of a document) that once crashed a reader. */
const payloads: Record<string, string> = {
  'an alias to no anchor': 'x: *nowhere\n',
  'a merge key given a scalar': 'x:\n  <<: 5\n',
  'an alias inside its own sequence': 'x: &a [*a]\n',
  'an alias inside its own mapping': 'x: &a {k: *a}\n',
  'aliases that expand too far': bomb,
  'two documents': 'x: 1\n---\ny: 2\n',
};

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n';
const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ');

/** Where the payload goes: files (path -> text) and what to validate. */
const contexts: Record<string, (payload: string) => [Record<string, string>, string]> = {
  'a manifest': (payload) => [{ 'm.yaml': `${configMap}data:\n${indent(payload)}` }, 'm.yaml'],
  'a kustomization': (payload) => [
    { 'k/kustomization.yaml': `resources: [cm.yaml]\n${payload}`, 'k/cm.yaml': configMap },
    'k',
  ],
  'a resource of a build': (payload) => [
    { 'k/kustomization.yaml': 'resources: [cm.yaml]\n', 'k/cm.yaml': configMap + payload },
    'k',
  ],
  'a patch of a build': (payload) => [
    {
      'k/kustomization.yaml': 'resources: [cm.yaml]\npatches: [{path: patch.yaml}]\n',
      'k/cm.yaml': configMap,
      'k/patch.yaml': configMap + payload,
    },
    'k',
  ],
  'a file a generator embeds': (payload) => [
    {
      'k/kustomization.yaml':
        'configMapGenerator: [{name: prometheus-config, files: [prometheus.yml]}]\n',
      'k/prometheus.yml': `global: {}\n${payload}`,
    },
    'k',
  ],
};

describe('validate: YAML that converts badly is a finding, never an internal error', () => {
  for (const [what, payload] of Object.entries(payloads)) {
    for (const [where, place] of Object.entries(contexts)) {
      it(`${what} in ${where}`, async () => {
        const root = await tempDir();
        const [files, target] = place(payload);
        for (const [path, text] of Object.entries(files)) {
          await mkdir(dirname(join(root, path)), { recursive: true });
          await writeFile(join(root, path), text);
        }
        const result = await runCli(
          ['validate', '-o', 'json', '--promtool', 'never', target],
          root,
        );
        expect(result.stderr).toBe('');
        expect([0, 1]).toContain(result.code);
        expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
      });
    }
  }

  it('names the alias and where it is', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'k'));
    await writeFile(join(root, 'k/kustomization.yaml'), 'resources: [cm.yaml]\n');
    await writeFile(join(root, 'k/cm.yaml'), `${configMap}data: &d\n  x: *d\n`);
    const result = await runCli(['validate', '--promtool', 'never', 'k'], root);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /6:6 +error +not valid YAML: alias \*d refers to a node that contains it/,
    );
  });
});

describe('toJsChecked and hasCycle', () => {
  const convert = (text: string) =>
    toJsChecked(parseDocument(text, { merge: true }), text.includes('&'), { maxAliasCount: 1000 });

  it('converts what the yaml package converts, shared aliases included', () => {
    expect(convert('a: &a {x: 1}\nb: *a\n')).toEqual({
      ok: true,
      value: { a: { x: 1 }, b: { x: 1 } },
    });
  });

  it('refuses, with a position, what the yaml package throws on or makes cyclic', () => {
    expect(convert('a: 1\nb: *nope\n')).toEqual({
      ok: false,
      message: 'alias *nope has no anchor &nope before it',
      offset: 8,
    });
    expect(convert('a: &a [*a]\n')).toMatchObject({ ok: false, offset: 7 });
    expect(convert('a:\n  <<: 5\n')).toMatchObject({ ok: false, offset: 5 });
    expect(convert(bomb)).toMatchObject({ ok: false, message: /too many nodes/ });
  });

  it('hasCycle tells a cycle from a shared value', () => {
    const shared = { x: 1 };
    expect(hasCycle({ a: shared, b: [shared, shared] })).toBe(false);
    const cyclic: Record<string, unknown> = { a: [1] };
    (cyclic.a as unknown[]).push({ back: cyclic });
    expect(hasCycle(cyclic)).toBe(true);
    expect(hasCycle('text')).toBe(false);
    // Deep values do not overflow the stack.
    let deep: unknown = 0;
    for (let index = 0; index < 100_000; index++) deep = [deep];
    expect(hasCycle(deep)).toBe(false);
  });
});
