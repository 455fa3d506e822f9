/**
 * Numbers and durations read the way the Go lexer of Prometheus 2.x (promtool 2.42,
 * `promql/parser/lex.go`: `scanNumber`, `acceptRemainingDuration`) reads them, before lezer
 * parses the text. Lezer's grammar follows Prometheus 3 and differs on the edges: Go takes `5.`,
 * `5.e3` and `0X1f` and refuses `1_000`, `0o17` and `1h30`; Go parses a number with
 * `strconv.ParseInt(s, 0, 64)`, else `ParseFloat`, and refuses what overflows; Go's durations
 * must fit in int64 nanoseconds and be greater than 0; inside brackets a range starts with a
 * number and any letter is the subquery's colon (`x[5m x]` reads `x[5m:]`, in 3.5 too). This pass reports those errors, records
 * each token's kind (a number or a duration: promtool 2.42 does not take one for the other), and
 * hands lezer a text of the same length in which the Go-only spellings are rewritten into ones
 * lezer reads, so that every offset stays valid. Pure.
 */
import type { PromqlError } from './promql-types.js';
import { quoteValue } from '../text-safety.js';

export type NumericKind = 'number' | 'duration';

export interface LexedNumbers {
  /** The text for lezer: the expression with Go-only number spellings rewritten in place. */
  input: string;
  /** The kind of each number or duration token, by the offset where the token ends. */
  kinds: Map<number, NumericKind>;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && (c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlphaNumeric = (c: string | undefined): boolean => isAlpha(c) || isDigit(c);

const maxInt64 = 2n ** 63n - 1n;

/** Go's `parser.number`: ParseInt with base prefixes, else ParseFloat. */
export function goNumber(text: string): { value: number } | { error: string } {
  const integer = /^0[xX][0-9a-fA-F]+$/.test(text)
    ? BigInt(`0x${text.slice(2)}`)
    : /^0[0-7]+$/.test(text)
      ? BigInt(`0o${text.slice(1)}`)
      : /^[0-9]+$/.test(text)
        ? BigInt(text)
        : undefined;
  if (integer !== undefined && integer <= maxInt64) return { value: Number(integer) };
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text))
    return { error: `strconv.ParseFloat: parsing "${text}": invalid syntax` };
  const value = Number(text);
  if (!Number.isFinite(value))
    return { error: `strconv.ParseFloat: parsing "${text}": value out of range` };
  return { value };
}

const unitNanoseconds: Record<string, bigint> = {
  y: 365n * 24n * 3600n * 1_000_000_000n,
  w: 7n * 24n * 3600n * 1_000_000_000n,
  d: 24n * 3600n * 1_000_000_000n,
  h: 3600n * 1_000_000_000n,
  m: 60n * 1_000_000_000n,
  s: 1_000_000_000n,
  ms: 1_000_000n,
};

/** Go's `model.ParseDuration` plus the parser's "greater than 0": undefined when valid. */
export function goDurationError(text: string): string | undefined {
  const match =
    /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (!match || text === '') return `not a valid duration string: "${text}"`;
  let total = 0n;
  ['y', 'w', 'd', 'h', 'm', 's', 'ms'].forEach((unit, index) => {
    const amount = match[index + 1];
    if (amount !== undefined) total += BigInt(amount) * (unitNanoseconds[unit] ?? 0n);
  });
  if (total > maxInt64) return 'duration out of range';
  if (total === 0n) return 'duration must be greater than 0';
  return undefined;
}

