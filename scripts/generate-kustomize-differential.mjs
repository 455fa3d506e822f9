/**
 * Writes test/fixtures/kustomize-differential/*.yaml: kustomization cases of our own making,
 * one file per case holding `files` (path -> content) and the folder to build (`entry`),
 * compared with kubectl kustomize by test/kustomize/differential.test.ts. Combines a few
 * resource sets with every kustomization field the in-process engine supports.
 * Run: node scripts/generate-kustomize-differential.mjs
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import {
  baseFiles,
  baseKustomization,
  extras,
  ingress,
  service,
} from './kustomize-differential-resources.mjs';

const out = fileURLToPath(new URL('../test/fixtures/kustomize-differential', import.meta.url));

const cases = [];
/** A case built from the shared base plus an overlay kustomization. */
function overlay(name, kustomization, files = {}, baseMore = '') {
  cases.push({
    name,
    entry: 'overlay',
    files: {
      ...baseFiles,
      'base/kustomization.yaml': baseKustomization(baseMore),
      // Resources of the case join the overlay's own list (one `resources:` key).
      'overlay/kustomization.yaml': kustomization.includes('resources:\n')
        ? kustomization.replace('resources:\n', 'resources:\n- ../base\n')
        : `resources:\n- ../base\n${kustomization}`,
      ...Object.fromEntries(Object.entries(files).map(([path, text]) => [`overlay/${path}`, text])),
    },
  });
}
/** A case of one folder. */
function single(name, kustomization, files = {}) {
  cases.push({ name, entry: '.', files: { 'kustomization.yaml': kustomization, ...files } });
}

// namespace
for (const ns of ['prod', 'team-a', 'default', 'kube-system', 'x1']) {
  overlay(`namespace-${ns}`, `namespace: ${ns}\n`);
}
single('namespace-cluster-scoped', 'namespace: ns1\nresources:\n- r.yaml\n', {
  'r.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\nrules: []\n---\n${extras('a')}`,
});
single('namespace-keeps-explicit', 'namespace: ns2\nresources:\n- r.yaml\n', {
  'r.yaml': `${service('s')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: other\ndata:\n  a: b\n`,
});

// prefixes and suffixes
for (const [prefix, suffix] of [
  ['p-', ''],
  ['', '-s'],
  ['pre-', '-suf'],
  ['a.', '.b'],
  ['team-', '-v2'],
]) {
  overlay(
    `affix-${prefix || 'none'}-${suffix || 'none'}`,
    `${prefix ? `namePrefix: ${prefix}\n` : ''}${suffix ? `nameSuffix: ${suffix}\n` : ''}`,
  );
}
overlay('affix-with-namespace', 'namePrefix: x-\nnameSuffix: -y\nnamespace: nsx\n');

// labels
for (const [index, labels] of [
  'commonLabels:\n  team: a\n',
  'commonLabels:\n  app.kubernetes.io/part-of: shop\n  env: prod\n',
  'labels:\n- pairs:\n    team: b\n',
  'labels:\n- pairs:\n    team: c\n  includeSelectors: true\n',
  'labels:\n- pairs:\n    team: d\n  includeTemplates: true\n',
  'labels:\n- pairs:\n    team: e\n  includeSelectors: false\n  includeTemplates: true\n- pairs:\n    tier: web\n',
  'labels:\n- pairs:\n    only: deployments\n  fields:\n  - path: spec/template/metadata/labels\n    kind: Deployment\n    create: true\n',
  'commonLabels:\n  a: "1"\nlabels:\n- pairs:\n    b: "2"\n',
  'commonLabels:\n  yes-label: "yes"\n  bool: "true"\n',
  'labels:\n- pairs:\n    numeric: "0644"\n  includeSelectors: true\n',
].entries()) {
  overlay(`labels-${index}`, labels);
}
// annotations
for (const [index, annotations] of [
  'commonAnnotations:\n  owner: team-a\n',
  'commonAnnotations:\n  note: "multi\\nline"\n',
  'commonAnnotations:\n  a.example.com/x: "on"\n  b: ""\n',
  'commonAnnotations:\n  url: https://example.org/a?b=c\n',
  'commonAnnotations:\n  long: "a very long annotation value that runs past the eighty column limit of the printer for sure"\n',
  'commonAnnotations:\n  json: \'{"k": "v"}\'\n',
].entries()) {
  overlay(`annotations-${index}`, annotations);
}

