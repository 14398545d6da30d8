/**
 * A JSON syntax error is named by line and column even when V8's message names no position
 * (`Unexpected token 'x', "..." is not valid JSON`, `Unexpected end of JSON input`), and its
 * reason carries no copy of the text.
 */

import { describe, expect, it } from 'vitest';
import { jsonProblem } from '../../src/sources/json-syntax-error.js';
import { terraformFileReaders } from '../../src/sources/terraform/index.js';

describe('JSON syntax errors V8 gives no position for', () => {
  it('names an unexpected token by line and column, without the text around it', () => {
    const text = '{\n  "format_version": "1.2",\n  "planned_values": x\n}';
    expect(jsonProblem('plan.json', text)).toMatchObject({
      code: 'PARSE_ERROR',
      line: 3,
      column: 21,
      message: "plan.json:3: invalid JSON: Unexpected token 'x' at line 3, column 21",
    });
  });

  it('names the end of a file cut short', () => {
    expect(jsonProblem('cut.json', '')).toMatchObject({ line: 1, column: 1 });
    expect(jsonProblem('cut.json', '{\n  "a": ')).toMatchObject({
      line: 2,
      column: 8,
      message: 'cut.json:2: invalid JSON: Unexpected end of JSON input at line 2, column 8',
    });
  });

  it('keeps the position V8 names when it names one', () => {
    expect(jsonProblem('a.json', '{"a": 1\n"b": 2}')).toMatchObject({ line: 2, column: 1 });
  });

  it('reaches the Terraform plan reader', () => {
    const [reader] = terraformFileReaders([]);
    const text = '{\n  "format_version": "1.2",\n  "planned_values": {"root_module": }\n}';
    expect(() => reader.read({ path: 'plan.json', text })).toThrow(
      expect.objectContaining({ line: 3, column: 37 }),
    );
  });
});
