/**
 * Each API-server rule of api-rules.ts, api-syntax.ts and api-pod.ts against the field it
 * guards and the Go function it mirrors (pkg/apis/core/validation/validation.go unless said,
 * apimachinery's pkg/util/validation for the syntax helpers): values the API server accepts
 * stay silent, values it refuses are reported at that field. Then the uniqueness the Go code
 * enforces on lists, and the image every container needs.
 */
import { describe, expect, it } from 'vitest';
import { checkApiRules } from '../../src/validate/api-rules.js';
import { parseManifests } from '../../src/validate/documents.js';
import type { Finding } from '../../src/findings.js';

type Json = Record<string, unknown>;

function findingsOf(object: Json | string): Finding[] {
  const text = typeof object === 'string' ? object : JSON.stringify(object, null, 2);
  const { resources } = parseManifests('test.yaml', text);
  expect(resources).toHaveLength(1);
  const [resource] = resources;
  if (!resource) throw new Error('no resource');
  return checkApiRules(resource);
}

const container = (extra: Json = {}): Json => ({ name: 'app', image: 'nginx:1.29', ...extra });

const service = (ports: unknown[], spec: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { selector: { app: 'web' }, ports, ...spec },
});

const pod = (spec: Json, metadata: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', ...metadata },
  spec,
});

const deployment = (spec: Json): Json => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec },
  },
});

const named = (kind: string, apiVersion: string, metadata: Json): Json => ({
  apiVersion,
  kind,
  metadata,
});

interface Rule {
  /** The field, as the API server names it. */
  field: string;
  /** The Go function (and file, when not core validation.go) the rule mirrors. */
  go: string;
  make: (value: unknown) => Json;
  /** Where the refusal is reported. */
  path: string;
  code: string;
  accepted: unknown[];
  refused: unknown[];
}

const label63 = 'a'.repeat(63);
const label64 = 'a'.repeat(64);

