/** Telling a JSON text cut short from a complete one and from one that is simply not JSON. */

import { describe, expect, it } from 'vitest';
import { cutShortJson } from '../../src/logs/cut-short-json.js';

describe('cutShortJson', () => {
  it('names where a text that opens a JSON value ends before the value does', () => {
    expect(cutShortJson('{"Records": [{"eventVersion"')).toEqual({ line: 1, column: 29 });
    expect(cutShortJson('[\n  {\n    "awsRegion": "eu-we')).toEqual({ line: 3, column: 24 });
    expect(cutShortJson('{"ok": [1,\n\n')).toEqual({ line: 1, column: 11 });
  });

  it('leaves complete values, invalid text and text that opens no object or array alone', () => {
    for (const text of ['{"Records": []}', '[1, 2]\n', '{"a": x', '{"a": 1} trailing', 'a,b', '']) {
      expect(cutShortJson(text), text).toBeUndefined();
    }
  });
});
