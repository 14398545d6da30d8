/**
 * The console's frame: who is logged in decides between the login page and the pages, a
 * navigation bar links the pages, and the hash route picks the one shown.
 */

import { useCallback, useEffect, useRef, useState } from 'react';
import { api, mayHoldSession, setUnauthorizedHandler } from './api/client';
import type { Me } from './api/types';
import { PageErrorBoundary } from './components/error-boundary';
import { AlertDetailPage } from './pages/alert-detail-page';
import { AlertsPage } from './pages/alerts-page';
import { CompliancePage } from './pages/compliance-page';
import { IncidentDetailPage } from './pages/incident-detail-page';
import { IncidentsPage } from './pages/incidents-page';
import { InventoryPage } from './pages/inventory-page';
import { ResourceDetailPage } from './pages/resource-detail-page';
import { LoginPage } from './pages/login-page';
import { OverviewPage } from './pages/overview-page';
import { RecommendationDetailPage } from './pages/recommendation-detail-page';
import { RecommendationsPage } from './pages/recommendations-page';
import { SettingsPage } from './pages/settings-page';
import { followHeading } from './page-title';
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
      return id ? (
        <RecommendationDetailPage ruleId={id} me={me} />
      ) : (
        <RecommendationsPage params={route.params} />
      );
    case 'compliance':
      return <CompliancePage standardId={id} controlId={rest[1]} />;
    case 'inventory':
      return id && rest[0] ? (
        <ResourceDetailPage
          type={id}
          resourceId={rest[0]}
          file={route.params.get('file') ?? undefined}
        />
      ) : (
        <InventoryPage params={route.params} />
      );
    case 'alerts':
      return id ? <AlertDetailPage alertId={id} me={me} /> : <AlertsPage params={route.params} />;
    case 'incidents':
      return id ? <IncidentDetailPage incidentId={id} me={me} /> : <IncidentsPage />;
    case 'settings':
      return <SettingsPage me={me} />;
    case 'overview':
      return <OverviewPage />;
    default:
      return <NotFoundPage path={route.segments.join('/')} />;
  }
}

/** An address no page answers (a mistyped or outdated link): says so instead of another page. */
function NotFoundPage({ path }: { path: string }) {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        No console page lives at <code>#/{path}</code>.{' '}
        <a href={href('overview')}>Go to the overview</a>.
      </p>
    </section>
  );
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
  // Without a session cookie the login page shows at once: asking who is signed in could only
  // answer 401, a failed request on every first visit.
  const [me, setMe] = useState<Me | null | undefined>(() => (mayHoldSession() ? undefined : null));
  // True once a request answered 401 while someone was logged in: the session ended under an
  // open page. The page stays mounted (and inert) under the login form, so what the user typed
  // and the hash route survive signing in again.
  const [sessionEnded, setSessionEnded] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const loggedInRef = useRef(false);
  loggedInRef.current = !!me;

  const whoAmI = useCallback(() => {
    api<Me>('GET', '/auth/me')
      .then((who) => {
        setMe(who);
        setSessionEnded(false);
      })
      .catch(() => setMe(null));
  }, []);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (loggedInRef.current) setSessionEnded(true);
      else setMe(null);
    });
    if (mayHoldSession()) whoAmI();
  }, [whoAmI]);

  // Moves focus to the page's heading on navigation, so keyboard and screen-reader users follow.
  const loggedIn = !!me;
  const routeKey = route.segments.join('/');
  const visitKey = `${routeKey}#${route.visit}`;
  useEffect(() => focusHeadingWhenShown(), [visitKey, loggedIn]);
  useEffect(() => setMenuOpen(false), [routeKey]);
  useEffect(() => {
    const main = document.getElementById('main');
    return main && loggedIn ? followHeading(main) : undefined;
  }, [loggedIn]);

  if (me === undefined) return <p className="muted">Loading…</p>;
  if (me === null) return <LoginPage onLogin={whoAmI} />;

  const current = route.segments[0] ?? 'overview';
  const logout = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    setSessionEnded(false);
    setMe(null);
  };
  return (
    <>
      <div className="shell" inert={sessionEnded}>
        <a
          className="skip"
          href="#main"
          onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
        >
          Skip to content
        </a>
        <header className="top">
          <span className="brand">Palisade</span>
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="console-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            Menu
          </button>
          <nav aria-label="Console" id="console-nav" className={menuOpen ? 'open' : undefined}>
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
            <span className="who-name">
              {me.name} <span className="muted">({me.role})</span>
            </span>
            <button type="button" onClick={logout}>
              Log out
            </button>
          </span>
        </header>
        <main id="main" tabIndex={-1}>
          <PageErrorBoundary key={visitKey}>
            <Page route={route} me={me} />
          </PageErrorBoundary>
        </main>
      </div>
      {sessionEnded && <LoginPage onLogin={whoAmI} sessionEnded />}
    </>
  );
}