const rules: Rule[] = [
  {
    field: 'Service spec.ports[].name',
    go: 'validateServicePort → ValidateDNS1123Label',
    make: (name) => service([{ name, port: 80 }]),
    path: 'spec.ports[0].name',
    code: 'api/invalid-port-name',
    accepted: ['80', 'http', 'http-metrics-port', 'state-snapshot-transfer', '9090-web', label63],
    refused: [label64, 'Http', '-web', 'web-', 'web_1', 'web.1'],
  },
  {
    field: 'Service spec.ports[].targetPort',
    go: 'validateServicePort → ValidatePortNumOrName (IsValidPortName / IsValidPortNum), after SetDefaults_Service',
    make: (targetPort) => service([{ port: 80, targetPort }]),
    path: 'spec.ports[0].targetPort',
    code: 'api/invalid-port-name',
    accepted: ['http', 'a'.repeat(15), 'web-9', '', 0, 8080],
    refused: ['a'.repeat(16), '80', 'http--x', 'Http', '-http'],
  },
  {
    field: 'Service spec.ports[].targetPort (number)',
    go: 'validateServicePort → ValidatePortNumOrName → IsValidPortNum',
    make: (targetPort) => service([{ port: 80, targetPort }]),
    path: 'spec.ports[0].targetPort',
    code: 'api/invalid-port',
    accepted: [0, 1, 65535],
    refused: [65536, -1],
  },
  {
    field: 'Service spec.ports[].port',
    go: 'validateServicePort → IsValidPortNum',
    make: (port) => service([{ port }]),
    path: 'spec.ports[0].port',
    code: 'api/invalid-port',
    accepted: [1, 65535],
    refused: [0, 65536],
  },
  {
    field: 'Service spec.ports[].nodePort',
    go: 'ValidateService: "may not be used when `type` is \'ClusterIP\'"',
    make: (nodePort) => service([{ port: 80, nodePort }]),
    path: 'spec.ports[0].nodePort',
    code: 'api/node-port-needs-type',
    accepted: [0, null],
    refused: [30080],
  },
  {
    field: 'Container ports[].name',
    go: 'validateContainerPorts → IsValidPortName (IANA_SVC_NAME)',
    make: (name) => pod({ containers: [container({ ports: [{ name, containerPort: 80 }] })] }),
    path: 'spec.containers[0].ports[0].name',
    code: 'api/invalid-port-name',
    accepted: ['http', 'a'.repeat(15), '9-web', 'metrics'],
    refused: ['a'.repeat(16), '80', 'my--port', 'HTTP', 'web-'],
  },
  {
    field: 'Container ports[].containerPort',
    go: 'validateContainerPorts → IsValidPortNum',
    make: (containerPort) => pod({ containers: [container({ ports: [{ containerPort }] })] }),
    path: 'spec.containers[0].ports[0].containerPort',
    code: 'api/invalid-port',
    accepted: [1, 65535],
    refused: [0, 65536],
  },
  {
    field: 'Container ports[].hostPort',
    go: 'validateContainerPorts → IsValidPortNum when not 0',
    make: (hostPort) =>
      pod({ containers: [container({ ports: [{ containerPort: 80, hostPort }] })] }),
    path: 'spec.containers[0].ports[0].hostPort',
    code: 'api/invalid-port',
    accepted: [0, 8080, 65535],
    refused: [65536, -1],
  },
  {
    field: 'Container livenessProbe.httpGet.port',
    go: 'validateHTTPGetAction → ValidatePortNumOrName',
    make: (port) =>
      pod({ containers: [container({ livenessProbe: { httpGet: { path: '/', port } } })] }),
    path: 'spec.containers[0].livenessProbe.httpGet.port',
    code: 'api/invalid-port-name',
    accepted: ['http', 8080],
    refused: ['8080', 'a'.repeat(16)],
  },
  {
    field: 'Container readinessProbe.tcpSocket.port',
    go: 'validateTCPSocketAction → ValidatePortNumOrName → IsValidPortNum',
    make: (port) => pod({ containers: [container({ readinessProbe: { tcpSocket: { port } } })] }),
    path: 'spec.containers[0].readinessProbe.tcpSocket.port',
    code: 'api/invalid-port',
    accepted: [1, 65535, 'web'],
    refused: [0, 65536],
  },
  {
    field: 'Container name',
    go: 'validateContainerCommon → ValidateDNS1123Label',
    make: (name) => pod({ containers: [container({ name })] }),
    path: 'spec.containers[0].name',
    code: 'api/invalid-name',
    accepted: ['app', '9app', label63],
    refused: [label64, 'App', 'app_1', 'app.1'],
  },
  {
    field: 'Volume name',
    go: 'ValidateVolumes → ValidateDNS1123Label',
    make: (name) => pod({ containers: [container()], volumes: [{ name, emptyDir: {} }] }),
    path: 'spec.volumes[0].name',
    code: 'api/invalid-name',
    accepted: ['data', '9data', label63],
    refused: [label64, 'Data', 'data.1'],
  },
  {
    field: 'Service metadata.name',
    go: 'ValidateServiceName = NameIsDNS1035Label',
    make: (name) => ({ ...service([{ port: 80 }]), metadata: { name } }),
    path: 'metadata.name',
    code: 'api/invalid-name',
    accepted: ['web', label63],
    refused: ['9web', label64, 'Web', 'web.v1'],
  },
  {
    field: 'Namespace metadata.name',
    go: 'ValidateNamespaceName = NameIsDNSLabel',
    make: (name) => named('Namespace', 'v1', { name }),
    path: 'metadata.name',
    code: 'api/invalid-name',
    accepted: ['mlflow', '9ns', label63],
    refused: ['mlflow.prod', label64, 'MLflow'],
  },
  {
    field: 'StatefulSet metadata.name',
    go: 'apps/validation ValidateStatefulSetName = NameIsDNSLabel',
    make: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name },
      spec: {
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [container()] } },
      },
    }),
    path: 'metadata.name',
    code: 'api/invalid-name',
    accepted: ['db', '9db', label63],
    refused: ['db.v1', label64],
  },
  {
    field: 'ConfigMap metadata.name',
    go: 'ValidateConfigMapName = NameIsDNSSubdomain',
    make: (name) => named('ConfigMap', 'v1', { name }),
    path: 'metadata.name',
    code: 'api/invalid-name',
    accepted: ['settings', 'a.b-c', 'a'.repeat(253)],
    refused: ['a'.repeat(254), 'Settings', 'a_b'],
  },
  {
    field: 'ClusterRole metadata.name',
    go: 'rbac/validation ValidateRBACName = path.IsValidPathSegmentName',
    make: (name) => named('ClusterRole', 'rbac.authorization.k8s.io/v1', { name }),
    path: 'metadata.name',
    code: 'api/invalid-name',
    accepted: ['system:aggregate-to-view', 'Prometheus_Reader'],
    refused: ['a/b', '..', 'a%b'],
  },
  {
    field: 'metadata.namespace',
    go: 'ValidateObjectMeta → ValidateNamespaceName',
    make: (namespace) => named('ConfigMap', 'v1', { name: 'settings', namespace }),
    path: 'metadata.namespace',
    code: 'api/invalid-namespace',
    accepted: ['monitoring', label63],
    refused: ['Monitoring', label64, 'a.b'],
  },
  {
    field: 'metadata.labels key',
    go: 'ValidateLabels → ValidateLabelName → IsQualifiedName',
    make: (key) => named('ConfigMap', 'v1', { name: 'a', labels: { [String(key)]: 'x' } }),
    path: 'metadata.labels',
    code: 'api/invalid-label-key',
    accepted: ['example.com/Name_1', label63, 'app.kubernetes.io/name'],
    refused: ['Example.com/a', label64, 'a/b/c', '/a'],
  },
  {
    field: 'metadata.labels value',
    go: 'ValidateLabels → IsValidLabelValue (null decodes to "")',
    make: (value) => named('ConfigMap', 'v1', { name: 'a', labels: { team: value } }),
    path: 'metadata.labels.team',
    code: 'api/invalid-label-value',
    accepted: ['', 'ml', label63, 'A_b.c', null],
    refused: [label64, '-ml', 'a b'],
  },
  {
    field: 'metadata.annotations key',
    go: 'apimachinery ValidateAnnotations → IsQualifiedName(strings.ToLower(key))',
    make: (key) => named('ConfigMap', 'v1', { name: 'a', annotations: { [String(key)]: 'x' } }),
    path: 'metadata.annotations',
    code: 'api/invalid-annotation-key',
    accepted: ['Example.com/Key', 'example.com/key', 'NOTE'],
    refused: ['a/b/c', '-a', label64],
  },
  {
    field: 'resources.limits quantity',
    go: 'resource.ParseQuantity (ValidateContainerResourceRequirements)',
    make: (memory) => pod({ containers: [container({ resources: { limits: { memory } } })] }),
    path: 'spec.containers[0].resources.limits.memory',
    code: 'api/invalid-quantity',
    accepted: ['512Mi', '1e3', '500m', 2, '.5', '+1'],
    refused: ['2GB', '1 Gi', 'x'],
  },
  {
    field: 'Container imagePullPolicy',
    go: 'validatePullPolicy',
    make: (imagePullPolicy) => pod({ containers: [container({ imagePullPolicy })] }),
    path: 'spec.containers[0].imagePullPolicy',
    code: 'api/invalid-enum',
    accepted: ['Always', 'IfNotPresent', 'Never', ''],
    refused: ['always', 'Sometimes'],
  },
  {
    field: 'Pod spec.tolerations[].operator',
    go: 'ValidateTolerations ("" means Equal)',
    make: (operator) =>
      pod({ containers: [container()], tolerations: [{ key: 'k', operator, value: 'v' }] }),
    path: 'spec.tolerations[0].operator',
    code: 'api/invalid-enum',
    accepted: ['Equal', ''],
    refused: ['equal', 'In'],
  },
  {
    field: 'Service spec.type',
    go: 'ValidateService (supportedServiceType; "" defaulted to ClusterIP by SetDefaults_Service)',
    make: (type) => service([{ port: 80 }], { type }),
    path: 'spec.type',
    code: 'api/invalid-enum',
    accepted: ['ClusterIP', 'NodePort', ''],
    refused: ['Nodeport', 'Headless'],
  },
  {
    field: 'Deployment spec.template.metadata.labels vs spec.selector',
    go: 'apps/validation ValidatePodTemplateSpecForReplicaSet: "`selector` does not match template `labels`"',
    make: (app) => ({
      ...deployment({ containers: [container()] }),
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app } }, spec: { containers: [container()] } },
      },
    }),
    path: 'spec.template.metadata.labels',
    code: 'api/selector-mismatch',
    accepted: ['web'],
    refused: ['wbe', ''],
  },
  {
    field: 'Deployment spec.template.spec.restartPolicy',
    go: 'apps/validation ValidatePodTemplateSpecForReplicaSet (Always only)',
    make: (restartPolicy) => deployment({ containers: [container()], restartPolicy }),
    path: 'spec.template.spec.restartPolicy',
    code: 'api/invalid-enum',
    accepted: ['Always'],
    refused: ['OnFailure', 'Never'],
  },
];

