/** Controls carry score; standards map regulatory controls onto the benchmark's rules. */

import type { Cloud } from './resource.js';

export interface Control {
  /** `NS-1` .. `GS-10`. */
  id: string;
  domain: string;
  title: string;
  /** Points a fully healthy control contributes to the secure score. */
  max_score: number;
}

export interface StandardControl {
  id: string;
  title: string;
}

/** A regulatory standard: its controls, matched to rules through `Rule.mappings[key]`. */
export interface Standard {
  /** File name without extension: `cis-aws`, `nist-800-53`. */
  id: string;
  /** Key into `Rule.mappings` (`cis`, `nist_800_53`, `pci_dss`, `iso_27001`). */
  key: 'cis' | 'nist_800_53' | 'pci_dss' | 'iso_27001';
  name: string;
  version: string;
  /** Set for per-cloud standards (CIS): only that cloud's rules count. */
  cloud?: Cloud;
  controls: StandardControl[];
}
