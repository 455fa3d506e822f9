/**
 * `alertmanager.timeIntervals`: named time intervals that the team's routes mute
 * (`mute_time_intervals`) or are active in (`active_time_intervals`), rendered as
 * alertmanager.yml's `time_intervals`. Each field is checked as Alertmanager's timeinterval
 * package parses it when loading the config (HH:MM times with start before end, weekday, day of
 * month, month and year ranges in order, a known time zone), so a mistake is reported at the
 * environment file's line. Hand-written: no JavaScript library knows Alertmanager's range
 * syntax. Pure.
 */
import { quoteValue } from '../text-safety.js';
import type { AlertmanagerTimeInterval } from './environment.js';
import { report, type ResolveContext } from './resolve-context.js';
import type { EnvironmentFile } from './schema.js';

type TimeIntervalInput = NonNullable<
  NonNullable<EnvironmentFile['alertmanager']>['timeIntervals']
>[number];
type IntervalInput = TimeIntervalInput['time_intervals'][number];

const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const months = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** `09:00`, `23:59` or `24:00`, as Alertmanager's validTime. */
const timeOfDay = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

function minutesOf(text: string): number | undefined {
  const match = timeOfDay.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1] ?? match[3]);
  const minutes = Number(match[2] ?? match[4]);
  return hours * 60 + minutes;
}

/** A `start:end` or single value; undefined when the text is no such thing. */
function rangeParts(text: string): [string, string] | undefined {
  const parts = text.split(':');
  if (parts.length === 1) return [text, text];
  if (parts.length === 2 && parts[0] && parts[1]) return [parts[0], parts[1]];
  return undefined;
}

type RangeCheck = (text: string) => string | undefined;

/** Names (weekdays, months) or, for months, numbers 1 to 12; start not after end. */
function namedRange(names: readonly string[], kind: string, numbers: boolean): RangeCheck {
  const indexOf = (value: string): number => {
    const byName = names.indexOf(value.toLowerCase());
    if (byName >= 0) return byName;
    if (numbers && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= names.length)
      return Number(value) - 1;
    return -1;
  };
  return (text) => {
    const parts = rangeParts(text);
    if (!parts)
      return `${quoteValue(text)} is not a ${kind} or a range such as ${names[1]}:${names[4]}`;
    const [start, end] = parts.map(indexOf) as [number, number];
    if (start < 0 || end < 0) {
      const bad = start < 0 ? parts[0] : parts[1];
      return `${quoteValue(bad)} is not a ${kind}${numbers ? ' (a name or 1 to 12)' : ''}`;
    }
    if (start > end) return `the range ${quoteValue(text)} ends before it starts`;
    return undefined;
  };
}

const dayOfMonthRange: RangeCheck = (text) => {
  const parts = rangeParts(text);
  if (!parts || !parts.every((part) => /^-?\d+$/.test(part)))
    return `${quoteValue(text)} is not a day of the month or a range such as 1:5 or -3:-1`;
  const [start, end] = parts.map(Number) as [number, number];
  for (const day of [start, end]) {
    if (day === 0 || day < -31 || day > 31)
      return `${String(day)} is not a day of the month (1 to 31, or -31 to -1 counting from the end)`;
  }
  if (start < 0 && end > 0)
    return `the range ${quoteValue(text)} starts from the end of the month but ends from its start`;
  if (Math.sign(start) === Math.sign(end) && start > end)
    return `the range ${quoteValue(text)} ends before it starts`;
  return undefined;
};

const yearRange: RangeCheck = (text) => {
  const parts = rangeParts(text);
  if (!parts || !parts.every((part) => /^\d+$/.test(part)))
    return `${quoteValue(text)} is not a year or a range such as 2026:2027`;
  const [start, end] = parts.map(Number) as [number, number];
  if (start > end) return `the range ${quoteValue(text)} ends before it starts`;
  return undefined;
};

