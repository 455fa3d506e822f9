/**
 * Sizes (issue 13, point 13): inputs over a documented limit are refused early, from their size,
 * before any YAML parsing. A manifest document over 1.5 MiB (what etcd stores) is a finding and
 * is never parsed; a large manifest file of normal documents still validates, read a block at a
 * time; an environment file over 1 MiB is an input error. Messages quote at most ~100
 * characters of a bad value.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  maxObjectBytes,
  splitDocumentStreamLimited,
  splitDocuments,
  type OversizedDocument,
  type YamlChunk,
} from '../../src/kube-yaml.js';
import { validate } from '../../src/index.js';
import { clip, quoteValue } from '../../src/text-safety.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { seededRandom } from '../helpers/random.js';
import { tempDir } from '../helpers/temp.js';

const configMap = (name: string, value: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: monitoring\ndata:\n  key: ${value}\n`;

interface JsonReport {
  findings: { code: string; message: string; line?: number; file?: string; document?: number }[];
  summary: { resources: number; errors: number };
}

function blocksOf(text: string, size: number): string[] {
  const blocks: string[] = [];
  for (let start = 0; start < text.length; start += size)
    blocks.push(text.slice(start, start + size));
  return blocks;
}

describe('splitDocumentStreamLimited', () => {
  it('drops an oversized document, keeps the line count and the documents around it', () => {
    const big = `big: ${'x'.repeat(5000)}\n`;
    const text = `a: 1\n---\n${big}more: ${'y'.repeat(3000)}\n---\nb: 2\n...\n${big}---\nc: 3\n`;
    const whole = splitDocuments(text);
    for (const size of [1, 7, 64, 1000, 100_000]) {
      const chunks: (YamlChunk | OversizedDocument)[] = [
        ...splitDocumentStreamLimited(blocksOf(text, size), 4000),
      ];
      // A document complete within one block may come out whole: the reader measures it.
      const shown = (chunk: YamlChunk | OversizedDocument): string =>
        'oversized' in chunk || chunk.text.length > 4000 ? 'big' : chunk.text;
      expect(chunks.map(shown)).toEqual(
        whole.map((chunk) => (chunk.text.length > 4000 ? 'big' : chunk.text)),
      );
      // Lines come out as in the whole split.
      expect(chunks.map((chunk) => chunk.lineOffset)).toEqual(
        whole.map((chunk) => chunk.lineOffset),
      );
      for (const chunk of chunks) {
        if ('oversized' in chunk) expect(chunk.bytes).toBeGreaterThan(4000);
        else expect(chunk.text.length).toBeLessThan(4000 + size + 10);
      }
    }
  });
  it('splits random streams as the whole text splits, oversized documents aside', () => {
    const limit = 40;
    const lines = ['---', '--- ', '--- |', '...', '... ', '# note', 'a: 1', `b: ${'x'.repeat(30)}`];
    lines.push(`c: ${'y'.repeat(60)}`, '----', '..', '-', '--- x', '---\r', 'd: 2\r');
    const next = seededRandom(20261203);
    for (let round = 0; round < 400; round++) {
      const count = Math.floor(next() * 12);
      const picked = Array.from({ length: count }, () => lines[Math.floor(next() * lines.length)]);
      const text = picked.join('\n') + (next() < 0.5 ? '\n' : '');
      // A document whose text is near the limit may be cut off either way.
      const whole = splitDocuments(text).map((chunk) => [
        chunk.text.length > limit - 8 ? 'big' : chunk.text,
        chunk.lineOffset,
      ]);
      for (const size of [1, 3, 16, 1000]) {
        const streamed = [...splitDocumentStreamLimited(blocksOf(text, size), limit)].map(
          (chunk) => [
            'oversized' in chunk || chunk.text.length > limit - 8 ? 'big' : chunk.text,
            chunk.lineOffset,
          ],
        );
        expect(streamed, JSON.stringify(text)).toEqual(whole);
      }
    }
  });
});

describe('validate: size limits', () => {
  it('refuses a 50 MB one-line manifest unparsed, quickly, with a short message', async () => {
    const root = await tempDir();
    const file = join(root, 'huge.yaml');
    const handle = await open(file, 'w');
    await handle.write(
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":"',
    );
    const chunk = 'a'.repeat(1 << 20);
    for (let index = 0; index < 50; index++) await handle.write(chunk);
    await handle.write('"}}\n');
    await handle.close();
    const started = performance.now();
    const result = await runCli(['validate', '-o', 'json', '--promtool', 'never', file], root);
    const elapsed = performance.now() - started;
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'input/object-too-large', file: 'huge.yaml', line: 1 }),
    ]);
    expect(report.findings[0]?.message.length).toBeLessThan(300);
    expect(result.stdout.length).toBeLessThan(2000);
    expect(elapsed).toBeLessThan(10_000);
    const human = await runCli(['validate', '--promtool', 'never', file], root);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('input/object-too-large');
    expect(human.stdout.length).toBeLessThan(1000);
  }, 30_000);

  it('validates a 20 MB file of small ConfigMaps, and refuses only the oversized one among them', async () => {
    const root = await tempDir();
    const documents: string[] = [];
    let size = 0;
    for (let index = 0; size < 20 * 2 ** 20; index++) {
      const document = configMap(`settings-${index}`, `value-${index}-${'v'.repeat(100)}`);
      documents.push(document);
      size += document.length + 4;
    }
    const bigAt = 5000;
    documents.splice(bigAt, 0, configMap('too-big', 'z'.repeat(maxObjectBytes)));
    const text = documents.join('---\n');
    await writeFile(join(root, 'many.yaml'), text);
    const result = await runCli(
      ['validate', '-o', 'json', '--promtool', 'never', 'many.yaml'],
      root,
    );
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'input/object-too-large',
        document: bigAt,
        // The line of its `---`.
        line: text.slice(0, text.lastIndexOf('---\n', text.indexOf('name: too-big'))).split('\n')
          .length,
      }),
    ]);
    expect(report.summary.resources).toBe(documents.length - 1);
    expect(result.code).toBe(1);
  }, 60_000);

  it('refuses a document over 1.5 MiB in a kustomization resource without parsing it', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'k'));
    await writeFile(join(root, 'k', 'kustomization.yaml'), 'resources: [big.yaml, small.yaml]\n');
    await writeFile(join(root, 'k', 'big.yaml'), configMap('big', 'b'.repeat(maxObjectBytes)));
    await writeFile(join(root, 'k', 'small.yaml'), configMap('small', 'ok'));
    const result = await runCli(['validate', '-o', 'json', '--promtool', 'never', 'k'], root);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'input/object-too-large', file: 'k/kustomization.yaml' }),
    ]);
    expect(report.findings[0]?.message).toContain('big.yaml');
    expect(report.findings[0]?.message.length).toBeLessThan(400);
  });
});

describe('validate: standard input', () => {
  it('refuses an oversized document read from standard input, and keeps the others', async () => {
    const text = [configMap('small', 'ok'), configMap('big', 'b'.repeat(maxObjectBytes))].join(
      '---\n',
    );
    const report = await validate({
      paths: ['-'],
      readStdin: () => Promise.resolve(text),
      promtool: 'never',
    });
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'input/object-too-large', file: '<stdin>', line: 8 }),
    ]);
    expect(report.summary.resources).toBe(1);
  });
});

/** `render` of one environment file `dev.yaml` holding `content`, as text and as --json. */
async function renderDev(content: string): Promise<{ json: boolean; result: CliResult }[]> {
  const root = await tempDir();
  await mkdir(join(root, 'environments'));
  await writeFile(join(root, 'environments', 'dev.yaml'), content);
  const results = [];
  for (const json of [false, true]) {
    const argv = [...(json ? ['--json'] : []), 'render', '-c', 'environments', '-o', 'out'];
    results.push({ json, result: await runCli(argv, root) });
  }
  return results;
}

