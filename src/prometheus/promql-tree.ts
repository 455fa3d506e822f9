/**
 * The walk over lezer's PromQL tree: node-name tables, the failure a check throws, and the
 * checks of leaves and modifiers as Prometheus' Go parser makes them: vector selectors and their
 * matchers (metric names, RE2 regexes, selectors that match everything, quoted names), numbers
 * and durations where promtool 2.42 wants the one and not the other (promql-lex.ts tells them
 * apart), `@` timestamps within int64 seconds, and ranges, subqueries, `offset` and `@`.
 * promql-check.ts builds the type checker on top. Pure.
 */
import { documentedType, type ValueType } from './promql-functions.js';
import { goNumber, type NumericKind } from './promql-lex.js';
import { unquotePromql } from './promql-syntax.js';
import type { LabelMatcher, MatchOperator, PromqlError, SyntaxNode } from './promql-types.js';
import { compileRe2 } from './re2.js';
import { quoteJson, quoteValue } from '../text-safety.js';

export const expressionNodes = new Set([
  'AggregateExpr',
  'BinaryExpr',
  'FunctionCall',
  'MatrixSelector',
  'NumberDurationLiteral',
  'OffsetExpr',
  'AnchoredExpr',
  'SmoothedExpr',
  'ParenExpr',
  'StringLiteral',
  'SubqueryExpr',
  'UnaryExpr',
  'VectorSelector',
  'StepInvariantExpr',
]);

/** Nodes that follow their operand: ranges, subqueries and modifiers. */
export const postfixNodes = new Set([
  'MatrixSelector',
  'SubqueryExpr',
  'OffsetExpr',
  'StepInvariantExpr',
  'AnchoredExpr',
  'SmoothedExpr',
]);

export interface PostfixState {
  /** Node name of the operand, updated as postfixes apply (`x[5m]` becomes a MatrixSelector). */
  base: string;
  offset: boolean;
  at: boolean;
  /** The `@` is `start()` or `end()`, not a number. */
  atPreprocessor?: boolean;
}

const matchOperators: Record<string, MatchOperator> = {
  EqlSingle: '=',
  Neq: '!=',
  EqlRegex: '=~',
  NeqRegex: '!~',
};

const experimentalHint = (flag: string): string =>
  `Prometheus v3.5 rejects it unless started with --enable-feature=${flag}; use a stable construct instead`;

export class PromqlFailure extends Error {
  constructor(readonly error: PromqlError) {
    super(error.message);
  }
}

/** The child nodes, without comments (`# ...` may sit between any two tokens). */
export function children(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling)
    if (child.name !== 'LineComment') list.push(child);
  return list;
}

interface SelectorInfo {
  metrics: string[];
  matchers: LabelMatcher[];
}

/**
 * The checks of leaves and postfix modifiers, and the helpers that raise a failure;
 * promql-check.ts extends it with operand types, functions and operators.
 */
export class TreeChecker {
  readonly selectors: SelectorInfo = { metrics: [], matchers: [] };

  constructor(
    private readonly expr: string,
    protected readonly typeCheck: boolean,
    /** Number or duration, per token end (promql-lex.ts); promtool 2.42 takes neither for the other. */
    private readonly numeric: ReadonlyMap<number, NumericKind> = new Map(),
    /**
     * Names as Prometheus 3 reads them (nameValidation `utf8`): quoted names in braces and
     * grouping lists (`{"a.b"}`), `atan2` as a metric name. Prometheus 2.x refuses both.
     */
    private readonly utf8Names = false,
  ) {}

  kind(node: SyntaxNode): NumericKind {
    return this.numeric.get(node.to) ?? 'number';
  }

  /** A quoted label or metric name where Prometheus 2.x (promtool 2.42) wants an identifier. */
  quotedName(node: SyntaxNode, where: 'label matching' | 'grouping opts'): void {
    if (this.utf8Names) return;
    this.fail(
      node,
      'promql/syntax',
      `unexpected string ${quoteJson(this.text(node))} in ${where}, expected ${where === 'label matching' ? 'identifier or "}"' : 'label'}`,
      'quoted (UTF-8) names are Prometheus 3 syntax; promtool 2.x and nameValidation "legacy" refuse them',
    );
  }

  /** A number where a number is wanted: promtool 2.42 refuses a duration there (`5m + 1`). */
  numberLiteral(node: SyntaxNode, context = ''): number {
    const text = this.text(node);
    if (this.kind(node) === 'duration')
      this.fail(
        node,
        'promql/syntax',
        `unexpected duration ${quoteValue(text.replace(/^[-+]/, ''))}${context === '' ? '' : ` in ${context}, expected timestamp`}`,
        'a duration is a number only in Prometheus 3; promtool 2.x wants seconds, e.g. 300',
      );
    const sign = text.startsWith('-') ? -1 : 1;
    const unsigned = text.replace(/^[-+]/, '');
    if (/^inf$/i.test(unsigned)) return sign * Infinity;
    if (/^nan$/i.test(unsigned)) return NaN;
    const parsed = goNumber(unsigned);
    return 'value' in parsed ? sign * parsed.value : NaN;
  }

