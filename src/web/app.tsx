/**
 * The console's frame: who is logged in decides between the login page and the pages, a
 * navigation bar links the pages, and the hash route picks the one shown.
 */

import { useCallback, useEffect, useState } from 'react';
import { api, setUnauthorizedHandler } from './api/client';
import type { Me } from './api/types';
import { PageErrorBoundary } from './components/error-boundary';
import { AlertDetailPage } from './pages/alert-detail-page';
import { AlertsPage } from './pages/alerts-page';
import { CompliancePage } from './pages/compliance-page';
import { IncidentDetailPage } from './pages/incident-detail-page';
import { IncidentsPage } from './pages/incidents-page';
import { InventoryPage } from './pages/inventory-page';
import { LoginPage } from './pages/login-page';
import { OverviewPage } from './pages/overview-page';
import { RecommendationDetailPage } from './pages/recommendation-detail-page';
import { RecommendationsPage } from './pages/recommendations-page';
import { SettingsPage } from './pages/settings-page';
import { href, useRoute, type Route } from './router';

const NAV = [
  ['overview', 'Overview'],
  ['recommendations', 'Recommendations'],
  ['compliance', 'Regulatory compliance'],
  ['inventory', 'Inventory'],
  ['alerts', 'Security alerts'],
  ['incidents', 'Incidents'],
  ['settings', 'Settings'],
] as const;

function Page({ route, me }: { route: Route; me: Me }) {
  const [page = 'overview', id, ...rest] = route.segments;
  switch (page) {
    case 'recommendations':
      return id ? <RecommendationDetailPage ruleId={id} me={me} /> : <RecommendationsPage />;
    case 'compliance':
      return <CompliancePage standardId={id} controlId={rest[1]} />;
    case 'inventory':
      return <InventoryPage />;
    case 'alerts':
      return id ? <AlertDetailPage alertId={id} me={me} /> : <AlertsPage params={route.params} />;
    case 'incidents':
      return id ? <IncidentDetailPage incidentId={id} me={me} /> : <IncidentsPage />;
    case 'settings':
      return <SettingsPage me={me} />;
    default:
      return <OverviewPage />;
  }
}

/** How long after navigating a page's heading may still take to appear (its data loading). */
const HEADING_WAIT_MS = 15_000;

/**
 * Focuses the page's `h1`, now or as soon as it appears: detail pages render their heading only
 * once their data has loaded. Returns the clean-up for an effect.
 */
function focusHeadingWhenShown(): (() => void) | undefined {
  const main = document.getElementById('main');
  if (!main) return undefined;
  const focus = (): boolean => {
    const heading = main.querySelector<HTMLElement>('h1');
    if (!heading) return false;
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    heading.focus();
    return true;
  };
  if (focus()) return undefined;
  const observer = new MutationObserver(() => {
    if (focus()) observer.disconnect();
  });
  observer.observe(main, { childList: true, subtree: true });
  const timer = setTimeout(() => observer.disconnect(), HEADING_WAIT_MS);
  return () => {
    observer.disconnect();
    clearTimeout(timer);
  };
}

/** The whole console. */
export function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  const whoAmI = useCallback(() => {
    api<Me>('GET', '/auth/me')
      .then(setMe)
      .catch(() => setMe(null));
  }, []);
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    whoAmI();
  }, [whoAmI]);

  // Moves focus to the page's heading on navigation, so keyboard and screen-reader users follow.
  const loggedIn = !!me;
  useEffect(() => focusHeadingWhenShown(), [route.segments.join('/'), loggedIn]);

  if (me === undefined) return <p className="muted">Loading…</p>;
  if (me === null) return <LoginPage onLogin={whoAmI} />;

  const current = route.segments[0] ?? 'overview';
  const logout = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    setMe(null);
  };
  return (
    <div className="shell">
      <a
        className="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Palisade</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map(([path, label]) => (
              <li key={path}>
                <a href={href(path)} aria-current={current === path ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {me.name} <span className="muted">({me.role})</span>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <PageErrorBoundary key={route.segments.join('/')}>
          <Page route={route} me={me} />
        </PageErrorBoundary>
      </main>
    </div>
  );
}