describe('environment files: size limit and short quotes', () => {
  it('a 2 MB environment file is an input error naming the file, its size and the limit', async () => {
    const content = `# ${'padding '.repeat(2 ** 18)}\nnamespace: mlflow-dev\n`;
    for (const { json, result } of await renderDev(content)) {
      expect(result.code).toBe(2);
      const text = result.stdout + result.stderr;
      expect(text).toContain('dev.yaml');
      expect(text).toContain(`${Buffer.byteLength(content)} bytes`);
      expect(text).toContain('1048576');
      if (json) expect(text).toContain('config/file-too-large');
      expect(text.length).toBeLessThan(2000);
      if (!json) expect(result.stderr).toContain('hint:');
    }
  });

  it('echoes at most ~120 characters of a 10 kB bad value (enum, type, format)', async () => {
    const long = 'q'.repeat(10_000);
    const cases = [
      `tier: ${long}\n`,
      `namespace: mlflow-dev\nprometheus:\n  replicas: "${long}"\n`,
      `namespace: mlflow-dev\nprometheus:\n  retention:\n    time: ${long}\n`,
    ];
    for (const content of cases) {
      for (const { result } of await renderDev(content)) {
        expect(result.code).toBe(2);
        const text = result.stdout + result.stderr;
        const runs = text.match(/q+/g) ?? [];
        expect(runs.length).toBeGreaterThan(0);
        for (const run of runs) expect(run.length).toBeLessThanOrEqual(120);
        expect(text).toContain('more characters');
        expect(text.length).toBeLessThan(3000);
      }
    }
  });
});

describe('quoteValue and clip', () => {
  it('quote the start of a long value and say how much is left', () => {
    expect(quoteValue('short')).toBe('"short"');
    expect(quoteValue(12)).toBe('12');
    const quoted = quoteValue('x'.repeat(10_000));
    expect(quoted).toBe(`"${'x'.repeat(100)}…" (9900 more characters)`);
    expect(clip('ab'.repeat(100), 10)).toBe('ababababab… (190 more characters)');
    // A surrogate pair is never cut in two.
    expect(clip(`${'a'.repeat(99)}😀tail`)).toBe(`${'a'.repeat(99)}… (6 more characters)`);
  });
});
