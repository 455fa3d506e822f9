/**
 * The only file I/O of the config stage: finds and reads environment files in a folder.
 * Returns raw text; parsing and checking happen in the pure functions beside it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface EnvironmentSource {
  /** Path as given to the user in messages (config folder joined with the file name). */
  file: string;
  /** File name without the .yaml / .yml extension. */
  name: string;
  text: string;
}

/** Reads every `*.yaml` / `*.yml` file of `directory`, sorted by name; `undefined` if the folder is missing. */
export async function readEnvironmentSources(
  directory: string,
): Promise<EnvironmentSource[] | undefined> {
  const info = await stat(directory).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!info) return undefined;
  if (!info.isDirectory()) return undefined;
  const entries = await readdir(directory, { withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    files.map(async (fileName) => ({
      file: join(directory, fileName),
      name: fileName.replace(/\.ya?ml$/, ''),
      text: await readFile(join(directory, fileName), 'utf8'),
    })),
  );
}

export async function pathExists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof Error && 'code' in error && (error as NodeJS.ErrnoException).code === 'ENOENT'
  );
}
