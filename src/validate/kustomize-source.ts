/**
 * Kustomization folders as validation sources: the adapter between the kustomize engine
 * (src/kustomize/, which builds them) and the pipeline. It turns the built objects into
 * manifest resources located in the files they came from, with the files that
 * configMapGenerators read, so that findings inside a generated prometheus.yml or dashboard
 * point at the real file and line. Reads files only through the kustomize port.
 */
import { splitDocuments, type YamlChunk } from '../kube-yaml.js';
import {
  buildKustomization,
  generatorOfConfigMap,
  nodeFileSystem,
  type BuildCache,
  type KustomizeFileSystem,
} from '../kustomize/index.js';
import type { ManifestResource, Position } from './documents.js';
import { lazyLocator } from './documents.js';
import type { GeneratedFile } from './embedded.js';
import type { Finding, ResourceId } from './findings.js';
import { isRecord } from './object-paths.js';

/** Builds one kustomization folder into objects (plugged in by the kustomize module). */
export type KustomizeBuilder = (
  directory: string,
  display: (path: string) => string,
) => Promise<{
  resources: ManifestResource[];
  findings: Finding[];
  /** For generated ConfigMaps: data key -> the file it was read from. */
  generated: Map<ManifestResource, Map<string, GeneratedFile>>;
}>;

const kustomizationFile = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

function identity(object: Record<string, unknown>): ResourceId {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  return {
    apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : '',
    kind: typeof object.kind === 'string' ? object.kind : '',
    name: typeof metadata.name === 'string' ? metadata.name : '',
    ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
  };
}

/**
 * The kustomize builder `validate` uses: in-process, reading from disk. One builder serves one
 * run: the bases its kustomizations share are built once (files do not change during a run).
 */
export function kustomizeBuilder(
  fileSystem: KustomizeFileSystem = nodeFileSystem(),
): KustomizeBuilder {
  const cache: BuildCache = new Map();
  return async (directory, display) => {
    const built = await buildKustomization(directory, fileSystem, cache);
    const texts = new Map<string, Promise<string | undefined>>();
    const read = (file: string): Promise<string | undefined> => {
      let text = texts.get(file);
      if (!text) {
        text = fileSystem.readFile(file);
        texts.set(file, text);
      }
      return text;
    };
    const chunks = new Map<string, YamlChunk[]>();
    const resources: ManifestResource[] = [];
    const generated = new Map<ManifestResource, Map<string, GeneratedFile>>();
    for (const { object, origin } of built.resources) {
      let fileChunks = chunks.get(origin.file);
      if (!fileChunks) {
        fileChunks = splitDocuments((await read(origin.file)) ?? '');
        chunks.set(origin.file, fileChunks);
      }
      const chunk = fileChunks[origin.document];
      const locate = chunk ? lazyLocator(chunk) : (): Position | undefined => undefined;
      const resource: ManifestResource = {
        id: identity(object),
        object,
        file: display(origin.file),
        document: origin.document,
        pathInDocument: [],
        locate,
      };
      resources.push(resource);
      if (resource.id.kind === 'ConfigMap' && kustomizationFile.test(origin.file)) {
        const generator = generatorOfConfigMap(
          resource.id.name,
          origin.file,
          (await read(origin.file)) ?? '',
        );
        if (generator) {
          generated.set(
            resource,
            new Map([...generator.files].map(([key, path]) => [key, { file: display(path) }])),
          );
        }
      }
    }
    const findings: Finding[] = built.findings.map((finding) => ({
      ...finding,
      file: display(finding.file),
    }));
    return { resources, findings, generated };
  };
}
