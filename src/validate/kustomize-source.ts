/**
 * Kustomization folders as validation sources: the adapter between the kustomize engine
 * (src/kustomize/, which builds them) and the pipeline. It turns the built objects into
 * manifest resources located in the files they came from, with the files that
 * configMapGenerators read, so that findings inside a generated prometheus.yml or dashboard
 * point at the real file and line. Reads files only through the kustomize port.
 */
import { join } from 'node:path';
import { loadChunk, splitDocuments, type YamlChunk } from '../kube-yaml.js';
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
import { installHint, type ExternalKustomize } from './external-kustomize.js';

/** The finding of a kustomization that could not be built: validate exits 2 for it. */
export const notBuiltCode = 'kustomize/not-built';

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
  fallback: { external?: ExternalKustomize; enableHelm?: boolean } = {},
): KustomizeBuilder {
  const cache: BuildCache = new Map();
  return async (directory, display) => {
    const built = await buildKustomization(directory, fileSystem, cache);
    const unsupported = built.findings.filter(
      (finding) =>
        finding.code === 'kustomize/unsupported-field' ||
        finding.code === 'kustomize/remote-resource',
    );
    if (unsupported.length > 0) {
      return externalBuild(directory, display, unsupported, fileSystem, fallback);
    }
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

async function kustomizationFileIn(
  directory: string,
  fileSystem: KustomizeFileSystem,
): Promise<string> {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const path = join(directory, name);
    if ((await fileSystem.readFile(path)) !== undefined) return path;
  }
  return join(directory, 'kustomization.yaml');
}

/** What the in-process build left out, in a few words: `vars`, `helmCharts`, a remote base. */
function featuresOf(unsupported: readonly { code: string; message: string }[]): string {
  const names = new Set(
    unsupported.map((finding) =>
      finding.code === 'kustomize/remote-resource'
        ? 'a remote resource'
        : (/^`([^`]+)`/.exec(finding.message)?.[1] ?? 'an unsupported field'),
    ),
  );
  return [...names].join(', ');
}

/**
 * A kustomization the in-process engine cannot build in full: built by kubectl kustomize (or
 * kustomize build) when one is on PATH, its objects located at the kustomization file (no line:
 * the tool generated them); otherwise, or for a remote base (the build is offline), not built
 * at all: one `kustomize/not-built` error and no object, never a partial build.
 */
async function externalBuild(
  directory: string,
  display: (path: string) => string,
  unsupported: readonly { code: string; message: string; file: string }[],
  fileSystem: KustomizeFileSystem,
  fallback: { external?: ExternalKustomize; enableHelm?: boolean },
): ReturnType<KustomizeBuilder> {
  const file = display(await kustomizationFileIn(directory, fileSystem));
  const features = featuresOf(unsupported);
  const notBuilt = (reason: string, hint: string): Awaited<ReturnType<KustomizeBuilder>> => ({
    resources: [],
    generated: new Map(),
    findings: [
      {
        code: notBuiltCode,
        severity: 'error',
        message: `not built: it uses ${features}, which the in-process build does not implement, and ${reason}; none of its objects was validated`,
        file,
        hint,
      },
    ],
  });
  const remote = unsupported.find((finding) => finding.code === 'kustomize/remote-resource');
  if (remote) {
    return notBuilt(
      `${remote.message.replace(/ is not fetched by the in-process build$/, '')} is never fetched (validate is offline)`,
      'vendor the remote base into the repository, then validate again',
    );
  }
  if (!fallback.external) return notBuilt('no external kustomize was given', installHint);
  const result = await fallback.external.build(directory, {
    enableHelm: fallback.enableHelm === true,
  });
  if (!result.ok) return notBuilt(result.reason, result.hint);
  const resources: ManifestResource[] = [];
  const findings: Finding[] = [
    {
      code: 'kustomize/external-build',
      severity: 'info',
      message: `built with ${result.tool}: it uses ${features}, which the in-process build does not implement; findings name the built objects, without lines`,
      file,
    },
  ];
  const noPosition = (): Position | undefined => undefined;
  for (const chunk of splitDocuments(result.stdout)) {
    const loaded = loadChunk(chunk);
    if (!loaded.ok) {
      return notBuilt(
        `the output of ${result.tool} could not be read: ${loaded.message}`,
        installHint,
      );
    }
    if (!isRecord(loaded.value)) continue;
    resources.push({
      id: identity(loaded.value),
      object: loaded.value,
      file,
      document: resources.length,
      pathInDocument: [],
      locate: noPosition,
    });
  }
  return { resources, findings, generated: new Map() };
}

/**
 * `gitops-gen build`: the in-process build of one folder, its objects and findings (paths
 * shown through `display`). Pure but for the file reads of the kustomize port.
 */
export async function buildObjects(
  directory: string,
  display: (path: string) => string,
  fileSystem: KustomizeFileSystem = nodeFileSystem(),
): Promise<{ objects: Record<string, unknown>[]; findings: Finding[] }> {
  const built = await buildKustomization(directory, fileSystem);
  return {
    objects: built.resources.map((resource) => resource.object),
    findings: built.findings.map((finding) => ({ ...finding, file: display(finding.file) })),
  };
}
