/**
 * `palisade whatif --rule ID`: before a rule moves to deny, which resources of the latest stored
 * assessment and which recent admission requests it would have denied.
 */

import { Command, InvalidArgumentError } from 'commander';
import { loadRules, RuleLoadError } from '../posture/rule-loader.js';
import {
  latestAssessmentIds,
  UnknownRuleError,
  whatIf,
  type WhatIfReport,
} from '../enforce/whatif.js';
import { DEFAULT_STORE_PATH, openStore, StoreError } from '../store/database.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { printable } from '../report/terminal-text.js';

interface WhatIfCommandOptions {
  rule: string;
  db: string;
  since: Date;
  assessment?: string;
  rules: string[];
  json?: boolean;
}

const DAY_MS = 86_400_000;

/** `7d`, `12h` or an ISO 8601 time, as the start of the admission window. */
export function parseSince(value: string, now = new Date()): Date {
  const relative = /^(\d{1,4})([dh])$/.exec(value);
  if (relative) {
    const ms = Number(relative[1]) * (relative[2] === 'd' ? DAY_MS : DAY_MS / 24);
    return new Date(now.getTime() - ms);
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError('expected 7d, 12h or an ISO 8601 time');
  }
  return time;
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
    const report = await whatIf({
      db,
      rules,
      ruleId: options.rule,
      assessmentIds: options.assessment ? [options.assessment] : await latestAssessmentIds(db),
      since: options.since,
    });
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof UnknownRuleError || error instanceof RuleLoadError)) throw error;
    process.stderr.write(`palisade whatif: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  } finally {
    await db.destroy();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds `whatif` to the program. */
export function registerWhatIfCommand(program: Command): void {
  program
    .command('whatif')
    .description(
      'before a rule moves to deny: what it would deny in the latest assessment and recent admission requests',
    )
    .requiredOption('--rule <id>', 'the rule to put in deny mode')
    .option(
      '--db <location>',
      'store: SQLite file or PostgreSQL URL',
      process.env.PALISADE_DB ?? DEFAULT_STORE_PATH,
    )
    .option(
      '--since <when>',
      'admission requests from (7d, 12h or ISO 8601)',
      (v) => parseSince(v),
      parseSince('7d'),
    )
    .option('--assessment <id>', 'look in this stored assessment instead of the latest')
    .option('--rules <dir>', 'add the rules in a folder (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action(async (options: WhatIfCommandOptions) => {
      process.exitCode = await runWhatIf(options);
    });
}
