/**
 * Bad environment files through the pure library entry point resolveEnvironmentSources: every
 * class of mistake gives one problem with its code, message, file, line, column, key path and
 * hint, and all problems of all files come back in one InputError.
 */
import { describe, expect, it } from 'vitest';
import {
  builtInEnvironments,
  resolveEnvironmentSources,
  type EnvironmentConfig,
  type EnvironmentSource,
} from '../../src/config/index.js';
import { ExitCode, InputError, type Problem } from '../../src/errors.js';

/** The lines of a YAML file, joined with a final newline. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function source(file: string, text: string): EnvironmentSource {
  const fileName = file.split('/').pop() ?? file;
  return { file, name: fileName.replace(/\.ya?ml$/, ''), text };
}

/** Resolves the sources, expecting them to fail; returns the error. */
function failure(...sources: EnvironmentSource[]): InputError {
  let caught: unknown;
  try {
    resolveEnvironmentSources(sources);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  return caught as InputError;
}

/** The problems of one bad file, checking the count in the error's first line. */
function problemsOf(file: string, text: string): readonly Problem[] {
  const error = failure(source(file, text));
  const count = error.problems.length === 1 ? 'an error' : `${error.problems.length} errors`;
  expect(error.message).toBe(`the environment files have ${count}`);
  expect(error.code).toBe('config/invalid');
  expect(error.exitCode).toBe(ExitCode.input);
  return error.problems;
}

/** The single problem of one bad file. */
function problemOf(file: string, text: string): Problem {
  const problems = problemsOf(file, text);
  expect(problems).toHaveLength(1);
  const [problem] = problems;
  if (!problem) throw new Error('no problem reported');
  return problem;
}

function resolveOne(file: string, text: string): EnvironmentConfig {
  const [environment, ...rest] = resolveEnvironmentSources([source(file, text)]);
  expect(rest).toHaveLength(0);
  if (!environment) throw new Error('no environment resolved');
  return environment;
}

const prod = 'environments/prod.yaml';
const dev = 'environments/dev.yaml';
const qa = 'environments/qa.yaml';

const topLevelKeys =
  'tier, namespace, mode, operator, namespaceManagement, prometheus, grafana, mlflow, modelServer, metrics, alertmanager, nodeExporter, kubeStateMetrics, publish, delivery, kustomize, alerts';
const durationHint =
  'use a Prometheus duration: a number and a unit among ms, s, m, h, d, w, y, such as 30s, 5m, 12h or 30d';
const quantityHint =
  'use a Kubernetes quantity such as 500m, 2, 512Mi or 2Gi; byte suffixes are Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), never KB/MB/GB';
const syntaxHint = 'check indentation and quoting near this position';
const duplicateKeyHint = 'each key may appear once per mapping; remove or merge the repeated one';
const nameHint =
  'rename the file: lowercase letters, digits and "-", at most 63 characters, such as prod-eu.yaml';

describe('malformed YAML', () => {
  it('an unclosed flow sequence is reported where the file ends', () => {
    expect(problemOf(prod, yaml('prometheus:', '  externalLabels: [a, b'))).toEqual({
      code: 'config/yaml-syntax',
      message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
      file: prod,
      line: 3,
      column: 1,
      keyPath: undefined,
      hint: syntaxHint,
    });
  });

  it('a key indented less than its siblings is reported on its line', () => {
    expect(problemOf(prod, yaml('prometheus:', '    replicas: 2', '  retention: {}'))).toEqual({
      code: 'config/yaml-syntax',
      message: 'All mapping items must start at the same column',
      file: prod,
      line: 3,
      column: 1,
      keyPath: undefined,
      hint: syntaxHint,
    });
  });

  it('a key indented more than its siblings is reported at the value it runs into', () => {
    const problems = problemsOf(prod, yaml('prometheus:', '  replicas: 2', '   retention: 30d'));
    expect(problems.map((problem) => [problem.code, problem.line, problem.column])).toEqual([
      ['config/yaml-syntax', 2, 13],
      ['config/yaml-syntax', 2, 13],
    ]);
    expect(problems[0]).toMatchObject({
      message: 'Nested mappings are not allowed in compact mappings',
      file: prod,
      hint: syntaxHint,
    });
  });

  it('a tab used as indentation is a syntax error', () => {
    expect(problemOf(prod, yaml('prometheus:', '\treplicas: 2'))).toEqual({
      code: 'config/yaml-syntax',
      message: 'Tabs are not allowed as indentation',
      file: prod,
      line: 2,
      column: 1,
      keyPath: undefined,
      hint: syntaxHint,
    });
  });

  it('an unterminated quoted string is a syntax error', () => {
    expect(problemOf(prod, yaml('tier: "prod'))).toMatchObject({
      code: 'config/yaml-syntax',
      message: 'Missing closing "quote',
      file: prod,
      line: 2,
      column: 1,
      hint: syntaxHint,
    });
  });

  it('a duplicate key is reported at the repeated key, with its key path', () => {
    expect(problemOf(prod, yaml('tier: prod', 'namespace: mlflow-prod', 'tier: dev'))).toEqual({
      code: 'config/duplicate-key',
      message: 'duplicate key `tier`',
      file: prod,
      line: 3,
      column: 1,
      keyPath: 'tier',
      hint: duplicateKeyHint,
    });
    expect(
      problemOf(prod, yaml('prometheus:', '  replicas: 2', '  retention: {time: 1d, time: 2d}')),
    ).toEqual({
      code: 'config/duplicate-key',
      message: 'duplicate key `time`',
      file: prod,
      line: 3,
      column: 25,
      keyPath: 'prometheus.retention.time',
      hint: duplicateKeyHint,
    });
  });

  it('a YAML 1.1 tag such as !!binary or !!set is refused, not silently turned into an object', () => {
    expect(problemOf(prod, yaml('prometheus:', '  replicas: !!binary AAAA'))).toEqual({
      code: 'config/yaml-tag',
      message: 'unsupported YAML tag `!!binary`',
      file: prod,
      line: 2,
      column: 13,
      keyPath: undefined,
      hint: 'remove the tag: environment files hold plain strings, numbers, lists and mappings',
    });
    expect(problemOf(prod, yaml('prometheus: !!set {replicas}'))).toMatchObject({
      code: 'config/yaml-tag',
      message: 'unsupported YAML tag `!!set`',
      line: 1,
      column: 13,
    });
    expect(problemOf(prod, yaml('namespace: !custom mlflow'))).toMatchObject({
      code: 'config/yaml-tag',
      message: 'unsupported YAML tag `!custom`',
      line: 1,
      column: 12,
    });
  });

  it('several YAML documents in one file are refused', () => {
    expect(problemOf(prod, yaml('tier: prod', '---', 'tier: dev'))).toEqual({
      code: 'config/multiple-documents',
      message: 'the file holds more than one YAML document',
      file: prod,
      line: 2,
      column: 1,
      keyPath: undefined,
      hint: 'an environment file is a single document: remove the `---` separator and merge the documents, or give each environment its own file',
    });
  });
});

describe('unknown keys', () => {
  it('a misspelt top-level key gets a suggestion', () => {
    expect(problemOf(prod, yaml('tier: prod', 'namspace: mlflow-prod'))).toEqual({
      code: 'config/unknown-key',
      message: 'unknown key `namspace`',
      file: prod,
      line: 2,
      column: 1,
      keyPath: 'namspace',
      hint: 'did you mean `namespace`?',
    });
  });

  it('a misspelt nested key gets a suggestion: prometheus.retension', () => {
    expect(
      problemOf(prod, yaml('tier: prod', 'prometheus:', '  retension:', '    time: 30d')),
    ).toEqual({
      code: 'config/unknown-key',
      message: 'unknown key `retension`',
      file: prod,
      line: 3,
      column: 3,
      keyPath: 'prometheus.retension',
      hint: 'did you mean `retention`?',
    });
  });

  it('transposed letters and wrong case are typos too (problems in file order)', () => {
    const problems = problemsOf(
      prod,
      yaml(
        'grafana:',
        '  resoruces: {}',
        'prometheus:',
        '  ScrapeInterval: 30s',
        '  storage: {sotrageClass: fast}',
      ),
    );
    expect(problems).toEqual([
      {
        code: 'config/unknown-key',
        message: 'unknown key `resoruces`',
        file: prod,
        line: 2,
        column: 3,
        keyPath: 'grafana.resoruces',
        hint: 'did you mean `resources`?',
      },
      {
        code: 'config/unknown-key',
        message: 'unknown key `ScrapeInterval`',
        file: prod,
        line: 4,
        column: 3,
        keyPath: 'prometheus.ScrapeInterval',
        hint: 'did you mean `scrapeInterval`?',
      },
      {
        code: 'config/unknown-key',
        message: 'unknown key `sotrageClass`',
        file: prod,
        line: 5,
        column: 13,
        keyPath: 'prometheus.storage.sotrageClass',
        hint: 'did you mean `storageClass`?',
      },
    ]);
  });

  it('a key far from every candidate lists the allowed keys instead', () => {
    expect(problemOf(prod, yaml('monitoring: true'))).toEqual({
      code: 'config/unknown-key',
      message: 'unknown key `monitoring`',
      file: prod,
      line: 1,
      column: 1,
      keyPath: 'monitoring',
      hint: `allowed keys here: ${topLevelKeys}`,
    });
    expect(problemOf(prod, yaml('nodeExporter:', '  containers: []'))).toEqual({
      code: 'config/unknown-key',
      message: 'unknown key `containers`',
      file: prod,
      line: 2,
      column: 3,
      keyPath: 'nodeExporter.containers',
      hint: 'allowed keys here: image, resources, nodeSelector, tolerations, affinity, topologySpreadConstraints, priorityClassName, imagePullSecrets, podAnnotations, podLabels, enabled, job',
    });
  });

  it('an external label name that Prometheus refuses is reported at the key', () => {
    expect(problemOf(prod, yaml('prometheus:', '  externalLabels:', '    __name: x'))).toEqual({
      code: 'config/invalid-key',
      message: '`__name` is not a valid label name',
      file: prod,
      line: 3,
      column: 5,
      keyPath: 'prometheus.externalLabels.__name',
      hint: 'use letters, digits and "_", not starting with a digit or "__"',
    });
  });
});

describe('wrong types', () => {
  it('a quoted number where an integer is expected: remove the quotes', () => {
    expect(problemOf(prod, yaml('prometheus:', '  replicas: "2"'))).toEqual({
      code: 'config/wrong-type',
      message: 'must be an integer, got the string "2"',
      file: prod,
      line: 2,
      column: 13,
      keyPath: 'prometheus.replicas',
      hint: 'remove the quotes: 2',
    });
  });

  it('a mapping where a string is expected is reported at the mapping', () => {
    expect(problemOf(prod, yaml('namespace:', '  name: mlflow-prod'))).toEqual({
      code: 'config/wrong-type',
      message: 'must be a string, got a mapping',
      file: prod,
      line: 2,
      column: 3,
      keyPath: 'namespace',
      hint: 'write a string here',
    });
  });

  it('boolean-looking values: yes stays a string in YAML 1.2, true is a boolean', () => {
    // `yes` is a plain string in YAML 1.2, so it is a fine label value...
    expect(
      resolveOne(prod, yaml('prometheus:', '  externalLabels: {ha: yes}')).prometheus
        .externalLabels,
    ).toEqual({ environment: 'prod', ha: 'yes' });
    // ...but not an integer; the hint must not suggest true/false or quoting.
    expect(problemOf(prod, yaml('prometheus:', '  replicas: yes'))).toEqual({
      code: 'config/wrong-type',
      message: 'must be an integer, got the string "yes"',
      file: prod,
      line: 2,
      column: 13,
      keyPath: 'prometheus.replicas',
      hint: 'write an integer here',
    });
    expect(problemOf(prod, yaml('grafana:', '  replicas: true'))).toMatchObject({
      message: 'must be an integer, got boolean true',
      keyPath: 'grafana.replicas',
      hint: 'write an integer here',
    });
    // A boolean where a string is expected: quoting is the fix.
    expect(problemOf(prod, yaml('prometheus:', '  externalLabels: {ha: true}'))).toEqual({
      code: 'config/wrong-type',
      message: 'must be a string, got boolean true',
      file: prod,
      line: 2,
      column: 24,
      keyPath: 'prometheus.externalLabels.ha',
      hint: 'quote the value: "true"',
    });
  });

  it('a number where a string is expected: quote it', () => {
    expect(problemOf(prod, yaml('modelServer: {serviceName: 8000}'))).toEqual({
      code: 'config/wrong-type',
      message: 'must be a string, got number 8000',
      file: prod,
      line: 1,
      column: 28,
      keyPath: 'modelServer.serviceName',
      hint: 'quote the value: "8000"',
    });
  });

  it('a scalar where a mapping is expected asks for a mapping, not for removed quotes', () => {
    expect(problemOf(prod, yaml('prometheus: "2"'))).toEqual({
      code: 'config/wrong-type',
      message: 'must be a mapping of keys, got the string "2"',
      file: prod,
      line: 1,
      column: 13,
      keyPath: 'prometheus',
      hint: 'write a mapping of keys here',
    });
    expect(problemOf(prod, yaml('grafana:', 'alerts: {}'))).toMatchObject({
      message: 'must be a mapping of keys, got null',
      keyPath: 'grafana',
      line: 1,
      column: 9,
    });
  });

  it('a file that is a list is reported at its start, without a key path', () => {
    expect(problemOf(prod, yaml('- tier: prod'))).toEqual({
      code: 'config/wrong-type',
      message: 'must be a mapping of keys, got a list',
      file: prod,
      line: 1,
      column: 1,
      keyPath: undefined,
      hint: 'write a mapping of keys here',
    });
  });

  it('a fraction or .inf where an integer is expected', () => {
    expect(problemOf(prod, yaml('mlflow:', '  port: 5000.5'))).toMatchObject({
      message: 'must be an integer, got number 5000.5',
      keyPath: 'mlflow.port',
      line: 2,
      column: 9,
      hint: 'write an integer here',
    });
    expect(problemOf(prod, yaml('alerts:', '  modelLatencyP95Seconds: .inf'))).toEqual({
      code: 'config/wrong-type',
      message: 'must be a number, got the non-finite number Infinity',
      file: prod,
      line: 2,
      column: 27,
      keyPath: 'alerts.modelLatencyP95Seconds',
      hint: 'write a finite number here',
    });
  });
});

describe('value formats', () => {
  it('bad durations: 30x, 1h30 and the empty string', () => {
    const problems = problemsOf(
      prod,
      yaml(
        'prometheus:',
        '  scrapeInterval: 30x',
        '  scrapeTimeout: 1h30',
        '  evaluationInterval: ""',
      ),
    );
    expect(problems).toEqual([
      {
        code: 'config/invalid-duration',
        message: 'the string "30x" is not a valid duration',
        file: prod,
        line: 2,
        column: 19,
        keyPath: 'prometheus.scrapeInterval',
        hint: durationHint,
      },
      {
        code: 'config/invalid-duration',
        message: 'the string "1h30" is not a valid duration',
        file: prod,
        line: 3,
        column: 18,
        keyPath: 'prometheus.scrapeTimeout',
        hint: durationHint,
      },
      {
        code: 'config/invalid-duration',
        message: 'the string "" is not a valid duration',
        file: prod,
        line: 4,
        column: 23,
        keyPath: 'prometheus.evaluationInterval',
        hint: durationHint,
      },
    ]);
  });

  it('units in the wrong order are not a duration', () => {
    expect(problemOf(prod, yaml('mlflow: {scrapeInterval: 30s1m}'))).toMatchObject({
      code: 'config/invalid-duration',
      keyPath: 'mlflow.scrapeInterval',
      line: 1,
      column: 26,
    });
  });

  it('bad quantities: 2GB suggests 2Gi, abc gets the general hint', () => {
    expect(problemOf(prod, yaml('prometheus:', '  storage:', '    size: 2GB'))).toEqual({
      code: 'config/invalid-quantity',
      message: 'the string "2GB" is not a valid quantity',
      file: prod,
      line: 3,
      column: 11,
      keyPath: 'prometheus.storage.size',
      hint: `${quantityHint} (for example \`2Gi\`)`,
    });
    expect(problemOf(prod, yaml('grafana:', '  resources:', '    requests: {cpu: abc}'))).toEqual({
      code: 'config/invalid-quantity',
      message: 'the string "abc" is not a valid quantity',
      file: prod,
      line: 3,
      column: 21,
      keyPath: 'grafana.resources.requests.cpu',
      hint: quantityHint,
    });
  });

  it('a bad retention size: 40Gi suggests 40GB', () => {
    expect(problemOf(prod, yaml('prometheus:', '  retention:', '    size: 40Gi'))).toEqual({
      code: 'config/invalid-retention-size',
      message: 'the string "40Gi" is not a valid retention size',
      file: prod,
      line: 3,
      column: 11,
      keyPath: 'prometheus.retention.size',
      hint: 'use an integer and one of B, KB, MB, GB, TB, PB, such as 40GB (for example `40GB`)',
    });
  });

  it('names, image tags and paths have formats too', () => {
    const problems = problemsOf(
      prod,
      yaml(
        'namespace: MLflow_Prod',
        'prometheus:',
        '  image: {tag: "prometheus:v3"}',
        'mlflow:',
        '  metricsPath: metrics',
      ),
    );
    expect(
      problems.map(({ code, keyPath, line, column }) => ({ code, keyPath, line, column })),
    ).toEqual([
      { code: 'config/invalid-dns-label', keyPath: 'namespace', line: 1, column: 12 },
      { code: 'config/invalid-image-tag', keyPath: 'prometheus.image.tag', line: 3, column: 16 },
      { code: 'config/invalid-http-path', keyPath: 'mlflow.metricsPath', line: 5, column: 16 },
    ]);
    expect(problems[0]?.message).toBe('the string "MLflow_Prod" is not a valid dns label');
    expect(problems[2]?.hint).toBe('use a path starting with "/", such as /metrics');
  });

  it('an empty storageClass is refused with a hint', () => {
    expect(problemOf(prod, yaml('prometheus:', '  storage: {storageClass: ""}'))).toEqual({
      code: 'config/empty',
      message: 'must not be empty',
      file: prod,
      line: 2,
      column: 27,
      keyPath: 'prometheus.storage.storageClass',
      hint: 'write a value, or remove the key to use the default',
    });
  });
});

describe('enum values', () => {
  it('storage type pv: did you mean pvc', () => {
    expect(problemOf(prod, yaml('prometheus:', '  storage:', '    type: pv'))).toEqual({
      code: 'config/not-allowed',
      message: 'the string "pv" is not one of emptyDir, pvc',
      file: prod,
      line: 3,
      column: 11,
      keyPath: 'prometheus.storage.type',
      hint: 'did you mean `pvc`?',
    });
  });

  it('service type Nodeport: did you mean NodePort', () => {
    expect(problemOf(prod, yaml('grafana:', '  service: {type: Nodeport}'))).toEqual({
      code: 'config/not-allowed',
      message: 'the string "Nodeport" is not one of ClusterIP, NodePort, LoadBalancer',
      file: prod,
      line: 2,
      column: 19,
      keyPath: 'grafana.service.type',
      hint: 'did you mean `NodePort`?',
    });
  });

  it('a value far from every choice lists them: tier yes', () => {
    expect(problemOf(prod, yaml('tier: yes'))).toEqual({
      code: 'config/not-allowed',
      message: 'the string "yes" is not one of dev, staging, prod',
      file: prod,
      line: 1,
      column: 7,
      keyPath: 'tier',
      hint: 'use one of dev, staging, prod',
    });
  });

  it('namespaceManagement existng: did you mean existing', () => {
    expect(problemOf(prod, yaml('namespace: mlflow-prod', 'namespaceManagement: existng'))).toEqual(
      {
        code: 'config/not-allowed',
        message: 'the string "existng" is not one of create, existing',
        file: prod,
        line: 2,
        column: 22,
        keyPath: 'namespaceManagement',
        hint: 'did you mean `existing`?',
      },
    );
  });

  it('namespaceManagement shared lists the choices', () => {
    expect(problemOf(prod, yaml('namespaceManagement: shared'))).toEqual({
      code: 'config/not-allowed',
      message: 'the string "shared" is not one of create, existing',
      file: prod,
      line: 1,
      column: 22,
      keyPath: 'namespaceManagement',
      hint: 'use one of create, existing',
    });
  });
});

describe('out-of-range numbers', () => {
  it('nodePort 80, replicas 0 and cpuUsagePercent 150 are each reported', () => {
    const problems = problemsOf(
      prod,
      yaml(
        'prometheus:',
        '  replicas: 0',
        '  service: {type: NodePort, nodePort: 80}',
        'alerts:',
        '  cpuUsagePercent: 150',
      ),
    );
    expect(problems).toEqual([
      {
        code: 'config/out-of-range',
        message: 'must be >= 1, got 0',
        file: prod,
        line: 2,
        column: 13,
        keyPath: 'prometheus.replicas',
        hint: 'use a value from 1 to 10',
      },
      {
        code: 'config/out-of-range',
        message: 'must be >= 30000, got 80',
        file: prod,
        line: 3,
        column: 39,
        keyPath: 'prometheus.service.nodePort',
        hint: 'use a value from 30000 to 32767',
      },
      {
        code: 'config/out-of-range',
        message: 'must be < 100, got 150',
        file: prod,
        line: 5,
        column: 20,
        keyPath: 'alerts.cpuUsagePercent',
        hint: 'use a value < 100',
      },
    ]);
  });

  it('a threshold of zero and a port above 65535, in the order of the file', () => {
    expect(
      problemsOf(prod, yaml('alerts: {memoryUsagePercent: 0}', 'modelServer: {port: 70000}')),
    ).toEqual([
      {
        code: 'config/out-of-range',
        message: 'must be > 0, got 0',
        file: prod,
        line: 1,
        column: 30,
        keyPath: 'alerts.memoryUsagePercent',
        hint: 'use a value > 0',
      },
      {
        code: 'config/out-of-range',
        message: 'must be <= 65535, got 70000',
        file: prod,
        line: 2,
        column: 21,
        keyPath: 'modelServer.port',
        hint: 'use a value from 1 to 65535',
      },
    ]);
  });
});

describe('environment names', () => {
  it.each([
    ['Prod.yaml', 'Prod'],
    ['my_env.yaml', 'my_env'],
    ['-x.yaml', '-x'],
    ['x-.yml', 'x-'],
    [`${'a'.repeat(70)}.yaml`, 'a'.repeat(70)],
  ])('%s is not a valid environment name', (fileName, name) => {
    const file = `environments/${fileName}`;
    expect(problemOf(file, '')).toEqual({
      code: 'config/invalid-environment-name',
      message: `environment name "${name}" (from the file name) is not a valid name`,
      file,
      line: undefined,
      column: undefined,
      keyPath: undefined,
      hint: nameHint,
    });
  });

  it('63 characters is still a valid name (with a namespace of its own: see below)', () => {
    const name = `a${'-'.repeat(61)}b`;
    expect(resolveOne(`environments/${name}.yaml`, 'namespace: mlflow-x\n').name).toBe(name);
  });

  it('two files for one environment: dev.yaml and dev.yml', () => {
    const error = failure(
      source('environments/dev.yaml', ''),
      source('environments/dev.yml', 'tier: dev\n'),
    );
    expect(error.message).toBe('the environment files have an error');
    expect(error.problems).toEqual([
      {
        code: 'config/duplicate-environment',
        message: 'environment "dev" is defined twice (also in dev.yaml)',
        file: 'environments/dev.yml',
        hint: 'keep one of the two files',
      },
    ]);
  });
});

describe('cross-field rules', () => {
  it('a nodePort on a ClusterIP Service', () => {
    expect(
      problemOf(
        prod,
        yaml('prometheus:', '  service:', '    type: ClusterIP', '    nodePort: 30090'),
      ),
    ).toEqual({
      code: 'config/node-port-needs-type',
      message: 'a nodePort needs a Service of type NodePort or LoadBalancer',
      file: prod,
      line: 4,
      column: 15,
      keyPath: 'prometheus.service.nodePort',
      hint: 'set `type: NodePort` or remove `nodePort`',
    });
    // A custom environment has ClusterIP Services by default: a bare nodePort needs the type too.
    expect(problemOf(qa, yaml('grafana:', '  service: {nodePort: 30400}'))).toMatchObject({
      code: 'config/node-port-needs-type',
      file: qa,
      line: 2,
      column: 23,
      keyPath: 'grafana.service.nodePort',
    });
  });

  it('a storageClass on emptyDir storage (the dev default)', () => {
    expect(problemOf(dev, yaml('prometheus:', '  storage:', '    storageClass: fast-ssd'))).toEqual(
      {
        code: 'config/storage-class-needs-pvc',
        message: 'a storageClass only applies to `type: pvc` storage',
        file: dev,
        line: 3,
        column: 19,
        keyPath: 'prometheus.storage.storageClass',
        hint: 'set `type: pvc` or remove `storageClass`',
      },
    );
  });

  it('generated admin credentials are a plaintext secret outside the dev tier', () => {
    const text = yaml('grafana:', '  adminCredentials:', '    source: generated');
    expect(problemOf(prod, text)).toEqual({
      code: 'config/plaintext-secret',
      message:
        'a generated Grafana password would be committed in plaintext, which only the dev tier allows (this is prod)',
      file: prod,
      line: 3,
      column: 13,
      keyPath: 'grafana.adminCredentials.source',
      hint: 'use `source: existingSecret`, `externalSecret` or `sealedSecret`',
    });
    // qa is not a tier name, so its tier is staging.
    expect(problemOf(qa, text)).toMatchObject({
      code: 'config/plaintext-secret',
      message:
        'a generated Grafana password would be committed in plaintext, which only the dev tier allows (this is staging)',
      file: qa,
    });
    expect(resolveOne(dev, text).grafana.adminCredentials.source).toBe('generated');
    expect(resolveOne(qa, `tier: dev\n${text}`).grafana.adminCredentials.source).toBe('generated');
  });

  it('source externalSecret or sealedSecret without its block', () => {
    expect(
      problemOf(prod, yaml('grafana:', '  adminCredentials:', '    source: externalSecret')),
    ).toEqual({
      code: 'config/missing-key',
      message: 'source externalSecret needs an `externalSecret` block',
      file: prod,
      line: 3,
      column: 13,
      keyPath: 'grafana.adminCredentials.source',
      hint: 'add `externalSecret: {storeName: ..., remoteKey: ...}`',
    });
    expect(
      problemOf(prod, yaml('grafana:', '  adminCredentials: {source: sealedSecret}')),
    ).toMatchObject({
      code: 'config/missing-key',
      message: 'source sealedSecret needs a `sealedSecret` block',
      line: 2,
      column: 30,
      keyPath: 'grafana.adminCredentials.source',
    });
  });

  it('an externalSecret block that misses a key or is not the source', () => {
    expect(
      problemOf(
        prod,
        yaml(
          'grafana:',
          '  adminCredentials:',
          '    source: externalSecret',
          '    externalSecret: {storeName: vault}',
        ),
      ),
    ).toEqual({
      code: 'config/missing-key',
      message: 'missing required key `remoteKey`',
      file: prod,
      line: 4,
      column: 21,
      keyPath: 'grafana.adminCredentials.externalSecret',
      hint: 'add `remoteKey:` under `grafana.adminCredentials.externalSecret`',
    });
    expect(
      problemOf(
        prod,
        yaml(
          'grafana:',
          '  adminCredentials:',
          '    source: existingSecret',
          '    externalSecret: {storeName: vault, remoteKey: mlflow/grafana}',
        ),
      ),
    ).toEqual({
      code: 'config/unused-secret-source',
      message: '`externalSecret` is set but `source` is not externalSecret',
      file: prod,
      line: 4,
      column: 21,
      keyPath: 'grafana.adminCredentials.externalSecret',
      hint: 'set `source: externalSecret` or remove this block',
    });
  });

  it('a scrapeTimeout longer than the scrapeInterval', () => {
    expect(
      problemOf(prod, yaml('prometheus:', '  scrapeInterval: 15s', '  scrapeTimeout: 1m')),
    ).toEqual({
      code: 'config/timeout-above-interval',
      message:
        'scrapeTimeout 1m is longer than scrapeInterval 15s; Prometheus refuses to load such a config',
      file: prod,
      line: 3,
      column: 18,
      keyPath: 'prometheus.scrapeTimeout',
      hint: 'use a timeout of at most 15s',
    });
  });

  it('an interval shorter than the default timeout lowers the timeout instead of failing', () => {
    const [environment] = resolveEnvironmentSources([
      { file: prod, name: 'prod', text: yaml('prometheus:', '  scrapeInterval: 5s') },
    ]);
    expect(environment?.prometheus.scrapeTimeout).toBe('5s');
  });

  it('zero durations', () => {
    const problems = problemsOf(
      prod,
      yaml(
        'prometheus:',
        '  scrapeInterval: 0s',
        '  scrapeTimeout: 0s',
        '  evaluationInterval: 0m',
        '  retention: {time: 0d}',
        'mlflow: {scrapeInterval: 0s}',
      ),
    );
    expect(problems).toEqual([
      {
        code: 'config/zero-duration',
        message: 'scrapeInterval must be longer than zero',
        file: prod,
        line: 2,
        column: 19,
        keyPath: 'prometheus.scrapeInterval',
        hint: 'use a duration such as 15s',
      },
      {
        code: 'config/zero-duration',
        message: 'scrapeTimeout must be longer than zero',
        file: prod,
        line: 3,
        column: 18,
        keyPath: 'prometheus.scrapeTimeout',
        hint: 'use a duration such as 15s',
      },
      {
        code: 'config/zero-duration',
        message: 'evaluationInterval must be longer than zero',
        file: prod,
        line: 4,
        column: 23,
        keyPath: 'prometheus.evaluationInterval',
        hint: 'use a duration such as 15s',
      },
      {
        code: 'config/zero-duration',
        message: 'a retention of zero keeps no data',
        file: prod,
        line: 5,
        column: 21,
        keyPath: 'prometheus.retention.time',
        hint: 'use a duration such as 30d',
      },
      {
        code: 'config/zero-duration',
        message: 'scrapeInterval must be longer than zero',
        file: prod,
        line: 6,
        column: 26,
        keyPath: 'mlflow.scrapeInterval',
        hint: 'use a duration such as 10s',
      },
    ]);
  });

  it('a retention size larger than the storage', () => {
    expect(problemOf(prod, yaml('prometheus:', '  retention: {size: 100GB}'))).toEqual({
      code: 'config/retention-above-storage',
      message:
        'retention size 100GB is larger than the storage (50Gi); the volume would fill before Prometheus deletes data',
      file: prod,
      line: 2,
      column: 21,
      keyPath: 'prometheus.retention.size',
      hint: 'use at most 42GB (85 % of the storage)',
    });
  });

  it('a storage size too small for any data (100m is a tenth of a byte)', () => {
    expect(
      problemOf(prod, yaml('prometheus:', '  replicas: 2', '  storage: {size: 100m}')),
    ).toEqual({
      code: 'config/storage-too-small',
      message: 'storage size 100m is too small to keep any data',
      file: prod,
      line: 3,
      column: 19,
      keyPath: 'prometheus.storage.size',
      hint: 'use a size such as 20Gi (suffixes are case-sensitive: `m` is milli, `M` is mega, `Mi` is mebi)',
    });
  });

  it('a request above its limit is reported at whichever of the two the file sets', () => {
    expect(
      problemOf(prod, yaml('prometheus:', '  resources:', '    requests: {cpu: "3"}')),
    ).toEqual({
      code: 'config/request-above-limit',
      message: 'the cpu request 3 is above the limit 2000m; Kubernetes rejects such a pod',
      file: prod,
      line: 3,
      column: 21,
      keyPath: 'prometheus.resources.requests.cpu',
      hint: 'raise limits.cpu or lower requests.cpu',
    });
    expect(
      problemOf(
        prod,
        yaml('kubeStateMetrics:', '  resources:', '    limits:', '      memory: 64Mi'),
      ),
    ).toEqual({
      code: 'config/request-above-limit',
      message: 'the memory request 128Mi is above the limit 64Mi; Kubernetes rejects such a pod',
      file: prod,
      line: 4,
      column: 15,
      keyPath: 'kubeStateMetrics.resources.limits.memory',
      hint: 'raise limits.memory or lower requests.memory',
    });
  });

  it('a `replica` external label with two replicas', () => {
    expect(problemOf(prod, yaml('prometheus:', '  externalLabels:', '    replica: a'))).toEqual({
      code: 'config/reserved-label',
      message: 'the `replica` external label is set per pod when there is more than one replica',
      file: prod,
      line: 3,
      column: 14,
      keyPath: 'prometheus.externalLabels.replica',
      hint: 'remove it or rename it',
    });
    expect(
      resolveOne(prod, yaml('prometheus:', '  replicas: 1', '  externalLabels: {replica: a}'))
        .prometheus.externalLabels,
    ).toEqual({ environment: 'prod', replica: 'a' });
  });

  it('the latest image tag of any component', () => {
    expect(problemOf(prod, yaml('prometheus:', '  image:', '    tag: latest'))).toEqual({
      code: 'config/image-tag-latest',
      message: 'the image tag `latest` is not pinned: what runs would change without a commit',
      file: prod,
      line: 3,
      column: 10,
      keyPath: 'prometheus.image.tag',
      hint: 'pin a version tag such as v3.5.5, or a digest (digest: sha256:...)',
    });
    expect(
      problemsOf(
        qa,
        yaml(
          'grafana: {image: {tag: latest}}',
          'alertmanager: {image: {tag: latest}}',
          'nodeExporter: {image: {tag: latest}}',
          'kubeStateMetrics: {image: {tag: latest}}',
        ),
      ).map((problem) => [problem.code, problem.keyPath, problem.line]),
    ).toEqual([
      ['config/image-tag-latest', 'grafana.image.tag', 1],
      ['config/image-tag-latest', 'alertmanager.image.tag', 2],
      ['config/image-tag-latest', 'nodeExporter.image.tag', 3],
      ['config/image-tag-latest', 'kubeStateMetrics.image.tag', 4],
    ]);
  });

  it('an image digest that is malformed or given twice differently; latest with a digest is pinned', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    const problems = problemsOf(
      prod,
      yaml(
        'prometheus:',
        '  image: {digest: "sha256:ABC"}',
        'grafana:',
        `  image: {tag: "13.2.0@sha256:abc"}`,
      ),
    );
    expect(problems.map(({ code, keyPath, line }) => ({ code, keyPath, line }))).toEqual([
      { code: 'config/invalid-image-digest', keyPath: 'prometheus.image.digest', line: 2 },
      { code: 'config/invalid-image-tag', keyPath: 'grafana.image.tag', line: 4 },
    ]);
    expect(problems[0]?.hint).toContain('sha256: and 64 lowercase hex digits');
    expect(
      problemOf(prod, yaml('alertmanager:', `  image: {tag: "v0.34.0@${a}", digest: "${b}"}`)),
    ).toMatchObject({
      code: 'config/image-digest-conflict',
      keyPath: 'alertmanager.image.digest',
      line: 2,
      hint: 'give the digest once, in the tag or in `digest`',
    });
    expect(
      resolveOne(prod, yaml('prometheus:', `  image: {tag: latest, digest: "${a}"}`)).prometheus
        .image,
    ).toEqual({ repository: 'quay.io/prometheus/prometheus', tag: 'latest', digest: a });
  });
});

