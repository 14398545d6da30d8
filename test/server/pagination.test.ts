import { afterEach, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/append-audit.js';
import { paginate, parseSort } from '../../src/server/pagination.js';
import { scopeFilter, whereInScope } from '../../src/server/auth/scope-filter.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

describe('cursor pagination on the audit log', () => {
  it('walks every entry exactly once, newest first, and filters by action', async () => {
    h = await startHarness();
    for (let i = 0; i < 120; i++) {
      const action = i % 3 === 0 ? 'test.third' : 'test.other';
      await recordAudit(
        h.db,
        { actor: { kind: 'system' }, action, outcome: 'success' },
        new Date(),
        h.serverKey,
      );
    }
    const auth = { authorization: `Bearer ${await h.token('security-admin')}` };
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/audit?limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await h.app.inject({ url, headers: auth })).json();
      seen.push(...page.items.map((e: { seq: number }) => e.seq));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => 120 - i));

    const third = (
      await h.app.inject({
        url: '/api/v1/audit?action=test.third&sort=seq&limit=500',
        headers: auth,
      })
    ).json();
    expect(third.items.map((e: { seq: number }) => e.seq)).toEqual(
      Array.from({ length: 40 }, (_, i) => 1 + 3 * i),
    );
  });

  it('rejects a forged cursor or one from another sort', async () => {
    h = await startHarness();
    for (let i = 0; i < 3; i++) {
      await recordAudit(
        h.db,
        { actor: { kind: 'system' }, action: 'x', outcome: 'success' },
        new Date(),
        h.serverKey,
      );
    }
    const auth = { authorization: `Bearer ${await h.token('owner')}` };
    const first = (await h.app.inject({ url: '/api/v1/audit?limit=1', headers: auth })).json();
    const other = await h.app.inject({
      url: `/api/v1/audit?sort=seq&cursor=${first.nextCursor}`,
      headers: auth,
    });
    expect(other.statusCode).toBe(400);
    expect(other.json().code).toBe('BAD_CURSOR');
    const forged = await h.app.inject({ url: '/api/v1/audit?cursor=not-json', headers: auth });
    expect(forged.statusCode).toBe(400);
  });
});

describe('paginate', () => {
  it('pages through a column holding NULLs in both directions without loss or repeats', async () => {
    h = await startHarness();
    await h.db
      .insertInto('assessments')
      .values({
        id: 'a1',
        started_at: '',
        finished_at: '',
        targets: '[]',
        secure_score: 0,
        resources: 9,
        rules: 0,
        pass: 0,
        fail: 0,
        not_applicable: 0,
        error: 0,
        exempt: 0,
      })
      .execute();
    const accounts = ['b', null, 'a', 'b', null, 'c', 'a', null, 'b'];
    await h.db
      .insertInto('resources')
      .values(
        accounts.map((account, i) => ({
          assessment_id: 'a1',
          id: `r${i}`,
          type: 't',
          cloud: 'aws',
          name: 'n',
          account,
          region: null,
          source_kind: 'iac',
          file: null,
          line: null,
          tags: '{}',
          properties: '{}',
        })),
      )
      .execute();
    for (const spec of ['account', '-account']) {
      const sort = parseSort(spec);
      const walked: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await paginate(h.db.selectFrom('resources').select(['id', 'account']), {
          sort,
          idColumn: 'id',
          limit: 2,
          cursor,
        });
        walked.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const all = await h.db.selectFrom('resources').select('id').orderBy('id').execute();
      expect([...walked].sort(), spec).toEqual(all.map((r) => r.id));
      const keys = walked.map((id) => accounts[Number(id.slice(1))] ?? '');
      const ordered = [...keys].sort();
      expect(keys, spec).toEqual(spec.startsWith('-') ? ordered.reverse() : ordered);
    }
  });
});

describe('account scopes', () => {
  it('narrow a query to the accounts of a scoped principal', async () => {
    h = await startHarness();
    const rows = ['111', '222', null].map((account, i) => ({
      assessment_id: 'a1',
      id: `r${i}`,
      type: 't',
      cloud: 'aws',
      name: `n${i}`,
      account,
      region: null,
      source_kind: 'iac',
      file: null,
      line: null,
      tags: '{}',
      properties: '{}',
    }));
    await h.db
      .insertInto('assessments')
      .values({
        id: 'a1',
        started_at: '',
        finished_at: '',
        targets: '[]',
        secure_score: 0,
        resources: 3,
        rules: 0,
        pass: 0,
        fail: 0,
        not_applicable: 0,
        error: 0,
        exempt: 0,
      })
      .execute();
    await h.db.insertInto('resources').values(rows).execute();

    const ids = async (scopes: string[]) => {
      const request = { principal: { kind: 'token', id: 'x', name: 'x', role: 'reader', scopes } };
      const filter = scopeFilter(request as never);
      const found = await whereInScope(h.db.selectFrom('resources').select('id'), 'account', filter)
        .orderBy('id')
        .execute();
      return found.map((r) => r.id);
    };
    expect(await ids([])).toEqual(['r0', 'r1', 'r2']);
    expect(await ids(['222'])).toEqual(['r1']);
    expect(await ids(['333'])).toEqual([]);
    expect(scopeFilter({ principal: null } as never).allows('111')).toBe(false);
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and describes every route with its security', async () => {
    h = await startHarness();
    const doc = (
      await h.app.inject({
        url: '/api/v1/openapi.json',
        headers: { authorization: `Bearer ${await h.token('reader')}` },
      })
    ).json();
    expect(doc.openapi).toBe('3.1.0');
    // The console's page shell and assets (present once the console is built) are not API.
    const api = h.app.routeCensus.filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(20);
    for (const route of api) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url}`).toBeDefined();
      if (route.public) expect(op.security).toBeUndefined();
      else expect(op.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    }
  });
});