describe('each rule checks its field as the API server does', () => {
  describe.each(rules)('$field ($go)', (rule) => {
    it.each(rule.accepted.map((value) => [JSON.stringify(value), value]))(
      'accepts %s',
      (_shown, value) => {
        const findings = findingsOf(rule.make(value)).filter((item) => item.code === rule.code);
        expect(findings).toEqual([]);
      },
    );
    it.each(rule.refused.map((value) => [JSON.stringify(value), value]))(
      'refuses %s',
      (_shown, value) => {
        const findings = findingsOf(rule.make(value)).filter((item) => item.code === rule.code);
        expect(findings.map((item) => item.path)).toEqual([
          expect.stringContaining(rule.path) as unknown as string,
        ]);
        expect(findings[0]?.severity).toBe('error');
      },
    );
  });

  it('a Job takes OnFailure or Never, not Always (batch/validation validateJobSpec)', () => {
    const job = (restartPolicy: string): Json => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once' },
      spec: { template: { spec: { containers: [container()], restartPolicy } } },
    });
    expect(findingsOf(job('Never'))).toEqual([]);
    expect(findingsOf(job('OnFailure'))).toEqual([]);
    expect(findingsOf(job('Always')).map((item) => item.path)).toEqual([
      'spec.template.spec.restartPolicy',
    ]);
    // SetDefaults_PodSpec turns a missing or empty restartPolicy into Always.
    expect(findingsOf(job('')).map((item) => item.code)).toEqual(['api/invalid-enum']);
    const withoutPolicy: Json = {
      ...job('Never'),
      spec: { template: { spec: { containers: [container()] } } },
    };
    expect(findingsOf(withoutPolicy).map((item) => item.path)).toEqual([
      'spec.template.spec.restartPolicy',
    ]);
  });

  it('annotations: at most 262144 bytes in all, counted in bytes (ValidateAnnotationsSize)', () => {
    const big = (text: string): Json =>
      named('ConfigMap', 'v1', { name: 'a', annotations: { note: text } });
    expect(findingsOf(big('a'.repeat(262140)))).toEqual([]);
    // 90000 three-byte characters: 270000 bytes, though only 90000 UTF-16 units.
    expect(findingsOf(big('€'.repeat(90000))).map((item) => item.code)).toEqual([
      'api/annotations-too-large',
    ]);
  });
});

