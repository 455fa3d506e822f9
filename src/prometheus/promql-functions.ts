/**
 * PromQL's functions and aggregation operators with their argument and result types, as in
 * Prometheus' `promql/parser/functions.go`, for the Prometheus v3.5 LTS line the stack runs.
 * Functions the lezer grammar knows but v3.5 only accepts behind a feature flag are marked
 * experimental. Pure data.
 */

export type ValueType = 'vector' | 'matrix' | 'scalar' | 'string';

export interface FunctionSignature {
  args: readonly ValueType[];
  /** 0: exactly `args`; n > 0: up to n more of the last type (or that one optional); -1: any number. */
  variadic: number;
  returns: ValueType;
  /** Rejected by Prometheus v3.5 unless `--enable-feature=promql-experimental-functions`. */
  experimental?: boolean;
}

const v = 'vector' as const;
const m = 'matrix' as const;
const s = 'scalar' as const;
const str = 'string' as const;

const fn = (
  args: readonly ValueType[],
  returns: ValueType = v,
  variadic = 0,
  experimental = false,
): FunctionSignature => ({ args, returns, variadic, ...(experimental ? { experimental } : {}) });

const vectorFn = fn([v]);
const rangeFn = fn([m]);
const dateFn = fn([v], v, 1);

export const promqlFunctions: Readonly<Record<string, FunctionSignature>> = {
  abs: vectorFn,
  absent: vectorFn,
  absent_over_time: rangeFn,
  acos: vectorFn,
  acosh: vectorFn,
  asin: vectorFn,
  asinh: vectorFn,
  atan: vectorFn,
  atanh: vectorFn,
  avg_over_time: rangeFn,
  ceil: vectorFn,
  changes: rangeFn,
  clamp: fn([v, s, s]),
  clamp_max: fn([v, s]),
  clamp_min: fn([v, s]),
  cos: vectorFn,
  cosh: vectorFn,
  count_over_time: rangeFn,
  days_in_month: dateFn,
  day_of_month: dateFn,
  day_of_week: dateFn,
  day_of_year: dateFn,
  deg: vectorFn,
  delta: rangeFn,
  deriv: rangeFn,
  double_exponential_smoothing: fn([m, s, s], v, 0, true),
  end: fn([], s, 0, true),
  exp: vectorFn,
  first_over_time: fn([m], v, 0, true),
  floor: vectorFn,
  histogram_avg: vectorFn,
  histogram_count: vectorFn,
  histogram_fraction: fn([s, s, v]),
  histogram_quantile: fn([s, v]),
  histogram_quantiles: fn([v, str, s, s], v, 9, true),
  histogram_stddev: vectorFn,
  histogram_stdvar: vectorFn,
  histogram_sum: vectorFn,
  hour: dateFn,
  idelta: rangeFn,
  increase: rangeFn,
  info: fn([v, v], v, 1, true),
  irate: rangeFn,
  label_join: fn([v, str, str, str], v, -1),
  label_replace: fn([v, str, str, str, str]),
  last_over_time: rangeFn,
  ln: vectorFn,
  log10: vectorFn,
  log2: vectorFn,
  mad_over_time: fn([m], v, 0, true),
  max_over_time: rangeFn,
  min_over_time: rangeFn,
  minute: dateFn,
  month: dateFn,
  pi: fn([], s),
  predict_linear: fn([m, s]),
  present_over_time: rangeFn,
  quantile_over_time: fn([s, m]),
  rad: vectorFn,
  range: fn([], s, 0, true),
  rate: rangeFn,
  resets: rangeFn,
  round: fn([v, s], v, 1),
  scalar: fn([v], s),
  sgn: vectorFn,
  sin: vectorFn,
  sinh: vectorFn,
  sort: vectorFn,
  sort_by_label: fn([v, str], v, -1, true),
  sort_by_label_desc: fn([v, str], v, -1, true),
  sort_desc: vectorFn,
  sqrt: vectorFn,
  start: fn([], s, 0, true),
  start_timestamp: fn([v], v, 0, true),
  stddev_over_time: rangeFn,
  stdvar_over_time: rangeFn,
  step: fn([], s, 0, true),
  sum_over_time: rangeFn,
  tan: vectorFn,
  tanh: vectorFn,
  time: fn([], s),
  timestamp: vectorFn,
  ts_of_first_over_time: fn([m], v, 0, true),
  ts_of_last_over_time: fn([m], v, 0, true),
  ts_of_max_over_time: fn([m], v, 0, true),
  ts_of_min_over_time: fn([m], v, 0, true),
  vector: fn([s]),
  year: dateFn,
};

export interface AggregationSignature {
  /** Type of the parameter before the expression, for topk(k, v) and friends. */
  parameter?: ValueType;
  experimental?: boolean;
}

export const promqlAggregations: Readonly<Record<string, AggregationSignature>> = {
  avg: {},
  bottomk: { parameter: s },
  count: {},
  count_values: { parameter: str },
  group: {},
  limitk: { parameter: s, experimental: true },
  limit_ratio: { parameter: s, experimental: true },
  max: {},
  min: {},
  quantile: { parameter: s },
  stddev: {},
  stdvar: {},
  sum: {},
  topk: { parameter: s },
};

/** Functions removed or renamed, with what to use instead. */
export const removedFunctions: Readonly<Record<string, string>> = {
  holt_winters:
    'Prometheus 3 renamed holt_winters to double_exponential_smoothing (experimental: needs --enable-feature=promql-experimental-functions)',
};

export const documentedType: Record<ValueType, string> = {
  vector: 'instant vector',
  matrix: 'range vector',
  scalar: 'scalar',
  string: 'string',
};
