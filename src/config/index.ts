/**
 * Config stage: environment files -> EnvironmentConfig[]. Reads the folder (load.ts), parses
 * with positions (parse.ts), checks the schema (check-schema.ts) and applies defaults
 * (resolve.ts). All problems of all files are collected before failing, so one run shows them all.
 */
import { basename } from 'node:path';
import { InputError, UsageError, type Problem } from '../errors.js';
import { builtInEnvironmentNames } from './defaults.js';
import type { EnvironmentConfig } from './environment.js';
import { didYouMean } from './hints.js';
import { pathExists, readEnvironmentSources, type EnvironmentSource } from './load.js';
import { parseYamlSource } from './parse.js';
import { checkEnvironmentData } from './check-schema.js';
import { crossCheckEnvironments, type EnvironmentOrigin } from './cross-check.js';
import { resolveEnvironment } from './resolve.js';
import { formatPatterns } from './schema.js';
import { folderFileReader, type UserFileReader } from './user-files.js';

export type { EnvironmentConfig } from './environment.js';
export { environmentSchema, type EnvironmentFile } from './schema.js';
export type { EnvironmentSource } from './load.js';
export {
  folderFileReader,
  memoryFileReader,
  type UserFile,
  type UserFileReader,
} from './user-files.js';

export interface LoadEnvironmentsOptions {
  /** Folder holding `<env>.yaml` files. */
  configDir: string;
  /** When false, a missing folder means "use the built-in dev, staging and prod". */
  configDirRequired?: boolean;
  /** Only these environments (all when empty or undefined). */
  only?: readonly string[];
}

/** Reads, checks and resolves the environments of a folder (or the built-in ones). */
export async function loadEnvironments(
  options: LoadEnvironmentsOptions,
): Promise<EnvironmentConfig[]> {
  const sources = await readEnvironmentSources(options.configDir);
  if (!sources) {
    if (options.configDirRequired || (await pathExists(options.configDir))) {
      throw new InputError(`config folder ${options.configDir} does not exist or is not a folder`, [
        {
          code: 'input/missing-config',
          message: `config folder ${options.configDir} does not exist or is not a folder`,
          hint: 'pass --config with the folder that holds your <env>.yaml files, or run `gitops-gen init`',
        },
      ]);
    }
    return selectEnvironments(builtInEnvironments(), options.only);
  }
  if (sources.length === 0) {
    const message = `no environment files (*.yaml) in ${options.configDir}`;
    throw new InputError(message, [
      {
        code: 'input/no-environments',
        message,
        hint: 'add a file such as dev.yaml; an empty file uses every default',
      },
    ]);
  }
  return selectEnvironments(
    resolveEnvironmentSources(sources, folderFileReader(options.configDir)),
    options.only,
  );
}

/** The built-in environments: every default of dev, staging and prod. */
export function builtInEnvironments(): EnvironmentConfig[] {
  return resolveEnvironmentSources(
    builtInEnvironmentNames.map((name) => ({ file: '', name, text: '' })),
  ).map((environment) => ({ ...environment, sourceFile: undefined }));
}

/** Pure: parses, checks and resolves already-read sources; throws InputError with every problem. */
export function resolveEnvironmentSources(
  sources: readonly EnvironmentSource[],
  files?: UserFileReader,
): EnvironmentConfig[] {
  const problems: Problem[] = [];
  const environments: EnvironmentConfig[] = [];
  const origins = new Map<string, EnvironmentOrigin>();
  const seen = new Map<string, string>();
  for (const source of sources) {
    if (!formatPatterns['dns-label'].test(source.name)) {
      problems.push({
        code: 'config/invalid-environment-name',
        file: source.file,
        message: `environment name "${source.name}" (from the file name) is not a valid name`,
        hint: 'rename the file: lowercase letters, digits and "-", at most 63 characters, such as prod-eu.yaml',
      });
      continue;
    }
    const previous = seen.get(source.name);
    if (previous !== undefined) {
      problems.push({
        code: 'config/duplicate-environment',
        file: source.file,
        // The file name only: both files sit in one folder, and `file` may be absolute.
        message: `environment "${source.name}" is defined twice (also in ${basename(previous)})`,
        hint: 'keep one of the two files',
      });
      continue;
    }
    seen.set(source.name, source.file);
    const parsed = parseYamlSource(source.file, source.text);
    if (parsed.problems.length > 0) {
      problems.push(...inFileOrder(parsed.problems));
      continue;
    }
    const checked = checkEnvironmentData(parsed);
    if (!checked.ok) {
      problems.push(...inFileOrder(checked.problems));
      continue;
    }
    const resolved = resolveEnvironment(source.name, checked.file, {
      file: source.file || undefined,
      locate: parsed.locate,
      ...(files ? { files } : {}),
    });
    if (resolved.ok) environments.push(resolved.environment);
    else problems.push(...inFileOrder(resolved.problems));
    origins.set(source.name, { file: source.file || undefined, locate: parsed.locate });
  }
  if (problems.length === 0) problems.push(...crossCheckEnvironments(environments, origins));
  if (problems.length > 0) {
    const count = problems.length === 1 ? 'an error' : `${problems.length} errors`;
    throw new InputError(`the environment files have ${count}`, problems, 'config/invalid');
  }
  return environments;
}

/** The problems of one file sorted by line and column (schema order is not reading order). */
function inFileOrder(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

export function selectEnvironments(
  environments: EnvironmentConfig[],
  only: readonly string[] | undefined,
): EnvironmentConfig[] {
  if (!only || only.length === 0) return environments;
  const names = environments.map((environment) => environment.name);
  for (const name of only) {
    if (!names.includes(name)) {
      throw new UsageError(
        `unknown environment "${name}"`,
        didYouMean(name, names) ?? `known environments: ${names.join(', ')}`,
      );
    }
  }
  return environments.filter((environment) => only.includes(environment.name));
}
