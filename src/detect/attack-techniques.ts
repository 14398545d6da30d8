/**
 * Which ATT&CK v19 Enterprise tactics each technique serves, for the techniques SigmaHQ's rules and
 * Palisade's built-in rules tag, so a technique is never reported under a tactic it does not belong
 * to. Written by the Palisade team; test/detect/attack-techniques.test.ts checks it against the tags
 * of the shared SigmaHQ rules.
 */

import { canonicalTactic } from './attack-tactics.js';

/**
 * Tactics by technique, space-separated. A sub-technique listed here overrides its parent; others
 * take the parent's. Techniques v19 revoked (T1562 Impair Defenses and its sub-techniques, Clear
 * Windows/Linux logs) stay, under the tactic their successors (T1685, T1686, ...) belong to, since
 * older rules still tag them.
 * Known gap: where v19 moved a former Defense Evasion technique and neither the rules' tags nor the
 * technique's successor say whether to Stealth or Defense Impairment (T1548, T1550), only its other
 * tactics are listed.
 */
const TECHNIQUE_TACTICS: Readonly<Record<string, string>> = {
  T1003: 'credential-access',
  T1005: 'collection',
  T1007: 'discovery',
  T1014: 'stealth',
  T1016: 'discovery',
  T1018: 'discovery',
  T1020: 'exfiltration',
  T1021: 'lateral-movement',
  T1027: 'stealth',
  T1030: 'exfiltration',
  T1033: 'discovery',
  T1036: 'stealth',
  T1046: 'discovery',
  T1048: 'exfiltration',
  T1049: 'discovery',
  T1053: 'execution persistence privilege-escalation',
  T1055: 'privilege-escalation stealth',
  T1056: 'collection credential-access',
  T1057: 'discovery',
  T1059: 'execution',
  T1068: 'privilege-escalation',
  T1069: 'discovery',
  T1070: 'stealth',
  'T1070.001': 'defense-impairment',
  'T1070.002': 'defense-impairment',
  T1078: 'initial-access persistence privilege-escalation stealth',
  T1082: 'discovery',
  T1083: 'discovery',
  T1087: 'discovery',
  T1090: 'command-and-control',
  T1098: 'persistence privilege-escalation',
  T1102: 'command-and-control',
  T1105: 'command-and-control',
  T1106: 'execution',
  T1110: 'credential-access',
  T1113: 'collection',
  T1114: 'collection',
  T1115: 'collection',
  T1123: 'collection',
  T1136: 'persistence',
  T1140: 'stealth',
  T1190: 'initial-access',
  T1199: 'initial-access',
  T1201: 'discovery',
  T1203: 'execution',
  T1204: 'execution',
  T1212: 'credential-access',
  T1219: 'command-and-control',
  T1222: 'defense-impairment',
  T1484: 'privilege-escalation defense-impairment',
  T1485: 'impact',
  T1486: 'impact',
  T1489: 'impact',
  T1490: 'impact',
  T1496: 'impact',
  T1499: 'impact',
  T1518: 'discovery',
  T1525: 'persistence',
  T1526: 'discovery',
  T1528: 'credential-access',
  T1529: 'impact',
  T1531: 'impact',
  T1537: 'exfiltration',
  T1543: 'persistence privilege-escalation',
  T1547: 'persistence privilege-escalation',
  T1548: 'privilege-escalation',
  T1550: 'lateral-movement',
  T1552: 'credential-access',
  'T1553.004': 'defense-impairment',
  T1554: 'persistence',
  T1555: 'credential-access',
  T1556: 'credential-access persistence defense-impairment',
  T1560: 'collection',
  T1562: 'defense-impairment',
  T1564: 'stealth',
  T1565: 'impact',
  T1566: 'initial-access',
  T1567: 'exfiltration',
  T1568: 'command-and-control',
  T1572: 'command-and-control',
  T1573: 'command-and-control',
  T1574: 'persistence privilege-escalation stealth',
  T1578: 'defense-impairment',
  T1584: 'resource-development',
  T1587: 'resource-development',
  T1588: 'resource-development',
  T1589: 'reconnaissance',
  T1592: 'reconnaissance',
  T1606: 'credential-access',
  T1608: 'resource-development',
  T1621: 'credential-access',
  T1653: 'persistence',
  T1685: 'defense-impairment',
  T1686: 'defense-impairment',
  T1690: 'defense-impairment',
};

/** The v19 tactics a technique (`T1098`, `T1098.001`) belongs to; empty when Palisade does not know it. */
export function techniqueTactics(technique: string): string[] {
  const id = technique.toUpperCase();
  const listed = TECHNIQUE_TACTICS[id] ?? TECHNIQUE_TACTICS[id.split('.')[0]];
  return listed ? listed.split(' ') : [];
}

/**
 * A technique with a tactic it belongs to; either may be missing (a technique Palisade does not
 * place, a rule tactic no technique took), never both.
 */
export interface TechniquePairing {
  technique?: string;
  tactic?: string;
}

/**
 * Pairs each technique with the rule's tactics it belongs to, in the rule's order; a technique
 * that belongs to none of them gets its own first tactic. Rule tactics no technique took are
 * paired with no technique, so every tactic the rule names is still reported.
 *
 * @example
 * pairTechniques(['T1566', 'T1078'], ['privilege-escalation', 'initial-access'])
 * // T1566/initial-access, T1078/privilege-escalation, T1078/initial-access
 */
export function pairTechniques(
  techniques: readonly string[],
  ruleTactics: readonly string[],
): TechniquePairing[] {
  const tactics = [...new Set(ruleTactics.map(canonicalTactic))];
  const pairs: TechniquePairing[] = [];
  const used = new Set<string>();
  for (const technique of techniques) {
    const own = techniqueTactics(technique);
    const shared = tactics.filter((t) => own.includes(t));
    const chosen = shared.length > 0 ? shared : own.slice(0, 1);
    if (chosen.length === 0) pairs.push({ technique });
    for (const tactic of chosen) {
      pairs.push({ technique, tactic });
      used.add(tactic);
    }
  }
  for (const tactic of tactics) if (!used.has(tactic)) pairs.push({ tactic });
  return pairs;
}
