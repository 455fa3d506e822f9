/**
 * Property-based tests (fast-check, fixed seeds, bounded runs) of the CLI driven in-process:
 * whatever environment file or manifest it is given, it answers with exit code 0, 1 or 2 and a
 * one-line error, never a stack trace or an internal error; and no environment file name makes
 * `render` write outside its output folder.
 *
 * Inputs are generated (from the environment JSON Schema) and mutated (from the repository's
 * environments, the fixtures and a fresh render): keys deleted, duplicated, swapped and added
 * (`__proto__`, `constructor`), values replaced by random scalars, text truncated, random bytes,
 * tabs, anchors and aliases, huge numbers, long strings and unicode inserted.
 * To replay a failure, fast-check prints its seed and path: pass them as `seed` and `path` in
 * the failing `fc.assert`. To hunt for more, raise `runs` or change `seed` locally (each run of
 * the render properties takes about 25 ms, of the validate properties 10-100 ms).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { environmentSchema, resolveEnvironmentSources } from '../../src/config/index.js';
import { formatPatterns } from '../../src/config/schema.js';
import { GitopsGenError } from '../../src/errors.js';
import { hasCycle } from '../../src/yaml-values.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const repoRoot = join(import.meta.dirname, '..', '..');

/** One seed for the file (each property adds its own offset): the same inputs on every run. */
const seed = 20_260_611;
const runs = { generated: 40, mutated: 200, names: 60, manifests: 150, overlays: 35 };

// ---------------------------------------------------------------------------------------------
// What every answer of the CLI must look like

const stackLine = /^\s+at .+\(.*:\d+:\d+\)/m;

function expectCleanAnswer(result: CliResult): void {
  expect([0, 1, 2]).toContain(result.code);
  expect(result.stderr).not.toMatch(stackLine);
  expect(result.stdout).not.toMatch(stackLine);
  expect(result.stderr).not.toMatch(/internal error/i);
  if (result.code === 2) expect(result.stderr).toMatch(/^error: /);
}

/** A fresh folder for one run, removed after it (hundreds of runs would fill /tmp otherwise). */
async function withScratch<T>(work: (root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), 'gitops-gen-prop-'));
  try {
    return await work(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Every file below `root` (relative POSIX path -> bytes, as text), and every folder. */
async function snapshot(root: string, skip: readonly string[] = []): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const visit = async (folder: string): Promise<void> => {
    for (const entry of await readdir(join(root, folder), { withFileTypes: true })) {
      const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (skip.includes(path)) continue;
      if (entry.isDirectory()) {
        result.set(`${path}/`, '');
        await visit(path);
      } else result.set(path, (await readFile(join(root, path))).toString('base64'));
    }
  };
  await visit('');
  return result;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

// ---------------------------------------------------------------------------------------------
// Arbitraries: scalars, keys, and text and object mutations

/** Strings that YAML and JSON parsers, number handling and object keys find hard. */
const nastyScalar = fc.constantFrom<unknown>(
  '',
  ' ',
  '~',
  'null',
  'yes',
  'no',
  'on',
  '0x1F',
  '0o17',
  '1e400',
  '-1e400',
  '.nan',
  '.inf',
  '-.inf',
  '123456789012345678901234567890',
  '9007199254740993',
  '-0',
  '1_000',
  '2001-12-14t21:59:43.10-05:00',
  '<<',
  '*',
  '&',
  '!!binary',
  '{{ .Values.x }}',
  '$(rm -rf /)',
  '../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\System32',
  '\u0000',
  '\uD800',
  '\u202Eevil',
  'zero\u200Bwidth',
  'emoji 🚀🔥',
  'Ünïcödé ﬁ',
  '日本語',
  'line\nbreak',
  '"quoted"',
  "'single'",
  '# not a comment',
  'key: value',
  '- item',
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2 ** 53 + 1,
  0,
  -1,
  0.5,
  true,
  false,
  null,
  [],
  {},
  [null],
  { '': null },
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyScalar },
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.nat(10).map((n) => 'x'.repeat(10 ** Math.min(n, 5))),
  fc.jsonValue({ maxDepth: 2 }),
);

const nastyKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '',
    ' ',
    '<<',
    'apiVersion',
    'kind',
    'metadata',
    'spec',
    'name',
    'namespace',
    'resources',
    'patches',
    'tier',
    'prometheus',
    'grafana',
    'delivery',
    'alertmanager',
    'k'.repeat(5000),
    '🚀',
  ),
  fc.string({ maxLength: 10 }),
);

