/**
 * The ValidatingWebhookConfiguration that registers the webhook with the API server: the CA it
 * trusts, the kinds the rules judge, the failure policy and timeout from the configuration, and
 * a namespace selector that keeps exempt namespaces (and the webhook's own) away from it.
 */

import { stringify } from 'yaml';
import type { Rule } from '../../model/rule.js';
import type { AdmissionConfig } from './admission-config.js';

/** The webhook's name in the configuration; it must be a fully qualified name. */
export const WEBHOOK_NAME = 'validate.admission.palisade.io';

/** The label every namespace carries with its own name (Kubernetes 1.22+). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A namespace name that may appear in a label selector (exact, no glob characters). */
const EXACT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The resource (plural) name of a kind, as RBAC and webhook rules spell it. */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The webhook rules: per API group, the resources some rule judges. */
export function webhookRules(rules: Rule[]) {
  const byGroup = new Map<string, Set<string>>();
  for (const rule of rules) {
    if (rule.cloud !== 'kubernetes') continue;
    for (const type of rule.resource_types) {
      const parts = type.split('/');
      const kind = parts.pop()!;
      const group = parts.length === 2 ? parts[0] : '';
      const resources = byGroup.get(group) ?? new Set<string>();
      resources.add(pluralOf(kind));
      if (kind === 'Pod' && group === '') resources.add('pods/ephemeralcontainers');
      byGroup.set(group, resources);
    }
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, resources]) => ({
      apiGroups: [group],
      apiVersions: ['*'],
      operations: ['CREATE', 'UPDATE'],
      resources: [...resources].sort(),
      scope: '*',
    }));
}

/**
 * The ValidatingWebhookConfiguration as YAML.
 *
 * ```ts
 * process.stdout.write(webhookManifest(config, rules, readFileSync('certs/ca.crt', 'utf8')));
 * ```
 */
export function webhookManifest(config: AdmissionConfig, rules: Rule[], caPem: string): string {
  const exact = config.exemptNamespaces.filter((n) => EXACT_NAME.test(n));
  // The webhook's own namespace is always left out: otherwise a failing webhook with
  // failurePolicy Fail would block the very pods that could bring it back.
  const exempt = [...new Set([...exact, config.service.namespace])].sort();
  const document = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: {
      name: config.service.name,
      labels: { 'app.kubernetes.io/name': 'palisade', 'app.kubernetes.io/component': 'admission' },
    },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: config.failurePolicy,
        timeoutSeconds: config.timeoutSeconds,
        matchPolicy: 'Equivalent',
        clientConfig: {
          service: {
            name: config.service.name,
            namespace: config.service.namespace,
            path: config.service.path,
            port: config.service.port,
          },
          caBundle: Buffer.from(caPem, 'utf8').toString('base64'),
        },
        namespaceSelector: {
          matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: exempt }],
        },
        rules: webhookRules(rules),
      },
    ],
  };
  return stringify(document, { lineWidth: 0 });
}
