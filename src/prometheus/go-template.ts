/**
 * A parse-time check of Go `text/template` text, as Prometheus runs on alert labels and
 * annotations: balanced `{{ }}` (with `{{-`/`-}}` trim markers and comments), quoted strings,
 * pipelines with known functions only, variables that are defined (`$labels`, `$value`, ... or
 * declared earlier), `if`/`range`/`with`/`define`/`block` closed by `end`. It reports the first
 * problem with Go's wording ("function \"foo\" not defined", "unclosed action", "unexpected
 * EOF"). It does not execute anything. Pure.
 */
import { quoteValue } from '../text-safety.js';

export interface TemplateError {
  message: string;
  /** 0-based offset into the template text. */
  offset: number;
}

export interface TemplateOptions {
  functions: ReadonlySet<string>;
  /** Variables defined before the text, without `$`, e.g. `labels`, `value`. */
  variables: readonly string[];
}

/** Functions of Go's text/template package. */
export const goBuiltinFunctions: readonly string[] = [
  'and',
  'call',
  'eq',
  'ge',
  'gt',
  'html',
  'index',
  'js',
  'le',
  'len',
  'lt',
  'ne',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'slice',
  'urlquery',
];

/** Functions Prometheus adds for alert and console templates (template/template.go). */
export const prometheusTemplateFunctions: readonly string[] = [
  'args',
  'externalURL',
  'first',
  'graphLink',
  'humanize',
  'humanize1024',
  'humanizeDuration',
  'humanizePercentage',
  'humanizeTimestamp',
  'label',
  'match',
  'now',
  'parseDuration',
  'pathPrefix',
  'query',
  'reReplaceAll',
  'safeHtml',
  'sortByLabel',
  'strvalue',
  'stripDomain',
  'stripPort',
  'tableLink',
  'title',
  'toDuration',
  'toLower',
  'toTime',
  'toUpper',
  'value',
];

/** What Prometheus defines before expanding an alert's labels and annotations. */
export const alertTemplateOptions: TemplateOptions = {
  functions: new Set([...goBuiltinFunctions, ...prometheusTemplateFunctions]),
  variables: ['labels', 'externalLabels', 'externalURL', 'value'],
};

type TokenKind =
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'string'
  | 'number'
  | 'char'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'leftParen'
  | 'rightParen'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'comma';

interface Token {
  kind: TokenKind;
  text: string;
  offset: number;
}

const keywordNames = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'template',
  'with',
]);

class TemplateFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{N}_]$/u.test(c);

/** Splits the action starting at `start` (just after `{{`) into tokens; returns its end. */
function lexAction(text: string, start: number): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let index = start;
  const fail = (message: string, at = index): never => {
    throw new TemplateFailure(message, at);
  };
  for (;;) {
    const c = text[index];
    if (c === undefined) throw new TemplateFailure('unclosed action', start - 2);
    if (isSpace(c)) {
      // ` -}}` closes the action with a trim marker.
      let next = index;
      while (isSpace(text[next])) next++;
      if (text.startsWith('-}}', next)) return { tokens, end: next + 3 };
      index = next;
      continue;
    }
    if (text.startsWith('}}', index)) return { tokens, end: index + 2 };
    const at = index;
    const push = (kind: TokenKind, end: number): void => {
      tokens.push({ kind, text: text.slice(at, end), offset: at });
      index = end;
    };
    if (c === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"' && text[end] !== '\n') {
        if (text[end] === '\\') end++;
        end++;
      }
      if (text[end] !== '"') fail('unterminated quoted string');
      push('string', end + 1);
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', index + 1);
      if (end === -1) fail('unterminated raw quoted string');
      push('string', end + 1);
      continue;
    }
    if (c === "'") {
      let end = index + 1;
      while (end < text.length && text[end] !== "'" && text[end] !== '\n') {
        if (text[end] === '\\') end++;
        end++;
      }
      if (text[end] !== "'") fail('unterminated character constant');
      push('char', end + 1);
      continue;
    }
    if (c === '(') {
      push('leftParen', index + 1);
      continue;
    }
    if (c === ')') {
      push('rightParen', index + 1);
      continue;
    }
    if (c === '|') {
      push('pipe', index + 1);
      continue;
    }
    if (c === ',') {
      push('comma', index + 1);
      continue;
    }
    if (text.startsWith(':=', index)) {
      push('declare', index + 2);
      continue;
    }
    if (c === '=') {
      push('assign', index + 1);
      continue;
    }
    if (c === '$' || c === '.') {
      let end = index + 1;
      while (isAlnum(text[end])) end++;
      // Field chains: `$labels.instance`, `.Labels.job`.
      while (text[end] === '.' && isAlnum(text[end + 1])) {
        end++;
        while (isAlnum(text[end])) end++;
      }
      const word = text.slice(index, end);
      push(c === '$' ? 'variable' : word === '.' ? 'dot' : 'field', end);
      continue;
    }
    const number =
      /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)i?/.exec(
        text.slice(index),
      );
    if (number && (c === '+' || c === '-' || c === '.' || /\d/.test(c))) {
      if (isAlnum(text[index + number[0].length]))
        fail(`bad number syntax: "${text.slice(index, index + number[0].length + 1)}"`);
      push('number', index + number[0].length);
      continue;
    }
    if (isAlnum(c)) {
      let end = index;
      while (isAlnum(text[end])) end++;
      const word = text.slice(index, end);
      // A field chain right after an identifier or a parenthesis is allowed: `(x).Field`.
      while (text[end] === '.' && isAlnum(text[end + 1])) {
        end++;
        while (isAlnum(text[end])) end++;
      }
      push(
        keywordNames.has(word)
          ? 'keyword'
          : word === 'true' || word === 'false'
            ? 'bool'
            : word === 'nil'
              ? 'nil'
              : 'identifier',
        end,
      );
      continue;
    }
    fail(`unrecognized character in action: ${JSON.stringify(c)}`);
  }
}

