/**
 * The helper functions rule expressions may call, on top of CEL's standard library. Each is
 * pure, total (odd input gives false or null, never an exception) and fast.
 */

import { isIP } from 'node:net';
import { posix } from 'node:path';
import { types } from 'node:util';
import { normaliseLocation } from '../sources/azure/arm-resource.js';
import { isKubernetesDefaultRole } from '../sources/kubernetes/default-rbac.js';
import { safeMatches } from './safe-regex.js';

/** A helper function offered to rule expressions, registered once in the CEL environment. */
export interface CelFunction {
  /** cel-js signature, e.g. `cidrIsPublic(string): bool` or `string.safeMatches(string): bool`. */
  signature: string;
  description: string;
  // Parameters are typed by the signature; CEL hands over plain JS values (ints as bigint).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  impl: (...args: any[]) => unknown;
}

const PUBLIC_SOURCES = new Set(['0.0.0.0/0', '::/0', '*', 'internet', 'any', '0.0.0.0']);

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Parses `22`, `"22"`, `"20-25"`, `"*"` into an inclusive range; null when it is not a range. */
export function parsePortRange(value: unknown): [number, number] | null {
  return typeof value === 'string' ? portRangeText(value) : parsePort(value);
}

/** The range a port text gives, remembered (the same few texts recur on every rule). */
const portRangeText = memoised((text: string) => {
  const range = parsePort(text);
  return range && (Object.freeze(range) as [number, number]);
});

function parsePort(value: unknown): [number, number] | null {
  if (value === '*' || value === 'all' || value === 'Any') return [0, 65535];
  const single = toNumber(value);
  if (single !== undefined) return [single, single];
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value);
  if (!match) return null;
  return [Number(match[1]), Number(match[2])];
}

function isAllowStatement(statement: unknown): statement is Record<string, unknown> {
  return (
    typeof statement === 'object' &&
    statement !== null &&
    (statement as Record<string, unknown>).Effect === 'Allow'
  );
}

function statements(policy: unknown): unknown[] {
  if (typeof policy === 'string') {
    try {
      return statements(JSON.parse(policy));
    } catch {
      return [];
    }
  }
  if (typeof policy !== 'object' || policy === null) return [];
  const list = (policy as Record<string, unknown>).Statement;
  return asList(list);
}

/** True when a statement's `Principal` names everyone: `"*"` or `{ AWS: "*" }` (alone or listed). */
function principalIsPublic(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const aws = (principal as Record<string, unknown>).AWS;
  return asList(aws).includes('*');
}

/**
 * Condition keys whose value is fixed by who calls or from where, not by the request the caller
 * writes: compared with a fixed value they narrow a `*` principal to known accounts, an
 * organisation, networks or services. These are the keys S3 names in "The meaning of public" and
 * IAM Access Analyzer reads; keys a caller controls (aws:SecureTransport, aws:UserAgent,
 * aws:Referer, s3:prefix, ...) restrict nothing.
 */
const IDENTITY_CONDITION_KEYS = new Set([
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:userid',
  'kms:calleraccount',
  'lambda:functionarn',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

/**
 * Operators that admit a request only when the key is present and equal to (or, for the `Like`
 * forms, matching) a listed value. The negated forms admit everyone else; `...IfExists` and
 * `ForAllValues:` admit a request that lacks the key, which anonymous requests do.
 */
const MATCHING_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
]);

/**
 * True when a value compared with a matching operator names something fixed. A value that opens
 * with a wildcard (`*`, `*:role/x`) or a `Like` ARN with a wildcard account (`arn:aws:iam::*:...`)
 * matches anyone. A value that is not text (a CloudFormation `Ref`, an account number) resolves
 * to one fixed value when deployed.
 */
function fixedValue(value: unknown, like: boolean): boolean {
  if (typeof value !== 'string') return value !== null && value !== undefined;
  if (value === '') return false;
  if (!like) return true;
  if (/^[*?]/.test(value)) return false;
  const account = value.startsWith('arn:') ? value.split(':')[4] : undefined;
  return account === undefined || !/[*?]/.test(account);
}

/**
 * True when one operator block of a Condition (`{ StringEquals: { "aws:SourceVpce": "vpce-1" } }`)
 * narrows who can call: some key that identifies the caller is matched against fixed values, or
 * aws:SourceIp is limited to ranges that do not count as the internet.
 */
function operatorRestricts(operator: string, block: unknown): boolean {
  let name = operator.toLowerCase();
  if (name.startsWith('foranyvalue:')) name = name.slice('foranyvalue:'.length);
  const entries = record(block);
  if (!entries) return false;
  return Object.entries(entries).some(([key, values]) => {
    const list = asList(values);
    if (list.length === 0) return false;
    const lowerKey = key.toLowerCase();
    if (lowerKey === 'aws:sourceip') return name === 'ipaddress' && !sourcesAreInternet(list);
    if (!MATCHING_OPERATORS.has(name) || !IDENTITY_CONDITION_KEYS.has(lowerKey)) return false;
    const like = name.endsWith('like');
    return list.every((value) => fixedValue(value, like));
  });
}

