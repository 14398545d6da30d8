/**
 * Links from exported messages and tickets to the console. The console is a single-page app
 * served at the server's root that routes on the URL's hash (`src/web/router.ts`), so a page
 * lives at `<consoleUrl>/#/<segments>`; a plain path such as `<consoleUrl>/alerts/<id>` reaches
 * the API's 404 instead.
 */

/**
 * A console page, as the path segments of its hash route (the `Page` switch in
 * `src/web/app.tsx`), each segment still unescaped.
 */
export type ConsolePage =
  | readonly ['alerts', string]
  | readonly ['incidents', string]
  | readonly ['recommendations', string]
  | readonly ['compliance', string]
  | readonly ['compliance', string, 'controls', string]
  | readonly ['overview'];

/** The alert's page. */
export const alertPage = (alertId: string): ConsolePage => ['alerts', alertId];

/** The incident's page. */
export const incidentPage = (incidentId: string): ConsolePage => ['incidents', incidentId];

/** The recommendation page of a rule (its failing resources). */
export const recommendationPage = (ruleId: string): ConsolePage => ['recommendations', ruleId];

/** A standard's page, or one of its controls' when `controlId` is given. */
export function compliancePage(standard: string, controlId?: string): ConsolePage {
  return controlId === undefined
    ? ['compliance', standard]
    : ['compliance', standard, 'controls', controlId];
}

/** The overview, where the secure score and its trend are shown. */
export const scorePage = (): ConsolePage => ['overview'];

/**
 * The address of `page` on the console at `consoleUrl` (no trailing `/`), escaping each segment
 * as the console's own links do.
 *
 * ```ts
 * consoleLink('https://palisade.example.com', alertPage('a1')); // .../#/alerts/a1
 * ```
 */
export function consoleLink(consoleUrl: string, page: ConsolePage): string {
  return `${consoleUrl}/#/${page.map(encodeURIComponent).join('/')}`;
}
