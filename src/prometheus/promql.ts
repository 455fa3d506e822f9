/**
 * PromQL parsing with Prometheus' own lezer grammar (`@prometheus-io/lezer-promql`), plus the
 * checks Prometheus' Go parser makes after parsing and the grammar does not: unknown and
 * experimental functions, argument counts and types (`rate(x)` needs a range vector), selectors
 * that match everything, regexes that RE2 rejects, escape sequences in strings, offsets and `@`
 * in the wrong place, scalar comparisons without `bool`, set operators on scalars. Returns the
 * metric names and label matchers the expression uses. Messages follow Prometheus' wording
 * where there is one. Pure.
 *
 * This module runs the steps: lezer's syntax errors (promql-syntax.ts), the tree walk and type
 * checks (promql-tree.ts, promql-check.ts), the result type. Types live in promql-types.ts.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { Checker } from './promql-check.js';
import { documentedType, type ValueType } from './promql-functions.js';
import { syntaxError } from './promql-syntax.js';
import { children, expressionNodes, PromqlFailure } from './promql-tree.js';
import type { PromqlOptions, PromqlParseResult } from './promql-types.js';

export { offsetPosition, unquotePromql } from './promql-syntax.js';
export type {
  LabelMatcher,
  MatchOperator,
  PromqlError,
  PromqlOptions,
  PromqlParseResult,
  PromqlTree,
  ValueType,
} from './promql-types.js';

function article(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

/**
 * Results of recent parses. The same expressions come back often (every overlay carries the
 * same rules and dashboard), and a result is immutable, so a small bounded cache pays.
 */
const recentResults = new Map<string, PromqlParseResult>();
const recentResultsLimit = 4096;

/** Parses and checks one PromQL expression. */
export function parsePromql(expr: string, options: PromqlOptions = {}): PromqlParseResult {
  const key = `${options.typeCheck === false ? 0 : 1}|${(options.resultTypes ?? []).join(',')}|${options.resultContext ?? ''}|${expr}`;
  const cached = recentResults.get(key);
  if (cached) return cached;
  const result = parseUncached(expr, options);
  if (recentResults.size >= recentResultsLimit) recentResults.clear();
  recentResults.set(key, result);
  return result;
}

function parseUncached(expr: string, options: PromqlOptions): PromqlParseResult {
  const tree = parser.parse(expr);
  if (expr.replace(/#.*$/gm, '').trim() === '')
    return {
      ok: false,
      error: { code: 'promql/syntax', message: 'no expression found in input', offset: 0 },
    };
  let firstError: { from: number; to: number } | undefined;
  tree.iterate({
    enter: (node) => {
      if (firstError) return false;
      if (node.type.isError) {
        firstError = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
    },
  });
  if (firstError) return { ok: false, error: syntaxError(expr, firstError) };
  const root = children(tree.topNode).find((node) => expressionNodes.has(node.name));
  if (!root)
    return {
      ok: false,
      error: { code: 'promql/syntax', message: 'no expression found in input', offset: 0 },
    };
  const checker = new Checker(expr, options.typeCheck ?? true);
  let type: ValueType | undefined;
  try {
    type = checker.check(root);
  } catch (error: unknown) {
    if (error instanceof PromqlFailure) return { ok: false, error: error.error };
    throw error;
  }
  const resultTypes = options.resultTypes;
  if (
    resultTypes &&
    type !== undefined &&
    (options.typeCheck ?? true) &&
    !resultTypes.includes(type)
  )
    return {
      ok: false,
      error: {
        code: 'promql/result-type',
        message: `the expression is ${article(documentedType[type])}; ${options.resultContext ?? 'this use'} needs ${resultTypes.map((wanted) => article(documentedType[wanted])).join(' or ')}`,
        offset: 0,
        hint:
          type === 'matrix'
            ? 'wrap the range selector in a function such as rate() or max_over_time()'
            : undefined,
      },
    };
  return {
    ok: true,
    tree,
    metrics: [...new Set(checker.selectors.metrics)].sort(),
    matchers: checker.selectors.matchers,
    type: type ?? 'vector',
  };
}
