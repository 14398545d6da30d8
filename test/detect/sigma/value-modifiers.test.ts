import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANY_RUN,
  compilePattern,
  parseSigmaString,
} from '../../../src/detect/sigma/sigma-pattern.js';
import { base64Offsets } from '../../../src/detect/sigma/value-encodings.js';
import { matcher, reasonFor } from './sigma-test-support.js';

describe('Sigma values without modifiers', () => {
  it('matches whole values case-insensitively', () => {
    const m = matcher('    selection:\n        eventName: StopLogging');
    expect(m({ eventName: 'StopLogging' })).toBe(true);
    expect(m({ eventName: 'stoplogging' })).toBe(true);
    expect(m({ eventName: 'StopLoggingNow' })).toBe(false);
    expect(m({})).toBe(false);
  });

  it('ANDs the fields of a map and ORs the values of a list', () => {
    const m = matcher(
      '    selection:\n        eventSource: iam.amazonaws.com\n        eventName:\n            - CreateUser\n            - DeleteUser',
    );
    expect(m({ eventSource: 'iam.amazonaws.com', eventName: 'DeleteUser' })).toBe(true);
    expect(m({ eventSource: 'iam.amazonaws.com', eventName: 'GetUser' })).toBe(false);
    expect(m({ eventSource: 'ec2.amazonaws.com', eventName: 'CreateUser' })).toBe(false);
  });

  it('ORs a list of maps', () => {
    const m = matcher("    selection:\n        - a: '1'\n        - b: '2'");
    expect(m({ a: '1' })).toBe(true);
    expect(m({ b: '2' })).toBe(true);
    expect(m({ a: '2', b: '1' })).toBe(false);
  });

  it('reads dotted names as nested fields, and any element of a list', () => {
    const m = matcher(
      "    selection:\n        userIdentity.type: Root\n        resources.type: 'AWS::S3::Bucket'",
    );
    const ok = {
      userIdentity: { type: 'Root' },
      resources: [{ type: 'AWS::IAM::Role' }, { type: 'AWS::S3::Bucket' }],
    };
    expect(m(ok)).toBe(true);
    expect(m({ ...ok, userIdentity: { type: 'IAMUser' } })).toBe(false);
    expect(m({ 'userIdentity.type': 'Root', resources: { type: 'AWS::S3::Bucket' } })).toBe(true);
  });

  it('compares numbers and booleans by their text', () => {
    const m = matcher('    selection:\n        errorCode: 403\n        readOnly: true');
    expect(m({ errorCode: 403, readOnly: true })).toBe(true);
    expect(m({ errorCode: '403', readOnly: 'true' })).toBe(true);
    expect(m({ errorCode: 404, readOnly: true })).toBe(false);
  });

  it('treats null as an absent or null field and empty string as empty', () => {
    const nul = matcher('    selection:\n        errorCode: null');
    expect(nul({})).toBe(true);
    expect(nul({ errorCode: null })).toBe(true);
    expect(nul({ errorCode: '' })).toBe(false);
    const empty = matcher("    selection:\n        errorCode: ''");
    expect(empty({ errorCode: '' })).toBe(true);
    expect(empty({})).toBe(false);
  });
});

