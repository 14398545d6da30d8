/**
 * `palisade history`: the secure score of past assessments, as a chart and a table. Runs of
 * deleted sources are left out; a run that judged nothing (everything exempt) shows no score.
 */

import { openStore, redactLocation } from '../store/database.js';
import { estateScoreHistory } from '../store/estate-score-history.js';
import { scanTargetIdentities, targetSetKey } from '../store/target-set.js';
import { bar, sparkline } from '../report/charts.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { refuseMissingStore } from './export-command.js';

export async function runHistory(options: {
  db: string;
  limit: number;
  json?: boolean;
  /** Only the assessments of `palisade scan` with these paths (in any order). */
  target?: string[];
}): Promise<number> {
  if (refuseMissingStore('history', options.db, 'or run `palisade scan PATH` first')) {
    return EXIT_INPUT_ERROR;
  }
  const db = await openStore(options.db);
  try {
    const targetSet = options.target
      ? targetSetKey(scanTargetIdentities(options.target))
      : undefined;
    const points = await estateScoreHistory(db, options.limit, targetSet);
    if (options.json) {
      process.stdout.write(JSON.stringify(points, null, 2) + '\n');
      return EXIT_OK;
    }
    if (points.length === 0) {
      process.stdout.write(
        options.target
          ? `No assessments of ${options.target.join(' ')} stored in ${redactLocation(options.db)}.\n`
          : `No assessments stored in ${redactLocation(options.db)} yet. Run \`palisade scan PATH\` first.\n`,
      );
      return EXIT_OK;
    }
    process.stdout.write(
      `Secure score, last ${points.length} assessments  ${sparkline(
        points.flatMap((p) => (p.secureScore === null ? [] : [p.secureScore])),
        0,
        100,
      )}\n\n`,
    );
    const sets = new Set(points.map((p) => p.targetSet));
    if (sets.size > 1) {
      // A score moves when what is scanned changes: say so rather than draw one trend.
      process.stdout.write(
        `  (${sets.size} different targets below: the line mixes them; ` +
          '`palisade history --target PATH...` shows one)\n\n',
      );
    }
    for (const p of points) {
      const when = p.startedAt.replace('T', ' ').slice(0, 19);
      const score =
        p.secureScore === null
          ? `${'  n/a'}   ${'not assessed (nothing judged)'.padEnd(25)}`
          : `${p.secureScore.toFixed(1).padStart(5)}%  ${bar(p.secureScore / 100, 25)}`;
      process.stdout.write(
        `  ${when}  ${score}  ${String(p.fail).padStart(6)} failing  ${p.targets.join(' ')}\n`,
      );
    }
    return EXIT_OK;
  } finally {
    await db.destroy();
  }
}
