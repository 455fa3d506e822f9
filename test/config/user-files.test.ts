/**
 * The team's files that environment keys name (issue 15): globs relative to the environments
 * folder, read in path order, and nothing outside the folder: not by `..`, an absolute path, a
 * symbolic link or a file whose real path leaves the folder.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  folderFileReader,
  memoryFileReader,
  UserFileError,
  type UserFileReader,
} from '../../src/config/user-files.js';
import { tempDir } from '../helpers/temp.js';

function failure(reader: UserFileReader, pattern: string): string {
  try {
    reader.read(pattern);
  } catch (error) {
    if (error instanceof UserFileError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

describe('the folder reader', () => {
  it('expands globs in path order and reads literal paths', async () => {
    const folder = await tempDir();
    await mkdir(join(folder, 'rules', 'more'), { recursive: true });
    await writeFile(join(folder, 'rules', 'b.yaml'), 'b');
    await writeFile(join(folder, 'rules', 'a.yaml'), 'a');
    await writeFile(join(folder, 'rules', 'more', 'c.yaml'), 'c');
    await writeFile(join(folder, 'environment.schema.json'), '{}');
    const reader = folderFileReader(folder);
    expect(reader.read('rules/*.yaml').map((file) => file.path)).toEqual([
      'rules/a.yaml',
      'rules/b.yaml',
    ]);
    expect(reader.read('rules/**/*.yaml').map((file) => [file.path, file.text])).toEqual([
      ['rules/a.yaml', 'a'],
      ['rules/b.yaml', 'b'],
      ['rules/more/c.yaml', 'c'],
    ]);
    expect(failure(reader, '*.json')).toMatch(/^config\/file-not-found/);
    expect(reader.read('rules/a.yaml')[0]?.file).toBe(join(folder, 'rules', 'a.yaml'));
  });

  it('refuses what reads outside the folder, and patterns that match nothing', async () => {
    const folder = await tempDir();
    const outside = await tempDir();
    await writeFile(join(outside, 'secret.yaml'), 'x');
    await mkdir(join(folder, 'rules'));
    await symlink(join(outside, 'secret.yaml'), join(folder, 'rules', 'link.yaml'));
    await symlink(outside, join(folder, 'elsewhere'));
    const reader = folderFileReader(folder);
    expect(failure(reader, '../secret.yaml')).toMatch(/^config\/file-outside-folder: .*\.\./);
    expect(failure(reader, join(outside, 'secret.yaml'))).toMatch(
      /^config\/file-outside-folder: .* is not a path relative/,
    );
    expect(failure(reader, 'rules/link.yaml')).toMatch(/^config\/file-symlink: /);
    expect(failure(reader, 'elsewhere/secret.yaml')).toMatch(
      /^config\/file-outside-folder: .* resolves outside/,
    );
    // A glob through a linked folder finds the file, and the real path refuses it.
    expect(failure(reader, 'elsewhere/*.yaml')).toMatch(/^config\/file-outside-folder: /);
    expect(failure(reader, 'rules/missing.yaml')).toMatch(/^config\/file-not-found: /);
    expect(failure(reader, 'rules')).toMatch(/^config\/file-not-regular: /);
  });
});

describe('the memory reader', () => {
  it('matches like the folder reader', () => {
    const reader = memoryFileReader({
      'rules/b.yaml': 'b',
      'rules/a.yaml': 'a',
      'dashboards/x.json': '{}',
      'environment.schema.json': '{}',
    });
    expect(reader.read('rules/*.yaml').map((file) => file.path)).toEqual([
      'rules/a.yaml',
      'rules/b.yaml',
    ]);
    expect(reader.read('**/*.json').map((file) => file.path)).toEqual(['dashboards/x.json']);
    expect(failure(reader, 'nope/*.yaml')).toMatch(/^config\/file-not-found/);
    expect(failure(reader, '../x')).toMatch(/^config\/file-outside-folder/);
  });
});
