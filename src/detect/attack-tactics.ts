/**
 * MITRE ATT&CK enterprise tactics, in kill-chain order, as rules name them in tags. ATT&CK v19
 * split Defense Evasion into Stealth and Defense Impairment, and SigmaHQ's rules carry the new
 * names; the old one stays for rules written before, in the same place of the chain.
 */

export const KILL_CHAIN: readonly string[] = [
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'stealth',
  'defense-impairment',
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