/** Lezer's number token (decimal, exponent, hex), which the rewrite must produce. */
const lezerNumber = /^(?:(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|0x[0-9a-fA-F]+)$/;

/** Scans one number at `start` as Go's `scanNumber` does: its end, and whether it is one. */
function scanNumber(expr: string, start: number): { end: number; ok: boolean } {
  let index = start;
  let digits = isDigit;
  if (expr[index] === '0' && (expr[index + 1] === 'x' || expr[index + 1] === 'X')) {
    index += 2;
    digits = (c) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
  }
  while (digits(expr[index])) index++;
  if (expr[index] === '.') {
    index++;
    while (digits(expr[index])) index++;
  }
  if (expr[index] === 'e' || expr[index] === 'E') {
    index++;
    if (expr[index] === '+' || expr[index] === '-') index++;
    while (isDigit(expr[index])) index++;
  }
  return { end: index, ok: !isAlphaNumeric(expr[index]) };
}

/** Go's `acceptRemainingDuration` from `start`: the end of the duration, or where it failed. */
function scanDurationRest(expr: string, start: number): { end: number; ok: boolean } {
  let index = start;
  if (!'smhdwy'.includes(expr[index] ?? '-')) return { end: index, ok: false };
  index++;
  if (expr[index] === 's') index++;
  while (isDigit(expr[index])) {
    while (isDigit(expr[index])) index++;
    if (!'smhdw'.includes(expr[index] ?? '-')) return { end: index, ok: false };
    index++;
    if (expr[index] === 's') index++;
  }
  if (isAlphaNumeric(expr[index])) return { end: index + 1, ok: false };
  return { end: index, ok: true };
}

function lexError(message: string, offset: number): { error: PromqlError } {
  return { error: { code: 'promql/syntax', message, offset } };
}

/** Reads the numbers and durations of `expr`; see the module comment. */
export function lexNumbers(expr: string): LexedNumbers | { error: PromqlError } {
  const kinds = new Map<number, NumericKind>();
  let input = expr;
  let bracketOpen = false;
  let gotColon = false;
  let braceOpen = false;
  let index = 0;
  while (index < expr.length) {
    const c = expr[index] ?? '';
    if (c === '#') {
      while (index < expr.length && expr[index] !== '\n') index++;
    } else if (c === '"' || c === "'" || c === '`') {
      index++;
      while (index < expr.length && expr[index] !== c && (c === '`' || expr[index] !== '\n')) {
        if (expr[index] === '\\' && c !== '`') index++;
        index++;
      }
      index++;
    } else if (braceOpen) {
      if (c === '}') braceOpen = false;
      index++;
    } else if (c === '{') {
      braceOpen = true;
      index++;
    } else if (c === '[' || c === ']') {
      bracketOpen = c === '[';
      gotColon = false;
      index++;
      if (bracketOpen) {
        // Go lexes the first token of a range as a duration (`lexDuration`).
        while (' \t\n\r'.includes(expr[index] ?? '-') && index < expr.length) index++;
        const next = expr[index];
        if (!isDigit(next) && !(next === '.' && isDigit(expr[index + 1])))
          return lexError(
            isAlphaNumeric(next) ? 'bad duration syntax' : 'missing unit character in duration',
            index,
          );
      }
    } else if (bracketOpen && (isAlpha(c) || c === ':')) {
      // Inside brackets Go's lexer takes any letter for the colon of a subquery (lex.go,
      // lexStatements, in 2.42 and 3.5 alike): `x[5m x]` is `x[5m:]`.
      if (gotColon) return lexError(`unexpected colon ${quoteValue(c)}`, index);
      gotColon = true;
      if (c !== ':') input = `${input.slice(0, index)}:${input.slice(index + 1)}`;
      index++;
    } else if (isAlpha(c) || c === ':') {
      while (isAlphaNumeric(expr[index]) || expr[index] === ':') index++;
    } else if (isDigit(c) || (c === '.' && isDigit(expr[index + 1]))) {
      const start = index;
      const number = scanNumber(expr, start);
      if (number.ok) {
        const text = expr.slice(start, number.end);
        const parsed = goNumber(text);
        if ('error' in parsed) return lexError(`error parsing number: ${parsed.error}`, start);
        const rewritten = lezerNumber.test(text)
          ? text
          : text.replace(/^0X/, '0x').replace(/\.(?![0-9])/, '');
        if (rewritten !== text)
          input = `${input.slice(0, start)}${rewritten.padEnd(text.length, ' ')}${input.slice(number.end)}`;
        // Lezer's node ends where the rewritten token does.
        kinds.set(start + rewritten.length, 'number');
        index = number.end;
      } else {
        const duration = scanDurationRest(expr, number.end);
        const text = expr.slice(start, duration.end);
        if (!duration.ok)
          return lexError(`bad number or duration syntax: ${quoteValue(text)}`, start);
        const invalid = goDurationError(text);
        if (invalid !== undefined) return lexError(invalid, start);
        kinds.set(duration.end, 'duration');
        index = duration.end;
      }
    } else {
      index++;
    }
  }
  return { input, kinds };
}
