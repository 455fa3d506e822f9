/**
 * How Prometheus finds targets and connects to them: the HTTP client settings that jobs,
 * Alertmanagers, remote endpoints and discovery blocks share (TLS, authorization, basic auth,
 * at most one way to authenticate), and service discovery: static targets, Kubernetes (roles,
 * namespaces, selectors) and file discovery checked in depth, other mechanisms accepted as lists.
 * Pure.
 */
import { code, ConfigValueChecker } from './config-values.js';
import { checkKnownKeys, closest, describe, type ObjectPath } from './source.js';
import { quoteJson } from '../text-safety.js';

/** Service discovery mechanisms a scrape job or an Alertmanager entry may use. */
export const serviceDiscoveryKeys = [
  'azure_sd_configs',
  'consul_sd_configs',
  'digitalocean_sd_configs',
  'docker_sd_configs',
  'dockerswarm_sd_configs',
  'dns_sd_configs',
  'ec2_sd_configs',
  'eureka_sd_configs',
  'file_sd_configs',
  'gce_sd_configs',
  'hetzner_sd_configs',
  'http_sd_configs',
  'ionos_sd_configs',
  'kubernetes_sd_configs',
  'kuma_sd_configs',
  'lightsail_sd_configs',
  'linode_sd_configs',
  'marathon_sd_configs',
  'nerve_sd_configs',
  'nomad_sd_configs',
  'openstack_sd_configs',
  'ovhcloud_sd_configs',
  'puppetdb_sd_configs',
  'scaleway_sd_configs',
  'serverset_sd_configs',
  'stackit_sd_configs',
  'triton_sd_configs',
  'uyuni_sd_configs',
  'vultr_sd_configs',
  'static_configs',
] as const;

/** Prometheus' common HTTP client settings, inlined into jobs and discovery blocks. */
export const httpClientKeys = [
  'basic_auth',
  'authorization',
  'oauth2',
  'bearer_token',
  'bearer_token_file',
  'tls_config',
  'proxy_url',
  'no_proxy',
  'proxy_from_environment',
  'proxy_connect_header',
  'follow_redirects',
  'enable_http2',
  'http_headers',
] as const;

const tlsKeys = new Set([
  'ca',
  'ca_file',
  'ca_ref',
  'cert',
  'cert_file',
  'cert_ref',
  'key',
  'key_file',
  'key_ref',
  'server_name',
  'insecure_skip_verify',
  'min_version',
  'max_version',
]);
const authorizationKeys = new Set(['type', 'credentials', 'credentials_file', 'credentials_ref']);
const basicAuthKeys = new Set([
  'username',
  'username_file',
  'username_ref',
  'password',
  'password_file',
  'password_ref',
]);
const staticConfigKeys = new Set(['targets', 'labels']);
const fileSdKeys = new Set(['files', 'refresh_interval']);
const kubernetesSdKeys = new Set<string>([
  'role',
  'api_server',
  'kubeconfig_file',
  'namespaces',
  'selectors',
  'attach_metadata',
  ...httpClientKeys,
]);

export const kubernetesRoles = [
  'endpoints',
  'endpointslice',
  'service',
  'pod',
  'node',
  'ingress',
] as const;

