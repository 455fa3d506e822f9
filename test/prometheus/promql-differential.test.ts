/**
 * Differential: our PromQL parser against the real promtool (issue 14, point 10). The table holds
 * expressions chosen from Prometheus' own parser tests (promql/parser/parse_test.go and
 * lex_test.go of v2.42.0, v3.5.0 and main) and edge cases of our own: numbers with a trailing
 * dot, hex and octal, underscores, Inf and NaN in any case, overflowing literals, `@` with
 * Inf, NaN, out-of-range and preprocessor timestamps, durations (`1h30m`, out of order, out of
 * range, zero), `offset -5m`, comments, unicode, quoted names, keywords as metric names. Each
 * row is [expression, promtool's verdict, and when Prometheus' own tests say otherwise a note].
 * The verdicts are those of promtool 2.42.0+ds (Debian 12, /usr/bin/promtool), and our parser
 * follows them; `upstream-valid` / `upstream-invalid` mark where parse_test.go of v3.5 (or main)
 * disagrees with promtool 2.42:
 *   - Prometheus 3 syntax promtool 2.42 refuses: quoted (UTF-8) names in braces and grouping
 *     lists (`{"foo"}`, `by ("a b")`: accepted with nameValidation "utf8"), numbers as durations
 *     (`x[5]`, `offset 3600`) and durations as numbers (`@ 1m`), duration expressions
 *     (`x[step()]`, `x[5s+1s]`), info();
 *   - what main refuses and promtool 2.42 and v3.5 accept: `x @ start() [5m]`, and any letter
 *     inside brackets read as the subquery colon (`x[5s x 5s]` is `x[5s:5s]`).
 * Our verdicts on the table run always; the comparison with promtool runs where promtool is
 * installed (CI installs it: there a missing promtool fails the file).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRuleGroups, parsePromql } from '../../src/prometheus/index.js';
import { promtoolVersionFor } from '../helpers/tools.js';
import { tempDir } from '../helpers/temp.js';

type Row = [expression: string, valid: boolean, upstream?: 'upstream-valid' | 'upstream-invalid'];

const cases: Row[] = [
  ['5.', true],
  ['0.', true],
  ['5.e3', true],
  ['.5e-3', true],
  ['1E3', true],
  ['0x1F', true],
  ['0X1f', true],
  ['0xdeadBEEF', true],
  ['017', true],
  ['08', true],
  ['0o17', false],
  ['1_000', false],
  ['1__0', false],
  ['0x_1', false],
  ['0x', false],
  ['1e', false],
  ['1e+', false],
  ['1.2.3', false],
  ['.', false],
  ['0x7FFFFFFFFFFFFFFF', true],
  ['0xFFFFFFFFFFFFFFFFF', false],
  ['1e308', true],
  ['1e309', false],
  ['-1e309', false],
  ['1.8e308', false],
  ['inf', true],
  ['NAN', true],
  ['iNf', true],
  ['-inF', true],
  ['+-Inf', true],
  ['-+1', true],
  ['- -1', true],
  ['Infinity', true],
  ['nan1', true],
  ['foo @ 3.', true],
  ['foo @ +Inf', false],
  ['foo @ -Inf', false],
  ['foo @ NaN', false],
  ['foo @ inf', false],
  ['foo @ 1e17', true],
  ['foo @ -1e19', false],
  ['foo @ 9223372036854775807', false],
  ['foo @ 9223372036854775.807', true],
  ['foo @ 0x10', true],
  ['foo @ 017', true],
  ['foo @ -0', true],
  ['foo @ 1m', false],
  ['foo @ end()', true],
  ['foo @ END()', true],
  ['foo @ Start()', true],
  ['foo @ start', false],
  ['foo @ start() [5m]', true],
  ['foo @ 100 [5m]', false],
  ['foo[5m] @ 100 offset 1m', true],
  ['foo @ 100 offset 1m @ 200', false],
  ['foo offset 1h30m', true],
  ['foo offset -5m', true],
  ['foo offset - 5m', true],
  ['foo offset 1h30', false],
  ['foo offset 5.', false],
  ['foo offset 3600', false],
  ['foo offset 0s', false],
  ['foo offset -0s', false],
  ['foo offset 292y', true],
  ['foo offset 300000000y', false],
  ['foo OFFSET 5m', true],
  ['foo offset 5m [5m]', false],
  ['foo[1h30m]', true],
  ['foo[1m1h]', false],
  ['foo[1ms]', true],
  ['foo[1y]', true],
  ['foo[1w2d]', true],
  ['foo[1d2h]', true],
  ['foo[292y]', true],
  ['foo[293y]', false],
  ['foo[0s]', false],
  ['foo[5]', false],
  ['foo[0x10s]', false],
  ['foo[1.5m]', false],
  ['foo[5m:1]', false],
  ['foo[5m:0s]', false],
  ['foo[5m:5m1s]', true],
  ['foo[1h30m:15s]', true],
  ['foo[5s x 5s]', true, 'upstream-invalid'],
  ['foo[5m x]', true],
  ['5m', false],
  ['1h + 1', false],
  ['foo > 5m', false],
  ['topk(5m, foo)', false],
  ['offset', true],
  ['Offset', true],
  ['offset{a="b"}', true],
  ['sum(offset)', true],
  ['foo + offset', true],
  ['foo and offset', true],
  ['offset offset 5m', true],
  ['by{a="b"}', true],
  ['sum{a="b"}', true],
  ['and{a="1"}', true],
  ['bool{a="b"}', false],
  ['on', false],
  ['group_left', false],
  ['atan2', false],
  ['x atan2 y', true],
  ['SUM(foo)', true],
  ['Rate(foo[5m])', false],
  ['foo # a comment', true],
  ['# leading comment\nfoo', true],
  ['foo # c\n+ bar', true],
  ['# only a comment', false],
  ['foo{a="é"}', true],
  ['é', false],
  ['foo{é="a"}', false],
  ['fooé', false],
  ['"é"', true],
  ['foo{a="\\u00e9"}', true],
  ["foo{a='\\xff'}", true],
  ['foo{a="\\uD800"}', false],
  ['foo{a="\\q"}', false],
  ['{"foo"}', false, 'upstream-valid'],
  ['{"foo", a="bc"}', false, 'upstream-valid'],
  ['{"a.b"="c", __name__="x"}', false],
  ['sum by ("foo")(x)', false],
  ['x + on("a") y', false],
  ['{"bar", __name__="baz"}', false, 'upstream-valid'],
  ['some_metric[5m] @ 1m', false, 'upstream-valid'],
  [' +{"some_metric"}', false, 'upstream-valid'],
  ["{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}", false, 'upstream-valid'],
  ["{'foo\\'bar', `a\\dos\\path`=\"boo\"}", false, 'upstream-valid'],
  ['{a="b", foo!="bar", "foo", test=~"test", bar!~"baz"}', false, 'upstream-valid'],
  ['test{a="b"}[5m] OFFSET 3600', false, 'upstream-valid'],
  ['foo[4.18] @ 2.345', false, 'upstream-valid'],
  ['foo[4.018] @ 2.345', false, 'upstream-valid'],
  ['test[5]', false, 'upstream-valid'],
  ['sum by ("foo bar")({"some.metric"})', false, 'upstream-valid'],
  ['sum by ("foo", bar, \'baz\')({"some.metric"})', false, 'upstream-valid'],
  ['info(rate(http_request_counter_total{}[5m]))', false, 'upstream-valid'],
  [
    'info(http_request_counter_total{namespace="zzz"}, {foo="bar", bar="baz"})',
    false,
    'upstream-valid',
  ],
  ['foo[11s+10s-5*2^2]', false, 'upstream-valid'],
  ['foo[-(10s-5s)+20s]', false, 'upstream-valid'],
  ['foo[-10s+15s]', false, 'upstream-valid'],
  ['foo[4s+4s:1s*2] offset (5s-8)', false, 'upstream-valid'],
  ['rate(foo[2m+2m])', false, 'upstream-valid'],
  ['foo offset -1^1', false, 'upstream-valid'],
  ['foo offset -(1^2)', false, 'upstream-valid'],
  ['foo offset (-1^2)', false, 'upstream-valid'],
  ['foo[-2^2]', false, 'upstream-valid'],
  ['foo[0+-2^2]', false, 'upstream-valid'],
  ['foo offset +(5)', false, 'upstream-valid'],
  ['foo offset -(5)', false, 'upstream-valid'],
  ['foo offset (5)', false, 'upstream-valid'],
  ['foo[(5s)]', false, 'upstream-valid'],
  ['some_metric @ start() [5m]', true, 'upstream-invalid'],
  ['some_metric @ end()[5m]', true, 'upstream-invalid'],
  ['foo[step()]', false, 'upstream-valid'],
  ['foo[  -  step  (  )  ]', false, 'upstream-valid'],
  ['foo[   step  (  )  ]', false, 'upstream-valid'],
  ['foo[-step()]', false, 'upstream-valid'],
  ['foo offset step()', false, 'upstream-valid'],
  ['foo offset -step()', false, 'upstream-valid'],
  ['foo[max_of(step(),5s)]', false, 'upstream-valid'],
  ['foo offset max_of(step(),5s)', false, 'upstream-valid'],
  ['foo offset -min_of(5s,step()+8s)', false, 'upstream-valid'],
  ['foo[range()]', false, 'upstream-valid'],
  ['foo[2m/range()]', false, 'upstream-valid'],
  ['foo[-range()]', false, 'upstream-valid'],
  ['foo offset range()', false, 'upstream-valid'],
  ['foo offset -range()', false, 'upstream-valid'],
  ['foo[max_of(range(),5s)]', false, 'upstream-valid'],
  ['foo[5s s 5s]', true, 'upstream-invalid'],
  ['1', true],
  ['+Inf', true],
  ['.5', true],
  ['123.4567', true],
  ['5e3', true],
  ['0xc', true],
  ['+5.5e-3', true],
  ['-0755', true],
  ['1 - 1', true],
  ['1 * 1', true],
  ['1 / 1', true],
  ['1 == bool 1', true],
  ['1 > bool 1', true],
  ['1 >= bool 1', true],
  ['1 <= bool 1', true],
  ['-1^2', true],
  ['-1+2', true],
  ['-1^-2', true],
  ['1 + 2/(3*1)', true],
  ['1 < bool 2 - 1 * 2', true],
  ['+some_metric', true],
  [' +some_metric', true],
  ['# just a comment\n\n', false],
  ['1+', false],
  ['100..4', false],
  ['0deadbeef', false],
  ['*1', false],
  ['(1))', false],
  ['(', false],
  ['1 and 1', false],
  ['1 or 1', false],
  ['1 unless 1', false],
  ['1 =~ 1', false],
  ['-"string"', false],
  ['*test', false],
  ['1 offset 1d', false],
  ['a - on(b) ignoring(c) d', false],
  ['foo * bar', true],
  ['foo == 1', true],
  ['foo == bool 1', true],
  ['foo and bar', true],
  ['foo or bar', true],
  ['foo + bar or bla and blub', true],
  ['foo and bar unless baz or qux', true],
  ['foo * on(test,blub) bar', true],
  ['foo * on(test,blub) group_left bar', true],
  ['foo and on() bar', true],
  ['foo and ignoring(test,blub) bar', true],
  ['foo unless on(bar) baz', true],
  ['foo / on(test,blub) group_left(bar) bar', true],
  ['foo / ignoring(test,blub) group_left(bar) bar', true],
  ['foo - on(test,blub) group_right(bar,foo) bar', true],
  ['foo and 1', false],
  ['1 and foo', false],
  ['1 or foo', false],
  ['foo unless 1', false],
  ['1 or on(bar) foo', false],
  ['foo == on(bar) 10', false],
  ['foo and on(bar) group_left(baz) bar', false],
  ['foo and on(bar) group_right(baz) bar', false],
  ['foo or on(bar) group_right(baz) bar', false],
  ['foo unless on(bar) group_left(baz) bar', false],
  ['foo + bool bar', false],
  ['foo + bool 10', false],
  ['foo', true],
  ['min', true],
  ['foo offset -7m', true],
  ['foo OFFSET 1h30m', true],
  ['foo @ 1603774568', true],
  ['foo @ -100', true],
  ['foo @ 3.33', true],
  ['foo @ 3.3333', true],
  ['foo @ 3e2', true],
  ['foo @ 3e-1', true],
  ['foo @ -3.3e1', true],
  ['foo:bar{a="bc"}', true],
  ["foo{bar='}'}", true],
  ['foo{a="b", foo!="bar", test=~"test", bar!~"baz"}', true],
  ['{', false],
  ['}', false],
  ['some}', false],
  ['some_metric{a=b}', false],
  ['foo{a*"b"}', false],
  ['foo{a>="b"}', false],
  ['foo{1}', false],
  ['{}', false],
  ['{x=~".*"}', false],
  ['{x!~".+"}', false],
  ['foo{__name__="bar"}', false],
  ['foo{__name__= =}', false],
  ['foo{__name__ == "bar"}', false],
  ['foo{__name__="bar" lol}', false],
  ['test[5m]', true],
  ['foo[5m30s]', true],
  ['test[5d] OFFSET 10s', true],
  ['test[5w] offset 2w', true],
  ['test{a="b"}[5y] @ 1603774699', true],
  ['foo[5mm]', false],
  ['foo[5m:1m1]', false],
  ['foo[5y1hs]', false],
  ['foo[5m1m]', false],
  ['foo[0m]', false],
  ['foo[]', false],
  ['foo[1]', false],
  ['some_metric[5m] OFFSET 1mm', false],
  ['some_metric[5m] OFFSET', false],
  ['some_metric[5m] @', false],
  ['some_metric @ 1234 [5m]', false],
  ['sum by (foo)(some_metric)', true],
  ['avg by (foo)(some_metric)', true],
  ['sum without (foo) (some_metric)', true],
  ['sum (some_metric) without (foo)', true],
  ['stdvar by (foo)(some_metric)', true],
  ['sum by ()(some_metric)', true],
  ['sum by (foo,)(some_metric)', true],
  ['topk(5, some_metric)', true],
  ['sum without(and, by, avg, count, alert, annotations)(some_metric)', true],
  ['sum without(==)(some_metric)', false],
  ['sum without(foo,,)(some_metric)', false],
  ['sum some_metric by (test)', false],
  ['sum () by (test)', false],
  ['MIN keep_common (some_metric)', false],
  ['sum (some_metric) without (test) by (test)', false],
  ['sum without (test) (some_metric) by (test)', false],
  ['topk(some_metric,)', false],
  ['topk(some_metric, other_metric)', false],
  ['rate(some_metric[5m]) @ 1234', false],
  ['time()', true],
  ['rate(some_metric[5m])', true],
  ['round(some_metric)', true],
  ['floor()', false],
  ['floor(some_metric, other_metric)', false],
  ['floor(1)', false],
  ['hour(some_metric, some_metric, some_metric)', false],
  ['non_existent_function_far_bar()', false],
  ['rate(some_metric)', false],
  ['++-++-+-+-<', false],
  ['e-+=/(0)', false],
  ['rate(avg)', false],
  ['sum(sum)', true],
  ['"double-quoted string \\" with escaped quote"', true],
  ["'single-quoted string \\' with escaped quote'", true],
  ['"\\a\\b\\f\\n\\r\\t\\v\\\\\\" - \\xFF\\377\\u1234\\U00010111\\U0001011111☺"', true],
  ["'\\a\\b\\f\\n\\r\\t\\v\\\\\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111☺'", true],
  ['`\\``', false],
  ['"\\', false],
  ['"\\x."', false],
  ['foo{bar="baz"}[10m:6s]', true],
  ['foo[10m:]', true],
  ['min_over_time(rate(foo{bar="baz"}[2s])[5m:5s])', true],
  ['min_over_time(rate(foo{bar="baz"}[2s])[5m:] offset 4m)[4m:3s]', true],
  ['min_over_time(rate(foo{bar="baz"}[2s])[5m:] @ 1603775091)[4m:3s]', true],
  ['sum without(and, by, avg, count, alert, annotations)(some_metric) [30m:10s]', true],
  ['some_metric OFFSET 1m [10m:5s]', true],
  ['some_metric @ 123 offset 1m [10m:5s]', true],
  ['some_metric offset 1m @ 123 [10m:5s]', true],
  ['(foo + bar{nm="val"})[5m:]', true],
  ['(foo + bar{nm="val"})[5m:] offset 10m', true],
  ['test[5d] OFFSET 10s [10m:5s]', false],
  ['(foo + bar{nm="val"})[5m:][10m:5s]', false],
  ['rate(food[1m])[1h] @ 100', false],
  ['foo @ start()', true],
  ['test[5y] @ end()', true],
  ['foo[10m:6s] @ start()', true],
  ['start()', false],
  ['end()', false],
  ['end', true],
  ['start{end="foo"}', true],
  ['foo unless on(start) bar', true],
  ['foo unless on(end) bar', true],
  ['{__name__="bar", __name__="baz"}', true],
  ['foo{"a"=}', false],
  ['test[1001ms]', true],
  ['test[1002ms]', true],
  ['foo[4s180ms] @ 2.345', true],
  ['foo[4s18ms] @ 2.345', true],
  ['sum by ("foo)(some_metric{})', false],
  ['foo{bar="baz"}[', false],
  ['foo offset 5s-8', true],
  ['foo[5s/0d]', false],
  ['foo[5s%0d]', false],
  ['foo offset 9.5e10', false],
  ['(sum(foo))', true],
  ['(sum(foo) by (bar))', true],
  ['sum(rate(', false],
  ['@@', false],
  ['step{offset="1s"}[5m]', true],
  ['anchored{job="test"}', true],
  ['some_metric offset step()[5m]', false],
  ['sum by (anchored)(some_metric)', true],
  ['info(http_request_counter_total{namespace="zzz"}, {foo="bar"} == 1)', false],
  ['foo[step]', false],
  ['(sum(foo) )', true],
  ['sum by (job)(rate(http_requests_total[30m]))', true],
  ['1[5m] smoothed', false],
  ['1[5m] anchored', false],
  ['9'.repeat(313), false],
];

/** Where we knowingly differ from promtool 2.42, with the reason. */
const divergences: [expression: string, reason: string][] = [
  [
    'holt_winters(x[5m], 0.5, 0.5)',
    'removed in Prometheus 3.0 (double_exponential_smoothing, behind a feature flag); the stack runs 3.5',
  ],
  [
    'sum(x{a="b"} @ 10 offset 1m) < bool holt_winters(y[1h], 0.1, 0.9)',
    'the same function inside a larger expression',
  ],
];

