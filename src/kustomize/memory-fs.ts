/**
 * An in-memory side of the build's file port: a map of files (paths relative to a tree's root)
 * read as a folder rooted at `/`, so that a tree that was never written can be built, e.g.
 * `buildKustomization('/overlays/prod', memoryFileSystem(files))`. Read-only, no symlinks. Pure.
 */
import { posix } from 'node:path';
import type { KustomizeFileSystem } from './types.js';

export function memoryFileSystem(files: ReadonlyMap<string, string>): KustomizeFileSystem {
  const folders = new Set<string>(['/']);
  for (const path of files.keys()) {
    for (let folder = posix.dirname(`/${path}`); folder !== '/'; folder = posix.dirname(folder)) {
      folders.add(folder);
    }
  }
  const relative = (path: string): string => posix.normalize(path).replace(/^\/+/, '');
  return {
    readFile: (path) => Promise.resolve(files.get(relative(path))),
    isDirectory: (path) => Promise.resolve(folders.has(posix.normalize(`/${relative(path)}`))),
  };
}
