/** Builds a Kustomize folder with the real `kubectl kustomize` and parses the objects. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments, type ScalarTag, type Tags } from 'yaml';

const execFileAsync = promisify(execFile);

export interface BuiltObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export async function kustomizeBuild(folder: string): Promise<BuiltObject[]> {
  const { stdout } = await execFileAsync('kubectl', ['kustomize', folder], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as BuiltObject | null)
    .filter((object): object is BuiltObject => object !== null);
}

export function findObject(objects: BuiltObject[], kind: string, namePrefix: string): BuiltObject {
  const found = objects.find(
    (object) => object.kind === kind && object.metadata.name.startsWith(namePrefix),
  );
  if (!found) throw new Error(`no ${kind} ${namePrefix} in the build`);
  return found;
}

/** kubectl prints through go-yaml v2: read it back as YAML 1.1, timestamps as strings. */
const goFloat: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (source: string) => Number.parseFloat(source),
};

/** The `customTags` that read kubectl's output as go-yaml v2 wrote it. */
export const kubectlOutputTags = (tags: Tags): Tags => [
  goFloat,
  ...tags.filter((tag) => {
    const name = typeof tag === 'string' ? tag : tag.tag;
    return name !== 'tag:yaml.org,2002:timestamp' && name !== 'tag:yaml.org,2002:float';
  }),
];
