/**
 * CloudTrail records for width tests: an access key made for another user, then a security group
 * opened to the internet by a range that comes after a long padding list of private ranges.
 */

export const OPEN_TO_INTERNET = 'AWS security group opened to the internet';
export const KEY_FOR_ANOTHER = 'AWS access key created for another user';

/** Wide enough that spreading it into one call's arguments overflows Node's default stack,
 * and under the 8 MiB a reader takes of one line. */
export const WIDTH = 300_000;

const actor = {
  type: 'IAMUser',
  arn: 'arn:aws:iam::111111111111:user/a',
  userName: 'a',
  accountId: '111111111111',
};

/** An access key made for another user, then a security group opened behind a padded list. */
export function wideRecords(width = WIDTH): string {
  const keyForAnother = {
    eventVersion: '1.08',
    eventTime: '2023-07-10T11:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: '8.8.8.8',
    userIdentity: actor,
    requestParameters: { userName: 'victim' },
  };
  const padding = Array.from({ length: width }, () => ({ cidrIp: '10.0.0.1/32' }));
  const openToInternet = {
    eventVersion: '1.08',
    eventTime: '2023-07-10T12:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'us-east-1',
    sourceIPAddress: '8.8.8.8',
    userIdentity: actor,
    requestParameters: {
      groupId: 'sg-1',
      ipPermissions: {
        items: [{ ipRanges: { items: [...padding, { cidrIp: '0.0.0.0/0' }] } }],
      },
    },
  };
  return `${JSON.stringify(keyForAnother)}\n${JSON.stringify(openToInternet)}\n`;
}
