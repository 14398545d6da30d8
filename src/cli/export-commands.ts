/**
 * The `palisade export ...` and `palisade automation ...` command lines, wired into commander;
 * the store, sinks and exporter load only when one of them runs.
 */

import { Command, InvalidArgumentError, Option } from 'commander';
import { SEND_TIMEOUT_SECONDS, sendTimeoutProblem } from '../export/send-timeout.js';
import { DEFAULT_STORE_PATH } from '../store/store-path.js';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function sendTimeout(value: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  const problem = sendTimeoutProblem(n);
  if (problem) throw new InvalidArgumentError(problem);
  return n;
}

function collect<T>(parse: (v: string) => T) {
  return (value: string, previous: T[]) => [...previous, parse(value)];
}

/** `--db`, `--key-file` and `--json`, as every subcommand takes them. */
function storeCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .addOption(
      new Option('--db <path>', 'store: SQLite file or PostgreSQL URL').default(
        process.env.PALISADE_DB ?? DEFAULT_STORE_PATH,
      ),
    )
    .addOption(
      new Option('--key-file <file>', 'server key file (default: beside the SQLite store)').default(
        process.env.PALISADE_SECRET_KEY_FILE,
      ),
    )
    .option('--json', 'print JSON');
}

/** Adds `export` and `automation` to `program`. */
export function registerExportCommands(program: Command): void {
  const exp = program
    .command('export')
    .description('continuous export to SIEM, SOAR and ticketing');
  storeCommand(exp, 'add', 'add an export; it carries changes from now on')
    .requiredOption('--name <name>', 'a name to recognise it by')
    .option(
      '--sink-file <file>',
      'sink configuration, YAML or JSON (keeps secrets off the command line)',
    )
    .option('--sink <json>', 'sink configuration as inline JSON')
    .option('--format <format>', 'json, ocsf, cef or leef (syslog, Splunk HEC, webhook, NATS)')
    .option('--types <list>', 'comma-separated: alert,recommendation,secure_score,compliance')
    .option('--min-severity <severity>', 'alerts and recommendations at least this severe')
    .option('--scope <scope>', 'all, account:<id> or tag:<key>=<value>')
    .option(
      '--max-attempts <n>',
      'attempts before records are dead-lettered (default 8)',
      wholeNumber,
    )
    .option('--batch-size <n>', 'records per batch (default 200)', wholeNumber)
    .option(
      '--snapshot-minutes <n>',
      'also send the whole current state every n minutes',
      wholeNumber,
    )
    .action(async (options) => {
      process.exitCode = await (await import('./export-command.js')).runExportAdd(options);
    });
  storeCommand(exp, 'update', 'change an export; only what is given changes, its place is kept')
    .argument('<id>')
    .option('--name <name>', 'a new name')
    .option('--disable', 'pause it: nothing is sent, and it catches up once enabled again')
    .option('--enable', 'resume it from where it stopped')
    .option(
      '--sink-file <file>',
      'a new sink configuration, YAML or JSON; a secret given as ******** keeps the stored one',
    )
    .option('--sink <json>', 'a new sink configuration as inline JSON')
    .option('--format <format>', 'json, ocsf, cef or leef')
    .option('--types <list>', 'comma-separated: alert,recommendation,secure_score,compliance')
    .option('--min-severity <severity>', 'alerts and recommendations at least this severe')
    .option('--scope <scope>', 'all, account:<id> or tag:<key>=<value>')
    .option('--max-attempts <n>', 'attempts before records are dead-lettered', wholeNumber)
    .option('--batch-size <n>', 'records per batch', wholeNumber)
    .option('--snapshot-minutes <n>', 'send the whole current state every n minutes', wholeNumber)
    .action(async (id: string, options) => {
      process.exitCode = await (await import('./export-command.js')).runExportUpdate(id, options);
    });
  storeCommand(exp, 'list', 'list exports with their delivery state').action(async (options) => {
    process.exitCode = await (await import('./export-command.js')).runExportList(options);
  });
  storeCommand(exp, 'remove', 'remove an export with its delivery state and dead letters')
    .argument('<id>')
    .action(async (id: string, options) => {
      process.exitCode = await (await import('./export-command.js')).runExportRemove(id, options);
    });
  deadLetterCommands(exp, 'export', async () => {
    const { runExportDeadLetters, runExportReplay } = await import('./export-command.js');
    return { list: runExportDeadLetters, replay: runExportReplay };
  });
  storeCommand(exp, 'snapshot', 'send the whole current state to an export now')
    .argument('<id>')
    .action(async (id: string, options) => {
      process.exitCode = await (await import('./export-command.js')).runExportSnapshot(id, options);
    });
  storeCommand(exp, 'run', 'run the exporter alone (palisade serve runs it too)')
    .option('--once', 'deliver what is waiting, then exit')
    .option('--owner <name>', 'lease owner name; a restart under the same name resumes at once')
    .option(
      '--allow <cidr-or-host>',
      'let sinks reach this loopback or private destination (repeatable; also PALISADE_EXPORT_ALLOW)',
      collect(String),
      [],
    )
    .addOption(
      new Option(
        '--send-timeout <seconds>',
        `longest a sink may take to accept a batch before it is cut and retried ` +
          `(${SEND_TIMEOUT_SECONDS.min}-${SEND_TIMEOUT_SECONDS.max}, default ${SEND_TIMEOUT_SECONDS.default})`,
      )
        .env('PALISADE_EXPORT_SEND_TIMEOUT_SECONDS')
        .argParser(sendTimeout),
    )
    .action(async (options) => {
      process.exitCode = await (await import('./export-command.js')).runExportRun(options);
    });

  const auto = program.command('automation').description('workflow automation rules');
  storeCommand(auto, 'add', 'add a rule from a YAML or JSON file; it acts on changes from now on')
    .option('--file <file>', 'the rule: name, triggers, conditions, actions')
    .option('--rule <json>', 'the rule as inline JSON')
    .action(async (options) => {
      process.exitCode = await (await import('./automation-command.js')).runAutomationAdd(options);
    });
  storeCommand(auto, 'update', 'change a rule; only what is given changes')
    .argument('<id>')
    .option('--disable', 'pause it: it acts on nothing until enabled again')
    .option('--enable', 'resume it; it acts on changes from now on')
    .option(
      '--file <file>',
      'fields to change (name, triggers, conditions, actions), YAML or JSON; an action secret given as ******** keeps the stored one',
    )
    .option('--rule <json>', 'fields to change as inline JSON')
    .action(async (id: string, options) => {
      process.exitCode = await (
        await import('./automation-command.js')
      ).runAutomationUpdate(id, options);
    });
  storeCommand(auto, 'list', 'list automation rules').action(async (options) => {
    process.exitCode = await (await import('./automation-command.js')).runAutomationList(options);
  });
  storeCommand(auto, 'remove', 'remove a rule (its runs stay)')
    .argument('<id>')
    .action(async (id: string, options) => {
      process.exitCode = await (
        await import('./automation-command.js')
      ).runAutomationRemove(id, options);
    });
  deadLetterCommands(auto, 'automation rule', async () => {
    const { runAutomationDeadLetters, runAutomationReplay } =
      await import('./automation-command.js');
    return { list: runAutomationDeadLetters, replay: runAutomationReplay };
  });
  storeCommand(auto, 'runs', "a rule's runs with their outcome, newest first")
    .argument('<id>')
    .option('-n, --limit <n>', 'how many', wholeNumber, 100)
    .action(async (id: string, options) => {
      process.exitCode = await (
        await import('./automation-command.js')
      ).runAutomationRuns(id, options);
    });
}

/** What `dead-letters` and `replay` run, loaded when one of them runs. */
interface DeadLetterRunners {
  list(id: string, options: never): Promise<number>;
  replay(id: string, options: never): Promise<number>;
}

/** `dead-letters ID` and `replay ID` under `parent`, for an export or an automation rule. */
function deadLetterCommands(
  parent: Command,
  what: string,
  load: () => Promise<DeadLetterRunners>,
): void {
  storeCommand(parent, 'dead-letters', `list an ${what}'s dead letters, newest first`)
    .argument('<id>')
    .option('--status <status>', 'dead, replay or replayed')
    .option('-n, --limit <n>', 'how many', wholeNumber, 100)
    .action(async (id: string, options) => {
      process.exitCode = await (await load()).list(id, options as never);
    });
  storeCommand(parent, 'replay', 'send dead letters again (all, or those given with --id)')
    .argument('<id>')
    .option('--id <n>', 'a dead letter id (repeatable)', collect(wholeNumber), [])
    .action(async (id: string, options) => {
      process.exitCode = await (await load()).replay(id, options as never);
    });
}
