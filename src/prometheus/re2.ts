/**
 * Prometheus regular expressions (label matchers and relabel rules) are Go RE2, fully anchored.
 * This module checks a pattern the way Go's `regexp/syntax` would (escapes, unsupported Perl
 * constructs such as lookarounds and backreferences, repeat counts) and translates it into an
 * equivalent JavaScript RegExp, so the rest of the syntax is checked by compiling that and the
 * result can be used for matching (e.g. "does this matcher match the empty string?"). Inline
 * flags other than a leading `(?i)`/`(?s)` are dropped in the translation: fine for syntax
 * checks, approximate for matching. Pure.
 */

export type Re2Result =
  { ok: true; regexp: RegExp } | { ok: false; message: string; offset: number; hint?: string };

const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Characters that must stay escaped in a JavaScript `u`-mode pattern. */
const jsSyntax = new Set('^$\\.*+?()[]{}|/-'.split(''));

const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';

function codePointEscape(code: number): string {
  return `\\u{${code.toString(16)}}`;
}

function literal(c: string, inClass = false): string {
  if (c === '-') return inClass ? '\\-' : '-';
  return jsSyntax.has(c) ? `\\${c}` : c;
}

class Re2Error extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Translates one escape sequence starting at `pattern[start] === '\\'`. */
function translateEscape(
  pattern: string,
  start: number,
  inClass: boolean,
): { js: string; end: number } {
  const c = pattern[start + 1];
  if (c === undefined) throw new Re2Error('trailing backslash at end of expression', start);
  const invalid = (length = 2): Re2Error =>
    new Re2Error(
      `invalid escape sequence: \`${pattern.slice(start, start + length)}\``,
      start,
      /^[1-9]$/.test(c)
        ? 'RE2 (Go) does not support backreferences'
        : 'RE2 escapes only punctuation and the classes \\d \\s \\w \\b \\pN; write the character itself',
    );
  if (c >= '1' && c <= '7' && !isOctal(pattern[start + 2])) throw invalid();
  if (c >= '0' && c <= '7') {
    let end = start + 2;
    while (end < start + 4 && isOctal(pattern[end])) end++;
    return { js: codePointEscape(parseInt(pattern.slice(start + 1, end), 8)), end };
  }
  switch (c) {
    case 'x': {
      if (pattern[start + 2] === '{') {
        const close = pattern.indexOf('}', start + 3);
        const hex = close === -1 ? '' : pattern.slice(start + 3, close);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff)
          throw invalid(close === -1 ? 3 : close - start + 1);
        return { js: codePointEscape(parseInt(hex, 16)), end: close + 1 };
      }
      const hex = pattern.slice(start + 2, start + 4);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw invalid(4);
      return { js: codePointEscape(parseInt(hex, 16)), end: start + 4 };
    }
    case 'a':
      return { js: '\\x07', end: start + 2 };
    case 'f':
    case 't':
    case 'n':
    case 'r':
    case 'v':
    case 'd':
    case 'D':
    case 's':
    case 'S':
    case 'w':
    case 'W':
      return { js: `\\${c}`, end: start + 2 };
    case 'b':
    case 'B':
    case 'A':
    case 'z':
      if (inClass) throw invalid();
      // Grouped, so that a repeat after an assertion stays valid in JavaScript as in Go.
      if (c === 'A') return { js: '(?:^)', end: start + 2 };
      if (c === 'z') return { js: '(?![\\s\\S])', end: start + 2 };
      return { js: `(?:\\${c})`, end: start + 2 };
    case 'p':
    case 'P': {
      let name: string;
      let end: number;
      if (pattern[start + 2] === '{') {
        const close = pattern.indexOf('}', start + 3);
        if (close === -1) throw invalid(3);
        name = pattern.slice(start + 3, close);
        end = close + 1;
      } else {
        name = pattern[start + 2] ?? '';
        end = start + 3;
      }
      let negated = c === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      if (!/^[A-Za-z_]+$/.test(name)) throw invalid(end - start);
      const property = name.length <= 2 || name === 'Any' ? name : `Script=${name}`;
      return { js: `\\${negated ? 'P' : 'p'}{${property}}`, end };
    }
    case 'Q': {
      const close = pattern.indexOf('\\E', start + 2);
      // Prometheus wraps the pattern in ^(?:...)$, which an unterminated \Q swallows.
      if (close === -1) throw new Re2Error(`missing closing ): \`${pattern}\``, start);
      const text = pattern.slice(start + 2, close === -1 ? pattern.length : close);
      return {
        js: Array.from(text, (char) => literal(char, inClass)).join(''),
        end: close + 2,
      };
    }
    default:
      if (c.charCodeAt(0) < 0x80 && !isAlnum(c)) return { js: literal(c, inClass), end: start + 2 };
      throw invalid();
  }
}

