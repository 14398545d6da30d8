/** Changing an alert's or an incident's status with a comment, as both APIs take it. */

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ALERT_STATUSES, type AlertStatus } from '../api/types';
import { ErrorNote, words } from './status';

/**
 * A form that PATCHes `path` with `{ status, comment }`. `idPrefix` keeps the labels' ids unique
 * on the page (`alert`, `incident`).
 */
export function StatusChangeForm(props: {
  path: string;
  current: AlertStatus;
  idPrefix: string;
  onDone: () => void;
}) {
  const [status, setStatus] = useState<AlertStatus>(props.current);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const id = (name: string) => `${props.idPrefix}-${name}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', props.path, { status, comment });
      setComment('');
      props.onDone();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-labelledby={id('status-title')}>
      <h2 id={id('status-title')}>Change status</h2>
      <label htmlFor={id('new-status')}>New status</label>
      <select
        id={id('new-status')}
        value={status}
        onChange={(e) => setStatus(e.target.value as AlertStatus)}
      >
        {ALERT_STATUSES.map((s) => (
          <option key={s} value={s}>
            {words(s)}
          </option>
        ))}
      </select>
      <label htmlFor={id('comment')}>Comment</label>
      <textarea
        id={id('comment')}
        required
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      {error && <ErrorNote error={error} />}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save status'}
      </button>
    </form>
  );
}
