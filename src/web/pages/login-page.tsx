/**
 * Login with username and password; the server answers with the session cookie. When a session
 * ends under an open page, the same form shows over that page (kept as it was) and says why.
 */

import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client';

export function LoginPage(props: { onLogin: () => void; sessionEnded?: boolean }) {
  const { onLogin, sessionEnded = false } = props;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const before = document.title;
    document.title = 'Log in · Palisade';
    return () => {
      document.title = before;
    };
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/auth/login', { username, password });
      onLogin();
    } catch (reason) {
      setError(
        reason instanceof ApiError && reason.status === 429
          ? 'Too many attempts; wait a minute and try again.'
          : (reason as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  const form = (
    <form onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">Palisade</h1>
      {sessionEnded ? (
        <p className="note" role="alert">
          Your session ended; sign in again. The page you were on, and what you typed, stay as they
          were.
        </p>
      ) : (
        <p className="muted">Log in to the security console.</p>
      )}
      <label htmlFor="login-username">Username</label>
      <input
        id="login-username"
        name="username"
        autoComplete="username"
        required
        autoFocus
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <label htmlFor="login-password">Password</label>
      <input
        id="login-password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
  if (sessionEnded) {
    return (
      <div className="login relogin" role="dialog" aria-modal="true" aria-labelledby="login-title">
        {form}
      </div>
    );
  }
  return (
    <main className="login" id="main">
      {form}
    </main>
  );
}