/** True when a statement's Condition narrows who can call (its blocks must all hold). */
function conditionRestrictsCaller(statement: Record<string, unknown>): boolean {
  const condition = record(statement.Condition);
  if (!condition) return false;
  return Object.entries(condition).some(([operator, block]) => operatorRestricts(operator, block));
}

/**
 * True when an Allow statement admits anyone: its principal is `*`, or it names who is left out
 * (`NotPrincipal`, which admits every other caller, anonymous ones too), and no condition narrows
 * the caller to known accounts, an organisation, networks or services.
 */
function statementIsPublic(statement: Record<string, unknown>): boolean {
  const everyone =
    principalIsPublic(statement.Principal) ||
    (statement.NotPrincipal !== undefined && statement.NotPrincipal !== null);
  return everyone && !conditionRestrictsCaller(statement);
}

/**
 * Results of a pure function of a string, remembered: rules ask the same questions of the same
 * values (`*`, `Internet`, `22`, `3389`) on every rule of every network security group. Past
 * `MEMO_MAX` distinct values the memory is cleared, so it stays small.
 */
function memoised<T>(compute: (text: string) => T): (text: string) => T {
  const memo = new Map<string, T>();
  return (text) => {
    const known = memo.get(text);
    if (known !== undefined || memo.has(text)) return known as T;
    const value = compute(text);
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(text, value);
    return value;
  };
}

const MEMO_MAX = 10_000;

/**
 * True for a source that counts as the internet on its own: a word for anyone (`*`, `Internet`,
 * `Any`), any /0 prefix whatever address is written before it (`192.168.1.0/0` is the whole IPv4
 * internet), or a range holding more public addresses than a /8 (IPv4) or /16 (IPv6), which no
 * single owner holds (`0.0.0.0/1` is half the internet).
 */
export function isPublicSource(value: unknown): boolean {
  return typeof value === 'string' && publicText(value);
}

const publicText = memoised((value: string): boolean => sourcesAreInternet([value]));

/** True for a source that is every address: a word for anyone, or a /0 prefix. */
function isWholeSpace(value: string): boolean {
  const text = value.trim().toLowerCase();
  if (PUBLIC_SOURCES.has(text)) return true;
  const range = addressRange(text);
  return range !== null && range.first === 0n && range.last === range.family.top;
}

/**
 * True when a set of sources (one rule's ranges, taken together) counts as the internet: one of
 * them does on its own (see `isPublicSource`), or together they hold every public address of IPv4
 * or of IPv6, as `0.0.0.0/1` with `128.0.0.0/1` do.
 */
export function sourcesAreInternet(sources: unknown): boolean {
  return sourceSetIsInternet(sourceTexts(sources).join('\n'));
}

/**
 * `sourcesAreInternet` for sources joined by newlines, remembered: the same few source lists
 * recur on every permission of every security group, and counting addresses takes big integers.
 */
const sourceSetIsInternet = memoised((joined: string): boolean => {
  const texts = joined === '' ? [] : joined.split('\n');
  if (texts.some(isWholeSpace)) return true;
  const ranges = texts.map(addressRange).filter((r): r is AddressRange => r !== null);
  for (const family of [IPV4, IPV6]) {
    const own = ranges.filter((r) => r.family === family);
    if (own.some((r) => publicCount([r], family) > family.wide)) return true;
    if (own.length > 0 && publicCount(own, family) === family.publicTotal) return true;
  }
  return false;
});

/**
 * True when a set of sources holds every address: a word for anyone, a /0, or ranges whose union
 * covers every public address. What a Deny must cover to shut the internet out.
 */
function sourcesCoverInternet(sources: unknown): boolean {
  const texts = sourceTexts(sources);
  if (texts.some(isWholeSpace)) return true;
  const ranges = texts.map(addressRange).filter((r): r is AddressRange => r !== null);
  return [IPV4, IPV6].some((family) => {
    const own = ranges.filter((r) => r.family === family);
    return own.length > 0 && publicCount(own, family) === family.publicTotal;
  });
}

/** The texts among sources given as one text or a list (lists of lists are flattened once). */
function sourceTexts(sources: unknown): string[] {
  return asList(sources)
    .flatMap((item) => (Array.isArray(item) ? item : [item]))
    .filter((item): item is string => typeof item === 'string');
}

/** An IP version: its address width, and which of its addresses are public. */
interface AddressFamily {
  bits: number;
  /** The last address (all ones). */
  top: bigint;
  /** Public addresses as sorted, disjoint inclusive ranges. */
  publicRanges: [bigint, bigint][];
  publicTotal: bigint;
  /** A single range with more public addresses than this counts as the internet. */
  wide: bigint;
}

/** An address range (a CIDR or a single address) as its first and last address. */
interface AddressRange {
  family: AddressFamily;
  first: bigint;
  last: bigint;
}

