/**
 * Walking plain Kubernetes objects: type guards, the paths where pod specs live in each
 * workload kind, and a small path pattern matcher (`*` for every list item). Pure.
 */
import type { Path } from './documents.js';

export type Json = Record<string, unknown>;

export const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Kinds whose pod template lives at a fixed path. */
export const podSpecPaths: Readonly<Record<string, Path>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Every (path, value) under `base` that `pattern` reaches; `*` walks every list item. */
export function reach(value: unknown, pattern: Path, base: Path = []): [Path, unknown][] {
  if (pattern.length === 0) return value === undefined ? [] : [[base, value]];
  const [head, ...rest] = pattern;
  if (head === '*') {
    return asArray(value).flatMap((item, index) => reach(item, rest, [...base, index]));
  }
  if (typeof head === 'number') {
    return Array.isArray(value) ? reach(value[head], rest, [...base, head]) : [];
  }
  if (!isRecord(value) || head === undefined) return [];
  return reach(value[head], rest, [...base, head]);
}

/** The containers and init containers of a workload, with their paths. */
export function containersOf(
  kind: string,
  object: Json,
): { path: Path; container: Json; init: boolean }[] {
  const podPath = podSpecPaths[kind];
  if (!podPath) return [];
  const pod = reach(object, podPath)[0]?.[1];
  if (!isRecord(pod)) return [];
  return (['initContainers', 'containers'] as const).flatMap((list) =>
    asArray(pod[list]).flatMap((container, index) =>
      isRecord(container)
        ? [{ path: [...podPath, list, index], container, init: list === 'initContainers' }]
        : [],
    ),
  );
}
