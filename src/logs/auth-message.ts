/**
 * Reads the meaning out of auth.log messages: sshd's login, failure and disconnect forms, sudo
 * commands, PAM auth and session lines, and account changes (useradd, groupadd, userdel, passwd).
 */

import { isIP } from 'node:net';

/** What a message says, for the event's named fields and its envelope. */
export interface AuthMeaning {
  /** Named fields merged into the event's `fields` (`ssh`, `pam`, `sudo`, `account`). */
  fields: Record<string, unknown>;
  /** Occurrences a `message repeated N times` line stands for (N, at most MAX_OCCURRENCES). */
  occurrences?: number;
  action: string;
  actor?: string;
  sourceIp?: string;
  target?: string;
  outcome?: 'success' | 'failure';
}

export interface SshFields {
  event: string;
  user?: string;
  invalidUser?: boolean;
  sourceIp?: string;
  /** The remote side as logged when it is a host name rather than an address. */
  sourceHost?: string;
  /**
   * The remote side, whichever way sshd logged it: its address, else its host name (sshd logs
   * names with UseDNS on). Correlations group by it, so an attacker logged by name is counted.
   */
  remoteAddress?: string;
  port?: number;
  method?: string;
  preauth?: boolean;
  repeated?: number;
  count?: number;
  reason?: string;
  key?: string;
}

const ADDR = String.raw`([0-9A-Fa-f:.]+|\S+?)`;

/**
 * Each form: the characters its message can start with (a cheap pre-filter), pattern, fields.
 * The builders set only members that are defined and not false, in a fixed order, as pruning
 * the full literal would (one object per message instead of three).
 */
