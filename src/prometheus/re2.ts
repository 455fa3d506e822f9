/**
 * Prometheus regular expressions (label matchers, relabel rules, dropMetrics) are Go RE2, fully
 * anchored. This module checks and matches them with re2js, a port of Go's `regexp`, so verdicts,
 * error messages and matches are RE2's own; it only adds offsets and hints for common mistakes.
 * Pure.
 */
import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';

/** A checked pattern. `matches` is RE2 matching of the whole text, as Prometheus matches. */
export interface Re2Matcher {
  matches(text: string): boolean;
}

export type Re2Result =
  { ok: true; matcher: Re2Matcher } | { ok: false; message: string; offset: number; hint?: string };

/**
 * Prometheus 3 parses a label matcher as written but compiles relabel regexes (and Prometheus 2
 * label matchers) as `^(?s:...)$`, so a pattern must pass both: `a)(b` passes only the anchored
 * form, `\Qa` only the bare one (anchored, its quote swallows the closing parenthesis).
 */
const anchorStart = '^(?s:';
const anchor = (pattern: string): string => `${anchorStart}${pattern})$`;

const hints = {
  lookaround: 'RE2 (Go) has no lookahead, lookbehind or atomic groups',
  group: 'RE2 groups are (...), (?:...), (?P<name>...) and flag groups such as (?i)',
  backreference: 'RE2 (Go) does not support backreferences',
  escape:
    'RE2 escapes only punctuation and the classes \\d \\s \\w \\b \\pN; write the character itself',
  repeat: 'RE2 allows repeat counts up to 1000, minimum first, and nested repeats multiply',
  quote:
    'Prometheus anchors the pattern as ^(?s:...)$, so \\Q without \\E also quotes the closing parenthesis: end the quote with \\E',
};

/**
 * Go accepts a capture name used twice, re2js (after Java's re2j) does not. Names do not change
 * what matches, so later uses get fresh names before the pattern is checked again.
 */
