/**
 * One server per store: the lease a server holds on its store, on both databases. A second
 * server is refused while the first lives, and gets the store at once after a clean stop or a
 * crash on the same host, or once a holder elsewhere stops renewing.
 */

import { describe, expect, it, vi } from 'vitest';
import {
  holderOf,
  StoreInUseError,
  takeServerLease,
  type ServerLeaseOptions,
} from '../../src/store/server-lease.js';
import { STORE_TARGETS } from './store-targets.js';

/** A clock the test moves, and a sleep that moves it instead of waiting. */
function fakeTime(start = Date.parse('2026-12-05T10:00:00Z')) {
  let t = start;
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const quiet = (more: Partial<ServerLeaseOptions> = {}): ServerLeaseOptions => ({
  onLost: () => {
    throw new Error('lease lost unexpectedly');
  },
  // Renewal by timer is tested apart; here the timer must not fire.
  renewMs: 3_600_000,
  ...more,
});

describe.each(STORE_TARGETS)('server lease ($name)', (target) => {
  it.skipIf(target.skip)('refuses a second server on this host while the first runs', () =>
    target.with(async ({ db, reopen }) => {
      const time = fakeTime();
      const first = await takeServerLease(
        db,
        quiet({ ...time, host: 'a', pid: 100, alive: () => true }),
      );
      const other = await reopen();
      const second = takeServerLease(
        other,
        quiet({ ...time, host: 'a', pid: 200, alive: () => true }),
      );
      await expect(second).rejects.toThrow(StoreInUseError);
      await expect(second).rejects.toThrow(/pid 100 on a/);
      // The refused start changed nothing.
      expect(await holderOf(db)).toMatchObject({ owner: first.holder.owner, pid: 100 });

      await first.release();
      expect(await holderOf(db)).toBeUndefined();
      const third = await takeServerLease(other, quiet({ ...time, host: 'a', pid: 200 }));
      expect(await holderOf(db)).toMatchObject({ owner: third.holder.owner, pid: 200 });
      await third.release();
    }),
  );

  it.skipIf(target.skip)('takes the lease at once from a crashed server of this host', () =>
    target.with(async ({ db, reopen }) => {
      const time = fakeTime();
      await takeServerLease(db, quiet({ ...time, host: 'a', pid: 100 }));
      const sleep = vi.fn(time.sleep);
      const next = await takeServerLease(
        await reopen(),
        quiet({ ...time, sleep, host: 'a', pid: 101, alive: (pid) => pid !== 100 }),
      );
      expect(sleep).not.toHaveBeenCalled();
      expect(await holderOf(db)).toMatchObject({ owner: next.holder.owner, pid: 101 });
      await next.release();
    }),
  );

  it.skipIf(target.skip)('waits out a holder elsewhere that stopped renewing, then takes it', () =>
    target.with(async ({ db, reopen }) => {
      const time = fakeTime();
      const gone = await takeServerLease(db, quiet({ ...time, host: 'b', pid: 7 }));
      time.advance(12_000);
      const onWait = vi.fn();
      const next = await takeServerLease(
        await reopen(),
        quiet({ ...time, onWait, host: 'a', pid: 8, leaseMs: 30_000 }),
      );
      // 30 s lease taken 12 s ago: 18 s left.
      expect(onWait).toHaveBeenCalledWith(expect.objectContaining({ host: 'b', pid: 7 }), 18_000);
      const now = await holderOf(db);
      expect(now).toMatchObject({ owner: next.holder.owner, host: 'a' });
      expect(now?.owner).not.toBe(gone.holder.owner);
      await next.release();
    }),
  );

  it.skipIf(target.skip)('refuses when the holder elsewhere renews while it waits', () =>
    target.with(async ({ db, reopen }) => {
      const time = fakeTime();
      const live = await takeServerLease(
        db,
        quiet({ ...time, host: 'b', pid: 7, leaseMs: 30_000, renewMs: 20 }),
      );
      const other = await reopen();
      // The holder's timer renews during the wait (real milliseconds, a fake clock moved on).
      const sleep = async (ms: number) => {
        time.advance(ms - 2_000);
        await new Promise((r) => setTimeout(r, 200));
        time.advance(2_000);
      };
      await expect(
        takeServerLease(other, quiet({ ...time, sleep, host: 'a', pid: 8, leaseMs: 30_000 })),
      ).rejects.toThrow(/pid 7 on b/);
      expect(await holderOf(db)).toMatchObject({ owner: live.holder.owner });
      await live.release();
    }),
  );

  it.skipIf(target.skip)('tells a holder that lost its lease, once', () =>
    target.with(async ({ db, reopen }) => {
      const time = fakeTime();
      const onLost = vi.fn();
      const stale = await takeServerLease(
        db,
        quiet({ ...time, onLost, host: 'b', pid: 7, leaseMs: 1_000, renewMs: 300 }),
      );
      // Its lease ran out (a long pause) and another server took the store.
      time.advance(5_000);
      const next = await takeServerLease(await reopen(), quiet({ ...time, host: 'a', pid: 8 }));
      await vi.waitFor(() => expect(onLost).toHaveBeenCalledTimes(1));
      expect(onLost.mock.calls[0][0]).toMatchObject({ owner: next.holder.owner });
      await new Promise((r) => setTimeout(r, 100));
      expect(onLost).toHaveBeenCalledTimes(1);
      // Releasing a lost lease leaves the new holder's alone.
      await stale.release();
      expect(await holderOf(db)).toMatchObject({ owner: next.holder.owner });
      await next.release();
    }),
  );
});
