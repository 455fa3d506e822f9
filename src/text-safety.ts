/**
 * Text that reaches a person or a terminal: values from users' files quoted short, and control
 * characters made visible. A value can be megabytes long, and a name in a YAML file can hold a
 * terminal escape sequence (`\u001b]0;title\u0007`, `\u001b[2J`) or a bidi override that makes
 * the text read differently than it is; neither may reach a terminal raw.
 *
 * A tiny helper rather than a library: strip-ansi removes only ANSI sequences (and removes rather
 * than shows them), leaving BEL, C1 and bidi controls in place; jsesc escapes for JavaScript
 * source, not for a report. Pure; imports nothing.
 */

/** How many characters of a value a message quotes. */
export const quoteLimit = 100;

/** The longest message or hint printed whole: a backstop for values no quoteValue shortened. */
export const messageLimit = 2000;

/**
 * The first `limit` characters of `text` and `… (N more characters)`, or `text` when it is
 * short enough. Never cuts a surrogate pair in two.
 */
export function clip(text: string, limit = quoteLimit): string {
  const { start, more } = cut(text, limit);
  return more > 0 ? `${start}… (${more} more characters)` : text;
}

/** The first `limit` characters of `text` (never half a surrogate pair) and how many are left. */
function cut(text: string, limit: number): { start: string; more: number } {
  if (text.length <= limit) return { start: text, more: 0 };
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate: keep the pair together
  return { start: text.slice(0, end), more: text.length - end };
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  // JSON.stringify returns undefined for undefined, functions and symbols.
  const json: unknown = JSON.stringify(value);
  return typeof json === 'string' ? json : String(value);
}

/**
 * A value as a message shows it: a string in double quotes, anything else as JSON, at most
 * `limit` characters of it (`"aaaa…" (9900 more characters)`).
 */
export function quoteValue(value: unknown, limit = quoteLimit): string {
  const { start, more } = cut(asText(value), limit);
  const shown = typeof value === 'string' ? `"${start}${more > 0 ? '…' : ''}"` : start;
  return more > 0
    ? `${shown}${typeof value === 'string' ? '' : '…'} (${more} more characters)`
    : shown;
}

/**
 * quoteValue with a string quoted as JSON (escapes and all), as messages worded after
 * Prometheus' and Grafana's own (Go's %q) quote it.
 */
export function quoteJson(value: unknown, limit = quoteLimit): string {
  if (typeof value !== 'string') return quoteValue(value, limit);
  const { start, more } = cut(value, limit);
  return more > 0
    ? `${JSON.stringify(`${start}…`)} (${more} more characters)`
    : JSON.stringify(value);
}

/**
 * C0 controls (tab, CR and newline included), DEL, C1 controls, the line and paragraph
 * separators, and the Unicode bidi embeddings, overrides and isolates.
 */
// eslint-disable-next-line no-control-regex -- these are exactly the characters to escape
const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same set without C0, which JSON.stringify escapes.
const jsonUnsafe = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const named: Record<string, string> = { '\t': '\\t', '\r': '\\r', '\n': '\\n' };

function visible(character: string): string {
  const short = named[character];
  if (short !== undefined) return short;
  const code = character.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text safe for a terminal: every control character shown as an escape (`\x1b`, `\x07`,
 * `\x9b`, `\u202e`, `\t`, `\r`). A newline becomes `newline` when given (a formatter's own line
 * break with its indentation), `\n` otherwise.
 */
export function escapeControls(text: string, newline?: string): string {
  controls.lastIndex = 0;
  if (!controls.test(text)) return text;
  return text.replace(controls, (character) =>
    character === '\n' && newline !== undefined ? newline : visible(character),
  );
}

/**
 * JSON text with no raw DEL, C1, separator or bidi character: each becomes a `\u` escape, which
 * JSON reads back as the same character. JSON.stringify already escapes C0; these characters
 * can only occur inside strings, so the result stays valid JSON with the same values.
 */
export function jsonSafe(json: string): string {
  jsonUnsafe.lastIndex = 0;
  if (!jsonUnsafe.test(json)) return json;
  return json.replace(
    jsonUnsafe,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A message or hint for a terminal: at most `messageLimit` characters, controls escaped. */
export function terminalText(text: string, newline?: string): string {
  return escapeControls(clip(text, messageLimit), newline);
}