function renameDuplicateGroups(pattern: string): string {
  const group = /\(\?P?<(\w+)>/g;
  const taken = new Set(Array.from(pattern.matchAll(group), (match) => match[1] ?? ''));
  const seen = new Set<string>();
  return pattern.replace(group, (whole, name: string) => {
    if (!seen.has(name)) {
      seen.add(name);
      return whole;
    }
    let fresh = name;
    for (let index = 2; taken.has(fresh); index++) fresh = `${name}_${index}`;
    taken.add(fresh);
    return whole.replace(`<${name}>`, `<${fresh}>`);
  });
}

/** Compiles with re2js; a syntax error comes back instead of being thrown. */
function tryCompile(pattern: string): RE2JS | RE2JSException {
  try {
    return RE2JS.compile(pattern);
  } catch (error: unknown) {
    if (error instanceof RE2JSException) return error;
    throw error;
  }
}

type Compiled =
  { ok: true; anchored: () => RE2JS } | { ok: false; error: RE2JSException; anchored: boolean };

/**
 * Once the pattern itself compiles, the anchored form can only fail on an unterminated `\Q`
 * (which swallows the closing parenthesis) or on the one level of nesting it adds to a pattern
 * at RE2's depth limit (1,000, so at least that many characters); any other pattern gets its
 * anchored form compiled only when it is first matched.
 */
function compile(pattern: string): Compiled {
  const bare = tryCompile(pattern);
  if (bare instanceof RE2JSException) {
    if (
      bare instanceof RE2JSSyntaxException &&
      bare.getDescription() === 'duplicate capture group name'
    ) {
      const renamed = renameDuplicateGroups(pattern);
      if (renamed !== pattern) return compile(renamed);
    }
    return { ok: false, error: bare, anchored: false };
  }
  let anchored: RE2JS | RE2JSException | undefined;
  const compileAnchored = (): RE2JS | RE2JSException => (anchored ??= tryCompile(anchor(pattern)));
  if (pattern.includes('\\Q') || pattern.length >= 1000) {
    const regex = compileAnchored();
    if (regex instanceof RE2JSException) return { ok: false, error: regex, anchored: true };
  }
  return {
    ok: true,
    anchored: () => {
      const regex = compileAnchored();
      if (regex instanceof RE2JSException) throw regex; // checked above: cannot happen
      return regex;
    },
  };
}

/** Where the text an error message quotes starts in the pattern as written. */
function offsetOf(pattern: string, error: RE2JSException, anchored: boolean): number {
  // Only an unterminated \Q fails in the anchored form alone: point at the quote left open.
  if (anchored) return Math.max(0, pattern.indexOf('\\Q', pattern.lastIndexOf('\\E') + 1));
  const quoted = error instanceof RE2JSSyntaxException ? error.getPattern() : null;
  if (quoted === null) return 0;
  const first = pattern.indexOf(quoted);
  if (first === -1 || pattern.indexOf(quoted, first + 1) === -1) return Math.max(0, first);
  // The quoted text occurs more than once. RE2 parses left to right, so every prefix that reaches
  // the bad spot fails the same way: the shortest one ends there.
  let end = pattern.length;
  const failsAlike = (prefix: string): boolean => {
    const result = tryCompile(prefix);
    return result instanceof RE2JSException && result.message === error.message;
  };
  while (end > 0 && failsAlike(pattern.slice(0, end - 1))) end--;
  return Math.max(0, pattern.lastIndexOf(quoted, end - quoted.length));
}

function hintFor(
  description: string,
  pattern: string,
  offset: number,
  anchored: boolean,
): string | undefined {
  if (anchored) return hints.quote;
  const at = pattern.slice(offset);
  switch (description) {
    case 'invalid named capture': // how Go reads (?<= and (?<!
    case 'invalid or unsupported Perl syntax':
      if (/^\(\?(=|!|<=|<!|>)/.test(at)) return hints.lookaround;
      return at.startsWith('(?P=') ? hints.backreference : hints.group;
    case 'invalid escape sequence':
      return /^\\([1-9]|k|g)/.test(at) ? hints.backreference : hints.escape;
    case 'invalid repeat count':
      return hints.repeat;
  }
  return undefined;
}

// The same patterns recur in every overlay and rule file; a run sees few distinct ones.
const results = new Map<string, Re2Result>();
const maxCachedResults = 4096;

/** Checks an RE2 pattern as Prometheus does and compiles it for anchored matching. */
export function compileRe2(pattern: string): Re2Result {
  let result = results.get(pattern);
  if (result === undefined) {
    if (results.size >= maxCachedResults) results.clear();
    result = checkAndCompile(pattern);
    results.set(pattern, result);
  }
  return result;
}

/**
 * ASCII without RE2's metacharacters (`\.+*?()|[]{}^$`): RE2 reads it as the literal string,
 * so the anchored match is equality. Most relabel regexes are such names (`web`, `replica`,
 * `default;kubernetes;https`), and this spares validate the library's compile for each.
 */
const plainLiteral = /^[A-Za-z0-9_\-;:/ ,=@#%&'"<>!~`]*$/;

function checkAndCompile(pattern: string): Re2Result {
  if (plainLiteral.test(pattern))
    return { ok: true, matcher: { matches: (text) => text === pattern } };
  const compiled = compile(pattern);
  if (compiled.ok) {
    const { anchored } = compiled;
    return { ok: true, matcher: { matches: (text) => anchored().test(text) } };
  }
  const { error, anchored } = compiled;
  const syntax = error instanceof RE2JSSyntaxException;
  const offset = offsetOf(pattern, error, anchored);
  const hint = hintFor(syntax ? error.getDescription() : '', pattern, offset, anchored);
  const message = syntax ? error.message : `error parsing regexp: ${error.message}`;
  return { ok: false, message, offset, ...(hint ? { hint } : {}) };
}