type Json = unknown;

/** JSON text of any value (`JSON.stringify` gives undefined for undefined). */
function jsonText(value: Json, indent?: number): string {
  return value === undefined ? 'null' : JSON.stringify(value, null, indent);
}

type Container = Record<string, Json> | Json[];

const isContainer = (value: Json): value is Container =>
  typeof value === 'object' && value !== null;

/** Sets an own property, even `__proto__` (a plain assignment would change the prototype). */
function setOwn(target: Container, key: string | number, value: Json): void {
  if (Array.isArray(target) && typeof key === 'number') target[key] = value;
  else
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

const keysOf = (value: Container): (string | number)[] =>
  Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value);

/** Walks from the root following `steps` (each picks a child modulo the count): the containers. */
function walk(root: Json, steps: readonly number[]): { parent: Container; key: string | number }[] {
  const trail: { parent: Container; key: string | number }[] = [];
  let node = root;
  for (const step of steps) {
    if (!isContainer(node)) break;
    const keys = keysOf(node);
    if (keys.length === 0) break;
    const key = keys[step % keys.length];
    if (key === undefined) break;
    trail.push({ parent: node, key });
    node = (node as Record<string | number, Json>)[key];
  }
  return trail;
}

type ObjectMutation =
  | { op: 'delete'; steps: number[] }
  | { op: 'replace'; steps: number[]; value: Json }
  | { op: 'add'; steps: number[]; key: string; value: Json }
  | { op: 'swap'; steps: number[]; other: number[] }
  | { op: 'wrap'; steps: number[] };

const steps = fc.array(fc.nat(), { minLength: 1, maxLength: 6 });
const objectMutation: fc.Arbitrary<ObjectMutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), steps }),
  fc.record({ op: fc.constant('replace' as const), steps, value: scalar }),
  fc.record({ op: fc.constant('add' as const), steps, key: nastyKey, value: scalar }),
  fc.record({ op: fc.constant('swap' as const), steps, other: steps }),
  fc.record({ op: fc.constant('wrap' as const), steps }),
);

function applyObjectMutation(root: Json, mutation: ObjectMutation): Json {
  const trail = walk(root, mutation.steps);
  const last = trail.at(-1);
  if (mutation.op === 'add') {
    const target = trail
      .map(({ parent, key }) => (parent as Record<string, Json>)[key])
      .findLast(isContainer);
    const into = target ?? (isContainer(root) ? root : undefined);
    if (into) setOwn(into, Array.isArray(into) ? into.length : mutation.key, mutation.value);
    return root;
  }
  if (!last) return mutation.op === 'replace' ? mutation.value : root;
  const { parent, key } = last;
  const record = parent as Record<string | number, Json>;
  switch (mutation.op) {
    case 'delete':
      if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
      else Reflect.deleteProperty(record, key);
      break;
    case 'replace':
      setOwn(parent, key, mutation.value);
      break;
    case 'wrap':
      setOwn(parent, key, [record[key]]);
      break;
    case 'swap': {
      const other = walk(root, mutation.other).at(-1);
      if (other) {
        const otherRecord = other.parent as Record<string | number, Json>;
        const value = record[key];
        setOwn(parent, key, otherRecord[other.key]);
        setOwn(other.parent, other.key, value);
      }
      break;
    }
  }
  return root;
}

/** A text mutation at a relative position (0..1) of the text. */
type TextMutation =
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'bytes'; at: number; bytes: Uint8Array }
  | { op: 'tabs'; at: number }
  | { op: 'duplicate-line'; at: number }
  | { op: 'delete-line'; at: number }
  | { op: 'swap-lines'; at: number; other: number }
  | { op: 'indent'; at: number; by: number }
  | { op: 'value'; at: number; text: string };

