/**
 * The one gate every outbound connection of export and automation passes: a destination name is
 * resolved, each address is checked against the refused ranges (link-local, cloud metadata,
 * loopback, private, shared, reserved), and the connection is made to the address that was
 * checked, so a name that resolves differently a moment later (DNS rebinding) gains nothing.
 */

import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/** Environment variable: destinations sinks may reach although loopback or private (CIDRs, names). */
export const EXPORT_ALLOW_ENV = 'PALISADE_EXPORT_ALLOW';

/** The allow-list from `PALISADE_EXPORT_ALLOW` (comma-separated), empty when unset. */
export function allowListFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[EXPORT_ALLOW_ENV] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** One resolved address of a destination name. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (tests pass their own). */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

/**
 * Which destinations configuration lets through although they sit in a refused range: CIDRs
 * (`127.0.0.1/32`, `10.20.0.0/16`, `fd00::/8`), single addresses, or host names (exact, or
 * `*.corp.example` for every name under a domain). Link-local addresses, AWS's IPv6 metadata
 * address (fd00:ec2::254) and cloud metadata names are let through only by an entry that names
 * them specifically (a CIDR inside 169.254.0.0/16 or fe80::/10, `fd00:ec2::254` itself, or the
 * exact metadata name): a broad `0.0.0.0/0`, `fd00::/8` or an allowed host name that resolves
 * to one never opens the metadata service.
 */
export interface NetworkPolicy {
  allow?: readonly string[];
}

/** A destination the guard refused, with the reason and the address it checked. */
export class SsrfError extends Error {
  /** `ssrf_refused` for a refused destination, `dns_unresolved` when the name has no answer. */
  readonly code: 'ssrf_refused' | 'dns_unresolved';
  readonly host: string;
  readonly address?: string;

  constructor(
    host: string,
    reason: string,
    address?: string,
    code: 'ssrf_refused' | 'dns_unresolved' = 'ssrf_refused',
  ) {
    super(
      `Refused to connect to ${host}${address && address !== host ? ` (${address})` : ''}: ` +
        `${reason}. If this destination is intended, add the address or host to ` +
        `${EXPORT_ALLOW_ENV} (comma-separated CIDRs or host names) where the exporter runs.`,
    );
    this.name = 'SsrfError';
    this.code = code;
    this.host = host;
    this.address = address;
  }
}

/** Names cloud instance metadata services answer on, whatever they resolve to. */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'metadata.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.oraclecloud.com',
  'metadata.packet.net',
  'metadata.tencentyun.com',
]);

type Range = [string, number, 'ipv4' | 'ipv6', string];

/** Link-local: where every cloud's metadata endpoint lives (169.254.169.254, fe80::a9fe:a9fe). */
const LINK_LOCAL: Range[] = [
  ['169.254.0.0', 16, 'ipv4', 'link-local address'],
  ['fe80::', 10, 'ipv6', 'link-local address'],
  // AWS's IPv6 instance metadata endpoint: inside fc00::/7, but never opened by a broad entry.
  ['fd00:ec2::254', 128, 'ipv6', 'cloud metadata address'],
  // Metadata endpoints outside link-local: Alibaba Cloud's (inside 100.64.0.0/10, a range VPNs
  // and carrier NAT use, so an allow entry for it is common) and Oracle Cloud's legacy one.
  ['100.100.100.200', 32, 'ipv4', 'cloud metadata address'],
  ['192.0.0.192', 32, 'ipv4', 'cloud metadata address'],
];

/** Everything else that is not a public unicast destination. */
const REFUSED: Range[] = [
  ['0.0.0.0', 8, 'ipv4', '"this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'private address (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'shared address space (RFC 6598)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback address'],
  ['172.16.0.0', 12, 'ipv4', 'private address (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignment'],
  ['192.0.2.0', 24, 'ipv4', 'documentation address'],
  ['192.168.0.0', 16, 'ipv4', 'private address (RFC 1918)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking address'],
  ['198.51.100.0', 24, 'ipv4', 'documentation address'],
  ['203.0.113.0', 24, 'ipv4', 'documentation address'],
  ['224.0.0.0', 4, 'ipv4', 'multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'reserved address'],
  ['::', 128, 'ipv6', 'unspecified address'],
  ['::1', 128, 'ipv6', 'loopback address'],
  ['fc00::', 7, 'ipv6', 'unique local address'],
  ['fec0::', 10, 'ipv6', 'site-local address'],
  ['ff00::', 8, 'ipv6', 'multicast address'],
  ['100::', 64, 'ipv6', 'discard-only address'],
  ['2001:db8::', 32, 'ipv6', 'documentation address'],
];

function blockList(ranges: readonly Range[]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, type] of ranges) list.addSubnet(network, prefix, type);
  return list;
}

