/**
 * One server per store (migration 0018). A server holds the store's lease while it runs and
 * renews it; a second server on the same store refuses to start instead of doubling alerts (each
 * holds the alerts of the last flush interval in memory) and scheduled assessments.
 *
 * A lease a server left behind when it died frees itself: at once when the holder ran on this
 * host and its process is gone, else when the holder stops renewing and the lease runs out.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** How long a lease holds without renewal, and how often its holder renews it. */
export const SERVER_LEASE_MS = 30_000;
export const SERVER_LEASE_RENEW_MS = 10_000;

const LEASE = 'server';

/** Who holds a store's lease. */
export interface LeaseHolder {
  owner: string;
  host: string;
  pid: number;
  startedAt: string;
  leaseUntil: string;
}

interface ServerLeaseTable {
  name: string;
  owner: string;
  host: string;
  pid: number;
  started_at: string;
  lease_until: string;
}

type LeaseStore = Kysely<Database & { server_lease: ServerLeaseTable }>;

const leases = (db: Kysely<Database>) => db as unknown as LeaseStore;

/** A second server on a store another live server holds. */
export class StoreInUseError extends Error {
  constructor(readonly holder: LeaseHolder) {
    super(
      `this store is in use by another Palisade server (pid ${holder.pid} on ${holder.host}, ` +
        `running since ${holder.startedAt}); run one server per store, or stop that one first`,
    );
    this.name = 'StoreInUseError';
  }
}

export interface ServerLeaseOptions {
  /** Called once if another server takes the lease (this one stopped renewing long enough). */
  onLost(holder: LeaseHolder | undefined): void;
  /** Told when a start waits for a lease its holder may have left behind. */
  onWait?(holder: LeaseHolder, ms: number): void;
  /** Told when a renewal fails (the store is unreachable); renewal goes on. */
  onRenewError?(error: unknown): void;
  leaseMs?: number;
  renewMs?: number;
  now?: () => Date;
  host?: string;
  pid?: number;
  /** Whether a process of this host is running (tests pass their own). */
  alive?: (pid: number) => boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** A held lease. */
export interface ServerLease {
  readonly holder: LeaseHolder;
  /** Stops renewing and gives the lease up (a clean stop: the next server starts at once). */
  release(): Promise<void>;
}

/**
 * Takes the store's server lease, waiting at most one lease period for a holder that may have
 * died elsewhere; throws `StoreInUseError` while a live server holds it.
 *
 * ```ts
 * const lease = await takeServerLease(db, { onLost: () => void server.stop() });
 * // ... on stop:
 * await lease.release();
 * ```
 */
export async function takeServerLease(
  db: Kysely<Database>,
  options: ServerLeaseOptions,
): Promise<ServerLease> {
  const leaseMs = options.leaseMs ?? SERVER_LEASE_MS;
  const renewMs = options.renewMs ?? SERVER_LEASE_RENEW_MS;
  const now = options.now ?? (() => new Date());
  const alive = options.alive ?? processAlive;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const me: LeaseHolder = {
    owner: randomUUID(),
    host: options.host ?? hostname(),
    pid: options.pid ?? process.pid,
    startedAt: now().toISOString(),
    leaseUntil: '',
  };
  const until = () => new Date(now().getTime() + leaseMs).toISOString();

  if (!(await claim(db, me, until(), now()))) {
    const held = await holderOf(db);
    if (held) {
      if (held.host === me.host && !alive(held.pid)) {
        // Its process is gone from this host: a crash, not a server still running.
        if (!(await takeOver(db, me, until(), held)))
          throw new StoreInUseError(await seen(db, held));
      } else {
        if (held.host === me.host) throw new StoreInUseError(held);
        // Elsewhere: alive only if it renews before its lease runs out.
        const wait = Math.min(leaseMs, Math.max(0, Date.parse(held.leaseUntil) - now().getTime()));
        options.onWait?.(held, wait);
        await sleep(wait + 1_000);
        if (!(await takeOver(db, me, until(), held)))
          throw new StoreInUseError(await seen(db, held));
      }
    } else if (!(await claim(db, me, until(), now()))) {
      // Released between the two reads and taken by a third.
      throw new StoreInUseError((await holderOf(db)) ?? me);
    }
  }

  let lost = false;
  let renewing: Promise<void> | undefined;
  const timer = setInterval(() => {
    renewing = (async () => {
      try {
        const renewed = await leases(db)
          .updateTable('server_lease')
          .set({ lease_until: until() })
          .where('name', '=', LEASE)
          .where('owner', '=', me.owner)
          .executeTakeFirst();
        if (Number(renewed.numUpdatedRows) === 0 && !lost) {
          lost = true;
          clearInterval(timer);
          options.onLost(await holderOf(db).catch(() => undefined));
        }
      } catch (error) {
        options.onRenewError?.(error);
      }
    })();
  }, renewMs);
  timer.unref();

  return {
    holder: me,
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost) return;
      await leases(db)
        .deleteFrom('server_lease')
        .where('name', '=', LEASE)
        .where('owner', '=', me.owner)
        .execute();
    },
  };
}

/** Takes the lease when nobody holds it or its holder's lease has run out; true when taken. */
async function claim(
  db: Kysely<Database>,
  me: LeaseHolder,
  leaseUntil: string,
  at: Date,
): Promise<boolean> {
  const { name, ...holder } = rowOf(me, leaseUntil);
  const result = await leases(db)
    .insertInto('server_lease')
    .values({ name, ...holder })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet(holder)
        .where('server_lease.lease_until', '<', at.toISOString()),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Takes the lease from `held` if it is still exactly as it was read; true when taken. */
async function takeOver(
  db: Kysely<Database>,
  me: LeaseHolder,
  leaseUntil: string,
  held: LeaseHolder,
): Promise<boolean> {
  const { name: _name, ...row } = rowOf(me, leaseUntil);
  const result = await leases(db)
    .updateTable('server_lease')
    .set(row)
    .where('name', '=', LEASE)
    .where('owner', '=', held.owner)
    .where('lease_until', '=', held.leaseUntil)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return true;
  // Given up meanwhile: free for anyone.
  return (await holderOf(db)) === undefined && claim(db, me, leaseUntil, new Date(0));
}

function rowOf(me: LeaseHolder, leaseUntil: string): ServerLeaseTable {
  me.leaseUntil = leaseUntil;
  return {
    name: LEASE,
    owner: me.owner,
    host: me.host,
    pid: me.pid,
    started_at: me.startedAt,
    lease_until: leaseUntil,
  };
}

/** The lease's holder now, or undefined when nobody holds it. */
export async function holderOf(db: Kysely<Database>): Promise<LeaseHolder | undefined> {
  const row = await leases(db)
    .selectFrom('server_lease')
    .selectAll()
    .where('name', '=', LEASE)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    owner: row.owner,
    host: row.host,
    pid: Number(row.pid),
    startedAt: row.started_at,
    leaseUntil: row.lease_until,
  };
}

async function seen(db: Kysely<Database>, fallback: LeaseHolder): Promise<LeaseHolder> {
  return (await holderOf(db)) ?? fallback;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, run by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