const version = promtoolVersionFor('promql-differential');

describe('PromQL: our verdicts on the table', () => {
  it('holds at least 150 distinct cases', () => {
    expect(new Set(cases.map(([expression]) => expression)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases)('%j: valid %s', (expression, valid) => {
    const result = parsePromql(expression);
    expect(result.ok, result.ok ? 'accepted' : result.error.message).toBe(valid);
  });

  it('takes quoted names with nameValidation "utf8", as Prometheus 3 does', () => {
    for (const expression of ['{"foo"}', '{"a.b"="c", __name__="x"}', 'sum by ("a b") ({"x.y"})'])
      expect(parsePromql(expression, { nameValidation: 'utf8' }).ok).toBe(true);
  });

  it('says why, in promtool 2.42 words', () => {
    const message = (expression: string): string => {
      const result = parsePromql(expression);
      return result.ok ? 'accepted' : result.error.message;
    };
    expect(message('foo @ NaN')).toBe('timestamp out of bounds for @ modifier: NaN');
    expect(message('foo @ -Inf')).toBe('timestamp out of bounds for @ modifier: -Inf');
    expect(message('foo @ 9223372036854775807')).toBe(
      'timestamp out of bounds for @ modifier: 9223372036854775808.000000',
    );
    expect(message('1e309')).toBe(
      'error parsing number: strconv.ParseFloat: parsing "1e309": value out of range',
    );
    expect(message('1_000')).toBe('bad number or duration syntax: "1"');
    expect(message('foo offset 1h30')).toBe('bad number or duration syntax: "1h30"');
    expect(message('foo[1m1h]')).toBe('not a valid duration string: "1m1h"');
    expect(message('foo[293y]')).toBe('duration out of range');
    expect(message('foo offset 0s')).toBe('duration must be greater than 0');
    expect(message('foo[5]')).toBe('missing unit character in duration');
    expect(message('foo offset 3600')).toBe(
      'unexpected number "3600" in offset, expected duration',
    );
    expect(message('foo @ 1m')).toBe('unexpected duration "1m" in @, expected timestamp');
    expect(message('5m + 1')).toBe('unexpected duration "5m"');
    expect(message('{"foo"}')).toBe(
      'unexpected string "\\"foo\\"" in label matching, expected identifier or "}"',
    );
  });

  it('records the metric name of a keyword used as one', () => {
    const result = parsePromql('sum(offset{job="a"}) + 5.');
    expect(result.ok ? result.metrics : result.error.message).toEqual(['offset']);
  });
});

describe.skipIf(version === undefined)('PromQL: our verdicts against the real promtool', () => {
  const all = [...cases.map(([expression]) => expression), ...divergences.map(([e]) => e)];
  /** promtool's complaint per expression; undefined when it accepts it. */
  const theirs = new Map<string, string | undefined>();

  beforeAll(async () => {
    const file = join(await tempDir('gitops-gen-promql-differential-'), 'rules.yml');
    const groups = all.map((expr, index) => ({
      name: `g${index}`,
      rules: [{ record: 'r', expr }],
    }));
    writeFileSync(file, stringify({ groups }), 'utf8');
    let output = '';
    try {
      execFileSync('/usr/bin/promtool', ['check', 'rules', '--lint=none', file], { stdio: 'pipe' });
    } catch (error: unknown) {
      const failure = error as { stdout?: Buffer; stderr?: Buffer };
      output = `${failure.stdout?.toString() ?? ''}${failure.stderr?.toString() ?? ''}`;
    }
    for (const expr of all) theirs.set(expr, undefined);
    for (const match of output.matchAll(/group "g(\d+)", rule 1, "r": (.*)/g))
      theirs.set(all[Number(match[1])] ?? '', match[2] ?? '');
    // Every complaint is about an expression: none about the file itself.
    expect(
      output.split('\n').filter((line) => /rules\.yml: (?!\d+:\d+: group)/.test(line)),
    ).toEqual([]);
  });

  it.each(cases)('%j: ours agrees with promtool', (expression) => {
    const ours = parsePromql(expression);
    const complaint = theirs.get(expression);
    expect(
      ours.ok,
      `ours: ${ours.ok ? 'accepted' : ours.error.message}; promtool: ${complaint ?? 'accepted'}`,
    ).toBe(complaint === undefined);
  });

  it.each(divergences)('%j: a known divergence (%s)', (expression) => {
    expect(theirs.get(expression)).toBeUndefined();
    expect(parsePromql(expression).ok).toBe(false);
  });
});

describe('rule result types', () => {
  const rule = (kind: 'alert' | 'record', expr: string): unknown => ({
    groups: [
      {
        name: 'g',
        rules: [
          kind === 'alert'
            ? {
                alert: 'A',
                expr,
                labels: { severity: 'critical' },
                annotations: { summary: 's', description: 'd' },
              }
            : { record: 'job:r', expr },
        ],
      },
    ],
  });

  it.each([
    [
      'alert',
      'up{job="a"}[5m]',
      'promql/result-type',
      'error',
      'the expression is a range vector; an alert needs an instant vector',
    ],
    [
      'alert',
      '"down"',
      'promql/result-type',
      'error',
      'the expression is a string; an alert needs an instant vector',
    ],
    [
      'alert',
      'scalar(sum(up)) < bool 1',
      'prometheus-rules/scalar-alert',
      'warning',
      'the expression is a scalar; an alert needs an instant vector',
    ],
    [
      'record',
      'up[5m]',
      'promql/result-type',
      'error',
      'the expression is a range vector; a recording rule needs an instant vector or a scalar',
    ],
    [
      'record',
      '"s"',
      'promql/result-type',
      'error',
      'the expression is a string; a recording rule needs an instant vector or a scalar',
    ],
  ] as const)('%s %s: %s (%s)', (kind, expr, code, severity, message) => {
    const findings = checkRuleGroups(rule(kind, expr), { file: 'rules.yml' });
    expect(findings.map((finding) => [finding.code, finding.severity, finding.path])).toEqual([
      [code, severity, 'groups[0].rules[0].expr'],
    ]);
    expect(findings[0]?.message).toContain(message);
    expect(findings[0]?.message).not.toContain('could not parse');
    if (severity === 'error')
      expect(findings[0]?.message).toContain('rule result is not a vector or scalar');
    else expect(findings[0]?.message).toContain('fires at every evaluation');
  });

  it.each([
    ['alert', 'up == 0'],
    ['record', 'scalar(sum(up))'],
    ['record', 'sum(rate(x[5m]))'],
  ] as const)('%s %s: no finding', (kind, expr) => {
    expect(checkRuleGroups(rule(kind, expr), { file: 'rules.yml' })).toEqual([]);
  });
});