const yamlSnippet = fc.oneof(
  fc.constantFrom(
    '\t',
    '\tkey: value\n',
    'anchor: &a { x: 1 }\nalias: *a\n',
    'merge:\n  <<: *a\n',
    '*undefined_alias',
    'a: &a [*a]\n',
    'l1: &l1 [1,1,1,1,1,1,1,1,1]\nl2: &l2 [*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1]\nl3: &l3 [*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2]\nl4: [*l3,*l3,*l3,*l3,*l3,*l3,*l3,*l3,*l3]\n',
    '__proto__:\n  polluted: true\n',
    'constructor:\n  prototype:\n    polluted: true\n',
    '\n---\n',
    '\n...\n',
    '%YAML 1.1\n---\n',
    '%TAG ! tag:example.com,2000:\n---\n',
    '!!js/function "function () {}"',
    '!!python/object:os.system ["ls"]',
    '!!binary aGVsbG8=',
    '!!set { a, b }',
    '!!omap [ a: 1 ]',
    '!!timestamp 2001-12-14',
    '!custom tag',
    '? [complex, key]\n: value\n',
    '? |\n  block key\n: value\n',
    '{',
    '[',
    '}',
    ']',
    '"',
    "'",
    '|',
    '>-',
    ': ',
    '- ',
    '#',
    '@',
    '`',
    '\uFEFF',
    '\r\n',
    '\r',
    '\u2028',
    '\u0000',
    '\uD83D',
    '🚀',
    '1e400',
    '123456789012345678901234567890123456789',
    '0x7FFFFFFFFFFFFFFF',
    '.NaN',
    '-.Inf',
    'x'.repeat(100_000),
    'key: ' + 'y'.repeat(20_000) + '\n',
    '[' + '['.repeat(500),
    '{a: '.repeat(200),
    '- '.repeat(300),
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** What may stand after `key: `: aliases, anchors, tags, odd numbers, block scalars. */
const yamlValue = fc.oneof(
  fc.constantFrom(
    '*nowhere',
    '&a value',
    '&a [*a]',
    '&a { k: *a }',
    '&a { k: [1, { j: *a }] }',
    '{ <<: *nowhere }',
    '{ <<: 5 }',
    '{ <<: [1] }',
    '[*nowhere]',
    '!!binary aGVsbG8=',
    '!!set { a }',
    '!!omap [ a: 1 ]',
    '!!timestamp 2001-12-14',
    '!!int x',
    '!!float y',
    '!!null z',
    '!!str',
    '!!map []',
    '!!seq {}',
    '!unknown x',
    '!<tag:yaml.org,2002:str> x',
    '1e400',
    '-1e400',
    '0x',
    '0xFFFFFFFFFFFFFFFFFFFF',
    '0o999',
    '0b102',
    '1:30',
    '190:20:30',
    '.NaN',
    '~',
    '|',
    '>-',
    '|+9',
    '"\\u0000 \\x00 \\uD800"',
    '"unterminated',
    "'unterminated",
    '[',
    '{',
    '? x',
    '- a\n- b',
    '\n  - nested',
    '\n\tbad: tab',
  ),
  scalar.map((value) => jsonText(value)),
);

const position = fc.double({ min: 0, max: 1, noNaN: true });
const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constant('insert' as const), at: position, text: yamlSnippet }),
  fc.record({
    op: fc.constant('bytes' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('tabs' as const), at: position }),
  fc.record({ op: fc.constant('duplicate-line' as const), at: position }),
  fc.record({ op: fc.constant('delete-line' as const), at: position }),
  fc.record({ op: fc.constant('swap-lines' as const), at: position, other: position }),
  fc.record({
    op: fc.constant('indent' as const),
    at: position,
    by: fc.integer({ min: -4, max: 4 }),
  }),
  fc.record({ op: fc.constant('value' as const), at: position, text: yamlValue }),
);