const SSH_FORMS: Array<[string, RegExp, (m: RegExpExecArray) => SshFields]> = [
  [
    'FAP',
    new RegExp(
      String.raw`^(Failed|Accepted|Postponed) (\S+) for (invalid user )?(.*?) from ${ADDR} port (\d+)(?: (ssh2?))?(?:: (.*))?$`,
      's',
    ),
    (m) => {
      const out: SshFields = { event: outcomeEvent(m[1], m[2]), method: m[2] };
      if (m[3] !== undefined) out.invalidUser = true;
      out.user = m[4];
      setAddr(out, m[5]);
      out.port = Number(m[6]);
      if (m[8] !== undefined) out.key = m[8];
      return out;
    },
  ],
  [
    'm',
    /^message repeated (\d+) times: \[ ?(.*?) ?\]$/s,
    (m) => ({ ...(sshFields(m[2]) ?? { event: 'repeated' }), repeated: Number(m[1]) }),
  ],
  [
    'I',
    new RegExp(String.raw`^Invalid user (.*?) from ${ADDR}(?: port (\d+))?$`, 's'),
    (m) => {
      const out: SshFields = { event: 'invalid_user', user: m[1], invalidUser: true };
      setAddr(out, m[2]);
      if (m[3] !== undefined && m[3] !== '') out.port = Number(m[3]);
      return out;
    },
  ],
  [
    'i',
    /^input_userauth_request: invalid user (.*?)(?: \[preauth\])?$/s,
    (m) => ({ event: 'invalid_user_request', user: m[1], invalidUser: true, preauth: true }),
  ],
  [
    'em',
    /^(?:error: )?maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+) port (\d+)(?: ssh2)?(?: \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'too_many_auth_failures' };
      if (m[1] !== undefined) out.invalidUser = true;
      out.user = m[2];
      setAddr(out, m[3]);
      out.port = Number(m[4]);
      out.preauth = true;
      return out;
    },
  ],
  [
    'D',
    /^Disconnecting: Too many authentication failures(?: for (invalid user )?(.*?))?(?: \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'too_many_auth_failures' };
      if (m[1] !== undefined) out.invalidUser = true;
      if (m[2] !== undefined) out.user = m[2];
      out.preauth = true;
      return out;
    },
  ],
  [
    'D',
    // Too many failures, or a user name changed inside one connection (user enumeration).
    /^Disconnecting (authenticating|invalid) user (.*?) (\S+) port (\d+): (?:Too many authentication failures|Change of username or service not allowed: (.*?))(?: \[preauth\])?$/s,
    (m) => {
      const out: SshFields = {
        event: m[5] === undefined ? 'too_many_auth_failures' : 'user_change_refused',
      };
      if (m[1] === 'invalid') out.invalidUser = true;
      out.user = m[2];
      setAddr(out, m[3]);
      out.port = Number(m[4]);
      if (m[5] !== undefined) out.reason = m[5];
      out.preauth = true;
      return out;
    },
  ],
  [
    'eR',
    /^(?:error: )?Received disconnect from (\S+?)(?: port (\d+))?:\s*(\d+): ?(.*?)( \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'received_disconnect' };
      setAddr(out, m[1]);
      if (m[2] !== undefined && m[2] !== '') out.port = Number(m[2]);
      out.reason = `${m[3]}: ${m[4]}`;
      if (m[5] !== undefined) out.preauth = true;
      return out;
    },
  ],
  [
    'D',
    /^Disconnected from (?:(authenticating|invalid) )?(?:user (.*?) )?(\S+) port (\d+)( \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'disconnected' };
      if (m[1] === 'invalid') out.invalidUser = true;
      if (m[2] !== undefined) out.user = m[2];
      setAddr(out, m[3]);
      out.port = Number(m[4]);
      if (m[5] !== undefined) out.preauth = true;
      return out;
    },
  ],
  [
    'C',
    /^Connection (closed|reset) by (?:(authenticating|invalid) user (.*?) )?(\S+?)(?: port (\d+))?( \[preauth\])?$/s,
    (m) => {
      const out: SshFields = {
        event: m[1] === 'closed' ? 'connection_closed' : 'connection_reset',
      };
      if (m[2] === 'invalid') out.invalidUser = true;
      if (m[3] !== undefined) out.user = m[3];
      setAddr(out, m[4]);
      if (m[5] !== undefined && m[5] !== '') out.port = Number(m[5]);
      if (m[6] !== undefined) out.preauth = true;
      return out;
    },
  ],
  [
    'D',
    /^Did not receive identification string from (\S+?)(?: port (\d+))?$/,
    (m) => {
      const out: SshFields = { event: 'no_identification' };
      setAddr(out, m[1]);
      if (m[2] !== undefined && m[2] !== '') out.port = Number(m[2]);
      return out;
    },
  ],
  [
    'r',
    /^reverse mapping checking getaddrinfo for (\S+) \[(\S+)\] failed( - POSSIBLE BREAK-IN ATTEMPT!)?$/,
    (m) => {
      const out: SshFields = { event: 'reverse_mapping_failed' };
      setAddr(out, m[2]);
      out.sourceHost = m[1];
      return out;
    },
  ],
  [
    'ekUB',
    /^(?:error: )?(?:kex_exchange_identification|Unable to negotiate with|Bad protocol version identification .*? from) ?(\S+?)?(?: port (\d+))?(?::.*)?$/s,
    (m) => {
      const out: SshFields = { event: 'negotiation_failed' };
      setAddr(out, m[1]);
      if (m[2] !== undefined && m[2] !== '') out.port = Number(m[2]);
      return out;
    },
  ],
  [
    'C',
    /^Connection from (\S+) port (\d+)(?: on \S+ port \d+)?/,
    (m) => {
      const out: SshFields = { event: 'connection' };
      setAddr(out, m[1]);
      out.port = Number(m[2]);
      return out;
    },
  ],
  // Refusals and failures fail2ban's sshd filter counts too, rarer in today's logs.
  [
    'U',
    /^User (.*?)(?: from (\S+))? not allowed because (.+?)( \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'user_not_allowed', user: m[1] };
      setAddr(out, m[2]);
      out.reason = m[3];
      if (m[4] !== undefined) out.preauth = true;
      return out;
    },
  ],
  [
    'U',
    /^User not known to the underlying authentication module for (.*?) from (\S+)( \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'user_unknown', user: m[1], invalidUser: true };
      setAddr(out, m[2]);
      if (m[3] !== undefined) out.preauth = true;
      return out;
    },
  ],
  [
    'efAa',
    /^(?:(?:error|fatal): (?:PAM: )?)?[Aa]uthentication (?:failure|error|failed) for ((?:invalid|illegal) user )?(.*?) from (\S+?)(?: via \S+)?(?: port (\d+))?(?: ssh2)?( \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'auth_failure' };
      if (m[1] !== undefined) out.invalidUser = true;
      out.user = m[2];
      setAddr(out, m[3]);
      if (m[4] !== undefined) out.port = Number(m[4]);
      if (m[5] !== undefined) out.preauth = true;
      return out;
    },
  ],
  [
    'R',
    /^ROOT LOGIN REFUSED FROM (\S+?)(?: port (\d+))?( \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'root_login_refused', user: 'root' };
      setAddr(out, m[1]);
      if (m[2] !== undefined) out.port = Number(m[2]);
      if (m[3] !== undefined) out.preauth = true;
      return out;
    },
  ],
  [
    'r',
    /^refused connect from (\S+) \((\S+)\)$/,
    (m) => {
      const out: SshFields = { event: 'refused_connect' };
      setAddr(out, m[2]);
      if (out.sourceHost === undefined && m[1] !== m[2]) out.sourceHost = m[1];
      return out;
    },
  ],
  [
    'f',
    /^fatal: (.*?)( \[preauth\])?$/s,
    (m) => {
      const out: SshFields = { event: 'fatal', reason: m[1] };
      if (m[2] !== undefined) out.preauth = true;
      return out;
    },
  ],
];