const LINK_LOCAL_LIST = blockList(LINK_LOCAL);
const LINK_LOCAL_LISTS: [BlockList, Range][] = LINK_LOCAL.map((range) => [
  blockList([range]),
  range,
]);

/** Which never-broad range (link-local, metadata) holds the address, as a reason. */
function linkLocalReason(address: string, type: 'ipv4' | 'ipv6'): string | undefined {
  if (!LINK_LOCAL_LIST.check(address, type)) return undefined;
  return LINK_LOCAL_LISTS.find(([list]) => list.check(address, type))?.[1][3];
}
const REFUSED_LISTS: [BlockList, Range][] = REFUSED.map((range) => [blockList([range]), range]);

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): string | undefined {
  const words = expandIpv6(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number): boolean => words.slice(from, to).every((w) => w === 0);

  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated but still routed by some stacks)
  if (zeros(0, 5) && (words[5] === 0xffff || words[5] === 0) && !zeros(6, 8)) {
    return v4(words[6], words[7]);
  }
  // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765)
  if (zeros(0, 4) && words[4] === 0xffff && words[5] === 0) return v4(words[6], words[7]);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix) and 64:ff9b:1::/48 (local-use NAT64, RFC 8215,
  // read as a /96 prefix: the address in the last 32 bits)
  if (words[0] === 0x64 && words[1] === 0xff9b && (zeros(2, 6) || words[2] === 1)) {
    return v4(words[6], words[7]);
  }
  // 2002:AABB:CCDD::/48 (6to4)
  if (words[0] === 0x2002) return v4(words[1], words[2]);
  return undefined;
}