function applyTextMutation(text: Buffer, mutation: TextMutation): Buffer {
  const offset = Math.floor(mutation.at * text.length);
  const lines = text.toString('utf8').split('\n');
  const line = Math.min(Math.floor(mutation.at * lines.length), lines.length - 1);
  const fromLines = (): Buffer => Buffer.from(lines.join('\n'), 'utf8');
  const current = lines[line] ?? '';
  switch (mutation.op) {
    case 'truncate':
      return text.subarray(0, offset); // may cut a multi-byte character in half
    case 'insert':
      return Buffer.concat([
        text.subarray(0, offset),
        Buffer.from(mutation.text, 'utf8'),
        text.subarray(offset),
      ]);
    case 'bytes':
      return Buffer.concat([
        text.subarray(0, offset),
        Buffer.from(mutation.bytes),
        text.subarray(offset),
      ]);
    case 'tabs':
      lines[line] = current.replace(/^ +/, (spaces) => '\t'.repeat(Math.max(1, spaces.length / 2)));
      return fromLines();
    case 'duplicate-line':
      lines.splice(line, 0, current);
      return fromLines();
    case 'delete-line':
      lines.splice(line, 1);
      return fromLines();
    case 'swap-lines': {
      const other = Math.min(Math.floor(mutation.other * lines.length), lines.length - 1);
      [lines[line], lines[other]] = [lines[other] ?? '', current];
      return fromLines();
    }
    case 'value': {
      // The value of the first `key: value` line from `line` on (or the line itself).
      const keyLine = /^(\s*(?:- )?[^#\s][^:]*:)( .*)?$/;
      const index = lines.findIndex((text, at) => at >= line && keyLine.test(text));
      const target = index === -1 ? line : index;
      lines[target] = (lines[target] ?? '').replace(keyLine, `$1 ${mutation.text}`);
      return fromLines();
    }
    case 'indent':
      lines[line] =
        mutation.by >= 0
          ? ' '.repeat(mutation.by) + current
          : current.slice(Math.min(-mutation.by, current.search(/\S|$/)));
      return fromLines();
  }
}

/** Counterexamples print as text (and base64 when the bytes are no valid UTF-8). */
function readable(bytes: Buffer): Buffer {
  const text = bytes.toString('utf8');
  const exact = Buffer.from(text, 'utf8').equals(bytes);
  Object.defineProperty(bytes, fc.toStringMethod, {
    value: () =>
      exact
        ? `text ${JSON.stringify(text)}`
        : `base64 ${bytes.toString('base64')} (${JSON.stringify(text)})`,
  });
  return bytes;
}

type Serialization = 'yaml' | 'json' | 'flow';

function serialize(value: Json, as: Serialization): string {
  // A swap can make the value cyclic: JSON cannot say that, YAML says it with an alias.
  if (as === 'json' && !hasCycle(value)) return jsonText(value, 2);
  return stringify(value, { collectionStyle: as === 'flow' ? 'flow' : 'any', lineWidth: 0 });
}

/** A YAML stream of documents, one per element (the form of a rendered manifest file). */
function serializeDocuments(value: Json, as: Serialization): string {
  if (!Array.isArray(value)) return serialize(value, as);
  return value.map((document) => serialize(document, as)).join('---\n');
}

/** A text, mutated: first as an object (when it parses), then as text. */
function mutatedText(sources: fc.Arbitrary<Source>): fc.Arbitrary<Buffer> {
  return fc
    .record({
      source: sources,
      objectMutations: fc.array(objectMutation, { maxLength: 3 }),
      serialization: fc.constantFrom<Serialization>('yaml', 'json', 'flow'),
      textMutations: fc.array(textMutation, { maxLength: 3 }),
    })
    .map(({ source, objectMutations, serialization, textMutations }) => {
      let text = Buffer.from(source.text, 'utf8');
      if (objectMutations.length > 0 && isContainer(source.parsed)) {
        const copy = structuredClone(source.parsed);
        const mutated = objectMutations.reduce<Json>(applyObjectMutation, copy);
        const as = source.documents === true ? serializeDocuments : serialize;
        text = Buffer.from(as(mutated, serialization), 'utf8');
      }
      return readable(textMutations.reduce(applyTextMutation, text));
    });
}

// ---------------------------------------------------------------------------------------------
// Environment files generated from the JSON Schema

interface SchemaNode {
  type?: string;
  enum?: readonly unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: readonly string[];
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
}

/** fast-check cannot generate lookaheads: generate without them and keep what matches. */
function matching(pattern: RegExp): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(pattern);
  } catch {
    const without = new RegExp(pattern.source.replace(/\(\?[=!](?:[^()]|\([^()]*\))*\)/g, ''));
    return fc.stringMatching(without).filter((text) => pattern.test(text));
  }
}

