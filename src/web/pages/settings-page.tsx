/**
 * Settings: your password, users, API tokens and sources. Each section and each form appears only to a role
 * that holds its permission; a Reader sees the list of sources and nothing it cannot use.
 */

import { useRef, useState, type FormEvent } from 'react';
import { api, query } from '../api/client';
import { can } from '../api/permissions';
import { useApi } from '../api/use-api';
import type { Me, Page, Role, Source, Token, User } from '../api/types';
import { NewPasswordInput, OwnPasswordForm } from '../components/own-password-form';
import { ErrorNote, Show, When } from '../components/status';

const ROLES: Role[] = ['reader', 'security-operator', 'security-admin', 'owner'];
/** Tokens may also be a log shipper's (`ingest`) or a Prometheus scraper's (`metrics`). */
const TOKEN_ROLES: Role[] = ['ingest', 'metrics', ...ROLES];

/**
 * The roles of `roles` that `me` may give, as the API decides: only an Owner makes Owners, so a
 * Security Admin is never offered a role the server would refuse.
 */
function grantable(me: Me, roles: Role[]): Role[] {
  return roles.filter((r) => r !== 'owner' || me.role === 'owner');
}

/** Says which accounts a scoped admin's new user or token is limited to: its own. */
function ScopeNote({ me }: { me: Me }) {
  if (me.scopes.length === 0) return null;
  return <span className="muted small">Limited to {me.scopes.join(', ')}, as you are.</span>;
}

function RoleSelect(props: {
  id?: string;
  value: Role;
  onChange: (r: Role) => void;
  label?: string;
  roles: Role[];
}) {
  return (
    <select
      id={props.id}
      aria-label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value as Role)}
    >
      {props.roles.map((r) => (
        <option key={r}>{r}</option>
      ))}
    </select>
  );
}

/**
 * Runs one change at a time: a second click while a change is on its way is ignored (so a double
 * click cannot create two tokens), the buttons say so, and a failure is kept for the section.
 */