interface Block {
  keyword: string;
  offset: number;
  /** Variables declared inside, removed at its `end`. */
  declared: string[];
}

class TemplateParser {
  private readonly blocks: Block[] = [];
  private readonly variables: string[];

  constructor(private readonly options: TemplateOptions) {
    this.variables = ['', ...options.variables];
  }

  private fail(message: string, offset: number): never {
    throw new TemplateFailure(message, offset);
  }

  private declare(name: string): void {
    this.variables.push(name);
    this.blocks[this.blocks.length - 1]?.declared.push(name);
  }

  private checkVariable(token: Token): void {
    const name = token.text.slice(1).split('.')[0] ?? '';
    if (!this.variables.includes(name)) this.fail(`undefined variable "$${name}"`, token.offset);
  }

  /** A pipeline: optional declaration, then commands separated by `|`. */
  private pipeline(tokens: Token[], context: string, allowDeclaration: boolean, at: number): void {
    let rest = tokens;
    const [first, second, third, fourth] = rest;
    if (allowDeclaration && first?.kind === 'variable' && second) {
      if (second.kind === 'declare' || second.kind === 'assign') {
        if (second.kind === 'assign') this.checkVariable(first);
        rest = rest.slice(2);
        if (second.kind === 'declare') this.declare(first.text.slice(1));
      } else if (
        context === 'range' &&
        second.kind === 'comma' &&
        third?.kind === 'variable' &&
        fourth?.kind === 'declare'
      ) {
        rest = rest.slice(4);
        this.declare(first.text.slice(1));
        this.declare(third.text.slice(1));
      }
    }
    if (rest.length === 0) this.fail(`missing value for ${context}`, at);
    const commands: Token[][] = [[]];
    let depth = 0;
    for (const token of rest) {
      if (token.kind === 'leftParen') depth++;
      if (token.kind === 'rightParen') {
        depth--;
        if (depth < 0) this.fail('unexpected right paren', token.offset);
      }
      if (token.kind === 'pipe' && depth === 0) commands.push([]);
      else commands[commands.length - 1]?.push(token);
    }
    if (depth > 0) this.fail('unclosed left paren', at);
    for (const command of commands) this.command(command, at);
  }

  private command(tokens: Token[], at: number): void {
    if (tokens.length === 0) this.fail('missing value for command', at);
    const [first] = tokens;
    if (first?.kind === 'nil' && tokens.length === 1)
      this.fail('nil is not a command', first.offset);
    let index = 0;
    while (index < tokens.length) {
      const token = tokens[index];
      if (!token) break;
      switch (token.kind) {
        case 'identifier': {
          const name = token.text.split('.')[0] ?? '';
          if (!this.options.functions.has(name))
            this.fail(`function ${quoteValue(name)} not defined`, token.offset);
          break;
        }
        case 'variable':
          this.checkVariable(token);
          break;
        case 'leftParen': {
          let depth = 0;
          let end = index;
          for (; end < tokens.length; end++) {
            if (tokens[end]?.kind === 'leftParen') depth++;
            if (tokens[end]?.kind === 'rightParen') depth--;
            if (depth === 0) break;
          }
          const inner = tokens.slice(index + 1, end);
          const commands: Token[][] = [[]];
          let innerDepth = 0;
          for (const item of inner) {
            if (item.kind === 'leftParen') innerDepth++;
            if (item.kind === 'rightParen') innerDepth--;
            if (item.kind === 'pipe' && innerDepth === 0) commands.push([]);
            else commands[commands.length - 1]?.push(item);
          }
          for (const command of commands) this.command(command, token.offset);
          index = end + 1;
          continue;
        }
        case 'keyword':
          this.fail(`unexpected <${token.text}> in command`, token.offset);
          break;
        case 'declare':
        case 'assign':
        case 'comma':
          this.fail(`unexpected ${quoteValue(token.text)} in operand`, token.offset);
          break;
        default:
          break;
      }
      index++;
    }
  }

