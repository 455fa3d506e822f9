/**
 * The environment file explained from its own schema: what a key means, its type, its allowed
 * values and its default in each tier (read from the resolved built-in environments, so it can
 * never disagree with what `render` does), for `gitops-gen explain` and the README's reference.
 * Pure.
 */
import { UsageError } from '../errors.js';
import { tiers, type Tier } from './environment.js';
import { didYouMean } from './hints.js';
import { resolveEnvironment } from './resolve.js';
import { environmentSchema } from './schema.js';

/** The parts of a JSON Schema node this explains. */
interface SchemaNode {
  type?: string;
  description?: string;
  enum?: readonly unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  properties?: Readonly<Record<string, SchemaNode>>;
  items?: SchemaNode;
  required?: readonly string[];
}

export interface KeyExplanation {
  /** Dotted key path, `[]` for the items of a list. */
  path: string;
  type: string;
  description: string;
  /** Allowed values, when the key takes one of a fixed set. */
  allowed?: string[];
  /** Range or format constraints, in words. */
  constraints: string[];
  /** The built-in default per tier; absent when the key has none. */
  defaults?: Record<Tier, string>;
  /** Keys below this one (an object, or the items of a list of objects). */
  children: { key: string; description: string }[];
}

const root = environmentSchema as unknown as SchemaNode;

function childrenOf(node: SchemaNode): Readonly<Record<string, SchemaNode>> {
  return node.properties ?? node.items?.properties ?? {};
}

/** Every key path of the schema, depth first, in the schema's order. */
export function keyPaths(node: SchemaNode = root, prefix = ''): string[] {
  return Object.entries(childrenOf(node)).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const below = child.type === 'array' && child.items?.properties ? `${path}[]` : path;
    return [path, ...keyPaths(child, below)];
  });
}

function nodeAt(path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const segment of path.split('.')) {
    const key = segment.replace(/\[\]$/, '');
    node = node ? childrenOf(node)[key] : undefined;
    if (node && segment.endsWith('[]')) node = node.items;
  }
  return node;
}

function typeOf(node: SchemaNode): string {
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  if (node.type === 'object') return 'mapping';
  return node.format ? `${node.type ?? 'value'} (${node.format})` : (node.type ?? 'value');
}

function constraintsOf(node: SchemaNode): string[] {
  const words: string[] = [];
  if (node.minimum !== undefined) words.push(`>= ${String(node.minimum)}`);
  if (node.exclusiveMinimum !== undefined) words.push(`> ${String(node.exclusiveMinimum)}`);
  if (node.maximum !== undefined) words.push(`<= ${String(node.maximum)}`);
  if (node.exclusiveMaximum !== undefined) words.push(`< ${String(node.exclusiveMaximum)}`);
  if (node.minItems !== undefined) words.push(`at least ${String(node.minItems)} item(s)`);
  if (node.required?.length) words.push(`requires ${node.required.join(', ')}`);
  return words;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What each tier resolves to with an empty file; resolved once, on first use. */
let tierDefaults: unknown[] | undefined;

function resolvedTiers(): unknown[] {
  tierDefaults ??= tiers.map((tier) => {
    const resolution = resolveEnvironment(tier, {}, { file: undefined, locate: () => undefined });
    return resolution.ok ? resolution.environment : undefined;
  });
  return tierDefaults;
}

/** The value at `path` of the environment a tier resolves to with an empty file. */
function defaultsAt(path: string): Record<Tier, string> | undefined {
  if (path.includes('[]')) return undefined;
  const values = resolvedTiers().map((environment) => {
    let value: unknown = environment;
    for (const key of path.split('.')) {
      value =
        typeof value === 'object' && value !== null
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    return value === undefined || value === '' ? undefined : show(value);
  });
  if (values.every((value) => value === undefined)) return undefined;
  return Object.fromEntries(
    tiers.map((tier, index) => [tier, values[index] ?? '(none)']),
  ) as Record<Tier, string>;
}

/** Explains one key, such as `prometheus.retention` or `alertmanager.receivers[].type`. */
export function explainKey(path: string): KeyExplanation {
  const normalized = path.trim().replace(/^\.+|\.+$/g, '');
  const node = normalized === '' ? root : nodeAt(normalized);
  if (!node) {
    const known = keyPaths();
    throw new UsageError(
      `the environment file has no key \`${normalized}\``,
      didYouMean(normalized, known) ??
        `top-level keys: ${Object.keys(childrenOf(root)).join(', ')}`,
    );
  }
  const defaults = normalized === '' ? undefined : defaultsAt(normalized);
  return {
    path: normalized === '' ? '(environment file)' : normalized,
    type: typeOf(node),
    description: node.description ?? '',
    ...(node.enum ? { allowed: node.enum.map(show) } : {}),
    constraints: constraintsOf(node),
    ...(defaults ? { defaults } : {}),
    children: Object.entries(childrenOf(node)).map(([key, child]) => ({
      key,
      description: child.description ?? '',
    })),
  };
}

/** `gitops-gen explain` as text. */
export function formatExplanation(explanation: KeyExplanation): string {
  const lines = [`${explanation.path}: ${explanation.type}`];
  if (explanation.description) lines.push(`  ${explanation.description}`);
  if (explanation.allowed) lines.push(`  one of: ${explanation.allowed.join(', ')}`);
  if (explanation.constraints.length > 0) lines.push(`  ${explanation.constraints.join(', ')}`);
  const { defaults } = explanation;
  if (defaults) {
    const distinct = new Set(Object.values(defaults));
    lines.push(
      distinct.size === 1
        ? `  default: ${defaults.dev}`
        : `  default: ${tiers.map((tier) => `${tier} ${defaults[tier]}`).join(', ')}`,
    );
  }
  if (explanation.children.length > 0) {
    lines.push('  keys:');
    const width = Math.max(...explanation.children.map((child) => child.key.length));
    for (const child of explanation.children) {
      lines.push(`    ${child.key.padEnd(width)}  ${child.description}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's environment file reference: every key, its type, defaults and meaning. */
export function environmentReference(): string {
  const rows = keyPaths().map((path) => {
    const explanation = explainKey(path);
    const code = (value: string): string => `\`${value}\``;
    const { defaults } = explanation;
    // A mapping's default is its keys' defaults, each on its own row.
    const shown =
      !defaults || explanation.type === 'mapping'
        ? ''
        : new Set(Object.values(defaults)).size === 1
          ? code(defaults.dev)
          : tiers.map((tier) => `${tier}: ${code(defaults[tier])}`).join('<br>');
    const type = explanation.allowed ? explanation.allowed.join(', ') : explanation.type;
    return `| ${code(path)} | ${cell(type)} | ${cell(shown)} | ${cell(explanation.description)} |`;
  });
  return ['| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |', ...rows, ''].join(
    '\n',
  );
}
