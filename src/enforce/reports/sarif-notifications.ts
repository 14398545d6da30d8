/**
 * Tool execution notifications (SARIF 2.1.0 §3.20.21) added to a log's invocation: what the
 * CI gate could not do (a rule that could not run, a file that could not be read), never results.
 */

interface SarifRun {
  invocations?: Record<string, unknown>[];
}

/**
 * `sarif` with `notifications` after those already there, and the invocation marked
 * unsuccessful when they tell of things that failed (`failed`, the default).
 *
 * ```ts
 * withNotifications(log, [{ level: 'error', message: { text: 'x could not run' } }]);
 * ```
 */
export function withNotifications(sarif: string, notifications: unknown[], failed = true): string {
  if (notifications.length === 0) return sarif;
  const log = JSON.parse(sarif) as { runs: SarifRun[] };
  const run = log.runs[0];
  const invocation = run.invocations?.[0] ?? {};
  const earlier = (invocation.toolExecutionNotifications as unknown[] | undefined) ?? [];
  if (failed) invocation.executionSuccessful = false;
  else invocation.executionSuccessful ??= true;
  invocation.toolExecutionNotifications = [...earlier, ...notifications];
  run.invocations = [invocation];
  return JSON.stringify(log, null, 2) + '\n';
}