// images
for (const [index, images] of [
  '- name: nginx\n  newTag: "1.27"\n',
  '- name: nginx\n  newName: registry.example.org/nginx\n',
  '- name: nginx\n  newName: ghcr.io/x/nginx\n  newTag: v2\n',
  '- name: nginx\n  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111\n',
  '- name: docker.io/busybox\n  newTag: "1.37"\n',
  '- name: busybox\n  newTag: latest\n',
  '- name: postgres\n  newTag: "17"\n',
  '- name: postgres\n  newName: pg\n',
  '- name: alpine\n  newTag: "3.20"\n  tagSuffix: -slim\n',
  '- name: nginx\n  tagSuffix: -alpine\n',
  '- name: nginx\n  newName: mirror/nginx\n  digest: sha256:2222222222222222222222222222222222222222222222222222222222222222\n',
  '- name: nginx\n  newTag: "1.26"\n- name: alpine\n  newName: debian\n',
  '- name: unknown\n  newTag: "1"\n',
].entries()) {
  overlay(`images-${index}`, `images:\n${images}`);
}

// replicas
for (const [index, replicas] of [
  '- name: web\n  count: 3\n',
  '- name: db\n  count: 5\n',
  '- name: web\n  count: 0\n- name: db\n  count: 1\n',
  '- name: missing\n  count: 2\n',
].entries()) {
  overlay(`replicas-${index}`, `replicas:\n${replicas}`);
}
overlay('replicas-with-prefix', 'namePrefix: p-\nreplicas:\n- name: web\n  count: 4\n');

// configMapGenerator and secretGenerator
const generatorCases = [
  'configMapGenerator:\n- name: extra\n  literals:\n  - a=1\n  - b=two\n',
  'configMapGenerator:\n- name: extra\n  envs:\n  - vars.env\n',
  'configMapGenerator:\n- name: extra\n  files:\n  - cfg.yaml\n  - renamed.txt=cfg.yaml\n',
  'configMapGenerator:\n- name: web-config\n  behavior: merge\n  literals:\n  - KEY=overridden\n  - NEW=1\n',
  'configMapGenerator:\n- name: web-config\n  behavior: replace\n  literals:\n  - ONLY=this\n',
  'configMapGenerator:\n- name: extra\n  literals:\n  - a=1\n  options:\n    disableNameSuffixHash: true\n',
  'configMapGenerator:\n- name: extra\n  literals:\n  - a=1\n  options:\n    labels:\n      l: v\n    annotations:\n      an: v\n',
  'configMapGenerator:\n- name: extra\n  namespace: elsewhere\n  literals:\n  - a=1\n',
  'configMapGenerator:\n- name: extra\n  literals:\n  - "multi=line1\\nline2"\n  - empty=\n  - spaced= x \n',
  'configMapGenerator:\n- name: extra\n  literals:\n  - yes=yes\n  - num=0644\n  - float=1.5\n',
  'configMapGenerator:\n- name: extra\n  files:\n  - cfg.yaml\n  options:\n    immutable: true\n',
  'configMapGenerator:\n- name: extra\n  envs:\n  - vars.env\n  literals:\n  - z=last\n',
  'secretGenerator:\n- name: extra\n  literals:\n  - token=abc\n',
  'secretGenerator:\n- name: extra\n  type: kubernetes.io/tls\n  literals:\n  - tls.crt=CRT\n  - tls.key=KEY\n',
  'secretGenerator:\n- name: web-secret\n  behavior: merge\n  literals:\n  - extra=1\n',
  'secretGenerator:\n- name: web-secret\n  behavior: replace\n  literals:\n  - password=other\n',
  'secretGenerator:\n- name: extra\n  files:\n  - cfg.yaml\n  options:\n    disableNameSuffixHash: true\n',
  'secretGenerator:\n- name: extra\n  envs:\n  - vars.env\n',
  'generatorOptions:\n  disableNameSuffixHash: true\n',
  'generatorOptions:\n  labels:\n    gen: "yes"\n  annotations:\n    note: generated\n',
  'generatorOptions:\n  disableNameSuffixHash: true\nconfigMapGenerator:\n- name: extra\n  literals:\n  - a=1\n  options:\n    disableNameSuffixHash: false\n',
  'generatorOptions:\n  immutable: true\nconfigMapGenerator:\n- name: extra\n  literals:\n  - a=1\n',
  'generatorOptions:\n  labels:\n    a: b\nconfigMapGenerator:\n- name: web-config\n  behavior: merge\n  literals:\n  - M=1\n',
  'namePrefix: p-\nconfigMapGenerator:\n- name: extra\n  literals:\n  - a=1\n',
  'namespace: gen\nsecretGenerator:\n- name: extra\n  literals:\n  - a=1\n',
];
const generatorFiles = {
  'vars.env': '# comment\nA=1\nB=two words\nC="quoted"\n\nD=\n',
  'cfg.yaml': 'server:\n  port: 8080\n  tls: false\n',
};
for (const [index, kustomization] of generatorCases.entries()) {
  overlay(`generators-${index}`, kustomization, generatorFiles);
}

