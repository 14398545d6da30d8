/** `palisade rules`: the rules a scan would run, with severity, control and mappings. */

import { loadRules, RuleLoadError } from '../posture/rule-loader.js';
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
  try {
    rules = await loadRules(options.rules, { preview: options.previewRules });
    compileRules(rules);
  } catch (error) {
    if (!(error instanceof RuleLoadError)) throw error;
    process.stderr.write(`palisade: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
  const shown = rules
    .filter((r) => !options.cloud || r.cloud === options.cloud)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (options.json) {
    process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
    return EXIT_OK;
  }
  for (const r of shown) {
    process.stdout.write(
      `${r.id.padEnd(60)} ${r.severity.padEnd(13)} ${r.control.padEnd(6)} ${r.title}\n`,
    );
  }
  const byCloud = ['aws', 'azure', 'gcp', 'kubernetes'].map(
    (c) => `${c} ${shown.filter((r) => r.cloud === c).length}`,
  );
  process.stdout.write(`\n${counted(shown.length, 'rule')} (${byCloud.join(', ')})\n`);
  return EXIT_OK;
}
