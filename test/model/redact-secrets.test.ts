/**
 * What `redactSecrets` takes out of stored properties, and what it leaves: the shapes are the
 * clouds' own (Lambda's Environment.Variables, a container's env list, ARM and Kubernetes bodies).
 */

import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, TOO_DEEP } from '../../src/model/redact-secrets.js';

describe('redactSecrets', () => {
  it('takes secret-named variables out of a Lambda environment and keeps the others', () => {
    const lambda = {
      FunctionName: 'billing',
      Environment: {
        Variables: { STRIPE_API_KEY: 'sk_live_abc', DB_PASSWORD: 'hunter2', REGION: 'eu-west-1' },
      },
      KmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1',
    };
    expect(redactSecrets('AWS::Lambda::Function', lambda)).toEqual({
      ...lambda,
      Environment: {
        Variables: { STRIPE_API_KEY: REDACTED, DB_PASSWORD: REDACTED, REGION: 'eu-west-1' },
      },
    });
  });

  it('takes the value of a secret-named container variable, not a reference to a Secret', () => {
    const env = [
      { name: 'GITHUB_TOKEN', value: 'ghp_x' },
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'K8S_GOAT_VAULT_KEY', valueFrom: { secretKeyRef: { name: 'goatvault', key: 'k' } } },
    ];
    const pod = { spec: { containers: [{ name: 'app', image: 'app:1', env }] } };
    const out = redactSecrets('apps/v1/Deployment', pod) as typeof pod;
    expect(out.spec.containers[0].env).toEqual([
      { name: 'GITHUB_TOKEN', value: REDACTED },
      { name: 'LOG_LEVEL', value: 'debug' },
      env[2],
    ]);
  });

  it('empties a Secret and the copy of it kubectl apply leaves in an annotation', () => {
    const secret = {
      kind: 'Secret',
      metadata: {
        name: 'db',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration':
            '{"data":{"password":"aHVudGVyMg=="}}',
          team: 'payments',
        },
      },
      data: { password: 'aHVudGVyMg==' },
      stringData: { user: 'admin' },
    };
    expect(redactSecrets('v1/Secret', secret)).toEqual({
      kind: 'Secret',
      metadata: { name: 'db', annotations: { team: 'payments' } },
      data: { password: REDACTED },
      stringData: { user: REDACTED },
    });
  });

  it('leaves names, ARNs, booleans and settings about secrets alone', () => {
    const props = {
      secretName: 'db',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db',
      passwordPolicy: { minimumLength: 14 },
      automountServiceAccountToken: false,
      KeyName: 'ops',
      administratorLogin: 'sqladmin',
      administratorLoginPassword: '[guid(resourceGroup().id)]',
      UserData: 'IyEvYmluL2Jhc2g=',
    };
    expect(redactSecrets('Microsoft.Sql/servers', props)).toEqual({
      ...props,
      administratorLoginPassword: REDACTED,
      UserData: REDACTED,
    });
  });

  it('cuts what nests deeper than it looks, rather than keeping it unredacted', () => {
    let deep: unknown = { password: 'hunter2' };
    for (let i = 0; i < 6_000; i++) deep = [deep];
    const kept = redactSecrets('Microsoft.Storage/storageAccounts', { x: deep }) as {
      x: unknown;
    };
    const text = JSON.stringify(kept);
    expect(text).not.toContain('hunter2');
    expect(text).toContain(TOO_DEEP);
    // Shallow values are untouched.
    expect(redactSecrets('t', { a: [[{ b: 1 }]] })).toEqual({ a: [[{ b: 1 }]] });
  });
});
