/**
 * The invalid-manifest corpus: every file under test/fixtures/validate/manifests marks each
 * expected finding on the line it must be reported at, as `# <- code [path]`. The test checks
 * that each marked finding is reported there, and that no unmarked error is.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate, type Finding } from '../../src/index.js';

const corpus = join(import.meta.dirname, '..', 'fixtures', 'validate', 'manifests');

interface Expectation {
  code: string;
  path?: string;
  line: number;
}

function expectations(text: string): Expectation[] {
  return text.split('\n').flatMap((line, index) =>
    [...line.matchAll(/# <- ([\w/-]+)(?: (\S+))?/g)].map((match) => ({
      code: match[1] ?? '',
      ...(match[2] ? { path: match[2] } : {}),
      line: index + 1,
    })),
  );
}

async function findingsOf(file: string): Promise<Finding[]> {
  return (await validate({ paths: [file] })).findings;
}

const files = (await readdir(corpus)).filter((name) => name.endsWith('.yaml')).sort();

describe('invalid manifest corpus', () => {
  it('holds at least 40 cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)('%s', async (name) => {
    const text = await readFile(join(corpus, name), 'utf8');
    const findings = await findingsOf(join(corpus, name));
    const expected = expectations(text);
    for (const expectation of expected) {
      const match = findings.find(
        (finding) =>
          finding.code === expectation.code &&
          finding.line === expectation.line &&
          (expectation.path === undefined || finding.path === expectation.path),
      );
      expect(
        match,
        `${expectation.code} ${expectation.path ?? ''} at line ${expectation.line}; got:\n${findings.map((f) => `${f.line ?? '?'} ${f.code} ${f.path ?? ''} ${f.message}`).join('\n')}`,
      ).toBeDefined();
    }
    const unexpectedErrors = findings.filter(
      (finding) =>
        finding.severity === 'error' &&
        !expected.some(
          (expectation) => expectation.code === finding.code && expectation.line === finding.line,
        ),
    );
    expect(unexpectedErrors).toEqual([]);
    if (name.startsWith('valid-') || name.includes('ignored')) expect(findings).toEqual([]);
  });
});
