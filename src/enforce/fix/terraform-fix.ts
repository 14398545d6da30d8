/**
 * Applies a rule's Terraform fix to one resource block as text edits: attributes set in place or
 * added before the closing brace, nested blocks added when missing, values replaced inside
 * matching nested blocks, companion resources appended. Every other byte stays as written.
 */

import type { TerraformFix } from '../../model/rule.js';
import { indentAt, matchBrace, scanBody, type HclItem } from './hcl-scanner.js';

function escapeRe(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Brace offsets of `resource "type" "name" {`, or undefined when the text has no such block. */
export function findResourceBlock(
  text: string,
  type: string,
  name: string,
): { header: number; open: number; close: number } | undefined {
  const re = new RegExp(
    `^[ \\t]*resource[ \\t]+"?${escapeRe(type)}"?[ \\t]+"?${escapeRe(name)}"?[ \\t]*\\{`,
    'm',
  );
  const m = re.exec(text);
  if (!m) return undefined;
  const open = m.index + m[0].length - 1;
  return { header: m.index, open, close: matchBrace(text, open) };
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Indentation for a new item in the block whose braces are at `open`/`close`. */
function bodyIndent(text: string, open: number, items: HclItem[]): string {
  if (items.length > 0) return indentAt(text, items[0].start);
  return `${indentAt(text, open)}  `;
}

/**
 * A block written on one line (`resource "a" "b" { size = 1 }`) opened over several, so items can
 * be added: HCL closes a one-line block on its own line and allows one attribute in it.
 */
function openUp(text: string, open: number, close: number): { text: string; close: number } {
  const inside = text.slice(open + 1, close);
  if (inside.includes('\n')) return { text, close };
  const indent = indentAt(text, open);
  const body = inside.trim() === '' ? '' : `\n${indent}  ${inside.trim()}`;
  const opened = `${body}\n${indent}`;
  return { text: splice(text, open + 1, close, opened), close: open + 1 + opened.length };
}

/** Inserts lines (already indented) just before the block's closing brace. */
function insertBeforeClose(text: string, open: number, close: number, lines: string): string {
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const alone = text.slice(lineStart, close).trim() === '' && lineStart > open;
  if (alone) return splice(text, lineStart, lineStart, `${lines}\n`);
  return splice(text, close, close, `\n${lines}\n${indentAt(text, open)}`);
}

function indentLines(body: string, indent: string): string {
  return body
    .trim()
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `${indent}${line.trimEnd()}`))
    .join('\n');
}

/** Sets `path` (attribute, or `block.attribute`) inside the block at `open`/`close`. */
function setPath(
  original: string,
  open: number,
  end: number,
  path: string[],
  value: string,
): string {
  const [head, ...rest] = path;
  const found = scanBody(original, open + 1, end).find(
    (i) => i.kind === (rest.length === 0 ? 'attribute' : 'block') && i.name === head,
  );
  if (found && rest.length === 0)
    return splice(original, found.valueStart!, found.valueEnd!, value);
  if (found) return setPath(original, found.open!, found.close!, rest, value);

  const { text, close } = openUp(original, open, end);
  const items = scanBody(text, open + 1, close);
  const indent = bodyIndent(text, open, items);
  if (rest.length === 0) return insertBeforeClose(text, open, close, `${indent}${head} = ${value}`);
  const nested = rest.reduceRight((inner, key, index) => {
    const pad = '  '.repeat(index + 1);
    return index === rest.length - 1
      ? `${indent}${pad}${key} = ${inner}`
      : `${indent}${pad}${key} {\n${inner}\n${indent}${pad}}`;
  }, value);
  return insertBeforeClose(text, open, close, `${indent}${head} {\n${nested}\n${indent}}`);
}