function addressFamily(bits: number, privateCidrs: string[], within: string, wide: number) {
  const top = (1n << BigInt(bits)) - 1n;
  const family: AddressFamily = { bits, top, publicRanges: [], publicTotal: 0n, wide: 0n };
  const [base, length] = within.split('/');
  const start = addressValue(base, bits) ?? 0n;
  const size = 1n << BigInt(bits - Number(length));
  let open: [bigint, bigint][] = [[start, start + size - 1n]];
  for (const cidr of privateCidrs) {
    const [address, prefix] = cidr.split('/');
    const first = addressValue(address, bits) ?? 0n;
    const last = first + (1n << BigInt(bits - Number(prefix))) - 1n;
    open = open.flatMap(([a, b]): [bigint, bigint][] => {
      if (last < a || first > b) return [[a, b]];
      const kept: [bigint, bigint][] = [];
      if (a < first) kept.push([a, first - 1n]);
      if (last < b) kept.push([last + 1n, b]);
      return kept;
    });
  }
  family.publicRanges = open;
  family.publicTotal = open.reduce((sum, [a, b]) => sum + (b - a + 1n), 0n);
  family.wide = 1n << BigInt(bits - wide);
  return family;
}

/**
 * Addresses that are not on the internet: private (RFC 1918, shared address space, unique
 * local), loopback, link-local, "this network", documentation and benchmarking ranges,
 * multicast and reserved. For IPv6 only global unicast (2000::/3) is public.
 */
const IPV4 = addressFamily(
  32,
  [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.2.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/3',
  ],
  '0.0.0.0/0',
  8,
);
const IPV6 = addressFamily(128, ['2001:db8::/32'], '2000::/3', 16);

/** The number of public addresses the union of `ranges` holds. */
function publicCount(ranges: AddressRange[], family: AddressFamily): bigint {
  const sorted = ranges
    .map((r): [bigint, bigint] => [r.first, r.last])
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const merged: [bigint, bigint][] = [];
  for (const [a, b] of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && a <= previous[1] + 1n) previous[1] = b > previous[1] ? b : previous[1];
    else merged.push([a, b]);
  }
  let count = 0n;
  for (const [a, b] of merged) {
    for (const [c, d] of family.publicRanges) {
      const low = a > c ? a : c;
      const high = b < d ? b : d;
      if (low <= high) count += high - low + 1n;
    }
  }
  return count;
}

/** Reads `10.0.0.0/8`, `2001:db8::/32` or a single address; null for anything else. */
function addressRange(text: string): AddressRange | null {
  const trimmed = text.trim();
  const slash = trimmed.lastIndexOf('/');
  const address = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? IPV4 : IPV6;
  const prefix = slash < 0 ? String(family.bits) : trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > family.bits) return null;
  const value = addressValue(address, family.bits);
  if (value === undefined) return null;
  const host = (1n << BigInt(family.bits - Number(prefix))) - 1n;
  const first = value & (family.top ^ host);
  return { family, first, last: first | host };
}

/** An IPv4 (bits 32) or IPv6 (bits 128) address as a number; undefined when it does not read. */
function addressValue(address: string, bits: number): bigint | undefined {
  if (bits === 32) {
    return address.split('.').reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n);
  }
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = addressValue(dotted[1], 32) ?? 0n;
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return groups.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group || '0', 16)), 0n);
}

/** Wraps a single value into a list; null and undefined become the empty list. */
export function asList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Protocol names of EC2 permissions given by number. */
const PROTOCOLS: Record<string, string> = {
  '-1': 'all traffic',
  all: 'all traffic',
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
};

/** The IPv4 and IPv6 sources of an EC2 security group permission (an `IpPermissions` item). */
function permissionSources(p: Record<string, unknown>): string[] {
  return [
    ...asList(p.IpRanges).map((r) => (r as Record<string, unknown> | null)?.CidrIp),
    ...asList(p.Ipv6Ranges).map((r) => (r as Record<string, unknown> | null)?.CidrIpv6),
  ].filter((c): c is string => typeof c === 'string');
}

/**
 * True when an EC2 security group permission admits the internet: its sources, taken together,
 * count as the internet (see `sourcesAreInternet`).
 *
 * Known gap: sources are united within one permission (one `ingress` block, one rule), not
 * across the permissions of a group that open the same port, nor across the Allow rules of an
 * NSG or separate GCP firewall rules; halves split over two rules still pass.
 */
export function ingressFromInternet(permission: unknown): boolean {
  const p = record(permission);
  return p !== undefined && sourcesAreInternet(permissionSources(p));
}

/**
 * An EC2 security group permission (an `IpPermissions` item) as a finding shows it: protocol,
 * ports and the sources open to anyone (`tcp 22 from 0.0.0.0/0`). When no source is open to
 * anyone alone but several together hold every public address, those are all shown
 * (`tcp 22 from 0.0.0.0/1, 128.0.0.0/1`); other sources are left out.
 */
