/**
 * Cloud Asset Inventory full resource names (`//compute.googleapis.com/projects/p/zones/z/...`):
 * building them, and reading project, location and short name back out of them.
 */

/** The parts of a full resource name a canonical resource needs. */
export interface CaiNameParts {
  project?: string;
  /** Zone, region or location segment, when the name has one. */
  location?: string;
  /** Last segment: the resource's own name. */
  name: string;
}

const LOCATION_KEYS = new Set(['zones', 'regions', 'locations']);

/** The last name split, with its parts: a reader asks for one asset's name several times. */
let lastName: string | undefined;
let lastParts: Readonly<CaiNameParts> | undefined;

/**
 * Splits a CAI full name into project, location and short name (read-only; shared): the
 * segments after the `//host/` prefix, empty ones skipped; the project is the segment after the
 * first `projects`, the location the one after the first `zones`, `regions` or `locations`.
 * Walked in place, not split into arrays: an export's every record is named this way.
 */
export function parseCaiName(fullName: string): Readonly<CaiNameParts> {
  if (fullName === lastName && lastParts) return lastParts;
  let project: string | undefined;
  let location: string | undefined;
  let projectFirst = false;
  let previous: string | undefined;
  let last: string | undefined;
  for (let i = pathStart(fullName); i <= fullName.length;) {
    const slash = fullName.indexOf('/', i);
    const end = slash < 0 ? fullName.length : slash;
    if (end > i) {
      const segment = fullName.slice(i, end);
      if (previous === 'projects' && project === undefined) {
        project = segment;
        projectFirst = location === undefined;
      }
      if (previous !== undefined && LOCATION_KEYS.has(previous) && location === undefined) {
        location = segment;
      }
      previous = segment;
      last = segment;
    }
    i = end + 1;
  }
  const parts: CaiNameParts = { name: safeDecode(last ?? fullName) };
  if (projectFirst) parts.project = project;
  if (location !== undefined) parts.location = location;
  if (project !== undefined && !projectFirst) parts.project = project;
  lastName = fullName;
  lastParts = Object.freeze(parts);
  return lastParts;
}

/** Where the path starts: after a leading `//host/` (a host of one or more characters). */
function pathStart(fullName: string): number {
  if (!fullName.startsWith('//')) return 0;
  const slash = fullName.indexOf('/', 2);
  return slash > 2 ? slash + 1 : 0;
}

/** URI-decodes a name segment; a malformed escape is kept as written. */
export function safeDecode(segment: string): string {
  // Without a `%` there is nothing to decode.
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Builds a full name from a service host and a relative path.
 *
 * ```ts
 * caiName('storage', 'my-bucket'); // '//storage.googleapis.com/my-bucket'
 * ```
 */
export function caiName(service: string, relative: string): string {
  return `//${service}.googleapis.com/${relative.replace(/^\/+/, '')}`;
}

/** Last path segment of a URL or relative name (`.../zones/us-east1-b` -> `us-east1-b`). */
export function lastSegment(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const segs = value.split('/').filter((s) => s !== '');
  return segs[segs.length - 1];
}

/**
 * Relative name from a compute or container selfLink
 * (`https://www.googleapis.com/compute/v1/projects/p/global/firewalls/f` ->
 * `projects/p/global/firewalls/f`), or undefined when the link holds no project path.
 */
export function relativeFromSelfLink(selfLink: unknown): string | undefined {
  if (typeof selfLink !== 'string') return undefined;
  const m = /\/(projects\/[^/]+\/.+)$/.exec(selfLink);
  return m ? m[1] : undefined;
}
