/**
 * Self-test of the end-to-end helpers: the fake exporters of both profiles, the webhook
 * receiver, `waitFor`, and `startProcess` with the real Debian Prometheus and Alertmanager.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fakeExporterMetrics,
  fakeExporterSampleNames,
  fakeFlaskExporterVersion,
  fakeMlflowVersion,
  startFakeExporters,
} from '../helpers/fake-exporters.js';
import { freePort, startProcess, stopAll, waitFor } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';
import {
  startWebhookReceiver,
  type AlertmanagerWebhookPayload,
} from '../helpers/webhook-receiver.js';

afterAll(stopAll);

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

/** Sample names in an exposition (the part of each sample line before `{` or the value). */
function exposedNames(text: string): string[] {
  const names = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? line);
  return [...new Set(names)].sort();
}

const bucketName = /_bucket$/;

describe('fake exporters', () => {
  it('spec profile: serves the spec names and counts traffic', async () => {
    const fakes = await startFakeExporters('spec');
    fakes.mlflow.request(2);
    fakes.mlflow.request(1, { status: 500, seconds: 0.3 });
    fakes.mlflow.runFinished(2, 'FAILED');
    fakes.mlflow.runFinished(1, 'FINISHED');
    fakes.model.predict(4, { seconds: 0.2 });
    fakes.model.predict(1, { failed: true, seconds: 1 });

    const mlflow = await scrape(fakes.mlflow.url);
    const path = '/api/2.0/mlflow/runs/create';
    expect(mlflow).toContain(`http_requests_total{method="POST",path="${path}",status="200"} 2`);
    expect(mlflow).toContain(`http_requests_total{method="POST",path="${path}",status="500"} 1`);
    expect(mlflow).toContain(
      `http_request_duration_seconds_bucket{le="0.5",method="POST",path="${path}",status="500"} 1`,
    );
    expect(mlflow).toContain('mlflow_runs_created_total 3');
    expect(mlflow).toContain('mlflow_runs_finished_total{status="FAILED"} 2');
    expect(mlflow).toContain('mlflow_runs_finished_total{status="FINISHED"} 1');
    expect(mlflow).toContain('mlflow_runs_finished_total{status="KILLED"} 0');
    expect(exposedNames(mlflow)).toEqual(fakeExporterSampleNames('spec', 'mlflow'));

    const model = await scrape(fakes.model.url);
    expect(model).toContain('mlflow_predictions_total{model="demo-model"} 5');
    expect(model).toContain('mlflow_model_request_duration_seconds_count{model="demo-model"} 5');
    expect(model).toContain(
      'mlflow_model_request_duration_seconds_bucket{le="0.25",model="demo-model"} 4',
    );
    expect(model).toContain(
      'http_requests_total{method="POST",path="/invocations",status="200"} 4',
    );
    expect(model).toContain(
      'http_requests_total{method="POST",path="/invocations",status="500"} 1',
    );
    expect(exposedNames(model)).toEqual(fakeExporterSampleNames('spec', 'model'));

    const other = await fetch(fakes.mlflow.url.replace('/metrics', '/other'));
    expect(other.status).toBe(404);
    await other.text();
    await fakes.stop();
  });

  it('mlflow-native profile: serves flask-exporter and MLServer names', async () => {
    const fakes = await startFakeExporters('mlflow-native');
    fakes.mlflow.request(3, { status: 500 });
    fakes.mlflow.request(5, { method: 'GET' });
    fakes.mlflow.runFinished(2, 'FAILED');
    fakes.model.predict(2);
    fakes.model.predict(1, { failed: true, seconds: 0.6 });

    const mlflow = await scrape(fakes.mlflow.url);
    expect(mlflow).toContain('mlflow_http_request_total{method="POST",status="500"} 5');
    expect(mlflow).toContain('mlflow_http_request_total{method="GET",status="200"} 5');
    expect(mlflow).toContain('mlflow_http_request_exceptions_total{method="POST",status="500"} 5');
    expect(mlflow).toContain(
      `mlflow_http_request_duration_seconds_bucket{le="0.075",method="POST",status="500",mlflow_version="${fakeMlflowVersion}"} 5`,
    );
    expect(mlflow).toContain(`mlflow_exporter_info{version="${fakeFlaskExporterVersion}"} 1`);
    expect(mlflow).not.toContain('path=');
    expect(mlflow).not.toContain('mlflow_runs');
    expect(exposedNames(mlflow)).toEqual(fakeExporterSampleNames('mlflow-native', 'mlflow'));

    const model = await scrape(fakes.model.url);
    const labels = 'model="demo-model",version="1"';
    expect(model).toContain(`model_infer_request_success_total{${labels}} 2`);
    expect(model).toContain(`model_infer_request_failure_total{${labels}} 1`);
    expect(model).toContain(`model_infer_request_duration_count{${labels}} 3`);
    expect(model).not.toContain('quantile=');
    const rest = 'app_name="mlserver",method="POST",path="/v2/models/{model_name}/infer"';
    expect(model).toContain(`rest_server_requests_total{${rest},status_code="200"} 2`);
    expect(model).toContain(`rest_server_requests_total{${rest},status_code="500"} 1`);
    expect(model).toContain(
      `rest_server_request_duration_seconds_bucket{le="0.75",${rest},status_code="500"} 1`,
    );
    expect(model).toContain(`rest_server_requests_in_progress{${rest}} 0`);
    expect(exposedNames(model)).toEqual(fakeExporterSampleNames('mlflow-native', 'model'));
    await fakes.stop();
  });

  it('the metric list names each family once per server and matches the profiles', () => {
    for (const profile of ['spec', 'mlflow-native'] as const) {
      for (const role of ['mlflow', 'model'] as const) {
        const names = fakeExporterMetrics[profile][role].map((family) => family.name);
        expect(new Set(names).size).toBe(names.length);
      }
    }
    expect(fakeExporterSampleNames('mlflow-native').some((name) => bucketName.test(name))).toBe(
      true,
    );
    expect(fakeExporterSampleNames('mlflow-native')).not.toContain('http_requests_total');
  });

  it('a server stops (dropping keep-alive connections) and restarts on the same port', async () => {
    const fakes = await startFakeExporters('mlflow-native');
    const { port } = fakes.mlflow;
    fakes.mlflow.request(3, { status: 500 });
    await scrape(fakes.mlflow.url);

    await fakes.mlflow.stop();
    expect(fakes.mlflow.isRunning).toBe(false);
    await expect(fetch(fakes.mlflow.url)).rejects.toThrow();
    await fakes.mlflow.stop(); // idempotent
    expect((await scrape(fakes.model.url)).length).toBeGreaterThan(0);

    await fakes.mlflow.start();
    expect(fakes.mlflow.isRunning).toBe(true);
    expect(fakes.mlflow.port).toBe(port);
    expect(fakes.mlflow.url).toBe(`http://127.0.0.1:${port}/metrics`);
    expect(await scrape(fakes.mlflow.url)).toContain(
      'mlflow_http_request_total{method="POST",status="500"} 3',
    );
    await fakes.stop();
    expect(fakes.model.isRunning).toBe(false);
  });

  it('each fake has its own registry', async () => {
    const first = await startFakeExporters('spec');
    const second = await startFakeExporters('spec');
    first.mlflow.runFinished(7, 'FINISHED');
    expect(await scrape(second.mlflow.url)).toContain('mlflow_runs_created_total 0');
    expect(await scrape(first.mlflow.url)).toContain('mlflow_runs_created_total 7');
    await Promise.all([first.stop(), second.stop()]);
  });
});

