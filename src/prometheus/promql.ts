/**
 * PromQL parsing with Prometheus' own lezer grammar (`@prometheus-io/lezer-promql`), plus the
 * checks Prometheus' Go parser makes after parsing and the grammar does not: unknown and
 * experimental functions, argument counts and types (`rate(x)` needs a range vector), selectors
 * that match everything, regexes that RE2 rejects, escape sequences in strings, offsets and `@`
 * in the wrong place, scalar comparisons without `bool`, set operators on scalars. Returns the
 * metric names and label matchers the expression uses. Messages follow Prometheus' wording
 * where there is one. Pure.
 *
 * Where Prometheus 3 (lezer's grammar) and the promtool 2.42 that CI runs disagree on syntax,
 * the verdict is promtool's (numbers and durations, quoted names unless nameValidation is
 * `utf8`); test/prometheus/promql-differential.test.ts holds the cases from Prometheus' own
 * parser tests.
 *
 * This module runs the steps: numbers and durations as Go's lexer reads them (promql-lex.ts),
 * lezer's syntax errors (promql-syntax.ts), the tree walk and type checks (promql-tree.ts,
 * promql-check.ts), the result type. Types live in promql-types.ts.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { Checker } from './promql-check.js';
import { documentedType, type ValueType } from './promql-functions.js';
import { lexNumbers } from './promql-lex.js';
import { syntaxError } from './promql-syntax.js';
import { children, expressionNodes, PromqlFailure } from './promql-tree.js';
import type { PromqlOptions, PromqlParseResult, PromqlTree } from './promql-types.js';

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
  const key = `${options.typeCheck === false ? 0 : 1}|${options.nameValidation ?? 'legacy'}|${(options.resultTypes ?? []).join(',')}|${options.resultContext ?? ''}|${expr}`;
  const cached = recentResults.get(key);
  if (cached) return cached;
  const result = parseUncached(expr, options);
  if (recentResults.size >= recentResultsLimit) recentResults.clear();
  recentResults.set(key, result);
  return result;
}

function firstErrorOf(tree: PromqlTree): { from: number; to: number } | undefined {
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
  return firstError;
}

/**
 * Lezer's tree of `input`. Prometheus' grammar takes `offset` as a metric name where an operand
 * is expected (`offset{a="b"}`, `sum(offset)`); lezer always reads it as the keyword. Where lezer
 * stops at such a word, it reads it again spelt as an identifier of the same length (the
 * checker reads names from the original text, so `offset` is what it records).
 */
function parseTree(input: string): { tree: PromqlTree; error?: { from: number; to: number } } {
  let text = input;
  let tree = parser.parse(text);
  let error = firstErrorOf(tree);
  for (let attempt = 0; error && attempt < 8; attempt++) {
    const at = error.from;
    const word = /^offset(?![A-Za-z0-9_:])/i.exec(text.slice(at))?.[0];
    const before = text.slice(0, at).replace(/#.*$/gm, '').trimEnd();
    const operandEnds =
      /[A-Za-z0-9_:)\]}"'`]$/.test(before) &&
      !/(?:^|[^A-Za-z0-9_:])(?:and|or|unless|atan2|bool)$/i.test(before) &&
      !/(?:on|ignoring|group_left|group_right)\s*\([^()]*\)$/i.test(before);
    if (word === undefined || operandEnds) break;
    const retext = `${text.slice(0, at)}_${word.slice(1)}${text.slice(at + word.length)}`;
    const retree = parser.parse(retext);
    const reerror = firstErrorOf(retree);
    if (reerror && reerror.from <= at) break;
    text = retext;
    tree = retree;
    error = reerror;
  }
  return error ? { tree, error } : { tree };
}

function parseUncached(expr: string, options: PromqlOptions): PromqlParseResult {
  if (expr.replace(/#.*$/gm, '').trim() === '')
    return {
      ok: false,
      error: { code: 'promql/syntax', message: 'no expression found in input', offset: 0 },
    };
  const lexed = lexNumbers(expr);
  const { tree, error: firstError } = parseTree('error' in lexed ? expr : lexed.input);
  // Go lexes as it parses: the error that comes first in the text is the one it reports.
  if ('error' in lexed && (!firstError || lexed.error.offset <= firstError.from))
    return { ok: false, error: lexed.error };
  if (firstError) return { ok: false, error: syntaxError(expr, firstError) };
  if ('error' in lexed) return { ok: false, error: lexed.error };
  const root = children(tree.topNode).find((node) => expressionNodes.has(node.name));
  if (!root)
    return {
      ok: false,
      error: { code: 'promql/syntax', message: 'no expression found in input', offset: 0 },
    };
  const checker = new Checker(
    expr,
    options.typeCheck ?? true,
    lexed.kinds,
    options.nameValidation === 'utf8',
  );
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
