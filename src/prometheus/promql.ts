/**
 * PromQL parsing with Prometheus' own lezer grammar (`@prometheus-io/lezer-promql`), plus the
 * checks Prometheus' Go parser makes after parsing and the grammar does not: unknown and
 * experimental functions, argument counts and types (`rate(x)` needs a range vector), selectors
 * that match everything, regexes that RE2 rejects, escape sequences in strings, offsets and `@`
 * in the wrong place, scalar comparisons without `bool`, set operators on scalars. Returns the
 * metric names and label matchers the expression uses. Messages follow Prometheus' wording
 * where there is one. Pure.
 */
import { parser } from '@prometheus-io/lezer-promql';
import {
  documentedType,
  promqlAggregations,
  promqlFunctions,
  removedFunctions,
  type ValueType,
} from './promql-functions.js';
import { parseDuration } from './duration.js';
import { compileRe2 } from './re2.js';
import { closest } from './source.js';

export type { ValueType } from './promql-functions.js';

export type PromqlTree = ReturnType<typeof parser.parse>;
type SyntaxNode = PromqlTree['topNode'];

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  label: string;
  op: MatchOperator;
  value: string;
  /** The metric name of the selector the matcher belongs to, when it names one. */
  metric?: string;
}

export interface PromqlError {
  message: string;
  /** 0-based offset into the expression. */
  offset: number;
  /** The finding code this error maps to: `promql/syntax`, `promql/unknown-function`, ... */
  code: string;
  hint?: string;
}

export type PromqlParseResult =
  | {
      ok: true;
      tree: PromqlTree;
      /** Metric names from selectors and `__name__="..."` matchers, sorted, unique. */
      metrics: string[];
      /** Every label matcher of every selector, in order of appearance. */
      matchers: LabelMatcher[];
      /** Type of the whole expression. */
      type: ValueType;
    }
  | { ok: false; error: PromqlError };

export interface PromqlOptions {
  /** Check function argument types and operator operands (default true). */
  typeCheck?: boolean;
  /**
   * Types the whole expression may have. Rules and Grafana range queries need an instant
   * vector or a scalar: Prometheus rejects anything else when it evaluates them.
   */
  resultTypes?: readonly ValueType[];
  /** What the result is used for, in the message of a wrong result type. */
  resultContext?: string;
}

const expressionNodes = new Set([
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
const postfixNodes = new Set([
  'MatrixSelector',
  'SubqueryExpr',
  'OffsetExpr',
  'StepInvariantExpr',
  'AnchoredExpr',
  'SmoothedExpr',
]);

interface PostfixState {
  /** Node name of the operand, updated as postfixes apply (`x[5m]` becomes a MatrixSelector). */
  base: string;
  offset: boolean;
  at: boolean;
}

const comparisonOperators = new Set(['Eql', 'Neq', 'Gtr', 'Lss', 'Gte', 'Lte']);
const setOperators = new Set(['And', 'Or', 'Unless']);
const operatorNodes = new Set([
  ...comparisonOperators,
  ...setOperators,
  'Pow',
  'Mul',
  'Div',
  'Mod',
  'Atan2',
  'Add',
  'Sub',
  'TrimUpper',
  'TrimLower',
]);

const matchOperators: Record<string, MatchOperator> = {
  EqlSingle: '=',
  Neq: '!=',
  EqlRegex: '=~',
  NeqRegex: '!~',
};

const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'atan2',
]);

const experimentalHint = (flag: string): string =>
  `Prometheus v3.5 rejects it unless started with --enable-feature=${flag}; use a stable construct instead`;

class PromqlFailure extends Error {
  constructor(readonly error: PromqlError) {
    super(error.message);
  }
}

function children(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) list.push(child);
  return list;
}

