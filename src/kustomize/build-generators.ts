/**
 * The generators of one kustomization (configMapGenerator, then secretGenerator): each run with
 * the kustomization's generatorOptions and its files under the load restrictor, and its object
 * added to the accumulated list, or merged into / replacing an existing one per its behavior.
 */
import { join } from 'node:path';
import { restrictedPath } from './build-files.js';
import { reportAt, reportError, type Reporter } from './build-report.js';
import {
  absorbGenerated,
  generate,
  mergeGeneratorOptions,
  type GeneratorFiles,
} from './generators.js';
import type { Kustomization } from './kustomization-types.js';
import { idEquals, idLabel } from './resid.js';
import type { Origin, Resource } from './resource.js';
import type { KustomizeFileSystem, KustomizeFinding } from './types.js';
import { KustomizeError } from './values.js';

/** Runs the kustomization's generators into `resources`. */
export async function accumulateGenerators(
  fs: KustomizeFileSystem,
  findings: KustomizeFinding[],
  k: Kustomization,
  resources: Resource[],
): Promise<void> {
  for (const entry of [...k.configMapGenerator, ...k.secretGenerator]) {
    const report = reportAt(findings, k, entry.at);
    const args = {
      ...entry.value,
      options: mergeGeneratorOptions(entry.value.options, k.generatorOptions),
    };
    const origin: Origin = {
      file: k.file,
      document: 0,
      // Read only for a finding: locating parses the kustomization a second time.
      get line() {
        return k.locate(entry.at)?.line ?? 1;
      },
    };
    try {
      const generated = await generate(args, generatorFiles(fs, k), origin);
      absorb(resources, generated, report);
    } catch (error) {
      reportError(report, error);
    }
  }
}

function generatorFiles(fs: KustomizeFileSystem, k: Kustomization): GeneratorFiles {
  // The restrictor judges the real path before the file is read (restrictedPath throws).
  const read = async <T>(
    relativePath: string,
    load: (path: string) => Promise<T | undefined>,
  ): Promise<T> => {
    const content = await load(await restrictedPath(fs, k, relativePath, 'generator file'));
    if (content === undefined) {
      throw new KustomizeError(
        `generator file ${relativePath} does not exist`,
        'kustomize/file-not-found',
        `looked for ${join(k.dir, relativePath)}`,
      );
    }
    return content;
  };
  const text = (relativePath: string): Promise<string> =>
    read(relativePath, (path) => fs.readFile(path));
  const readBinary = fs.readBinaryFile?.bind(fs);
  return {
    text,
    bytes: (relativePath) =>
      readBinary
        ? read(relativePath, readBinary)
        : text(relativePath).then((content) => new TextEncoder().encode(content)),
  };
}

/** A generated object: added, or merged into / replacing an existing one per its behavior. */
function absorb(resources: Resource[], generated: Resource, report: Reporter): void {
  const id = generated.curId();
  const matches = resources.filter((resource) =>
    resource.anyIds().some((other) => idEquals(other, id)),
  );
  const behavior = generated.behavior ?? 'unspecified';
  const [existing] = matches;
  if (!existing) {
    if (behavior === 'merge' || behavior === 'replace') {
      report(
        'kustomize/generator-target-not-found',
        `${idLabel(id)} does not exist, so behavior ${behavior} has nothing to ${behavior === 'merge' ? 'merge into' : 'replace'}`,
        { hint: 'the base must generate or define an object of this name' },
      );
      return;
    }
    resources.push(generated);
    return;
  }
  if (matches.length > 1) {
    report(
      'kustomize/generator-conflict',
      `several objects could take the generated ${idLabel(id)}`,
    );
    return;
  }
  if (behavior !== 'merge' && behavior !== 'replace') {
    report(
      'kustomize/duplicate-resource',
      `${idLabel(id)} already exists (from ${existing.origin.file}); a generator of the same name needs behavior: merge or replace`,
      { hint: 'add `behavior: merge` (or replace) to this generator' },
    );
    return;
  }
  const index = resources.indexOf(existing);
  resources[index] = absorbGenerated(existing, generated, behavior);
}
