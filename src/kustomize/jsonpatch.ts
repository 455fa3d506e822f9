/**
 * RFC 6902 JSON patch with the semantics of evanphx/json-patch v4, the library Kustomize uses:
 * `replace` of a missing map key adds it, negative list indexes count from the end, a null
 * on the way is a missing path.
 */
import {
  KustomizeError,
  clone,
  deepEqual,
  deleteKey,
  hasOwn,
  isNullish,
  isRecord,
  scalarText,
} from './values.js';

export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
  hasValue: boolean;
}

/** Reads operations from the parsed patch document (a list of maps). */
export function decodeJsonPatch(value: unknown): JsonPatchOperation[] {
  if (!Array.isArray(value)) throw new KustomizeError('a JSON patch is a list of operations');
  return value.map((item, index) => {
    if (!isRecord(item)) throw new KustomizeError(`JSON patch operation ${index} is not a mapping`);
    const op = scalarText(item.op);
    if (!op) throw new KustomizeError(`JSON patch operation ${index} has no op`);
    return {
      op,
      path: scalarText(item.path),
      ...(hasOwn(item, 'from') ? { from: scalarText(item.from) } : {}),
      value: item.value,
      hasValue: hasOwn(item, 'value'),
    };
  });
}

type Container = Record<string, unknown> | unknown[];

function decodeKey(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** The container holding the last token of `path`, and that token. */
function findObject(doc: unknown, path: string): [Container, string] | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let current = doc;
  for (const raw of split.slice(1, -1)) {
    const next = get(current, decodeKey(raw));
    if (isNullish(next) || !(isRecord(next) || Array.isArray(next))) return undefined;
    current = next;
  }
  if (!isRecord(current) && !Array.isArray(current)) return undefined;
  return [current, decodeKey(split[split.length - 1] ?? '')];
}

function arrayIndex(array: readonly unknown[], key: string, size = array.length): number {
  if (!/^-?\d+$/.test(key)) {
    throw new KustomizeError(`value was not a proper array index: '${key}'`);
  }
  let index = Number(key);
  if (index < 0) {
    if (index < -size) throw new KustomizeError(`Unable to access invalid index: ${index}`);
    index += size;
  }
  return index;
}

function get(container: unknown, key: string): unknown {
  if (Array.isArray(container)) {
    if (!/^-?\d+$/.test(key)) return undefined;
    const index = arrayIndex(container, key);
    return index < container.length ? container[index] : undefined;
  }
  return isRecord(container) && hasOwn(container, key) ? container[key] : undefined;
}

function add(container: Container, key: string, value: unknown): void {
  if (!Array.isArray(container)) {
    container[key] = value;
    return;
  }
  if (key === '-') {
    container.push(value);
    return;
  }
  const size = container.length + 1;
  const index = arrayIndex(container, key, size);
  if (index >= size) throw new KustomizeError(`Unable to access invalid index: ${index}`);
  container.splice(index, 0, value);
}

function remove(container: Container, key: string, path: string): unknown {
  if (!Array.isArray(container)) {
    if (!hasOwn(container, key)) {
      throw new KustomizeError(
        `error in remove for path: '${path}': Unable to remove nonexistent key: ${key}`,
      );
    }
    const removed = container[key];
    deleteKey(container, key);
    return removed;
  }
  const index = arrayIndex(container, key);
  if (index >= container.length) {
    throw new KustomizeError(
      `error in remove for path: '${path}': Unable to access invalid index: ${index}`,
    );
  }
  return container.splice(index, 1)[0];
}

function missing(operation: string, path: string): KustomizeError {
  return new KustomizeError(`${operation} operation does not apply: doc is missing path: ${path}`);
}

/** Applies the operations to a document; returns the new document. */
export function applyJsonPatch(
  document: unknown,
  operations: readonly JsonPatchOperation[],
): unknown {
  let doc = document;
  for (const operation of operations) {
    const value = operation.hasValue ? clone(operation.value) : null;
    switch (operation.op) {
      case 'add': {
        const found = findObject(doc, operation.path);
        if (!found) throw missing('add', operation.path);
        add(found[0], found[1], value);
        break;
      }
      case 'remove': {
        const found = findObject(doc, operation.path);
        if (!found) throw missing('remove', operation.path);
        remove(found[0], found[1], operation.path);
        break;
      }
      case 'replace': {
        if (operation.path === '') {
          if (!isRecord(value) && !Array.isArray(value)) {
            throw new KustomizeError('replace operation value must be object or array');
          }
          doc = value;
          break;
        }
        const found = findObject(doc, operation.path);
        if (!found) throw missing('replace', operation.path);
        const [container, key] = found;
        if (Array.isArray(container)) {
          const index = arrayIndex(container, key);
          if (index >= container.length) {
            throw new KustomizeError(
              `replace operation does not apply: doc is missing key: ${operation.path}`,
            );
          }
          container[index] = value;
        } else container[key] = value;
        break;
      }
      case 'move':
      case 'copy': {
        const from = operation.from ?? '';
        const source = findObject(doc, from);
        if (!source) throw missing(operation.op, from);
        const current = get(source[0], source[1]);
        if (current === undefined && !(isRecord(source[0]) && hasOwn(source[0], source[1]))) {
          throw new KustomizeError(
            `${operation.op} operation does not apply: doc is missing from path: ${from}`,
          );
        }
        const moved = operation.op === 'move' ? remove(source[0], source[1], from) : clone(current);
        const target = findObject(doc, operation.path);
        if (!target) throw missing(operation.op, operation.path);
        add(target[0], target[1], moved);
        break;
      }
      case 'test': {
        const found = findObject(doc, operation.path);
        if (!found) throw missing('test', operation.path);
        const current = get(found[0], found[1]);
        const same = isNullish(current) ? isNullish(value) : deepEqual(current, value);
        if (!same) throw new KustomizeError(`testing value ${operation.path} failed: test failed`);
        break;
      }
      default:
        throw new KustomizeError(`Unexpected kind: ${operation.op}`);
    }
  }
  return doc;
}