const samplePayload: AlertmanagerWebhookPayload = {
  version: '4',
  groupKey: '{}:{alertname="MlflowDown"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'web',
  groupLabels: { alertname: 'MlflowDown' },
  commonLabels: { alertname: 'MlflowDown', severity: 'critical' },
  commonAnnotations: { summary: 'MLflow is down' },
  externalURL: 'http://127.0.0.1:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'MlflowDown', severity: 'critical' },
      annotations: { summary: 'MLflow is down' },
      startsAt: '2024-01-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph',
      fingerprint: '0123456789abcdef',
    },
  ],
};

async function post(url: string, body: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.text();
  return response.status;
}

describe('webhook receiver', () => {
  it('stores payloads and finds alerts by name and status', async () => {
    const receiver = await startWebhookReceiver();
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/alerts$/);
    expect(await post(receiver.url, JSON.stringify(samplePayload))).toBe(200);
    expect(receiver.received()).toEqual([samplePayload]);
    const alert = await receiver.waitForAlert('MlflowDown', 'firing', 2_000);
    expect(alert.labels.severity).toBe('critical');

    await expect(receiver.waitForAlert('MlflowDown', 'resolved', 300)).rejects.toThrow(
      /^timed out after 300ms waiting for alert MlflowDown resolved at the webhook receiver; last: received MlflowDown=firing$/,
    );
    await expect(receiver.waitForAlert('MlflowDown', 'firing', 300, { since: 1 })).rejects.toThrow(
      /last: received no alerts$/,
    );
  });

  it('refuses oversized, malformed and misdirected requests', async () => {
    const receiver = await startWebhookReceiver();
    expect(await post(receiver.url, 'x'.repeat(1024 * 1024 + 1))).toBe(413);
    expect(await post(receiver.url, '{not json')).toBe(400);
    expect(await post(receiver.url, JSON.stringify({ ...samplePayload, version: '3' }))).toBe(400);
    expect(await post(receiver.url.replace('/alerts', '/other'), '{}')).toBe(404);
    expect(receiver.received()).toEqual([]);
    expect(receiver.rejected()).toHaveLength(4);
    await receiver.close();
    await receiver.close(); // idempotent
  });
});