describe('uniqueness in lists, as validation.go enforces it', () => {
  it('Service ports: the (port, protocol) key, protocol defaulting to TCP (ValidateService)', () => {
    const findings = findingsOf(
      service([
        { name: 'a', port: 80 },
        { name: 'b', port: 80, protocol: 'TCP' },
      ]),
    );
    expect(findings.map((item) => [item.code, item.path])).toEqual([
      ['api/duplicate-port', 'spec.ports[1]'],
    ]);
    // The same port over TCP and UDP (DNS) is two entries.
    expect(
      findingsOf(
        service([
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ]),
      ),
    ).toEqual([]);
  });

  it('Service ports: names unique, and required when there are several (validateServicePort)', () => {
    expect(
      findingsOf(
        service([
          { name: 'web', port: 80 },
          { name: 'web', port: 81 },
        ]),
      ).map((item) => [item.code, item.path]),
    ).toEqual([['api/duplicate-name', 'spec.ports[1].name']]);
    expect(
      findingsOf(service([{ name: 'web', port: 80 }, { port: 81 }])).map((item) => [
        item.code,
        item.path,
      ]),
    ).toEqual([['api/missing-port-name', 'spec.ports[1].name']]);
    expect(findingsOf(service([{ port: 80 }]))).toEqual([]);
  });

  it('Service nodePorts: the (nodePort, protocol) key (ValidateService)', () => {
    const findings = findingsOf(
      service(
        [
          { name: 'a', port: 80, nodePort: 30080 },
          { name: 'b', port: 81, nodePort: 30080 },
          { name: 'c', port: 81, protocol: 'UDP', nodePort: 30080 },
        ],
        { type: 'NodePort' },
      ),
    );
    expect(findings.map((item) => [item.code, item.path])).toEqual([
      ['api/duplicate-port', 'spec.ports[1].nodePort'],
    ]);
  });

  it('containers: names unique among containers (validateContainers)', () => {
    const findings = findingsOf(pod({ containers: [container(), container()] }));
    expect(findings.map((item) => [item.code, item.path])).toEqual([
      ['api/duplicate-name', 'spec.containers[1].name'],
    ]);
  });

  it('initContainers share the names of containers, reported at the init container (validateInitContainers)', () => {
    const findings = findingsOf(
      pod({
        initContainers: [container(), container({ name: 'init' })],
        containers: [container()],
      }),
    );
    expect(findings.map((item) => [item.code, item.path])).toEqual([
      ['api/duplicate-name', 'spec.initContainers[0].name'],
    ]);
  });

  it('volumes: names unique (ValidateVolumes: field.Duplicate)', () => {
    const findings = findingsOf(
      pod({
        containers: [container()],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'data', emptyDir: {} },
        ],
      }),
    );
    expect(findings.map((item) => [item.code, item.path])).toEqual([
      ['api/duplicate-name', 'spec.volumes[1].name'],
    ]);
  });

  it('volumeMounts: each mountPath unique within a container (ValidateVolumeMounts: "must be unique")', () => {
    const mounts = (second: string): Json =>
      pod({
        containers: [
          container({
            volumeMounts: [
              { name: 'data', mountPath: '/data' },
              { name: 'cache', mountPath: second },
            ],
          }),
          // Another container may mount the same path: the rule is per container.
          container({ name: 'sidecar', volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
        ],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'cache', emptyDir: {} },
        ],
      });
    expect(findingsOf(mounts('/cache'))).toEqual([]);
    expect(findingsOf(mounts('/data')).map((item) => [item.code, item.path])).toEqual([
      ['api/duplicate-mount-path', 'spec.containers[0].volumeMounts[1].mountPath'],
    ]);
  });

  it('a StatefulSet volume named like a claim template is replaced by the controller, not refused', () => {
    const findings = findingsOf({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: {
            containers: [container({ volumeMounts: [{ name: 'datadir', mountPath: '/data' }] })],
            volumes: [{ name: 'datadir', emptyDir: {} }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'datadir' } }],
      },
    });
    expect(findings).toEqual([]);
  });

  it('container ports: names unique in a container (validateContainerPorts), host ports across containers (checkHostPortConflicts)', () => {
    const names = findingsOf(
      pod({
        containers: [
          container({
            ports: [
              { name: 'web', containerPort: 80 },
              { name: 'web', containerPort: 81 },
            ],
          }),
        ],
      }),
    );
    expect(names.map((item) => [item.code, item.path])).toEqual([
      ['api/duplicate-name', 'spec.containers[0].ports[1].name'],
    ]);
    const hostPorts = findingsOf(
      pod({
        containers: [
          container({ ports: [{ containerPort: 80, hostPort: 8080 }] }),
          container({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] }),
        ],
      }),
    );
    expect(hostPorts.map((item) => [item.code, item.path])).toEqual([
      ['api/duplicate-port', 'spec.containers[1].ports[0].hostPort'],
    ]);
  });

  it('the same containerPort and protocol twice is a warning (pkg/api/pod/warnings.go)', () => {
    const findings = findingsOf(
      pod({
        containers: [
          container({ ports: [{ containerPort: 80 }] }),
          container({ name: 'b', ports: [{ containerPort: 80, protocol: 'TCP' }] }),
        ],
      }),
    );
    expect(findings.map((item) => [item.severity, item.code, item.path])).toEqual([
      ['warning', 'api/duplicate-container-port', 'spec.containers[1].ports[0]'],
    ]);
  });

  it('a duplicate env name is only a warning, and none when it refers to the first (warnings.go)', () => {
    const findings = findingsOf(
      deployment({
        containers: [
          container({
            env: [
              { name: 'A', value: '1' },
              { name: 'A', value: '2' },
              { name: 'B', value: '1' },
              { name: 'B', value: '$(B):2' },
            ],
          }),
        ],
      }),
    );
    expect(findings.map((item) => [item.severity, item.code, item.path])).toEqual([
      ['warning', 'api/duplicate-env', 'spec.template.spec.containers[0].env[1].name'],
    ]);
    expect(findings[0]?.message).toContain('may be dropped when using apply');
  });
});

