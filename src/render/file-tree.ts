/**
 * FileTree: the output of rendering, a map from a relative POSIX path to the file's text.
 * Paths are checked when added, so nothing rendered can escape the output folder. Pure.
 */

export type FileTree = ReadonlyMap<string, string>;

const safeSegment = /^[A-Za-z0-9._-]+$/;

/** A relative POSIX path of safe segments, with no `.` or `..` segment. */
export function isSafeRelativePath(path: string): boolean {
  const segments = path.split('/');
  return segments.every(
    (segment) => safeSegment.test(segment) && segment !== '.' && segment !== '..',
  );
}

export class FileTreeBuilder {
  readonly #files = new Map<string, string>();

  add(path: string, content: string): this {
    if (!isSafeRelativePath(path)) throw new Error(`unsafe path in rendered tree: ${path}`);
    if (this.#files.has(path)) throw new Error(`path rendered twice: ${path}`);
    this.#files.set(path, content);
    return this;
  }

  /** Adds every file of `tree` below `prefix` (`.` for the root). */
  addAll(prefix: string, tree: FileTree): this {
    for (const [path, content] of tree)
      this.add(prefix === '.' ? path : `${prefix}/${path}`, content);
    return this;
  }

  /** The files in path order, so that iteration (and therefore output) is deterministic. */
  build(): FileTree {
    return new Map([...this.#files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
