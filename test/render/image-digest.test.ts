/**
 * Image digests: `tag: v@sha256:...` and a separate `digest` key render `repository:tag@digest`,
 * a digest without a tag renders `repository@digest`, through the overlay's kustomize `images`
 * (prometheus, grafana, exporters) and the overlay's own Alertmanager; validate stays clean.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveEnvironmentSources } from '../../src/config/index.js';
import { validate } from '../../src/validate/index.js';
import { kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import { renderEnvironments } from '../helpers/render.js';

const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'0123456789abcdef'.repeat(4)}`;

const pinned = [
  'tier: prod',
  'prometheus:',
  `  image: {tag: v3.5.5@${a}}`,
  'grafana:',
  `  image: {tag: 13.2.0, digest: ${b}}`,
  'nodeExporter:',
  `  image: {digest: ${a}}`,
  'kubeStateMetrics:',
  `  image: {tag: latest, digest: ${b}}`,
  'alertmanager:',
  `  image: {repository: registry.example.com:5000/alertmanager, digest: ${b}}`,
  '',
].join('\n');

let root: string;

beforeAll(async () => {
  root = await renderEnvironments({ pinned }, 'gitops-gen-digest-');
});

function imagesOf(objects: BuiltObject[]): Record<string, string> {
  const images: Record<string, string> = {};
  for (const object of objects) {
    const containers = (
      object as { spec?: { template?: { spec?: { containers?: { image: string }[] } } } }
    ).spec?.template?.spec?.containers;
    for (const container of containers ?? []) images[object.metadata.name] = container.image;
  }
  return images;
}

describe('image digests', () => {
  it('resolve into tag and digest; a digest alone drops the default tag', () => {
    const [environment] = resolveEnvironmentSources([
      { file: 'environments/pinned.yaml', name: 'pinned', text: pinned },
    ]);
    expect(environment?.prometheus.image).toEqual({
      repository: 'quay.io/prometheus/prometheus',
      tag: 'v3.5.5',
      digest: a,
    });
    expect(environment?.nodeExporter.image).toEqual({
      repository: 'quay.io/prometheus/node-exporter',
      digest: a,
    });
  });

  it('render repository:tag@digest, or repository@digest without a tag', async () => {
    const images = imagesOf(await kustomizeBuild(join(root, 'overlays', 'pinned')));
    expect(images).toMatchObject({
      prometheus: `quay.io/prometheus/prometheus:v3.5.5@${a}`,
      grafana: `docker.io/grafana/grafana:13.2.0@${b}`,
      'node-exporter': `quay.io/prometheus/node-exporter@${a}`,
      'kube-state-metrics': `registry.k8s.io/kube-state-metrics/kube-state-metrics:latest@${b}`,
      alertmanager: `registry.example.com:5000/alertmanager@${b}`,
    });
  });

  it('leave validate clean (a digest pins the image)', async () => {
    const report = await validate({ paths: [join(root, 'overlays')], promtool: 'never' });
    expect(report.findings).toEqual([]);
  });
});