describe('a container without an image is refused (validateContainerCommon: Required value)', () => {
  const template = { spec: { containers: [{ name: 'app' }] } };
  const labelled = {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'app' }] },
  };
  const selector = { matchLabels: { app: 'web' } };
  const kinds: [string, Json, string][] = [
    ['Pod', { apiVersion: 'v1', spec: template.spec }, 'spec.containers[0].image'],
    [
      'Deployment',
      { apiVersion: 'apps/v1', spec: { selector, template: labelled } },
      'spec.template.spec.containers[0].image',
    ],
    [
      'StatefulSet',
      { apiVersion: 'apps/v1', spec: { selector, template: labelled } },
      'spec.template.spec.containers[0].image',
    ],
    [
      'DaemonSet',
      { apiVersion: 'apps/v1', spec: { selector, template: labelled } },
      'spec.template.spec.containers[0].image',
    ],
    [
      'ReplicaSet',
      { apiVersion: 'apps/v1', spec: { selector, template: labelled } },
      'spec.template.spec.containers[0].image',
    ],
    [
      'ReplicationController',
      { apiVersion: 'v1', spec: { selector: { app: 'web' }, template: labelled } },
      'spec.template.spec.containers[0].image',
    ],
    [
      'Job',
      {
        apiVersion: 'batch/v1',
        spec: { template: { spec: { ...template.spec, restartPolicy: 'Never' } } },
      },
      'spec.template.spec.containers[0].image',
    ],
    [
      'CronJob',
      {
        apiVersion: 'batch/v1',
        spec: {
          schedule: '0 * * * *',
          jobTemplate: {
            spec: { template: { spec: { ...template.spec, restartPolicy: 'Never' } } },
          },
        },
      },
      'spec.jobTemplate.spec.template.spec.containers[0].image',
    ],
  ];

  it.each(kinds)('%s', (kind, rest, path) => {
    const findings = findingsOf({ kind, metadata: { name: 'web' }, ...rest });
    expect(findings.map((item) => [item.code, item.path])).toEqual([['api/missing-image', path]]);
    if (kind === 'StatefulSet') {
      // apps/validation ValidatePodTemplateSpecForStatefulSet skips ValidatePodSpec: said so.
      expect(findings[0]?.message).toContain('refuses every pod created from it');
    }
  });

  it('an init container needs one too, and the finding is on the container line', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web',
      'spec:',
      '  initContainers:',
      '    - name: setup',
      '      command: [sh]',
      '  containers:',
      '    - name: app',
      '      image: nginx:1.29',
    ].join('\n');
    const findings = findingsOf(text);
    expect(findings.map((item) => [item.code, item.path, item.line])).toEqual([
      ['api/missing-image', 'spec.initContainers[0].image', 7],
    ]);
  });
});

