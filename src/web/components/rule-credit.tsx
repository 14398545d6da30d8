/** The rule behind an alert with its author and licence: Sigma rule licences require it shown. */

import type { AlertRule } from '../api/types';

export function RuleCredit({ rule }: { rule: AlertRule }) {
  return (
    <span className="rule-credit">
      {rule.kind} rule <span className="mono">{rule.title}</span>
      {' · author: '}
      <span data-testid="rule-author">{rule.author || 'not stated'}</span>
      {rule.license ? ` · licence: ${rule.license}` : ''}
    </span>
  );
}
