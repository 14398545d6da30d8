/**
 * Exemption patterns whose {a,b} alternatives multiply past what minimatch can match: refused
 * before anything is stored or audited, and skipped with a warning when an older store holds
 * one, so no assessment fails on it and deleting it answers 200.
 */

import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExemption } from '../../src/store/exemption-repository.js';
import { startHarness, type Harness } from './harness.js';

const ESTATE = resolve('samples/estate');
/** 2^38 patterns once expanded: minimatch answers "pattern is too long" at every match. */
const TOO_MANY = `aws-s3-${'{a,b}'.repeat(38)}`;
/** 2,048 patterns: minimatch matched it, compiling it again per finding (5.5 s an assessment). */
const MANY = `aws-s3-${'{a,b}'.repeat(11)}`;

let h: Harness;
let admin: string;
const auth = () => ({ authorization: `Bearer ${admin}` });
const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startHarness();
  admin = await h.token('security-admin');
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/sources',
    headers: auth(),
    payload: { name: 'estate', paths: [ESTATE], intervalMinutes: 60 },
  });
  expect(res.statusCode, res.body).toBe(201);
}, 60_000);
afterAll(() => h.close());

const exemptionAudit = () =>
  h.db.selectFrom('audit_log').selectAll().where('action', 'like', 'exemption.%').execute();

describe('exemption patterns', () => {
  it('are refused with 400 naming the field when their alternatives expand past the bound; nothing is stored or audited', async () => {
    for (const [rule, resource, field] of [
      [TOO_MANY, '*', 'rule'],
      [MANY, '*', 'rule'],
      ['aws-s3-*', `bucket-${'{x,y,z}'.repeat(4)}`, 'resource'],
    ]) {
      const reply = await h.app.inject({
        method: 'POST',
        url: '/api/v1/exemptions',
        headers: auth(),
        payload: { rule, resource, justification: 'Accepted by the data owner', expires: inAMonth },
      });
      expect(reply.statusCode, reply.body).toBe(400);
      expect(reply.json().code).toBe('BAD_PATTERN');
      expect(reply.json().message).toMatch(
        new RegExp(`^body/${field} expands to more than 64 patterns`),
      );
    }
    const listed = await h.app.inject({ url: '/api/v1/exemptions', headers: auth() });
    expect(listed.json().items).toEqual([]);
    expect(await exemptionAudit()).toEqual([]);
  });

  it('stored by an older version are skipped with a warning naming them: assessments run, delete answers 200', async () => {
    const stored = [];
    for (const rule of [TOO_MANY, MANY]) {
      stored.push(
        await insertExemption(
          h.db,
          {
            rule,
            resource: '*',
            justification: 'Stored before patterns were checked',
            category: 'waiver',
            expires: inAMonth,
            created_by: 'user:old',
          },
          new Date(),
        ),
      );
    }
    const run = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assessments',
      headers: auth(),
      payload: { source: 'estate', wait: true },
    });
    expect(run.statusCode, run.body).toBe(201);
    const warnings: string[] = run.json().warnings;
    for (const row of stored) {
      expect(warnings.join('\n')).toMatch(
        new RegExp(`exemption at api exemption ${row.id} is skipped: its pattern .*expands`),
      );
    }
    // (The old matcher failed the run on the 38-group pattern, and spent 5.5 s on the 11-group one.)

    const deleted = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/exemptions/${stored[0].id}`,
      headers: auth(),
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json().reassessed).toEqual([]);
    const listed = await h.app.inject({ url: '/api/v1/exemptions', headers: auth() });
    expect(listed.json().items.map((e: { id: string }) => e.id)).toEqual([stored[1].id]);
  });
});
