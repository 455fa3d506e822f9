import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInEnvironments } from '../../src/config/index.js';
import { diffLines, splitLines, unifiedDiff } from '../../src/publish/diff.js';
import { renderTree } from '../../src/render/index.js';
import { tempDir } from '../helpers/temp.js';

let root = '';
let counter = 0;

beforeAll(async () => {
  root = await tempDir('gitops-gen-diff-');
});

/** `git diff --no-index` of two texts, from the first hunk on (headers differ by name). */
function gitHunks(before: string, after: string, context = 3): string {
  const dir = join(root, String(counter++));
  mkdirSync(dir);
  writeFileSync(join(dir, 'before'), before);
  writeFileSync(join(dir, 'after'), after);
  const result = spawnSync(
    'git',
    ['diff', '--no-index', '--no-color', '--no-ext-diff', `-U${context}`, 'before', 'after'],
    {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        HOME: dir,
      },
    },
  );
  if (result.status !== 0 && result.status !== 1) throw new Error(result.stderr);
  return hunksOf(result.stdout);
}

/** git's `---`/`+++` lines for each name, from `git diff` of a work tree against its index. */
function gitFileHeaders(names: string[], before: string, after: string): Map<string, string> {
  const dir = join(root, String(counter++));
  mkdirSync(dir);
  const run = (...args: string[]): string => {
    const result = spawnSync('git', ['-c', 'core.quotePath=true', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: dir },
    });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout;
  };
  run('init', '-q', '.');
  for (const name of names) writeFileSync(join(dir, name), before);
  run('add', '.');
  const headers = new Map<string, string>();
  for (const name of names) {
    writeFileSync(join(dir, name), after);
    const diff = run('diff', '--no-color', '--no-ext-diff', '--', `:(literal)${name}`);
    headers.set(
      name,
      diff
        .split('\n')
        .filter((line) => /^(---|\+\+\+) /.test(line))
        .join('\n'),
    );
  }
  return headers;
}

function hunksOf(diff: string): string {
  const start = diff.indexOf('\n@@');
  return start === -1 ? '' : diff.slice(start + 1);
}

/** Applies our unified diff to `before`; proves the hunks are consistent and complete. */
function applyDiff(before: string, diff: string): string {
  const old = splitLines(before);
  const lines = diff.split('\n');
  const out: string[] = [];
  let cursor = 0;
  let index = lines.findIndex((line) => line.startsWith('@@'));
  if (index === -1) return before;
  while (index < lines.length) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[index] ?? '');
    if (!header) break;
    const count1 = header[2] === undefined ? 1 : Number(header[2]);
    const start1 = count1 === 0 ? Number(header[1]) : Number(header[1]) - 1;
    while (cursor < start1) out.push(old[cursor++] ?? '');
    index++;
    while (index < lines.length && !(lines[index] ?? '').startsWith('@@')) {
      const line = lines[index] ?? '';
      if (line === '') {
        index++;
        continue;
      }
      const next = lines[index + 1] ?? '';
      const noNewline = next.startsWith('\\ No newline');
      const text = line.slice(1) + (noNewline ? '' : '\n');
      if (line.startsWith(' ')) {
        expect(old[cursor]).toBe(text);
        out.push(text);
        cursor++;
      } else if (line.startsWith('-')) {
        expect(old[cursor]).toBe(text);
        cursor++;
      } else if (line.startsWith('+')) out.push(text);
      index += noNewline ? 2 : 1;
    }
  }
  while (cursor < old.length) out.push(old[cursor++] ?? '');
  return out.join('');
}

function expectLikeGit(before: string, after: string, context = 3): string {
  const ours = unifiedDiff('file.yaml', before, after, context);
  expect(hunksOf(ours)).toBe(gitHunks(before, after, context));
  expect(applyDiff(before, ours)).toBe(after);
  return ours;
}

const lines = (...items: string[]): string => items.map((item) => `${item}\n`).join('');