describe('many mistakes at once', () => {
  it('reports every problem of every file in one error, in file order', () => {
    const error = failure(
      source('environments/Bad_Name.yaml', 'tier: prod\n'),
      source('environments/dev.yaml', yaml('prometheus:', '  replicas: [1')),
      source('environments/prod.yaml', yaml('prometheus:', '  retension: 30d', '  replicas: 0')),
      source('environments/qa.yaml', ''),
      source('environments/staging.yaml', yaml('prometheus:', '  scrapeTimeout: 1m')),
    );
    expect(error.message).toBe('the environment files have 5 errors');
    expect(error.exitCode).toBe(ExitCode.input);
    expect(
      error.problems.map(({ file, line, column, keyPath, code }) => ({
        file,
        line,
        column,
        keyPath,
        code,
      })),
    ).toEqual([
      {
        file: 'environments/Bad_Name.yaml',
        line: undefined,
        column: undefined,
        keyPath: undefined,
        code: 'config/invalid-environment-name',
      },
      {
        file: 'environments/dev.yaml',
        line: 3,
        column: 1,
        keyPath: undefined,
        code: 'config/yaml-syntax',
      },
      {
        file: 'environments/prod.yaml',
        line: 2,
        column: 3,
        keyPath: 'prometheus.retension',
        code: 'config/unknown-key',
      },
      {
        file: 'environments/prod.yaml',
        line: 3,
        column: 13,
        keyPath: 'prometheus.replicas',
        code: 'config/out-of-range',
      },
      {
        file: 'environments/staging.yaml',
        line: 2,
        column: 18,
        keyPath: 'prometheus.scrapeTimeout',
        code: 'config/timeout-above-interval',
      },
    ]);
  });
});

