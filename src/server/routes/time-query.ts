/**
 * The `since`/`until` query fields of every API list (alerts, incidents, assessments, score
 * history, findings, audit, admission decisions, what-if): an instant, or a date alone read as
 * `palisade detect --since/--until` reads it (that UTC day's start, or the whole day for `until`).
 */

import { Type } from '@sinclair/typebox';
import { parseTimeArgument } from '../../logs/time-arguments.js';

const DATE_ALONE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A `since` or `until` query field: ISO 8601 date-time with an offset, or a date alone (UTC).
 *
 * ```ts
 * Type.Object({ since: Type.Optional(TimeQueryField('since', 'alerts seen at or after this')) });
 * ```
 */
export function TimeQueryField(bound: 'since' | 'until', description: string) {
  const day = bound === 'since' ? "that day's start" : 'the whole day is included';
  return Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })], {
    description:
      `${description}: ISO 8601 date-time with an offset, or a date alone (UTC): ${day}, ` +
      'as palisade detect reads it',
  });
}

/**
 * The ISO instant a `since` (inclusive) or `until` (exclusive) query value stands for. A date
 * alone as `until` is the next day's start: the list's bound is exclusive, the day is kept whole.
 *
 * ```ts
 * timeBound('2025-12-10', 'until'); // '2025-12-11T00:00:00.000Z'
 * ```
 */
export function timeBound(text: string, bound: 'since' | 'until'): string {
  if (!DATE_ALONE.test(text)) return new Date(text).toISOString();
  const day = parseTimeArgument(text, undefined, bound === 'until');
  return new Date(day.getTime() + (bound === 'until' ? 1 : 0)).toISOString();
}