/**
 * sshd messages whose opening fixes their event: such a message parses to that event or, when
 * the rest does not fit its form, to no meaning at all. `pam`: the event comes from PAM's
 * fields (which the event then also carries).
 */
const FIXED_FORMS: { opening: string; event: string }[] = [
  { opening: 'Invalid user ', event: 'invalid_user' },
  { opening: 'input_userauth_request: invalid user ', event: 'invalid_user_request' },
  { opening: 'Received disconnect from ', event: 'received_disconnect' },
  { opening: 'error: Received disconnect from ', event: 'received_disconnect' },
  { opening: 'Disconnected from ', event: 'disconnected' },
  { opening: 'Connection closed by ', event: 'connection_closed' },
  { opening: 'Connection reset by ', event: 'connection_reset' },
  { opening: 'Connection from ', event: 'connection' },
  { opening: 'Did not receive identification string from ', event: 'no_identification' },
  { opening: 'reverse mapping checking getaddrinfo for ', event: 'reverse_mapping_failed' },
];

/** The form of an sshd message, as `sshForm` tells it. */
export interface SshForm {
  event: string;
  pam: boolean;
}

const PAM_AUTH_FAILURE: SshForm = Object.freeze({ event: 'pam_auth_failure', pam: true });
const PAM_USER_UNKNOWN: SshForm = Object.freeze({ event: 'pam_user_unknown', pam: true });
const FIXED: SshForm[] = FIXED_FORMS.map((f) => Object.freeze({ event: f.event, pam: false }));

/**
 * The event an sshd message (`line` from `at`) is bound to by its opening, read without parsing
 * it: the message then means that event or nothing (`sshFields` and PAM's forms agree). Returns
 * undefined when the opening does not fix the event (`Failed ...`, repeats, rarer forms).
 * Shared objects: do not change them.
 */
export function sshForm(line: string, at: number): SshForm | undefined {
  const c = line.charCodeAt(at);
  if (c === 112 /* p */) {
    const text = pamTextAt(line, at);
    if (text < 0) return undefined;
    if (line.startsWith('authentication failure;', text)) return PAM_AUTH_FAILURE;
    if (line.startsWith('check pass; user unknown', text)) return PAM_USER_UNKNOWN;
    return undefined;
  }
  for (let i = 0; i < FIXED_FORMS.length; i++) {
    const opening = FIXED_FORMS[i].opening;
    if (opening.charCodeAt(0) === c && line.startsWith(opening, at)) return FIXED[i];
  }
  return undefined;
}

/**
 * Where the text after `pam_module(service:type): ` starts in `line` from `at`, as PAM_PREFIX
 * reads the prefix, or -1 when the message has no such prefix.
 */
