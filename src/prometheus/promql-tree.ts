/**
 * The walk over lezer's PromQL tree: node-name tables, the failure a check throws, and the
 * checks of leaves and modifiers as Prometheus' Go parser makes them: vector selectors and their
 * matchers (metric names, RE2 regexes, selectors that match everything), durations, and ranges,
 * subqueries, `offset` and `@`. promql-check.ts builds the type checker on top. Pure.
 */
import { parseDuration } from './duration.js';
import { documentedType, type ValueType } from './promql-functions.js';
import { unquotePromql } from './promql-syntax.js';
import type { LabelMatcher, MatchOperator, PromqlError, SyntaxNode } from './promql-types.js';
import { compileRe2 } from './re2.js';
import { quoteValue } from '../text-safety.js';

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

export function children(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) list.push(child);
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
  ) {}

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
    if (identifier) names.push(this.text(identifier));
    const matcherList = kids.find((kid) => kid.name === 'LabelMatchers');
    for (const item of matcherList ? children(matcherList) : []) {
      if (item.name === 'QuotedLabelName') {
        const literal = item.firstChild;
        if (literal) names.push(this.string(literal));
        continue;
      }
      const parts = children(item);
      const labelNode = parts[0];
      const opNode = parts[1]?.firstChild;
      const valueNode = parts[2];
      if (!labelNode || !opNode || !valueNode) continue;
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

  duration(node: SyntaxNode | undefined): void {
    if (!node) return;
    const kids = children(node);
    // `offset -5m` nests the literal under a sign.
    if (
      node.name === 'OffsetDurationExpr' &&
      kids[0]?.name === 'UnaryOp' &&
      kids[1]?.name === 'OffsetDurationExpr'
    ) {
      this.duration(kids[1]);
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
    // Ranges and subquery steps of zero select nothing; Prometheus refuses them.
    if (node.name === 'DurationExpr' && parseDuration(text) === 0)
      this.fail(literal, 'promql/syntax', 'duration must be greater than 0');
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
        if (state.at) this.fail(node, 'promql/syntax', 'no @ modifiers allowed before range');
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
        for (const kid of kids.slice(1)) this.duration(kid);
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
          this.duration(kids.find((kid) => kid.name === 'OffsetDurationExpr'));
        } else {
          state.at = true;
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
