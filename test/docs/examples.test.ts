/**
 * The documentation stays true to the code: every `gitops-gen` command of the example workflow
 * for GitOps repositories (examples/github-actions/) runs with the flags the real CLI accepts,
 * in-process, against a fresh render of the built-in environments, and succeeds; its promtool
 * command finds and passes every overlay's rule tests; and every relative link of
 * docs/design.md and CHANGELOG.md points at a file that exists.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { render } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { missingToolMessage } from '../helpers/tools.js';

const execFileAsync = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');
const workflowFile = join(repoRoot, 'examples', 'github-actions', 'gitops-repo-validate.yml');

interface Step {
  name?: string;
  run?: string;
  uses?: string;
}

interface Workflow {
  jobs: Record<string, { steps?: Step[] }>;
}

/** One simple command of a step's script: its text and its words. */
interface ShellCommand {
  step: string;
  text: string;
  words: string[];
}

/** Splits a command into words the way a shell does for plain words and quotes. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated quote in: ${text}`);
  if (inWord) words.push(word);
  return words;
}

/** Words without output redirections (`> file`, `2>file`): the CLI never sees those. */
function withoutRedirections(words: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    const redirection = /^\d*>>?(.*)$/.exec(word);
    if (!redirection) kept.push(word);
    else if (redirection[1] === '') index++; // the target is the next word
  }
  return kept;
}

/** Every simple command of every `run:` script, comments and line continuations handled. */
function commandsOf(workflow: Workflow): ShellCommand[] {
  return Object.values(workflow.jobs).flatMap((job) =>
    (job.steps ?? []).flatMap((step) =>
      (step.run ?? '')
        .replace(/\\\n/g, ' ')
        .split('\n')
        .filter((line) => !line.trim().startsWith('#'))
        .flatMap((line) => line.split(/&&|\|\||;|\|/))
        .map((text) => text.trim())
        .filter((text) => text !== '')
        .map((text) => ({ step: step.name ?? step.uses ?? '', text, words: shellWords(text) })),
    ),
  );
}

/** The arguments of a `gitops-gen ...` or `npx [--yes] gitops-gen[@version] ...` command. */
function gitopsGenArguments(words: readonly string[]): string[] | undefined {
  if (words[0] === 'gitops-gen') return words.slice(1);
  if (words[0] === 'npx') {
    const index = words.findIndex((word, at) => at > 0 && /^gitops-gen(@\S+)?$/.test(word));
    if (index > 0) return words.slice(index + 1);
  }
  return undefined;
}

const workflow = parse(await readFile(workflowFile, 'utf8')) as Workflow;
const commands = commandsOf(workflow);
const gitopsGen = commands.flatMap((command) => {
  const args = gitopsGenArguments(command.words);
  return args ? [{ ...command, args: withoutRedirections(args) }] : [];
});
const promtool = commands.filter((command) => command.words[0] === 'promtool');

describe('examples/github-actions/gitops-repo-validate.yml', () => {
  let root = '';
  let ruleTests: string[] = [];

  beforeAll(async () => {
    root = await tempDir('gitops-gen-docs-');
    // No environments folder there: the built-in dev, staging and prod are rendered.
    const { tree } = await render({ configDir: join(root, 'environments'), outDir: root });
    ruleTests = [...tree.keys()].filter((path) => path.endsWith('/alert-rules.test.yml')).sort();
  });

  it('is a workflow for pull requests and pushes to main', () => {
    const on = (workflow as unknown as { on: Record<string, unknown> }).on;
    expect(Object.keys(on).sort()).toEqual(['pull_request', 'push']);
    expect(on.push).toEqual({ branches: ['main'] });
  });

  it('runs validate in the github and sarif formats, and the promtool rule tests', () => {
    const formats = gitopsGen
      .filter((command) => command.args[0] === 'validate')
      .map((command) => command.args[command.args.indexOf('-o') + 1]);
    expect(formats).toEqual(expect.arrayContaining(['github', 'sarif']));
    expect(promtool.map((command) => command.words.slice(0, 3))).toEqual([
      ['promtool', 'test', 'rules'],
    ]);
  });

  it.each(gitopsGen.map((command) => [command.text, command] as const))(
    '`%s` is accepted by the CLI and passes on a fresh render',
    async (_text, command) => {
      const result = await runCli(command.args, root);
      expect(result.code, `${command.step}\n${result.stderr}${result.stdout}`).toBe(0);
      expect(result.stderr).toBe('');
      const format = command.args.includes('-o')
        ? command.args[command.args.indexOf('-o') + 1]
        : undefined;
      if (format === 'sarif') {
        const sarif = JSON.parse(result.stdout) as { version?: unknown };
        expect(sarif.version).toBe('2.1.0');
      }
    },
  );

  it.each(promtool.map((command) => [command.text, command] as const))(
    '`%s` runs every overlay rule test, and they pass',
    async (_text, command) => {
      expect(ruleTests.length).toBeGreaterThanOrEqual(3);
      let output: string;
      try {
        // Through bash, as in the workflow, so that the glob is expanded the same way.
        const { stdout, stderr } = await execFileAsync('bash', ['-c', command.text], {
          cwd: root,
          timeout: 30_000,
        });
        output = stdout + stderr;
      } catch (error: unknown) {
        const failure = error as ExecFileException & { stdout?: string; stderr?: string };
        if (failure.code === 127) throw new Error(missingToolMessage('promtool'), { cause: error });
        throw new Error(`${command.text} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`, {
          cause: error,
        });
      }
      for (const file of ruleTests) expect(output).toContain(file);
      expect(output).not.toMatch(/FAILED/);
    },
  );
});

/** Link targets of a Markdown text, outside code blocks and code spans. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
  const references = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)];
  return [...inline, ...references].map((match) => match[1] ?? '');
}

const isRelative = (target: string): boolean =>
  target !== '' && !target.startsWith('#') && !/^[a-z][a-z\d+.-]*:/i.test(target);

describe.each(['docs/design.md', 'CHANGELOG.md'])('relative links of %s', (document) => {
  it('point at files that exist', async () => {
    const file = join(repoRoot, document);
    const targets = linkTargets(await readFile(file, 'utf8')).filter(isRelative);
    expect(targets.length).toBeGreaterThan(0);
    const missing = targets.filter((target) => {
      const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
      return !existsSync(resolve(dirname(file), path));
    });
    expect(missing).toEqual([]);
  });
});
