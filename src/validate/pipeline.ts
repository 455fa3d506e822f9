/**
 * The validation pipeline over already-read objects: kind filters, JSON Schema, API-server
 * rules, duplicates, embedded Prometheus and Grafana content, and policies, added up into one
 * report. Everything it needs from outside (schemas, content checkers) comes in as ports, so
 * it is pure and testable without files.
 */
import { checkApiRules, checkDuplicates } from './api-rules.js';
import type { ManifestResource, Path, Position } from './documents.js';
import {
  buildReport,
  formatPath,
  type Finding,
  type ResourceResult,
  type ValidationReport,
} from './findings.js';
import { isRecord } from './object-paths.js';
import { checkPolicies } from './policy.js';
import { checkSchema, type SchemaLookup } from './schema-check.js';

/** Where embedded content (a file inside a ConfigMap) came from, for locating its findings. */
export interface ContentSource {
  file: string;
  locate?: (path: (string | number)[]) => Position | undefined;
  basePath?: (string | number)[];
}

/** Checks of what Prometheus and Grafana read, plugged in from their own modules. */
export interface ContentCheckers {
  prometheusConfig(config: unknown, source: ContentSource): Finding[];
  ruleGroups(groups: unknown, source: ContentSource): Finding[];
  dashboard(
    dashboard: unknown,
    source: ContentSource,
    options: { datasourceUids: string[] },
  ): Finding[];
  datasources(provisioning: unknown, source: ContentSource): Finding[];
  configMapSize(bytes: number, source: ContentSource): Finding[];
}

/** One unit of input: a file, standard input, or one kustomization build. */
export interface SourceObjects {
  resources: ManifestResource[];
  /** Problems found while reading or building (syntax errors, missing files). */
  findings: Finding[];
  /** Embedded files parsed by the caller: ConfigMap key -> data, per resource. */
  embedded?: Map<ManifestResource, EmbeddedFile[]>;
}

export interface EmbeddedFile {
  key: string;
  data: unknown;
  source: ContentSource;
}

export interface PipelineOptions {
  schemas: SchemaLookup;
  content?: ContentCheckers;
  ignoreMissingSchemas?: boolean;
  skipKinds?: readonly string[];
  rejectKinds?: readonly string[];
  disabledChecks?: readonly string[];
}

const prometheusConfigKey = /(^|[-_.])prometheus\.ya?ml$/;
const rulesKey = /(rules?)\.ya?ml$|\.rules$/;
const dashboardKey = /\.json$/;
const datasourcesKey = /datasources?\.ya?ml$/;

function embeddedChecks(
  resource: ManifestResource,
  files: readonly EmbeddedFile[],
  content: ContentCheckers,
  datasourceUids: string[],
): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    if (prometheusConfigKey.test(file.key)) {
      findings.push(...content.prometheusConfig(file.data, file.source));
    } else if (datasourcesKey.test(file.key)) {
      findings.push(...content.datasources(file.data, file.source));
    } else if (
      rulesKey.test(file.key) ||
      (isRecord(file.data) && Array.isArray(file.data.groups))
    ) {
      findings.push(...content.ruleGroups(file.data, file.source));
    } else if (dashboardKey.test(file.key) && isRecord(file.data) && 'panels' in file.data) {
      findings.push(...content.dashboard(file.data, file.source, { datasourceUids }));
    }
  }
  return findings.map((finding) => ({ ...finding, resource: finding.resource ?? resource.id }));
}

/** Datasource uids provisioned by any datasources file of the source. */
function provisionedUids(files: readonly EmbeddedFile[]): string[] {
  const uids: string[] = [];
  for (const file of files) {
    if (!datasourcesKey.test(file.key) || !isRecord(file.data)) continue;
    const list = Array.isArray(file.data.datasources) ? (file.data.datasources as unknown[]) : [];
    for (const datasource of list) {
      if (isRecord(datasource) && typeof datasource.uid === 'string') uids.push(datasource.uid);
    }
  }
  return uids;
}

function kindMatches(list: readonly string[] | undefined, resource: ManifestResource): boolean {
  if (!list || list.length === 0) return false;
  const { apiVersion, kind } = resource.id;
  return list.some((entry) => entry === kind || entry === `${apiVersion}/${kind}`);
}

function finding(
  resource: ManifestResource,
  code: string,
  message: string,
  path: Path = [],
  hint?: string,
): Finding {
  return {
    code,
    severity: 'error',
    message,
    file: resource.file,
    document: resource.document,
    ...resource.locate(path, 'key'),
    ...(path.length > 0 || resource.pathInDocument.length > 0
      ? { path: formatPath([...resource.pathInDocument, ...path]) }
      : {}),
    resource: resource.id,
    ...(hint ? { hint } : {}),
  };
}

export function runPipeline(
  sources: readonly SourceObjects[],
  options: PipelineOptions,
): ValidationReport {
  const results: ResourceResult[] = [];
  const findings: Finding[] = [];
  for (const source of sources) {
    findings.push(...source.findings);
    const checked: ManifestResource[] = [];
    const allEmbedded = [...(source.embedded?.values() ?? [])].flat();
    const datasourceUids = provisionedUids(allEmbedded);
    for (const resource of source.resources) {
      const result: ResourceResult = {
        resource: resource.id,
        file: resource.file,
        document: resource.document,
        status: 'valid',
      };
      if (kindMatches(options.rejectKinds, resource)) {
        findings.push(
          finding(resource, 'input/rejected-kind', `${resource.id.kind} is rejected by --reject`),
        );
        results.push(result);
        continue;
      }
      if (kindMatches(options.skipKinds, resource)) {
        results.push({ ...result, status: 'skipped' });
        continue;
      }
      const schema = checkSchema(resource, options.schemas);
      if (schema.status === 'missing-schema') {
        if (options.ignoreMissingSchemas) {
          results.push({ ...result, status: 'skipped' });
          continue;
        }
        findings.push(
          finding(
            resource,
            'schema/missing',
            `no schema for ${resource.id.apiVersion} ${resource.id.kind}`,
            ['kind'],
            'check apiVersion and kind, add --schema-location for this CRD, or pass --ignore-missing-schemas',
          ),
        );
      } else {
        findings.push(...schema.findings);
      }
      findings.push(...checkApiRules(resource));
      const embedded = source.embedded?.get(resource);
      if (options.content && embedded) {
        findings.push(...embeddedChecks(resource, embedded, options.content, datasourceUids));
        if (resource.id.kind === 'ConfigMap') {
          const bytes = Buffer.byteLength(JSON.stringify(resource.object.data ?? {}), 'utf8');
          findings.push(
            ...options.content.configMapSize(bytes, {
              file: resource.file,
              locate: (path) => resource.locate(path),
            }),
          );
        }
      }
      if (
        options.content &&
        resource.id.kind === 'PrometheusRule' &&
        isRecord(resource.object.spec)
      ) {
        findings.push(
          ...options.content.ruleGroups(resource.object.spec, {
            file: resource.file,
            locate: (path) => resource.locate(path),
            basePath: ['spec'],
          }),
        );
      }
      checked.push(resource);
      results.push(result);
    }
    findings.push(...checkDuplicates(checked));
    findings.push(...checkPolicies(checked, { disabled: options.disabledChecks ?? [] }));
  }
  return buildReport(results, findings);
}
