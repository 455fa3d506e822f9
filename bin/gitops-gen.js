#!/usr/bin/env node
// Launcher: hands argv and the process's streams to the CLI and exits with its code.
import { run } from '../dist/cli/index.js';

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
process.exitCode = code;
