/**
 * How the CLI talks: the global output flags (--quiet, --verbose, --json, --no-color and
 * NO_COLOR), the task list of multi-step commands on a terminal, plain step lines elsewhere,
 * and errors as sentences or as JSON. Printing only; no command logic. Every error text that
 * reaches the terminal has its control characters escaped (text-safety.ts): messages quote values
 * from users' files, and a value may hold a terminal escape sequence.
 */
import { formatProblem, type GitopsGenError } from '../errors.js';
import {
  clip,
  escapeControls,
  jsonSafe,
  messageLimit,
  quoteLimit,
  terminalText,
} from '../text-safety.js';
import type { CliIo } from './io.js';

export interface GlobalFlags {
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
  color: boolean;
}

export interface Output {
  flags: GlobalFlags;
  /** Colour on stdout: a terminal, no --no-color, no NO_COLOR, no --json. */
  stdoutColor: boolean;
  /** A step of a multi-step command starts; the one before it is done. */
  step: (name: string) => void;
  /** The last step ends; `ok` false marks it failed. */
  end: (ok: boolean) => void;
}

const noColor = (io: CliIo): boolean => (io.env?.NO_COLOR ?? '') !== '';

const paint = (enabled: boolean, code: string, text: string): string =>
  enabled ? `\u001b[${code}m${text}\u001b[0m` : text;

/**
 * Progress goes to stderr, so that stdout stays the result. On a terminal it is a task list
 * (each step rewritten in place when it ends, with its time); elsewhere plain `… step` lines.
 * Multi-step commands show it by default, the others with --verbose; --quiet and --json never.
 */
export function createOutput(io: CliIo, flags: GlobalFlags, multiStep: boolean): Output {
  const colorAllowed = flags.color && !noColor(io) && flags.json !== true;
  const enabled =
    flags.quiet !== true && flags.json !== true && (multiStep || flags.verbose === true);
  const live = enabled && io.stderrIsTTY === true;
  const stderrColor = live && colorAllowed;
  let current: { name: string; started: number } | undefined;
  const finish = (ok: boolean): void => {
    if (!current) return;
    const elapsed = `${String(Date.now() - current.started)} ms`;
    const mark = ok ? paint(stderrColor, '32', '✔') : paint(stderrColor, '31', '✖');
    if (live) io.stderr(`\r\u001b[2K${mark} ${current.name} ${paint(stderrColor, '2', elapsed)}\n`);
    else if (flags.verbose === true)
      io.stderr(`${ok ? 'done' : 'failed'}: ${current.name} (${elapsed})\n`);
    current = undefined;
  };
  return {
    flags,
    stdoutColor: colorAllowed && io.stdoutIsTTY === true,
    step: (name) => {
      if (!enabled) return;
      finish(true);
      current = { name, started: Date.now() };
      io.stderr(live ? `${paint(stderrColor, '36', '…')} ${name}` : `… ${name}\n`);
    },
    end: (ok) => {
      if (enabled) finish(ok);
    },
  };
}

/**
 * An error for people, on stderr: its message, then each problem compiler-style with its hint.
 * Messages and hints are capped and their control characters escaped (text-safety.ts); line
 * breaks stay as they were.
 */
export function printError(
  io: CliIo,
  error: GitopsGenError,
  displayPath: (path: string) => string,
): void {
  io.stderr(`error: ${terminalText(error.message, '\n')}\n`);
  for (const problem of error.problems) {
    // A problem that only restates the error adds just its hint.
    if (problem.message === error.message && problem.file === undefined) {
      if (problem.hint) io.stderr(`  hint: ${terminalText(problem.hint, '\n')}\n`);
      continue;
    }
    const shown = formatProblem({
      ...problem,
      file: problem.file ? displayPath(problem.file) : undefined,
      message: clip(problem.message, messageLimit),
      ...(problem.keyPath === undefined ? {} : { keyPath: clip(problem.keyPath, 2 * quoteLimit) }),
      ...(problem.hint === undefined ? {} : { hint: clip(problem.hint, messageLimit) }),
    });
    io.stderr(`  ${escapeControls(shown, '\n  ')}\n`);
  }
}

/**
 * An error for machines: one JSON document on stdout, with the exit code it ends with. No raw
 * C1 or bidi character: JSON.stringify escapes only C0 (jsonSafe).
 */
export function errorJson(error: GitopsGenError): string {
  return jsonSafe(
    `${JSON.stringify(
      {
        error: {
          code: error.code,
          message: error.message,
          exitCode: error.exitCode,
          problems: error.problems,
        },
      },
      null,
      2,
    )}\n`,
  );
}