describe('valid files', () => {
  it('an empty prod file gets every prod default', () => {
    const environment = resolveOne(prod, '');
    expect(environment).toMatchObject({
      name: 'prod',
      tier: 'prod',
      namespace: 'mlflow-prod',
      sourceFile: prod,
    });
    expect(environment.prometheus).toMatchObject({
      replicas: 2,
      retention: { time: '30d', size: '42GB' },
      resources: {
        requests: { cpu: '500m', memory: '2Gi' },
        limits: { cpu: '2000m', memory: '4Gi' },
      },
      storage: { type: 'pvc', size: '50Gi' },
      service: { type: 'NodePort', nodePort: 30090 },
    });
    expect(environment.grafana.service).toEqual({ type: 'NodePort', nodePort: 30300 });
    expect(environment.grafana.adminCredentials.source).toBe('existingSecret');
  });

  it('a file of only comments or a null document is empty too', () => {
    expect(resolveOne(dev, '# nothing here\n').prometheus.retention.time).toBe('2d');
    expect(resolveOne(dev, '~\n').prometheus.retention.time).toBe('2d');
  });

  it('a three-line file keeps the defaults of everything it does not set', () => {
    const environment = resolveOne(
      dev,
      yaml('prometheus:', '  replicas: 1', '  scrapeInterval: 30s'),
    );
    expect(environment).toMatchObject({ name: 'dev', tier: 'dev', namespace: 'mlflow-dev' });
    expect(environment.prometheus).toMatchObject({
      replicas: 1,
      scrapeInterval: '30s',
      scrapeTimeout: '10s',
      retention: { time: '2d' },
      storage: { type: 'emptyDir', size: '2Gi' },
      service: { type: 'NodePort', nodePort: 30092 },
    });
    expect(environment.grafana.adminCredentials.source).toBe('generated');
  });

  it('a custom name gets the staging tier and ClusterIP Services', () => {
    const environment = resolveOne(qa, yaml('alerts:', '  cpuUsagePercent: 90'));
    expect(environment).toMatchObject({ name: 'qa', tier: 'staging', namespace: 'mlflow-qa' });
    expect(environment.prometheus.service).toEqual({ type: 'ClusterIP' });
    expect(environment.grafana.service).toEqual({ type: 'ClusterIP' });
    expect(environment.prometheus.retention.time).toBe('7d');
    expect(environment.alerts).toEqual({
      cpuUsagePercent: 90,
      memoryUsagePercent: 85,
      modelLatencyP95Seconds: 1,
      serverErrorRatio: 0.05,
      metaMonitoring: true,
    });
  });
});

