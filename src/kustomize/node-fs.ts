/**
 * The node:fs side of the build's file port: the only module here that touches the disk.
 * Synchronous underneath: a build reads a few dozen small files one after another, and a trip
 * through libuv's thread pool for each costs more than the read (about 40 % of a cold validate).
 *
 * Sizes are checked before anything is parsed: a file over maxManifestFileBytes (256 MiB) is
 * refused from its size, unread, and a text file holding a YAML document over maxObjectBytes
 * (1.5 MiB, the most Kubernetes stores) is refused before the build parses it. Both are
 * `KustomizeError`s, which the build reports as findings at the entry that names the file.
 */
import { closeSync, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { bytesOver, maxManifestFileBytes, maxObjectBytes, splitDocuments } from '../kube-yaml.js';
import type { KustomizeFileSystem } from './types.js';
import { KustomizeError } from './values.js';

function readOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

const mebibytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** The file's bytes, or undefined when it cannot be read; throws for a file over the cap. */
function readCapped(path: string): Buffer | undefined {
  const descriptor = readOrUndefined(() => openSync(path, 'r'));
  if (descriptor === undefined) return undefined;
  try {
    const { size } = fstatSync(descriptor);
    if (size > maxManifestFileBytes) {
      throw new KustomizeError(
        `${basename(path)} is ${size} bytes (${mebibytes(size)}); validate reads files of at most ${maxManifestFileBytes} bytes (${mebibytes(maxManifestFileBytes)}), so it was not read`,
        'input/file-too-large',
        'split it into several files; no single Kubernetes object can be over 1.5 MiB anyway',
      );
    }
    return readOrUndefined(() => readFileSync(descriptor));
  } finally {
    closeSync(descriptor);
  }
}

function readText(path: string): string | undefined {
  const buffer = readCapped(path);
  if (buffer === undefined) return undefined;
  const text = buffer.toString('utf8');
  if (buffer.length <= maxObjectBytes) return text;
  for (const chunk of splitDocuments(text)) {
    const bytes = bytesOver(chunk.text, maxObjectBytes);
    if (bytes === undefined) continue;
    throw new KustomizeError(
      `${basename(path)}: the document at line ${chunk.lineOffset + 1} is ${bytes} bytes (${mebibytes(bytes)}); Kubernetes stores objects of at most ${maxObjectBytes} bytes (1.5 MiB, etcd's default request limit), so the API server would refuse it; it was not parsed`,
      'input/object-too-large',
      'split it into smaller objects; a ConfigMap or Secret holds at most 1 MiB, so large files belong in an image or a volume',
    );
  }
  return text;
}

export function nodeFileSystem(): KustomizeFileSystem {
  return {
    readFile: (path) => Promise.resolve(readText(path)),
    readBinaryFile: (path) => {
      const buffer = readCapped(path);
      return Promise.resolve(buffer ? new Uint8Array(buffer) : undefined);
    },
    realPath: (path) => Promise.resolve(readOrUndefined(() => realpathSync.native(path))),
    isDirectory: (path) =>
      Promise.resolve(
        readOrUndefined(() => statSync(path, { throwIfNoEntry: false }))?.isDirectory() ?? false,
      ),
  };
}
