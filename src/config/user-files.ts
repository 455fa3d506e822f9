/**
 * The team's own files that environment keys name (rule files, dashboards, Alertmanager
 * templates, kustomize resources and patches): paths or globs relative to the environments
 * folder, read through a small port so that resolving stays pure and tests need no disk.
 *
 * The folder reader is the only file I/O: it expands globs with tinyglobby (picomatch syntax),
 * sorts matches by path (output is deterministic), and refuses what would read outside the
 * folder: an absolute pattern, a `..` segment, a symbolic link, a file whose real path leaves
 * the folder, and a file over maxUserFileBytes. A pattern that matches nothing is an error, as
 * a typo would otherwise silently ship nothing. Problems are reported at the environment key
 * that named the pattern.
 */
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { globSync, isDynamicPattern } from 'tinyglobby';

/** One file of the team's, as read for an environment key. */
export interface UserFile {
  /** Path relative to the environments folder, with `/` separators, e.g. `rules/team.yaml`. */
  path: string;
  /** Path as messages show it: the environments folder joined with `path`. */
  file: string;
  text: string;
}

/** Why a pattern gave no files: a code, a sentence and what to do. */
export class UserFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** Reads the files a pattern names; throws UserFileError. */
export interface UserFileReader {
  read(pattern: string): UserFile[];
}

/** A single user file may be as large as a big dashboard; anything larger is a mistake. */
export const maxUserFileBytes = 8 * 1024 * 1024;

/** Files a glob never matches: the environment files' own schema. */
const neverMatched = new Set(['environment.schema.json']);

function checkPattern(pattern: string): void {
  const segments = pattern.split(/[\\/]/);
  if (pattern === '' || isAbsolute(pattern) || /^[A-Za-z]:/.test(pattern)) {
    throw new UserFileError(
      'config/file-outside-folder',
      `"${pattern}" is not a path relative to the environments folder`,
      'give a path such as rules/team-alerts.yaml, relative to the folder of the environment files',
    );
  }
  if (segments.includes('..')) {
    throw new UserFileError(
      'config/file-outside-folder',
      `"${pattern}" leaves the environments folder ("..")`,
      'keep the team files inside the environments folder (or a folder below it)',
    );
  }
}

/** The reader of a real environments folder. */
export function folderFileReader(folder: string): UserFileReader {
  return {
    read(pattern) {
      checkPattern(pattern);
      const root = realpathSync(folder);
      const dynamic = isDynamicPattern(pattern);
      const matches = dynamic
        ? globSync(pattern, {
            cwd: folder,
            onlyFiles: true,
            followSymbolicLinks: false,
            dot: false,
            expandDirectories: false,
          })
            .map((path) => path.split(sep).join('/'))
            .filter((path) => !neverMatched.has(path))
        : [pattern.split('\\').join('/')];
      const files: UserFile[] = [];
      for (const path of [...new Set(matches)].sort()) {
        const file = join(folder, path);
        let info;
        try {
          info = lstatSync(file);
        } catch {
          throw new UserFileError(
            'config/file-not-found',
            `${file} does not exist`,
            'give the path relative to the environments folder',
          );
        }
        if (info.isSymbolicLink()) {
          throw new UserFileError(
            'config/file-symlink',
            `${file} is a symbolic link; team files must be regular files in the environments folder`,
            'copy the file into the folder instead of linking it',
          );
        }
        if (!info.isFile()) {
          throw new UserFileError(
            'config/file-not-regular',
            `${file} is not a regular file`,
            dynamic ? 'narrow the glob to files' : 'name a file, or a glob such as rules/*.yaml',
          );
        }
        const real = realpathSync(file);
        const inside = relative(root, real);
        if (inside.startsWith('..') || isAbsolute(inside)) {
          throw new UserFileError(
            'config/file-outside-folder',
            `${file} resolves outside the environments folder`,
            'keep the team files inside the environments folder',
          );
        }
        if (statSync(real).size > maxUserFileBytes) {
          throw new UserFileError(
            'config/file-too-large',
            `${file} is larger than ${maxUserFileBytes} bytes (8 MiB)`,
            'split the file',
          );
        }
        files.push({ path, file, text: readFileSync(real, 'utf8') });
      }
      if (files.length === 0) {
        throw new UserFileError(
          'config/file-not-found',
          `"${pattern}" matches no file in ${folder}`,
          'check the pattern: it is relative to the environments folder, and globs follow picomatch (rules/*.yaml, dashboards/**/*.json)',
        );
      }
      return files;
    },
  };
}

/** A reader of files held in memory (tests, and callers that render from memory). */
export function memoryFileReader(
  files: Readonly<Record<string, string>>,
  folder = 'environments',
): UserFileReader {
  return {
    read(pattern) {
      checkPattern(pattern);
      const names = Object.keys(files).sort();
      const matches = isDynamicPattern(pattern)
        ? names.filter((name) => !neverMatched.has(name) && globMatch(pattern, name))
        : names.filter((name) => name === pattern);
      if (matches.length === 0) {
        throw new UserFileError(
          'config/file-not-found',
          `"${pattern}" matches no file in ${folder}`,
          'check the pattern: it is relative to the environments folder',
        );
      }
      return matches.map((path) => ({ path, file: `${folder}/${path}`, text: files[path] ?? '' }));
    },
  };
}

/** tinyglobby matches with picomatch; the memory reader uses the same matcher. */
function globMatch(pattern: string, name: string): boolean {
  return picomatch(pattern, { dot: false })(name);
}