/** Decodes a PromQL string literal the way Prometheus' lexer does. */
export function unquotePromql(raw: string): { value: string } | { error: string; at: number } {
  const quote = raw[0];
  if (quote === '`') {
    if (raw.length < 2 || !raw.endsWith('`')) return { error: 'unterminated raw string', at: 0 };
    return { value: raw.slice(1, -1) };
  }
  if (quote !== '"' && quote !== "'") return { error: 'not a string', at: 0 };
  let value = '';
  let index = 1;
  while (index < raw.length) {
    const c = raw[index] ?? '';
    if (c === quote) {
      if (index !== raw.length - 1) return { error: 'unexpected quote', at: index };
      return { value };
    }
    if (c !== '\\') {
      value += c;
      index++;
      continue;
    }
    const e = raw[index + 1] ?? '';
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
    };
    const decoded = e === quote ? quote : simple[e];
    if (decoded !== undefined) {
      value += decoded;
      index += 2;
      continue;
    }
    const digits: Record<string, [number, number, RegExp]> = {
      x: [2, 16, /^[0-9A-Fa-f]+$/],
      u: [4, 16, /^[0-9A-Fa-f]+$/],
      U: [8, 16, /^[0-9A-Fa-f]+$/],
    };
    const spec: [number, number, RegExp] | undefined =
      digits[e] ?? (/[0-7]/.test(e) ? [3, 8, /^[0-7]+$/] : undefined);
    if (!spec) {
      const code = e.codePointAt(0) ?? 0;
      return {
        error: `unknown escape sequence U+${code.toString(16).toUpperCase().padStart(4, '0')} '${e}'`,
        at: index,
      };
    }
    const [count, base, pattern] = spec;
    const start = base === 8 ? index + 1 : index + 2;
    const text = raw.slice(start, start + count);
    if (text.length !== count || !pattern.test(text))
      return { error: 'illegal character in escape sequence', at: index };
    const code = parseInt(text, base);
    if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000))
      return { error: 'escape sequence is an invalid Unicode code point', at: index };
    value += String.fromCodePoint(code);
    index = start + count;
  }
  return { error: 'unterminated quoted string', at: 0 };
}

/** The bracket (or quote) that is still open where the parser gave up, if any. */
function unclosedBracket(expr: string): { char: string; offset: number } | undefined {
  const stack: { char: string; offset: number }[] = [];
  for (let index = 0; index < expr.length; index++) {
    const c = expr[index] ?? '';
    if (c === '"' || c === "'" || c === '`') {
      const start = index;
      index++;
      while (index < expr.length && expr[index] !== c && (c === '`' || expr[index] !== '\n')) {
        if (expr[index] === '\\' && c !== '`') index++;
        index++;
      }
      if (index >= expr.length || expr[index] !== c) return { char: c, offset: start };
      continue;
    }
    if (c === '#') {
      while (index < expr.length && expr[index] !== '\n') index++;
      continue;
    }
    if (c === '(' || c === '{' || c === '[') stack.push({ char: c, offset: index });
    else if (c === ')' || c === '}' || c === ']') stack.pop();
  }
  return stack[stack.length - 1];
}

const bracketNames: Record<string, string> = {
  '(': 'left parenthesis',
  '{': 'left brace',
  '[': 'left bracket',
  ')': 'right parenthesis',
  '}': 'right brace',
  ']': 'right bracket',
};

