/**
 * The validation pipeline over already-read objects: kind filters, JSON Schema, API-server
 * rules, duplicates, embedded Prometheus and Grafana content, and policies, added up into one
 * report. Everything it needs from outside (schemas, content checkers) comes in as ports, so
 * it is pure and testable without files.
 */
import { checkApiRules, DuplicateObjects } from './api-rules.js';
import {
  grafanaVariablePlaceholder,
  QueryCrossCheck,
  scrapeJobs,
  type QueryUse,
} from './catalogue.js';
import { detached, type ManifestResource, type Path, type Position } from './documents.js';
import {
  buildReport,
  formatPath,
  type Finding,
  type ResourceResult,
  type ValidationReport,
} from './findings.js';
import { asArray, isRecord } from './object-paths.js';
import { referencedDatasourceUids } from '../grafana/index.js';
import { CrossObjects } from './cross-objects.js';
import { checkResourcePolicies } from './policy.js';
import { checkSchema, type SchemaLookup } from './schema-check.js';
import { builtInListShape, checkListSemantics } from './list-semantics.js';

/** Where embedded content (a file inside a ConfigMap) came from, for locating its findings. */
export interface ContentSource {
  file: string;
  locate?: (path: readonly (string | number)[], at?: 'key' | 'value') => Position | undefined;
  basePath?: readonly (string | number)[];
  document?: number;
  resource?: ManifestResource['id'];
}

/** Checks of what Prometheus and Grafana read, plugged in from their own modules. */
export interface ContentCheckers {
  prometheusConfig(config: unknown, source: ContentSource): Finding[];
  ruleGroups(groups: unknown, source: ContentSource): Finding[];
  dashboard(
    dashboard: unknown,
    source: ContentSource,
    options: { datasourceUids: readonly string[]; datasourcesUnknown?: boolean },
  ): Finding[];
  datasources(provisioning: unknown, source: ContentSource): Finding[];
  configMapSize(bytes: number, source: ContentSource): Finding[];
}

/** One unit of input: a file, standard input, or one kustomization build. */
export interface SourceObjects {
  /** The objects, possibly produced lazily while the pipeline reads them. */
  resources: Iterable<ManifestResource>;
  /** Problems found while reading or building; complete once `resources` has been read. */
  findings: Finding[];
  /** The files embedded in a resource (ConfigMap data), parsed. */
  embeddedOf?: (resource: ManifestResource) => { files: EmbeddedFile[]; findings: Finding[] };
  /**
   * The deployment unit the objects belong to, for the checks that report a match between
   * objects (see cross-objects.ts); sources with the same unit go together. Default: its own.
   */
  unit?: string;
}

export interface EmbeddedFile {
  key: string;
  /** The file's text, as the ConfigMap holds it. */
  text: string;
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
  /** Called with each distinct rule file as it is found (to start promtool on it early). */
  onRuleFile?: (file: RuleFile) => void;
}

const prometheusConfigKey = /(^|[-_.])prometheus\.ya?ml$/;
const rulesKey = /(rules?)\.ya?ml$|\.rules$/;
const dashboardKey = /\.json$/;
const datasourcesKey = /datasources?\.ya?ml$/;

/** The rule files a ConfigMap holds under a rules key, as written (to start promtool early). */
export function ruleTextsOf(resource: ManifestResource): string[] {
  const data = resource.id.kind === 'ConfigMap' ? resource.object.data : undefined;
  if (!isRecord(data)) return [];
  return Object.entries(data).flatMap(([key, value]) =>
    rulesKey.test(key) && typeof value === 'string' ? [value] : [],
  );
}

/**
 * Texts whose content checks found nothing, by check and text. Overlays of one base carry the
 * same rules and dashboards: a clean text stays clean (the checks are pure), so it is checked
 * once; a text with findings is checked again for each place, because findings are located.
 */
const cleanTexts = new Map<string, Set<string>>();
let cleanCount = 0;
const cleanTextsLimit = 1024;

function isClean(check: string, text: string): boolean {
  return cleanTexts.get(check)?.has(text) ?? false;
}

/** Remembers a clean text, as a copy: a cut of a large file would pin the file's text. */
function markClean(check: string, text: string): void {
  if (cleanCount >= cleanTextsLimit) {
    cleanTexts.clear();
    cleanCount = 0;
  }
  let texts = cleanTexts.get(check);
  if (!texts) {
    texts = new Set();
    cleanTexts.set(check, texts);
  }
  texts.add(detached(text));
  cleanCount++;
}

function isDashboard(file: EmbeddedFile): boolean {
  return dashboardKey.test(file.key) && isRecord(file.data) && 'panels' in file.data;
}

