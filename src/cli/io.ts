/**
 * What the CLI is given to talk to the world: output streams, the working folder, terminal
 * facts and the environment. Tests pass their own; bin/ passes the process's.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Folder that relative paths are taken from. */
  cwd: string;
  /** Whether stdout is a terminal (colour only then). */
  stdoutIsTTY?: boolean;
  /** Whether stderr is a terminal (a live task list only then). */
  stderrIsTTY?: boolean;
  /** Environment variables the CLI honours (NO_COLOR). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads all of standard input (for `validate -`). */
  readStdin?: () => Promise<string>;
}
