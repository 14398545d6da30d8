/**
 * Reading a ticketing vendor's JSON answer: when it does not have the expected shape (a proxy's
 * login page, another API version), the sink fails saying what it expected and what came,
 * instead of a JavaScript type error.
 */

import { SinkError } from '../../model/export-record.js';
import type { HttpAnswer } from './http-client.js';

/** How many keys of an unexpected object an error message names. */
const KEYS_SHOWN = 8;

/**
 * What a JSON value is, in words, naming an object's keys but never its values (they could
 * carry anything, credentials included).
 *
 * ```ts
 * describeJson({ sys_id: 'a', number: 'INC1' }); // 'an object with keys sys_id, number'
 * describeJson(undefined); // 'no JSON'
 * ```
 */
export function describeJson(value: unknown): string {
  if (value === undefined) return 'no JSON';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value !== 'object') return `a ${typeof value}`;

  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, KEYS_SHOWN).join(', ');
  return `an object with keys ${shown}${keys.length > KEYS_SHOWN ? ', ...' : ''}`;
}

/** What came back, for an error: the JSON's shape, or the content type of a body that is not JSON. */
export function describeAnswer(answer: HttpAnswer): string {
  if (answer.json !== undefined) return describeJson(answer.json);
  const type = answer.headers['content-type'];
  const shown = Array.isArray(type) ? type[0] : type;
  return answer.text ? `a body that is not JSON (${shown ?? 'no content type'})` : 'an empty body';
}

/** Where an answer is read, for the error: `ServiceNow search`, code `servicenow_answer`. */
export interface AnswerPlace {
  /** `ServiceNow search`, `Jira create issue`. */
  what: string;
  /** The SinkError code: `servicenow_answer`. */
  code: string;
}

/**
 * The list under `field` of a JSON object answer; anything else fails with a retryable
 * `SinkError` saying what was expected and what came.
 *
 * ```ts
 * answerList(answer, 'result', 'incidents', { what: 'ServiceNow search', code: 'servicenow_answer' });
 * ```
 */
export function answerList(
  answer: HttpAnswer,
  field: string,
  items: string,
  place: AnswerPlace,
): unknown[] {
  const json = answer.json;
  const value =
    typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)[field]
      : undefined;
  if (Array.isArray(value)) return value;

  const came =
    value === undefined
      ? `the answer was ${describeAnswer(answer)}`
      : `"${field}" was ${describeJson(value)}`;
  throw new SinkError(
    place.code,
    `${place.what}: expected "${field}" to be a list of ${items}, but ${came}`,
    true,
  );
}
