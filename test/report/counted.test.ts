import { describe, expect, it } from 'vitest';
import { counted } from '../../src/report/counted.js';

describe('counted', () => {
  it('puts the noun in the number its count needs', () => {
    expect(counted(1, 'file')).toBe('1 file');
    expect(counted(0, 'file')).toBe('0 files');
    expect(counted(2, 'file')).toBe('2 files');
    expect(counted(1, 'policy', 'policies')).toBe('1 policy');
    expect(counted(3, 'policy', 'policies')).toBe('3 policies');
  });
});
