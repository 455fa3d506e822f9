/** The public shapes of the in-process Kustomize build: its input port and its results. */

/** How the build reads files: a tiny port so that tests can build from memory. */
export interface KustomizeFileSystem {
  /** The file's text, or undefined when it does not exist (or is a directory). */
  readFile(path: string): Promise<string | undefined>;
  isDirectory(path: string): Promise<boolean>;
  /**
   * Optional: the file's raw bytes, used by `configMapGenerator`/`secretGenerator` `files:` so
   * that a binary file lands in `binaryData` exactly as Kustomize does. Without it, files are
   * read as UTF-8 text.
   */
  readBinaryFile?(path: string): Promise<Uint8Array | undefined>;
  /**
   * Optional: the path with every symlink resolved (absolute), or undefined when it does not
   * exist or a link on the way dangles. Kustomize applies its load restrictor and its cycle
   * check to real paths; without this, paths are taken as they are (no symlinks).
   */
  realPath?(path: string): Promise<string | undefined>;
}

/** One object of the build output. */
export interface BuiltResource {
  object: Record<string, unknown>;
  /**
   * Where the object came from: the file and the 0-based YAML document index (a `List` item
   * keeps the index of its List); for a generated ConfigMap or Secret, the kustomization file
   * that generated it (document 0).
   */
  origin: { file: string; document: number };
}

export interface KustomizeFinding {
  /** Stable code such as `kustomize/file-not-found`. */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line?: number;
  column?: number;
  /** Path inside the file's document, e.g. `patches[2].target`. */
  path?: string;
  hint?: string;
}

export interface KustomizeBuildResult {
  resources: BuiltResource[];
  findings: KustomizeFinding[];
}
