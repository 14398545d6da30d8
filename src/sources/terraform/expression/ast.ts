/**
 * Syntax tree of an HCL expression or string template, as the expression parser builds it and
 * the evaluator walks it.
 */

export type Node =
  | { kind: 'literal'; value: null | boolean | number | string }
  | { kind: 'template'; parts: TemplatePart[] }
  | { kind: 'variable'; name: string }
  | { kind: 'getattr'; object: Node; name: string }
  | { kind: 'index'; object: Node; key: Node }
  | { kind: 'splat'; object: Node; each: Node }
  | { kind: 'splat-item' }
  | { kind: 'call'; name: string; args: Node[]; expandLast: boolean }
  | { kind: 'tuple'; items: Node[] }
  | { kind: 'object'; items: { key: Node; value: Node }[] }
  | { kind: 'conditional'; condition: Node; then: Node; else: Node }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node }
  | { kind: 'unary'; op: '!' | '-'; operand: Node }
  | { kind: 'parens'; inner: Node }
  | ForNode;

export type BinaryOp =
  '||' | '&&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%';

/** `[for k, v in coll : v if cond]` or `{for k, v in coll : k => v...}`. */
export interface ForNode {
  kind: 'for';
  keyVar?: string;
  valueVar: string;
  collection: Node;
  keyExpr?: Node;
  valueExpr: Node;
  condition?: Node;
  grouped: boolean;
  object: boolean;
}

/** One piece of a string template: literal text, an interpolation or a directive. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'interp'; expr: Node }
  | { kind: 'if'; condition: Node; then: TemplatePart[]; else: TemplatePart[] }
  | { kind: 'for'; keyVar?: string; valueVar: string; collection: Node; body: TemplatePart[] };