/** Translates a bracket expression starting at `pattern[start] === '['`. */
function translateClass(pattern: string, start: number): { js: string; end: number } {
  let index = start + 1;
  let js = '[';
  if (pattern[index] === '^') {
    js += '^';
    index++;
  }
  let first = true;
  for (;;) {
    const c = pattern[index];
    if (c === undefined)
      throw new Re2Error(`missing closing ]: \`${pattern.slice(start)}\``, start);
    if (c === ']' && !first) return { js: `${js}]`, end: index + 1 };
    first = false;
    if (c === '[' && pattern[index + 1] === ':') {
      const close = pattern.indexOf(':]', index + 2);
      if (close !== -1) {
        let name = pattern.slice(index + 2, close);
        const negated = name.startsWith('^');
        if (negated) name = name.slice(1);
        const ranges = posixClasses[name];
        if (ranges === undefined)
          throw new Re2Error(
            `invalid character class range: \`${pattern.slice(index, close + 2)}\``,
            index,
          );
        // A negated POSIX class cannot be spliced into a JavaScript class; any member will do
        // for syntax checking.
        js += negated ? '\\u{10FFFF}' : ranges;
        index = close + 2;
        continue;
      }
    }
    if (c === '\\') {
      const escape = translateEscape(pattern, index, true);
      js += escape.js;
      index = escape.end;
      continue;
    }
    js += c === '[' || c === ']' || c === '\\' ? `\\${c}` : c;
    index++;
  }
}

/** Parses `{n}`, `{n,}` or `{n,m}` at `start`; undefined when it is a literal brace. */
function repeatAt(
  pattern: string,
  start: number,
): { min: number; max: number | undefined; end: number } | undefined {
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(start));
  if (!match) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : match[3] === '' ? undefined : Number(match[3]);
  return { min, max, end: start + match[0].length };
}

function translate(pattern: string): { source: string; flags: string } {
  let js = '';
  let flags = '';
  let depth = 0;
  let index = 0;
  const open: number[] = [];
  while (index < pattern.length) {
    const c = pattern[index] ?? '';
    if (c === '\\') {
      const escape = translateEscape(pattern, index, false);
      js += escape.js;
      index = escape.end;
      continue;
    }
    if (c === '[') {
      const bracket = translateClass(pattern, index);
      js += bracket.js;
      index = bracket.end;
      continue;
    }
    if (c === '(') {
      open.push(index);
      depth++;
      if (pattern[index + 1] !== '?') {
        js += '(';
        index++;
        continue;
      }
      const rest = pattern.slice(index + 2);
      const named = /^P?<([A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        if (named[1] === '')
          throw new Re2Error(
            `invalid named capture: \`${pattern.slice(index, index + 2 + named[0].length)}\``,
            index,
          );
        js += `(?<${named[1] ?? ''}>`;
        index += 2 + named[0].length;
        continue;
      }
      const flagGroup = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
      if (flagGroup && flagGroup[2] !== '') {
        const [whole, on = '', , end] = flagGroup;
        if (end === ':') {
          js += '(?:';
        } else {
          depth--;
          open.pop();
          // A leading `(?i)` or `(?s)` applies to the whole pattern: keep it as a JS flag.
          if (js === '') {
            if (on.includes('i') && !flags.includes('i')) flags += 'i';
            if (on.includes('s') && !flags.includes('s')) flags += 's';
          }
        }
        index += 2 + whole.length;
        continue;
      }
      const construct = /^(<=|<!|=|!|>)/.exec(rest)?.[0];
      throw new Re2Error(
        `invalid or unsupported Perl syntax: \`(?${construct ?? rest.slice(0, 1)}\``,
        index,
        construct === undefined
          ? 'RE2 groups are (...), (?:...), (?P<name>...) and flag groups such as (?i)'
          : 'RE2 (Go) has no lookahead, lookbehind or atomic groups',
      );
    }
    if (c === ')') {
      if (depth === 0) throw new Re2Error(`unexpected ): \`${pattern}\``, index);
      depth--;
      open.pop();
      js += ')';
      index++;
      continue;
    }
    if (c === '{') {
      const repeat = repeatAt(pattern, index);
      if (repeat) {
        if (
          repeat.min > 1000 ||
          (repeat.max ?? 0) > 1000 ||
          (repeat.max ?? repeat.min) < repeat.min
        )
          throw new Re2Error(
            `invalid repeat count: \`${pattern.slice(index, repeat.end)}\``,
            index,
            'RE2 allows repeat counts up to 1000, minimum first',
          );
        js += pattern.slice(index, repeat.end);
        index = repeat.end;
        continue;
      }
      js += '\\{';
      index++;
      continue;
    }
    if (c === '}' || c === ']') {
      js += `\\${c}`;
      index++;
      continue;
    }
    js += c === '^' || c === '$' ? `(?:${c})` : c;
    index++;
  }
  if (depth > 0) {
    const at = open[open.length - 1] ?? 0;
    throw new Re2Error(`missing closing ): \`${pattern}\``, at);
  }
  return { source: js, flags };
}

/** Checks an RE2 pattern and compiles it, anchored, into a JavaScript RegExp. */
export function compileRe2(pattern: string): Re2Result {
  let translated: { source: string; flags: string };
  try {
    translated = translate(pattern);
  } catch (error: unknown) {
    if (error instanceof Re2Error)
      return {
        ok: false,
        message: `error parsing regexp: ${error.message}`,
        offset: error.offset,
        ...(error.hint ? { hint: error.hint } : {}),
      };
    throw error;
  }
  try {
    return {
      ok: true,
      regexp: new RegExp(`^(?:${translated.source})$`, `u${translated.flags}`),
    };
  } catch (error: unknown) {
    const text = error instanceof Error ? error.message : String(error);
    const reason = text.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return { ok: false, message: `error parsing regexp: ${reason}: \`${pattern}\``, offset: 0 };
  }
}