describe('unifiedDiff', () => {
  it('prints git-style headers and hunks', () => {
    const before = lines('apiVersion: apps/v1', 'kind: StatefulSet', 'spec:', '  replicas: 1');
    const after = lines('apiVersion: apps/v1', 'kind: StatefulSet', 'spec:', '  replicas: 2');
    expect(unifiedDiff('overlays/prod/patch.yaml', before, after)).toBe(
      [
        '--- a/overlays/prod/patch.yaml',
        '+++ b/overlays/prod/patch.yaml',
        '@@ -1,4 +1,4 @@',
        ' apiVersion: apps/v1',
        ' kind: StatefulSet',
        ' spec:',
        '-  replicas: 1',
        '+  replicas: 2',
        '',
      ].join('\n'),
    );
    expectLikeGit(before, after);
  });

  it('uses /dev/null for added and removed files, and nothing for equal ones', () => {
    const text = lines('a', 'b');
    expect(unifiedDiff('x.yaml', undefined, text)).toBe(
      '--- /dev/null\n+++ b/x.yaml\n@@ -0,0 +1,2 @@\n+a\n+b\n',
    );
    expect(unifiedDiff('x.yaml', text, undefined)).toBe(
      '--- a/x.yaml\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n',
    );
    expect(unifiedDiff('x.yaml', text, text)).toBe('');
    expect(unifiedDiff('x.yaml', undefined, '')).toBe('--- /dev/null\n+++ b/x.yaml\n');
  });

  it('quotes paths in --- and +++ lines as git does, with its tab after names with spaces', () => {
    const names = [
      'plain.yaml',
      'with space.yaml',
      'é ü.yaml',
      'tab\tx.yaml',
      'q"uote.yaml',
      'back\\slash.yaml',
      'nl\nx.yaml',
      'del\u007f.yaml',
      '😀.yaml',
    ];
    const expected = gitFileHeaders(names, 'a\n', 'b\n');
    for (const name of names) {
      const ours = unifiedDiff(name, 'a\n', 'b\n').split('\n').slice(0, 2).join('\n');
      expect(ours).toBe(expected.get(name));
    }
  });

  it('names the enclosing top-level line after the hunk header, as git does', () => {
    const before = lines('spec:', ...Array.from({ length: 10 }, (_, i) => `  key${i}: ${i}`));
    const after = before.replace('key8: 8', 'key8: eight');
    const ours = expectLikeGit(before, after);
    expect(ours).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@ spec:$/m);
  });

  it('matches git: separate and merged hunks', () => {
    const base = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const after = [...base];
    after[3] = 'changed 3';
    after[9] = 'changed 9'; // 5 lines apart: one hunk
    after[16] = 'changed 16'; // 6 lines apart: still one hunk (2 * context)
    after[30] = 'changed 30'; // far: a second hunk
    after.splice(36, 2);
    expectLikeGit(lines(...base), lines(...after));
    expectLikeGit(lines(...base), lines(...after), 0);
    expectLikeGit(lines(...base), lines(...after), 1);
  });

  it('matches git: a repeated line slides to where git puts it', () => {
    expectLikeGit(lines('a', 'x', 'x', 'x', 'b'), lines('a', 'x', 'x', 'x', 'x', 'b'));
    expectLikeGit(lines('a', 'x', 'x', 'x', 'b'), lines('a', 'x', 'b'));
  });

  it('matches git: the indent heuristic places a new YAML block', () => {
    const before = lines(
      'containers:',
      '  - name: a',
      '    image: a:1',
      '  - name: c',
      '    image: c:1',
    );
    const after = lines(
      'containers:',
      '  - name: a',
      '    image: a:1',
      '  - name: b',
      '    image: b:1',
      '  - name: c',
      '    image: c:1',
    );
    expectLikeGit(before, after);
    const functions = [
      'function a() {',
      '  return 1;',
      '}',
      '',
      'function c() {',
      '  return 3;',
      '}',
    ];
    const withB = [
      ...functions.slice(0, 4),
      'function b() {',
      '  return 2;',
      '}',
      '',
      ...functions.slice(4),
    ];
    expectLikeGit(lines(...functions), lines(...withB));
  });

  it('matches git where equally short edit scripts differ', () => {
    // Which `}` stays unchanged: git's middle-snake bisection keeps the last; jsdiff's forward
    // Myers keeps the first, and no slide turns one into the other.
    expectLikeGit(lines('  a', '}'), lines('}', '  a', '  b', '}', '}', 'c'));
    // git first drops lines the other side never has (xdl_cleanup_records); searching with
    // them in place keeps the first `}` instead.
    expectLikeGit(lines('  a', '}'), lines('  b', '}', 'c', '  d', '}', 'e'));
  });

  it('matches git: the function line is cut at 80 bytes, on a character boundary', () => {
    const body = Array.from({ length: 8 }, (_, i) => `  k${i}: v`);
    const changed = [...body.slice(0, 6), '  k6: changed', ...body.slice(7)];
    for (const functionLine of [
      `a${'é'.repeat(60)}`, // the 80th byte starts an é: git drops it
      `ab${'日'.repeat(30)}`, // exactly 80 bytes
      `a${'😀'.repeat(30)}`,
      `${'a'.repeat(78)} é`, // the cut splits the é; the space before it stays
      `${'a'.repeat(78)}  x`, // cut before `x`, trailing spaces trimmed
      'key:\u00a0\u00a0', // only ASCII whitespace is trimmed
      'key: x\r',
    ]) {
      const ours = expectLikeGit(lines(functionLine, ...body), lines(functionLine, ...changed));
      expect(ours).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@ \S/m);
    }
  });

  it('matches git: missing newline at end of file', () => {
    expectLikeGit('a\nb\nc', 'a\nb\nc\n');
    expectLikeGit('a\nb\nc\n', 'a\nb\nd');
    expectLikeGit('a\nb', 'a\nc');
    expectLikeGit('only', 'only\nmore');
  });

  it('matches git: changes at the start and the end, CRLF lines', () => {
    expectLikeGit(lines('a', 'b', 'c', 'd'), lines('z', 'b', 'c'));
    expectLikeGit('a\r\nb\r\nc\r\n', 'a\r\nB\r\nc\r\n');
  });

  it('matches git on rendered files: staging against prod', () => {
    const tree = renderTree(builtInEnvironments());
    for (const file of [
      'prometheus/prometheus.yml',
      'prometheus/alert-rules.yml',
      'kustomization.yaml',
      'patches/prometheus-statefulset.yaml',
      'grafana/datasources.yaml',
    ]) {
      const staging = tree.get(`overlays/staging/${file}`);
      const prod = tree.get(`overlays/prod/${file}`);
      expect(staging).toBeDefined();
      expect(prod).toBeDefined();
      expectLikeGit(staging ?? '', prod ?? '');
      expectLikeGit(tree.get(`overlays/dev/${file}`) ?? '', prod ?? '');
    }
    const dashboard = tree.get('base/dashboards/mlflow-monitoring-dashboard.json') ?? '';
    expectLikeGit(
      dashboard,
      dashboard.replace(/"refresh": "[^"]*"/, '"refresh": "1m"').replace(/\n {6}"id": 3,\n/, '\n'),
    );
  });

  it('matches git on random edits of files with many repeated lines', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const alphabet = 2 + random(6);
      const length = 5 + random(60);
      const before = Array.from({ length }, () => `  item: ${random(alphabet)}`);
      const after = [...before];
      for (let edit = random(8); edit >= 0; edit--) {
        const at = random(after.length + 1);
        const kind = random(3);
        if (kind === 0) after.splice(at, 1);
        else if (kind === 1) after.splice(at, 0, `  item: ${random(alphabet + 2)}`);
        else after[at] = `  other: ${random(alphabet)}`;
      }
      expectLikeGit(lines(...before), lines(...after));
    }
  });

  it('stays bounded on 5,000-line files', () => {
    const size = 5_000;
    const before = Array.from({ length: size }, (_, i) => `  line ${i % 7}: ${(i * 7919) % 13}`);
    // Scattered edits, and a completely different file made of the same few lines.
    const edited = before.map((line, i) => (i % 97 === 0 ? `${line} # edited` : line));
    edited.splice(2_500, 40);
    const reshuffled = Array.from({ length: size }, (_, i) => before[(i * 31) % size] ?? '');
    const heapBefore = process.memoryUsage().heapUsed;
    for (const after of [edited, reshuffled]) {
      const diff = unifiedDiff('big.yaml', lines(...before), lines(...after));
      expect(applyDiff(lines(...before), diff)).toBe(lines(...after));
    }
    // Myers' linear-space form keeps two vectors of N + M + 3 integers; a D-squared trace
    // of these inputs would need hundreds of megabytes.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    const changes = diffLines(before, edited);
    const removed = changes.reduce((sum, change) => sum + change.count1, 0);
    const added = changes.reduce((sum, change) => sum + change.count2, 0);
    expect(removed - added).toBe(40);
    expect(added).toBe(Math.ceil(size / 97) - 1);
  });
});
