/**
 * Loads the CommonJS modules the build writes into generated/ (precompiled ajv validators):
 * through the launcher's loader when bin/gitops-gen.js put one on globalThis (it uses V8's code
 * cache and skips module resolution), else with Node's require.
 */
import { createRequire } from 'node:module';

const nodeRequire = createRequire(import.meta.url);

export function requirePrecompiled(file: string): unknown {
  const launcherLoader: unknown = Reflect.get(globalThis, Symbol.for('gitops-gen.loadCommonJs'));
  if (typeof launcherLoader === 'function') {
    return (launcherLoader as (file: string) => unknown)(file);
  }
  return nodeRequire(file);
}

/** A short, stable digest of a value's JSON (FNV-1a), to tell a stale generated module. */
export function jsonDigest(value: unknown): string {
  const text = JSON.stringify(value);
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