/** Eight 16-bit words of an IPv6 address, or undefined when it is not one. */
function expandIpv6(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.split('%')[0].toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined): number[] =>
    part ? part.split(':').map((w) => Number.parseInt(w, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

interface AllowEntries {
  list: BlockList;
  /** Entries inside the link-local ranges: the only ones that may open them. */
  linkLocal: BlockList;
  names: Set<string>;
  suffixes: string[];
}

function parseAllowList(allow: readonly string[]): AllowEntries {
  const entries: AllowEntries = {
    list: new BlockList(),
    linkLocal: new BlockList(),
    names: new Set(),
    suffixes: [],
  };
  allow.forEach((raw, index) => {
    const entry = raw.trim().toLowerCase();
    const [network, prefixText] = entry.split('/');
    const family = isIP(network);
    if (family === 0) {
      if (prefixText !== undefined || !/^(\*\.)?[a-z0-9.-]+$/.test(entry)) {
        throw new TypeError(
          `network.allow[${index}]: "${raw}" is neither a CIDR, an address nor a host name`,
        );
      }
      if (entry.startsWith('*.')) entries.suffixes.push(entry.slice(1));
      else entries.names.add(entry);
      return;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new TypeError(`network.allow[${index}]: "${raw}" has a prefix length outside 0-${max}`);
    }
    entries.list.addSubnet(network, prefix, type);
    const minimum = family === 4 ? 16 : 10;
    if (prefix >= minimum && LINK_LOCAL_LIST.check(network, type)) {
      entries.linkLocal.addSubnet(network, prefix, type);
    }
  });
  return entries;
}

/** A host as configured, without IPv6 brackets, a trailing dot or capitals. */
function bareHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
}

/**
 * Decides, for one configuration, which hosts and addresses export may connect to.
 *
 * ```ts
 * const guard = new AddressGuard({ allow: ['127.0.0.1/32'] });
 * const { address } = await guard.resolve('siem.example.com'); // connect to `address`, not the name
 * ```
 */
export class AddressGuard {
  readonly #allow: AllowEntries;
  readonly #lookup: HostLookup;

  constructor(policy: NetworkPolicy = {}, lookup: HostLookup = systemLookup) {
    this.#allow = parseAllowList(policy.allow ?? []);
    this.#lookup = lookup;
  }

  /** Why `address` (reached through `host`) is refused, or undefined when it may be used. */
  refusal(address: string, host = address): string | undefined {
    const family = isIP(address);
    if (family === 0) return 'not an IP address';
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const named = this.#hostAllowed(host);

    const never = linkLocalReason(address, type);
    if (never) return this.#allow.linkLocal.check(address, type) ? undefined : never;
    const refused = REFUSED_LISTS.find(
      ([list, range]) => range[2] === type && list.check(address, type),
    );
    if (refused) {
      return named || this.#allow.list.check(address, type) ? undefined : refused[1][3];
    }
    const inner = family === 6 ? embeddedIpv4(address) : undefined;
    if (inner === undefined) return undefined;
    const why = this.refusal(inner, host);
    return why ? `IPv6 address embedding ${inner}, a ${why}` : undefined;
  }

  /**
   * Resolves `host` and checks every address it has; returns the first, the one to connect to.
   * Throws `SsrfError` when the name is a metadata name or any address is refused.
   */
  async resolve(host: string): Promise<ResolvedAddress> {
    const name = bareHost(host);
    if (METADATA_NAMES.has(name) && !this.#allow.names.has(name)) {
      throw new SsrfError(host, 'cloud metadata service name');
    }
    const literal = isIP(name);
    const addresses: ResolvedAddress[] =
      literal === 0
        ? await this.#resolveName(host, name)
        : [{ address: name, family: literal === 6 ? 6 : 4 }];
    if (addresses.length === 0) throw new SsrfError(host, 'the name has no address');
    for (const { address } of addresses) {
      const why = this.refusal(address, literal === 0 ? name : address);
      if (why) throw new SsrfError(host, why, address);
    }
    return addresses[0];
  }

  /**
   * Why `host` is refused whatever it resolves to and whatever broad allow entries the exporter
   * runs with: a cloud metadata service name, or a literal link-local address (also inside an
   * IPv6 address), unless an allow entry names it specifically. Checked when a sink is
   * configured; names that need DNS are judged when a connection is made.
   */
  standingRefusal(host: string): string | undefined {
    const name = bareHost(host);
    if (METADATA_NAMES.has(name) && !this.#allow.names.has(name)) {
      return 'cloud metadata service name';
    }
    const family = isIP(name);
    if (family === 0) return undefined;
    const inner = family === 6 ? embeddedIpv4(name) : undefined;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const never = linkLocalReason(name, type);
    if (never && !this.#allow.linkLocal.check(name, type)) return never;
    const innerNever = inner === undefined ? undefined : linkLocalReason(inner, 'ipv4');
    if (innerNever && !this.#allow.linkLocal.check(inner!, 'ipv4')) {
      return `IPv6 address embedding ${inner}, a ${innerNever}`;
    }
    return undefined;
  }

  /**
   * Why a sink configured with `host` would be refused every time it sends under this policy:
   * a standing refusal, or a literal address in a refused range (loopback, private, shared,
   * reserved) that no allow entry admits. A name that needs DNS is judged when a connection is
   * made, since what it resolves to may change.
   *
   * ```ts
   * new AddressGuard().literalRefusal('127.0.0.1'); // 'loopback address'
   * new AddressGuard({ allow: ['127.0.0.1/32'] }).literalRefusal('127.0.0.1'); // undefined
   * ```
   */
  literalRefusal(host: string): string | undefined {
    const standing = this.standingRefusal(host);
    if (standing) return standing;
    const name = bareHost(host);
    return isIP(name) === 0 ? undefined : this.refusal(name);
  }

  #hostAllowed(host: string): boolean {
    if (isIP(host) !== 0) return false;
    if (this.#allow.names.has(host)) return true;
    return this.#allow.suffixes.some((suffix) => host.endsWith(suffix));
  }

  async #resolveName(host: string, name: string): Promise<ResolvedAddress[]> {
    try {
      return await this.#lookup(name);
    } catch (error) {
      const reason = `the name does not resolve (${(error as Error).message})`;
      throw new SsrfError(host, reason, undefined, 'dns_unresolved');
    }
  }
}

/** The operating system's resolver, every address. */
export const systemLookup: HostLookup = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Options of the guarded HTTP dispatcher. */
export interface GuardedDispatcherOptions {
  /** Extra trusted CA certificates (PEM) for HTTPS destinations. */
  ca?: string | string[];
  connectTimeoutMs?: number;
  /** Keep-alive connections per origin. */
  connections?: number;
}

/**
 * An undici dispatcher whose connect step resolves the host through `guard`, refuses what the
 * guard refuses, and opens the socket to the checked address (TLS still verifies the name).
 *
 * ```ts
 * const dispatcher = createGuardedDispatcher(new AddressGuard(policy));
 * await request('https://hooks.slack.com/services/...', { dispatcher, method: 'POST', body });
 * ```
 */
export function createGuardedDispatcher(
  guard: AddressGuard,
  options: GuardedDispatcherOptions = {},
): Dispatcher {
  const base = buildConnector({
    ...(options.ca ? { ca: options.ca } : {}),
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  const connect: buildConnector.connector = (opts, callback) => {
    guard.resolve(opts.hostname).then(
      ({ address }) => {
        // `host` keeps the name, so the TLS server name and certificate check use it.
        base({ ...opts, hostname: address }, callback);
      },
      (error: Error) => callback(error, null),
    );
  };
  return new Agent({ connect, connections: options.connections ?? 8 });
}
