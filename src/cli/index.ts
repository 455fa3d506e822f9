/**
 * The command line: parses arguments with commander, calls the library, prints, and returns
 * the exit code. It is a function (`run(argv, io)`), so tests drive it in-process; nothing here
 * calls process.exit. The only place that knows argv, stdout/stderr and exit codes.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { ExitCode, GitopsGenError } from '../errors.js';
import { escapeControls, terminalText } from '../text-safety.js';
import type { Drift } from '../render/write-tree.js';
import { formatReport, outputFormats, type OutputFormat } from '../validate/formats/index.js';
import { createOutput, errorJson, printError, type GlobalFlags, type Output } from './output.js';
import { addPublishCommands } from './publish-commands.js';
import { addSetupCommands } from './setup-commands.js';
import { addBuildCommand } from './build-command.js';
import { packageVersion } from './version.js';
import type { CliIo } from './io.js';

export type { CliIo };

const exitCodeHelp = `
Exit codes:
  0  ok
  1  findings (validation errors, --check drift, a non-empty diff)
  2  usage or input error (bad flag, bad environment file)
  3  remote failure (git or GitHub)
  4  internal error (a bug; please report it)`;

function displayPath(io: CliIo, path: string): string {
  const fromCwd = relative(io.cwd, path);
  return fromCwd !== '' && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : path;
}

function describeDrift(drift: readonly Drift[], verbs: Record<Drift['kind'], string>): string {
  return drift.map(({ path, kind }) => `  ${verbs[kind].padEnd(8)} ${path}\n`).join('');
}

interface ValidateFlags {
  output: OutputFormat;
  promtool: 'auto' | 'always' | 'never';
  schemaLocation?: string[];
  crdDir: string[];
  strict: boolean;
  kubernetesVersion?: string;
  ignoreMissingSchemas?: boolean;
  skip: string[];
  reject: string[];
  disableCheck: string[];
  ruleTests?: boolean;
  exclude: string[];
  enableHelm?: boolean;
}

/** `a,b` and repeated flags both add to the list. */
const commaList = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
];

function parseBoolean(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new InvalidArgumentError('use true or false');
}

interface RenderFlags {
  config: string;
  out: string;
  env?: string[];
  check?: boolean;
  layout: 'kustomize' | 'flat';
}