function pamTextAt(line: string, at: number): number {
  if (!line.startsWith('pam_', at)) return -1;
  let i = at + 4;
  while (i < line.length && isWordChar(line.charCodeAt(i))) i++;
  if (i === at + 4 || line.charCodeAt(i) !== 40 /* ( */) return -1;
  const service = ++i;
  while (i < line.length && line.charCodeAt(i) !== 58 && line.charCodeAt(i) !== 41) i++;
  if (i === service || line.charCodeAt(i) !== 58 /* : */) return -1;
  const type = ++i;
  while (i < line.length && isWordChar(line.charCodeAt(i))) i++;
  if (i === type || !line.startsWith('): ', i)) return -1;
  return i + 3;
}

/** `failed_password` from `Failed` and `password`; the few spellings met are built once. */
function outcomeEvent(outcome: string, method: string): string {
  // The commonest pair by comparison, without building and hashing a key on every line.
  if (method === 'password') {
    if (outcome === 'Failed') return 'failed_password';
    if (outcome === 'Accepted') return 'accepted_password';
  }
  const key = `${outcome} ${method}`;
  let event = OUTCOME_EVENTS.get(key);
  if (event === undefined) {
    event = `${outcome.toLowerCase()}_${method.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`;
    if (OUTCOME_EVENTS.size < 1_000) OUTCOME_EVENTS.set(key, event);
  }
  return event;
}

const OUTCOME_EVENTS = new Map<string, string>();

const PAM_PREFIX = /^(pam_\w+)\(([^:)]+):(\w+)\): (.*)$/s;

/** Sigma `service` of the programs that have their own; undefined for the rest. */
const PROGRAM_SERVICES = new Map([
  ['sshd', 'sshd'],
  // OpenSSH 9.8 moved the per-connection work, and its log lines, to sshd-session (10.0: sshd-auth).
  ['sshd-session', 'sshd'],
  ['sshd-auth', 'sshd'],
  ['sudo', 'sudo'],
  ['su', 'auth'],
  ['login', 'auth'],
]);

/** The Sigma `service` a log line's program name stands for (sshd, sudo...), if it has one. */
export function programService(program: string): string | undefined {
  return PROGRAM_SERVICES.get(program);
}

/**
 * The meaning of one message from `program`, or undefined when it is not an auth form Palisade
 * knows. `pamModule` is set for old-style tags such as `sshd(pam_unix)`.
 */
export function authMeaning(
  program: string,
  message: string,
  pamModule?: string,
): AuthMeaning | undefined {
  // Trailing blanks (a relay's template, a CR kept by a shipper) are no part of a form: sshd
  // never writes them, and fail2ban's filter allows them too.
  const last = message.charCodeAt(message.length - 1);
  if (last === 32 || last === 9 || last === 13) message = message.trimEnd();
  if (program === 'sshd' || program.startsWith('sshd-')) return sshMeaning(message, pamModule);
  const pam = () => pamMeaning(program, pamFields(message, pamModule, program));
  if (program === 'sudo') return sudoMeaning(message) ?? pam();
  if (ACCOUNT_PROGRAMS.has(program)) return accountMeaning(program, message) ?? pam();
  return pam();
}

/** sshd's message parsed into named fields, or undefined for messages it does not recognise. */
export function sshFields(message: string): SshFields | undefined {
  const first = message.charAt(0);
  for (const [firstChars, pattern, build] of SSH_FORMS) {
    if (!firstChars.includes(first)) continue;
    const m = pattern.exec(message);
    if (m) return build(m);
  }
  return undefined;
}

function sshMeaning(message: string, pamModule: string | undefined): AuthMeaning | undefined {
  let ssh = pamModule ? undefined : sshFields(message);
  const pam = ssh ? undefined : pamFields(message, pamModule, 'sshd');
  if (!ssh && pam) ssh = sshFromPam(pam);
  if (!ssh) return undefined;
  const kind = sshEventKind(ssh.event);
  const fields: Record<string, unknown> = { ssh };
  if (pam) fields.pam = pam;
  const meaning: AuthMeaning = {
    fields,
    action: kind.action,
    actor: ssh.user,
    sourceIp: ssh.sourceIp,
    outcome: kind.outcome,
  };
  if (ssh.repeated !== undefined && ssh.repeated > 1) {
    meaning.occurrences = Math.min(ssh.repeated, MAX_OCCURRENCES);
  }
  return meaning;
}

