/**
 * Records an inventory listing read without a resource's settings, and the warnings for those
 * still without them once the scan has merged what every file said of each resource.
 */

import type { FileReport } from '../model/assessment.js';
import type { Resource } from '../model/resource.js';

/**
 * One way a listing leaves a resource's settings out (`"properties": null`, a Cloud Asset
 * Inventory record without resource data), and the warning a file gets for its resources still
 * missing them after the merge.
 */
export interface LeftOutWay {
  /** The `unknown` path the listing gives the resource: while it stays, the settings are unknown. */
  path: string;
  /** The warning for `count` resources of `file` left out so. */
  warning: (file: string, count: number) => string;
}

/** Every way defined, in the order a file's warnings are given. */
const ways: LeftOutWay[] = [];

/** A way of leaving settings out; a file's warnings come in the order the ways were defined. */
export function leftOutWay(path: string, warning: LeftOutWay['warning']): LeftOutWay {
  const way = { path, warning };
  ways.push(way);
  return way;
}

interface Mark {
  /** The file whose record left the settings out, as the reader named it. */
  file: string;
  way: LeftOutWay;
}

/** The listings that left each resource's settings out: more than one once fragments merge. */
const marks = new WeakMap<Resource, Mark[]>();

/** Notes that `file`'s record of `resource` left its settings out `way`. */
export function markLeftOut(resource: Resource, file: string, way: LeftOutWay): void {
  const held = marks.get(resource);
  if (held) held.push({ file, way });
  else marks.set(resource, [{ file, way }]);
}

/** Carries the listings that left `fragment` without settings over to `into`, its merge. */
export function carryLeftOut(into: Resource, fragment: Resource): void {
  const theirs = marks.get(fragment);
  if (!theirs) return;
  const held = marks.get(into);
  if (held) for (const mark of theirs) held.push(mark);
  else marks.set(into, [...theirs]);
}

/**
 * The warnings for the resources of a settled scan whose settings are still unknown: each file
 * whose record left them out is named (when every file read a resource without its settings,
 * each of those files), with how many of its resources no other file filled in. Files come in
 * `files`' order (the order they were read), then any file no report names.
 *
 * ```ts
 * const warnings = leftOutWarnings(settled, files); // ['list.json: 2 resource(s) carry no ...']
 * ```
 */
export function leftOutWarnings(resources: Resource[], files: FileReport[]): string[] {
  /** Per file, per way, how many resources are still left out. */
  let counts: Map<string, Map<LeftOutWay, number>> | undefined;
  for (const r of resources) {
    // A listing gives the resource an unknown path: a resource without one was filled in.
    if (r.unknown === undefined) continue;
    const held = marks.get(r);
    if (!held) continue;
    for (const { file, way } of held) {
      if (!r.unknown.includes(way.path)) continue;
      counts ??= new Map();
      let byWay = counts.get(file);
      if (!byWay) counts.set(file, (byWay = new Map()));
      byWay.set(way, (byWay.get(way) ?? 0) + 1);
    }
  }
  if (!counts) return [];
  const order = [...new Set([...files.map((f) => f.file), ...counts.keys()])];
  const warnings: string[] = [];
  for (const file of order) {
    const byWay = counts.get(file);
    if (!byWay) continue;
    for (const way of ways) {
      const count = byWay.get(way);
      if (count) warnings.push(way.warning(file, count));
    }
  }
  return warnings;
}