export function ingressText(permission: unknown): string {
  if (typeof permission !== 'object' || permission === null) return '';
  const p = permission as Record<string, unknown>;
  const raw = typeof p.IpProtocol === 'string' ? p.IpProtocol : '-1';
  const protocol = Object.hasOwn(PROTOCOLS, raw) ? PROTOCOLS[raw] : raw;
  const from = toNumber(p.FromPort);
  const to = toNumber(p.ToPort);
  let ports = '';
  if (protocol !== 'all traffic' && from !== undefined && to !== undefined) {
    ports = from <= 0 && to >= 65535 ? ' all ports' : from === to ? ` ${from}` : ` ${from}-${to}`;
  }
  const all = permissionSources(p);
  let sources = all.filter(isPublicSource);
  if (sources.length === 0 && sourcesAreInternet(all)) sources = all.filter(holdsPublicAddresses);
  return `${protocol}${ports}${sources.length > 0 ? ` from ${sources.join(', ')}` : ''}`;
}

/** True for a source range that holds some public address. */
function holdsPublicAddresses(source: string): boolean {
  const range = addressRange(source);
  return range !== null && publicCount([range], range.family) > 0n;
}

/** A container image reference split the way a container runtime reads it. */
export interface ImageReference {
  /** Registry host (and port), lower-cased; Docker Hub is `docker.io`. */
  registry: string;
  /** Repository path inside the registry; Docker Hub's official images sit under `library/`. */
  repository: string;
}

/** Host names that all mean Docker Hub. */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Reads `[registry/]repository[:tag][@digest]`. The first path component is the registry when
 * it has a `.` or `:`, is `localhost` or has capitals (repository paths are lower case);
 * otherwise the image comes from Docker Hub, where a one-component name is an official image
 * (`nginx` is `docker.io/library/nginx`). Null for a value that is not a well-formed reference.
 */
export function parseImageReference(image: unknown): ImageReference | null {
  return typeof image === 'string' ? imageReferenceText(image) : null;
}

const imageReferenceText = memoised((image: string): ImageReference | null => {
  const at = image.indexOf('@');
  if (at >= 0 && !DIGEST.test(image.slice(at + 1))) return null;
  const name = at < 0 ? image : image.slice(0, at);
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();
  if (hasRegistry && !HOST.test(first)) return null;
  const path = hasRegistry ? name.slice(slash + 1) : name;
  const colon = path.lastIndexOf(':');
  const repository = colon < 0 ? path : path.slice(0, colon);
  if (!REPOSITORY.test(repository) || (colon >= 0 && !TAG.test(path.slice(colon + 1)))) {
    return null;
  }
  const registry = hasRegistry ? registryHost(first) : 'docker.io';
  const official = registry === 'docker.io' && !repository.includes('/');
  return { registry, repository: official ? `library/${repository}` : repository };
});

/**
 * The grammar of distribution's image references: a malformed reference (one a runtime would
 * refuse to pull, such as `registry.example.com@attacker.io/x`) comes from no registry.
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const HOST = /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/** True when the first component of an image name is a registry host, not a repository path. */
function namesRegistryHost(first: string): boolean {
  return /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();
}

/** A registry host as compared: host names are case-insensitive, Docker Hub has one name. */
function registryHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_HOSTS.has(lower) ? 'docker.io' : lower;
}

/**
 * True when `image` comes from one of the `allowed` entries. An entry names a registry host
 * (`registry.example.com`, `host:5000`), optionally with a repository path prefix
 * (`ghcr.io/acme`, a trailing `/` or not). An entry with a `/` is read as an image name is, so
 * `acme/` is the Docker Hub namespace `docker.io/acme`; `docker.io/nginx` allows both the
 * namespace `nginx` and the official image `nginx` (`docker.io/library/nginx`), which is what
 * Docker pulls for that name, while `docker.io/nginx/` is the namespace alone. Hosts match whole and without case; a
 * path prefix matches whole `/`-separated components (`ghcr.io/acme` allows `ghcr.io/acme/app`, not
 * `ghcr.io/acme-evil/app`). Tags and digests play no part.
 */
export function imageFromAllowedRegistry(image: unknown, allowed: unknown): boolean {
  const reference = parseImageReference(image);
  if (!reference) return false;
  return asList(allowed).some(
    (entry) => typeof entry === 'string' && entryAllows(entry, reference),
  );
}

function entryAllows(entry: string, image: ImageReference): boolean {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const first = slash < 0 ? text : text.slice(0, slash);
  if (first === '') return false;
  const namesRegistry = slash < 0 || namesRegistryHost(first);
  if ((namesRegistry ? registryHost(first) : 'docker.io') !== image.registry) return false;
  const path = namesRegistry ? text.slice(first.length) : text;
  const prefix = path.split('/').filter(Boolean).join('/');
  if (prefix === '' || image.repository === prefix || image.repository.startsWith(`${prefix}/`)) {
    return true;
  }
  // `docker.io/nginx` is also the official image, as `docker pull docker.io/nginx` reads it.
  return (
    namesRegistry &&
    image.registry === 'docker.io' &&
    !path.endsWith('/') &&
    !prefix.includes('/') &&
    image.repository === `library/${prefix}`
  );
}

