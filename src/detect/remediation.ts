/**
 * First response steps for an alert, by ATT&CK tactic, for rules that carry no remediation of
 * their own (Sigma rules rarely do). Written by the Palisade team.
 */

import type { AttackMapping } from '../model/alert.js';

const BY_TACTIC: Record<string, string> = {
  'initial-access':
    'Confirm with the owner of the identity involved whether this activity was theirs; if not, revoke its sessions and credentials.',
  execution:
    'Identify what ran, on which host or resource, and under which identity; isolate the host if the execution was not expected.',
  persistence:
    'Remove the new user, key, role, trust or function change unless an approved change explains it.',
  'privilege-escalation':
    'Review the permissions granted and revert any that no approved change explains.',
  'defense-impairment':
    'Restore the logging, monitoring or protection that was changed, then review what happened while it was off.',
  stealth:
    'Find what was hidden or disguised (renamed tools, removed traces, borrowed identities) and review the activity it covered.',
  'credential-access':
    'Rotate the credentials, secrets or keys that may have been read, and review where they were used since.',
  discovery:
    'Check whether the identity normally enumerates these resources; unexpected discovery often precedes an attack.',
  'lateral-movement':
    'Check the target systems for signs of compromise and restrict the path that was used.',
  collection: 'Identify the data that was gathered and who can reach it now.',
  exfiltration:
    'Revoke the sharing or transfer that moved data out, and assess what left the estate.',
  impact: 'Stop the destructive action, restore from backup where needed, and preserve evidence.',
  'command-and-control': 'Block the remote endpoint and look for other hosts talking to it.',
};

/** Generic response steps for the alert's tactics (always at least one step). */
export function remediationFor(
  attack: AttackMapping,
  hit: { falsePositives?: string[] },
): string[] {
  const steps = attack.tactics.map((t) => BY_TACTIC[t]).filter((s): s is string => Boolean(s));
  if (steps.length === 0)
    steps.push('Review the evidence with the owner of the identity and resource involved.');
  if (hit.falsePositives?.length)
    steps.push(`Known benign causes: ${withoutFinalStops(hit.falsePositives.join('; '))}.`);
  return steps;
}

/** `text` without the full stops and spaces it ends with (rules often end a line with "."). */
function withoutFinalStops(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || text[end - 1].trim() === '')) end -= 1;
  return text.slice(0, end);
}
