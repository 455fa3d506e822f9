/**
 * The getting-started commands (`init`, `schema`, `explain`), and the generated documents they
 * feed: the README's environment reference and the repository's own environment schema. Set
 * UPDATE_DOCS=1 to rewrite those two from the schema.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentSchema } from '../../src/config/index.js';
import { environmentReference } from '../../src/config/explain.js';
import { schemaFileName, schemaHeader } from '../../src/config/scaffold.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const repository = join(import.meta.dirname, '..', '..');
const update = process.env.UPDATE_DOCS === '1';

describe('gitops-gen init', () => {
  it('writes commented environment files that render and validate clean (but for the prod NodePort)', async () => {
    const dir = await tempDir();
    const init = await runCli(['init'], dir);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('created');
    const files = (await readdir(join(dir, 'environments'))).sort();
    expect(files).toEqual(['dev.yaml', schemaFileName, 'prod.yaml', 'staging.yaml']);
    for (const file of files.filter((name) => name.endsWith('.yaml'))) {
      const text = await readFile(join(dir, 'environments', file), 'utf8');
      expect(text.split('\n')[0]).toBe(schemaHeader);
    }
    const schema: unknown = JSON.parse(
      await readFile(join(dir, 'environments', schemaFileName), 'utf8'),
    );
    expect(schema).toEqual(JSON.parse(JSON.stringify(environmentSchema)));
    expect((await runCli(['render'], dir)).code).toBe(0);
    const validation = await runCli(['validate'], dir);
    // prod keeps the spec's NodePort, which exposes an unauthenticated Prometheus: one warning.
    expect(validation.stdout).toMatch(/, 0 errors, 1 warning,/);
    expect(validation.stdout.match(/^ +\d+:\d+ +warning .*$/gm)).toEqual([
      expect.stringMatching(/mlflow-prod exposes Prometheus .* policy\/unauthenticated-exposure$/),
    ]);
    expect(validation.code).toBe(0);
  });

  it('refuses to overwrite without --force (exit 2, nothing written), overwrites with it', async () => {
    const dir = await tempDir();
    expect((await runCli(['init', '--env', 'qa'], dir)).code).toBe(0);
    const file = join(dir, 'environments', 'qa.yaml');
    await writeFile(file, 'tier: prod\n');
    const again = await runCli(['init', '--env', 'qa'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /^error: .*already has environment\.schema\.json, qa\.yaml: nothing was written\n {2}hint: pass --force/,
    );
    expect(await readFile(file, 'utf8')).toBe('tier: prod\n');
    expect((await runCli(['init', '--env', 'qa', '--force'], dir)).code).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('tier: staging');
  });

  it('refuses an environment name that cannot be a folder', async () => {
    const result = await runCli(['init', '--env', '../x'], await tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"../x" is not a valid environment name');
  });

  it('--json lists the files written', async () => {
    const result = await runCli(['init', 'sub', '--json'], await tempDir());
    const parsed = JSON.parse(result.stdout) as { files: string[] };
    expect(parsed.files).toHaveLength(4);
  });
});

describe('gitops-gen schema and explain', () => {
  it('schema prints the JSON Schema the files are checked with', async () => {
    const result = await runCli(['schema'], repository);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(environmentSchema)));
  });

  it('explain prints meaning, type, allowed values and the default of each tier', async () => {
    const result = await runCli(['explain', 'prometheus.retention.time'], repository);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'prometheus.retention.time: string (duration)',
        '  `--storage.tsdb.retention.time`, e.g. `30d`.',
        '  default: dev 2d, staging 7d, prod 30d',
        '',
      ].join('\n'),
    );
    const profile = await runCli(['explain', 'metrics.profile', '--json'], repository);
    expect(JSON.parse(profile.stdout)).toMatchObject({
      path: 'metrics.profile',
      allowed: ['spec', 'mlflow-native'],
      defaults: { dev: 'spec', staging: 'spec', prod: 'spec' },
    });
    const receiver = await runCli(['explain', 'alertmanager.receivers[].type'], repository);
    expect(receiver.stdout).toContain('one of: slack, pagerduty, webhook, email');
  });

  it('explain of an unknown key exits 2 with a suggestion; --json makes the error JSON', async () => {
    const result = await runCli(['explain', 'alerts.cpuUsage'], repository);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: the environment file has no key `alerts.cpuUsage`\n  hint: did you mean `alerts.cpuUsagePercent`?\n',
    );
    const json = await runCli(['explain', 'nope', '--json'], repository);
    expect(json.code).toBe(2);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: 'usage/invalid', exitCode: 2 },
    });
  });
});

describe('generated documents are up to date', () => {
  it("the README's environment reference is the schema's", async () => {
    const readme = join(repository, 'README.md');
    const text = await readFile(readme, 'utf8');
    const start = '<!-- environment-reference:start -->\n';
    const end = '<!-- environment-reference:end -->';
    const before = text.slice(0, text.indexOf(start) + start.length);
    const after = text.slice(text.indexOf(end));
    expect(before.length).toBeGreaterThan(start.length);
    const expected = `${before}<!-- prettier-ignore-start -->\n${environmentReference()}<!-- prettier-ignore-end -->\n${after}`;
    if (update) await writeFile(readme, expected);
    expect(text, 'run UPDATE_DOCS=1 npx vitest run test/cli/setup.test.ts').toBe(expected);
  });

  it("the repository's environments name the schema beside them, which is current", async () => {
    const folder = join(repository, 'environments');
    const schemaFile = join(folder, schemaFileName);
    const expected = `${JSON.stringify(environmentSchema, null, 2)}\n`;
    if (update) await writeFile(schemaFile, expected);
    expect(await readFile(schemaFile, 'utf8')).toBe(expected);
    for (const file of (await readdir(folder)).filter((name) => name.endsWith('.yaml'))) {
      const text = await readFile(join(folder, file), 'utf8');
      expect(text.split('\n')[0], file).toBe(schemaHeader);
    }
  });
});