function embeddedChecks(
  resource: ManifestResource,
  files: readonly EmbeddedFile[],
  content: ContentCheckers,
  datasourceUids: readonly string[],
  datasourcesUnknown = false,
): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    const check = `${file.key}\u0000${datasourcesUnknown ? '?' : datasourceUids.join(',')}`;
    if (isClean(check, file.text)) continue;
    const before = findings.length;
    if (prometheusConfigKey.test(file.key)) {
      findings.push(...content.prometheusConfig(file.data, file.source));
    } else if (datasourcesKey.test(file.key)) {
      findings.push(...content.datasources(file.data, file.source));
    } else if (
      rulesKey.test(file.key) ||
      (isRecord(file.data) && Array.isArray(file.data.groups))
    ) {
      findings.push(...content.ruleGroups(file.data, file.source));
    } else if (isDashboard(file)) {
      findings.push(
        ...content.dashboard(file.data, file.source, { datasourceUids, datasourcesUnknown }),
      );
    }
    if (findings.length === before) markClean(check, file.text);
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

/**
 * Duplicate keys of list-maps and sets (list-semantics.ts), except inside a field already
 * reported: the API server rules name the lists it checks itself more precisely.
 */
function listFindings(
  resource: ManifestResource,
  schemas: SchemaLookup,
  reported: readonly string[],
): Finding[] {
  const { apiVersion, kind } = resource.id;
  const custom = schemas.customListShape?.(apiVersion, kind);
  const builtIn = custom ? undefined : builtInListShape(apiVersion, kind);
  const found = custom
    ? checkListSemantics(resource, custom, 'custom-resource')
    : builtIn
      ? checkListSemantics(resource, builtIn, 'built-in')
      : [];
  const overlaps = (a: string, b: string): boolean =>
    a === b ||
    a.startsWith(`${b}.`) ||
    a.startsWith(`${b}[`) ||
    b.startsWith(`${a}.`) ||
    b.startsWith(`${a}[`);
  return found.filter(
    (item) => !reported.some((path) => item.path !== undefined && overlaps(path, item.path)),
  );
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

/** What the API server counts of a ConfigMap: every key and value of data and binaryData. */
function configMapBytes(resource: ManifestResource): number {
  let total = 0;
  for (const field of ['data', 'binaryData'] as const) {
    const map = resource.object[field];
    if (!isRecord(map)) continue;
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== 'string') continue;
      total += Buffer.byteLength(key);
      total += field === 'data' ? Buffer.byteLength(value) : Buffer.from(value, 'base64').length;
    }
  }
  return total;
}

/** Where a query of embedded content is, as finding fields. */
function queryLocation(
  source: ContentSource,
  path: (string | number)[],
  resource: ManifestResource,
): QueryUse['where'] {
  const full = [...(source.basePath ?? []), ...path];
  return () => ({
    file: source.file,
    document: resource.document,
    ...source.locate?.(full),
    path: formatPath(full),
    resource: resource.id,
  });
}

/** The alert and record expressions of a rule file (or a PrometheusRule spec). */
function ruleQueries(
  groups: unknown,
  source: ContentSource,
  resource: ManifestResource,
): QueryUse[] {
  if (!isRecord(groups)) return [];
  return asArray(groups.groups).flatMap((group, groupIndex) =>
    isRecord(group)
      ? asArray(group.rules).flatMap((rule, ruleIndex) => {
          if (!isRecord(rule) || typeof rule.expr !== 'string') return [];
          const alert = typeof rule.alert === 'string' ? rule.alert : undefined;
          return [
            {
              expr: rule.expr,
              kind: alert ? ('alert' as const) : ('record' as const),
              name: alert ?? (typeof rule.record === 'string' ? rule.record : '?'),
              where: queryLocation(
                source,
                ['groups', groupIndex, 'rules', ruleIndex, 'expr'],
                resource,
              ),
            },
          ];
        })
      : [],
  );
}

/** Prometheus target expressions of a dashboard, with Grafana's variables given plain values. */
function panelQueries(
  dashboard: unknown,
  source: ContentSource,
  resource: ManifestResource,
): QueryUse[] {
  if (!isRecord(dashboard)) return [];
  const uses: QueryUse[] = [];
  const visit = (panels: unknown, path: (string | number)[]): void => {
    asArray(panels).forEach((panel, index) => {
      if (!isRecord(panel)) return;
      const title = typeof panel.title === 'string' ? panel.title : `#${index}`;
      asArray(panel.targets).forEach((target, targetIndex) => {
        if (!isRecord(target) || typeof target.expr !== 'string') return;
        uses.push({
          expr: target.expr
            .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
            .replace(/\[\[(\w+)\]\]|\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, grafanaVariablePlaceholder),
          kind: 'panel',
          name: title,
          where: queryLocation(source, [...path, index, 'targets', targetIndex, 'expr'], resource),
        });
      });
      visit(panel.panels, [...path, index, 'panels']);
    });
  };
  visit(dashboard.panels, ['panels']);
  return uses;
}

