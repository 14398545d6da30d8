/**
 * `palisade whatif` as a command line: options and their checks only; the store and the rules
 * load when it runs.
 */

import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_STORE_PATH } from '../store/store-path.js';
import type { WhatIfCommandOptions } from './whatif-command.js';

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
    .option('--since <when>', 'admission requests from (7d, 12h or ISO 8601; default 7d)', (v) =>
      parseSince(v),
    )
    .option('--assessment <id>', 'look in this stored assessment instead of the latest')
    .option('--rules <dir>', 'add the rules in a folder (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action(async (options: Omit<WhatIfCommandOptions, 'since'> & { since?: Date }) => {
      const { runWhatIf } = await import('./whatif-command.js');
      process.exitCode = await runWhatIf({ ...options, since: options.since ?? parseSince('7d') });
    });
}
