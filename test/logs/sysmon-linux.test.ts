/**
 * Sysmon for Linux events forwarded through Azure Monitor's Syslog table (XML in SyslogMessage)
 * are read as the process, network and file events they are. A new user saw OTRF's Log4Shell
 * recording, a java process spawning a base64-decoded reverse shell, read as 143 events and
 * raise nothing; SigmaHQ's Linux rules now see it, as one incident.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { readSysmonMessage } from '../../src/logs/sysmon-linux.js';
import { shared } from '../support/paths.js';

describe('Sysmon for Linux in Syslog rows', () => {
  it('raises the Log4Shell chain with SigmaHQ Linux rules, as one incident', async () => {
    const found = await detect({
      paths: [shared('host-events/otrf-security-datasets/log4shell')],
      ruleDirs: [shared('sigma-rules/rules/linux')],
    });
    const titles = found.alerts.map((a) => a.title).sort();
    expect(titles).toEqual([
      'Decode Base64 Encoded Text',
      'Linux Reverse Shell Indicator',
      'Local Groups Discovery - Linux',
      'Suspicious Java Children Processes',
    ]);
    const java = found.alerts.find((a) => a.title === 'Suspicious Java Children Processes')!;
    expect(java.entities).toEqual(
      expect.arrayContaining([
        { kind: 'account', value: 'tomcat' },
        { kind: 'host', value: 'UBUNTU5' },
      ]),
    );
    expect(java.evidence[0].fields).toMatchObject({
      ParentImage: '/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java',
      Image: '/bin/bash',
    });
    expect(found.incidents).toHaveLength(1);
    expect(found.incidents[0].alerts).toHaveLength(4);
  });

  it('reads the event data by name and refuses a document type unread', () => {
    const event = readSysmonMessage(
      '<Event><System><Provider Name="Linux-Sysmon"/><EventID>1</EventID>' +
        '<TimeCreated SystemTime="2022-05-11T18:10:22.003Z"/></System><EventData>' +
        '<Data Name="Image">/bin/sh</Data><Data Name="CommandLine">a &amp;&amp; b &lt;x&gt;</Data>' +
        '<Data Name="constructor">c</Data></EventData></Event>',
    );
    expect(event).toEqual({
      eventId: '1',
      category: 'process_creation',
      time: '2022-05-11T18:10:22.003Z',
      fields: { EventID: '1', Image: '/bin/sh', CommandLine: 'a && b <x>' },
    });
    expect(
      readSysmonMessage(
        '<!DOCTYPE e [<!ENTITY a "aaaa">]><Event><System><EventID>1</EventID></System></Event>',
      ),
    ).toMatch(/document type/);
    expect(readSysmonMessage('<Event><System></System></Event>')).toMatch(/EventID/);
  });

  it('never throws on any message', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const result = readSysmonMessage(`<Event>${a}Linux-Sysmon${b}`);
        expect(typeof result === 'string' || typeof result.eventId === 'string').toBe(true);
      }),
      { numRuns: 500, seed: 16 },
    );
  });
});
