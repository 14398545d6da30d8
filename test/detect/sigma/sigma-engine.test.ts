import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/model/event.js';
import { readLogs } from '../../../src/logs/read-logs.js';
import { loadSigmaRules, loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import { compileSigmaRule } from '../../../src/detect/sigma/rule-compiler.js';
import { SigmaRuleIndex } from '../../../src/detect/sigma/rule-index.js';
import { createSigmaEngine } from '../../../src/detect/sigma/sigma-engine.js';
import type { SigmaDetectionRule } from '../../../src/detect/sigma/types.js';
import { shared } from '../../support/paths.js';
import { CLOUDTRAIL, event } from './sigma-test-support.js';

const rule = (id: string, logsource: string, selection: string): string =>
  `title: ${id}\nid: ${id}\nlogsource: ${logsource}\ndetection:\n    sel:\n${selection}\n    condition: sel\n`;

function indexOf(yamls: string[]): SigmaRuleIndex {
  const { rules } = loadSigmaText(yamls.join('---\n'), 'index.yml');
  return new SigmaRuleIndex(rules.map((r) => compileSigmaRule(r as SigmaDetectionRule)));
}

function candidates(index: SigmaRuleIndex, e: LogEvent): string[] {
  const out: string[] = [];
  index.forEachCandidate(e, (r) => out.push(r.rule.id));
  return out.sort();
}

describe('rule index', () => {
  const index = indexOf([
    rule('stop', '{product: aws, service: cloudtrail}', '        eventName: StopLogging'),
    rule(
      'trail',
      '{product: aws, service: cloudtrail}',
      '        eventName: [DeleteTrail, UpdateTrail]\n        eventSource: cloudtrail.amazonaws.com',
    ),
    rule('wild', '{product: aws, service: cloudtrail}', "        eventName|startswith: 'Delete'"),
    rule('unindexed', '{product: aws, service: cloudtrail}', "        eventName|endswith: 'Key'"),
    rule('azure', '{product: azure, service: activitylogs}', '        operationName: StopLogging'),
    rule('anyaws', '{product: aws}', '        userIdentity.type: Root'),
  ]);

  it('hands an event only the rules whose required literal it carries, plus unindexable ones', () => {
    expect(candidates(index, event({ eventName: 'StopLogging' }))).toEqual(['stop', 'unindexed']);
    expect(candidates(index, event({ eventName: 'GetObject' }))).toEqual(['unindexed']);
    expect(
      candidates(index, event({ eventName: 'GetObject', userIdentity: { type: 'Root' } })),
    ).toEqual(['anyaws', 'unindexed']);
  });

  it('indexes startswith values as prefixes, folded as the rule compares them', () => {
    expect(candidates(index, event({ eventName: 'DeleteBucket' }))).toEqual(['unindexed', 'wild']);
    expect(candidates(index, event({ eventName: 'deletetrail' }))).toEqual([
      'trail',
      'unindexed',
      'wild',
    ]);
    expect(candidates(index, event({ eventName: 'Delet' }))).toEqual(['unindexed']);
    expect(candidates(index, event({ eventName: ['GetObject', 'DELETEUser'] }))).toEqual([
      'unindexed',
      'wild',
    ]);
  });

  it('never leaves out a rule that matches (random exact and startswith rules and values)', () => {
    const word = fc
      .array(fc.constantFrom('a', 'B', 'ab', 'İ', 'i', '_'), { minLength: 1, maxLength: 3 })
      .map((parts) => parts.join(''));
    const item = fc.record({
      startswith: fc.boolean(),
      values: fc.array(word, { minLength: 1, maxLength: 2 }),
    });
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 4 }),
        fc.array(word),
        (items, names) => {
          const yamls = items.map((it, i) =>
            rule(
              `r${i}`,
              '{product: aws, service: cloudtrail}',
              `        eventName${it.startswith ? '|startswith' : ''}: ${JSON.stringify(it.values)}`,
            ),
          );
          const { rules } = loadSigmaText(yamls.join('---\n'), 'random.yml');
          const compiled = rules.map((r) => compileSigmaRule(r as SigmaDetectionRule));
          const random = new SigmaRuleIndex(compiled);
          for (const name of names) {
            const e = event({ eventName: name });
            const offered = candidates(random, e);
            for (const r of compiled) if (r.matches(e)) expect(offered).toContain(r.rule.id);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('selects rules by log source; a part the rule omits matches anything', () => {
    const azure = { reader: 'azure-activity', product: 'azure', service: 'activitylogs' };
    expect(candidates(index, event({ operationName: 'StopLogging' }, undefined, azure))).toEqual([
      'azure',
    ]);
    expect(
      index
        .rulesFor({ reader: 'other', product: 'aws', service: 'guardduty' })
        .map((r) => r.rule.id),
    ).toEqual(['anyaws']);
    expect(
      index
        .rulesFor({ reader: 'cloudtrail' })
        .map((r) => r.rule.id)
        .sort(),
    ).toEqual(['anyaws', 'stop', 'trail', 'unindexed', 'wild']);
  });
});

describe('Sigma engine on Linux events', () => {
  it('runs keyword rules on sshd lines (also counted as syslog)', async () => {
    const { rules } = await loadSigmaRules([shared('sigma-rules/rules/linux/builtin')]);
    const engine = createSigmaEngine(rules);
    const sshd = { reader: 'syslog', product: 'linux', service: 'sshd' };
    const line = (message: string): LogEvent =>
      event({ program: 'sshd', message }, undefined, sshd);
    expect(
      engine.process(line('Corrupted MAC on input. Disconnecting')).map((m) => m.rule.title),
    ).toEqual(['Suspicious OpenSSH Daemon Error']);
    expect(engine.process(line('Accepted publickey for root from 192.0.2.1'))).toEqual([]);
    const named = event(
      { program: 'named', message: 'client 192.0.2.1: denied AXFR from x' },
      undefined,
      sshd,
    );
    expect(engine.process(named).map((m) => m.rule.title)).toEqual(['Suspicious Named Error']);
  });

  it('fires auditd and process_creation rules on real auditd logs read by the auditd reader', async () => {
    const { rules } = await loadSigmaRules([shared('sigma-rules/rules/linux')]);
    const fired = async (path: string): Promise<string[]> => {
      const engine = createSigmaEngine(rules);
      const ids = new Set<string>();
      for await (const item of readLogs([shared(path)])) {
        if (!('fields' in item)) continue;
        for (const m of engine.process(item)) ids.add(m.rule.id);
      }
      return [...ids].sort();
    };

    // Atomic Red Team T1018 (arp cache) and T1027.001 (dd binary padding), recorded by OTRF.
    expect(
      await fired('host-events/otrf-security-datasets/sh_arp_cache_2020-11-10074812.log'),
    ).toEqual(['11063ec2-de63-4153-935e-b1a8b9e616f1']);
    expect(
      await fired('host-events/otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log'),
    ).toEqual(['37222991-11e9-4b6d-8bdf-60fbe48f753e', 'c52a914f-3d8b-4b2a-bb75-b3991e75f8ba']);
    // Enriched audit log: useradd (auditd rule) and a read of /etc/passwd (process_creation rule).
    expect(await fired('host-events/plaso/audit_enriched.log')).toEqual([
      '759d0d51-bc99-4b5e-9add-8f5b2c8e7512',
      'b45e3d6f-42c6-47d8-a478-df6bd6cf534c',
    ]);
  });

  it('leaves CloudTrail rules silent on Linux events and Linux rules silent on CloudTrail', async () => {
    const { rules } = await loadSigmaRules([shared('sigma-rules/rules')]);
    const engine = createSigmaEngine(rules);
    const trail = event({
      eventName: 'DeleteTrail',
      eventSource: 'cloudtrail.amazonaws.com',
      CommandLine: 'dd if=/dev/zero',
    });
    expect(engine.process(trail).map((m) => m.rule.logsource?.product)).toEqual(['aws']);
    expect(CLOUDTRAIL.product).toBe('aws');
  });
});
