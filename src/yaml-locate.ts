/**
 * Finds where a key path lives in a parsed YAML document, so that a problem found in plain
 * data can point back at its line and column. Shared by the config and validate stages. Pure.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';

/**
 * Offset of the value at `path` (or of its key, when `at` is 'key'); falls back to the closest
 * existing ancestor (its key, when `at` is 'key') so that every problem gets a position.
 */
export function offsetOfPath(
  contents: Node | null | undefined,
  path: readonly (string | number)[],
  at: 'key' | 'value' = 'value',
): number | undefined {
  let node: Node | null | undefined = contents;
  let best = node?.range?.[0];
  let bestKey: number | undefined;
  const fallback = (): number | undefined => (at === 'key' ? (bestKey ?? best) : best);
  for (const [index, segment] of path.entries()) {
    const isLast = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return fallback();
      const keyNode = isScalar(pair.key) ? pair.key : undefined;
      if (isLast && at === 'key' && keyNode?.range) return keyNode.range[0];
      const value = pair.value as Node | null;
      best = value?.range?.[0] ?? keyNode?.range?.[0] ?? best;
      bestKey = keyNode?.range?.[0] ?? bestKey;
      node = value;
    } else if (isSeq(node) && /^\d+$/.test(String(segment))) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) return fallback();
      best = item.range?.[0] ?? best;
      bestKey = best;
      node = item;
    } else {
      return fallback();
    }
  }
  return best;
}
