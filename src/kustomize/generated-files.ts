/**
 * Which files a generated ConfigMap was read from: the `configMapGenerator` entries of a
 * kustomization file with their `files:` (data key -> absolute path), so that a finding inside
 * a generated prometheus.yml or dashboard can point at the real file. Pure: the caller passes
 * the kustomization's text.
 */
import { dirname, resolve } from 'node:path';
import { loadChunk } from '../kube-yaml.js';
import { isRecord } from './values.js';

export interface GeneratorSource {
  name: string;
  /** data key -> absolute path of the file read. */
  files: Map<string, string>;
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** configMapGenerator entries of a kustomization file, with their `files`. */
export function configMapGeneratorsOf(file: string, text: string): GeneratorSource[] {
  const loaded = loadChunk({ text, lineOffset: 0 });
  if (!loaded.ok || !isRecord(loaded.value)) return [];
  return asArray(loaded.value.configMapGenerator).flatMap((entry) => {
    if (!isRecord(entry) || typeof entry.name !== 'string') return [];
    const files = new Map<string, string>();
    for (const spec of asArray(entry.files)) {
      if (typeof spec !== 'string') continue;
      const [key, path] = spec.includes('=') ? spec.split('=', 2) : [spec.split('/').at(-1), spec];
      if (key && path) files.set(key, resolve(dirname(file), path));
    }
    return [{ name: entry.name, files }];
  });
}

/**
 * The generator that made the ConfigMap `builtName` (its name after prefix, suffix and hash):
 * the longest generator name it contains.
 */
export function generatorOfConfigMap(
  builtName: string,
  kustomizationFile: string,
  text: string,
): GeneratorSource | undefined {
  return configMapGeneratorsOf(kustomizationFile, text)
    .filter((candidate) => builtName.includes(candidate.name))
    .sort((a, b) => b.name.length - a.name.length)[0];
}
