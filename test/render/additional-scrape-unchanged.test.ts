/**
 * Without `additionalScrapeConfigs`, `secretMounts` or the component switches, what those keys
 * touch renders exactly as the committed golden trees: every overlay's prometheus.yml, the
 * dashboards, the spec's alert group and its generated tests, and the base. (The golden test
 * itself compares whole trees; this one isolates the files these keys change, so it keeps
 * passing while other keys of issue 15 change other files.)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadEnvironments, renderTree } from '../../src/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const sets = ['appset-git', 'appset-list', 'custom', 'flux'];

const golden = (set: string, path: string): Promise<string> =>
  readFile(join(fixtures, 'golden', set, path), 'utf8');

describe.each(sets)('test/fixtures/environments-%s', async (set) => {
  const tree = renderTree(
    await loadEnvironments({
      configDir: join(fixtures, `environments-${set}`),
      configDirRequired: true,
    }),
  );
  const paths = [...tree.keys()];

  it.each(
    paths.filter(
      (path) =>
        path.startsWith('base/') ||
        path.endsWith('/prometheus.yml') ||
        path.endsWith('.json') ||
        path.endsWith('/datasources.yaml'),
    ),
  )('%s is unchanged', async (path) => {
    expect(tree.get(path)).toBe(await golden(set, path));
  });

  it.each(paths.filter((path) => path.endsWith('/alert-rules.yml')))(
    "%s keeps the spec's alert group unchanged",
    async (path) => {
      const ours = parse(tree.get(path) ?? '') as { groups: unknown[] };
      const theirs = parse(await golden(set, path)) as { groups: unknown[] };
      expect(ours.groups[0]).toEqual(theirs.groups[0]);
    },
  );

  it.each(paths.filter((path) => path.endsWith('/alert-rules.test.yml')))(
    '%s keeps the tests of the spec alerts unchanged',
    async (path) => {
      const ours = parse(tree.get(path) ?? '') as { tests: unknown[] };
      const theirs = parse(await golden(set, path)) as { tests: unknown[] };
      expect(ours.tests.slice(0, theirs.tests.length)).toEqual(theirs.tests);
    },
  );
});
