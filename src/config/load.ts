/**
 * The only file I/O of the config stage: finds and reads environment files in a folder.
 * Returns raw text; parsing and checking happen in the pure functions beside it. A file over
 * maxEnvironmentFileBytes is refused from its size, before it is read.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, type Problem } from '../errors.js';
import { environmentFileTooLarge, maxEnvironmentFileBytes } from './parse.js';

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
  const sizes = await Promise.all(
    files.map(async (fileName) => (await stat(join(directory, fileName))).size),
  );
  const tooLarge: Problem[] = files.flatMap((fileName, index) => {
    const size = sizes[index] ?? 0;
    return size > maxEnvironmentFileBytes
      ? [environmentFileTooLarge(join(directory, fileName), size)]
      : [];
  });
  if (tooLarge.length > 0) {
    const count = tooLarge.length === 1 ? 'an environment file is' : 'environment files are';
    throw new InputError(
      `${count} larger than ${maxEnvironmentFileBytes} bytes (1 MiB)`,
      tooLarge,
      'config/file-too-large',
    );
  }
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
