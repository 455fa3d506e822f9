/**
 * The PromQL type checker, as Prometheus' Go parser checks after parsing: operand types,
 * function signatures and argument counts, aggregations, and binary operators (`bool`, set
 * operators, vector matching with on/ignoring/group_left/group_right). Postfix modifiers the
 * grammar attached too loosely are carried down to their operand here (see check()). Pure.
 */
import {
  documentedType,
  promqlAggregations,
  promqlFunctions,
  type ValueType,
} from './promql-functions.js';
import {
  children,
  expressionNodes,
  postfixNodes,
  TreeChecker,
  type PostfixState,
} from './promql-tree.js';
import type { SyntaxNode } from './promql-types.js';
import { quoteValue } from '../text-safety.js';

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

/** Operand types, function calls, aggregations and binary operators, on top of the tree walk. */
export class Checker extends TreeChecker {
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
        this.numberLiteral(node);
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

  /** `by (...)`, `on (...)`, `group_left (...)`: quoted names are Prometheus 3 only. */
  private groupingLabels(clause: SyntaxNode | undefined): void {
    for (const list of clause ? children(clause) : [])
      if (list.name === 'GroupingLabels')
        for (const label of children(list))
          if (label.name === 'QuotedLabelName') this.quotedName(label, 'grouping opts');
  }

  unary(node: SyntaxNode, type: ValueType | undefined): ValueType | undefined {
    if (this.typeCheck && type !== undefined && type !== 'scalar' && type !== 'vector')
      this.typeError(
        node,
        `unary expression only allowed on expressions of type scalar or instant vector, got "${documentedType[type]}"`,
      );
    return type;
  }

  functionCall(node: SyntaxNode, kids: SyntaxNode[]): ValueType | undefined {
    const identifier = kids.find((kid) => kid.name === 'FunctionIdentifier');
    const body = kids.find((kid) => kid.name === 'FunctionCallBody');
    const name = identifier ? this.text(identifier) : '';
    const signature = promqlFunctions[name];
    if (!signature)
      this.fail(node, 'promql/unknown-function', `unknown function with name ${quoteValue(name)}`);
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
          `expected ${count} argument(s) in call to ${quoteValue(name)}, got ${args.length}`,
        );
    } else {
      const minimum = count - 1;
      if (args.length < minimum)
        this.typeError(
          node,
          `expected at least ${minimum} argument(s) in call to ${quoteValue(name)}, got ${args.length}`,
        );
      const maximum = minimum + signature.variadic;
      if (signature.variadic > 0 && args.length > maximum)
        this.typeError(
          node,
          `expected at most ${maximum} argument(s) in call to ${quoteValue(name)}, got ${args.length}`,
        );
    }
    args.forEach((arg, index) => {
      const wanted = signature.args[Math.min(index, count - 1)];
      if (wanted !== undefined)
        this.expect(arg, types[index], wanted, `call to function ${quoteValue(name)}`);
    });
    return signature.returns;
  }

  aggregate(node: SyntaxNode, kids: SyntaxNode[]): ValueType {
    const opNode = kids.find((kid) => kid.name === 'AggregateOp');
    const op = opNode ? this.text(opNode).toLowerCase() : '';
    const signature = promqlAggregations[op] ?? {};
    if (signature.experimental && opNode)
      this.experimental(opNode, `The aggregation ${op}()`, 'promql-experimental-functions');
    const modifier = kids.find((kid) => kid.name === 'AggregateModifier');
    this.groupingLabels(modifier);
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
    this.groupingLabels(matching);
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
            `label ${quoteValue(label)} must not occur in ON and GROUP clause at once`,
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
