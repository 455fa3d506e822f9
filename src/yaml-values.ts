/**
 * The value of a parsed `yaml` document without the exceptions of `Document.toJS()`: the yaml
 * package reports an alias to an anchor that is not defined before it, a merge key (`<<`) given
 * something other than a mapping, and aliases that expand beyond `maxAliasCount` (a "billion
 * laughs" document) by throwing while converting, not in `doc.errors`; and it converts an alias
 * inside the node it refers to (`a: &a [*a]`) into a cyclic value that every recursive walk
 * overflows on. All four are problems of the input, reported like a syntax error (go-yaml, and
 * so kubectl, refuses them too). Pure.
 */
import { isAlias, visit, type Document, type ToJSOptions } from 'yaml';

export type YamlValue =
  | { ok: true; value: unknown }
  /** `offset`: where in the text the problem is, when known. */
  | { ok: false; message: string; offset: number | undefined };

/** Whether a JavaScript value refers to itself (through a cycle of arrays and objects). */
export function hasCycle(root: unknown): boolean {
  if (typeof root !== 'object' || root === null) return false;
  const onPath = new Set<object>();
  const finished = new Set<object>();
  const stack: { node: object; children: Iterator<unknown> }[] = [];
  const enter = (node: object): void => {
    onPath.add(node);
    stack.push({ node, children: Object.values(node).values() });
  };
  enter(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (!top) break;
    const next = top.children.next();
    if (next.done === true) {
      onPath.delete(top.node);
      finished.add(top.node);
      stack.pop();
      continue;
    }
    const child: unknown = next.value;
    if (typeof child !== 'object' || child === null || finished.has(child)) continue;
    if (onPath.has(child)) return true;
    enter(child);
  }
  return false;
}

/** The first alias that refers to no anchor before it, or to a node that contains it. */
function badAlias(doc: Document): { message: string; offset: number | undefined } | undefined {
  let found: { message: string; offset: number | undefined } | undefined;
  visit(doc, {
    Alias(_key, alias, path) {
      const source = alias.resolve(doc);
      const offset = alias.range?.[0];
      if (source === undefined) {
        found = {
          message: `alias *${alias.source} has no anchor &${alias.source} before it`,
          offset,
        };
      } else if (path.includes(source)) {
        found = {
          message: `alias *${alias.source} refers to a node that contains it (the value would be infinite)`,
          offset,
        };
      }
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

function firstMergeKey(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Pair(_key, pair) {
      // With `merge`, the key is a Scalar whose value is a symbol and whose source is `<<`.
      const key = pair.key as { source?: unknown; range?: [number, number, number] } | null;
      if (key && !isAlias(key) && key.source === '<<') {
        offset = key.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
}

/**
 * `doc.toJS(options)`, or why the document has no value. `mayHaveAnchors`: whether the text has
 * an `&` at all; only then can the value be cyclic, which takes a walk of the value to find.
 */
export function toJsChecked(
  doc: Document,
  mayHaveAnchors: boolean,
  options?: ToJSOptions,
): YamlValue {
  let value: unknown;
  try {
    value = doc.toJS(options);
  } catch (error) {
    const bad = badAlias(doc);
    if (bad) return { ok: false, ...bad };
    const message = error instanceof Error ? error.message : String(error);
    const start = doc.contents?.range?.[0];
    if (/merge sources/i.test(message)) {
      return {
        ok: false,
        message: 'a merge key (<<) takes a mapping, an alias of one, or a list of them',
        offset: firstMergeKey(doc) ?? start,
      };
    }
    if (/alias count/i.test(message)) {
      return {
        ok: false,
        message: 'the aliases expand to too many nodes (a resource exhaustion attack?)',
        offset: start,
      };
    }
    return { ok: false, message, offset: start };
  }
  if (mayHaveAnchors && hasCycle(value)) {
    const bad = badAlias(doc);
    return {
      ok: false,
      message: bad?.message ?? 'an alias refers to a node that contains it',
      offset: bad?.offset ?? doc.contents?.range?.[0],
    };
  }
  return { ok: true, value };
}
