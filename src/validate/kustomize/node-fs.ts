/** The node:fs side of the build's file port: the only module here that touches the disk. */
import { readFile, stat } from 'node:fs/promises';
import type { KustomizeFileSystem } from './types.js';

async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

export function nodeFileSystem(): KustomizeFileSystem {
  return {
    readFile: (path) => readOrUndefined(() => readFile(path, 'utf8')),
    readBinaryFile: async (path) => {
      const buffer = await readOrUndefined(() => readFile(path));
      return buffer ? new Uint8Array(buffer) : undefined;
    },
    isDirectory: async (path) => (await readOrUndefined(() => stat(path)))?.isDirectory() ?? false,
  };
}
