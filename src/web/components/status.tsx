/** Small shared pieces: loading and error notes, severity badges, dates. */

import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { Loaded } from '../api/use-api';
import type { Severity } from '../api/types';
import { dateText } from '../dates';

/** An API value as words: `in_progress` → `in progress`. */
export function words(value: string): string {
  return value.replaceAll('_', ' ');
}

/** A severity as a coloured, labelled badge. */
export function SeverityBadge({ severity }: { severity: Severity | string }) {
  return <span className={`badge sev-${severity}`}>{severity}</span>;
}

/** A local date and time (a date alone as its day), with the ISO value as its machine form and tooltip. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">never</span>;
  return (
    <time dateTime={at} title={at}>
      {dateText(at)}
    </time>
  );
}

/** Why a load failed, in words; a route this server lacks is named as such. */
export function ErrorNote({ error }: { error: Error }) {
  if (error instanceof ApiError && error.routeMissing) {
    return (
      <p className="note" role="status">
        This server does not offer this data yet ({error.message}).
      </p>
    );
  }
  if (error instanceof ApiError && error.status === 401) {
    return (
      <p className="note" role="status">
        Your session had ended; now that you are signed in again, try once more.
      </p>
    );
  }
  if (error instanceof ApiError && error.status === 403) {
    return (
      <p className="note" role="status">
        Your role may not see this: {error.message}.
      </p>
    );
  }
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}

/**
 * Renders `children(data)` once `loaded` has data, else a loading or error note. A detail page
 * passes `notFound`, the heading it shows when what the address names does not exist (or may not
 * be seen), so the page still says what it is.
 */
export function Show<T>(props: {
  loaded: Loaded<T>;
  children: (data: T) => ReactNode;
  notFound?: string;
}) {
  const { data, error, loading } = props.loaded;
  if (error instanceof ApiError && error.status === 404 && props.notFound) {
    return (
      <>
        <h1 tabIndex={-1}>{props.notFound}</h1>
        <ErrorNote error={error} />
      </>
    );
  }
  if (error) return <ErrorNote error={error} />;
  if (data === undefined) return loading ? <p className="muted">Loading…</p> : null;
  // While the answer to a new address loads, the last one stays in view, marked busy, so that
  // nobody (reader, screen reader or test) takes it for the answer to the new filters.
  return (
    <div className="loaded" aria-busy={loading}>
      {props.children(data)}
    </div>
  );
}
