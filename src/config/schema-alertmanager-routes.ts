/**
 * The JSON Schema of the team's own Alertmanager routing: `alertmanager.routes`,
 * `alertmanager.inhibitRules` and `alertmanager.templates`. Route and inhibit-rule fields keep
 * Alertmanager's own snake_case names (`group_by`, `source_matchers`, ...) so that a route can
 * be copied from alertmanager.yml or its documentation as it is. The schema checks shapes and
 * durations; matcher syntax, regexes, label names and receivers are checked in
 * resolve-alertmanager-routes.ts, where the messages can say what Alertmanager would say.
 * Kept apart from schema.ts only for size; schema.ts assembles the whole.
 */

const duration = { type: 'string', format: 'duration' } as const;

const matchers = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  description:
    'Alertmanager matchers, one per entry: `label="value"`, `label!="value"`, `label=~"regex"` or `label!~"regex"` (RE2, anchored).',
} as const;

/** The fields of a route of any depth. */
const routeFields = {
  receiver: {
    type: 'string',
    format: 'dns-label',
    description: "One of alertmanager.receivers; default the parent route's receiver.",
  },
  matchers,
  group_by: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    description:
      "Labels that group alerts into one notification, or `...` alone for every label; default the parent route's.",
  },
  group_wait: { ...duration, description: 'Wait before the first notification of a new group.' },
  group_interval: {
    ...duration,
    description: 'Wait before notifying about new alerts of a group already notified.',
  },
  repeat_interval: {
    ...duration,
    description: 'Wait before repeating a notification that was already sent.',
  },
  continue: {
    type: 'boolean',
    description:
      'Keep matching the following sibling routes after this one matched (default false: the first matching route takes the alert).',
  },
  mute_time_intervals: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    description: 'Names of alertmanager.timeIntervals during which this route sends nothing.',
  },
  active_time_intervals: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    description: 'Names of alertmanager.timeIntervals outside which this route sends nothing.',
  },
} as const;

/** `alertmanager.routes`: routes below the generated critical route, one level of children. */
export const alertmanagerRoutesSchema = {
  type: 'array',
  description:
    "The team's Alertmanager routes, tried in order after the critical-alert route (which then has `continue: true`, so critical alerts still page) and before the catch-all (the first receiver).",
  items: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...routeFields,
      routes: {
        type: 'array',
        description: 'Child routes, tried when this route matches (one level of nesting).',
        items: { type: 'object', additionalProperties: false, properties: routeFields },
      },
    },
  },
} as const;

/** `alertmanager.inhibitRules`: mute target alerts while a source alert fires. */
export const alertmanagerInhibitRulesSchema = {
  type: 'array',
  description:
    'Inhibit rules, after the generated ones: while an alert matching source_matchers fires, alerts matching target_matchers (with equal values of the `equal` labels) are not notified.',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: {
      source_matchers: { ...matchers, description: 'Matchers of the alert that mutes.' },
      target_matchers: { ...matchers, description: 'Matchers of the alerts that are muted.' },
      equal: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'Labels whose values must be equal in the source and the target alert.',
      },
    },
  },
} as const;

/** `alertmanager.templates`: message template files. */
export const alertmanagerTemplatesSchema = {
  type: 'array',
  description:
    'Notification template files (Go templates with `{{ define "name" }}`), paths or globs relative to the environments folder; shipped in the Alertmanager ConfigMap and listed in `templates:` of alertmanager.yml.',
  items: { type: 'string', minLength: 1 },
} as const;

const rangeList = (description: string) =>
  ({ type: 'array', items: { type: 'string', minLength: 1 }, description }) as const;

/** `alertmanager.timeIntervals`: named times that routes mute or are active in. */
export const alertmanagerTimeIntervalsSchema = {
  type: 'array',
  description:
    "Named time intervals (Alertmanager's `time_intervals`) for routes' mute_time_intervals and active_time_intervals.",
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'time_intervals'],
    properties: {
      name: { type: 'string', minLength: 1, description: 'Name that routes refer to.' },
      time_intervals: {
        type: 'array',
        minItems: 1,
        description:
          'The interval is on when any of these matches (each field left out matches always).',
        items: {
          type: 'object',
          additionalProperties: false,
          properties: {
            times: {
              type: 'array',
              description: 'Times of day, `HH:MM` 24-hour, start included, end excluded.',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['start_time', 'end_time'],
                properties: {
                  start_time: { type: 'string', description: 'Start, e.g. 09:00.' },
                  end_time: {
                    type: 'string',
                    description: 'End, e.g. 17:30 (24:00 for midnight).',
                  },
                },
              },
            },
            weekdays: rangeList('Days of the week or ranges, e.g. monday:friday, saturday.'),
            days_of_month: rangeList(
              'Days of the month or ranges, e.g. 1:5, -3:-1 (from the end).',
            ),
            months: rangeList('Months by name or number, or ranges, e.g. january:march, 12.'),
            years: rangeList('Years or ranges, e.g. 2026:2027.'),
            location: {
              type: 'string',
              minLength: 1,
              description: 'IANA time zone of the times, e.g. Europe/Paris; default UTC.',
            },
          },
        },
      },
    },
  },
} as const;
