/**
 * Golden trees: the render of each test/fixtures/environments-<set> folder must equal, byte for
 * byte, the files under test/fixtures/golden/<set>, which a reviewer reads as plain manifests.
 * After an intended change, regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts`.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironments, renderTree } from '../../src/index.js';
import { kustomizeBuild } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

/** Fixture sets: custom stack settings, Flux delivery, both ApplicationSet generators, the team's own material, and operator mode. */
const sets = ['custom', 'flux', 'appset-list', 'appset-git', 'team', 'operator'];

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

describe.each(sets)('golden tree of test/fixtures/environments-%s', async (set) => {
  const configDir = join(fixtures, `environments-${set}`);
  const goldenDir = join(fixtures, 'golden', set);
  const tree = renderTree(await loadEnvironments({ configDir, configDirRequired: true }));

  if (process.env.UPDATE_GOLDEN === '1') {
    await rm(goldenDir, { recursive: true, force: true });
    for (const [path, text] of tree) {
      await mkdir(dirname(join(goldenDir, path)), { recursive: true });
      await writeFile(join(goldenDir, path), text);
    }
  }

  it('holds exactly the golden files', async () => {
    expect([...tree.keys()]).toEqual(await listFiles(goldenDir));
  });

  it.each([...tree.keys()])('%s matches its golden file', async (path) => {
    expect(tree.get(path)).toBe(await readFile(join(goldenDir, path), 'utf8'));
  });

  it('builds with kubectl kustomize: every overlay and every delivery folder', async () => {
    const root = await tempDir();
    for (const [path, text] of tree) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const folders = [
      ...new Set(
        [...tree.keys()].filter((path) => path.endsWith('kustomization.yaml')).map(dirname),
      ),
    ];
    for (const folder of folders.filter((path) => path !== 'base')) {
      const objects = await kustomizeBuild(join(root, folder));
      expect(objects.length, folder).toBeGreaterThan(0);
    }
  });
});
