/**
 * The shapes PromQL parsing hands out (result, error, options, label matchers) and the lezer
 * tree types the checker walks. Types only, so every PromQL module can share them.
 */
import type { parser } from '@prometheus-io/lezer-promql';
import type { ValueType } from './promql-functions.js';

export type { ValueType } from './promql-functions.js';

export type PromqlTree = ReturnType<typeof parser.parse>;
export type SyntaxNode = PromqlTree['topNode'];

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  label: string;
  op: MatchOperator;
  value: string;
  /** The metric name of the selector the matcher belongs to, when it names one. */
  metric?: string;
}

export interface PromqlError {
  message: string;
  /** 0-based offset into the expression. */
  offset: number;
  /** The finding code this error maps to: `promql/syntax`, `promql/unknown-function`, ... */
  code: string;
  hint?: string;
}

export type PromqlParseResult =
  | {
      ok: true;
      tree: PromqlTree;
      /** Metric names from selectors and `__name__="..."` matchers, sorted, unique. */
      metrics: string[];
      /** Every label matcher of every selector, in order of appearance. */
      matchers: LabelMatcher[];
      /** Type of the whole expression. */
      type: ValueType;
    }
  | { ok: false; error: PromqlError };

export interface PromqlOptions {
  /** Check function argument types and operator operands (default true). */
  typeCheck?: boolean;
  /**
   * Types the whole expression may have. Rules and Grafana range queries need an instant
   * vector or a scalar: Prometheus rejects anything else when it evaluates them.
   */
  resultTypes?: readonly ValueType[];
  /** What the result is used for, in the message of a wrong result type. */
  resultContext?: string;
  /**
   * `legacy` (default): names as Prometheus 2.x and promtool 2.42 read them, so a quoted name in
   * braces or a grouping list (`{"a.b"}`, `by ("a.b")`) is an error; `utf8`: Prometheus 3 takes them.
   */
  nameValidation?: 'legacy' | 'utf8';
}
