/** Environments for the stack tests: the built-in ones, or one resolved from file text. */
import {
  builtInEnvironments,
  resolveEnvironmentSources,
  type EnvironmentConfig,
} from '../../src/config/index.js';

/** dev, staging and prod with every default, as `render` uses them without a config folder. */
export const builtIn: readonly EnvironmentConfig[] = builtInEnvironments();

/** Resolves `environments/<name>.yaml` holding `text`, as if read from a config folder. */
export function environmentFromFile(name: string, text: string): EnvironmentConfig {
  const [environment] = resolveEnvironmentSources([
    { file: `environments/${name}.yaml`, name, text },
  ]);
  if (!environment) throw new Error(`environment ${name} did not resolve`);
  return environment;
}

/** Prometheus regexes are fully anchored; this is how Prometheus applies a relabel `regex`. */
export function prometheusRegex(regex: string): RegExp {
  return new RegExp(`^(?:${regex})$`);
}