function literalNumber(text: string, item: HclItem | undefined): number | undefined {
  if (!item) return undefined;
  const raw = text.slice(item.valueStart, item.valueEnd).trim().replace(/^"|"$/g, '');
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** True when a rule block (ingress) opens one of `ports` (all ports for protocol -1). */
function opensPort(text: string, block: HclItem, ports: number[] | undefined): boolean {
  if (!ports) return true;
  const items = scanBody(text, block.open! + 1, block.close!);
  const attr = (name: string) => items.find((i) => i.kind === 'attribute' && i.name === name);
  const protocol = attr('protocol');
  const proto = protocol ? text.slice(protocol.valueStart, protocol.valueEnd) : '';
  if (/^"?(-1|all)"?$/.test(proto.trim())) return true;
  const from = literalNumber(text, attr('from_port'));
  const to = literalNumber(text, attr('to_port')) ?? from;
  if (from === undefined || to === undefined) return false;
  if (from === 0 && to === 0) return true;
  return ports.some((p) => p >= from && p <= to);
}

function replaceInBlocks(
  text: string,
  type: string,
  name: string,
  spec: NonNullable<TerraformFix['replace_in_blocks']>,
): string {
  let out = text;
  // Rewritten back to front, so earlier offsets stay valid.
  const found = findResourceBlock(out, type, name);
  if (!found) return out;
  const blocks = scanBody(out, found.open + 1, found.close)
    .filter((i) => i.kind === 'block' && i.name === spec.block)
    .reverse();
  for (const block of blocks) {
    if (!opensPort(out, block, spec.ports)) continue;
    const attr = scanBody(out, block.open! + 1, block.close!).find(
      (i) => i.kind === 'attribute' && i.name === spec.attribute,
    );
    if (!attr) continue;
    const value = out.slice(attr.valueStart, attr.valueEnd);
    const next = value.split(spec.from).join(spec.to);
    if (next === value) continue;
    out = splice(out, attr.valueStart!, attr.valueEnd!, next);
    if (spec.note) out = noteAbove(out, attr.start, spec.note);
  }
  return out;
}

/** `# note` on a line of its own above the line holding `at`, indented as that line is. */
function noteAbove(text: string, at: number, note: string): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, at))![0];
  const eol = text.charCodeAt(lineStart - 2) === 13 ? '\r\n' : '\n';
  return splice(text, lineStart, lineStart, `${indent}# ${note}${eol}`);
}

/**
 * `name`, or `name_2`, `name_3`... when a `type` resource of the module already has it
 * (Terraform refuses a duplicate resource).
 */
function unusedName(type: string, name: string, moduleText: string): string {
  const header = new RegExp(
    `^[ \\t]*resource[ \\t]+"?${escapeRe(type)}"?[ \\t]+"?([^"\\s{]+)`,
    'gm',
  );
  const taken = new Set([...moduleText.matchAll(header)].map((m) => m[1]));
  let label = name;
  for (let n = 2; taken.has(label); n += 1) label = `${name}_${n}`;
  return label;
}

function addResource(
  text: string,
  type: string,
  name: string,
  spec: NonNullable<TerraformFix['add_resource']>,
  moduleText: string,
): string {
  const address = `${type}.${name}`;
  const already = new RegExp(
    `resource[ \\t]+"?${escapeRe(spec.type)}"?[^{]*\\{[^}]*${escapeRe(address)}\\b`,
  );
  if (already.test(moduleText)) return text;
  const found = findResourceBlock(text, type, name);
  if (!found) return text;
  const body = spec.body.split('{{name}}').join(name).split('{{address}}').join(address);
  const label = unusedName(spec.type, name, `${moduleText}\n${text}`);
  const block = `\n\nresource "${spec.type}" "${label}" {\n${indentLines(body, '  ')}\n}`;
  return splice(text, found.close + 1, found.close + 1, block);
}

/**
 * The text of a `.tf` file with `fix` applied to `resource "type" "name"`. `moduleText` is every
 * `.tf` file of the module, to see whether a companion resource already exists.
 *
 * ```ts
 * const fixed = applyTerraformFix(text, 'aws_ebs_volume', 'data', { resource_types: [...],
 *   set: { encrypted: 'true' } }, text);
 * ```
 */
export function applyTerraformFix(
  text: string,
  type: string,
  name: string,
  fix: TerraformFix,
  moduleText = text,
): string {
  let out = text;
  for (const [path, value] of Object.entries(fix.set ?? {})) {
    const found = findResourceBlock(out, type, name);
    if (!found) return out;
    out = setPath(out, found.open, found.close, path.split('.'), value);
  }
  for (const [blockName, body] of Object.entries(fix.add_blocks ?? {})) {
    const found = findResourceBlock(out, type, name);
    if (!found) return out;
    if (
      scanBody(out, found.open + 1, found.close).some(
        (i) => i.kind === 'block' && i.name === blockName,
      )
    )
      continue;
    const opened = openUp(out, found.open, found.close);
    out = opened.text;
    const indent = bodyIndent(out, found.open, scanBody(out, found.open + 1, opened.close));
    const lines = `${indent}${blockName} {\n${indentLines(body, `${indent}  `)}\n${indent}}`;
    out = insertBeforeClose(out, found.open, opened.close, lines);
  }
  if (fix.replace_in_blocks) out = replaceInBlocks(out, type, name, fix.replace_in_blocks);
  if (fix.add_resource) out = addResource(out, type, name, fix.add_resource, moduleText);
  // Edits are written with LF; a file that ends every line with CRLF keeps doing so.
  if (out !== text && text.includes('\r\n') && !/(^|[^\r])\n/.test(text)) {
    out = out.replace(/\r?\n/g, '\r\n');
  }
  return out;
}