const rangeChecks: Record<'weekdays' | 'days_of_month' | 'months' | 'years', RangeCheck> = {
  weekdays: namedRange(weekdays, 'weekday', false),
  days_of_month: dayOfMonthRange,
  months: namedRange(months, 'month', true),
  years: yearRange,
};

/** Go's time.LoadLocation accepts `Local`, `UTC` and IANA names; Intl knows the same database. */
function isKnownTimeZone(name: string): boolean {
  if (name === 'Local' || name === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function checkInterval(interval: IntervalInput, keyPath: string[], context: ResolveContext): void {
  interval.times?.forEach((time, index) => {
    const at = [...keyPath, 'times', String(index)];
    const start = minutesOf(time.start_time);
    const end = minutesOf(time.end_time);
    for (const [key, minutes] of [
      ['start_time', start],
      ['end_time', end],
    ] as const) {
      if (minutes === undefined) {
        report(
          context,
          [...at, key],
          'config/alertmanager-time-interval',
          `${quoteValue(time[key])} is not a time of day (Alertmanager reads HH:MM, 24-hour)`,
          'write e.g. 09:00 or 17:30; 24:00 ends at midnight',
        );
      }
    }
    if (start !== undefined && end !== undefined && start >= end) {
      report(
        context,
        [...at, 'end_time'],
        'config/alertmanager-time-interval',
        `end_time ${time.end_time} is not after start_time ${time.start_time} (Alertmanager refuses it)`,
        'split a range across midnight in two: 22:00 to 24:00 and 00:00 to 06:00',
      );
    }
  });
  for (const key of ['weekdays', 'days_of_month', 'months', 'years'] as const) {
    interval[key]?.forEach((text, index) => {
      const message = rangeChecks[key](text);
      if (message !== undefined) {
        report(
          context,
          [...keyPath, key, String(index)],
          'config/alertmanager-time-interval',
          `${message} (Alertmanager refuses it)`,
          'ranges are start:end, inclusive, start first: monday:friday, 1:15, january:march, 2026:2027',
        );
      }
    });
  }
  if (interval.location !== undefined && !isKnownTimeZone(interval.location)) {
    report(
      context,
      [...keyPath, 'location'],
      'config/alertmanager-time-interval',
      `${quoteValue(interval.location)} is not a time zone Alertmanager can load`,
      'give an IANA time zone name such as Europe/Paris or America/New_York, or UTC',
    );
  }
}

/** Checks and copies `alertmanager.timeIntervals`; names must be unique (Alertmanager's rule). */
export function resolveTimeIntervals(
  input: readonly TimeIntervalInput[] | undefined,
  context: ResolveContext,
): AlertmanagerTimeInterval[] {
  const names: string[] = [];
  return (input ?? []).map((timeInterval, index) => {
    const keyPath = ['alertmanager', 'timeIntervals', String(index)];
    if (names.includes(timeInterval.name)) {
      report(
        context,
        [...keyPath, 'name'],
        'config/duplicate-time-interval',
        `time interval ${quoteValue(timeInterval.name)} is named twice (Alertmanager refuses it)`,
        'give every time interval its own name',
      );
    }
    names.push(timeInterval.name);
    timeInterval.time_intervals.forEach((interval, intervalIndex) => {
      checkInterval(interval, [...keyPath, 'time_intervals', String(intervalIndex)], context);
    });
    return {
      name: timeInterval.name,
      time_intervals: timeInterval.time_intervals.map((interval) => ({
        ...(interval.times === undefined
          ? {}
          : { times: interval.times.map((time) => ({ ...time })) }),
        ...(interval.weekdays === undefined ? {} : { weekdays: [...interval.weekdays] }),
        ...(interval.days_of_month === undefined
          ? {}
          : { days_of_month: [...interval.days_of_month] }),
        ...(interval.months === undefined ? {} : { months: [...interval.months] }),
        ...(interval.years === undefined ? {} : { years: [...interval.years] }),
        ...(interval.location === undefined ? {} : { location: interval.location }),
      })),
    };
  });
}
