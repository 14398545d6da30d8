#!/usr/bin/env node
/**
 * The `palisade` command line. `scan` assesses IaC and inventory exports against the benchmark,
 * prints the report, stores the assessment and sets the exit code for CI.
 */

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerExportCommands } from './export-commands.js';
import { outputFileProblem } from './output-file.js';
import { parseExpires } from './token-expiry.js';
import { registerAdmissionCommands } from './admission-commands.js';
import { registerWhatIfCommand } from './whatif-commands.js';
import { EXIT_INPUT_ERROR } from './exit-codes.js';
import { endQuietlyWhenReaderLeaves } from './closed-pipe.js';
import { SEVERITIES, type Severity } from '../model/rule.js';
import { VERSION } from '../version.js';
import { DEFAULT_STORE_PATH, storeFolderProblem } from '../store/store-path.js';
import { checkTimeZone } from '../logs/time-zone.js';
import { parseTimeArgument } from '../logs/time-arguments.js';

function severity(value: string): Severity {
  if (!SEVERITIES.includes(value as Severity)) {
    throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')}`);
  }
  return value as Severity;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `palisade detect --since/--until`: checked here, read once `--timezone` is known (a time
 * without an offset is in that zone, else UTC; see logs/time-arguments.ts).
 */
function detectTime(value: string): string {
  try {
    parseTimeArgument(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

function timeZone(value: string): string {
  try {
    return checkTimeZone(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function countFromOne(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a whole number from 1');
  return n;
}

/** Syslog years: ISO 8601 prints anything past 9999 as `+0YYYYY`, which no reader expects. */
function year(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1970 || n > 9999)
    throw new InvalidArgumentError('expected a year from 1970 to 9999');
  return n;
}

const storeOption = () =>
  new Option('--db <location>', 'store: SQLite file or PostgreSQL URL').default(
    process.env.PALISADE_DB ?? DEFAULT_STORE_PATH,
  );
const keyFileOption = () =>
  new Option('--key-file <file>', 'server key file (default: beside the SQLite store)').default(
    process.env.PALISADE_SECRET_KEY_FILE,
  );

const program = new Command()
  .name('palisade')
  .description(
    'Zero Trust security for AWS, Azure, GCP and Kubernetes estates and the code that builds them.',
  )
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) })
  // Every command's `-o FILE` and store location are checked before its work starts.
  .hook('preAction', (_program, command) => {
    const { output, db, store } = command.opts() as {
      output?: unknown;
      db?: unknown;
      store?: unknown;
    };
    const problem =
      (typeof output === 'string' ? outputFileProblem(output) : undefined) ??
      (typeof db === 'string' && store !== false ? storeFolderProblem(db) : undefined);
    if (problem) command.error(`palisade ${command.name()}: ${problem}`, { exitCode: 2 });
  });

program
  .command('scan')
  .description(
    'assess Terraform, CloudFormation, ARM, Kubernetes and inventory exports against the benchmark',
  )
  .argument('<paths...>', 'files and folders to scan')
  .addOption(
    new Option('-f, --format <format>', 'report format')
      .choices(['table', 'json', 'csv', 'sarif', 'html'])
      .default('table'),
  )
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--rules <dir>', 'add the rules in a folder (repeatable)', collect, [])
  .option('--preview-rules', 'add the preview rules (resource kinds not yet tested on real data)')
  .option('--exemptions <file>', 'exemptions YAML file')
  .option(
    '--var-file <file>',
    'Terraform variable file, as terraform plan -var-file (repeatable)',
    collect,
    [],
  )
  .option(
    '--fail-on <severity>',
    'exit 1 when a failing finding has this severity or higher',
    severity,
  )
  .addOption(storeOption())
  .addOption(keyFileOption())
  .option('--no-store', 'do not record the assessment in the store')
  .option('--findings <n>', 'failing findings listed in the table report', positiveInt, 20)
  .option('--no-color', 'plain text output')
  .option('-q, --quiet', 'no progress on stderr; warnings counted, not listed')
  .option(
    '--stream',
    'scan file by file, keeping only failing findings (default for inputs over 200 MB)',
  )
  .option('--no-stream', 'keep every finding and merge inventory fragments across files')
  .action(async (paths: string[], options) => {
    process.exitCode = await (await import('./scan-command.js')).runScan(paths, options);
  });

program
  .command('check')
  .description(
    'CI gate: judge IaC under the policy assignments; exit 1 when a deny-mode rule fails, 2 when one cannot run or the input is bad',
  )
  .argument('<paths...>', 'files and folders to check, or - for manifests on stdin')
  .addOption(
    new Option('-f, --format <format>', 'report format')
      .choices(['table', 'sarif', 'junit', 'github', 'json'])
      .default('table'),
  )
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option(
    '-q, --quiet',
    'print only errors and the one-line verdict (exit codes unchanged; a report needs -o)',
  )
  .option(
    '--policy <path>',
    'assignments file or folder (repeatable; default: whole benchmark, deny)',
    collect,
    [],
  )
  .option('--rules <dir>', 'add the rules in a folder (repeatable)', collect, [])
  .option('--exemptions <file>', 'exemptions YAML file')
  .option('--diff-base <ref>', 'check only files changed since this git revision')
  .option('--baseline <file>', 'accept the violations listed in this baseline file')
  .option('--write-baseline <file>', 'write the current violations as a baseline file')
  .option('--stdin-name <name>', 'file name shown for manifests read from stdin', 'stdin.yaml')
  .option(
    '--var-file <file>',
    'Terraform variable file, as terraform plan -var-file (repeatable)',
    collect,
    [],
  )
  .option(
    '-n, --namespace <ns>',
    'namespace for Kubernetes objects whose manifest names none (as kubectl -n)',
  )
  .option(
    '--deny-unjudged',
    'a deny-mode rule that cannot be judged (a value unknown before apply) denies instead of ' +
      'being listed as not judged',
  )
  .action(async (paths: string[], options) => {
    process.exitCode = await (await import('./check-command.js')).runCheck(paths, options);
  });

program
  .command('fix')
  .description('patch Terraform and Kubernetes YAML so failing rules that carry a fix pass')
  .argument('<paths...>', 'files and folders to fix')
  .option('--write', 'apply the patch to the files instead of printing it')
  .option('-o, --output <file>', 'write the patch to a file instead of stdout')
  .option('--rule <id>', "only this rule's fix (repeatable)", collect, [])
  .option('--rules <dir>', 'add the rules in a folder (repeatable)', collect, [])
  .option('--patch-root <dir>', 'make the patch paths relative to this folder')
  .option(
    '--allow-outside',
    'with --write, also write fixes to files outside the given paths (shared modules they call)',
  )
  .action(async (paths: string[], options) => {
    process.exitCode = await (await import('./fix-command.js')).runFix(paths, options);
  });

program
  .command('detect')
  .description('detect threats in cloud and host logs with Sigma rules and the built-in detections')
  .argument('<paths...>', 'log files and folders, or - for stdin')
  .addOption(
    new Option('-f, --format <format>', 'report format')
      .choices(['table', 'json', 'ocsf'])
      .default('table'),
  )
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option(
    '--rules <dir>',
    'add the Sigma rules in a folder, e.g. SigmaHQ/rules (repeatable)',
    collect,
    [],
  )
  .option(
    '--rule-license <spdx>',
    'licence shown for --rules rules that name none (default DRL-1.1, SigmaHQ rules; e.g. LicenseRef-internal for your own)',
  )
  .option('--placeholder <name=value>', 'value for a Sigma %placeholder% (repeatable)', collect, [])
  .option(
    '--strict-rules',
    'exit 2, listing each with why, when a rule cannot be used (else it is listed and skipped)',
  )
  .option(
    '--since <time>',
    'ignore events before this time, ISO 8601 (a date alone: its start; without an offset: ' +
      'in --timezone, else UTC)',
    detectTime,
  )
  .option(
    '--until <time>',
    'ignore events after this time (a date alone: its end; without an offset: in --timezone, ' +
      'else UTC)',
    detectTime,
  )
  .option(
    '--timezone <zone>',
    'IANA zone (e.g. Europe/Berlin) of syslog times that carry none and of --since/--until ' +
      'without an offset (default: UTC)',
    timeZone,
  )
  .option('--fail-on <severity>', 'exit 1 when an alert has this severity or higher', severity)
  .option('--year <year>', 'year for syslog timestamps that carry none (1970-9999)', year)
  .addOption(storeOption())
  .addOption(keyFileOption())
  .option('--no-store', 'do not record the alerts in the store')
  .option('--no-color', 'plain text output')
  .option('-q, --quiet', 'no progress on stderr')
  .option(
    '--stream',
    'print each alert as OCSF lines, a Create when raised and an Update when final, and keep ' +
      'none (no incidents); for endless input',
  )
  .action(async (paths: string[], options) => {
    const zone = options.timezone as string | undefined;
    const read = (text: string | undefined, end: boolean) =>
      text === undefined ? undefined : parseTimeArgument(text, zone, end);
    process.exitCode = await (
      await import('./detect-command.js')
    ).runDetect(paths, {
      ...options,
      since: read(options.since, false),
      until: read(options.until, true),
      timeZone: zone,
    });
  });

program
  .command('history')
  .description('secure score of past assessments, from the store')
  .addOption(storeOption())
  .option('-n, --limit <n>', 'how many assessments (1 or more)', countFromOne, 30)
  .option('--json', 'print JSON')
  .option('--target <paths...>', 'only scans of these paths (as given to palisade scan)')
  .action(async (options) => {
    process.exitCode = await (await import('./history-command.js')).runHistory(options);
  });

program
  .command('rules')
  .description('list the benchmark rules (and any in --rules folders)')
  .option('--rules <dir>', 'add the rules in a folder (repeatable)', collect, [])
  .option('--preview-rules', 'add the preview rules (resource kinds not yet tested on real data)')
  .addOption(
    new Option('--cloud <cloud>', 'only the rules of one cloud').choices([
      'aws',
      'azure',
      'gcp',
      'kubernetes',
    ]),
  )
  .option('--json', 'print JSON')
  .action(async (options) => {
    process.exitCode = await (await import('./rules-command.js')).runRules(options);
  });

program
  .command('resources')
  .description(
    'list the resources read from IaC and inventory exports, as rules see them (type, r.<property>)',
  )
  .argument('<paths...>', 'files and folders to read')
  .option('--type <type>', 'only resources of this type (repeatable)', collect, [])
  .option(
    '--var-file <file>',
    'Terraform variable file, as terraform plan -var-file (repeatable)',
    collect,
    [],
  )
  .option('--json', 'print each resource with every property, as JSON')
  .action(async (paths: string[], options) => {
    process.exitCode = await (await import('./resources-command.js')).runResources(paths, options);
  });

program
  .command('serve')
  .description('run the API server over the embedded store (first start: creates the Owner login)')
  .option('--config <file>', 'YAML configuration file')
  .option('--db <path>', 'store: SQLite file or PostgreSQL URL (default: config, PALISADE_DB)')
  .option('--port <port>', 'port to listen on (default 8443)', positiveInt)
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--demo', "load the team's sample estate and sample logs once started")
  .action(async (options) => {
    process.exitCode = await (await import('./serve-command.js')).runServe(options);
  });

const token = program.command('token').description('API tokens');
token
  .command('create')
  .description('create an API token; it is printed once and stored only as a hash')
  .requiredOption(
    '--role <role>',
    'ingest (send events only), metrics (read /metrics only), reader, security-operator, security-admin or owner',
  )
  .option(
    '--scope <account>',
    'limit to a cloud account/subscription/project (repeatable)',
    collect,
    [],
  )
  .option('--expires <days>', 'days until the token expires, or never (default: 90)', parseExpires)
  .option('--name <name>', 'a name to recognise the token by')
  .addOption(storeOption())
  .addOption(keyFileOption())
  .action(async (options) => {
    process.exitCode = await (await import('./token-command.js')).runTokenCreate(options);
  });

const audit = program.command('audit').description('the audit log');
audit
  .command('verify')
  .description('prove the HMAC-chained audit log intact, or name the first broken entry')
  .addOption(storeOption())
  .addOption(keyFileOption())
  .option(
    '--head <hash>',
    'a head hash recorded from an earlier verify: the log must still reach it',
  )
  .option('--json', 'print JSON')
  .action(async (options) => {
    process.exitCode = await (await import('./audit-command.js')).runAuditVerify(options);
  });

registerAdmissionCommands(program);
registerWhatIfCommand(program);
registerExportCommands(program);

endQuietlyWhenReaderLeaves();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_INPUT_ERROR;
  } else {
    process.stderr.write(`palisade: ${(error as Error).message}\n`);
    process.exitCode = EXIT_INPUT_ERROR;
  }
}
