/**
 * The node:fs side of the build's file port: the only module here that touches the disk.
 * Synchronous underneath: a build reads a few dozen small files one after another, and a trip
 * through libuv's thread pool for each costs more than the read (about 40 % of a cold validate).
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import type { KustomizeFileSystem } from './types.js';

function readOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

export function nodeFileSystem(): KustomizeFileSystem {
  return {
    readFile: (path) => Promise.resolve(readOrUndefined(() => readFileSync(path, 'utf8'))),
    readBinaryFile: (path) => {
      const buffer = readOrUndefined(() => readFileSync(path));
      return Promise.resolve(buffer ? new Uint8Array(buffer) : undefined);
    },
    realPath: (path) => Promise.resolve(readOrUndefined(() => realpathSync.native(path))),
    isDirectory: (path) =>
      Promise.resolve(
        readOrUndefined(() => statSync(path, { throwIfNoEntry: false }))?.isDirectory() ?? false,
      ),
  };
}
