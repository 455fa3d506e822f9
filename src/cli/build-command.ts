/**
 * `gitops-gen build DIR`: prints what `kustomize build DIR` prints, from the in-process engine
 * (through the validate stage), in kubectl's YAML style; `--engine kubectl` prints kubectl's own
 * output instead, for comparison. Error findings go to stderr and exit 1.
 */
import { Option, type Command } from 'commander';
import { isAbsolute, relative, resolve } from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import { escapeControls, terminalText } from '../text-safety.js';
import type { CliIo } from './io.js';

interface BuildFlags {
  engine: 'in-process' | 'kubectl';
  enableHelm?: boolean;
}

/** go-yaml v2 (what kubectl prints through) reads these plain scalars as something else. */
const goYamlV2NonString = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)$/,
  /^[-+]?(?:\.inf|\.Inf|\.INF)$|^\.(?:nan|NaN|NAN)$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
];

/**
 * go-yaml v2's timestamps: the layouts 2006-1-2, 2006-1-2 15:4:5.999999999 and
 * 2006-1-2T15:4:5.999999999Z07:00, and only a date time.Parse accepts (no 2024-02-30).
 */
function isGoTimestamp(value: string): boolean {
  const match =
    /^(\d{4})-(\d\d?)-(\d\d?)(?:(?: (\d\d?):(\d\d?):(\d\d?)(?:\.\d{1,9})?)|(?:[Tt](\d\d?):(\d\d?):(\d\d?)(?:\.\d{1,9})?(?:Z|[-+]\d\d:\d\d)))?$/.exec(
      value,
    );
  if (!match) return false;
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > days) return false;
  const hour = Number(match[4] ?? match[7] ?? 0);
  const minute = Number(match[5] ?? match[8] ?? 0);
  const second = Number(match[6] ?? match[9] ?? 0);
  return hour < 24 && minute < 60 && second < 60;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

function isLetter(char: string): boolean {
  return /^\p{L}$/u.test(char);
}

/** go-yaml v2's order of map keys (keyList.Less): digits compared as numbers. */
export function goKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] ?? '';
    const y = br[i] ?? '';
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return x < y;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (x === '0' || y === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] ?? ''); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai] ?? ''); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi] ?? ''); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return x < y;
  }
  return ar.length < br.length;
}

const bestWidth = 80;

function isPrintable(code: number): boolean {
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    code === 0x85 ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const isBreak = (char: string | undefined): boolean =>
  char === '\n' || char === '\r' || char === '\u0085' || char === '\u2028' || char === '\u2029';
const isBlankOrEnd = (char: string | undefined): boolean =>
  char === undefined || char === ' ' || char === '\t' || isBreak(char);

type Style = 'plain' | 'single' | 'double' | 'literal';

/** libyaml's yaml_emitter_analyze_scalar and select_scalar_style, as go-yaml v2 runs them. */
function styleOf(value: string, key: boolean): Style {
  const chars = Array.from(value);
  if (value.includes('\n')) {
    const analysis = analyse(chars);
    return key || !analysis.blockAllowed ? 'double' : 'literal';
  }
  if (
    value === '' ||
    isGoTimestamp(value) ||
    goYamlV2NonString.some((pattern) => pattern.test(value))
  ) {
    return 'double';
  }
  const analysis = analyse(chars);
  if (analysis.plainAllowed) return 'plain';
  return analysis.singleAllowed ? 'single' : 'double';
}

function analyse(chars: readonly string[]): {
  plainAllowed: boolean;
  singleAllowed: boolean;
  blockAllowed: boolean;
} {
  let blockIndicators = false;
  const text = chars.join('');
  if (text.startsWith('---') || text.startsWith('...')) blockIndicators = true;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let special = false;
  let lineBreaks = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    const followedByWhitespace = isBlankOrEnd(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(char)) blockIndicators = true;
      else if ((char === '?' || char === ':' || char === '-') && followedByWhitespace)
        blockIndicators = true;
    } else if ((char === ':' && followedByWhitespace) || (char === '#' && precededByWhitespace)) {
      blockIndicators = true;
    }
    if (!isPrintable(char.codePointAt(0) ?? 0)) special = true;
    if (char === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(char)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(char);
  }
  let plainAllowed = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak);
  let singleAllowed = true;
  let blockAllowed = !trailingSpace;
  if (breakSpace) plainAllowed = singleAllowed = false;
  if (spaceBreak || special) plainAllowed = singleAllowed = blockAllowed = false;
  if (lineBreaks || blockIndicators) plainAllowed = false;
  return { plainAllowed, singleAllowed, blockAllowed };
}