/** HTTP client settings and service discovery blocks, on top of the value checks. */
export class DiscoveryChecker extends ConfigValueChecker {
  httpClient(object: Record<string, unknown>, path: ObjectPath): void {
    const tls = this.mapping(object.tls_config, [...path, 'tls_config'], 'tls_config');
    if (tls) {
      checkKnownKeys(
        this.out,
        tls,
        tlsKeys,
        [...path, 'tls_config'],
        code('unknown-field'),
        'tls_config',
      );
      for (const [inline, file] of [
        ['ca', 'ca_file'],
        ['cert', 'cert_file'],
        ['key', 'key_file'],
      ] as const)
        if (tls[inline] !== undefined && tls[file] !== undefined)
          this.out.add({
            code: code('conflicting-fields'),
            message: `at most one of ${inline} and ${file} must be configured`,
            path: [...path, 'tls_config', file],
            at: 'key',
          });
      if (tls.insecure_skip_verify !== undefined && typeof tls.insecure_skip_verify !== 'boolean')
        this.out.add({
          code: code('invalid-type'),
          message: `insecure_skip_verify must be true or false, not ${describe(tls.insecure_skip_verify)}`,
          path: [...path, 'tls_config', 'insecure_skip_verify'],
        });
    }
    const authorization = this.mapping(
      object.authorization,
      [...path, 'authorization'],
      'authorization',
    );
    if (authorization) {
      checkKnownKeys(
        this.out,
        authorization,
        authorizationKeys,
        [...path, 'authorization'],
        code('unknown-field'),
        'authorization',
      );
      if (authorization.credentials !== undefined && authorization.credentials_file !== undefined)
        this.out.add({
          code: code('conflicting-fields'),
          message: 'at most one of authorization credentials & credentials_file must be configured',
          path: [...path, 'authorization', 'credentials_file'],
          at: 'key',
        });
      if (typeof authorization.type === 'string' && authorization.type.toLowerCase() === 'basic')
        this.out.add({
          code: code('conflicting-fields'),
          message: 'authorization type cannot be set to "basic", use "basic_auth" instead',
          path: [...path, 'authorization', 'type'],
        });
    }
    const basicAuth = this.mapping(object.basic_auth, [...path, 'basic_auth'], 'basic_auth');
    if (basicAuth) {
      checkKnownKeys(
        this.out,
        basicAuth,
        basicAuthKeys,
        [...path, 'basic_auth'],
        code('unknown-field'),
        'basic_auth',
      );
      if (basicAuth.password !== undefined && basicAuth.password_file !== undefined)
        this.out.add({
          code: code('conflicting-fields'),
          message: 'at most one of basic_auth password & password_file must be configured',
          path: [...path, 'basic_auth', 'password_file'],
          at: 'key',
        });
    }
    const auths = ['basic_auth', 'authorization', 'oauth2'].filter(
      (key) => object[key] !== undefined && object[key] !== null,
    );
    const bearer = ['bearer_token', 'bearer_token_file'].filter((key) => object[key] !== undefined);
    if (auths.length > 1 || (bearer.length > 0 && auths.length > 0) || bearer.length > 1)
      this.out.add({
        code: code('conflicting-fields'),
        message: `at most one of basic_auth, oauth2 & authorization must be configured (found ${[...auths, ...bearer].join(', ')})`,
        path: [...path, [...auths, ...bearer][1] ?? 'authorization'],
        at: 'key',
        hint: 'pick one way to authenticate the scrape',
      });
  }

  staticConfigs(value: unknown, path: ObjectPath, checkTargets: boolean): void {
    this.list(value, path, 'static_configs').forEach((item: unknown, index) => {
      const itemPath = [...path, index];
      const config = this.mapping(item, itemPath, 'a static config');
      if (!config) return;
      checkKnownKeys(
        this.out,
        config,
        staticConfigKeys,
        itemPath,
        code('unknown-field'),
        'a static config',
      );
      this.list(config.targets, [...itemPath, 'targets'], 'targets').forEach(
        (target: unknown, targetIndex) => {
          const targetPath = [...itemPath, 'targets', targetIndex];
          if (typeof target !== 'string') {
            this.out.add({
              code: code('invalid-type'),
              message: `a target must be a host:port string, not ${describe(target)}`,
              path: targetPath,
            });
          } else if (checkTargets && target.includes('/')) {
            this.out.add({
              code: code('invalid-target'),
              message: `${quoteJson(target)} is not a valid hostname`,
              path: targetPath,
              hint: 'targets are host:port; set scheme and metrics_path on the job instead of writing a URL',
            });
          }
        },
      );
      this.labels(config.labels, [...itemPath, 'labels'], 'static config labels');
    });
  }