/** A rule file met in the sources, for promtool's second opinion. */
export interface RuleFile {
  value: unknown;
  /** The file as written, when it was one (a ConfigMap key): promtool reads it as it is. */
  text?: string;
  source: ContentSource;
}

/** A folder of the repository that a delivery object (Application, Flux Kustomization) syncs. */
export interface DeliveryReference {
  /** The folder as written, relative to the repository root. */
  path: string;
  /** The file it is written in (shown as in findings). */
  file: string;
  /** The object it is written in, and where: which repository and tool sync it. */
  object: Record<string, unknown>;
  keyPath: (string | number)[];
  /** Where it is written, as finding fields; computed only for a finding (positions cost a parse). */
  where: () => Pick<Finding, 'file' | 'document' | 'line' | 'column' | 'path' | 'resource'>;
}

export interface PipelineResult {
  report: ValidationReport;
  ruleFiles: RuleFile[];
  deliveryReferences: DeliveryReference[];
}

/** The repository folders an Argo CD Application or ApplicationSet, or a Flux Kustomization, syncs. */
function deliveryReferences(resource: ManifestResource): DeliveryReference[] {
  const { apiVersion, kind } = resource.id;
  const spec = isRecord(resource.object.spec) ? resource.object.spec : {};
  const at = (path: (string | number)[], folder: unknown): DeliveryReference[] =>
    typeof folder === 'string' && !folder.includes('{{')
      ? [
          {
            path: folder,
            file: resource.file,
            object: resource.object,
            keyPath: path,
            where: () => ({
              file: resource.file,
              document: resource.document,
              ...resource.locate(path),
              path: formatPath([...resource.pathInDocument, ...path]),
              resource: resource.id,
            }),
          },
        ]
      : [];
  if (apiVersion.startsWith('argoproj.io/') && kind === 'Application') {
    const source = isRecord(spec.source) ? spec.source : {};
    return [
      ...at(['spec', 'source', 'path'], source.path),
      ...asArray(spec.sources).flatMap((item, index) =>
        isRecord(item) ? at(['spec', 'sources', index, 'path'], item.path) : [],
      ),
    ];
  }
  if (apiVersion.startsWith('argoproj.io/') && kind === 'ApplicationSet') {
    return asArray(spec.generators).flatMap((generator, index) => {
      if (!isRecord(generator)) return [];
      const list = isRecord(generator.list) ? generator.list : undefined;
      const git = isRecord(generator.git) ? generator.git : undefined;
      return [
        ...asArray(list?.elements).flatMap((element, elementIndex) =>
          isRecord(element)
            ? at(
                ['spec', 'generators', index, 'list', 'elements', elementIndex, 'path'],
                element.path,
              )
            : [],
        ),
        ...asArray(git?.directories).flatMap((directory, directoryIndex) =>
          isRecord(directory) && typeof directory.path === 'string' && !directory.path.includes('*')
            ? at(
                ['spec', 'generators', index, 'git', 'directories', directoryIndex, 'path'],
                directory.path,
              )
            : [],
        ),
      ];
    });
  }
  if (apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') && kind === 'Kustomization') {
    return at(['spec', 'path'], spec.path);
  }
  // No folder ('' path): the repository a Kustomization's sourceRef names.
  if (apiVersion.startsWith('source.toolkit.fluxcd.io/') && kind === 'GitRepository') {
    return at(['spec', 'url'], '');
  }
  return [];
}

/**
 * One pass over each source's objects, which may be produced lazily: per-object checks run as
 * each arrives, and only what the cross-checks need stays in memory (ids, summaries of Services
 * and workloads, scrape jobs, queries with problems so far, dashboards awaiting the datasources
 * they name), with no string that pins the text of a large file.
 */