function fromSchema(node: SchemaNode): fc.Arbitrary<Json> {
  if (node.enum) return fc.constantFrom(...node.enum);
  switch (node.type) {
    case 'object': {
      // A few keys per object: files that set everything at once are mostly contradictions.
      const required = node.required ?? [];
      const entries = Object.entries(node.properties ?? {});
      const fixed = fc
        .subarray(
          entries.filter(([key]) => !required.includes(key)),
          { maxLength: Math.min(2, entries.length - required.length) },
        )
        .chain((chosen) =>
          fc.record(
            Object.fromEntries(
              [...entries.filter(([key]) => required.includes(key)), ...chosen].map(
                ([key, child]) => [key, fromSchema(child)],
              ),
            ),
          ),
        );
      if (typeof node.additionalProperties !== 'object') return fixed;
      const names =
        node.propertyNames?.format !== undefined
          ? matching(formatPatterns[node.propertyNames.format as keyof typeof formatPatterns])
          : fc.string({ minLength: 1, maxLength: 12 });
      return fc
        .tuple(fixed, fc.dictionary(names, fromSchema(node.additionalProperties), { maxKeys: 3 }))
        .map(([known, extra]) => ({ ...extra, ...known }));
    }
    case 'array':
      return fc.array(fromSchema(node.items ?? {}), {
        minLength: node.minItems ?? 0,
        maxLength: Math.min(node.maxItems ?? 3, 3),
      });
    case 'string':
      return node.format !== undefined
        ? matching(formatPatterns[node.format as keyof typeof formatPatterns])
        : fc.string({ minLength: node.minLength ?? 0, maxLength: 16 });
    case 'integer':
      return fc.integer({ min: node.minimum ?? -1000, max: node.maximum ?? 1_000_000 });
    case 'number': {
      const min = node.minimum ?? node.exclusiveMinimum ?? -1e6;
      const max = node.maximum ?? node.exclusiveMaximum ?? 1e6;
      return fc
        .double({ min, max, noNaN: true })
        .filter(
          (value) =>
            value !== node.exclusiveMinimum &&
            value !== node.exclusiveMaximum &&
            !Object.is(value, -0),
        );
    }
    case 'boolean':
      return fc.boolean();
    default:
      return scalar;
  }
}

const environmentName = fc.constantFrom('dev', 'staging', 'prod', 'qa', 'edge-1');

// ---------------------------------------------------------------------------------------------
// Inputs read or rendered once

interface Source {
  name: string;
  text: string;
  parsed: Json;
  /** `parsed` is the list of the YAML documents of the file. */
  documents?: boolean;
}

const environmentSources: Source[] = [];
/** Rendered files: relative path in the tree -> text, per fixture. */
const renderedTrees: { root: string; files: Source[] }[] = [];

/** A source prints as where it came from in counterexamples, not as its whole text. */
function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => label });
  return value;
}

async function readSources(folder: string): Promise<Source[]> {
  const names = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(folder, name), 'utf8');
      const source = { name: name.replace(/\.ya?ml$/, ''), text, parsed: parse(text) as Json };
      return labelled(source, relative(repoRoot, join(folder, name)));
    }),
  );
}

