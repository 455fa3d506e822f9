/** Runs the CLI in-process and captures what it prints. */
import { run } from '../../src/cli/index.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliTerminal {
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  env?: Record<string, string>;
}

export async function runCli(
  argv: string[],
  cwd: string,
  terminal: CliTerminal = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd,
    ...terminal,
  });
  return { code, stdout, stderr };
}