const escapes: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00a0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

/**
 * A scalar written from `column` (where it starts) with continuation lines at `indent`,
 * folded as libyaml folds: at the first space past column 80.
 */
function scalarText(value: string, style: Style, column: number, indent: number, key: boolean) {
  const pad = ' '.repeat(indent);
  const chars = Array.from(value);
  if (style === 'literal') {
    const chomp = !isBreak(chars.at(-1)) ? '-' : isBreak(chars.at(-2)) ? '+' : '';
    const hint = chars[0] === ' ' || isBreak(chars[0]) ? '2' : '';
    const body = value
      .replace(/\n$/, chomp === '+' ? '\n' : '')
      .split('\n')
      .map((line) => (line === '' ? '' : pad + line))
      .join('\n');
    return `|${hint}${chomp}\n${body}`;
  }
  if (style === 'plain' || style === 'single') {
    const quote = style === 'single' ? "'" : '';
    let text = quote;
    let col = column + quote.length;
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const char = chars[i] ?? '';
      if (char === ' ') {
        const edge = style === 'single' && (i === 0 || i === chars.length - 1);
        if (!key && !spaces && col > bestWidth && !edge && chars[i + 1] !== ' ') {
          text += `\n${pad}`;
          col = indent;
        } else {
          text += char;
          col++;
        }
        spaces = true;
      } else {
        const written = char === "'" && style === 'single' ? "''" : char;
        text += written;
        col += written.length;
        spaces = false;
      }
    }
    return text + quote;
  }
  let text = '"';
  let col = column + 1;
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    const code = char.codePointAt(0) ?? 0;
    const escape = escapes[char];
    if (!isPrintable(code) || escape !== undefined || code === 0xfeff) {
      const written =
        escape !== undefined
          ? `\\${escape}`
          : code <= 0xff
            ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
            : code <= 0xffff
              ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
              : `\\U${code.toString(16).toUpperCase().padStart(8, '0')}`;
      text += written;
      col += written.length;
      spaces = false;
    } else if (char === ' ') {
      if (!key && !spaces && col > bestWidth && i > 0 && i < chars.length - 1) {
        text += `\n${pad}`;
        col = indent;
        if (chars[i + 1] === ' ') {
          text += '\\';
          col++;
        }
      } else {
        text += char;
        col++;
      }
      spaces = true;
    } else {
      text += char;
      col++;
      spaces = false;
    }
  }
  return `${text}"`;
}

/** A number as Go's strconv.FormatFloat(f, 'g', -1, 64) or an integer prints it. */
function numberText(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 21 || (!Number.isInteger(value) && exponent >= 21)) {
    return value.toExponential().replace(/e([-+])(\d)$/, 'e$10$2');
  }
  return String(value);
}

function scalarOf(value: unknown, column: number, indent: number, key = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'bigint') return value.toString();
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return scalarText(text, styleOf(text, key), column, indent, key);
}