  kubernetesSd(value: unknown, path: ObjectPath): void {
    this.list(value, path, 'kubernetes_sd_configs').forEach((item: unknown, index) => {
      const itemPath = [...path, index];
      const config = this.mapping(item, itemPath, 'a kubernetes_sd_config');
      if (!config) return;
      checkKnownKeys(
        this.out,
        config,
        kubernetesSdKeys,
        itemPath,
        code('unknown-field'),
        'a kubernetes_sd_config',
      );
      this.httpClient(config, itemPath);
      const role = config.role;
      if (typeof role !== 'string' || !(kubernetesRoles as readonly string[]).includes(role)) {
        const suggestion = typeof role === 'string' ? closest(role, kubernetesRoles) : undefined;
        this.out.add({
          code: code('invalid-kubernetes-role'),
          message:
            role === undefined
              ? 'role missing (one of: pod, service, endpoints, endpointslice, node, ingress)'
              : `unknown Kubernetes SD role ${describe(role)}`,
          path: [...itemPath, 'role'],
          hint: `${suggestion ? `did you mean \`${suggestion}\`? ` : ''}roles: ${kubernetesRoles.join(', ')}`,
        });
      }
      if (config.api_server !== undefined && config.kubeconfig_file !== undefined)
        this.out.add({
          code: code('conflicting-fields'),
          message: "cannot use 'kubeconfig_file' and 'api_server' simultaneously",
          path: [...itemPath, 'kubeconfig_file'],
          at: 'key',
        });
      const namespaces = this.mapping(config.namespaces, [...itemPath, 'namespaces'], 'namespaces');
      if (namespaces) {
        checkKnownKeys(
          this.out,
          namespaces,
          new Set(['names', 'own_namespace']),
          [...itemPath, 'namespaces'],
          code('unknown-field'),
          'namespaces',
        );
        this.list(
          namespaces.names,
          [...itemPath, 'namespaces', 'names'],
          'namespaces.names',
        ).forEach((name: unknown, nameIndex) => {
          if (typeof name !== 'string' || name === '')
            this.out.add({
              code: code('invalid-type'),
              message: `a namespace name must be a non-empty string, not ${describe(name)}`,
              path: [...itemPath, 'namespaces', 'names', nameIndex],
            });
        });
      }
      this.list(config.selectors, [...itemPath, 'selectors'], 'selectors').forEach(
        (selector: unknown, selectorIndex) => {
          const selectorPath = [...itemPath, 'selectors', selectorIndex];
          const entry = this.mapping(selector, selectorPath, 'a selector');
          if (!entry) return;
          checkKnownKeys(
            this.out,
            entry,
            new Set(['role', 'label', 'field']),
            selectorPath,
            code('unknown-field'),
            'a selector',
          );
          if (
            typeof entry.role !== 'string' ||
            !(kubernetesRoles as readonly string[]).includes(entry.role)
          )
            this.out.add({
              code: code('invalid-kubernetes-role'),
              message: `unknown selector role ${describe(entry.role)}`,
              path: [...selectorPath, 'role'],
              hint: `roles: ${kubernetesRoles.join(', ')}`,
            });
        },
      );
    });
  }

  fileSd(value: unknown, path: ObjectPath): void {
    this.list(value, path, 'file_sd_configs').forEach((item: unknown, index) => {
      const itemPath = [...path, index];
      const config = this.mapping(item, itemPath, 'a file_sd_config');
      if (!config) return;
      checkKnownKeys(
        this.out,
        config,
        fileSdKeys,
        itemPath,
        code('unknown-field'),
        'a file_sd_config',
      );
      this.duration(config, 'refresh_interval', itemPath);
      this.list(config.files, [...itemPath, 'files'], 'files').forEach(
        (file: unknown, fileIndex) => {
          if (typeof file !== 'string' || !/\.(?:json|ya?ml)$/.test(file))
            this.out.add({
              code: code('invalid-file-sd-path'),
              message: `path name ${describe(file)} is not valid for file discovery`,
              path: [...itemPath, 'files', fileIndex],
              hint: 'file_sd files end in .json, .yml or .yaml (globs allowed in the last path element)',
            });
        },
      );
    });
  }

  discovery(object: Record<string, unknown>, path: ObjectPath, checkTargets: boolean): void {
    this.staticConfigs(object.static_configs, [...path, 'static_configs'], checkTargets);
    this.kubernetesSd(object.kubernetes_sd_configs, [...path, 'kubernetes_sd_configs']);
    this.fileSd(object.file_sd_configs, [...path, 'file_sd_configs']);
    for (const key of serviceDiscoveryKeys)
      if (!['static_configs', 'kubernetes_sd_configs', 'file_sd_configs'].includes(key))
        this.list(object[key], [...path, key], key);
  }
}
