/**
 * `palisade rules`: the rules a scan would run, with severity, control and mappings; then the
 * enforcement pack, whose rules take an organisation's parameters from a policy assignment and
 * judge only in `check` and admission (their ids are what a policy names).
 */

import type { Rule } from '../model/rule.js';
import { loadRules, RuleLoadError } from '../posture/rule-loader.js';
import { ENFORCEMENT_RULES_DIR } from '../enforce/enforcement-rules.js';
import { compileRules } from '../posture/engine.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { checkRuleFolders } from './rule-folders.js';
import { counted } from '../report/counted.js';

export async function runRules(options: {
  rules: string[];
  previewRules?: boolean;
  cloud?: string;
  json?: boolean;
}): Promise<number> {
  const missingRules = await checkRuleFolders(options.rules);
  if (missingRules) {
    process.stderr.write(`palisade: ${missingRules}\n`);
    return EXIT_INPUT_ERROR;
  }
  let rules;
  let pack: Rule[];
  try {
    rules = await loadRules(options.rules, { preview: options.previewRules });
    compileRules(rules);
    pack = await loadRules([ENFORCEMENT_RULES_DIR], { bundled: false });
  } catch (error) {
    if (!(error instanceof RuleLoadError)) throw error;
    process.stderr.write(`palisade: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
  const chosen = (list: Rule[]) =>
    list
      .filter((r) => !options.cloud || r.cloud === options.cloud)
      .sort((a, b) => a.id.localeCompare(b.id));
  const shown = chosen(rules);
  const packShown = chosen(pack);
  if (options.json) {
    const listed = [...shown, ...packShown.map((r) => ({ ...r, enforcementPack: true }))];
    process.stdout.write(JSON.stringify(listed, null, 2) + '\n');
    return EXIT_OK;
  }
  const line = (r: Rule) =>
    `${r.id.padEnd(60)} ${r.severity.padEnd(13)} ${r.control.padEnd(6)} ${r.title}\n`;
  for (const r of shown) process.stdout.write(line(r));
  const byCloud = ['aws', 'azure', 'gcp', 'kubernetes'].map(
    (c) => `${c} ${shown.filter((r) => r.cloud === c).length}`,
  );
  process.stdout.write(`\n${counted(shown.length, 'rule')} (${byCloud.join(', ')})\n`);
  if (packShown.length > 0) {
    process.stdout.write(
      '\nEnforcement pack: rules that take parameters from a policy assignment and judge only ' +
        'in palisade check and admission (docs/enforce.md)\n',
    );
    for (const r of packShown) {
      const params = Object.keys(r.parameters ?? {});
      process.stdout.write(
        line(r).replace(/\n$/, params.length ? ` (${params.join(', ')})\n` : '\n'),
      );
    }
  }
  return EXIT_OK;
}