describe('metrics profile and Alertmanager', () => {
  it('the profile picks the model server port; an explicit port still wins', () => {
    expect(resolveOne(prod, yaml('metrics: {profile: mlflow-native}')).modelServer.port).toBe(8082);
    expect(resolveOne(prod, '').modelServer.port).toBe(8000);
    expect(
      resolveOne(prod, yaml('metrics: {profile: mlflow-native}', 'modelServer: {port: 9000}'))
        .modelServer.port,
    ).toBe(9000);
  });

  it('an unknown profile gets a suggestion', () => {
    expect(problemOf(prod, yaml('metrics: {profile: mlflow-natve}'))).toMatchObject({
      code: 'config/not-allowed',
      keyPath: 'metrics.profile',
      line: 1,
      hint: 'did you mean `mlflow-native`?',
    });
  });

  it('Alertmanager is on in staging and prod, off in dev, with a Slack receiver from a Secret', () => {
    expect(resolveOne(dev, '').alertmanager.enabled).toBe(false);
    const staging = resolveOne('environments/staging.yaml', '').alertmanager;
    expect(staging.enabled).toBe(true);
    expect(staging.secretName).toBe('alertmanager-receivers');
    expect(staging.receivers).toEqual([
      { name: 'default', type: 'slack', channel: '#mlflow-alerts', apiUrlKey: 'slack-api-url' },
    ]);
    expect(staging.criticalReceiver).toBe('default');
  });

  it('receivers fill their Secret keys; critical alerts may go elsewhere', () => {
    const settings = resolveOne(
      prod,
      yaml(
        'alertmanager:',
        '  receivers:',
        '    - {name: team, type: webhook, url: "https://hooks.example.com/a"}',
        '    - {name: oncall, type: pagerduty}',
        '  criticalReceiver: oncall',
      ),
    ).alertmanager;
    expect(settings.receivers).toEqual([
      { name: 'team', type: 'webhook', url: 'https://hooks.example.com/a' },
      { name: 'oncall', type: 'pagerduty', routingKeyKey: 'pagerduty-routing-key' },
    ]);
    expect(settings.criticalReceiver).toBe('oncall');
  });

  it('a webhook without url, a field of another kind, a name twice and an unknown critical receiver', () => {
    const problems = problemsOf(
      prod,
      yaml(
        'alertmanager:',
        '  receivers:',
        '    - {name: a, type: webhook}',
        '    - {name: a, type: slack, url: "https://x.example.com"}',
        '  criticalReceiver: pager',
      ),
    );
    expect(problems.map((problem) => [problem.code, problem.keyPath, problem.line])).toEqual([
      ['config/receiver-url', 'alertmanager.receivers.0.type', 3],
      ['config/duplicate-receiver', 'alertmanager.receivers.1.name', 4],
      ['config/receiver-field', 'alertmanager.receivers.1.url', 4],
      ['config/unknown-receiver', 'alertmanager.criticalReceiver', 5],
    ]);
    for (const problem of problems) expect(problem.hint).not.toBe('');
  });

  it('an email receiver without its addresses', () => {
    expect(
      problemOf(
        prod,
        yaml(
          'alertmanager:',
          '  receivers:',
          '    - {name: mail, type: email, to: ops@example.com}',
        ),
      ),
    ).toMatchObject({
      code: 'config/receiver-email',
      keyPath: 'alertmanager.receivers.0.type',
      line: 3,
      message: 'an email receiver needs from, smarthost',
    });
  });

  it('an SMTP server without its port', () => {
    expect(
      problemOf(
        prod,
        yaml(
          'alertmanager:',
          '  receivers:',
          '    - {name: m, type: email, to: a@example.com, from: b@example.com, smarthost: smtp}',
        ),
      ),
    ).toMatchObject({
      code: 'config/invalid-host-port',
      keyPath: 'alertmanager.receivers.0.smarthost',
      hint: 'use host:port, such as smtp.example.com:587',
    });
  });

  it('a plaintext URL where a Secret key is expected is refused', () => {
    expect(
      problemOf(
        prod,
        yaml(
          'alertmanager:',
          '  receivers: [{name: s, type: slack, apiUrlKey: "https://hooks.slack.com/x"}]',
        ),
      ),
    ).toMatchObject({
      code: 'config/invalid-secret-key',
      keyPath: 'alertmanager.receivers.0.apiUrlKey',
    });
  });

  it('a webhook URL with a password or a token in it is refused', () => {
    const hint =
      'put the credential in the Secret and name its key in bearerTokenKey (sent as an Authorization: Bearer header), and remove it from the url';
    expect(
      problemOf(
        prod,
        yaml(
          'alertmanager:',
          '  receivers:',
          '    - name: hook',
          '      type: webhook',
          '      url: "https://user:pass@hooks.example.com/x"',
        ),
      ),
    ).toEqual({
      code: 'config/plaintext-secret',
      message:
        'the webhook url carries a user name or password, which would be committed in plaintext',
      file: prod,
      line: 5,
      column: 12,
      keyPath: 'alertmanager.receivers.0.url',
      hint,
    });
    const urls = [
      'https://hooks.example.com/x?token=abc',
      'https://hooks.example.com/x?a=1&Access_Token=abc',
      'https://hooks.example.com/x?api_key=abc',
      'https://hooks.example.com/x?apiKey=abc',
      'https://hooks.example.com/x?KEY=abc',
      'https://hooks.example.com/x?client-secret=abc',
      'https://hooks.example.com/x?sig=abc',
      'https://hooks.example.com/x?X-Amz-Signature=abc',
      'https://hooks.example.com/x?password=abc',
      'http://user@hooks.example.com/x',
    ];
    const problems = problemsOf(
      prod,
      yaml(
        'alertmanager:',
        '  receivers:',
        ...urls.map((url, index) => `    - {name: h${index}, type: webhook, url: "${url}"}`),
      ),
    );
    expect(problems.map((problem) => [problem.code, problem.keyPath, problem.line])).toEqual(
      urls.map((_, index) => [
        'config/plaintext-secret',
        `alertmanager.receivers.${index}.url`,
        index + 3,
      ]),
    );
    expect(problems[1]?.message).toBe(
      'the webhook url carries a credential in its query parameter `Access_Token`, which would be committed in plaintext',
    );
    for (const problem of problems) expect(problem.hint).toBe(hint);
    // Parameters that merely contain such a word, and empty ones, are not credentials.
    expect(
      resolveOne(
        prod,
        yaml(
          'alertmanager:',
          '  receivers:',
          '    - {name: h, type: webhook, url: "https://hooks.example.com/x?monkey=1&keyboard=2&signal=3&token="}',
        ),
      ).alertmanager.receivers[0],
    ).toMatchObject({ url: 'https://hooks.example.com/x?monkey=1&keyboard=2&signal=3&token=' });
  });
});