// patches: strategic merge and JSON 6902, with targets and selectors
const smPatch = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: main
        resources:
          limits:
            memory: 256Mi
`;
const patchCases = [
  ['sm-file', 'patches:\n- path: patch.yaml\n', { 'patch.yaml': smPatch }],
  [
    'sm-inline',
    'patches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: web\n    spec:\n      type: NodePort\n',
  ],
  [
    'sm-delete-container',
    'patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - name: sidecar\n            $patch: delete\n',
  ],
  [
    'sm-replace-list',
    'patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          volumes:\n          - $patch: replace\n          - name: only\n            emptyDir: {}\n',
  ],
  [
    'sm-add-env',
    'patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - name: main\n            env:\n            - name: A\n              value: "1"\n',
  ],
  [
    'sm-null-removes',
    'patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n      labels:\n        app: null\n',
  ],
  [
    'sm-target-kind',
    'patches:\n- target:\n    kind: Deployment\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n    spec:\n      revisionHistoryLimit: 2\n',
  ],
  [
    'sm-target-label',
    'patches:\n- target:\n    labelSelector: app=web\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n      annotations:\n        patched: "true"\n',
  ],
  [
    'json-replace',
    'patches:\n- target:\n    kind: Deployment\n    name: web\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 7\n',
  ],
  [
    'json-add',
    'patches:\n- target:\n    kind: Service\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value:\n        a: b\n',
  ],
  [
    'json-remove',
    'patches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: remove\n      path: /spec/template/spec/containers/1\n',
  ],
  [
    'json-add-end',
    'patches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /spec/template/spec/containers/0/args\n      value: []\n    - op: add\n      path: /spec/template/spec/containers/0/args/-\n      value: --verbose\n',
  ],
  [
    'json-copy-move',
    'patches:\n- target:\n    kind: Service\n  patch: |-\n    - op: copy\n      from: /spec/ports/0/port\n      path: /spec/ports/0/nodePort\n    - op: move\n      from: /spec/ports/0/targetPort\n      path: /spec/ports/0/appPort\n',
  ],
  [
    'json-test',
    'patches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: test\n      path: /spec/replicas\n      value: 1\n    - op: replace\n      path: /spec/replicas\n      value: 2\n',
  ],
  [
    'json-file',
    'patches:\n- path: ops.yaml\n  target:\n    group: apps\n    version: v1\n    kind: StatefulSet\n',
    { 'ops.yaml': '- op: replace\n  path: /spec/replicas\n  value: 9\n' },
  ],
  [
    'json-file-json',
    'patches:\n- path: ops.json\n  target:\n    kind: Ingress\n',
    { 'ops.json': '[{"op": "replace", "path": "/spec/rules/0/host", "value": "other.org"}]\n' },
  ],
  [
    'target-name-regex',
    'patches:\n- target:\n    name: web.*\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value: {matched: "yes"}\n',
  ],
  [
    'target-annotation-selector',
    'commonAnnotations:\n  x: y\npatches:\n- target:\n    annotationSelector: x=y\n    kind: Service\n  patch: |-\n    - op: add\n      path: /spec/clusterIP\n      value: None\n',
  ],
  [
    'target-label-set',
    'patches:\n- target:\n    labelSelector: app in (web,db)\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value: {sel: "1"}\n',
  ],
  ['patches-strategic-merge', 'patchesStrategicMerge:\n- patch.yaml\n', { 'patch.yaml': smPatch }],
  [
    'patches-strategic-merge-inline',
    'patchesStrategicMerge:\n- |-\n  apiVersion: v1\n  kind: Service\n  metadata:\n    name: web\n  spec:\n    sessionAffinity: ClientIP\n',
  ],
  [
    'patches-json6902',
    'patchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: web\n  path: ops.yaml\n',
    { 'ops.yaml': '- op: replace\n  path: /spec/replicas\n  value: 4\n' },
  ],
  [
    'patches-json6902-inline',
    'patchesJson6902:\n- target:\n    version: v1\n    kind: Service\n    name: web\n  patch: |-\n    - op: add\n      path: /spec/type\n      value: LoadBalancer\n',
  ],
  [
    'patch-then-prefix',
    'namePrefix: z-\npatches:\n- path: patch.yaml\n',
    { 'patch.yaml': smPatch },
  ],
  [
    'patch-two-in-order',
    'patches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 2\n- target:\n    kind: Deployment\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 3\n',
  ],
  [
    'patch-options-allow-kind-change',
    'patches:\n- target:\n    kind: Service\n  options:\n    allowNameChange: true\n  patch: |-\n    - op: replace\n      path: /metadata/name\n      value: renamed\n',
  ],
  [
    'sm-ports-merge',
    'patches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: web\n    spec:\n      ports:\n      - port: 443\n        name: https\n        targetPort: 8443\n',
  ],
];
for (const [name, kustomization, files] of patchCases) {
  overlay(`patch-${name}`, kustomization, files ?? {});
}

// replacements
const replacementCases = [
  'replacements:\n- source:\n    kind: Service\n    name: web\n    fieldPath: metadata.name\n  targets:\n  - select:\n      kind: Ingress\n    fieldPaths:\n    - spec.rules.0.http.paths.0.backend.service.name\n',
  'replacements:\n- source:\n    kind: Deployment\n    name: web\n    fieldPath: spec.template.spec.containers.[name=main].image\n  targets:\n  - select:\n      kind: CronJob\n    fieldPaths:\n    - spec.jobTemplate.spec.template.spec.containers.0.image\n',
  'replacements:\n- source:\n    kind: ConfigMap\n    name: web-config\n    fieldPath: data.KEY\n  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n    - metadata.annotations.key\n    options:\n      create: true\n',
  'replacements:\n- source:\n    kind: Service\n    name: web\n    fieldPath: metadata.name\n  targets:\n  - select:\n      kind: Ingress\n    fieldPaths:\n    - spec.rules.0.host\n    options:\n      delimiter: .\n      index: 0\n',
  'replacements:\n- source:\n    kind: Service\n    name: web\n    fieldPath: spec.ports.0.port\n  targets:\n  - select:\n      kind: Ingress\n    fieldPaths:\n    - spec.rules.0.http.paths.0.backend.service.port.number\n',
  'replacements:\n- source:\n    kind: Deployment\n    name: web\n    fieldPath: metadata.labels.app\n  targets:\n  - select:\n      kind: Service\n    reject:\n    - name: nothing\n    fieldPaths:\n    - metadata.labels.copied\n    options:\n      create: true\n',
  'replacements:\n- path: replacement.yaml\n',
  'replacements:\n- source:\n    kind: Secret\n    name: web-secret\n  targets:\n  - select:\n      kind: StatefulSet\n    fieldPaths:\n    - spec.template.spec.containers.0.env.0.valueFrom.secretKeyRef.name\n',
  'namePrefix: r-\nreplacements:\n- source:\n    kind: Service\n    name: web\n  targets:\n  - select:\n      kind: ConfigMap\n    fieldPaths:\n    - data.SERVICE\n    options:\n      create: true\n',
  'replacements:\n- source:\n    kind: Deployment\n    name: web\n    fieldPath: spec.replicas\n  targets:\n  - select:\n      kind: StatefulSet\n    fieldPaths:\n    - spec.replicas\n',
];
for (const [index, kustomization] of replacementCases.entries()) {
  overlay(`replacements-${index}`, kustomization, {
    'replacement.yaml':
      'source:\n  kind: Service\n  name: web\n  fieldPath: metadata.name\ntargets:\n- select:\n    kind: Deployment\n  fieldPaths:\n  - metadata.annotations.svc\n  options:\n    create: true\n',
  });
}

// name references
const namerefCases = [
  ['prefix', 'namePrefix: nr-\n'],
  ['suffix', 'nameSuffix: -nr\n'],
  ['both-namespace', 'namePrefix: a-\nnameSuffix: -b\nnamespace: nr\n'],
  [
    'generated-hash',
    'configMapGenerator:\n- name: web-config\n  behavior: merge\n  literals:\n  - X=1\n',
  ],
  [
    'hpa-pdb',
    'namePrefix: h-\nresources:\n- hpa.yaml\n',
    {
      'hpa.yaml':
        'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  minReplicas: 1\n  maxReplicas: 3\n',
    },
  ],
  [
    'service-monitor-like',
    'namePrefix: m-\nresources:\n- np.yaml\n',
    {
      'np.yaml':
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n',
    },
  ],
  [
    'projected-volume',
    'nameSuffix: -p\nresources:\n- pod.yaml\n',
    {
      'pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod\nspec:\n  containers:\n  - name: c\n    image: x\n    env:\n    - name: A\n      valueFrom:\n        configMapKeyRef:\n          name: web-config\n          key: KEY\n  volumes:\n  - name: p\n    projected:\n      sources:\n      - configMap:\n          name: web-config\n      - secret:\n          name: web-secret\n',
    },
  ],
  ['rolebinding-namespace', 'namespace: rb\nnamePrefix: q-\n'],
  [
    'ingress-tls-secret',
    'namePrefix: t-\npatches:\n- target:\n    kind: Ingress\n  patch: |-\n    - op: add\n      path: /spec/tls\n      value:\n      - secretName: web-secret\n        hosts: [example.org]\n',
  ],
  [
    'service-account-in-job',
    'nameSuffix: -j\npatches:\n- target:\n    kind: CronJob\n  patch: |-\n    - op: add\n      path: /spec/jobTemplate/spec/template/spec/serviceAccountName\n      value: web-sa\n',
  ],
];
for (const [name, kustomization, files] of namerefCases) {
  overlay(`nameref-${name}`, kustomization, files ?? {});
}

single(
  'patch-target-namespace',
  'namespace: nsp\nresources:\n- cms.yaml\npatches:\n- target:\n    namespace: a\n    kind: ConfigMap\n  patch: |-\n    - op: add\n      path: /metadata/labels\n      value: {cm: "1"}\n',
  {
    'cms.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n  namespace: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n  namespace: b\n',
  },
);

single(
  'patch-target-annotation-selector-string',
  'resources:\n- svc.yaml\npatches:\n- target:\n    annotationSelector: x=z\n    kind: Service\n  patch: |-\n    - op: add\n      path: /spec/clusterIP\n      value: None\n',
  {
    'svc.yaml': `${service('a').replace('  name: a\n', '  name: a\n  annotations:\n    x: z\n')}---\n${service('b')}`,
  },
);

// sortOptions
for (const [index, sort] of [
  'sortOptions:\n  order: fifo\n',
  'sortOptions:\n  order: legacy\n',
  'sortOptions:\n  order: legacy\n  legacySortOptions:\n    orderFirst:\n    - Service\n    orderLast:\n    - ConfigMap\n',
  'sortOptions:\n  order: fifo\nnamePrefix: f-\n',
].entries()) {
  overlay(`sort-${index}`, sort);
}
single('sort-default-kinds', 'resources:\n- all.yaml\n', {
  'all.yaml': `${ingress}---\n${service('s')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.org\nspec:\n  group: example.org\n  names:\n    kind: Thing\n    plural: things\n  scope: Namespaced\n  versions: []\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: example.org/v1\nkind: Thing\nmetadata:\n  name: t\n`,
});
single('sort-fifo-single', 'sortOptions:\n  order: fifo\nresources:\n- all.yaml\n', {
  'all.yaml': `${ingress}---\n${service('s')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n`,
});

// components and nested overlays
const component = (body) =>
  `apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n${body}`;
const componentCases = [
  ['labels', component('commonLabels:\n  comp: "on"\n')],
  [
    'patch',
    component(
      'patches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 5\n',
    ),
  ],
  ['generator', component('configMapGenerator:\n- name: comp-config\n  literals:\n  - a=b\n')],
  [
    'merge-generator',
    component(
      'configMapGenerator:\n- name: web-config\n  behavior: merge\n  literals:\n  - FROM=component\n',
    ),
  ],
  ['resources', component('resources:\n- extra.yaml\n')],
  ['images', component('images:\n- name: nginx\n  newTag: comp\n')],
];
for (const [name, text] of componentCases) {
  overlay(`component-${name}`, 'components:\n- ../comp\n', {});
  const last = cases[cases.length - 1];
  last.files['comp/kustomization.yaml'] = text;
  last.files['comp/extra.yaml'] =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-component\ndata:\n  x: "1"\n';
}
for (const [index, levels] of [
  ['namePrefix: mid-\n', 'namePrefix: top-\n'],
  ['namespace: mid\n', 'namespace: top\n'],
  ['commonLabels:\n  level: mid\n', 'commonLabels:\n  level: top\n'],
  ['images:\n- name: nginx\n  newTag: mid\n', 'images:\n- name: nginx\n  newTag: top\n'],
  [
    'configMapGenerator:\n- name: web-config\n  behavior: merge\n  literals:\n  - MID=1\n',
    'configMapGenerator:\n- name: web-config\n  behavior: merge\n  literals:\n  - TOP=1\n',
  ],
  ['nameSuffix: -m\n', 'namePrefix: t-\nreplicas:\n- name: web\n  count: 2\n'],
  [
    'patches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 3\n',
    'namePrefix: t-\n',
  ],
  ['secretGenerator:\n- name: mid-secret\n  literals:\n  - a=1\n', 'nameSuffix: -top\n'],
].entries()) {
  cases.push({
    name: `nested-${index}`,
    entry: 'top',
    files: {
      ...baseFiles,
      'base/kustomization.yaml': baseKustomization(),
      'mid/kustomization.yaml': `resources:\n- ../base\n${levels[0]}`,
      'top/kustomization.yaml': `resources:\n- ../mid\n${levels[1]}`,
    },
  });
}
cases.push({
  name: 'nested-two-bases',
  entry: 'top',
  files: {
    'a/kustomization.yaml': 'namePrefix: a-\nresources:\n- svc.yaml\n',
    'a/svc.yaml': service('one'),
    'b/kustomization.yaml': 'namePrefix: b-\nresources:\n- svc.yaml\n',
    'b/svc.yaml': service('two'),
    'top/kustomization.yaml': 'resources:\n- ../a\n- ../b\nnamespace: both\n',
  },
});

// value styles through the printer
const styles = [
  'a: "yes"',
  'b: "0644"',
  'c: "1.5"',
  'd: ""',
  'e: "~"',
  'f: ":x"',
  'g: "- x"',
  'h: "#x"',
  'i: "x: y"',
  'j: " lead"',
  'k: "trail "',
  'l: "1e3"',
  'm: "0x1F"',
  'n: "@x"',
  'o: "*x"',
  'p: "!x"',
  'q: "%x"',
  'r: "2024-01-01"',
  's: "tab\\there"',
  't: "line1\\nline2"',
  'u: "line1\\nline2\\n"',
  'v: "ümlaut"',
  'w: "{x}"',
  'x: "[y]"',
  'y: "null"',
  'z: "on"',
  'aa: "Off"',
  'ab: "1_000"',
  'ac: "+1"',
  'ad: ".5"',
  'ae: "1:20"',
  'af: "a\'b"',
  'ag: "a\\"b"',
  'ah: "x,y"',
  'ai: "?q"',
  'aj: "|p"',
  'ak: ">p"',
  'al: "&a"',
  'am: "a #b"',
  'an: "a: b: c"',
  'ao: "2024-02-30"',
  'ap: "2024-1-2 3:4:5"',
  'aq: "2024-01-01T10:00:00"',
  'ar: "2024-01-01T10:00:00Z"',
  'as: "12:30"',
];
for (let index = 0; index < styles.length; index += 5) {
  single(`styles-${index / 5}`, 'resources:\n- cm.yaml\n', {
    'cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: styles\ndata:\n${styles
      .slice(index, index + 5)
      .map((line) => `  ${line}`)
      .join('\n')}\n`,
  });
}
single('styles-numbers', 'resources:\n- d.yaml\n', {
  'd.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: n\n  labels:\n    a10: x\n    a9: x\n    a-1: x\n    A: x\n    _u: x\nspec:\n  ports:\n  - port: 80\n    targetPort: 8080\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 10800\n',
});
single('styles-empty-values', 'resources:\n- d.yaml\n', {
  'd.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: e\n  annotations: {}\nspec:\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers: []\n      volumes: []\n',
});
single('styles-long-line', 'resources:\n- cm.yaml\n', {
  'cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: long\ndata:\n  k: a very long line that goes on and on and on and on and on and on and on and on and on and on and end\n',
});
single('list-kind', 'resources:\n- list.yaml\n', {
  'list.yaml': `apiVersion: v1\nkind: List\nitems:\n- ${service('l1').trimEnd().replace(/\n/g, '\n  ')}\n- ${service('l2').trimEnd().replace(/\n/g, '\n  ')}\n`,
});

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const testCase of cases) {
  writeFileSync(
    join(out, `${testCase.name}.yaml`),
    stringify({ entry: testCase.entry, files: testCase.files }, { lineWidth: 0 }),
  );
}
process.stdout.write(`${String(readdirSync(out).length)} cases in ${out}\n`);
