/**
 * The team's rule files (`prometheus.additionalRuleFiles`, read and checked by
 * config/resolve-rules.ts) as the stack ships them: each under its key in the rules ConfigMap,
 * beside ours, so Prometheus loads it from its config folder; each promtool test beside its rule
 * file in the overlay (outside the ConfigMap, like ours), where `validate --rule-tests` runs it.
 * The text is the team's own, comments included, under a line saying where it comes from. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import { prometheusComponent } from './components.js';

export interface ShippedRuleFile {
  /** Key in the rules ConfigMap, and file name in overlays/<env>/prometheus/. */
  key: string;
  text: string;
  /** The promtool test shipped beside it, if the team wrote one. */
  test: { key: string; text: string } | undefined;
}

function copiedFrom(path: string): string {
  return `# Copied by gitops-gen from ${path} in the environments folder: edit that file, then run \`gitops-gen render\`.\n`;
}

export function buildUserRuleFiles(environment: EnvironmentConfig): ShippedRuleFile[] {
  return environment.prometheus.additionalRuleFiles.map((file) => ({
    key: file.key,
    text: copiedFrom(file.path) + file.text,
    test: file.test && { key: file.test.key, text: copiedFrom(file.test.path) + file.test.text },
  }));
}

/** Where Prometheus reads the team's rule files: `rule_files` entries after ours. */
export function userRuleFilePaths(environment: EnvironmentConfig): string[] {
  return environment.prometheus.additionalRuleFiles.map(
    (file) => `${prometheusComponent.configDir}/${file.key}`,
  );
}