/** A message for the first error node of the lezer tree. */
function syntaxError(expr: string, errorNode: { from: number; to: number }): PromqlError {
  const at = errorNode.from;
  const next = expr.slice(at).trimStart();
  const nextChar = next[0];
  // `foo(`: an identifier the grammar does not know as a function.
  const before = /([A-Za-z_:][A-Za-z0-9_:]*)\s*$/.exec(expr.slice(0, at));
  if (nextChar === '(' && before?.[1] !== undefined && !keywords.has(before[1].toLowerCase())) {
    const name = before[1];
    const removed = removedFunctions[name];
    const suggestion = closest(
      name,
      Object.keys(promqlFunctions).filter((known) => !promqlFunctions[known]?.experimental),
    );
    return {
      code: 'promql/unknown-function',
      message: `unknown function with name "${name}"`,
      offset: at - before[0].length,
      hint:
        removed ??
        (suggestion
          ? `did you mean ${suggestion}()?`
          : 'see https://prometheus.io/docs/prometheus/latest/querying/functions/'),
    };
  }
  const open = unclosedBracket(expr);
  if (open && !(open.char in bracketNames)) {
    return {
      code: 'promql/syntax',
      message: 'unterminated quoted string',
      offset: open.offset,
      hint: `close the string opened here with ${open.char}`,
    };
  }
  if (next === '' && open) {
    return {
      code: 'promql/syntax',
      message: `unclosed ${bracketNames[open.char] ?? open.char}`,
      offset: open.offset,
      hint: `close the ${bracketNames[open.char] ?? open.char} opened here`,
    };
  }
  if (next === '') {
    return {
      code: 'promql/syntax',
      message: 'unexpected end of input',
      offset: expr.length,
      hint: 'the expression stops in the middle: an operand or argument is missing',
    };
  }
  if (nextChar !== undefined && nextChar in bracketNames && ')}]'.includes(nextChar)) {
    return {
      code: 'promql/syntax',
      message: `unexpected ${bracketNames[nextChar] ?? nextChar} "${nextChar}"`,
      offset: expr.length - next.length,
    };
  }
  const token = /^(?:[A-Za-z_:][A-Za-z0-9_:]*|\d[\w.]*|"[^"]*"?|'[^']*'?|\S)/.exec(next)?.[0] ?? '';
  const offset = expr.length - next.length;
  const stillOpen = unclosedBracket(expr.slice(0, offset));
  return {
    code: 'promql/syntax',
    message: `unexpected "${token}"`,
    offset,
    ...(stillOpen
      ? {
          hint: `the ${bracketNames[stillOpen.char] ?? stillOpen.char} at character ${stillOpen.offset + 1} is still open here`,
        }
      : {}),
  };
}

interface SelectorInfo {
  metrics: string[];
  matchers: LabelMatcher[];
}

class Checker {
  readonly selectors: SelectorInfo = { metrics: [], matchers: [] };