async function listTree(root: string, folder = ''): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(join(root, folder), { withFileTypes: true })) {
    const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) paths.push(...(await listTree(root, path)));
    else paths.push(path);
  }
  return paths;
}

beforeAll(async () => {
  const folders = [
    join(repoRoot, 'environments'),
    ...['appset-git', 'appset-list', 'custom', 'flux'].map((name) =>
      join(repoRoot, 'test/fixtures', `environments-${name}`),
    ),
  ];
  for (const folder of folders) environmentSources.push(...(await readSources(folder)));
  for (const fixture of ['custom', 'flux', 'appset-list']) {
    const root = await tempDir();
    const config = join(repoRoot, 'test/fixtures', `environments-${fixture}`);
    const result = await runCli(['render', '--config', config, '--out', root], root);
    expect(result.code).toBe(0);
    const files: Source[] = [];
    for (const path of await listTree(root)) {
      const text = await readFile(join(root, path), 'utf8');
      const json = path.endsWith('.json');
      const parsed = json
        ? (JSON.parse(text) as Json)
        : parseAllDocuments(text).map((document) => document.toJS() as Json);
      files.push(labelled({ name: path, text, parsed, documents: !json }, `${fixture}:${path}`));
    }
    renderedTrees.push(labelled({ root, files }, `render of environments-${fixture}`));
  }
});

// ---------------------------------------------------------------------------------------------
// render

interface EnvironmentCase {
  name: string;
  content: Buffer;
  /** Unchanged environment files beside it. */
  siblings: Source[];
}

async function renderCase(root: string, { name, content, siblings }: EnvironmentCase) {
  const config = join(root, 'config');
  const out = join(root, 'out');
  await mkdir(config);
  await writeFile(join(config, `${name}.yaml`), content);
  const others = siblings.filter((sibling) => sibling.name !== name);
  for (const sibling of others) await writeFile(join(config, `${sibling.name}.yaml`), sibling.text);
  const result = await runCli(['render', '--config', 'config', '--out', 'out'], root);
  expectCleanAnswer(result);
  const fileNames = [name, ...others.map((sibling) => sibling.name)].map((n) => `${n}.yaml`);
  if (result.code === 2) {
    expect(fileNames.some((fileName) => result.stderr.includes(fileName))).toBe(true);
    // A bad input writes nothing.
    expect(await exists(out)).toBe(false);
  }
  if (result.code === 0) {
    expect(result.stdout).toMatch(/rendered /);
    for (const fileName of fileNames) {
      const overlay = join(out, 'overlays', fileName.replace(/\.yaml$/, ''), 'kustomization.yaml');
      expect(await exists(overlay)).toBe(true);
      // Operator-mode overlays stand alone; every other one needs the base.
      if ((await readFile(overlay, 'utf8')).includes('../../base')) {
        expect(await exists(join(out, 'base/kustomization.yaml'))).toBe(true);
      }
    }
  }
  return result;
}

const siblingsArb = fc
  .constant(null)
  .chain(() => fc.subarray(environmentSources, { maxLength: 2 }));

describe('render: any environment file gets a clean answer', () => {
  it(`generated from the schema (${runs.generated} runs)`, async () => {
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        environmentName,
        fromSchema(environmentSchema as unknown as SchemaNode),
        fc.constantFrom<Serialization>('yaml', 'json', 'flow'),
        async (name, value, as) => {
          const content = Buffer.from(serialize(value, as), 'utf8');
          const result = await withScratch((root) =>
            renderCase(root, { name, content, siblings: [] }),
          );
          codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
        },
      ),
      { seed, numRuns: runs.generated },
    );
    // The generator is worth its time only if some of what it makes renders.
    expect(codes.get(0) ?? 0).toBeGreaterThan(0);
  });

  it(`mutated from the repository's and the fixtures' environments (${runs.mutated} runs)`, async () => {
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => fc.constantFrom(...environmentSources)),
        fc.constant(null).chain(() => mutatedText(fc.constantFrom(...environmentSources))),
        siblingsArb,
        async (named, content, siblings) => {
          const result = await withScratch((root) =>
            renderCase(root, { name: named.name, content, siblings }),
          );
          codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
        },
      ),
      { seed: seed + 1, numRuns: runs.mutated },
    );
    expect(codes.get(0) ?? 0).toBeGreaterThan(0);
    expect(codes.get(2) ?? 0).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Environment file names

