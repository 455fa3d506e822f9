/**
 * PromQL read as text rather than as a tree: string literals decoded the way Prometheus' lexer
 * does, the line and column of an offset, and the message for the first error node lezer
 * reports (unknown function, unclosed bracket or string, unexpected token). Pure.
 */
import { promqlFunctions, removedFunctions } from './promql-functions.js';
import type { PromqlError } from './promql-types.js';
import { closest } from './source.js';
import { quoteValue } from '../text-safety.js';

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
export function syntaxError(expr: string, errorNode: { from: number; to: number }): PromqlError {
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
      message: `unknown function with name ${quoteValue(name)}`,
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
    message: `unexpected ${quoteValue(token)}`,
    offset,
    ...(stillOpen
      ? {
          hint: `the ${bracketNames[stillOpen.char] ?? stillOpen.char} at character ${stillOpen.offset + 1} is still open here`,
        }
      : {}),
  };
}

/** Line and column (1-based) of an offset in a possibly multi-line expression. */
export function offsetPosition(expr: string, offset: number): { line: number; column: number } {
  const before = expr.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