describe('Sigma wildcards and escaping', () => {
  it('supports * and ? anywhere', () => {
    const m = matcher("    selection:\n        Image: '/usr/*/py?hon*'");
    expect(m({ Image: '/usr/bin/python3' })).toBe(true);
    expect(m({ Image: '/usr/local/bin/pyXhon' })).toBe(true);
    expect(m({ Image: '/usr/bin/pyhon' })).toBe(false);
    expect(m({ Image: '/opt/bin/python' })).toBe(false);
  });

  it('reads \\* and \\? as literal characters', () => {
    const m = matcher("    selection:\n        CommandLine: 'ls \\*'");
    expect(m({ CommandLine: 'ls *' })).toBe(true);
    expect(m({ CommandLine: 'ls abc' })).toBe(false);
    const q = matcher("    selection:\n        CommandLine|contains: 'why\\?'");
    expect(q({ CommandLine: 'echo why?' })).toBe(true);
    expect(q({ CommandLine: 'echo whyX' })).toBe(false);
  });

  it('reads \\\\* as a backslash then a wildcard, and a lone backslash as itself', () => {
    const m = matcher("    selection:\n        Path: 'C:\\\\*'");
    expect(m({ Path: 'C:\\Windows' })).toBe(true);
    expect(m({ Path: 'C:/Windows' })).toBe(false);
    const plain = matcher("    selection:\n        Path: 'C:\\Windows\\System32'");
    expect(plain({ Path: 'C:\\Windows\\System32' })).toBe(true);
    const three = matcher("    selection:\n        Path: 'a\\\\\\*'");
    expect(three({ Path: 'a\\*' })).toBe(true);
    expect(three({ Path: 'a\\bc' })).toBe(false);
  });
});