describe('waitFor', () => {
  it('returns the first defined value', async () => {
    let calls = 0;
    const value = await waitFor('the third call', () =>
      Promise.resolve(++calls === 3 ? 'done' : undefined),
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('times out quoting the last error, also when a probe hangs', async () => {
    await expect(
      waitFor('never', () => Promise.reject(new Error('still broken')), { timeoutMs: 200 }),
    ).rejects.toThrow('timed out after 200ms waiting for never; last: still broken');
    const started = Date.now();
    await expect(
      waitFor('a hanging probe', () => new Promise<undefined>(() => undefined), {
        timeoutMs: 200,
      }),
    ).rejects.toThrow('timed out after 200ms waiting for a hanging probe; last: no probe finished');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('startProcess', () => {
  it('names the Debian package of a missing binary', async () => {
    const cwd = await tempDir();
    const base = { args: [], cwd, readyUrl: 'http://127.0.0.1:1/-/ready' };
    await expect(
      startProcess({ ...base, name: 'prometheus', command: join(cwd, 'missing', 'prometheus') }),
    ).rejects.toThrow(
      /prometheus: binary .* not found \(ENOENT\); install the Debian package "prometheus"/,
    );
    await expect(
      startProcess({ ...base, name: 'amtool', command: join(cwd, 'missing', 'amtool') }),
    ).rejects.toThrow(/install the Debian package "prometheus-alertmanager"/);
    await expect(
      startProcess({
        ...base,
        name: 'alertmanager',
        command: join(cwd, 'missing', 'prometheus-alertmanager'),
      }),
    ).rejects.toThrow(/install the Debian package "prometheus-alertmanager"/);
  });

  it('reports an early exit with the exit code and the output', async () => {
    const cwd = await tempDir();
    const port = await freePort();
    await expect(
      startProcess({
        name: 'broken prometheus',
        command: 'prometheus',
        args: [
          `--config.file=${join(cwd, 'missing.yml')}`,
          `--storage.tsdb.path=${join(cwd, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        cwd,
        readyUrl: `http://127.0.0.1:${port}/-/ready`,
        timeoutMs: 20_000,
      }),
    ).rejects.toThrow(
      /broken prometheus .*exited before .* \(exit code [1-9]\d*,[\s\S]*missing\.yml/,
    );
  });

  it('kills a process that is not ready in time', async () => {
    const cwd = await tempDir();
    const [port, wrongPort] = [await freePort(), await freePort()];
    const config = join(cwd, 'prometheus.yml');
    await writeFile(config, 'global:\n  scrape_interval: 1s\n', 'utf8');
    const started = Date.now();
    await expect(
      startProcess({
        name: 'unready prometheus',
        command: 'prometheus',
        args: [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(cwd, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        cwd,
        // Nothing listens here, so the probe never gets a 200.
        readyUrl: `http://127.0.0.1:${wrongPort}/-/ready`,
        timeoutMs: 1_500,
      }),
    ).rejects.toThrow(/unready prometheus \(prometheus\) was not ready at .* within 1500ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The process was stopped before the rejection: its port answers no more.
    await expect(fetch(`http://127.0.0.1:${port}/-/ready`)).rejects.toThrow();
  });

  it('runs the real Prometheus until ready and stops it cleanly', async () => {
    const cwd = await tempDir();
    const port = await freePort();
    const config = join(cwd, 'prometheus.yml');
    await writeFile(config, 'global:\n  scrape_interval: 1s\n', 'utf8');
    const prometheus = await startProcess({
      name: 'prometheus',
      command: 'prometheus',
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(cwd, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      cwd,
      readyUrl: `http://127.0.0.1:${port}/-/ready`,
    });
    expect(prometheus.exitStatus()).toBeUndefined();
    const status = await fetch(`http://127.0.0.1:${port}/api/v1/status/buildinfo`);
    expect(((await status.json()) as { data: { version: string } }).data.version).toMatch(/^2\./);

    await prometheus.stop();
    await prometheus.stop(); // idempotent
    expect(prometheus.exitStatus()).toEqual({ code: 0, signal: null });
    expect(prometheus.output()).toContain('Server is ready to receive web requests.');
    await expect(fetch(`http://127.0.0.1:${port}/-/ready`)).rejects.toThrow();
  });

  it('runs the real Alertmanager, which delivers to the webhook receiver', async () => {
    const cwd = await tempDir();
    const port = await freePort();
    const receiver = await startWebhookReceiver();
    const config = join(cwd, 'alertmanager.yml');
    // Short group timers so the check takes seconds, not Alertmanager's default 30 s + 5 min.
    await writeFile(
      config,
      [
        'route:',
        '  receiver: web',
        '  group_wait: 1s',
        '  group_interval: 1s',
        'receivers:',
        '  - name: web',
        '    webhook_configs:',
        `      - url: ${receiver.url}`,
        '',
      ].join('\n'),
      'utf8',
    );
    const alertmanager = await startProcess({
      name: 'alertmanager',
      command: 'prometheus-alertmanager',
      args: [
        `--config.file=${config}`,
        `--storage.path=${join(cwd, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      cwd,
      readyUrl: `http://127.0.0.1:${port}/-/ready`,
    });

    const alert = {
      labels: { alertname: 'HarnessCheck', severity: 'info' },
      annotations: { summary: 'harness self-test' },
    };
    const api = `http://127.0.0.1:${port}/api/v2/alerts`;
    expect(await post(api, JSON.stringify([alert]))).toBe(200);
    const firing = await receiver.waitForAlert('HarnessCheck', 'firing', 20_000);
    expect(firing.annotations.summary).toBe('harness self-test');
    expect(receiver.received()[0]?.receiver).toBe('web');

    const since = receiver.received().length;
    const ended = { ...alert, endsAt: new Date(Date.now() - 1_000).toISOString() };
    expect(await post(api, JSON.stringify([ended]))).toBe(200);
    await receiver.waitForAlert('HarnessCheck', 'resolved', 20_000, { since });

    await alertmanager.stop();
    expect(alertmanager.exitStatus()).toEqual({ code: 0, signal: null });
  });
});