describe('prometheus.dropMetrics', () => {
  it('an unknown job gets a suggestion, a broken pattern the RE2 error, each at its line', () => {
    const problems = problemsOf(
      prod,
      yaml(
        'prometheus:',
        '  dropMetrics:',
        "    - { regex: 'node_(network.*', jobs: [node-exporter] }",
        "    - { regex: 'x.*', jobs: [node-exporters] }",
      ),
    );
    expect(problems.map((problem) => [problem.code, problem.keyPath, problem.line])).toEqual([
      ['config/invalid-regex', 'prometheus.dropMetrics.0.regex', 3],
      ['config/unknown-job', 'prometheus.dropMetrics.1.jobs.0', 4],
    ]);
    expect(problems[0]?.message).toBe('error parsing regexp: missing closing ): `node_(network.*`');
    expect(problems[1]?.hint).toBe('did you mean `node-exporter`?');
  });

  it('a lookahead gets RE2 (Go) wording and a hint saying why', () => {
    expect(
      problemOf(prod, yaml('prometheus:', "  dropMetrics: [{ regex: 'node_(?!cpu).*' }]")),
    ).toMatchObject({
      code: 'config/invalid-regex',
      keyPath: 'prometheus.dropMetrics.0.regex',
      message: 'error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
      hint: 'RE2 (Go) has no lookahead, lookbehind or atomic groups',
    });
  });

  it('an alertmanager job exists only where Alertmanager runs', () => {
    expect(
      problemOf(dev, yaml('prometheus:', '  dropMetrics: [{ regex: x, jobs: [alertmanager] }]')),
    ).toMatchObject({ code: 'config/unknown-job', keyPath: 'prometheus.dropMetrics.0.jobs.0' });
    expect(
      resolveOne(prod, yaml('prometheus:', '  dropMetrics: [{ regex: x, jobs: [alertmanager] }]'))
        .prometheus.dropMetrics,
    ).toEqual([{ regex: 'x', jobs: ['alertmanager'] }]);
  });
});