  constructor(
    private readonly expr: string,
    private readonly typeCheck: boolean,
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

  expect(node: SyntaxNode, type: ValueType | undefined, wanted: ValueType, context: string): void {
    if (!this.typeCheck || type === undefined || type === wanted) return;
    const hints: Partial<Record<ValueType, string>> = {
      matrix: 'give the selector a range, e.g. rate(x[5m]), or make it a subquery: (expr)[5m:1m]',
      vector:
        'a range vector cannot be used here: wrap it in a function such as rate() or max_over_time()',
      scalar: 'use a number, or turn a one-element vector into a scalar with scalar(...)',
      string: 'use a quoted string here',
    };
    this.typeError(
      node,
      `expected type ${documentedType[wanted]} in ${context}, got ${documentedType[type]}`,
      hints[wanted],
    );
  }

  /**
   * Checks one expression node and returns its type. `pending` holds the postfix nodes
   * (`[range]`, `[range:step]`, `offset`, `@`) the lezer grammar attached to an enclosing node:
   * it binds them more loosely than operators, Prometheus binds them to the closest operand
   * (`a + b offset 5m` offsets `b` only), so they are carried down to that operand.
   */
  check(node: SyntaxNode, pending: readonly SyntaxNode[] = []): ValueType | undefined {
    const kids = children(node);
    if (postfixNodes.has(node.name)) {
      const base = kids[0];
      return base ? this.check(base, [node, ...pending]) : undefined;
    }
    if (pending.length > 0 && node.name === 'BinaryExpr') return this.binary(node, kids, pending);
    if (pending.length > 0 && node.name === 'UnaryExpr') {
      const operand = kids[1];
      return operand ? this.unary(node, this.check(operand, pending)) : undefined;
    }
    let type = this.checkOperand(node, kids);
    const state: PostfixState = { base: node.name, offset: false, at: false };
    for (const postfix of pending) type = this.postfix(postfix, state, type);
    return type;
  }

  private checkOperand(node: SyntaxNode, kids: SyntaxNode[]): ValueType | undefined {
    switch (node.name) {
      case 'NumberDurationLiteral':
        return 'scalar';
      case 'StringLiteral':
        this.string(node);
        return 'string';
      case 'VectorSelector':
        this.vectorSelector(node, kids);
        return 'vector';
      case 'ParenExpr':
        return kids[0] ? this.check(kids[0]) : undefined;
      case 'UnaryExpr': {
        const operand = kids[1];
        return operand ? this.unary(node, this.check(operand)) : undefined;
      }
      case 'FunctionCall':
        return this.functionCall(node, kids);
      case 'AggregateExpr':
        return this.aggregate(node, kids);
      case 'BinaryExpr':
        return this.binary(node, kids);
      default:
        break;
    }
    return undefined;
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
      this.fail(literal, 'promql/syntax', `"${text}" is not a valid duration`);
    // Ranges and subquery steps of zero select nothing; Prometheus refuses them.
    if (node.name === 'DurationExpr' && parseDuration(text) === 0)
      this.fail(literal, 'promql/syntax', 'duration must be greater than 0');
  }

  unary(node: SyntaxNode, type: ValueType | undefined): ValueType | undefined {
    if (this.typeCheck && type !== undefined && type !== 'scalar' && type !== 'vector')
      this.typeError(
        node,
        `unary expression only allowed on expressions of type scalar or instant vector, got "${documentedType[type]}"`,
      );
    return type;
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

  functionCall(node: SyntaxNode, kids: SyntaxNode[]): ValueType | undefined {
    const identifier = kids.find((kid) => kid.name === 'FunctionIdentifier');
    const body = kids.find((kid) => kid.name === 'FunctionCallBody');
    const name = identifier ? this.text(identifier) : '';
    const signature = promqlFunctions[name];
    if (!signature)
      this.fail(node, 'promql/unknown-function', `unknown function with name "${name}"`);
    if (signature.experimental)
      this.experimental(node, `The function ${name}()`, 'promql-experimental-functions');
    const args = body ? children(body).filter((kid) => expressionNodes.has(kid.name)) : [];
    const types = args.map((arg) => this.check(arg));
    if (!this.typeCheck) return signature.returns;
    const count = signature.args.length;
    if (signature.variadic === 0) {
      if (args.length !== count)
        this.typeError(
          node,
          `expected ${count} argument(s) in call to "${name}", got ${args.length}`,
        );
    } else {
      const minimum = count - 1;
      if (args.length < minimum)
        this.typeError(
          node,
          `expected at least ${minimum} argument(s) in call to "${name}", got ${args.length}`,
        );
      const maximum = minimum + signature.variadic;
      if (signature.variadic > 0 && args.length > maximum)
        this.typeError(
          node,
          `expected at most ${maximum} argument(s) in call to "${name}", got ${args.length}`,
        );
    }
    args.forEach((arg, index) => {
      const wanted = signature.args[Math.min(index, count - 1)];
      if (wanted !== undefined)
        this.expect(arg, types[index], wanted, `call to function "${name}"`);
    });
    return signature.returns;
  }

  aggregate(node: SyntaxNode, kids: SyntaxNode[]): ValueType {
    const opNode = kids.find((kid) => kid.name === 'AggregateOp');
    const op = opNode ? this.text(opNode).toLowerCase() : '';
    const signature = promqlAggregations[op] ?? {};
    if (signature.experimental && opNode)
      this.experimental(opNode, `The aggregation ${op}()`, 'promql-experimental-functions');
    const body = kids.find((kid) => kid.name === 'FunctionCallBody');
    const args = body ? children(body).filter((kid) => expressionNodes.has(kid.name)) : [];
    const types = args.map((arg) => this.check(arg));
    const wanted = signature.parameter ? 2 : 1;
    if (args.length !== wanted)
      this.fail(
        node,
        'promql/type-error',
        `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`,
      );
    const [first, second] = args;
    if (signature.parameter && first && second) {
      this.expect(first, types[0], signature.parameter, 'aggregation parameter');
      this.expect(second, types[1], 'vector', 'aggregation expression');
    } else if (first) {
      this.expect(first, types[0], 'vector', 'aggregation expression');
    }
    return 'vector';
  }

  binary(
    node: SyntaxNode,
    kids: SyntaxNode[],
    pending: readonly SyntaxNode[] = [],
  ): ValueType | undefined {
    const lhs = kids[0];
    const rhs = kids[kids.length - 1];
    const opNode = kids.find((kid) => operatorNodes.has(kid.name));
    if (!lhs || !rhs || !opNode || lhs === rhs) return undefined;
    const op = opNode.name;
    const opText = this.text(opNode);
    if (op === 'TrimUpper' || op === 'TrimLower')
      this.experimental(opNode, `The operator "${opText}"`);
    const fill = kids.find((kid) => kid.name === 'FillModifier');
    if (fill) this.experimental(fill, 'The fill() modifier');
    const lt = this.check(lhs);
    const rt = this.check(rhs, pending);
    const returnBool = kids.some((kid) => kid.name === 'BoolModifier');
    const matching = kids.find((kid) => kid.name === 'MatchingModifierClause');
    const matchingKids = matching ? children(matching) : [];
    const grouping = matchingKids.some(
      (kid) => kid.name === 'GroupLeft' || kid.name === 'GroupRight',
    );
    const isOn = matchingKids.some((kid) => kid.name === 'On');
    const labelLists = matchingKids
      .filter((kid) => kid.name === 'GroupingLabels')
      .map((list) => children(list).map((label) => this.text(label)));
    const [matchingLabels = [], includeLabels = []] = labelLists;
    const comparison = comparisonOperators.has(op);
    const set = setOperators.has(op);
    if (returnBool && !comparison)
      this.fail(opNode, 'promql/syntax', 'bool modifier can only be used on comparison operators');
    if (isOn)
      for (const label of matchingLabels)
        if (includeLabels.includes(label))
          this.fail(
            matching ?? node,
            'promql/syntax',
            `label "${label}" must not occur in ON and GROUP clause at once`,
          );
    if (!this.typeCheck || lt === undefined || rt === undefined)
      return lt === 'vector' || rt === 'vector'
        ? 'vector'
        : lt === undefined || rt === undefined
          ? undefined
          : 'scalar';
    if (comparison && !returnBool && lt === 'scalar' && rt === 'scalar')
      this.typeError(
        opNode,
        'comparisons between scalars must use BOOL modifier',
        'write `a > bool b` (0 or 1), or compare an instant vector so that the rule filters series',
      );
    for (const [side, type] of [
      [lhs, lt],
      [rhs, rt],
    ] as const)
      if (type !== 'scalar' && type !== 'vector')
        this.typeError(
          side,
          `binary expression must contain only scalar and instant vector types, got ${documentedType[type]}`,
        );
    if ((lt !== 'vector' || rt !== 'vector') && matching && matchingLabels.length > 0)
      this.typeError(matching, 'vector matching only allowed between instant vectors');
    if (set && lt === 'vector' && rt === 'vector' && grouping)
      this.typeError(matching ?? opNode, `no grouping allowed for "${opText}" operation`);
    if (set && (lt === 'scalar' || rt === 'scalar'))
      this.typeError(
        opNode,
        `set operator "${opText}" not allowed in binary scalar expression`,
        'and/or/unless work on instant vectors: wrap a scalar in vector(...)',
      );
    return lt === 'vector' || rt === 'vector' ? 'vector' : 'scalar';
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
      return compiled.regexp.test('') === (matcher.op === '=~');
    }
  }
}

function article(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** Line and column (1-based) of an offset in a possibly multi-line expression. */
export function offsetPosition(expr: string, offset: number): { line: number; column: number } {
  const before = expr.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

/** Parses and checks one PromQL expression. */
/**
 * Results of recent parses. The same expressions come back often (every overlay carries the
 * same rules and dashboard), and a result is immutable, so a small bounded cache pays.
 */
const recentResults = new Map<string, PromqlParseResult>();
const recentResultsLimit = 4096;

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
