#!/usr/bin/env node
// Launcher: hands argv, the process's streams and environment to the CLI and exits with its code.
import { run } from '../dist/cli/index.js';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  stdoutIsTTY: process.stdout.isTTY === true,
  env: process.env,
  readStdin,
});
process.exitCode = code;