const unsafeName = fc.oneof(
  fc.constantFrom(
    '.',
    '..',
    '...',
    '..%2f..%2fetc',
    '%2e%2e',
    '..\\..\\etc',
    '\\\\server\\share',
    'C:',
    'C:\\Windows',
    '~root',
    '-rf',
    '.hidden',
    'prod.',
    'Prod',
    'PROD',
    'prod eu',
    'prod\teu',
    'prod\neu',
    'prod‐eu', // a Unicode hyphen
    'ρrod', // a Greek rho
    'prod\u200B',
    'ｐｒｏｄ',
    '日本',
    '🚀',
    'a'.repeat(64),
    'a-',
    '-a',
    'a_b',
    'a.b',
    '__proto__',
    'constructor',
  ),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
    .filter((name) => !name.includes('/') && !name.includes('\0')),
  fc
    .array(fc.constantFrom('..', '.', 'etc', 'passwd', '\\', ':', 'a'), {
      minLength: 1,
      maxLength: 5,
    })
    .map((parts) => parts.join('')),
);

const validName = matching(formatPatterns['dns-label']);
const dnsLabel = formatPatterns['dns-label'];

describe('render: environment file names never escape the output folder', () => {
  it(`a name that is no DNS label is refused with exit 2; nothing is written outside out/ (${runs.names} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 4, arbitrary: unsafeName }, { weight: 1, arbitrary: validName }),
        async (name) => {
          fc.pre(Buffer.byteLength(`${name}.yaml`) <= 255 && name !== '');
          await withScratch(async (root) => {
            const config = join(root, 'config');
            const out = join(root, 'out');
            await mkdir(config);
            await mkdir(join(root, 'sibling'));
            await writeFile(join(root, 'sibling/keep.yaml'), 'untouched\n');
            await writeFile(join(config, `${name}.yaml`), 'namespace: mlflow-x\n');
            const before = await snapshot(root, ['out']);
            const result = await runCli(['render', '--config', 'config', '--out', 'out'], root);
            expectCleanAnswer(result);
            expect(await snapshot(root, ['out'])).toEqual(before);
            // `root` is a valid label but reserved: it would replace the root Application.
            if (name === 'root') {
              expect(result.code).toBe(2);
              expect(result.stderr).toContain('environment "root" would name');
            } else if (dnsLabel.test(name)) {
              expect(result.code).toBe(0);
              const written = await listTree(out);
              expect(written).toContain(`overlays/${name}/kustomization.yaml`);
              for (const path of written)
                expect(relative(out, join(out, path))).not.toMatch(/^\.\./);
            } else {
              expect(result.code).toBe(2);
              expect(result.stderr).toMatch(/^error: /);
              expect(result.stderr).toContain('is not a valid name');
              expect(await exists(out)).toBe(false);
            }
          });
        },
      ),
      { seed: seed + 2, numRuns: runs.names },
    );
  });

  it('names that cannot be file names (with / or absolute) are refused by the loader', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(
            '../evil',
            '../../etc/passwd',
            '/etc/passwd',
            '/',
            'a/b',
            'a/../../b',
            './a',
          ),
          fc
            .array(fc.constantFrom('..', '.', 'a', '', 'etc'), { minLength: 2, maxLength: 5 })
            .map((parts) => parts.join('/')),
        ),
        (name) => {
          let error: unknown;
          try {
            resolveEnvironmentSources([{ file: `/config/${name}.yaml`, name, text: '' }]);
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(GitopsGenError);
          const problems = (error as GitopsGenError).problems;
          expect(problems.map((problem) => problem.code)).toContain(
            'config/invalid-environment-name',
          );
        },
      ),
      { seed: seed + 3, numRuns: 50 },
    );
  });

  it('--env with such a name is a usage error (exit 2) that writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(unsafeName, fc.constantFrom('../evil', '/etc', 'a/b', '../../tmp/x'))
          .filter((name) => !['dev', 'staging', 'prod'].includes(name)),
        async (name) => {
          await withScratch(async (root) => {
            const result = await runCli(['render', '--out', 'out', '--env', name], root);
            expectCleanAnswer(result);
            expect(result.code).toBe(2);
            expect(await readdir(root)).toEqual([]);
          });
        },
      ),
      { seed: seed + 4, numRuns: 25 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// validate

function expectJsonReport(result: CliResult): void {
  expectCleanAnswer(result);
  if (result.code !== 2 || result.stdout !== '')
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
}

const renderedFile = fc
  .constant(null)
  .chain(() => fc.constantFrom(...renderedTrees.flatMap(({ files }) => files)));

describe('validate: any manifest gets a clean answer', () => {
  it(`a mutated rendered file, in human and JSON form (${runs.manifests} runs)`, async () => {
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        renderedFile.chain((target) =>
          fc.record({
            target: fc.constant(target),
            // Mostly its own text, sometimes another file's (content checks go by path).
            content: mutatedText(
              fc.oneof({ weight: 4, arbitrary: fc.constant(target) }, renderedFile),
            ),
          }),
        ),
        async ({ target, content }) => {
          await withScratch(async (root) => {
            const path = join(root, target.name);
            await mkdir(dirname(path), { recursive: true });
            await writeFile(path, content);
            const human = await runCli(['validate', '--promtool', 'never', target.name], root);
            expectCleanAnswer(human);
            const json = await runCli(
              ['validate', '-o', 'json', '--promtool', 'never', target.name],
              root,
            );
            expectJsonReport(json);
            expect(json.code).toBe(human.code);
            codes.set(json.code, (codes.get(json.code) ?? 0) + 1);
          });
        },
      ),
      { seed: seed + 5, numRuns: runs.manifests },
    );
    expect(codes.get(1) ?? 0).toBeGreaterThan(0);
  });

  it(`a rendered tree with one file mutated, validated by folder (${runs.overlays} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constant(null)
          .chain(() => fc.constantFrom(...renderedTrees))
          .chain((tree) =>
            fc.constantFrom(...tree.files).chain((victim) =>
              fc.record({
                tree: fc.constant(tree),
                victim: fc.constant(victim),
                content: mutatedText(fc.constant(victim)),
              }),
            ),
          ),
        async ({ tree, victim, content }) => {
          await withScratch(async (root) => {
            for (const file of tree.files) {
              await mkdir(dirname(join(root, file.name)), { recursive: true });
              await writeFile(join(root, file.name), file.text);
            }
            await writeFile(join(root, victim.name), content);
            const overlays = (await readdir(join(root, 'overlays'))).map(
              (env) => `overlays/${env}`,
            );
            const delivery = ['argocd', 'clusters'].filter((folder) =>
              tree.files.some((file) => file.name.startsWith(`${folder}/`)),
            );
            const json = await runCli(
              ['validate', '-o', 'json', '--promtool', 'never', ...overlays, ...delivery],
              root,
            );
            expectJsonReport(json);
          });
        },
      ),
      { seed: seed + 6, numRuns: runs.overlays },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Found by these properties: aliases the yaml package throws on while converting.

describe('aliases in environment files', () => {
  const cases = {
    'an alias to no anchor': 'namespace: *nowhere\n',
    'aliases that expand to more than 100 nodes':
      'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n' +
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n' +
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n' +
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
  };
  for (const [what, text] of Object.entries(cases)) {
    it(`${what} is an input error (exit 2), not an internal error`, async () => {
      await withScratch(async (root) => {
        await mkdir(join(root, 'config'));
        await writeFile(join(root, 'config/dev.yaml'), text);
        const result = await runCli(['render', '--config', 'config', '--out', 'out'], root);
        expectCleanAnswer(result);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('dev.yaml');
      });
    });
  }
});
