/**
 * A reader that goes away early (`palisade rules | head -5`) ends the command quietly, the way
 * Unix filters end, instead of with an unhandled EPIPE stack trace.
 */

/**
 * Makes a closed stdout or stderr end the process at once with `process.exitCode` (0 when none
 * is set yet): nobody is left to read what would follow. Other write errors are still thrown.
 *
 * ```ts
 * endQuietlyWhenReaderLeaves();
 * process.stdout.write(report); // `| head -1` no longer crashes
 * ```
 */
export function endQuietlyWhenReaderLeaves(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
}
