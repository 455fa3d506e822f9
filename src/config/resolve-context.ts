/**
 * What every part of resolving an environment file shares: where problems are collected (with
 * the file, line and key path of the value at fault) and how a component's image and resources
 * are laid over its defaults. Pure.
 */
import type { Problem } from '../errors.js';
import type { Finding } from '../findings.js';
import type { ComponentSettings, ImageSettings, ResourceSettings } from './environment.js';
import type { ParsedSource } from './parse.js';
import { UserFileError, type UserFile, type UserFileReader } from './user-files.js';

export type Locate = ParsedSource['locate'];

export interface ResolveContext {
  file: string | undefined;
  locate: Locate;
  problems: Problem[];
  /** Reads the team's files that keys name (user-files.ts); absent for built-in environments. */
  files?: UserFileReader;
}

export type ComponentInput = {
  image?: { repository?: string; tag?: string; digest?: string };
  resources?: {
    requests?: Partial<ResourceSettings['requests']>;
    limits?: Partial<ResourceSettings['limits']>;
  };
};

export function component(defaults: ComponentSettings, input: ComponentInput): ComponentSettings {
  return {
    image: resolveImage(defaults.image, input.image ?? {}),
    resources: {
      requests: { ...defaults.resources.requests, ...input.resources?.requests },
      limits: { ...defaults.resources.limits, ...input.resources?.limits },
    },
  };
}

/**
 * Splits `tag@digest`; a digest given without a tag drops the default tag, which may name
 * another version than the digest. A digest in the tag and a different `digest` key is reported
 * by resolve.ts; here the key wins.
 */
export function resolveImage(
  defaults: ImageSettings,
  input: NonNullable<ComponentInput['image']>,
): ImageSettings {
  const [inputTag, tagDigest] = input.tag === undefined ? [] : input.tag.split('@');
  const digest = input.digest ?? tagDigest;
  const tag = inputTag ?? (digest === undefined ? defaults.tag : undefined);
  return {
    repository: input.repository ?? defaults.repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

export function report(
  context: ResolveContext,
  keyPath: string[],
  code: string,
  message: string,
  hint: string,
): void {
  const position = context.locate(keyPath, 'value');
  context.problems.push({
    code,
    message,
    hint,
    file: context.file,
    line: position?.line,
    column: position?.column,
    keyPath: keyPath.join('.'),
  });
}

/**
 * The files `pattern` names, for the environment key at `keyPath`; an unreadable pattern is a
 * problem at that key (file, line) and gives no files. Without a reader (the built-in
 * environments) any pattern is a problem.
 */
export function readUserFiles(
  context: ResolveContext,
  keyPath: string[],
  pattern: string,
): UserFile[] {
  if (!context.files) {
    report(
      context,
      keyPath,
      'config/file-not-found',
      `"${pattern}" names a file, but there is no environments folder to read it from`,
      'keep the environment files and the files they name in one folder, and pass it with --config',
    );
    return [];
  }
  try {
    return context.files.read(pattern);
  } catch (error) {
    if (!(error instanceof UserFileError)) throw error;
    report(context, keyPath, error.code, error.message, error.hint);
    return [];
  }
}

/**
 * Findings of an engine's check on a team file (rule file, dashboard) that the consuming
 * program would refuse (errors) as problems at the file's own line; warnings are left to
 * `validate`. `hint` is used when a finding has none.
 */
export function problemsFromFindings(findings: readonly Finding[], hint: string): Problem[] {
  return findings
    .filter((finding) => finding.severity === 'error')
    .map((finding) => ({
      code: finding.code,
      message: finding.message,
      file: finding.file,
      line: finding.line,
      column: finding.column,
      ...(finding.path === undefined ? {} : { keyPath: finding.path }),
      hint: finding.hint ?? hint,
    }));
}
