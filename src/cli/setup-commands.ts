/**
 * The getting-started commands: `init` (a commented environments folder), `schema` (the
 * environment file's JSON Schema, or its reference table) and `explain` (one key). Parsing and
 * printing only; src/config builds the texts.
 */
import { Option, type Command } from 'commander';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';

interface InitFlags {
  env: string[];
  force?: boolean;
}

const environmentName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function addSetupCommands(
  program: Command,
  io: CliIo,
  exitCodeHelp: string,
  outputOf: (command: Command, multiStep: boolean) => Output,
): void {
  program
    .command('init')
    .description(
      'Create an environments/ folder: one commented file per environment and the JSON Schema editors check them with.',
    )
    .argument('[dir]', 'folder to create environments/ in', '.')
    .option(
      '-e, --env <names...>',
      'environments to create (default: dev staging prod)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--force', 'overwrite files that exist')
    .addHelpText('after', exitCodeHelp)
    .action(async (dir: string, flags: Partial<InitFlags>, command: Command) => {
      const output = outputOf(command, false);
      const names = flags.env ?? ['dev', 'staging', 'prod'];
      for (const name of names) {
        if (!environmentName.test(name)) {
          throw new UsageError(
            `"${name}" is not a valid environment name`,
            'use lowercase letters, digits and "-", such as prod-eu',
          );
        }
      }
      const { scaffoldEnvironments } = await import('../config/scaffold.js');
      const folder = join(resolve(io.cwd, dir), 'environments');
      const files = scaffoldEnvironments(names);
      const existing = [...files.keys()].filter((file) => existsSync(join(folder, file)));
      if (existing.length > 0 && flags.force !== true) {
        throw new UsageError(
          `${folder} already has ${existing.join(', ')}: nothing was written`,
          'pass --force to overwrite them, or choose another folder',
        );
      }
      output.step(`write ${folder}`);
      mkdirSync(folder, { recursive: true });
      for (const [file, text] of files) {
        // Temp file then rename: an interrupted init never leaves half a file.
        const temporary = join(folder, `.${file}.tmp-${String(process.pid)}`);
        writeFileSync(temporary, text, 'utf8');
        renameSync(temporary, join(folder, file));
      }
      output.end(true);
      const written = [...files.keys()].map((file) => join(folder, file));
      if (output.flags.json) {
        io.stdout(`${JSON.stringify({ folder, files: written }, null, 2)}\n`);
      } else if (!output.flags.quiet) {
        io.stdout(written.map((file) => `  created  ${file}\n`).join(''));
        io.stdout(`next: edit the files, then run \`gitops-gen render --config ${folder}\`\n`);
      }
    });

  program
    .command('schema')
    .description(
      "Print the environment file's JSON Schema (or, with --format markdown, the reference table of every key).",
    )
    .addOption(
      new Option('--format <format>', 'json or markdown')
        .choices(['json', 'markdown'])
        .default('json'),
    )
    .addHelpText('after', exitCodeHelp)
    .action(async (flags: { format: 'json' | 'markdown' }) => {
      if (flags.format === 'markdown') {
        const { environmentReference } = await import('../config/explain.js');
        io.stdout(environmentReference());
        return;
      }
      const { environmentSchema } = await import('../config/schema.js');
      io.stdout(`${JSON.stringify(environmentSchema, null, 2)}\n`);
    });

  program
    .command('explain')
    .description(
      'Explain a key of the environment file: meaning, type, allowed values and the default of each tier.',
    )
    .argument('[key]', 'a dotted key such as prometheus.retention.time (none: the top level)', '')
    .addHelpText('after', exitCodeHelp)
    .action(async (key: string, _flags: unknown, command: Command) => {
      const output = outputOf(command, false);
      const { explainKey, formatExplanation } = await import('../config/explain.js');
      const explanation = explainKey(key);
      io.stdout(
        output.flags.json
          ? `${JSON.stringify(explanation, null, 2)}\n`
          : formatExplanation(explanation),
      );
    });
}
