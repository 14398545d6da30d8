/**
 * Fallback remediation: steps for the alert's ATT&CK tactics, then the rule's known benign causes
 * in one sentence with one full stop however the rule ends its lines.
 */

import { describe, expect, it } from 'vitest';
import { remediationFor } from '../../src/detect/remediation.js';
import type { AttackMapping } from '../../src/model/alert.js';

const attack: AttackMapping = { tactics: ['discovery'], techniques: [] };

describe('fallback remediation', () => {
  it('ends the known benign causes with one full stop', () => {
    const steps = remediationFor(attack, {
      falsePositives: ['Legitimate administrator activity', 'Cleanup activities..'],
    });
    expect(steps.at(-1)).toBe(
      'Known benign causes: Legitimate administrator activity; Cleanup activities.',
    );
  });

  it('trims a long run of dots and spaces in linear time', () => {
    const hostile = `${'. '.repeat(200_000)}x${'. '.repeat(200_000)}`;
    const started = process.hrtime.bigint();
    const steps = remediationFor(attack, { falsePositives: [hostile] });
    expect(steps.at(-1)?.endsWith('x.')).toBe(true);
    // Quadratic trimming would take minutes here; the bound only guards against a hang.
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(5);
  });
});
