/**
 * `palisade whatif --rule ID`: before a rule moves to deny, which resources of the latest stored
 * assessment and which recent admission requests it would have denied.
 */

import { loadRules, RuleLoadError } from '../posture/rule-loader.js';
import {
  assertAssessmentsStored,
  latestAssessmentIds,
  UnknownAssessmentError,
  UnknownRuleError,
  whatIf,
  type WhatIfReport,
} from '../enforce/whatif.js';
import { openStore, StoreError } from '../store/database.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { refuseMissingStore } from './export-command.js';
import { printable } from '../report/terminal-text.js';

export interface WhatIfCommandOptions {
  rule: string;
  db: string;
  since: Date;
  assessment?: string;
  rules: string[];
  json?: boolean;
}

function printReport(report: WhatIfReport): void {
  const out: string[] = [];
  const { rule } = report;
  out.push(`What-if: ${rule.id} (${rule.severity}) in deny mode`, `  ${rule.title}`, '');

  if (report.assessments.length === 0) {
    out.push('Assessment: none stored yet (run `palisade scan PATH`).');
  } else {
    const a = report.assessments.map((x) => `${x.id} (${x.finishedAt})`).join(', ');
    out.push(`Assessment ${a}: ${report.resources.length} resource(s) would be denied`);
    for (const r of report.resources) {
      const at = r.file ? `  ${r.file}${r.line ? `:${r.line}` : ''}` : '';
      out.push(`  ✗ ${r.resourceId}${at}`, `      ${r.message}`);
    }
    if (report.exempt.length > 0) {
      out.push(
        `  ${report.exempt.length} more fail but are exempt, so deny mode lets them through`,
      );
    }
  }
  out.push('');

  const adm = report.admission;
  if (adm.note) {
    out.push(`Admission requests: not judged (${adm.note}).`);
  } else {
    out.push(
      `Admission requests since ${adm.since}: ${adm.wouldDeny.length} of ${adm.examined} ` +
        `would be denied${adm.unjudged ? ` (${adm.unjudged} could not be judged again)` : ''}`,
    );
    for (const r of adm.wouldDeny) {
      const then = r.allowedThen ? `allowed then (${r.modeThen})` : `denied then (${r.modeThen})`;
      const where = r.namespace ? `${r.namespace}/` : '';
      out.push(
        `  ✗ ${r.time}  ${r.operation} ${r.kind} ${where}${r.name} by ${r.user || '(unknown)'}` +
          `${r.dryRun ? ' [dry run]' : ''}: ${then}`,
      );
    }
  }
  // Names and messages come from IaC and admission requests: print them as inert text.
  process.stdout.write(`${out.map(printable).join('\n')}\n`);
}

/** Prints what the rule would have denied. */
export async function runWhatIf(options: WhatIfCommandOptions): Promise<number> {
  const hint = 'or fill one with `palisade scan --db` or the admission webhook first';
  if (refuseMissingStore('whatif', options.db, hint)) return EXIT_INPUT_ERROR;
  let db;
  try {
    db = await openStore(options.db);
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    process.stderr.write(`palisade whatif: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
  try {
    const rules = await loadRules(options.rules);
    // An assessment asked for by id must exist: an empty report would read as "none stored".
    if (options.assessment !== undefined) await assertAssessmentsStored(db, [options.assessment]);
    const report = await whatIf({
      db,
      rules,
      ruleId: options.rule,
      assessmentIds:
        options.assessment !== undefined ? [options.assessment] : await latestAssessmentIds(db),
      since: options.since,
    });
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report);
    return EXIT_OK;
  } catch (error) {
    const known = [UnknownRuleError, UnknownAssessmentError, RuleLoadError];
    if (!known.some((k) => error instanceof k)) throw error;
    process.stderr.write(`palisade whatif: ${(error as Error).message}\n`);
    return EXIT_INPUT_ERROR;
  } finally {
    await db.destroy();
  }
}