function buildProgram(
  io: CliIo,
  setExitCode: (code: number) => void,
  started: (output: Output) => void,
): Command {
  const program = new Command('gitops-gen')
    .description(
      'Render, validate and publish a GitOps repository for a Prometheus + Grafana monitoring stack of MLflow on Kubernetes.',
    )
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => {
        write(escapeControls(text, '\n'));
      },
    })
    .option('-q, --quiet', 'print only the result and errors: no progress, no summaries')
    .option('-v, --verbose', 'print every step with its time, also when not on a terminal')
    .option('--json', 'print the result (or the error) as one JSON document on stdout')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)')
    .addHelpText('after', exitCodeHelp)
    .showSuggestionAfterError(true);

  program
    .command('render')
    .description(
      'Write the Kustomize base/ and overlays/<env>/ of every environment (or check them with --check).',
    )
    .option('-c, --config <dir>', 'folder of environment files (<env>.yaml)', 'environments')
    .option('-o, --out <dir>', 'root of the GitOps tree: base/ and overlays/ go here', '.')
    .addOption(
      new Option('-e, --env <name...>', 'only these environments (repeatable)').argParser(
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      ),
    )
    .option(
      '--check',
      'write nothing; exit 1 and list the files that differ when the tree is stale',
    )
    .addOption(
      new Option(
        '--layout <layout>',
        "kustomize: base/ and overlays/; flat: the spec's k8s/monitoring/ files of one --env",
      )
        .choices(['kustomize', 'flat'])
        .default('kustomize'),
    )
    .addHelpText('after', exitCodeHelp)
    .action(async (flags: RenderFlags, command: Command) => {
      const configGiven = command.getOptionValueSource('config') === 'cli';
      const output = outputOf(command, false);
      // Each command loads its stage when it runs: a cold `validate` never loads the renderer.
      const { render, WriteInterrupted } = await import('../render/render-files.js');
      // Ctrl-C or SIGTERM while writing: stop between two files, remove the temporaries, say
      // how far it got, and exit as a signalled process would (128 + signal number).
      const interrupt = new AbortController();
      const onSignal = (signal: NodeJS.Signals): void => {
        interrupt.abort(signal);
      };
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
      let result;
      try {
        result = await render({
          configDir: resolve(io.cwd, flags.config),
          outDir: resolve(io.cwd, flags.out),
          environments: flags.env ?? [],
          check: flags.check === true,
          configDirRequired: configGiven,
          progress: output.step,
          layout: flags.layout,
          signal: interrupt.signal,
        });
      } catch (error) {
        if (!(error instanceof WriteInterrupted)) throw error;
        output.end(false);
        const signal = interrupt.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
        io.stderr(`${signal}: ${escapeControls(error.message)} (${resolve(io.cwd, flags.out)})\n`);
        setExitCode(signal === 'SIGTERM' ? 143 : 130);
        return;
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      }
      output.end(true);
      const names = result.environments.map((environment) => environment.name).join(', ');
      // Warnings never change the exit code; --quiet keeps them, --json carries them instead.
      if (!output.flags.json) {
        for (const { environment, message } of result.warnings) {
          io.stderr(`warning: ${environment}: ${terminalText(message)}\n`);
        }
        // The team's own files in overlays/<env>/custom/: kept; a notice, never drift.
        for (const path of result.notGenerated) {
          io.stderr(
            `notice: ${terminalText(path)} is not generated by gitops-gen: kept, but no kustomization references it (to deploy it, keep it in the environments folder and list it under kustomize.resources or kustomize.patches)\n`,
          );
        }
      }
      if (output.flags.json) {
        io.stdout(
          `${JSON.stringify(
            {
              environments: result.environments.map((environment) => environment.name),
              files: result.tree.size,
              check: flags.check === true,
              upToDate: result.drift.length === 0,
              drift: result.drift,
              warnings: result.warnings,
              notGenerated: result.notGenerated,
            },
            null,
            2,
          )}\n`,
        );
        if (flags.check && result.drift.length > 0) setExitCode(ExitCode.findings);
        return;
      }
      if (flags.check) {
        if (result.drift.length === 0) {
          if (!output.flags.quiet)
            io.stdout(`up to date: ${result.tree.size} files for ${names}\n`);
          return;
        }
        io.stderr(
          `the rendered tree is stale: ${result.drift.length} file(s) differ from a fresh render\n`,
        );
        io.stderr(
          describeDrift(result.drift, { changed: 'changed', missing: 'missing', stale: 'stale' }),
        );
        io.stderr('  hint: run `gitops-gen render` and commit the result\n');
        setExitCode(ExitCode.findings);
        return;
      }
      if (output.flags.quiet) return;
      if (result.drift.length === 0) {
        io.stdout(`up to date: ${result.tree.size} files for ${names}\n`);
        return;
      }
      io.stdout(
        describeDrift(result.drift, { changed: 'updated', missing: 'created', stale: 'removed' }),
      );
      io.stdout(`rendered ${names}: ${result.drift.length} of ${result.tree.size} files changed\n`);
    });
  program
    .command('validate')
    .description(
      'Validate a GitOps tree offline: Kubernetes and CRD schemas, API-server rules, Kustomize, Prometheus, Grafana and policy checks.',
    )
    .argument(
      '[paths...]',
      'rendered trees, kustomization folders, manifest files, or - for standard input (default: overlays, argocd and clusters)',
    )
    .addOption(
      new Option('-o, --output <format>', 'report format').choices(outputFormats).default('human'),
    )
    .option(
      '--strict [boolean]',
      'unknown fields are errors; --strict=false relaxes that',
      parseBoolean,
      true,
    )
    .option('--kubernetes-version <version>', 'Kubernetes version of the schemas (built in: 1.36)')
    .option(
      '--schema-location <location>',
      'kubeconform-style schema folder or template, tried in order; "default" is the built-in store (repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--crd-dir <dir>',
      'folder of CustomResourceDefinitions whose kinds are validated against them, as CRDs among the inputs are (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--ignore-missing-schemas', 'skip objects whose kind has no schema instead of failing')
    .option(
      '--skip <kinds>',
      'kinds to skip, comma-separated (Kind or apiVersion/Kind)',
      commaList,
      [],
    )
    .option('--reject <kinds>', 'kinds that are an error wherever they appear', commaList, [])
    .option('--disable-check <ids>', 'checks to switch off, e.g. policy/probes-set', commaList, [])
    .option(
      '--exclude <glob>',
      'files or folders a folder search skips, gitignore-style, relative to each folder given (repeatable; see also .gitops-gen-ignore)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addOption(
      new Option(
        '--promtool <mode>',
        'also run the real promtool on rule files our checks accept (auto: when on PATH)',
      )
        .choices(['auto', 'always', 'never'])
        .default('auto'),
    )
    .option(
      '--rule-tests',
      "also run promtool test rules on each overlay's prometheus/*.test.yml (needs promtool)",
    )
    .option(
      '--enable-helm',
      'let kubectl kustomize inflate helmCharts of kustomizations it builds (needs helm on PATH)',
    )
    .addHelpText('after', exitCodeHelp)
    .action(async (paths: string[], flags: ValidateFlags, command: Command) => {
      const output = outputOf(command, false);
      // By default: the overlays and the delivery manifests of the tree in this folder.
      const defaults = ['overlays', 'argocd', 'clusters'].filter((folder) =>
        existsSync(resolve(io.cwd, folder)),
      );
      const given = paths.length > 0 ? paths : defaults.length > 0 ? defaults : ['overlays'];
      const { validate, notBuiltCode } = await import('../validate/index.js');
      output.step(`validate ${given.join(' ')}`);
      const report = await validate({
        paths: given.map((path) => (path === '-' ? path : resolve(io.cwd, path))),
        ...(io.readStdin ? { readStdin: io.readStdin } : {}),
        strict: flags.strict,
        ...(flags.kubernetesVersion ? { kubernetesVersion: flags.kubernetesVersion } : {}),
        schemaLocations: (flags.schemaLocation ?? []).map((location) =>
          location === 'default' || /^[a-z]+:\/\//i.test(location)
            ? location
            : resolve(io.cwd, location),
        ),
        crdDirs: flags.crdDir.map((directory) => resolve(io.cwd, directory)),
        ignoreMissingSchemas: flags.ignoreMissingSchemas === true,
        skipKinds: flags.skip,
        rejectKinds: flags.reject,
        disabledChecks: flags.disableCheck,
        exclude: flags.exclude,
        promtool: flags.promtool,
        ruleTests: flags.ruleTests === true,
        enableHelm: flags.enableHelm === true,
        displayRoot: io.cwd,
      });
      output.end(report.summary.errors === 0);
      // --json is the JSON report; --quiet prints the report only when it has findings.
      const format = output.flags.json ? 'json' : flags.output;
      const clean = report.summary.errors === 0 && report.summary.warnings === 0;
      if (!(output.flags.quiet && clean && format === 'human')) {
        io.stdout(
          formatReport(report, format, {
            color: output.stdoutColor,
            toolVersion: packageVersion(),
          }),
        );
      }
      if (report.summary.errors > 0) setExitCode(ExitCode.findings);
      // A kustomization that could not be built is an input error, never a partial success.
      if (report.findings.some((finding) => finding.code === notBuiltCode)) {
        setExitCode(ExitCode.input);
      }
    });
  addPublishCommands(program, io, setExitCode, exitCodeHelp, outputOf);
  addSetupCommands(program, io, exitCodeHelp, outputOf);
  addBuildCommand(program, io, setExitCode, exitCodeHelp);
  return program;

  /** The output of a command, from the global flags wherever they were given. */
  function outputOf(command: Command, multiStep: boolean): Output {
    const flags = command.optsWithGlobals<GlobalFlags>();
    const output = createOutput(io, flags, multiStep);
    started(output);
    return output;
  }
}

/** Runs the CLI on `argv` (without the node and script entries) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  // The running command's output: an error ends its task list, and --json shapes the error.
  let current: Output | undefined;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    (output) => {
      current = output;
    },
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    current?.end(false);
    if (error instanceof CommanderError) {
      // Help and version end with code 0; every parse error is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.input;
    }
    if (error instanceof GitopsGenError) {
      if (current?.flags.json) io.stdout(errorJson(error));
      else printError(io, error, (path) => displayPath(io, path));
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(
      `internal error: this is a bug in gitops-gen; please report it with the text below.\n${escapeControls(detail, '\n')}\n`,
    );
    return ExitCode.internal;
  }
}