/** `value` written after a `key:` at `indent` (a mapping's value) or a `- ` at `indent`. */
function nodeAfter(value: unknown, indent: number, column: number, inSequence: boolean): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    // A sequence in a mapping is not indented; in a sequence it starts on the same line.
    return inSequence
      ? ` ${sequence(value, indent + 2, true)}`
      : `\n${sequence(value, indent, false)}`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value);
    if (entries.length === 0) return ' {}\n';
    return inSequence
      ? ` ${mapping(value as Record<string, unknown>, indent + 2, true)}`
      : `\n${mapping(value as Record<string, unknown>, indent + 2, false)}`;
  }
  return ` ${scalarOf(value, column + 1, indent + 2)}\n`;
}

function mapping(object: Record<string, unknown>, indent: number, inline: boolean): string {
  const keys = Object.keys(object).filter((key) => object[key] !== undefined);
  keys.sort((a, b) => (goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0));
  return keys
    .map((key, index) => {
      const pad = inline && index === 0 ? '' : ' '.repeat(indent);
      const keyText = scalarOf(key, indent, indent, true);
      const column = indent + Array.from(keyText).length + 1;
      return `${pad}${keyText}:${nodeAfter(object[key], indent, column, false)}`;
    })
    .join('');
}

function sequence(items: readonly unknown[], indent: number, inline: boolean): string {
  return items
    .map((item, index) => {
      const pad = inline && index === 0 ? '' : ' '.repeat(indent);
      return `${pad}-${nodeAfter(item, indent, indent + 1, true)}`;
    })
    .join('');
}

/** One object as kubectl prints it (go-yaml v2 through sigs.k8s.io/yaml). */
export function kubectlYaml(object: unknown): string {
  if (object !== null && typeof object === 'object' && !Array.isArray(object)) {
    return Object.keys(object).length === 0
      ? '{}\n'
      : mapping(object as Record<string, unknown>, 0, false);
  }
  return nodeAfter(object, 0, -1, false).replace(/^[ \n]/, '');
}

/** The whole stream: objects separated by `---`. */
export function kubectlStream(objects: readonly unknown[]): string {
  return objects.map(kubectlYaml).join('---\n');
}

export function addBuildCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  exitCodeHelp: string,
): void {
  program
    .command('build')
    .description(
      'Print what `kustomize build DIR` prints, from the in-process build (or, with --engine kubectl, from kubectl kustomize).',
    )
    .argument('<dir>', 'the kustomization folder')
    .addOption(
      new Option('--engine <engine>', 'in-process, or kubectl to print its output for comparison')
        .choices(['in-process', 'kubectl'])
        .default('in-process'),
    )
    .option('--enable-helm', 'with --engine kubectl: inflate helmCharts (needs helm on PATH)')
    .addHelpText('after', exitCodeHelp)
    .action(async (dir: string, flags: BuildFlags) => {
      const directory = resolve(io.cwd, dir);
      if (flags.engine === 'kubectl') {
        const { processKustomize } = await import('../validate/external-kustomize.js');
        const result = await processKustomize().build(directory, {
          enableHelm: flags.enableHelm === true,
        });
        if (!result.ok) throw new UsageError(result.reason, result.hint);
        io.stdout(result.stdout);
        return;
      }
      const { buildObjects } = await import('../validate/kustomize-source.js');
      const display = (path: string): string => {
        const shown = relative(io.cwd, path);
        return shown !== '' && !shown.startsWith('..') && !isAbsolute(shown) ? shown : path;
      };
      const built = await buildObjects(directory, display);
      const errors = built.findings.filter((finding) => finding.severity === 'error');
      for (const finding of built.findings) {
        const location = [finding.file, finding.line, finding.column]
          .filter((part) => part !== undefined)
          .join(':');
        io.stderr(
          `${finding.severity}: ${escapeControls(location)}: ${terminalText(finding.message)} [${finding.code}]\n`,
        );
        if (finding.hint) io.stderr(`  hint: ${terminalText(finding.hint)}\n`);
      }
      if (errors.length > 0) {
        setExitCode(ExitCode.findings);
        return;
      }
      io.stdout(kubectlStream(built.objects));
    });
}
