/**
 * Runs the real Prometheus tools the tests check rendered files with (promtool, amtool). A
 * non-zero exit is a result to assert on; a missing binary is an error naming the Debian
 * package, because these tests never skip.
 */
import { execFile, execFileSync, type ExecFileException } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ToolResult {
  code: number;
  /** stdout, then stderr. */
  output: string;
}

const debianPackage: Record<string, string> = {
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
};

export function missingToolMessage(tool: string): string {
  return `${tool} is not installed: install it with \`apt-get install ${debianPackage[tool] ?? tool}\` (CI does); this test does not skip`;
}

export async function runTool(tool: string, args: string[], cwd: string): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await execFileAsync(tool, args, {
      cwd,
      timeout: 30_000,
      maxBuffer: 8 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error: unknown) {
    const failure = error as ExecFileException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(missingToolMessage(tool), { cause: error });
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

/**
 * promtool's `--version` text, or undefined when it is missing: then a test file that compares
 * with it warns and skips that comparison, except in CI, where a missing promtool is an error.
 */
export function promtoolVersionFor(testName: string): string | undefined {
  let version: string | undefined;
  try {
    version = execFileSync('promtool', ['--version'], { encoding: 'utf8', stdio: 'pipe' });
  } catch {
    version = undefined;
  }
  if (version === undefined && process.env.CI) throw new Error(missingToolMessage('promtool'));
  if (version === undefined)
    console.warn(
      `${testName}: the real-promtool comparison is skipped: ${missingToolMessage('promtool')}`,
    );
  return version;
}
