/**
 * Integration: an overlay whose metrics differ from the base's (another profile, a run
 * exporter) replaces the base's dashboard with its own, and `kubectl kustomize` builds one
 * dashboards ConfigMap that queries the environment's metric names.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kustomizeBuild } from '../helpers/kubectl.js';
import { renderEnvironments } from '../helpers/render.js';

const environments: Record<string, string> = {
  plain: '',
  native: 'metrics: { profile: mlflow-native }\n',
  exporter: 'metrics: { profile: mlflow-native, runExporter: {} }\n',
};

let root: string;

beforeAll(async () => {
  root = await renderEnvironments(environments, 'gitops-gen-profiles-');
});

async function dashboardOf(name: string): Promise<string> {
  const objects = await kustomizeBuild(join(root, 'overlays', name));
  const dashboards = objects.filter(
    (object) =>
      object.kind === 'ConfigMap' && object.metadata.name.startsWith('grafana-dashboards'),
  );
  expect(dashboards).toHaveLength(1);
  return JSON.stringify(dashboards[0]);
}

describe('dashboards per metrics profile', () => {
  it('the base profile uses the base dashboard and writes none of its own', async () => {
    expect(await readdir(join(root, 'overlays', 'plain', 'grafana'))).toEqual(['datasources.yaml']);
    const text = await dashboardOf('plain');
    expect(text).toContain('mlflow_model_request_duration_seconds_bucket');
    expect(text).not.toContain('rest_server_');
  });

  it('mlflow-native replaces it with MLServer and prometheus-flask-exporter names', async () => {
    const text = await dashboardOf('native');
    expect(text).toContain('rest_server_request_duration_seconds_bucket');
    expect(text).toContain('mlflow_http_request_total');
    expect(text).not.toMatch(/mlflow_runs_|mlflow_model_request|http_requests_total/);
  });

  it('a run exporter brings the run panels back, from its own job', async () => {
    const text = await dashboardOf('exporter');
    expect(text).toContain('mlflow_runs_finished_total{job=\\\\\\"mlflow-run-exporter\\\\\\"');
    expect(text).toContain('rest_server_request_duration_seconds_bucket');
  });
});