function useAction(onDone: () => void) {
  const inFlight = useRef(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const run = async (action: () => Promise<unknown>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(undefined);
    try {
      await action();
      onDone();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return { run, busy, error };
}

/**
 * Whether `me` may manage a principal of `role` with `scopes`, as the API decides: never an Owner
 * unless an Owner, and for a scoped caller only what lies within its own scopes.
 */
function mayManage(me: Me, role: Role, scopes: string[]): boolean {
  if (role === 'owner' && me.role !== 'owner') return false;
  if (me.scopes.length === 0) return true;
  return scopes.length > 0 && scopes.every((s) => me.scopes.includes(s));
}

function Users({ me, canWrite }: { me: Me; canWrite: boolean }) {
  const list = useApi<Page<User>>('/users' + query({ limit: 500 }));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('reader');
  const { run, busy, error } = useAction(list.reload);

  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      // A scoped admin may grant only its own accounts: the new user gets them.
      await api('POST', '/users', { username, password, role, scopes: me.scopes });
      setUsername('');
      setPassword('');
    });
  };

  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <Show loaded={list}>
        {(page) => (
          <table>
            <caption>{page.items.length} users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Scopes</th>
                <th scope="col">Last login</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((u) => {
                // The server refuses changes to one's own account and to the last Owner: no
                // control is offered that can only fail.
                const lastOwner =
                  u.role === 'owner' &&
                  !u.disabled &&
                  page.items.filter((x) => x.role === 'owner' && !x.disabled).length === 1;
                const manageable =
                  canWrite && mayManage(me, u.role, u.scopes) && u.id !== me.id && !lastOwner;
                return (
                  <tr key={u.id}>
                    <td>
                      {u.username}
                      {u.id === me.id && <span className="muted"> (you)</span>}
                      {lastOwner && <span className="muted"> (last Owner)</span>}
                    </td>
                    <td>
                      {manageable ? (
                        <RoleSelect
                          label={`Role of ${u.username}`}
                          roles={grantable(me, ROLES)}
                          value={u.role}
                          onChange={(r) =>
                            run(() => api('PUT', `/users/${u.id}/role`, { role: r }))
                          }
                        />
                      ) : (
                        u.role
                      )}
                    </td>
                    <td className="mono">{u.scopes.join(', ') || 'all'}</td>
                    <td>
                      <When at={u.lastLoginAt} />
                    </td>
                    <td>
                      {u.disabled ? (
                        'disabled'
                      ) : !manageable ? (
                        'enabled'
                      ) : (
                        <button
                          type="button"
                          disabled={busy}
                          onClick={() => {
                            if (!window.confirm(`Disable ${u.username}? Their sessions end now.`))
                              return;
                            void run(() => api('POST', `/users/${u.id}/disable`));
                          }}
                        >
                          Disable {u.username}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Show>
      {canWrite && (
        <form className="inline" onSubmit={create} aria-label="Add a user">
          <label>
            Username
            <input
              required
              maxLength={64}
              pattern="[A-Za-z0-9._@\-]+"
              title="Letters, digits and . _ @ - only"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </label>
          <NewPasswordInput
            label="Password (12+ characters)"
            value={password}
            onChange={setPassword}
          />
          <label>
            Role
            <RoleSelect value={role} onChange={setRole} roles={grantable(me, ROLES)} />
          </label>
          <ScopeNote me={me} />
          <button type="submit" disabled={busy}>
            Add user
          </button>
        </form>
      )}
      {error && <ErrorNote error={error} />}
    </section>
  );
}

function Tokens({ me, canWrite }: { me: Me; canWrite: boolean }) {
  const list = useApi<Page<Token>>('/tokens' + query({ limit: 500 }));
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('reader');
  const [days, setDays] = useState('90');
  const [secret, setSecret] = useState<string>();
  const { run, busy, error } = useAction(list.reload);

  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const made = await api<{ token: string }>('POST', '/tokens', {
        name,
        role,
        scopes: me.scopes,
        ...(days ? { expiresInDays: Number(days) } : {}),
      });
      setSecret(made.token);
      setName('');
    });
  };
  const revoke = (token: Token) => {
    if (!window.confirm(`Revoke the token ${token.name}? Anything using it is refused from now.`))
      return;
    void run(() => api('DELETE', `/tokens/${token.id}`));
  };

  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      {secret && (
        <p className="note" role="status">
          New token (shown only now; copy it): <code className="mono">{secret}</code>
        </p>
      )}
      <Show loaded={list}>
        {(page) => (
          <table>
            <caption>{page.items.length} tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created by</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td>{t.createdBy}</td>
                  <td>
                    <When at={t.expiresAt} />
                  </td>
                  <td>
                    <When at={t.lastUsedAt} />
                  </td>
                  <td>
                    {t.revokedAt ? (
                      'revoked'
                    ) : !canWrite || !mayManage(me, t.role, t.scopes) ? (
                      'active'
                    ) : (
                      <button type="button" disabled={busy} onClick={() => revoke(t)}>
                        Revoke {t.name}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
      {canWrite && (
        <form className="inline" onSubmit={create} aria-label="Create a token">
          <label>
            Name
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            Role
            <RoleSelect value={role} onChange={setRole} roles={grantable(me, TOKEN_ROLES)} />
          </label>
          <label>
            Expires in days
            <input
              type="number"
              min={1}
              max={3650}
              value={days}
              onChange={(e) => setDays(e.target.value)}
            />
          </label>
          <ScopeNote me={me} />
          <button type="submit" disabled={busy}>
            Create token
          </button>
        </form>
      )}
      {error && <ErrorNote error={error} />}
    </section>
  );
}

function Sources({ canWrite }: { canWrite: boolean }) {
  const list = useApi<Page<Source>>('/sources' + query({ limit: 500 }));
  const [name, setName] = useState('');
  const [paths, setPaths] = useState('');
  const [every, setEvery] = useState('60');
  const { run, busy, error } = useAction(list.reload);
  const remove = (source: Source) => {
    const question =
      `Remove the source ${source.name}? Palisade stops assessing its paths, ` +
      'and its resources leave the secure score.';
    if (!window.confirm(question)) return;
    void run(() => api('DELETE', `/sources/${source.id}`));
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api('POST', '/sources', {
        name,
        paths: paths
          .split('\n')
          .map((p) => p.trim())
          .filter(Boolean),
        intervalMinutes: Number(every),
      });
      setName('');
      setPaths('');
    });
  };

  return (
    <section aria-labelledby="sources-title">
      <h2 id="sources-title">Sources</h2>
      <Show loaded={list}>
        {(data) => {
          const sources = data.items;
          return (
            <table>
              <caption>{sources.length} sources</caption>
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Paths</th>
                  <th scope="col">Every</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Last error</th>
                  {canWrite && <th scope="col">Remove</th>}
                </tr>
              </thead>
              <tbody>
                {sources.map((s) => (
                  <tr key={s.id}>
                    <td>{s.name}</td>
                    <td className="mono">{s.paths.join(', ')}</td>
                    <td>{s.intervalMinutes} min</td>
                    <td>
                      <When at={s.lastRunAt} />
                    </td>
                    <td>{s.lastError ?? ''}</td>
                    {canWrite && (
                      <td>
                        <button type="button" disabled={busy} onClick={() => remove(s)}>
                          Remove {s.name}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Show>
      {canWrite && (
        <form className="inline" onSubmit={create} aria-label="Add a source">
          <label>
            Name
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            Paths on the server, one a line
            <textarea required value={paths} onChange={(e) => setPaths(e.target.value)} />
          </label>
          <label>
            Every (minutes)
            <input
              type="number"
              min={1}
              max={10080}
              value={every}
              onChange={(e) => setEvery(e.target.value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            Add source
          </button>
        </form>
      )}
      {error && <ErrorNote error={error} />}
    </section>
  );
}

export function SettingsPage({ me }: { me: Me }) {
  const manages = can(me, 'users:read') || can(me, 'tokens:read') || can(me, 'sources:write');
  return (
    <>
      <h1 tabIndex={-1}>Settings</h1>
      {!manages && (
        <p className="note">Users, tokens and sources are managed by Security Admins and Owners.</p>
      )}
      {me.kind === 'user' && <OwnPasswordForm />}
      {can(me, 'users:read') && <Users me={me} canWrite={can(me, 'users:write')} />}
      {can(me, 'tokens:read') && <Tokens me={me} canWrite={can(me, 'tokens:write')} />}
      <Sources canWrite={can(me, 'sources:write')} />
    </>
  );
}