  text(node: SyntaxNode): string {
    return this.expr.slice(node.from, node.to);
  }

  fail(node: { from: number } | number, code: string, message: string, hint?: string): never {
    const offset = typeof node === 'number' ? node : node.from;
    throw new PromqlFailure({ code, message, offset, ...(hint ? { hint } : {}) });
  }

  typeError(node: SyntaxNode, message: string, hint?: string): never {
    this.fail(node, 'promql/type-error', message, hint);
  }

  experimental(node: SyntaxNode, what: string, flag?: string): never {
    this.fail(
      node,
      'promql/experimental',
      `${what} is an experimental PromQL feature`,
      flag
        ? experimentalHint(flag)
        : 'Prometheus v3.5 does not know it (newer versions accept it only behind a feature flag); use a stable construct instead',
    );
  }

  string(node: SyntaxNode): string {
    const decoded = unquotePromql(this.text(node));
    if ('error' in decoded)
      this.fail(
        node.from + decoded.at,
        'promql/syntax',
        decoded.error,
        decoded.error.startsWith('unknown escape')
          ? 'a backslash in a quoted PromQL string starts an escape: write \\\\ for a regex backslash (e.g. "a\\\\.b"), or use a `raw` string'
          : undefined,
      );
    return decoded.value;
  }

  vectorSelector(node: SyntaxNode, kids: SyntaxNode[]): void {
    const names: string[] = [];
    const matchers: LabelMatcher[] = [];
    const identifier = kids.find((kid) => kid.name === 'Identifier');
    // Prometheus 2.x's grammar does not take the operator atan2 as a metric name; 3.x does.
    if (identifier && this.text(identifier).toLowerCase() === 'atan2' && !this.utf8Names)
      this.fail(identifier, 'promql/syntax', 'unexpected <op:atan2>');
    if (identifier) names.push(this.text(identifier));
    const matcherList = kids.find((kid) => kid.name === 'LabelMatchers');
    for (const item of matcherList ? children(matcherList) : []) {
      if (item.name === 'QuotedLabelName') {
        this.quotedName(item, 'label matching');
        const literal = item.firstChild;
        if (literal) names.push(this.string(literal));
        continue;
      }
      const parts = children(item);
      const labelNode = parts[0];
      const opNode = parts[1]?.firstChild;
      const valueNode = parts[2];
      if (!labelNode || !opNode || !valueNode) continue;
      if (labelNode.name === 'QuotedLabelName') this.quotedName(labelNode, 'label matching');
      const label =
        labelNode.name === 'QuotedLabelName' && labelNode.firstChild
          ? this.string(labelNode.firstChild)
          : this.text(labelNode);
      const op = matchOperators[opNode.name] ?? '=';
      const value = this.string(valueNode);
      if (op === '=~' || op === '!~') {
        const compiled = compileRe2(value);
        if (!compiled.ok)
          this.fail(
            valueNode,
            'promql/invalid-regex',
            `${compiled.message} (label matcher ${label}${op}${this.text(valueNode)})`,
            compiled.hint ??
              'label matchers use Go RE2 syntax, anchored at both ends; in double quotes, write \\\\ for a backslash',
          );
      }
      matchers.push({ label, op, value });
    }
    const nameMatchers = matchers.filter((matcher) => matcher.label === '__name__');
    if (names.length > 1 || (names.length === 1 && nameMatchers.length > 0))
      this.fail(
        node,
        'promql/syntax',
        `metric name must not be set twice: "${names[0] ?? ''}" or "${names[1] ?? nameMatchers[0]?.value ?? ''}"`,
      );
    if (names.length === 0 && !matchers.some((matcher) => !matchesEmpty(matcher)))
      this.fail(
        node,
        'promql/empty-selector',
        'vector selector must contain at least one non-empty matcher',
        'add a metric name or a matcher that does not match the empty string, e.g. job="..."',
      );
    const metric =
      names[0] ??
      (nameMatchers.length === 1 && nameMatchers[0]?.op === '='
        ? nameMatchers[0].value
        : undefined);
    for (const name of names) this.selectors.metrics.push(name);
    for (const matcher of nameMatchers)
      if (matcher.op === '=') this.selectors.metrics.push(matcher.value);
    for (const matcher of matchers)
      this.selectors.matchers.push(metric === undefined ? matcher : { ...matcher, metric });
  }