/**
 * An inbound security rule of an Azure network security group, as its evaluation needs it. The
 * rule comes in ARM's shape (`{ name, properties: { priority, access, ... } }`), which the ARM,
 * Terraform and inventory readers all give.
 */
interface NsgRule {
  name: string;
  priority: number;
  allow: boolean;
  /** Lower-case protocol (`tcp`, `udp`, `icmp`, ...) or `*`. */
  protocol: string;
  ports: PortRange[];
  /**
   * True when the sources count as the internet: for an Allow, as `sourcesAreInternet` reads
   * them; for a Deny, only when they cover every public address, or it would let some through.
   */
  fromInternet: boolean;
  /** True when the destination is every address the group guards (`*`, `VirtualNetwork`). */
  toEverything: boolean;
}

type PortRange = readonly [number, number];

const ALL_PORTS: PortRange[] = [[0, 65535]];

/** Protocols a question about "any protocol" asks for: the ones that carry ports. */
const PORT_PROTOCOLS = ['tcp', 'udp'];

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function lowerText(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/** Port ranges written as a number, `"22"`, `"20-25"`, `"*"`, `"80,443"` or a list of those. */
function portRanges(...values: unknown[]): PortRange[] {
  const out: PortRange[] = [];
  // Loops, not `flatMap` and `split`: every check of a security group reads its ports.
  for (const value of values) {
    if (Array.isArray(value)) {
      for (const item of value) addPortRanges(out, item);
    } else if (value !== null && value !== undefined) addPortRanges(out, value);
  }
  return out;
}

/** Adds the ranges of one port value (a number, or a text of ranges separated by commas). */
function addPortRanges(out: PortRange[], value: unknown): void {
  if (typeof value !== 'string') {
    addPortRange(out, parsePortRange(value));
    return;
  }
  if (!value.includes(',')) {
    addPortRange(out, parsePortRange(value.trim()));
    return;
  }
  for (const part of value.split(',')) addPortRange(out, parsePortRange(part.trim()));
}

function addPortRange(out: PortRange[], range: PortRange | null): void {
  if (range && range[0] <= range[1]) out.push(range);
}

/** Sources or destinations of a rule: the single prefix and the prefix list together. */
function prefixes(single: unknown, list: unknown): string[] {
  return [single, ...asList(list)].filter((p): p is string => typeof p === 'string');
}

/** A destination that is every address behind the group, so a Deny there covers all of it. */
function coversEverything(prefix: string): boolean {
  return isWholeSpace(prefix) || prefix.trim().toLowerCase() === 'virtualnetwork';
}

/**
 * The inbound rules of `rules` in the order Azure tries them (ascending priority). A Deny rule
 * without a readable priority is left out: where it would stand is unknown, so it shadows
 * nothing; an Allow rule without one goes last, still admitting what nothing else decided.
 */
function inboundRules(rules: unknown): NsgRule[] {
  // A group's rules are read by several of its checks (SSH, RDP, UDP, ...) and their evidence:
  // parsed and sorted once per list. A read-watching view is read afresh each time, so every
  // check sees the unknown values it reads.
  if (typeof rules !== 'object' || rules === null || types.isProxy(rules)) {
    return parseInboundRules(rules);
  }
  let parsed = parsedInboundRules.get(rules);
  if (!parsed) parsedInboundRules.set(rules, (parsed = parseInboundRules(rules)));
  return parsed;
}

/** `inboundRules` by the rule list they were read from (lists are never changed once read). */
const parsedInboundRules = new WeakMap<object, NsgRule[]>();

function parseInboundRules(rules: unknown): NsgRule[] {
  const out: NsgRule[] = [];
  for (const item of asList(rules)) {
    const props = record(record(item)?.properties);
    if (!props || lowerText(props.direction) !== 'inbound') continue;
    const access = lowerText(props.access);
    const priority = toNumber(props.priority) ?? Infinity;
    if (access !== 'allow' && (access !== 'deny' || priority === Infinity)) continue;
    const name = record(item)?.name;
    out.push({
      name: typeof name === 'string' && name !== '' ? name : `priority ${priority}`,
      priority,
      allow: access === 'allow',
      protocol: props.protocol === undefined ? '*' : lowerText(props.protocol),
      ports: portRanges(props.destinationPortRange, props.destinationPortRanges),
      fromInternet: (access === 'allow' ? sourcesAreInternet : sourcesCoverInternet)(
        prefixes(props.sourceAddressPrefix, props.sourceAddressPrefixes),
      ),
      toEverything: prefixes(props.destinationAddressPrefix, props.destinationAddressPrefixes).some(
        coversEverything,
      ),
    });
  }
  return out.sort((a, b) => a.priority - b.priority);
}

/** True when some port lies in both `ranges` and `others`. */
function overlaps(ranges: readonly PortRange[], others: readonly PortRange[]): boolean {
  // Indexed, not destructured: this runs for every rule of every group's checks.
  for (let i = 0; i < ranges.length; i += 1) {
    const a = ranges[i][0];
    const b = ranges[i][1];
    for (let j = 0; j < others.length; j += 1) {
      const c = others[j][0];
      const d = others[j][1];
      if (Math.max(a, c) <= Math.min(b, d)) return true;
    }
  }
  return false;
}

/**
 * The ports of `ranges` that no range of `others` holds. A range `others` leaves whole is kept
 * as it is (ranges are never changed once made), not copied.
 */
function subtract(ranges: PortRange[], others: readonly PortRange[]): PortRange[] {
  let left = ranges;
  for (let j = 0; j < others.length; j += 1) {
    const c = others[j][0];
    const d = others[j][1];
    const next: PortRange[] = [];
    for (let i = 0; i < left.length; i += 1) {
      const range = left[i];
      const a = range[0];
      const b = range[1];
      if (d < a || c > b) {
        next.push(range);
        continue;
      }
      if (a < c) next.push([a, c - 1]);
      if (d < b) next.push([d + 1, b]);
    }
    left = next;
  }
  return left;
}

/**
 * The first Allow rule `pick` accepts (any, without one) among those that decide internet
 * traffic of `protocol` to some of `wanted` ports, in the order Azure tries them. A rule decides
 * the ports no earlier rule decided; a Deny decides only when it covers the whole internet and
 * every destination, or some traffic would get past it. Traffic no rule decides meets the
 * default rules, which admit only the virtual network and the load balancer.
 */
function firstInternetAllow(
  rules: NsgRule[],
  protocol: string,
  wanted: PortRange[],
  pick: ((rule: NsgRule) => boolean) | undefined,
): NsgRule | undefined {
  let open = wanted;
  for (const rule of rules) {
    if (open.length === 0) break;
    if (!rule.fromInternet || (rule.protocol !== '*' && rule.protocol !== protocol)) continue;
    if (!overlaps(open, rule.ports)) continue;
    if (rule.allow && (pick === undefined || pick(rule))) return rule;
    if (rule.toEverything) open = subtract(open, rule.ports);
  }
  return undefined;
}

/** The protocols a question names: `tcp`, `udp`, or both for `*`. */
function askedProtocols(protocol: string): string[] {
  const asked = protocol.trim().toLowerCase();
  return asked === '*' || asked === 'any' ? PORT_PROTOCOLS : [asked];
}

/** The first rule by priority among the first allows of each protocol; null when none. */
function firstAllow(
  rules: NsgRule[],
  protocols: string[],
  wanted: PortRange[],
  pick?: (rule: NsgRule) => boolean,
): string | null {
  let first: NsgRule | undefined;
  for (const protocol of protocols) {
    const allow = firstInternetAllow(rules, protocol, wanted, pick);
    if (allow && (!first || allow.priority < first.priority)) first = allow;
  }
  return first?.name ?? null;
}

/**
 * The name of the security rule through which a network security group admits `protocol`
 * (`tcp`, `udp`, `*` for either) from the internet to one of `ports` (a port, a range text such
 * as `"1024-2048"` or `"*"`, or a list of those), judged as Azure judges inbound traffic: by
 * ascending priority, first match wins. Null when the group admits none of it.
 *
 * @example nsgAllowsFromInternet(r.properties.securityRules, 'tcp', 22) == null
 */
export function nsgAllowsFromInternet(
  rules: unknown,
  protocol: unknown,
  ports: unknown,
): string | null {
  if (typeof protocol !== 'string') return null;
  return firstAllow(inboundRules(rules), askedProtocols(protocol), portRanges(ports));
}

/** True when `rule` opens every port. */
function opensAllPorts(rule: NsgRule): boolean {
  return subtract(ALL_PORTS, rule.ports).length === 0;
}

/**
 * The name of a security rule that opens every port (TCP or UDP) to the internet and still
 * decides some traffic (no higher-priority rule denies all it opens); null when there is none.
 */
export function nsgAllowsAllPortsFromInternet(rules: unknown): string | null {
  return firstAllow(inboundRules(rules), PORT_PROTOCOLS, ALL_PORTS, opensAllPorts);
}

/**
 * A Kubernetes hostPath as the node resolves it by name: `//`, `/./`, `..` and a trailing `/`
 * taken out, and `/proc/<pid>/root/...` (the host's file system as that process sees it: pid 1's
 * is the node's own root) read as the path under it. A rule matching `/var/run/docker.sock` or
 * `/` then also matches `/var/./run//docker.sock/` and `/proc/1/root`. Not a string: ''.
 */
export function normalHostPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') return '';
  let normal = posix.normalize(path);
  if (normal.length > 1 && normal.endsWith('/')) normal = normal.slice(0, -1);
  const viaProc = /^\/proc\/(?:\d+|self|thread-self)\/root(?=\/|$)/.exec(normal);
  if (viaProc) normal = normal.slice(viaProc[0].length) || '/';
  return normal;
}

