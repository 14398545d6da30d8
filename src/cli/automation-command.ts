/**
 * `palisade automation add|update|list|remove|runs`: workflow automation rules managed straight in the
 * store, every change audited. The exporter (`palisade serve` or `palisade export run`) runs them.
 */

import { userInfo } from 'node:os';
import {
  automationCreatedAudit,
  automationDeletedAudit,
  automationUpdatedAudit,
} from '../audit/sink-change-audit.js';
import { updatedAutomationSettings } from '../automate/automation-update.js';
import { parseAutomationInput } from '../automate/automation-rule.js';
import {
  automationConsumer,
  automationView,
  deleteAutomationRule,
  findAutomationRow,
  insertAutomationRule,
  updateAutomationRule,
  listAutomationRows,
  listAutomationRuns,
  type AutomationRun,
} from '../store/automation-repository.js';
import { EXIT_OK } from './exit-codes.js';
import {
  auditedCliChange,
  CliInputError,
  printDeadLetters,
  printResult,
  readObject,
  replayDeadLetters,
  withStore,
  withStoreToRead,
  type StoreOptions,
} from './export-command.js';

/** `palisade automation add --file RULE.yaml`. */
export async function runAutomationAdd(
  options: StoreOptions & { file?: string; rule?: string },
): Promise<number> {
  return withStore(
    'automation add',
    options,
    async (db, key) => {
      const settings = parseAutomationInput(
        readObject(options.file, options.rule, 'the rule (--file or --rule)'),
      );
      const row = await auditedCliChange(
        db,
        key,
        (trx) => insertAutomationRule(trx, settings, key, `cli:${userInfo().username}`, new Date()),
        (made) => automationCreatedAudit(made, settings),
      );
      printResult(options, automationView(row), `${row.id}\n`);
      return EXIT_OK;
    },
    { create: true },
  );
}

/** `palisade automation update ID`: changes what the options and the file name. */
export async function runAutomationUpdate(
  id: string,
  options: StoreOptions & { file?: string; rule?: string; enable?: boolean; disable?: boolean },
): Promise<number> {
  return withStore('automation update', options, async (db, key) => {
    if (options.enable && options.disable) {
      throw new CliInputError('give --enable or --disable, not both');
    }
    const row = await findAutomationRow(db, id);
    if (!row) throw new CliInputError(`no automation rule ${id}; see palisade automation list`);
    const patch: Record<string, unknown> = {
      ...(options.file || options.rule
        ? readObject(options.file, options.rule, 'the fields (--file or --rule)')
        : {}),
      ...(options.enable || options.disable ? { enabled: options.enable === true } : {}),
    };
    const settings = updatedAutomationSettings(row, key, patch);
    const changed = await auditedCliChange(
      db,
      key,
      (trx) => updateAutomationRule(trx, row, settings, key, new Date()),
      (after) => automationUpdatedAudit(row, after, key),
    );
    printResult(options, automationView(changed), `${changed.id}\n`);
    process.stderr.write(
      `Automation rule ${changed.id} (${changed.name}) ${changed.enabled ? 'enabled' : 'paused'}.\n`,
    );
    return EXIT_OK;
  });
}

/** `palisade automation list`. */
export async function runAutomationList(options: StoreOptions): Promise<number> {
  return withStoreToRead('automation list', options, async (db) => {
    const items = (await listAutomationRows(db)).map(automationView);
    const text = items
      .map(
        (r) =>
          `${r.id}  ${r.name}  on ${r.triggers.join(',')}  → ${r.actions.map((a) => String(a.sink.kind)).join(', ')}${r.enabled ? '' : '  (disabled)'}\n`,
      )
      .join('');
    printResult(options, items, text || 'No automation rules.\n');
    return EXIT_OK;
  });
}

/** `palisade automation remove ID`. */
export async function runAutomationRemove(id: string, options: StoreOptions): Promise<number> {
  return withStore('automation remove', options, async (db, key) => {
    const row = await ruleOrFail(db, id);
    await auditedCliChange(
      db,
      key,
      (trx) => deleteAutomationRule(trx, row.id),
      automationDeletedAudit(row, key),
    );
    process.stderr.write(`Removed automation rule ${row.id} (${row.name}).\n`);
    return EXIT_OK;
  });
}

/**
 * One action's result in a run, as text: `syslog:ok`, `jira:<error>`, or `slack:skipped (already
 * sent)` for an action a retry did not send again because an earlier attempt had.
 */
function actionResult(action: AutomationRun['actions'][number]): string {
  if (action.earlier) return `${action.kind}:skipped (already sent)`;
  return `${action.kind}:${action.ok ? 'ok' : action.error}`;
}

/** `palisade automation runs ID`. */
export async function runAutomationRuns(
  id: string,
  options: StoreOptions & { limit: number },
): Promise<number> {
  return withStoreToRead('automation runs', options, async (db) => {
    const row = await ruleOrFail(db, id);
    const runs = await listAutomationRuns(db, row.id, options.limit);
    const text = runs
      .map(
        (r) =>
          `${r.id}  ${r.finishedAt}  ${r.trigger}  ${r.outcome}  ${r.recordId}  ${r.actions.map(actionResult).join(' ')}\n`,
      )
      .join('');
    printResult(options, runs, text || 'No runs yet.\n');
    return EXIT_OK;
  });
}

/** The automation rule `id` names, or a CLI error saying how to find one. */
async function ruleOrFail(db: Parameters<typeof findAutomationRow>[0], id: string) {
  const row = await findAutomationRow(db, id);
  if (!row) throw new CliInputError(`no automation rule ${id}; see palisade automation list`);
  return row;
}

/** `palisade automation dead-letters ID`: records the rule gave up on, newest first. */
export async function runAutomationDeadLetters(
  id: string,
  options: StoreOptions & { status?: string; limit: number },
): Promise<number> {
  return withStoreToRead('automation dead-letters', options, async (db) => {
    const row = await ruleOrFail(db, id);
    return printDeadLetters(db, automationConsumer(row.id), options);
  });
}

/** `palisade automation replay ID [--id N ...]`: runs the rule again on its dead letters. */
export async function runAutomationReplay(
  id: string,
  options: StoreOptions & { id: number[] },
): Promise<number> {
  return withStore('automation replay', options, async (db, key) => {
    const row = await ruleOrFail(db, id);
    return replayDeadLetters(db, key, automationConsumer(row.id), options.id, {
      kind: 'automation',
      id: row.id,
    });
  });
}
