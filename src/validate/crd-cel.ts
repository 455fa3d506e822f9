/**
 * `x-kubernetes-validations` of the run's CRDs, evaluated on their custom resources with
 * @bufbuild/cel (issue 14, point 7). Loaded lazily by crd-schemas.ts, only when a kind with rules
 * is met, so that validate's cold start does not pay for the CEL library.
 *
 * As the API server does on create: each rule is evaluated at its schema path for every node
 * present there (list items and map values one by one), `self` bound to that node; rules that
 * read `oldSelf` (transition rules) are skipped. A false rule is an error (`crd/validation-rule`)
 * with its `message`, `messageExpression`, `reason` and `fieldPath`. A rule that does not
 * compile or calls a function this library lacks is reported once per run as info
 * (`crd/rule-not-evaluated`). Evaluation errors of another kind (a field that is absent, which
 * defaulting might have filled in) leave the rule unevaluated, silently.
 *
 * Functions: CEL's standard ones and macros, the strings extension (charAt, indexOf,
 * lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join, format) and the
 * Kubernetes list helpers isSorted, sum, min and max. Not provided: quantity(), url(), ip/cidr,
 * format.*, indexOf/lastIndexOf on lists, regex find/findAll, authz.
 */
import {
  celMethod,
  celEnv,
  CelScalar,
  isCelError,
  listType,
  parse,
  plan,
  type CelInput,
  type CelResult,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { ManifestResource, Path } from './documents.js';
import { formatPath, type Finding } from './findings.js';
import { isRecord } from './object-paths.js';

/**
 * One `x-kubernetes-validations` rule, collected by crd-schemas.ts: `path` is where the rule sits
 * inside the custom resource (`[]` for the root, `'*'` for any list item or map value).
 */
export interface CrdValidationRule {
  path: Path;
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
}

type Program = (bindings: Record<string, CelInput>) => CelResult;

type Compiled = { ok: true; run: Program } | { ok: false; reason: string };

type Comparable = bigint | number | string;

function comparable(value: CelValue): value is Comparable {
  return typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string';
}

function items(list: Iterable<CelValue>): Comparable[] {
  const out: Comparable[] = [];
  for (const value of list) {
    if (!comparable(value)) throw new Error('list elements must be numbers or strings');
    out.push(value);
  }
  return out;
}

function extreme(list: Iterable<CelValue>, pick: (a: Comparable, b: Comparable) => boolean) {
  const values = items(list);
  if (values.length === 0) throw new Error('min/max of an empty list');
  return values.reduce((best, value) => (pick(value, best) ? value : best));
}

const DYN_LIST = listType(CelScalar.DYN);

/** The Kubernetes list library, the parts that need no type information. */
const kubernetesLists = [
  celMethod('isSorted', DYN_LIST, [], CelScalar.BOOL, function () {
    const values = items(this);
    return values.every((value, index) => index === 0 || (values[index - 1] ?? value) <= value);
  }),
  celMethod('sum', DYN_LIST, [], CelScalar.DYN, function () {
    const values = items(this);
    if (values.every((value) => typeof value === 'bigint'))
      return values.reduce(
        (total: bigint, value) => total + (typeof value === 'bigint' ? value : 0n),
        0n,
      );
    return values.reduce((total: number, value) => total + Number(value), 0);
  }),
  celMethod('min', DYN_LIST, [], CelScalar.DYN, function () {
    return extreme(this, (a, b) => a < b);
  }),
  celMethod('max', DYN_LIST, [], CelScalar.DYN, function () {
    return extreme(this, (a, b) => a > b);
  }),
];

/**
 * Errors that mean "this library cannot run the rule", not "the rule failed": a function it
 * lacks, or the Kubernetes list overloads of indexOf/lastIndexOf (it has the string ones only).
 * Other overload errors come from data of the wrong type, which the schema check reports.
 */
const UNSUPPORTED =
  /unbound function|no matching overload for '(?:indexOf|lastIndexOf)' applied to 'list/i;

/** JSON/YAML data as CEL values: whole numbers are CEL ints, objects are maps. */
function toCel(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (isRecord(value))
    return new Map(Object.entries(value).map(([key, item]) => [key, toCel(item)]));
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  return null;
}

/** Every node at a schema path (`'*'` is any list item or map value), with its concrete path. */
function nodesAt(object: unknown, path: Path): { path: Path; value: unknown }[] {
  let nodes: { path: Path; value: unknown }[] = [{ path: [], value: object }];
  for (const segment of path) {
    const next: { path: Path; value: unknown }[] = [];
    for (const node of nodes) {
      if (segment === '*') {
        if (Array.isArray(node.value))
          node.value.forEach((value, index) => next.push({ path: [...node.path, index], value }));
        else if (isRecord(node.value))
          for (const [key, value] of Object.entries(node.value))
            next.push({ path: [...node.path, key], value });
      } else if (isRecord(node.value) && node.value[String(segment)] !== undefined) {
        next.push({ path: [...node.path, segment], value: node.value[String(segment)] });
      }
    }
    nodes = next;
  }
  // A rule on a field that is absent or null is not evaluated.
  return nodes.filter((node) => node.value !== null && node.value !== undefined);
}

/** `.spec.ports[0]` or `.labels['a.b']` (a rule's fieldPath) as path segments. */
function parseFieldPath(fieldPath: string): Path | undefined {
  const path: (string | number)[] = [];
  const pattern = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]/gy;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = pattern.exec(fieldPath)) !== null) {
    if (match[1] !== undefined) path.push(match[1]);
    else if (match[2] !== undefined) path.push(Number(match[2]));
    else path.push((match[3] ?? '').replace(/\\(.)/g, '$1'));
    end = pattern.lastIndex;
  }
  return end === fieldPath.length ? path : undefined;
}

