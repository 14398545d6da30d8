/**
 * Progress on stderr for long scans: a bar on a terminal, a line every few seconds otherwise
 * (CI logs). Silent for small inputs, and never on stdout, which carries the report.
 */

import cliProgress from 'cli-progress';
import type { ReadProgress } from '../sources/read-paths.js';

const MIN_FILES_FOR_BAR = 100;
const LOG_EVERY_MS = 5_000;

export interface ProgressReporter {
  update(progress: ReadProgress): void;
  stage(message: string): void;
  stop(): void;
}

export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  quiet = false,
): ProgressReporter {
  if (quiet) return { update: () => {}, stage: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  let lastLog = Date.now();
  const started = Date.now();

  return {
    update({ done, total, file }) {
      if (stream.isTTY && total >= MIN_FILES_FOR_BAR) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream,
              format: 'reading {bar} {value}/{total} files  {file}',
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0, { file: '' });
        }
        bar.update(done, { file: file.length > 50 ? `…${file.slice(-49)}` : file });
        return;
      }
      if (!stream.isTTY && Date.now() - lastLog > LOG_EVERY_MS) {
        lastLog = Date.now();
        stream.write(
          `palisade: read ${done}/${total} files (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
        );
      }
    },
    stage(message) {
      if (bar) {
        bar.stop();
        bar = undefined;
      }
      if (Date.now() - started > LOG_EVERY_MS) stream.write(`palisade: ${message}\n`);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