  /** A duration of a range, subquery or offset (`where`), as promtool 2.42 reads it. */
  duration(node: SyntaxNode | undefined, where: 'range' | 'step' | 'offset' = 'range'): void {
    if (!node) return;
    const kids = children(node);
    // `offset -5m` nests the literal under a sign.
    if (
      node.name === 'OffsetDurationExpr' &&
      kids[0]?.name === 'UnaryOp' &&
      kids[1]?.name === 'OffsetDurationExpr'
    ) {
      this.duration(kids[1], where);
      return;
    }
    const literal =
      kids.length === 1 && kids[0]?.name === 'NumberDurationLiteralInDurationContext'
        ? kids[0]
        : undefined;
    if (!literal)
      this.experimental(
        node,
        `The duration expression "${this.text(node)}"`,
        'promql-duration-expr',
      );
    const text = this.text(literal);
    if (/^(?:inf|nan)$/i.test(text) || /^0x/i.test(text))
      this.fail(literal, 'promql/syntax', `${quoteValue(text)} is not a valid duration`);
    // A number of seconds is a duration only in Prometheus 3 (`x[300]`, `offset 60`).
    // Zero and out-of-range durations are refused by promql-lex.ts.
    if (this.kind(literal) === 'number')
      this.fail(
        literal,
        'promql/syntax',
        where === 'range'
          ? 'missing unit character in duration'
          : where === 'offset'
            ? `unexpected number ${quoteValue(text)} in offset, expected duration`
            : `unexpected number ${quoteValue(text)} in subquery selector, expected duration or "]"`,
        'write a unit, e.g. 5m or 300s: promtool 2.x does not read a bare number as seconds',
      );
  }

  /** The number of `@ <timestamp>`: a finite number of seconds that fits in int64. */
  timestamp(node: SyntaxNode | undefined): void {
    if (!node) return;
    const value = this.numberLiteral(node, '@');
    if (Number.isFinite(value) && value < 2 ** 63 && value > -(2 ** 63)) return;
    const shown = Number.isNaN(value)
      ? 'NaN'
      : !Number.isFinite(value)
        ? `${value > 0 ? '+' : '-'}Inf`
        : `${BigInt(Math.trunc(value)).toString()}.000000`;
    this.fail(node, 'promql/syntax', `timestamp out of bounds for @ modifier: ${shown}`);
  }

  /** Applies one postfix node to an operand of type `type`, as Prometheus' parser checks it. */
  postfix(
    node: SyntaxNode,
    state: PostfixState,
    type: ValueType | undefined,
  ): ValueType | undefined {
    const kids = children(node);
    switch (node.name) {
      case 'MatrixSelector':
        if (state.offset)
          this.fail(node, 'promql/syntax', 'no offset modifiers allowed before range');
        // Up to v3.5, only a numeric `@` counts here: `x @ start() [5m]` passes (HEAD refuses it).
        if (state.at && !state.atPreprocessor)
          this.fail(node, 'promql/syntax', 'no @ modifiers allowed before range');
        if (state.base !== 'VectorSelector')
          this.fail(
            node,
            'promql/syntax',
            'ranges only allowed for vector selectors',
            'to take a range of an expression, use a subquery: (expr)[5m:1m]',
          );
        this.duration(kids[1]);
        state.base = 'MatrixSelector';
        return 'matrix';
      case 'SubqueryExpr':
        if (this.typeCheck && type !== undefined && type !== 'vector')
          this.typeError(
            node,
            `subquery is only allowed on instant vector, got ${documentedType[type]} instead`,
          );
        kids.slice(1).forEach((kid, index) => {
          this.duration(kid, index === 0 ? 'range' : 'step');
        });
        Object.assign(state, { base: 'SubqueryExpr', offset: false, at: false });
        return 'matrix';
      case 'OffsetExpr':
      case 'StepInvariantExpr': {
        const isOffset = node.name === 'OffsetExpr';
        if (!['VectorSelector', 'MatrixSelector', 'SubqueryExpr'].includes(state.base))
          this.fail(
            node,
            'promql/syntax',
            `${isOffset ? 'offset' : '@'} modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
          );
        if (isOffset ? state.offset : state.at)
          this.fail(
            node,
            'promql/syntax',
            isOffset
              ? 'offset may not be set multiple times'
              : '@ <timestamp> may not be set multiple times',
          );
        if (isOffset) {
          state.offset = true;
          this.duration(
            kids.find((kid) => kid.name === 'OffsetDurationExpr'),
            'offset',
          );
        } else {
          state.at = true;
          const timestamp = kids.find((kid) => kid.name === 'NumberDurationLiteral');
          state.atPreprocessor = timestamp === undefined;
          this.timestamp(timestamp);
        }
        return type;
      }
      case 'AnchoredExpr':
        this.experimental(node, 'The `anchored` modifier', 'promql-extended-range-selectors');
        break;
      case 'SmoothedExpr':
        this.experimental(node, 'The `smoothed` modifier', 'promql-extended-range-selectors');
        break;
      default:
        break;
    }
    return type;
  }
}

function matchesEmpty(matcher: LabelMatcher): boolean {
  switch (matcher.op) {
    case '=':
      return matcher.value === '';
    case '!=':
      return matcher.value !== '';
    case '=~':
    case '!~': {
      const compiled = compileRe2(matcher.value);
      if (!compiled.ok) return false;
      return compiled.matcher.matches('') === (matcher.op === '=~');
    }
  }
}