/**
 * Most occurrences one repeated line counts for: a forged `message repeated 999999999 times`
 * must not cost a correlation a loop per occurrence.
 */
export const MAX_OCCURRENCES = 1_000;

/** The action and outcome of an sshd event name, worked out once per name. */
function sshEventKind(event: string): { action: string; outcome?: 'success' | 'failure' } {
  let kind = SSH_EVENT_KINDS.get(event);
  if (kind) return kind;
  const failed = FAILURE_EVENTS.test(event);
  kind = {
    action: `ssh.${event}`,
    outcome: failed ? 'failure' : event.startsWith('accepted_') ? 'success' : undefined,
  };
  // Event names come from a fixed list of forms plus sshd's method names: few in practice.
  if (SSH_EVENT_KINDS.size < 1_000) SSH_EVENT_KINDS.set(event, kind);
  return kind;
}

const SSH_EVENT_KINDS = new Map<string, { action: string; outcome?: 'success' | 'failure' }>();

const FAILURE_EVENTS =
  /^(failed_|invalid_user|too_many|pam_auth_failure|pam_more_failures|pam_user_unknown|no_identification|negotiation_failed|reverse_mapping_failed)/;

function sshFromPam(pam: PamFields): SshFields | undefined {
  switch (pam.event) {
    case 'auth_failure': {
      // As `prune({ event, ...base })`, without the spread copies.
      const out: SshFields = { event: 'pam_auth_failure' };
      if (pam.user !== undefined) out.user = pam.user;
      if (pam.rhost) setAddr(out, pam.rhost);
      return out;
    }
    case 'more_failures': {
      const base = { user: pam.user, ...(pam.rhost ? addr(pam.rhost) : {}) };
      return prune({ event: 'pam_more_failures', ...base, count: pam.count });
    }
    case 'user_unknown':
      return { event: 'pam_user_unknown' };
    case 'session_opened':
    case 'session_closed':
      return prune({ event: pam.event, user: pam.user });
    case 'ignoring_max_retries':
      return { event: 'pam_ignoring_max_retries' };
    default:
      return undefined;
  }
}

export interface PamFields {
  module?: string;
  service?: string;
  type?: string;
  event: string;
  user?: string;
  by?: string;
  uid?: number;
  euid?: number;
  tty?: string;
  ruser?: string;
  rhost?: string;
  logname?: string;
  count?: number;
}

function pamFields(
  message: string,
  pamModule: string | undefined,
  program: string,
): PamFields | undefined {
  const c = message.charCodeAt(0);
  // Only `pam_x(...)` and `PAM ...` lines, or tags naming the module, are PAM's: skip the rest fast.
  if (!pamModule && c !== 112 /* p */ && c !== 80 /* P */) return undefined;
  let module = pamModule;
  let service: string | undefined = pamModule ? program : undefined;
  let type: string | undefined;
  let text = message;
  const prefixed = PAM_PREFIX.exec(message);
  if (prefixed) {
    module = prefixed[1];
    service = prefixed[2];
    type = prefixed[3];
    text = prefixed[4];
    // The prefix names all three and the text holds no line terminator (the regex's `.` ran to
    // the end): the commonest forms are read without another regex or a pruning copy.
    if (text.startsWith('authentication failure;')) {
      return kv(text.slice(23), { module, service, type, event: 'auth_failure' });
    }
    if (text.startsWith('check pass; user unknown')) {
      return { module, service, type, event: 'user_unknown' };
    }
  }

  // The regexes below only run on messages that start as they do.
  if (text.startsWith('PAM ')) {
    const more = /^PAM (\d+) more authentication failures?;(.*)$/s.exec(text);
    if (more) {
      const count = Number(more[1]);
      return prune(
        kv(more[2], { module, service: service ?? program, event: 'more_failures', count }),
      );
    }
    if (/^PAM service\(\S+\) ignoring max retries/.test(text)) {
      return { module, service: service ?? program, event: 'ignoring_max_retries' };
    }
  }
  if (!module) return undefined;

  const failure = text.startsWith('authentication failure;')
    ? /^authentication failure;(.*)$/s.exec(text)
    : null;
  if (failure) return prune(kv(failure[1], { module, service, type, event: 'auth_failure' }));
  if (/^check pass; user unknown/.test(text))
    return prune({ module, service, type, event: 'user_unknown' });
  const session =
    /^session (opened|closed) for user (\S+?)(?:\(uid=\d+\))?(?: by (.*?)\(uid=(\d+)\))?$/s.exec(
      text,
    );
  if (session) {
    return prune({
      module,
      service,
      type,
      event: `session_${session[1]}`,
      user: session[2],
      by: session[3] || undefined,
      uid: num(session[4]),
    });
  }
  return undefined;
}