export const celFunctions: CelFunction[] = [
  {
    signature: 'ingressText(dyn): string',
    description:
      'An EC2 security group permission as text: protocol, ports and its public sources ("tcp 22 from 0.0.0.0/0")',
    impl: (permission: unknown) => ingressText(permission),
  },
  {
    signature: 'cidrIsPublic(dyn): bool',
    description:
      'True for a source, or a list of sources taken together, meaning "anyone": *, Internet, Any, any /0 prefix (0.0.0.0/0, 192.168.1.0/0, ::/0), a range with more public addresses than a /8 (IPv4) or /16 (IPv6) holds (0.0.0.0/1), or ranges that together hold every public address (0.0.0.0/1 with 128.0.0.0/1)',
    impl: (cidr: unknown) =>
      Array.isArray(cidr) ? sourcesAreInternet(cidr) : isPublicSource(cidr),
  },
  {
    signature: 'ingressFromInternet(dyn): bool',
    description:
      'True when an EC2 security group permission admits the internet: its IPv4 and IPv6 ranges, taken together, mean "anyone" as cidrIsPublic reads a list',
    impl: (permission: unknown) => ingressFromInternet(permission),
  },
  {
    signature: 'normalHostPath(dyn): string',
    description:
      "A hostPath as the node resolves it by name: '//', '/./', '..' and a trailing '/' taken out, /proc/<pid>/root/X read as /X; '' for a non-string",
    impl: (path: unknown) => normalHostPath(path),
  },
  {
    signature: 'isPrivateAddress(dyn): bool',
    description: 'True for RFC 1918, loopback, link-local and unique-local addresses or CIDRs',
    impl: (value: unknown) => {
      if (typeof value !== 'string') return false;
      const ip = value.split('/')[0].trim();
      if (isIP(ip) === 4) {
        const [a, b] = ip.split('.').map(Number);
        return (
          a === 10 ||
          a === 127 ||
          (a === 172 && b >= 16 && b <= 31) ||
          (a === 192 && b === 168) ||
          (a === 169 && b === 254)
        );
      }
      if (isIP(ip) === 6) return /^(fc|fd|fe80|::1$)/i.test(ip);
      return false;
    },
  },
  {
    signature: 'portInRange(int, dyn, dyn): bool',
    description: 'True when port lies within from..to; ports as numbers or strings ("*" = all)',
    impl: (port: bigint, from: unknown, to: unknown) => {
      const p = Number(port);
      const low = from === null || from === undefined ? [0, 0] : parsePortRange(from);
      const high = to === null || to === undefined ? [65535, 65535] : parsePortRange(to);
      if (!low || !high) return false;
      return p >= low[0] && p <= high[1];
    },
  },
  {
    signature: 'nsgAllowsFromInternet(dyn, dyn, dyn): dyn',
    description:
      'The Azure NSG security rule through which internet traffic of a protocol ("tcp", "udp", "*") reaches one of the ports (a port, "20-25", "*" or a list), by priority, first match wins; null when none',
    impl: nsgAllowsFromInternet,
  },
  {
    signature: 'nsgAllowsAllPortsFromInternet(dyn): dyn',
    description:
      'An Azure NSG security rule opening every port to the internet that no higher-priority rule shadows; null when none',
    impl: nsgAllowsAllPortsFromInternet,
  },
  {
    signature: 'rangeIncludesPort(dyn, int): bool',
    description: 'True when a port range string ("22", "0-65535", "*") includes port',
    impl: (range: unknown, port: bigint) => {
      const parsed = parsePortRange(range);
      return parsed !== null && Number(port) >= parsed[0] && Number(port) <= parsed[1];
    },
  },
  {
    signature: 'policyAllowsPublic(dyn): bool',
    description:
      'True when a policy document allows Principal "*" (or anyone but a NotPrincipal) with no condition that narrows the caller (aws:SourceVpce, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceIp off the internet, ...)',
    impl: (policy: unknown) =>
      statements(policy).some((s) => isAllowStatement(s) && statementIsPublic(s)),
  },
  {
    signature: 'policyAllowsAdmin(dyn): bool',
    description: 'True when a policy document allows Action "*" on Resource "*"',
    impl: (policy: unknown) =>
      statements(policy).some(
        (s) =>
          isAllowStatement(s) && asList(s.Action).includes('*') && asList(s.Resource).includes('*'),
      ),
  },
  {
    signature: 'policyAllowsAction(dyn, string): bool',
    description: 'True when an Allow statement grants the action (service:* and * count too)',
    impl: (policy: unknown, action: string) => {
      const service = action.split(':')[0];
      const wanted = new Set(['*', `${service}:*`, action].map((a) => a.toLowerCase()));
      return statements(policy).some(
        (s) =>
          isAllowStatement(s) &&
          asList(s.Action).some((a) => typeof a === 'string' && wanted.has(a.toLowerCase())),
      );
    },
  },
  {
    signature: 'asList(dyn): list',
    description: 'Wraps a single value into a list; null becomes []',
    impl: asList,
  },
  {
    signature: 'lower(dyn): string',
    description: 'Lower-cases a string; non-strings become ""',
    impl: (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : ''),
  },
  {
    signature: 'azureLocation(dyn): string',
    description:
      'An Azure location as the API names it: `West Europe`, `WestEurope` and `westeurope` all give `westeurope`; non-strings become ""',
    impl: (value: unknown) => (typeof value === 'string' ? normaliseLocation(value) : ''),
  },
  {
    signature: 'arnMatchesAnyPartition(dyn, string): bool',
    description:
      'True when an ARN equals the given one in every field but the partition: `arn:aws-us-gov:iam::aws:policy/X` and `arn:${AWS::Partition}:iam::aws:policy/X` match `arn:aws:iam::aws:policy/X`',
    impl: (value: unknown, arn: string) => {
      const rest = arnAfterPartition(value);
      return rest !== undefined && rest === arnAfterPartition(arn);
    },
  },
  {
    signature: 'daysSince(dyn): double',
    description: 'Days from an ISO timestamp to now; -1 when it does not parse',
    impl: (value: unknown) => {
      const time = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isNaN(time) ? -1 : (Date.now() - time) / 86_400_000;
    },
  },
  {
    signature: 'daysSinceAsOf(dyn, dyn): double',
    description:
      "Days from an ISO timestamp to the time the inventory was taken (the second argument: a credential report's GeneratedTime), or to now when that is empty; -1 when the first does not parse",
    impl: (value: unknown, asOf: unknown) => {
      const time = typeof value === 'string' ? Date.parse(value) : NaN;
      const taken = typeof asOf === 'string' && asOf !== '' ? Date.parse(asOf) : Date.now();
      return Number.isNaN(time) || Number.isNaN(taken) ? -1 : (taken - time) / 86_400_000;
    },
  },
  {
    signature: 'toInt(dyn): int',
    description: 'Number or numeric string as an int; -1 when it is not a number',
    impl: (value: unknown) => {
      const n = typeof value === 'string' ? Number(value.trim()) : toNumber(value);
      return n === undefined || Number.isNaN(n) ? -1n : BigInt(Math.trunc(n));
    },
  },
  {
    signature: 'string.safeMatches(string): bool',
    description: 'RE2 regular-expression search (what `matches` compiles to in rules)',
    impl: (text: string, pattern: string) => safeMatches(text, pattern),
  },
  {
    signature: 'safeMatches(string, string): bool',
    description: 'RE2 regular-expression search (what `matches` compiles to in rules)',
    impl: (text: string, pattern: string) => safeMatches(text, pattern),
  },
  {
    signature: 'imageFromAllowedRegistry(dyn, dyn): bool',
    description:
      'True when a container image comes from one of the allowed registries (`registry.example.com`, `ghcr.io/acme`): hosts compared whole and without case, `nginx` read as docker.io/library/nginx, paths matched on `/` boundaries',
    impl: imageFromAllowedRegistry,
  },
  {
    signature: 'kubernetesDefaultRole(dyn, dyn, dyn): bool',
    description:
      'True for a Role or ClusterRole the API server creates and restores (cluster-admin, admin, edit, view, system:...): its resource id names a default role, its labels carry kubernetes.io/bootstrapping: rbac-defaults and its annotations do not turn autoupdate off',
    impl: isKubernetesDefaultRole,
  },
  {
    signature: 'podSpec(dyn): map',
    description: 'The pod spec of a Pod or workload (template or job template); {} when none',
    impl: (object: unknown) => podSpecOf(object) ?? {},
  },
  {
    signature: 'containers(dyn): list',
    description: 'Every container of a Pod or workload: init, regular and ephemeral',
    impl: (object: unknown) => {
      const spec = podSpecOf(object);
      if (!spec) return [];
      return [spec.initContainers, spec.containers, spec.ephemeralContainers].flatMap(asList);
    },
  },
];

/**
 * An ARN from the field after its partition on; the partition may be an IaC placeholder
 * (`${AWS::Partition}`, see model/aws-partition.ts), which holds colons of its own.
 */
function arnAfterPartition(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^arn:(?:\$\{[^}]*\}|[^:]*):(.*)$/s.exec(value)?.[1];
}

function field(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const next = (value as Record<string, unknown>)[key];
  return typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : undefined;
}

/** Finds the pod spec inside a Kubernetes object of any workload kind. */
export function podSpecOf(object: unknown): Record<string, unknown> | undefined {
  const kind =
    typeof object === 'object' && object !== null
      ? (object as Record<string, unknown>).kind
      : undefined;
  const spec = field(object, 'spec');
  if (!spec) return undefined;
  if (kind === 'Pod') return spec;
  if (kind === 'CronJob') {
    return field(field(field(field(spec, 'jobTemplate'), 'spec'), 'template'), 'spec');
  }
  return field(field(spec, 'template'), 'spec');
}
