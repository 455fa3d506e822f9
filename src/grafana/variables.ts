/**
 * Grafana template variables in Prometheus queries (`$namespace`, `${namespace:regex}`,
 * `[[namespace]]`, `$__rate_interval`, ...): replaced by stand-ins that keep the PromQL valid
 * in their position (a word inside quotes, a duration inside `[...]` and after `offset`, a
 * number or an identifier elsewhere), so the query can be parsed the way Prometheus would see
 * it after Grafana's interpolation. Pure.
 */

export interface DashboardVariable {
  name: string;
  type: string;
  /** The current value, when the dashboard stores one. */
  current?: string;
}

/** Variables Grafana defines itself; the numeric ones stand for numbers, the rest for durations. */
const builtinDurations = new Set(['__interval', '__rate_interval', '__range']);
const builtinNumbers = new Set([
  '__interval_ms',
  '__rate_interval_ms',
  '__range_s',
  '__range_ms',
  '__from',
  '__to',
]);
const builtinOthers = new Set(['__dashboard', '__name', '__org', '__user', '__timezone']);

export function isBuiltinVariable(name: string): boolean {
  return builtinDurations.has(name) || builtinNumbers.has(name) || builtinOthers.has(name);
}

export interface Substitution {
  text: string;
  /** Names used that are neither built in nor defined by the dashboard. */
  undefinedVariables: { name: string; offset: number }[];
  /** True when a variable stood for something other than a string, duration or number. */
  untyped: boolean;
  /** Offset in `expr` of every offset in `text` (one more entry for the end). */
  originalOffsets: number[];
}

const variablePattern = /^(?:\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\])/;

/** Replaces every Grafana variable in `expr` by a stand-in valid at its position. */
export function substituteVariables(
  expr: string,
  variables: ReadonlyMap<string, DashboardVariable>,
): Substitution {
  let text = '';
  let quote: string | undefined;
  let bracketDepth = 0;
  let untyped = false;
  const undefinedVariables: Substitution['undefinedVariables'] = [];
  const originalOffsets: number[] = [];
  let index = 0;
  const emit = (chunk: string, from: number): void => {
    text += chunk;
    for (let i = 0; i < chunk.length; i++) originalOffsets.push(from);
  };
  while (index < expr.length) {
    const c = expr[index] ?? '';
    const match =
      c === '$' || expr.startsWith('[[', index) ? variablePattern.exec(expr.slice(index)) : null;
    if (match) {
      const name = match[1] ?? match[2] ?? match[3] ?? '';
      const variable = variables.get(name);
      if (!variable && !isBuiltinVariable(name)) undefinedVariables.push({ name, offset: index });
      const afterOffset = /\boffset\s*$/i.test(text);
      let standIn: string;
      if (quote !== undefined) standIn = 'x';
      else if (
        bracketDepth > 0 ||
        afterOffset ||
        builtinDurations.has(name) ||
        variable?.type === 'interval'
      )
        standIn = '5m';
      else if (builtinNumbers.has(name)) standIn = '300';
      else if (variable?.current !== undefined && /^-?\d+(?:\.\d+)?$/.test(variable.current))
        standIn = variable.current;
      else {
        standIn = `grafana_var_${name}`;
        untyped = true;
      }
      emit(standIn, index);
      index += match[0].length;
      continue;
    }
    if (quote !== undefined) {
      if (c === '\\' && quote !== '`') {
        emit(expr.slice(index, index + 1), index);
        emit(expr.slice(index + 1, index + 2), index + 1);
        index += 2;
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
    } else if (c === '[') {
      bracketDepth++;
    } else if (c === ']') {
      bracketDepth = Math.max(0, bracketDepth - 1);
    }
    emit(c, index);
    index++;
  }
  originalOffsets.push(expr.length);
  return { text, undefinedVariables, untyped, originalOffsets };
}
