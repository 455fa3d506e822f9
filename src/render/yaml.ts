/**
 * Deterministic YAML and JSON text for everything gitops-gen writes. Objects keep the key order
 * they were built in (apiVersion, kind, metadata first, like cdk8s), lines are never folded, and
 * every string that any YAML reader could take for something else is quoted: Kubernetes reads
 * YAML 1.1 (`yes`, `on`, `0644` are not strings there) while most tools read YAML 1.2. Pure.
 */
import { Document, visit } from 'yaml';

/** A string that YAML 1.2 (but not 1.1) reads as a number. */
const yaml12OnlyNumber = /^[-+]?0o[0-7]+$/;

function yamlBody(value: unknown): string {
  // Serialising with the 1.1 schema quotes 1.1's booleans, octals, timestamps and sexagesimals.
  // Shared objects are written out in full: anchors and aliases confuse readers and tools.
  const document = new Document(value, { version: '1.1', aliasDuplicateObjects: false });
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && yaml12OnlyNumber.test(node.value)) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  return document.toString({ lineWidth: 0, indentSeq: true });
}

/** Comment lines for the top of a generated file. */
export function headerComment(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '#\n' : `# ${line}\n`)).join('');
}

/** One YAML document, preceded by a comment header. */
export function toYamlFile(header: readonly string[], value: unknown): string {
  return headerComment(header) + yamlBody(value);
}

/** Several YAML documents in one file, separated by `---`. */
export function toYamlStream(header: readonly string[], values: readonly unknown[]): string {
  return headerComment(header) + values.map((value) => `---\n${yamlBody(value)}`).join('');
}

/** Pretty JSON with a final newline (JSON has no comments, so no header). */
export function toJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
