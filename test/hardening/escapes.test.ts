/**
 * Control characters (issue 13, point 13): a value from an environment file or a manifest may
 * hold a terminal escape sequence (`ESC ]0;title BEL` sets the window title, `ESC [2J` clears
 * the screen), C1 controls or bidi overrides. Messages echo such values; whatever the output
 * format, none of these characters reaches stdout or stderr raw.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeControls, jsonSafe } from '../../src/text-safety.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** Every raw control character the output must not carry (newline is the formatters' own). */
// eslint-disable-next-line no-control-regex -- these are exactly the characters to look for
const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** The first raw control character of the text, as `U+001B at 12`, or undefined. */
function firstRaw(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const character = text[index] ?? '';
    if (raw.test(character)) {
      return `U+${character.charCodeAt(0).toString(16).padStart(4, '0')} at ${index}`;
    }
  }
  return undefined;
}

// YAML double-quoted escapes: \e is ESC, \a is BEL, \x9b is CSI (C1), \u202e a bidi override.
const payload = String.raw`\e]0;pwned\a\e[2J\x9b31m\u202eevil\u2066x\x7f`;
const decoded = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\u2066x\u007f';

describe('escapeControls and jsonSafe', () => {
  it('show every control character as an escape', () => {
    expect(escapeControls(decoded)).toBe(
      '\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202eevil\\u2066x\\x7f',
    );
    expect(escapeControls('a\tb\r\nc')).toBe('a\\tb\\r\\nc');
    expect(escapeControls('a\nb', '\n  ')).toBe('a\n  b');
    expect(escapeControls('plain text, ünïcödé ✔')).toBe('plain text, ünïcödé ✔');
  });

  it('keeps JSON valid and equal while escaping C1 and bidi characters', () => {
    const json = JSON.stringify({ name: decoded });
    const safe = jsonSafe(json);
    expect(firstRaw(safe)).toBeUndefined();
    expect(JSON.parse(safe)).toEqual({ name: decoded });
  });
});

describe('no raw control character reaches the terminal', () => {
  const environments: Record<string, string> = {
    'an enum value': `tier: "${payload}"\n`,
    'a string of the wrong format': `namespace: mlflow-dev\nprometheus:\n  retention:\n    time: "${payload}"\n`,
    'a key': `namespace: mlflow-dev\n"${payload}": 1\n`,
  };
  for (const [what, content] of Object.entries(environments)) {
    it(`in an environment file: ${what}`, async () => {
      const root = await tempDir();
      await mkdir(join(root, 'environments'));
      await writeFile(join(root, 'environments', 'dev.yaml'), content);
      for (const flags of [[], ['--json'], ['--verbose']]) {
        const result = await runCli([...flags, 'render', '-c', 'environments', '-o', 'out'], root);
        expect(result.code).toBe(2);
        const text = result.stdout + result.stderr;
        expect(text).toMatch(/pwned/);
        expect(firstRaw(text), `${flags.join(' ')}: ${JSON.stringify(text)}`).toBeUndefined();
        if (flags.includes('--json')) {
          const parsed = JSON.parse(result.stdout) as {
            error: { problems: { message: string }[] };
          };
          // The JSON still carries the value itself, escaped only in its encoding.
          expect(JSON.stringify(parsed)).toContain('\\u001b]0;pwned');
        }
      }
    });
  }

  it('in a manifest: a name with escape sequences, in every report format', async () => {
    const root = await tempDir();
    await writeFile(
      join(root, 'cm.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        `  name: "bad${payload}"`,
        '  namespace: monitoring',
        `  labels: { "app${payload}": "x${payload}" }`,
        'data:',
        `  "key${payload}": value`,
        '',
      ].join('\n'),
    );
    for (const output of ['human', 'json', 'junit', 'sarif', 'github']) {
      const result = await runCli(
        ['validate', '-o', output, '--promtool', 'never', 'cm.yaml'],
        root,
      );
      expect(result.code).toBe(1);
      const text = result.stdout + result.stderr;
      expect(text).toMatch(/pwned/);
      expect(firstRaw(text), `${output}: ${JSON.stringify(text)}`).toBeUndefined();
    }
    const colored = await runCli(['validate', '--promtool', 'never', 'cm.yaml'], root, {
      stdoutIsTTY: true,
    });
    // Colour codes are the formatter's own; the name's ESC is shown as \x1b.
    expect(colored.stdout).toContain('\\x1b]0;pwned');
    expect(colored.stdout).not.toContain('\u001b]0;pwned');
  });
});