describe('silence on what the API server accepts', () => {
  it('a realistic Service and Deployment of common charts', () => {
    const text = `apiVersion: v1
kind: Service
metadata:
  name: prometheus
  annotations:
    Prometheus.io/Scrape: "true"
  labels:
    empty: null
spec:
  type: NodePort
  ports:
    - name: "9090"
      port: 9090
      targetPort: web
      nodePort: 30090
    - name: state-snapshot-transfer
      port: 4444
      protocol: TCP
    - name: dns
      port: 53
      protocol: UDP
      targetPort: 0
    - name: dns-tcp
      port: 53
      targetPort: ""
`;
    expect(findingsOf(text)).toEqual([]);
    const workload = deployment({
      initContainers: [container({ name: 'init', ports: [{ containerPort: 81, hostPort: 80 }] })],
      containers: [
        container({
          ports: [
            { name: 'web', containerPort: 80, hostPort: 80, protocol: 'TCP' },
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
            { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
          ],
          env: [
            { name: 'PATH_EXTRA', value: '/opt' },
            { name: 'PATH_EXTRA', value: '$(PATH_EXTRA):/usr/local' },
          ],
          livenessProbe: { httpGet: { path: '/', port: 'web' } },
          startupProbe: { grpc: { port: 9000 } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        }),
        container({ name: 'sidecar' }),
      ],
      volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
    });
    expect(findingsOf(workload)).toEqual([]);
  });
});
