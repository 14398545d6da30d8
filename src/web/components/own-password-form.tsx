/**
 * Your password: a console user changes their own, giving the current one. The server applies
 * the same rules as when a user is made (12 characters or more, not only spaces) and ends the
 * user's other sessions; this one goes on.
 */

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ErrorNote } from './status';

/** A labelled field for a new password, as the server takes them (12 characters or more). */
export function NewPasswordInput(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        required
        type="password"
        minLength={12}
        autoComplete="new-password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

export function OwnPasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setError(undefined);
    if (next !== repeat) {
      setError(new Error('The new password and its repetition differ.'));
      return;
    }
    setBusy(true);
    try {
      await api('POST', '/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="own-password-title">
      <h2 id="own-password-title">Your password</h2>
      <form className="inline" onSubmit={submit} aria-label="Change your password">
        <label>
          Current password
          <input
            required
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <NewPasswordInput label="New password (12+ characters)" value={next} onChange={setNext} />
        <NewPasswordInput label="New password again" value={repeat} onChange={setRepeat} />
        <button type="submit" disabled={busy}>
          Change password
        </button>
      </form>
      {done && (
        <p className="note" role="status">
          Password changed. Your other sessions have ended.
        </p>
      )}
      {error && <ErrorNote error={error} />}
    </section>
  );
}
