/** Renders environment files written for a test into a fresh temporary tree. */
import { join } from 'node:path';
import { render } from '../../src/index.js';
import { tempDir, writeFiles } from './temp.js';

/**
 * Writes `environments/<name>.yaml` for each entry (name -> file text) into a new temporary
 * folder, renders it there, and returns the folder.
 */
export async function renderEnvironments(
  environments: Record<string, string>,
  prefix?: string,
): Promise<string> {
  const root = await tempDir(prefix);
  await writeFiles(
    root,
    Object.fromEntries(
      Object.entries(environments).map(([name, text]) => [`environments/${name}.yaml`, text]),
    ),
  );
  await render({ configDir: join(root, 'environments'), outDir: root });
  return root;
}
