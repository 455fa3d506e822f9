/**
 * Where Grafana's admin user and password come from (grafana.adminCredentials): a Secret the
 * team creates, External Secrets, Sealed Secrets, or (dev tier only) a generated Secret whose
 * password would sit in Git. Split from resolve.ts. Pure.
 */
import type { AdminCredentials, EnvironmentConfig } from './environment.js';
import { report, type ResolveContext } from './resolve-context.js';
import type { EnvironmentFile } from './schema.js';

export function resolveAdminCredentials(
  defaults: AdminCredentials,
  input: NonNullable<EnvironmentFile['grafana']>['adminCredentials'],
  tier: EnvironmentConfig['tier'],
  context: ResolveContext,
): AdminCredentials {
  const keyPath = ['grafana', 'adminCredentials'];
  const reference = {
    secretName: input?.secretName ?? defaults.secretName,
    userKey: input?.userKey ?? defaults.userKey,
    passwordKey: input?.passwordKey ?? defaults.passwordKey,
  };
  const source = input?.source ?? defaults.source;
  if (input?.externalSecret && source !== 'externalSecret') {
    report(
      context,
      [...keyPath, 'externalSecret'],
      'config/unused-secret-source',
      '`externalSecret` is set but `source` is not externalSecret',
      'set `source: externalSecret` or remove this block',
    );
  }
  if (input?.sealedSecret && source !== 'sealedSecret') {
    report(
      context,
      [...keyPath, 'sealedSecret'],
      'config/unused-secret-source',
      '`sealedSecret` is set but `source` is not sealedSecret',
      'set `source: sealedSecret` or remove this block',
    );
  }
  switch (source) {
    case 'generated':
      if (tier !== 'dev') {
        report(
          context,
          [...keyPath, 'source'],
          'config/plaintext-secret',
          `a generated Grafana password would be committed in plaintext, which only the dev tier allows (this is ${tier})`,
          'use `source: existingSecret`, `externalSecret` or `sealedSecret`',
        );
      }
      return { source, ...reference };
    case 'existingSecret':
      return { source, ...reference };
    case 'externalSecret': {
      const external = input?.externalSecret;
      if (!external) {
        report(
          context,
          [...keyPath, 'source'],
          'config/missing-key',
          'source externalSecret needs an `externalSecret` block',
          'add `externalSecret: {storeName: ..., remoteKey: ...}`',
        );
        return { source: 'existingSecret', ...reference };
      }
      return {
        source,
        ...reference,
        externalSecret: {
          storeName: external.storeName,
          storeKind: external.storeKind ?? 'ClusterSecretStore',
          remoteKey: external.remoteKey,
          refreshInterval: external.refreshInterval ?? '1h',
        },
      };
    }
    case 'sealedSecret': {
      const sealed = input?.sealedSecret;
      if (!sealed) {
        report(
          context,
          [...keyPath, 'source'],
          'config/missing-key',
          'source sealedSecret needs a `sealedSecret` block',
          'add `sealedSecret: {encryptedUser: ..., encryptedPassword: ...}` (from kubeseal)',
        );
        return { source: 'existingSecret', ...reference };
      }
      return { source, ...reference, sealedSecret: { ...sealed } };
    }
  }
}
