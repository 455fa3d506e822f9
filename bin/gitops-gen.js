#!/usr/bin/env node
// Launcher: loads the CLI (through the code cache, see cli-loader.js), hands it argv, the
// process's streams and environment, and exits with its code.
import { loadCli } from './cli-loader.js';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const cli = loadCli();
const code = await cli.run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
  readStdin,
});
if (cli.cacheStale) cli.saveCache();
process.exitCode = code;
