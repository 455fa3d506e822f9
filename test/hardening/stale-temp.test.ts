/**
 * Temporary trees of a killed publish (issue 13, point 11 b): the next publish removes ours
 * that are old, and leaves fresh ones (a publish still running) and other folders alone.
 */
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStalePublishTemps } from '../../src/publish/stale-temp.js';
import { tempDir } from '../helpers/temp.js';

describe('removeStalePublishTemps', () => {
  it('removes old publish and commit folders, keeps fresh ones and other names', async () => {
    const dir = await tempDir();
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const folders = {
      stalePublish: join(dir, 'gitops-gen-publish-abc123'),
      staleCommit: join(dir, 'gitops-gen-commit-def456'),
      fresh: join(dir, 'gitops-gen-publish-fresh1'),
      other: join(dir, 'someone-else-xyz'),
    };
    for (const path of Object.values(folders)) {
      await mkdir(join(path, 'overlays'), { recursive: true });
      await writeFile(join(path, 'overlays', 'file.yaml'), 'a: 1\n');
    }
    for (const path of [folders.stalePublish, folders.staleCommit, folders.other])
      await utimes(path, old, old);

    const removed = await removeStalePublishTemps({ dir });

    expect(removed.sort()).toEqual([folders.staleCommit, folders.stalePublish]);
    expect(existsSync(folders.stalePublish)).toBe(false);
    expect(existsSync(folders.staleCommit)).toBe(false);
    expect(existsSync(folders.fresh)).toBe(true);
    expect(existsSync(folders.other)).toBe(true);
  });

  it('finds nothing in a folder that does not exist', async () => {
    expect(await removeStalePublishTemps({ dir: join(await tempDir(), 'missing') })).toEqual([]);
  });
});
