/** Builds a Kustomize folder with the real `kubectl kustomize` and parses the objects. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

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