  action(tokens: Token[], at: number): void {
    const [first, ...rest] = tokens;
    if (!first) this.fail('missing value for command', at);
    if (first.kind !== 'keyword') {
      this.pipeline(tokens, 'command', true, at);
      return;
    }
    const keyword = first.text;
    switch (keyword) {
      case 'end': {
        const block = this.blocks.pop();
        if (!block) this.fail('unexpected {{end}}', first.offset);
        if (rest[0]) this.fail(`unexpected ${rest[0].text} in end`, rest[0].offset);
        for (const name of block.declared) {
          const position = this.variables.lastIndexOf(name);
          if (position >= 0) this.variables.splice(position, 1);
        }
        return;
      }
      case 'else': {
        const block = this.blocks[this.blocks.length - 1];
        if (!block || !['if', 'with', 'range'].includes(block.keyword))
          this.fail('unexpected {{else}}', first.offset);
        const [next, ...more] = rest;
        if (next?.kind === 'keyword' && (next.text === 'if' || next.text === 'with'))
          this.pipeline(more, next.text, true, next.offset);
        else if (next) this.fail(`unexpected ${next.text} in else`, next.offset);
        return;
      }
      case 'if':
      case 'with':
      case 'range':
        this.blocks.push({ keyword, offset: first.offset, declared: [] });
        this.pipeline(rest, keyword, true, first.offset);
        return;
      case 'define':
      case 'block': {
        const [name, ...pipeline] = rest;
        if (name?.kind !== 'string')
          this.fail(
            `unexpected ${name?.text ?? 'end of action'} in ${keyword} clause`,
            name?.offset ?? at,
          );
        if (keyword === 'block' && pipeline.length > 0)
          this.pipeline(pipeline, 'block', false, first.offset);
        this.blocks.push({ keyword, offset: first.offset, declared: [] });
        return;
      }
      case 'template': {
        const [name, ...pipeline] = rest;
        if (name?.kind !== 'string')
          this.fail(
            `unexpected ${name?.text ?? 'end of action'} in template clause`,
            name?.offset ?? at,
          );
        if (pipeline.length > 0) this.pipeline(pipeline, 'template', false, first.offset);
        return;
      }
      case 'break':
      case 'continue':
        if (!this.blocks.some((block) => block.keyword === 'range'))
          this.fail(`{{${keyword}}} outside {{range}}`, first.offset);
        return;
      default:
        this.fail(`unexpected <${keyword}>`, first.offset);
    }
  }

  finish(length: number): void {
    if (this.blocks.length > 0) this.fail('unexpected EOF', length);
  }
}

/** The first parse error of a Go template, or undefined when it parses. */
export function checkGoTemplate(
  text: string,
  options: TemplateOptions = alertTemplateOptions,
): TemplateError | undefined {
  const parser = new TemplateParser(options);
  try {
    let index = 0;
    for (;;) {
      const open = text.indexOf('{{', index);
      if (open === -1) break;
      let start = open + 2;
      // `{{- ` trims the text before; the dash must be followed by a space.
      if (text[start] === '-' && isSpace(text[start + 1])) start += 2;
      let cursor = start;
      while (isSpace(text[cursor])) cursor++;
      if (text.startsWith('/*', cursor)) {
        const close = text.indexOf('*/', cursor + 2);
        if (close === -1) throw new TemplateFailure('unclosed comment', open);
        let after = close + 2;
        while (isSpace(text[after])) after++;
        if (text.startsWith('-}}', after)) index = after + 3;
        else if (text.startsWith('}}', after)) index = after + 2;
        else throw new TemplateFailure('comment ends before closing delimiter', close);
        continue;
      }
      const { tokens, end } = lexAction(text, start);
      parser.action(tokens, open);
      index = end;
    }
    parser.finish(text.length);
  } catch (error: unknown) {
    if (error instanceof TemplateFailure) return { message: error.message, offset: error.offset };
    throw error;
  }
  return undefined;
}