describe('prometheus.jobScrapeIntervals', () => {
  it('names real jobs; the MLflow jobs keep their own settings', () => {
    const problems = problemsOf(
      prod,
      yaml('prometheus:', '  jobScrapeIntervals: { node-exporters: 30s, mlflow-server: 5s }'),
    );
    expect(problems.map((problem) => [problem.code, problem.keyPath, problem.hint])).toEqual([
      [
        'config/unknown-job',
        'prometheus.jobScrapeIntervals.node-exporters',
        'did you mean `node-exporter`?',
      ],
      [
        'config/job-interval-elsewhere',
        'prometheus.jobScrapeIntervals.mlflow-server',
        'set mlflow.scrapeInterval instead',
      ],
    ]);
  });
});

describe('environments that share a cluster', () => {
  const inCluster = "Argo CD's own cluster, https://kubernetes.default.svc";
  const namespaceHint =
    'give each environment on a cluster its own namespace, or deliver one to another cluster (delivery.cluster)';
  const nodePortHint =
    'pick a NodePort that no other Service on the cluster uses, or remove nodePort to let Kubernetes allocate one';
  const clusterScoped = (namespace: string): string =>
    `the cluster-wide ClusterRoles and ClusterRoleBindings ${namespace}-prometheus and ${namespace}-kube-state-metrics`;

  it('the same namespace: reported where it is set, naming the other file', () => {
    // qa sets dev's default namespace: overlays/qa would overwrite overlays/dev, RBAC included.
    expect(failure(source(dev, ''), source(qa, yaml('namespace: mlflow-dev'))).problems).toEqual([
      {
        code: 'config/namespace-collision',
        message: `namespace mlflow-dev is also the namespace of dev (dev.yaml, by default), on the same cluster (${inCluster}): the two environments would overwrite each other's objects in it, and ${clusterScoped('mlflow-dev')}`,
        file: qa,
        line: 1,
        column: 12,
        keyPath: 'namespace',
        hint: namespaceHint,
      },
    ]);
  });

  it('set in both files: at the later one, with the line and column of the earlier one', () => {
    const error = failure(
      source(dev, yaml('# shared', 'namespace: monitoring')),
      source(qa, yaml('tier: dev', 'namespace: monitoring')),
    );
    expect(error.problems).toEqual([
      {
        code: 'config/namespace-collision',
        message: `namespace monitoring is also the namespace of dev (dev.yaml:2:12), on the same cluster (${inCluster}): the two environments would overwrite each other's objects in it, and ${clusterScoped('monitoring')}`,
        file: qa,
        line: 2,
        column: 12,
        keyPath: 'namespace',
        hint: namespaceHint,
      },
    ]);
  });

  it('set in the earlier file only: at the earlier one, where the fix goes', () => {
    const problems = failure(source(dev, yaml('namespace: mlflow-qa')), source(qa, '')).problems;
    expect(problems).toMatchObject([
      {
        code: 'config/namespace-collision',
        message: expect.stringContaining(
          'namespace mlflow-qa is also the namespace of qa (qa.yaml, by default)',
        ) as string,
        file: dev,
        line: 1,
        column: 12,
        keyPath: 'namespace',
      },
    ]);
  });

  it('three environments in one namespace: each later one names the first', () => {
    const problems = failure(
      source('environments/a.yaml', yaml('namespace: shared')),
      source('environments/b.yaml', yaml('namespace: shared')),
      source('environments/c.yaml', yaml('namespace: shared')),
    ).problems;
    expect(problems.map((problem) => [problem.file, problem.line, problem.column])).toEqual([
      ['environments/b.yaml', 1, 12],
      ['environments/c.yaml', 1, 12],
    ]);
    for (const problem of problems)
      expect(problem.message).toContain('is also the namespace of a (a.yaml:1:12)');
  });

  it('one cluster, however it is named: in-cluster, a server URL, a name for Argo CD and Flux', () => {
    const shared = (file: string, cluster: string): EnvironmentSource =>
      source(file, yaml('namespace: shared', `delivery: ${cluster}`));
    const collides = (first: string, second: string): string[] =>
      failure(
        shared('environments/a.yaml', first),
        shared('environments/b.yaml', second),
      ).problems.map((problem) => `${problem.code} ${problem.file}:${problem.line}`);
    const expected = ['config/namespace-collision environments/b.yaml:1'];
    // Argo CD registers the cluster it runs in as in-cluster.
    expect(collides('{}', '{ cluster: { name: in-cluster } }')).toEqual(expected);
    expect(
      collides(
        '{ cluster: { server: "https://eu.example.com:6443" } }',
        '{ cluster: { server: "https://eu.example.com:6443/" } }',
      ),
    ).toEqual(expected);
    // Flux syncs clusters/eu/ in the cluster Argo CD knows as eu.
    expect(
      collides('{ controller: flux, cluster: { name: eu } }', '{ cluster: { name: eu } }'),
    ).toEqual(expected);
    // Flux without a name: the folder clusters/default/, one cluster.
    expect(collides('{ controller: flux }', '{ controller: flux }')).toEqual(expected);
    const [flux] = failure(
      shared('environments/a.yaml', '{ controller: flux }'),
      shared('environments/b.yaml', '{ controller: flux }'),
    ).problems;
    expect(flux?.message).toContain(
      'on the same cluster (cluster default, clusters/default/ of Flux)',
    );
  });

  it('the same namespace on different clusters is fine', () => {
    const shared = (file: string, cluster: string): EnvironmentSource =>
      source(file, yaml('namespace: shared', `delivery: ${cluster}`));
    const pairs: [string, string][] = [
      ['{}', '{ cluster: { server: "https://eu.example.com" } }'],
      ['{ cluster: { name: us } }', '{ cluster: { name: eu } }'],
      ['{ controller: flux }', '{ controller: flux, cluster: { name: eu } }'],
      // A name and a URL may or may not be one cluster: nothing in the files tells.
      ['{ cluster: { name: eu } }', '{ cluster: { server: "https://eu.example.com" } }'],
      // Argo CD's own cluster and Flux's clusters/default/: likewise unknown.
      ['{}', '{ controller: flux }'],
    ];
    for (const [first, second] of pairs) {
      const environments = resolveEnvironmentSources([
        shared('environments/a.yaml', first),
        shared('environments/b.yaml', second),
      ]);
      expect(environments.map((environment) => environment.namespace)).toEqual([
        'shared',
        'shared',
      ]);
    }
  });

  it('the built-in dev, staging and prod, and empty files for them, share a cluster cleanly', () => {
    expect(builtInEnvironments().map((environment) => environment.name)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    const files = ['dev', 'prod', 'staging', 'qa'].map((name) =>
      source(`environments/${name}.yaml`, ''),
    );
    expect(resolveEnvironmentSources(files)).toHaveLength(4);
  });

  it('the same NodePort in different namespaces: at the file that sets it', () => {
    const problems = failure(
      source(dev, ''),
      source(qa, yaml('grafana:', '  service: { type: NodePort, nodePort: 30092 }')),
    ).problems;
    expect(problems).toEqual([
      {
        code: 'config/node-port-collision',
        message: `NodePort 30092 is also taken by the prometheus Service of dev (dev.yaml, by default), on the same cluster (${inCluster}): NodePorts are cluster-wide, whatever the namespace`,
        file: qa,
        line: 2,
        column: 40,
        keyPath: 'grafana.service.nodePort',
        hint: nodePortHint,
      },
    ]);
  });

  it('a LoadBalancer NodePort set in two files, and one taken twice within a file', () => {
    const problems = failure(
      source(
        'environments/a.yaml',
        yaml('prometheus:', '  service: { type: LoadBalancer, nodePort: 31000 }'),
      ),
      source(
        'environments/b.yaml',
        yaml(
          'prometheus:',
          '  service: { type: NodePort, nodePort: 31000 }',
          'grafana:',
          '  service: { type: NodePort, nodePort: 31000 }',
        ),
      ),
      source(prod, yaml('grafana:', '  service: { nodePort: 30090 }')),
    ).problems;
    expect(problems.map((problem) => [problem.file, problem.line, problem.keyPath])).toEqual([
      ['environments/b.yaml', 2, 'prometheus.service.nodePort'],
      ['environments/b.yaml', 4, 'grafana.service.nodePort'],
      [prod, 2, 'grafana.service.nodePort'],
    ]);
    expect(problems.map((problem) => problem.message.split(',')[0])).toEqual([
      'NodePort 31000 is also taken by the prometheus Service of a (a.yaml:2:44)',
      'NodePort 31000 is also taken by the prometheus Service of a (a.yaml:2:44)',
      // prod's own Prometheus keeps the prod default 30090.
      'NodePort 30090 is also taken by the prometheus Service of prod (prod.yaml',
    ]);
  });

  it('the same NodePort on different clusters is fine', () => {
    const environments = resolveEnvironmentSources([
      source(dev, ''),
      source(
        qa,
        yaml(
          'prometheus:',
          '  service: { type: NodePort, nodePort: 30092 }',
          'delivery: { cluster: { name: qa } }',
        ),
      ),
    ]);
    expect(environments.map((environment) => environment.prometheus.service.nodePort)).toEqual([
      30092, 30092,
    ]);
  });

  it('an environment named root would overwrite the root app-of-apps', () => {
    const root = 'environments/root.yaml';
    expect(failure(source(root, '')).problems).toEqual([
      {
        code: 'config/reserved-environment-name',
        message:
          'environment "root" would name its Argo CD Application mlflow-monitoring-root, like the root Application that syncs every Argo CD environment: each would overwrite the other',
        file: root,
        hint: 'rename the file: "root" is taken by the root that syncs every environment',
      },
    ]);
    expect(
      failure(source(root, yaml('delivery: { controller: flux, cluster: { name: eu } }')))
        .problems[0]?.message,
    ).toBe(
      'environment "root" would name its Flux GitRepository and Kustomization mlflow-monitoring-root, like the root ones of Flux cluster eu: each would overwrite the other',
    );
    expect(resolveOne('environments/root-eu.yaml', '').name).toBe('root-eu');
  });
});

describe('names Kubernetes would refuse', () => {
  const longName = 'a'.repeat(57);

  it('a file name whose default namespace mlflow-<name> is over 63 characters', () => {
    expect(problemOf(`${longName}.yaml`, '')).toMatchObject({
      code: 'config/namespace-too-long',
      message: `the default namespace mlflow-${longName} is longer than the 63 characters Kubernetes allows`,
      keyPath: 'namespace',
    });
  });

  it('is fine with 56 characters, or with a namespace of its own', () => {
    expect(resolveOne(`${'a'.repeat(56)}.yaml`, '').namespace).toHaveLength(63);
    expect(resolveOne(`${longName}.yaml`, 'namespace: mlflow-long\n').namespace).toBe(
      'mlflow-long',
    );
  });
});
