/**
 * Write failures in words: why a file-system call failed while rendering (a folder where a file
 * belongs, permission, a full disk) and which path was in the way, as an input error that names
 * the file. Split from write-tree.ts, which does the writing.
 */
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { GitopsGenError, InputError } from '../errors.js';

/** Why a file-system call failed, in words; the path it failed on when that is another one. */
function reasonOf(error: NodeJS.ErrnoException, target: string): string {
  const reasons: Record<string, string> = {
    EISDIR: 'a folder is where this file belongs',
    ENOTDIR: 'a file is where a folder of this path belongs',
    EEXIST: 'a file is where a folder of this path belongs',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is used up',
  };
  const reason = reasons[error.code ?? ''] ?? error.message.replace(/^[A-Z]+: /, '');
  const where =
    error.code === 'ENOTDIR' || error.code === 'EEXIST'
      ? fileInTheWay(target)
      : (refusingFolder(error) ?? error.path);
  return where !== undefined && where !== target ? `${reason} (${where})` : reason;
}

const deniedCodes = new Set(['EACCES', 'EPERM', 'EROFS']);

/** For a permission error: the folder that refused to hold the file or folder being made. */
function refusingFolder(error: NodeJS.ErrnoException): string | undefined {
  return deniedCodes.has(error.code ?? '') && error.path !== undefined
    ? dirname(error.path)
    : undefined;
}

/** The nearest ancestor of `target` that exists and is not a folder. */
function fileInTheWay(target: string): string | undefined {
  for (let path = dirname(target); path !== dirname(path); path = dirname(path)) {
    try {
      const info = lstatSync(path, { throwIfNoEntry: false });
      if (info?.isDirectory()) return undefined;
      if (info) return path;
    } catch {
      // ENOTDIR: the file in the way is further up
    }
  }
  return undefined;
}

/** A file-system failure while writing, as an input error that names the path; else as is. */
export function writeFailure(error: unknown, target: string, what: string): unknown {
  if (!(error instanceof Error) || error instanceof GitopsGenError) return error;
  const failure: NodeJS.ErrnoException = error;
  if (typeof failure.code !== 'string') return error;
  const message = `could not write ${target}: ${reasonOf(failure, target)}; ${what}`;
  const folder = refusingFolder(failure);
  const hint =
    folder === undefined
      ? 'make the output folder writable, and move whatever is in the way of this path'
      : `${folder} is not writable for this user: change its owner or mode (or remount it read-write), or render elsewhere with --out`;
  return new InputError(
    message,
    [{ code: 'render/write-failed', message, hint }],
    'render/write-failed',
  );
}