export async function runPipeline(
  sources: readonly SourceObjects[],
  options: PipelineOptions,
): Promise<PipelineResult> {
  const prepared = new Set<string>();
  const results: ResourceResult[] = [];
  const findings: Finding[] = [];
  const ruleFiles: RuleFile[] = [];
  const references: DeliveryReference[] = [];
  // promtool runs once per distinct rule file: the first place of each is kept.
  const ruleFileKeys = new Set<string>();
  const addRuleFile = (key: string, file: RuleFile): void => {
    if (ruleFileKeys.has(key)) return;
    ruleFileKeys.add(detached(key));
    ruleFiles.push(file);
    options.onRuleFile?.(file);
  };
  // The cross-checks see the whole run: a rule, a dashboard or a monitor often sits in another
  // file or build than the scrape config, datasource or Service it names.
  const cross = new CrossObjects();
  const queries = new QueryCrossCheck();
  const datasourceUids: string[] = [];
  // Dashboards that name a datasource not provisioned yet wait: it may come later.
  const waitingDashboards: { resource: ManifestResource; file: EmbeddedFile }[] = [];
  for (const [sourceIndex, source] of sources.entries()) {
    const unit = source.unit ?? `#${sourceIndex}`;
    const duplicates = new DuplicateObjects();
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
      const kindKey = `${resource.id.apiVersion}/${resource.id.kind}`;
      if (!prepared.has(kindKey)) {
        prepared.add(kindKey);
        await options.schemas.prepare?.(resource.id.apiVersion, resource.id.kind);
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
      // One problem, one finding: the schema's word wins where both look at the same field.
      const schemaPaths = new Set(
        schema.status === 'checked' ? schema.findings.map((item) => item.path) : [],
      );
      const apiFindings = checkApiRules(resource).filter((item) => !schemaPaths.has(item.path));
      findings.push(...apiFindings);
      findings.push(
        ...listFindings(
          resource,
          options.schemas,
          [...schemaPaths, ...apiFindings.map((item) => item.path)].filter(
            (path): path is string => path !== undefined,
          ),
        ),
      );
      findings.push(...duplicates.see(resource));
      findings.push(...checkResourcePolicies(resource, { disabled: options.disabledChecks ?? [] }));
      const embedded = source.embeddedOf?.(resource) ?? { files: [], findings: [] };
      findings.push(...embedded.findings);
      // Jobs and datasources first: the rules and dashboards beside them may use them.
      for (const file of embedded.files) {
        if (prometheusConfigKey.test(file.key)) queries.addJobs(scrapeJobs(file.data));
        else if (datasourcesKey.test(file.key)) {
          for (const uid of provisionedUids([file])) {
            if (!datasourceUids.includes(uid)) datasourceUids.push(detached(uid));
          }
        }
      }
      for (const file of embedded.files) {
        if (prometheusConfigKey.test(file.key) || datasourcesKey.test(file.key)) continue;
        if (rulesKey.test(file.key) || (isRecord(file.data) && Array.isArray(file.data.groups))) {
          queries.add(ruleQueries(file.data, file.source, resource));
          addRuleFile(file.text, {
            value: file.data,
            text: file.text,
            source: { ...file.source, resource: resource.id },
          });
        } else if (dashboardKey.test(file.key)) {
          queries.add(panelQueries(file.data, file.source, resource));
        }
      }
      if (options.content) {
        const now = embedded.files.filter((file) => {
          if (!isDashboard(file)) return true;
          const known = [...referencedDatasourceUids(file.data)].every((uid) =>
            datasourceUids.includes(uid),
          );
          if (!known) waitingDashboards.push({ resource, file });
          return known;
        });
        findings.push(...embeddedChecks(resource, now, options.content, datasourceUids));
      }
      if (resource.id.kind === 'PrometheusRule' && isRecord(resource.object.spec)) {
        const ruleSource: ContentSource = {
          file: resource.file,
          document: resource.document,
          resource: resource.id,
          locate: (path, at) => resource.locate(path, at),
          basePath: ['spec'],
        };
        if (options.content)
          findings.push(...options.content.ruleGroups(resource.object.spec, ruleSource));
        queries.add(ruleQueries(resource.object.spec, ruleSource, resource));
        addRuleFile(JSON.stringify(resource.object.spec), {
          value: resource.object.spec,
          source: ruleSource,
        });
      }
      if (options.content && resource.id.kind === 'ConfigMap') {
        findings.push(
          ...options.content.configMapSize(configMapBytes(resource), {
            file: resource.file,
            document: resource.document,
            resource: resource.id,
            locate: (path) => resource.locate(path, 'key'),
          }),
        );
      }
      references.push(...deliveryReferences(resource));
      cross.see(resource, unit);
      results.push(result);
    }
    // Problems met while reading or building, complete once the objects have been read.
    findings.push(...source.findings);
  }
  if (options.content) {
    // With no datasource provisioned anywhere in the run, the dashboards are for a Grafana
    // provisioned elsewhere (a sidecar's): their uids cannot be checked here.
    const unknown = datasourceUids.length === 0;
    for (const { resource, file } of waitingDashboards) {
      findings.push(...embeddedChecks(resource, [file], options.content, datasourceUids, unknown));
    }
  }
  findings.push(...queries.findings());
  findings.push(...cross.findings(options.disabledChecks ?? []));
  return { report: buildReport(results, findings), ruleFiles, deliveryReferences: references };
}