const REASONS: Record<string, string> = {
  FieldValueRequired: 'Required value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
};

/** Evaluates the rules of the run's CRDs; one per run (it remembers what it has reported). */
export class CelRuleChecker {
  readonly #env = celEnv({ funcs: [...strings, ...kubernetesLists] });
  readonly #compiled = new Map<string, Compiled>();
  readonly #reported = new Set<string>();

  #compile(expression: string): Compiled {
    let compiled = this.#compiled.get(expression);
    if (!compiled) {
      try {
        compiled = { ok: true, run: plan(this.#env, parse(expression)) };
      } catch (error) {
        compiled = { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
      this.#compiled.set(expression, compiled);
    }
    return compiled;
  }

  /** The findings of one custom resource against its kind's rules. */
  check(resource: ManifestResource, rules: readonly CrdValidationRule[]): Finding[] {
    const findings: Finding[] = [];
    const base = { file: resource.file, document: resource.document, resource: resource.id };
    const at = (path: Path, where: 'key' | 'value' = 'value'): Partial<Finding> => ({
      ...resource.locate(path, where),
      path: formatPath([...resource.pathInDocument, ...path]),
    });
    const notEvaluated = (rule: CrdValidationRule, path: Path, reason: string): void => {
      const key = `${resource.id.apiVersion}/${resource.id.kind}|${formatPath(rule.path)}|${rule.rule}`;
      if (this.#reported.has(key)) return;
      this.#reported.add(key);
      findings.push({
        ...base,
        severity: 'info',
        code: 'crd/rule-not-evaluated',
        ...at(path),
        message: `x-kubernetes-validations rule ${JSON.stringify(rule.rule)} of ${resource.id.kind} was not evaluated: ${reason}`,
        hint: 'check this rule with the API server (kubectl apply --dry-run=server)',
      });
    };
    for (const rule of rules) {
      // Transition rules need the stored object: on create the API server skips them.
      if (/\boldSelf\b/.test(rule.rule)) continue;
      const nodes = nodesAt(resource.object, rule.path);
      const first = nodes[0];
      if (first === undefined) continue;
      const compiled = this.#compile(rule.rule);
      if (!compiled.ok) {
        notEvaluated(rule, first.path, `it does not compile (${compiled.reason})`);
        continue;
      }
      for (const node of nodes) {
        const self = toCel(node.value);
        const result = compiled.run({ self });
        if (isCelError(result)) {
          if (UNSUPPORTED.test(result.message)) {
            notEvaluated(rule, node.path, `the CEL library lacks a function (${result.message})`);
            break;
          }
          continue; // e.g. a field the API server would have defaulted: not our call
        }
        if (result !== false) continue;
        findings.push({
          ...base,
          severity: 'error',
          code: 'crd/validation-rule',
          ...this.#place(rule, node.path, at),
          message: this.#message(rule, self),
        });
      }
    }
    return findings;
  }

  #place(
    rule: CrdValidationRule,
    path: Path,
    at: (path: Path, where?: 'key' | 'value') => Partial<Finding>,
  ): Partial<Finding> {
    const relative = rule.fieldPath === undefined ? [] : parseFieldPath(rule.fieldPath);
    const target = relative === undefined ? path : [...path, ...relative];
    // At the key of the field (`spec:`), or its value for a list item (no key).
    const keyed = at(target, 'key');
    const placed = keyed.line === undefined ? at(target) : keyed;
    return placed.line === undefined && target !== path
      ? { ...at(path), path: placed.path }
      : placed;
  }

  #message(rule: CrdValidationRule, self: CelInput): string {
    let message = rule.message ?? `failed rule: ${rule.rule}`;
    if (rule.messageExpression !== undefined) {
      const compiled = this.#compile(rule.messageExpression);
      const result = compiled.ok ? compiled.run({ self }) : undefined;
      if (typeof result === 'string' && result.trim() !== '') message = result;
    }
    const reason = rule.reason === undefined ? undefined : REASONS[rule.reason];
    return reason ? `${reason}: ${message}` : message;
  }
}
