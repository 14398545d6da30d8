/** MITRE ATT&CK enterprise tactics, in kill-chain order, as rules name them in tags. */

export const KILL_CHAIN: readonly string[] = [
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'command-and-control',
  'exfiltration',
  'impact',
];

/** The same tactics as a set, for tag parsing. */
export const TACTICS: ReadonlySet<string> = new Set(KILL_CHAIN);
