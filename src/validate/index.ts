/**
 * Validate stage: paths -> ValidationReport. Reads the inputs (files, folders, kustomization
 * builds, standard input), parses them the way Kubernetes does and runs the pipeline with the
 * built-in schemas and the Prometheus and Grafana content checks. The file system is touched
 * only at the edges (inputs.ts, the file reader of documents.ts, delivery-paths.ts, the kustomize
 * port, promtool); the pipeline itself is pure.
 */
import { readdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import { manifestFileStream, manifestStream } from './documents.js';
import { builtInContentCheckers } from './content.js';
import { checkDeliveryPaths } from './delivery-paths.js';
import { embeddedFilesOf } from './embedded.js';
import { buildReport, formatPath, type Finding, type ValidationReport } from './findings.js';
import { resolveInputs } from './inputs.js';
import {
  ruleTextsOf,
  runPipeline,
  type ContentCheckers,
  type RuleFile,
  type SourceObjects,
} from './pipeline.js';
import { PromtoolRuleChecks, runRuleTests } from '../prometheus/index.js';
import { kustomizeBuilder, type KustomizeBuilder } from './kustomize-source.js';
import { processKustomize, type ExternalKustomize } from './external-kustomize.js';
import { CrdSchemas } from './crd-schemas.js';
import { LocationSchemaLookup } from './schema-locations.js';
import { loadSchemaBundles, SchemaValidator } from './schemas.js';

export type { Finding, ValidationReport, ValidationSummary, Severity } from './findings.js';
export { formatReport, outputFormats, type OutputFormat } from './formats/index.js';
export { policyChecks } from './policy.js';
export { notBuiltCode, type KustomizeBuilder } from './kustomize-source.js';
export type { ExternalKustomize } from './external-kustomize.js';

export const builtInKubernetesVersion = '1.36';

export interface ValidateOptions {
  /** Files, folders, or `-` for standard input. */
  paths: readonly string[];
  readStdin?: () => Promise<string>;
  /** Unknown fields are errors (default true). */
  strict?: boolean;
  kubernetesVersion?: string;
  /** kubeconform-style schema locations, tried in order; `default` is the built-in store. */
  schemaLocations?: readonly string[];
  ignoreMissingSchemas?: boolean;
  skipKinds?: readonly string[];
  rejectKinds?: readonly string[];
  /** Folders of CustomResourceDefinitions whose kinds are validated against them (`--crd-dir`). */
  crdDirs?: readonly string[];
  /** Check ids switched off for this run (`policy/probes-set`, ...). */
  disabledChecks?: readonly string[];
  /** Paths in findings are shown relative to this folder. */
  displayRoot?: string;
  kustomize?: KustomizeBuilder;
  /**
   * Builds a kustomization that uses what the in-process build does not implement (default:
   * kubectl kustomize or kustomize build from PATH); `--enable-helm` passes helm on.
   */
  externalKustomize?: ExternalKustomize;
  enableHelm?: boolean;
  content?: ContentCheckers;
  /**
   * Also run the real `promtool check rules` on every rule file that our checks accept:
   * `auto` (default) when promtool is on PATH, `never`, or `always` (an error if missing).
   */
  promtool?: 'auto' | 'always' | 'never';
  /**
   * gitignore-style patterns of files and folders a folder search skips, relative to each
   * folder given (`--exclude`); a `.gitops-gen-ignore` file in a folder adds its own.
   */
  exclude?: readonly string[];
  /**
   * Also run `promtool test rules` on the rule tests beside each kustomization's rules
   * (`prometheus/*.test.yml`, as render writes them); promtool must be on PATH.
   */
  ruleTests?: boolean;
}

/**
 * promtool's verdict on the rule files our own checks passed, folded into the findings: a
 * second opinion from Prometheus' own code. promtool starts on each rule file as soon as its
 * text is known (it works on the other core while validation goes on); verdicts on files our
 * checks reject are dropped.
 */
async function promtoolFindings(
  ruleFiles: readonly RuleFile[],
  checks: PromtoolRuleChecks,
  report: ValidationReport,
  mode: 'auto' | 'always',
): Promise<Finding[]> {
  const findings: Finding[] = [];
  let missing = false;
  for (const file of ruleFiles) {
    const result = await checks.findings(file);
    const prefix =
      file.source.basePath && file.source.basePath.length > 0
        ? formatPath(file.source.basePath)
        : '';
    const rejected = report.findings.some(
      (finding) =>
        finding.severity === 'error' &&
        finding.file === file.source.file &&
        (prefix === '' || (finding.path ?? '').startsWith(prefix)),
    );
    // Our duplicate-rule warning already names a rule promtool's lint names: one finding each.
    const duplicates = report.findings.filter(
      (finding) =>
        finding.code === 'prometheus-rules/duplicate-rule' && finding.file === file.source.file,
    );
    const isRepeat = (finding: Finding): boolean =>
      finding.code === 'promtool/lint' &&
      finding.severity === 'warning' &&
      duplicates.some((duplicate) => (duplicate.path ?? '').startsWith(finding.path ?? '\0'));
    if (!result.ran) missing = true;
    else if (!rejected) findings.push(...result.findings.filter((finding) => !isRepeat(finding)));
  }
  if (missing && mode === 'always') {
    throw new UsageError(
      'promtool is not on PATH',
      'install it (Debian: apt-get install prometheus) or pass --promtool=auto',
    );
  }
  return findings;
}

/** The rule tests beside a kustomization's rules: `prometheus/*.test.yml` (or `.yaml`). */
function ruleTestFilesIn(directory: string): string[] {
  const folder = join(directory, 'prometheus');
  try {
    return readdirSync(folder)
      .filter((name) => /\.test\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(folder, name));
  } catch {
    return []; // no prometheus/ folder
  }
}

function displayPath(root: string | undefined, path: string): string {
  if (!root) return path;
  const shown = relative(root, path);
  return shown !== '' && !shown.startsWith('..') && !isAbsolute(shown) ? shown : path;
}

/** Loose files and standard input are applied together: one deployment unit. */
const looseFiles = 'loose files';

function fromText(file: string, text: string): SourceObjects {
  const findings: Finding[] = [];
  return {
    resources: manifestStream(file, text, findings),
    findings,
    embeddedOf: (resource) => embeddedFilesOf(resource),
    unit: looseFiles,
  };
}

/** A Helm chart met in a folder: one notice, no finding in its templates. */
function helmChartSkipped(file: string): SourceObjects {
  return {
    resources: [],
    findings: [
      {
        code: 'input/helm-chart-skipped',
        severity: 'info',
        message:
          'skipped: this folder is a Helm chart (it holds Chart.yaml); its templates become manifests only through helm template, so none of its files was read',
        file,
        hint: 'validate what the chart renders: helm template RELEASE FOLDER | gitops-gen validate -',
      },
    ],
  };
}

export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  const version = (options.kubernetesVersion ?? builtInKubernetesVersion).replace(/^v/, '');
  const locations = options.schemaLocations?.length ? options.schemaLocations : ['default'];
  const usesBuiltIn = locations.includes('default');
  if (
    usesBuiltIn &&
    version.replace(/\.\d+$/, '') !== builtInKubernetesVersion &&
    version !== builtInKubernetesVersion
  ) {
    throw new UsageError(
      `Kubernetes ${version} has no built-in schemas; this gitops-gen carries ${builtInKubernetesVersion}`,
      `drop --kubernetes-version, or give --schema-location folders of ${version} schemas without "default"`,
    );
  }
  const display = (path: string): string => displayPath(options.displayRoot, path);
  const sources: SourceObjects[] = [];
  const kustomize =
    options.kustomize ??
    kustomizeBuilder(undefined, {
      external: options.externalKustomize ?? processKustomize(),
      enableHelm: options.enableHelm === true,
    });
  const inputs = resolveInputs(options.paths, { exclude: options.exclude ?? [] });
  // Started first: they run in their own processes while validation goes on.
  const ruleTests = options.ruleTests
    ? inputs.flatMap((input) =>
        input.kind === 'kustomization'
          ? ruleTestFilesIn(input.directory).map(async (file) => {
              const findings = await runRuleTests(file, display(file));
              if (!findings) {
                throw new UsageError(
                  'promtool is not on PATH, and --rule-tests needs it',
                  'install it (Debian: apt-get install prometheus), or drop --rule-tests',
                );
              }
              return findings;
            })
          : [],
      )
    : [];
  // Rethrown where they are awaited; until then a rejection must not count as unhandled.
  for (const run of ruleTests) run.catch(() => undefined);
  // CRDs of the run (crd-schemas.ts): found before any object is checked, whatever the order.
  const crdTexts: { file: string; text: string }[] = [];
  const builtObjects: Record<string, unknown>[] = [];
  for (const input of inputs) {
    if (input.kind === 'stdin') {
      if (!options.readStdin) throw new UsageError('standard input is not available here');
      const text = await options.readStdin();
      crdTexts.push({ file: '<stdin>', text });
      sources.push(fromText('<stdin>', text));
    } else if (input.kind === 'file') {
      const findings: Finding[] = [];
      sources.push({
        resources: manifestFileStream(input.path, display(input.path), findings),
        findings,
        embeddedOf: (resource) => embeddedFilesOf(resource),
        unit: looseFiles,
      });
    } else if (input.kind === 'helm-chart') {
      sources.push(helmChartSkipped(display(join(input.directory, 'Chart.yaml'))));
    } else {
      const built = await kustomize(input.directory, display);
      for (const resource of built.resources) builtObjects.push(resource.object);
      sources.push({
        resources: built.resources,
        findings: built.findings,
        embeddedOf: (resource) => embeddedFilesOf(resource, built.generated.get(resource)),
        unit: input.directory,
      });
    }
  }
  const strict = options.strict ?? true;
  const builtIn = new SchemaValidator({
    bundles: usesBuiltIn ? () => loadSchemaBundles() : [],
    strict,
  });
  const located =
    locations.length === 1 && usesBuiltIn
      ? builtIn
      : new LocationSchemaLookup(locations, builtIn, version, strict);
  // The run's CRDs come first: inputs, then --crd-dir (read now, compiled only when used).
  const schemas = new CrdSchemas(located, builtIn, strict);
  for (const { file, text } of crdTexts) schemas.addFromText(file, text);
  for (const input of inputs) if (input.kind === 'file') schemas.addFromFile(input.path);
  for (const object of builtObjects) schemas.add(object);
  for (const directory of options.crdDirs ?? []) schemas.addDirectory(directory);
  const promtool = options.promtool ?? 'auto';
  const checks = new PromtoolRuleChecks();
  if (promtool !== 'never') {
    // The rule files of built kustomizations are known before the pipeline starts.
    checks.start(
      sources.flatMap((source) =>
        Array.isArray(source.resources) ? source.resources.flatMap(ruleTextsOf) : [],
      ),
    );
  }
  const pipeline = await runPipeline(sources, {
    ...(promtool === 'never'
      ? {}
      : {
          onRuleFile: (file: RuleFile) => {
            // Rule files met while reading (loose manifest files): started at once as well.
            if (file.text !== undefined) checks.start([file.text]);
          },
        }),
    schemas,
    content: options.content ?? builtInContentCheckers,
    ignoreMissingSchemas: options.ignoreMissingSchemas ?? false,
    skipKinds: options.skipKinds ?? [],
    rejectKinds: options.rejectKinds ?? [],
    disabledChecks: options.disabledChecks ?? [],
  });
  const { report } = pipeline;
  const extra = checkDeliveryPaths(
    pipeline.deliveryReferences,
    options.displayRoot ?? process.cwd(),
  );
  if (promtool !== 'never')
    extra.push(...(await promtoolFindings(pipeline.ruleFiles, checks, report, promtool)));
  for (const findings of await Promise.all(ruleTests)) extra.push(...findings);
  return extra.length === 0
    ? report
    : buildReport(report.resources, [...report.findings, ...extra]);
}
