/** Temporary folders that are removed after each test file. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((path) => rm(path, { recursive: true, force: true })));
});

export async function tempDir(prefix = 'gitops-gen-'): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  created.push(path);
  return path;
}

/** Writes `files` (relative path -> text) below `root`. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text, 'utf8');
  }
}

/** A new temporary folder of environment files: name -> text of `<name>.yaml`. */
export async function environmentsFolder(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  await writeFiles(
    dir,
    Object.fromEntries(Object.entries(files).map(([name, text]) => [`${name}.yaml`, text])),
  );
  return dir;
}
