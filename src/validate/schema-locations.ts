/**
 * `--schema-location`: JSON Schemas from folders laid out the way kubeconform reads them, so
 * existing kubeconform schema mirrors (kubernetes-json-schema clones, CRD catalogs) work. The
 * location is a Go-template-like path with kubeconform's fields; `default` stands for the
 * built-in schemas. Reading is local only: gitops-gen validate never uses the network.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { UsageError } from '../errors.js';
import type { SchemaLookup } from './schema-check.js';

export interface TemplateFields {
  NormalizedKubernetesVersion: string;
  StrictSuffix: string;
  ResourceKind: string;
  ResourceAPIVersion: string;
  Group: string;
  KindSuffix: string;
}

/** kubeconform's template fields for one kind. */
export function templateFields(
  apiVersion: string,
  kind: string,
  kubernetesVersion: string,
  strict: boolean,
): TemplateFields {
  const [groupOrVersion = '', version] = apiVersion.split('/');
  const group = version === undefined ? '' : groupOrVersion;
  const firstLabel = (version === undefined ? groupOrVersion : group).split('.')[0] ?? '';
  return {
    NormalizedKubernetesVersion:
      kubernetesVersion === 'master' ? 'master' : `v${kubernetesVersion.replace(/^v/, '')}`,
    StrictSuffix: strict ? '-strict' : '',
    ResourceKind: kind.toLowerCase(),
    ResourceAPIVersion: version ?? groupOrVersion,
    Group: group.toLowerCase(),
    KindSuffix: `-${firstLabel.toLowerCase()}${version === undefined ? '' : `-${version.toLowerCase()}`}`,
  };
}

const fieldPattern = /\{\{\s*\.(\w+)\s*\}\}/g;

/** Fills a location template; a location not ending in .json gets kubeconform's default layout. */
export function expandLocation(location: string, fields: TemplateFields): string {
  const template = location.endsWith('json')
    ? location
    : `${location.replace(/\/$/, '')}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
  return template.replace(fieldPattern, (whole, name: string) => {
    if (!(name in fields))
      throw new UsageError(
        `unknown field {{ .${name} }} in --schema-location ${location}`,
        `fields: ${Object.keys(fields).join(', ')}`,
      );
    return fields[name as keyof TemplateFields];
  });
}

export function checkLocation(location: string): void {
  if (/^https?:\/\//i.test(location)) {
    throw new UsageError(
      `--schema-location ${location} is a network address; gitops-gen validate works offline`,
      'clone or download the schemas once and pass their folder (the same template works with a local path)',
    );
  }
  expandLocation(
    location.replace(/^file:\/\//, ''),
    templateFields('apps/v1', 'Deployment', '1.36.0', true),
  );
}

/** Tries each location in order; `default` is the built-in schema store. */
export class LocationSchemaLookup implements SchemaLookup {
  readonly #ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: false,
    validateFormats: false,
  });
  readonly #cache = new Map<string, ValidateFunction | undefined>();

  constructor(
    private readonly locations: readonly string[],
    private readonly builtIn: SchemaLookup,
    private readonly kubernetesVersion: string,
    private readonly strict: boolean,
  ) {
    for (const location of locations) if (location !== 'default') checkLocation(location);
  }

  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    if (this.#cache.has(key)) return this.#cache.get(key);
    let found: ValidateFunction | undefined;
    for (const location of this.locations) {
      if (location === 'default') {
        found = this.builtIn.validatorFor(apiVersion, kind);
      } else {
        const fields = templateFields(apiVersion, kind, this.kubernetesVersion, this.strict);
        const path = expandLocation(location.replace(/^file:\/\//, ''), fields);
        found = this.#compile(path);
      }
      if (found) break;
    }
    this.#cache.set(key, found);
    return found;
  }

  async prepare(apiVersion: string, kind: string): Promise<void> {
    await this.builtIn.prepare?.(apiVersion, kind);
  }

  allowedKeys(apiVersion: string, kind: string, path: readonly (string | number)[]): string[] {
    return this.builtIn.allowedKeys?.(apiVersion, kind, path) ?? [];
  }

  #compile(path: string): ValidateFunction | undefined {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch {
      throw new UsageError(`the schema ${path} is not valid JSON`);
    }
    if (typeof schema !== 'object' || schema === null)
      throw new UsageError(`the schema ${path} is not a JSON Schema`);
    // Mirrors name draft-04 style meta-schemas ajv does not load; the keywords are the same.
    const copy: Record<string, unknown> = { ...(schema as Record<string, unknown>) };
    delete copy.$schema;
    return this.#ajv.compile(copy);
  }
}