function pamMeaning(program: string, pam: PamFields | undefined): AuthMeaning | undefined {
  if (!pam) return undefined;
  const failed =
    pam.event === 'auth_failure' || pam.event === 'more_failures' || pam.event === 'user_unknown';
  return {
    fields: { pam },
    action: `pam.${pam.event}`,
    actor: pam.event.startsWith('session_') ? (pam.by ?? pam.user) : (pam.user ?? pam.ruser),
    sourceIp: pam.rhost && isIP(pam.rhost) ? pam.rhost : undefined,
    target: pam.event.startsWith('session_') ? pam.user : (pam.service ?? program),
    outcome: failed ? 'failure' : undefined,
  };
}

const SUDO =
  /^\s*(\S+) : (?:(.*?) ; )?TTY=(\S*)\s+;?\s*PWD=(.*?)\s+;?\s*USER=(\S+)\s+;?\s*(?:GROUP=(\S+)\s+;?\s*)?(?:ENV=(.*?)\s+;?\s*)?COMMAND=(.*)$/s;

function sudoMeaning(message: string): AuthMeaning | undefined {
  const m = SUDO.exec(message);
  if (!m) return undefined;
  const error = m[2];
  const sudo = prune({
    user: m[1],
    error,
    tty: m[3],
    pwd: m[4],
    runAs: m[5],
    group: m[6],
    env: m[7],
    command: m[8],
  });
  const event = !error
    ? 'command'
    : /NOT in sudoers/i.test(error)
      ? 'not_in_sudoers'
      : /incorrect password/i.test(error)
        ? 'incorrect_password'
        : 'denied';
  return {
    fields: { sudo: { event, ...sudo } },
    action: `sudo.${event}`,
    actor: m[1],
    target: m[5],
    outcome: error ? 'failure' : 'success',
  };
}

const ACCOUNT_PROGRAMS = new Set([
  'useradd',
  'groupadd',
  'userdel',
  'groupdel',
  'usermod',
  'passwd',
  'chpasswd',
  'gpasswd',
]);

function accountMeaning(program: string, message: string): AuthMeaning | undefined {
  let m = /^new (user|group): (.*)$/s.exec(message);
  if (m) {
    const details = commaKv(m[2]);
    const account = prune({ event: `${m[1]}_added`, ...details });
    return { fields: { account }, action: `account.${m[1]}_added`, target: str(details.name) };
  }
  m = /^add '([^']+)' to (?:shadow )?group '([^']+)'$/.exec(message);
  if (m) {
    const account = { event: 'group_member_added', name: m[1], group: m[2] };
    return { fields: { account }, action: 'account.group_member_added', target: m[1] };
  }
  m = /^(?:delete|removed) (user|group) '([^']+)'$/.exec(message);
  if (m) {
    const account = { event: `${m[1]}_deleted`, name: m[2] };
    return { fields: { account }, action: `account.${m[1]}_deleted`, target: m[2] };
  }
  m = /^password (?:for '([^']+)' )?changed(?: for (\S+))?$/.exec(message);
  if (m) {
    const name = m[1] ?? m[2];
    return {
      fields: { account: prune({ event: 'password_changed', name }) },
      action: 'account.password_changed',
      target: name,
    };
  }
  if (program === 'usermod') {
    const change = /^change user '([^']+)'/.exec(message);
    if (change)
      return {
        fields: { account: { event: 'user_changed', name: change[1] } },
        action: 'account.user_changed',
        target: change[1],
      };
  }
  return undefined;
}

