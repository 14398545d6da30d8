/**
 * Security group findings name the open permission in words (`tcp 22 from 0.0.0.0/0`), not as
 * the API's JSON, on real AWS Config and CloudFormation shapes.
 */

import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { ingressText } from '../../src/posture/cel-functions.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { shared } from '../support/paths.js';

describe('security group permissions in findings', () => {
  it('reads a permission as protocol, ports and public sources', () => {
    const p = (x: object) => ingressText(x);
    expect(
      p({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    ).toBe('tcp 22 from 0.0.0.0/0');
    expect(
      p({
        IpProtocol: '6',
        FromPort: 1024,
        ToPort: 2048,
        IpRanges: [{ CidrIp: '10.0.0.0/8' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      }),
    ).toBe('tcp 1024-2048 from ::/0');
    expect(p({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] })).toBe(
      'all traffic from 0.0.0.0/0',
    );
    expect(p({ IpProtocol: 'udp', FromPort: 0, ToPort: 65535, IpRanges: [] })).toBe(
      'udp all ports',
    );
    expect(p({ IpProtocol: { toString: {} } })).toBe('all traffic');
  });

  it('words every open-port finding of the real CloudFormation templates', async () => {
    const result = await assess({
      paths: [shared('iac/aws-cloudformation-templates')],
      rules: await loadRules(),
    });
    const open = result.findings.filter(
      (f) => f.status === 'fail' && f.ruleId.startsWith('aws-ec2-sg-no-public-'),
    );
    expect(open.length).toBeGreaterThan(0);
    for (const f of open) {
      expect(f.message).toMatch(
        /\("(tcp|udp|all traffic|\S+)( [\d-]+| all ports)? from [^"]+"\)\.$/,
      );
      expect(f.message).not.toContain('IpRanges');
    }
  });
});
