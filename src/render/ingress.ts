/**
 * Grafana and Prometheus reached from outside the cluster: a networking.k8s.io/v1 Ingress, or a
 * Gateway API gateway.networking.k8s.io/v1 HTTPRoute attached to an existing Gateway, for each
 * of `grafana.ingress` and `prometheus.ingress`. Prometheus' authentication (an annotation of
 * the ingress controller, or `allowUnauthenticated`) was checked when resolving. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import type { IngressSettings } from '../config/schema-scheduling.js';
import { componentLabels, grafanaComponent, prometheusComponent } from '../stack/components.js';
import type { KubernetesObject } from './kubernetes.js';

type ExposureObject = KubernetesObject & { spec: Record<string, unknown> };

function exposureObject(
  settings: IngressSettings,
  service: { name: string; port: number },
  namespace: string,
): ExposureObject {
  const metadata = {
    name: service.name,
    namespace,
    labels: componentLabels(service.name),
    ...(Object.keys(settings.annotations).length > 0
      ? { annotations: { ...settings.annotations } }
      : {}),
  };
  if (settings.kind === 'HTTPRoute') {
    return {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata,
      spec: {
        parentRefs: settings.parentRefs.map((ref) => ({ ...ref })),
        hostnames: [settings.host],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: [{ name: service.name, port: service.port }],
          },
        ],
      },
    };
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata,
    spec: {
      ...(settings.className === undefined ? {} : { ingressClassName: settings.className }),
      ...(settings.tlsSecretName === undefined
        ? {}
        : { tls: [{ hosts: [settings.host], secretName: settings.tlsSecretName }] }),
      rules: [
        {
          host: settings.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service.name, port: { number: service.port } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** The Ingress or HTTPRoute objects of the environment, Grafana's first. */
export function exposureObjects(environment: EnvironmentConfig): ExposureObject[] {
  const { exposure, namespace } = environment;
  const objects: ExposureObject[] = [];
  if (exposure.grafana && environment.grafana.enabled) {
    objects.push(
      exposureObject(
        exposure.grafana,
        { name: grafanaComponent.name, port: grafanaComponent.port },
        namespace,
      ),
    );
  }
  if (exposure.prometheus) {
    objects.push(
      exposureObject(
        exposure.prometheus,
        { name: prometheusComponent.name, port: prometheusComponent.port },
        namespace,
      ),
    );
  }
  return objects;
}