describe('Sigma string modifiers', () => {
  it('contains, startswith and endswith', () => {
    const c = matcher("    selection:\n        CommandLine|contains: 'curl '");
    expect(c({ CommandLine: 'sh -c CURL http://x' })).toBe(true);
    expect(c({ CommandLine: 'wget' })).toBe(false);
    const s = matcher("    selection:\n        Image|startswith: '/tmp/'");
    expect(s({ Image: '/tmp/x' })).toBe(true);
    expect(s({ Image: '/var/tmp/x' })).toBe(false);
    const e = matcher("    selection:\n        Image|endswith: '/nc'");
    expect(e({ Image: '/usr/bin/nc' })).toBe(true);
    expect(e({ Image: '/usr/bin/ncat' })).toBe(false);
  });

  it('startswith and whole values agree with comparing lower-cased text, for any characters', () => {
    // The compiled tests skip lower-casing where they can; the answer must be the plain one.
    const chars = fc.constantFrom(
      'a',
      'A',
      'f',
      'F',
      '_',
      'İ',
      'i',
      '\u0307',
      'K',
      'k',
      'Σ',
      'ß',
      ' ',
    );
    const text = fc.array(chars, { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, text, (value, wanted) => {
        const literal = wanted.toLowerCase();
        const prefix = compilePattern(parseSigmaString(literal).concat(ANY_RUN), true);
        const exact = compilePattern(parseSigmaString(literal), true);
        expect(prefix(value)).toBe(value.toLowerCase().startsWith(literal));
        expect(exact(value)).toBe(value.toLowerCase() === literal);
      }),
      { numRuns: 5_000 },
    );
  });

  it('all: every value must match', () => {
    const m = matcher(
      "    selection:\n        CommandLine|contains|all:\n            - ' -s '\n            - 'truncate'",
    );
    expect(m({ CommandLine: 'truncate -s 10M f' })).toBe(true);
    expect(m({ CommandLine: 'truncate f' })).toBe(false);
  });

  it('matches a whole value holding İ, which lower-cases to two units, as itself', () => {
    const m = matcher("    selection:\n        city: 'İzmir'");
    expect(m({ city: 'İzmir' })).toBe(true);
    expect(m({ city: 'i̇zmir' })).toBe(true);
    expect(m({ city: 'Izmir' })).toBe(false);
  });

  it('cased: compares case-sensitively', () => {
    const m = matcher("    selection:\n        CommandLine|contains|cased: ' -O '");
    expect(m({ CommandLine: 'wget -O x' })).toBe(true);
    expect(m({ CommandLine: 'wget -o x' })).toBe(false);
  });

  it('exists: presence of a field, whatever its value', () => {
    const yes = matcher('    selection:\n        errorCode|exists: true');
    expect(yes({ errorCode: null })).toBe(true);
    expect(yes({})).toBe(false);
    const no = matcher('    selection:\n        errorCode|exists: false');
    expect(no({})).toBe(true);
    expect(no({ errorCode: 'x' })).toBe(false);
  });

  it('neq: differs from every listed value (an absent field differs)', () => {
    const m = matcher(
      '    selection:\n        userIdentity.type|neq:\n            - Root\n            - AWSService',
    );
    expect(m({ userIdentity: { type: 'IAMUser' } })).toBe(true);
    expect(m({ userIdentity: { type: 'root' } })).toBe(false);
    expect(m({ userIdentity: { type: 'AWSService' } })).toBe(false);
    expect(m({})).toBe(true);
  });

  it('windash: any dash character in place of - or /', () => {
    const m = matcher("    selection:\n        CommandLine|windash|contains: ' -enc '");
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) {
      expect(m({ CommandLine: `powershell ${dash}enc AAA` })).toBe(true);
    }
    expect(m({ CommandLine: 'powershell +enc AAA' })).toBe(false);
  });

  it('re with i, m and s sub-modifiers (unanchored, case-sensitive by default)', () => {
    const re = matcher("    selection:\n        CommandLine|re: '\\s-O\\s'");
    expect(re({ CommandLine: 'wget -O out' })).toBe(true);
    expect(re({ CommandLine: 'wget -o out' })).toBe(false);
    const i = matcher("    selection:\n        CommandLine|re|i: '^WGET'");
    expect(i({ CommandLine: 'wget x' })).toBe(true);
    const m = matcher("    selection:\n        Message|re|m: '^second$'");
    expect(m({ Message: 'first\nsecond\nthird' })).toBe(true);
    const noM = matcher("    selection:\n        Message|re: '^second$'");
    expect(noM({ Message: 'first\nsecond\nthird' })).toBe(false);
    const s = matcher("    selection:\n        Message|re|s: 'first.second'");
    expect(s({ Message: 'first\nsecond' })).toBe(true);
    const noS = matcher("    selection:\n        Message|re: 'first.second'");
    expect(noS({ Message: 'first\nsecond' })).toBe(false);
  });

  it('re runs in linear time on a catastrophic-backtracking pattern', () => {
    const m = matcher("    selection:\n        CommandLine|re: '^(a+)+$'");
    const started = performance.now();
    expect(m({ CommandLine: `${'a'.repeat(50_000)}!` })).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('lists a pattern RE2 cannot compile as an unsupported rule', () => {
    const reason = reasonFor(
      "title: t\nlogsource: {product: aws}\ndetection:\n    sel:\n        a|re: '(?=x)y'\n    condition: sel\n",
    );
    expect(reason).toContain('detection.sel.a|re');
    expect(reason).toContain('is not RE2');
  });
});

describe('Sigma encoding modifiers', () => {
  it('base64 matches the encoded value', () => {
    const m = matcher("    selection:\n        data|base64: 'http://'");
    expect(m({ data: 'aHR0cDovLw==' })).toBe(true);
    expect(m({ data: 'AHR0CDOVLW==' })).toBe(false);
  });

  it('base64offset|contains finds the value at any byte offset of an encoded blob', () => {
    expect(base64Offsets({ text: 'http://', binary: false })).toEqual([
      'aHR0cDovL',
      'h0dHA6Ly',
      'odHRwOi8v',
    ]);
    const m = matcher("    selection:\n        data|base64offset|contains: 'http://'");
    for (const prefix of ['', 'x', 'xy', 'xyz']) {
      const blob = Buffer.from(`${prefix}curl http://evil`).toString('base64');
      expect(m({ data: blob })).toBe(true);
    }
    expect(m({ data: Buffer.from('ftp://evil').toString('base64') })).toBe(false);
  });

  it('utf16le / wide / utf16be / utf16 then base64', () => {
    const le = matcher("    selection:\n        data|utf16le|base64: 'cmd'");
    expect(le({ data: Buffer.from('cmd', 'utf16le').toString('base64') })).toBe(true);
    const wide = matcher("    selection:\n        data|wide|base64offset|contains: 'cmd'");
    expect(wide({ data: Buffer.from('run cmd /c', 'utf16le').toString('base64') })).toBe(true);
    const be = matcher("    selection:\n        data|utf16be|base64: 'cmd'");
    expect(be({ data: Buffer.from([0, 0x63, 0, 0x6d, 0, 0x64]).toString('base64') })).toBe(true);
    const bom = matcher("    selection:\n        data|utf16|base64: 'cmd'");
    expect(
      bom({ data: Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64') }),
    ).toBe(true);
  });

  it('rejects base64 of a value holding wildcards', () => {
    const reason = reasonFor(
      "title: t\nlogsource: {product: aws}\ndetection:\n    sel:\n        a|contains|base64: 'x'\n    condition: sel\n",
    );
    expect(reason).toContain('cannot encode a value with wildcards');
  });
});

describe('Sigma numeric, time, network and reference modifiers', () => {
  it('lt, lte, gt, gte parse numbers from numbers or numeric strings', () => {
    const gt = matcher('    selection:\n        bytes|gt: 1000');
    expect(gt({ bytes: 1001 })).toBe(true);
    expect(gt({ bytes: '1000.5' })).toBe(true);
    expect(gt({ bytes: 1000 })).toBe(false);
    expect(gt({ bytes: 'lots' })).toBe(false);
    expect(matcher('    selection:\n        n|gte: 5')({ n: 5 })).toBe(true);
    expect(matcher('    selection:\n        n|lt: 5')({ n: 5 })).toBe(false);
    expect(matcher('    selection:\n        n|lte: 5')({ n: '5' })).toBe(true);
  });

  it('time modifiers read a part of a date, alone or with a comparison', () => {
    const t = '2024-03-10T23:45:12Z';
    expect(matcher('    selection:\n        eventTime|hour: 23')({ eventTime: t })).toBe(true);
    expect(matcher('    selection:\n        eventTime|minute: 45')({ eventTime: t })).toBe(true);
    expect(matcher('    selection:\n        eventTime|day: 10')({ eventTime: t })).toBe(true);
    expect(matcher('    selection:\n        eventTime|month: 3')({ eventTime: t })).toBe(true);
    expect(matcher('    selection:\n        eventTime|year: 2024')({ eventTime: t })).toBe(true);
    expect(matcher('    selection:\n        eventTime|week: 10')({ eventTime: t })).toBe(true);
    expect(matcher('    selection:\n        eventTime|hour|gte: 22')({ eventTime: t })).toBe(true);
    expect(matcher('    selection:\n        eventTime|hour|lt: 6')({ eventTime: t })).toBe(false);
    expect(matcher('    selection:\n        eventTime|hour: 23')({ eventTime: 'not a date' })).toBe(
      false,
    );
  });

  it('cidr matches IPv4 and IPv6 ranges', () => {
    const m = matcher(
      "    selection:\n        sourceIPAddress|cidr:\n            - 10.0.0.0/8\n            - '2001:db8::/32'",
    );
    expect(m({ sourceIPAddress: '10.1.2.3' })).toBe(true);
    expect(m({ sourceIPAddress: '2001:db8::1' })).toBe(true);
    expect(m({ sourceIPAddress: '11.0.0.1' })).toBe(false);
    expect(m({ sourceIPAddress: 'ec2.amazonaws.com' })).toBe(false);
    expect(
      reasonFor(
        'title: t\nlogsource: {product: aws}\ndetection:\n    sel:\n        a|cidr: 10.0.0.0/33\n    condition: sel\n',
      ),
    ).toContain('not a CIDR');
  });

  it('fieldref compares two fields of the event, and combines with neq', () => {
    const same = matcher(
      '    selection:\n        userIdentity.userName|fieldref: requestParameters.userName',
    );
    expect(
      same({ userIdentity: { userName: 'Bob' }, requestParameters: { userName: 'bob' } }),
    ).toBe(true);
    expect(
      same({ userIdentity: { userName: 'bob' }, requestParameters: { userName: 'alice' } }),
    ).toBe(false);
    expect(same({ userIdentity: { userName: 'bob' } })).toBe(false);
    const other = matcher(
      '    selection:\n        userIdentity.userName|fieldref|neq: requestParameters.userName',
    );
    expect(
      other({ userIdentity: { userName: 'bob' }, requestParameters: { userName: 'alice' } }),
    ).toBe(true);
    const inside = matcher(
      '    selection:\n        userIdentity.arn|fieldref|endswith: requestParameters.userName',
    );
    expect(
      inside({
        userIdentity: { arn: 'arn:aws:iam::1:user/bob' },
        requestParameters: { userName: 'bob' },
      }),
    ).toBe(true);
  });

  it('expand replaces placeholders with the caller-supplied values', () => {
    const options = { placeholders: { Administrators: ['root', 'admin*'] } };
    const m = matcher("    selection:\n        user|expand: '%Administrators%'", options);
    expect(m({ user: 'root' })).toBe(true);
    expect(m({ user: 'administrator' })).toBe(true);
    expect(m({ user: 'bob' })).toBe(false);
    const literal = matcher("    selection:\n        user: '%Administrators%'");
    expect(literal({ user: '%Administrators%' })).toBe(true);
    const escaped = matcher(
      "    selection:\n        user|expand: '\\%plain%Administrators%'",
      options,
    );
    expect(escaped({ user: '%plainroot' })).toBe(true);
  });

  it('names the missing placeholder and unknown modifiers as unsupported reasons', () => {
    const base =
      'title: t\nlogsource: {product: aws}\ndetection:\n    sel:\n        KEY: v\n    condition: sel\n';
    expect(reasonFor(base.replace('KEY', 'user|expand').replace(': v', ": '%Admins%'"))).toContain(
      'placeholder %Admins% has no value',
    );
    expect(reasonFor(base.replace('KEY', 'user|sortof'))).toContain('unknown modifier "sortof"');
    expect(reasonFor(base.replace('KEY', 'user|i'))).toContain('only valid after re');
  });
});

describe('Sigma keyword search', () => {
  it('searches every string value of the event for any keyword', () => {
    const m = matcher(
      "    keywords:\n        - 'Corrupted MAC on input'\n        - 'bad client public DH value'",
      {},
      'keywords',
    );
    expect(m({ message: 'sshd[1]: Corrupted MAC on input. Disconnecting' })).toBe(true);
    expect(m({ nested: { deep: ['x', 'BAD CLIENT PUBLIC DH VALUE'] } })).toBe(true);
    expect(m({ message: 'Accepted password for bob' })).toBe(false);
  });

  it("'|all' requires every keyword", () => {
    const m = matcher(
      "    keywords:\n        '|all':\n            - 'truncate'\n            - '-s'",
      {},
      'keywords',
    );
    expect(m({ a0: 'truncate', a1: '-s' })).toBe(true);
    expect(m({ a0: 'truncate' })).toBe(false);
  });

  it('never matches a keyword across two values, with or without wildcards', () => {
    const plain = matcher("    keywords:\n        - 'rm /var/log'", {}, 'keywords');
    expect(plain({ a: 'sudo rm', b: '/var/log/syslog' })).toBe(false);
    expect(plain({ a: 'x', b: 'sudo RM /VAR/LOG/syslog' })).toBe(true);
    const glob = matcher("    keywords:\n        - 'wget * | sh'", {}, 'keywords');
    expect(glob({ a: 'wget http://x', b: '| sh' })).toBe(false);
    expect(glob({ a: 'wget http://x | sh' })).toBe(true);
  });

  it('compares cased and base64 keywords with the case as written', () => {
    const cased = matcher("    keywords:\n        '|cased':\n            - 'Bad'", {}, 'keywords');
    expect(cased({ m: 'a Bad key' })).toBe(true);
    expect(cased({ m: 'a bad key' })).toBe(false);
    const encoded = matcher(
      "    keywords:\n        '|base64':\n            - 'whoami'",
      {},
      'keywords',
    );
    expect(encoded({ m: 'echo d2hvYW1p | base64 -d' })).toBe(true);
    expect(encoded({ m: 'echo D2HVYW1P | base64 -d' })).toBe(false);
  });
});
