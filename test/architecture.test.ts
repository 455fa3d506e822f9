/**
 * The shape of src/ (docs/design.md): no import cycle, type-only imports included (ESLint's
 * import-x/no-cycle sees only imports that survive compilation), engines that import no stage,
 * shared modules that import no folder, and a validate stage that stays a pipeline rather than a
 * home for engines. Imports are read with TypeScript's own pre-processor.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const source = resolve(import.meta.dirname, '..', 'src');
const stages = ['config', 'stack', 'render', 'validate', 'publish', 'cli'];
const engines = ['kustomize', 'prometheus', 'grafana'];

function typescriptFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module of src/ (relative path) -> the modules of src/ it imports, types included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of typescriptFiles(source)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, '.ts'))
      .filter((target) => existsSync(target))
      .map((target) => relative(source, target));
    graph.set(relative(source, file), [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one module, or a module importing itself. */
function cycles(graph: Map<string, string[]>): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (module: string): void => {
    order.set(module, order.size);
    low.set(module, order.get(module) ?? 0);
    stack.push(module);
    onStack.add(module);
    for (const next of graph.get(module) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(module, Math.min(low.get(module) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(module, Math.min(low.get(module) ?? 0, order.get(next) ?? 0));
      }
    }
    if (low.get(module) !== order.get(module)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === module) break;
    }
    if (component.length > 1 || (graph.get(module) ?? []).includes(module)) found.push(component);
  };
  for (const module of graph.keys()) if (!order.has(module)) visit(module);
  return found;
}

const folderOf = (module: string): string =>
  module.includes('/') ? (module.split('/')[0] ?? '') : '';
const lines = (modules: readonly string[]): number =>
  modules.reduce(
    (sum, module) => sum + readFileSync(join(source, module), 'utf8').split('\n').length,
    0,
  );

describe('the shape of src/', () => {
  const graph = importGraph();

  it('has no import cycle, type-only imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check bites)', () => {
    const withCycle = new Map(graph);
    withCycle.set('findings.ts', ['validate/findings.ts']);
    expect(cycles(withCycle).some((cycle) => cycle.includes('findings.ts'))).toBe(true);
  });

  it('keeps engines free of stages and shared modules free of folders', () => {
    const offending = [...graph].flatMap(([module, targets]) => {
      const from = folderOf(module);
      const forbidden = engines.includes(from)
        ? stages
        : from === '' && module !== 'index.ts'
          ? [...stages, ...engines]
          : [];
      return targets
        .filter((target) => forbidden.includes(folderOf(target)))
        .map((target) => `${module} -> ${target}`);
    });
    expect(offending).toEqual([]);
  });

  it('keeps validate/ a pipeline: under a third of the lines, no engine folder inside', () => {
    const modules = [...graph.keys()];
    const validateLines = lines(modules.filter((module) => folderOf(module) === 'validate'));
    expect(validateLines / lines(modules)).toBeLessThan(1 / 3);
    const folders = readdirSync(join(source, 'validate'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => engines.includes(folder))).toEqual([]);
    for (const engine of engines) expect(existsSync(join(source, engine, 'index.ts'))).toBe(true);
  });
});
