/**
 * Heap tuning for endless detection streams (`palisade detect --stream`).
 *
 * A stream's live state is small (correlation windows, alerts inside their dedup window: about
 * 12 MB on 10M sshd lines), but the evidence an alert keeps lives long enough to be promoted to
 * V8's old generation and then dies there. By default V8 lets the old generation grow to several
 * times its live size before a full collection, so resident memory climbs and falls by a quarter
 * in a saw-tooth. Growing the heap by a tenth over the live size after each full collection keeps
 * it within a few percent of that size, for about the same CPU (the live set is small, so full
 * collections are cheap).
 */

import { setFlagsFromString } from 'node:v8';

/** Growth of the heap limit over the live size after a full collection, in percent. */
const STREAM_HEAP_GROWING_PERCENT = 10;

/**
 * Makes V8 collect the old generation soon after it grows past its live size. Process-wide, so
 * only a process that runs one stream calls it (the CLI's `--stream`, the benchmark's worker).
 */
export function settleHeapForStreaming(): void {
  setFlagsFromString(`--heap-growing-percent=${STREAM_HEAP_GROWING_PERCENT}`);
}
