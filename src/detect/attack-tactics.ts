/**
 * MITRE ATT&CK Enterprise tactics, in kill-chain order, as rules name them in tags. Palisade speaks
 * ATT&CK v19 throughout (the version SigmaHQ's rules follow): v19 retired Defense Evasion, renaming
 * TA0005 to Stealth and adding Defense Impairment (TA0112). Older tags are read as their v19 tactic.
 */

/** The ATT&CK version every tactic name, id and technique placement here belongs to. */
export const ATTACK_VERSION = 'v19';

/** One ATT&CK tactic: its tag name, id and name as ATT&CK writes it. */
export interface AttackTactic {
  name: string;
  uid: string;
  title: string;
}

const V19_TACTICS: readonly AttackTactic[] = [
  { name: 'reconnaissance', uid: 'TA0043', title: 'Reconnaissance' },
  { name: 'resource-development', uid: 'TA0042', title: 'Resource Development' },
  { name: 'initial-access', uid: 'TA0001', title: 'Initial Access' },
  { name: 'execution', uid: 'TA0002', title: 'Execution' },
  { name: 'persistence', uid: 'TA0003', title: 'Persistence' },
  { name: 'privilege-escalation', uid: 'TA0004', title: 'Privilege Escalation' },
  { name: 'stealth', uid: 'TA0005', title: 'Stealth' },
  { name: 'defense-impairment', uid: 'TA0112', title: 'Defense Impairment' },
  { name: 'credential-access', uid: 'TA0006', title: 'Credential Access' },
  { name: 'discovery', uid: 'TA0007', title: 'Discovery' },
  { name: 'lateral-movement', uid: 'TA0008', title: 'Lateral Movement' },
  { name: 'collection', uid: 'TA0009', title: 'Collection' },
  { name: 'command-and-control', uid: 'TA0011', title: 'Command and Control' },
  { name: 'exfiltration', uid: 'TA0010', title: 'Exfiltration' },
  { name: 'impact', uid: 'TA0040', title: 'Impact' },
];

/**
 * Tactic names of earlier ATT&CK versions, by the v19 tactic that kept their id. Defense Evasion's
 * techniques went partly to Defense Impairment; `attackFromTags` settles that from the rule's
 * techniques, this is the reading when they do not say.
 */
export const TACTIC_ALIASES: Readonly<Record<string, string>> = {
  'defense-evasion': 'stealth',
};

/** Tactic names in kill-chain order (v19 names only). */
export const KILL_CHAIN: readonly string[] = V19_TACTICS.map((t) => t.name);

/** Every tactic name a tag may carry: the v19 ones and the aliases. */
export const TACTICS: ReadonlySet<string> = new Set([
  ...KILL_CHAIN,
  ...Object.keys(TACTIC_ALIASES),
]);

const BY_NAME = new Map(V19_TACTICS.map((t) => [t.name, t]));

/** The v19 name for a tactic name (`defense-evasion` → `stealth`); unknown names unchanged. */
export function canonicalTactic(name: string): string {
  return TACTIC_ALIASES[name] ?? name;
}

/** The tactic a name stands for, aliases included; undefined for names ATT&CK does not use. */
export function attackTactic(name: string): AttackTactic | undefined {
  return BY_NAME.get(canonicalTactic(name));
}
