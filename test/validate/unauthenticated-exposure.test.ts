/**
 * policy/unauthenticated-exposure: a NodePort or LoadBalancer Service in a prod namespace that
 * reaches Prometheus or Alertmanager (neither authenticates anyone) is a warning. Which pods a
 * Service reaches: the workloads of the same set its selector matches and the images they run,
 * else the well-known ports 9090 and 9093. False alarms matter as much: ClusterIP, dev and
 * staging namespaces, Grafana, other apps and the ignore annotation are all silent.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate, type Finding } from '../../src/index.js';
import { policyChecks } from '../../src/validate/index.js';
import { defaultIsProdNamespace } from '../../src/validate/policy.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const check = 'policy/unauthenticated-exposure';

interface ServiceOptions {
  name?: string;
  namespace?: string;
  type?: string;
  app?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
  annotations?: string;
}

function service(options: ServiceOptions = {}): string {
  const {
    name = 'prometheus',
    namespace = 'mlflow-prod',
    type = 'NodePort',
    app = 'prometheus',
    port = 9090,
    targetPort,
    nodePort,
    annotations,
  } = options;
  return [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    ...(annotations ? ['  annotations:', `    ${annotations}`] : []),
    'spec:',
    `  type: ${type}`,
    `  selector: { app: ${app} }`,
    '  ports:',
    `    - name: web`,
    `      port: ${String(port)}`,
    ...(targetPort === undefined ? [] : [`      targetPort: ${String(targetPort)}`]),
    ...(nodePort === undefined ? [] : [`      nodePort: ${String(nodePort)}`]),
    '',
  ].join('\n');
}

function workload(options: {
  kind?: string;
  name?: string;
  namespace?: string;
  app?: string;
  image: string;
  port: number;
  portName?: string;
}): string {
  const {
    kind = 'Deployment',
    name = options.app ?? 'prometheus',
    namespace = 'mlflow-prod',
    app = 'prometheus',
    image,
    port,
    portName = 'web',
  } = options;
  return [
    'apiVersion: apps/v1',
    `kind: ${kind}`,
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    ...(kind === 'StatefulSet' ? [`  serviceName: ${name}`] : []),
    `  selector: { matchLabels: { app: ${app} } }`,
    '  template:',
    `    metadata: { labels: { app: ${app} } }`,
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    `          ports: [{ name: ${portName}, containerPort: ${String(port)} }]`,
    '',
  ].join('\n');
}

const prometheus = (namespace = 'mlflow-prod'): string =>
  workload({ namespace, image: 'quay.io/prometheus/prometheus:v3.5.5', port: 9090 });

async function exposureFindings(
  documents: string[],
  options: { disabledChecks?: string[] } = {},
): Promise<Finding[]> {
  const dir = await tempDir();
  await writeFiles(dir, { 'objects.yaml': documents.join('---\n') });
  const report = await validate({
    paths: [join(dir, 'objects.yaml')],
    promtool: 'never',
    ...options,
  });
  return report.findings.filter((finding) => finding.code === check);
}

describe('policy/unauthenticated-exposure', () => {
  it('is registered as a warning, with its description', () => {
    expect(policyChecks.unauthenticatedExposure).toEqual({
      id: check,
      severity: 'warning',
      description: expect.stringContaining('Prometheus or Alertmanager') as unknown,
    });
  });

  it('warns on a NodePort Service of Prometheus in a prod namespace: the Service, port and fix', async () => {
    const findings = await exposureFindings([service({ nodePort: 30090 }), prometheus()]);
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        line: 10,
        path: 'spec.ports[0]',
        resource: expect.objectContaining({
          kind: 'Service',
          name: 'prometheus',
          namespace: 'mlflow-prod',
        }) as unknown,
      }),
    ]);
    expect(findings[0]?.message).toBe(
      'Service "prometheus" (NodePort) in prod namespace mlflow-prod exposes Prometheus (port 9090), which has no authentication, on node port 30090 of every node: anyone who reaches it can query every series; make the Service ClusterIP and use kubectl port-forward, or put an Ingress with authentication in front',
    );
    expect(findings[0]?.hint).toContain(
      'kubectl port-forward svc/prometheus -n mlflow-prod 9090:9090',
    );
    expect(findings[0]?.hint).toContain('prometheus.service.acceptUnauthenticated: true');
    expect(findings[0]?.hint).toContain(
      'gitops-gen.dev/ignore-checks: "policy/unauthenticated-exposure"',
    );
  });

  it('warns on a LoadBalancer Service of Alertmanager (silences) in a production namespace', async () => {
    const findings = await exposureFindings([
      service({
        name: 'alertmanager',
        namespace: 'production',
        type: 'LoadBalancer',
        app: 'alertmanager',
        port: 80,
        targetPort: 'web',
      }),
      workload({
        kind: 'StatefulSet',
        namespace: 'production',
        app: 'alertmanager',
        image: 'quay.io/prometheus/alertmanager:v0.34.0',
        port: 9093,
      }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toBe(
      'Service "alertmanager" (LoadBalancer) in prod namespace production exposes Alertmanager (port 80), which has no authentication, through a load balancer (and a node port of every node): anyone who reaches it can silence every alert; make the Service ClusterIP and use kubectl port-forward, or put an Ingress with authentication in front',
    );
    // No gitops-gen setting exposes Alertmanager: the hint names the annotation only.
    expect(findings[0]?.hint).not.toContain('prometheus.service');
  });

  it('falls back to the well-known ports when the Service selects no workload of the set', async () => {
    const alone = await exposureFindings([service({ namespace: 'prod-eu' })]);
    expect(alone.map((finding) => finding.message)).toEqual([
      expect.stringContaining('exposes Prometheus (port 9090)') as unknown,
    ]);
    const alertmanager = await exposureFindings([
      service({ name: 'am', namespace: 'team-prd', app: 'am', port: 9093 }),
    ]);
    expect(alertmanager.map((finding) => finding.message)).toEqual([
      expect.stringContaining('exposes Alertmanager (port 9093)') as unknown,
    ]);
  });

  it('reads prod, production and prd as a whole word of the namespace only', () => {
    for (const namespace of ['prod', 'mlflow-prod', 'prod-eu', 'production', 'team-prd-2']) {
      expect(defaultIsProdNamespace(namespace), namespace).toBe(true);
    }
    for (const namespace of ['products', 'reproduce', 'mlflow-staging', 'mlflow-dev', 'prd1']) {
      expect(defaultIsProdNamespace(namespace), namespace).toBe(false);
    }
    expect(defaultIsProdNamespace(undefined)).toBe(false);
  });
});

describe('policy/unauthenticated-exposure stays silent', () => {
  it('on a ClusterIP Service', async () => {
    expect(await exposureFindings([service({ type: 'ClusterIP' }), prometheus()])).toEqual([]);
  });

  it('in dev and staging namespaces, and in one that only contains "prod" in a word', async () => {
    for (const namespace of ['mlflow-dev', 'mlflow-staging', 'products']) {
      expect(
        await exposureFindings([service({ namespace, nodePort: 30092 }), prometheus(namespace)]),
        namespace,
      ).toEqual([]);
    }
  });

  it('on Grafana, which has a login', async () => {
    const findings = await exposureFindings([
      service({ name: 'grafana', app: 'grafana', port: 3000, nodePort: 30300 }),
      workload({ app: 'grafana', image: 'docker.io/grafana/grafana:13.2.0', port: 3000 }),
    ]);
    expect(findings).toEqual([]);
  });

  it('on a Service that selects another app, even on port 9090', async () => {
    const findings = await exposureFindings([
      service({ name: 'web', app: 'web' }),
      workload({ app: 'web', image: 'docker.io/library/nginx:1.27', port: 9090 }),
      // Prometheus runs beside it, behind its own ClusterIP Service.
      service({ type: 'ClusterIP' }),
      prometheus(),
    ]);
    expect(findings).toEqual([]);
  });

  it('on a Service of a sidecar port of the Prometheus pod', async () => {
    const findings = await exposureFindings([
      service({ name: 'sidecar', port: 10902 }),
      prometheus(),
    ]);
    expect(findings).toEqual([]);
  });

  it('on a Service carrying the ignore annotation, and when switched off for the run', async () => {
    const annotated = service({
      annotations: 'gitops-gen.dev/ignore-checks: "policy/unauthenticated-exposure"',
    });
    expect(await exposureFindings([annotated, prometheus()])).toEqual([]);
    // The short form without the policy/ prefix, as for every policy check.
    const short = service({
      annotations: 'gitops-gen.dev/ignore-checks: unauthenticated-exposure',
    });
    expect(await exposureFindings([short, prometheus()])).toEqual([]);
    expect(await exposureFindings([service(), prometheus()], { disabledChecks: [check] })).toEqual(
      [],
    );
  });
});
