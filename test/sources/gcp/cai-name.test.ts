import { describe, expect, it } from 'vitest';
import { parseCaiName } from '../../../src/sources/gcp/cai-name.js';

describe('CAI full names', () => {
  it('reads project, zone and short name from a compute instance name', () => {
    expect(
      parseCaiName('//compute.googleapis.com/projects/p1/zones/us-east1-b/instances/vm-1'),
    ).toEqual({ name: 'vm-1', project: 'p1', location: 'us-east1-b' });
  });

  it('takes the first project and location segments, skipping empty ones', () => {
    const parts = parseCaiName('//h//locations//eu/projects/p/regions/r/x%20y');
    expect(parts).toEqual({ name: 'x y', location: 'eu', project: 'p' });
    expect(Object.keys(parts)).toEqual(['name', 'location', 'project']);
  });

  it('reads a name without a host, and names a host with no path by its full name', () => {
    expect(parseCaiName('projects/p/buckets/b')).toEqual({ name: 'b', project: 'p' });
    expect(parseCaiName('///projects/p')).toEqual({ name: 'p', project: 'p' });
    expect(parseCaiName('//storage.googleapis.com/')).toEqual({
      name: '//storage.googleapis.com/',
    });
    expect(parseCaiName('')).toEqual({ name: '' });
  });

  it('keeps a malformed escape as written', () => {
    expect(parseCaiName('//h/projects/p/buckets/a%zz').name).toBe('a%zz');
  });
});