/**
 * `a= b=1 c=x` (PAM's key list) added to `out` (as spreading it after `out`'s members would);
 * empty values are dropped.
 */
function kv<T extends object>(text: string, into: T): T {
  const out = into as Record<string, unknown>;
  if (!PLAIN_ASCII.test(text)) {
    for (const m of text.matchAll(/(\w+)=(\S*)/g)) put(out, m[1], m[2]);
    return into;
  }
  // Printable ASCII and spaces: the words between spaces, read as the regex would read them.
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf(' ', at);
    const word = end === -1 ? text.length : end;
    const eq = keyEnd(text, at, word);
    // An empty value is dropped (as `put` would drop it): no strings for it.
    if (eq >= 0 && eq + 1 < word) {
      let start = eq;
      while (start > at && isWordChar(text.charCodeAt(start - 1))) start--;
      put(out, pamKey(text, start, eq), text.slice(eq + 1, word));
    }
    at = word + 1;
  }
  return into;
}

/** PAM's usual key names, as constants: a key met as one of them is not sliced out of its line. */
const PAM_KEYS = ['logname', 'uid', 'euid', 'tty', 'ruser', 'rhost', 'user'];

/**
 * `text.slice(start, end)`, as the matching PAM_KEYS constant when it is one: a property named
 * by a fresh slice costs a string-table lookup on every store, a constant does not.
 */
function pamKey(text: string, start: number, end: number): string {
  const length = end - start;
  for (const key of PAM_KEYS) {
    if (key.length === length && text.startsWith(key, start)) return key;
  }
  return text.slice(start, end);
}

const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** The first `=` in `text[from, to)` with a word character before it, or -1. */
function keyEnd(text: string, from: number, to: number): number {
  for (let i = text.indexOf('=', from); i !== -1 && i < to; i = text.indexOf('=', i + 1)) {
    if (i > from && isWordChar(text.charCodeAt(i - 1))) return i;
  }
  return -1;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function put(out: Record<string, unknown>, key: string, value: string): void {
  if (value === '') return;
  out[key] = key === 'uid' || key === 'euid' ? num(value) : value;
}

/** `name=apache, UID=48, GID=48` as `{ name, uid, gid }`. */
function commaKv(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split(/,\s*/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).toLowerCase();
    const value = part.slice(eq + 1);
    out[key] = /^(uid|gid)$/.test(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

/** `addr`'s member set on `out` (no object of its own). */
function setAddr(out: SshFields, value: string | undefined): void {
  if (!value) return;
  if (isPlainIPv4(value)) {
    out.sourceIp = value;
    out.remoteAddress = value;
    return;
  }
  const bare = value.replace(/^\[|\]$/g, '').replace(/^::ffff:(?=\d+\.)/i, '');
  if (isIP(bare)) out.sourceIp = bare;
  else out.sourceHost = value;
  out.remoteAddress = isIP(bare) ? bare : value;
}

function addr(value: string | undefined): {
  sourceIp?: string;
  sourceHost?: string;
  remoteAddress?: string;
} {
  if (!value) return {};
  const out: SshFields = { event: '' };
  setAddr(out, value);
  const { event: _event, ...found } = out;
  return found;
}

/** A dotted quad as `isIPv4` accepts it (0-255, no leading zeros), checked without a regex. */
function isPlainIPv4(value: string): boolean {
  let parts = 0;
  let at = 0;
  while (parts < 4) {
    let n = 0;
    let len = 0;
    while (at < value.length && len < 4) {
      const c = value.charCodeAt(at);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      len++;
      at++;
    }
    if (len === 0 || len > 3 || n > 255 || (len > 1 && value.charCodeAt(at - len) === 48)) {
      return false;
    }
    parts++;
    if (parts < 4) {
      if (value.charCodeAt(at) !== 46) return false;
      at++;
    }
  }
  return at === value.length;
}

function num(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The object without its undefined and false members. Copies rather than `delete`s, so the
 * result keeps a fast shape for the rules that read it on every event.
 */
function prune<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const key in obj) {
    const value = obj[key];
    if (value !== undefined && value !== false) out[key] = value;
  }
  return out as T;
}
