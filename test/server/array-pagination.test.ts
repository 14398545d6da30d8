import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paginateArray } from '../../src/server/array-pagination.js';
import { encodeCursor, parseSort } from '../../src/server/pagination.js';

interface Item {
  id: string;
  score: number | null;
}

const items = fc.uniqueArray(
  fc.record({ id: fc.string({ maxLength: 6 }), score: fc.option(fc.integer({ min: -3, max: 3 })) }),
  { selector: (i) => i.id, maxLength: 40 },
);

function walk(list: Item[], sort: string, limit: number): Item[] {
  const seen: Item[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages <= list.length + 1; pages += 1) {
    const page = paginateArray(list, {
      sort: parseSort(sort),
      idOf: (i) => i.id,
      valueOf: (i) => i.score,
      cursor,
      limit,
    });
    seen.push(...page.items);
    if (!page.nextCursor) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

describe('in-memory cursor pagination', () => {
  it('visits every item exactly once, in sort order with NULLs smallest, for any page size', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 1, max: 7 }), fc.boolean(), (list, limit, desc) => {
        const seen = walk(list, desc ? '-score' : 'score', limit);
        expect(seen.map((i) => i.id).sort()).toEqual(list.map((i) => i.id).sort());
        const rank = (i: Item) => (i.score === null ? -Infinity : i.score);
        for (let k = 1; k < seen.length; k += 1) {
          const [a, b] = [seen[k - 1], seen[k]];
          const order = rank(a) - rank(b) || (a.id < b.id ? -1 : 1);
          expect(desc ? order > 0 : order < 0).toBe(true);
        }
      }),
    );
  });

  it('refuses a cursor from another sort', () => {
    const cursor = encodeCursor(parseSort('-score'), 1, 'a');
    expect(() =>
      paginateArray([{ id: 'a', score: 1 }], {
        sort: parseSort('score'),
        idOf: (i) => i.id,
        valueOf: (i) => i.score,
        cursor,
        limit: 5,
      }),
    ).toThrow(/cursor/);
  });
});
