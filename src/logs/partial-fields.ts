/**
 * Partial events: the fields of a line read only as far as its program's named fields, with the
 * rest of the header left unread. A rule evaluated on one tells whether it could match the
 * whole event: every read of an unread field is counted, and an answer reached without such a
 * read is the answer for the whole event (rules are pure functions of the fields they read).
 */

/** Reads of fields a partial event left unread, counted across all of them. */
export const unknownReads = { count: 0 };

/** Counts one read of something a partial event left unread; its value is unknown. */
export function unread(): undefined {
  unknownReads.count++;
  return undefined;
}

/**
 * A partial event's whole fields, as a plain object, when it can build them (keyword search
 * reads them all); undefined when it cannot, which counts as an unread read.
 */
export const WHOLE_FIELDS = Symbol('whole fields');

const LINE = Symbol('line');
const AT = Symbol('message start');

/**
 * The fields of a plain RFC 3164 sshd line (no priority, so no facility or severity; no
 * structured data) as `syslogEvent` would build them: its program and named fields filled, its
 * header fields read from the line when asked (unread when there is no line: a judgement made
 * once for a whole form of message).
 */
class SshdLineFields {
  program = 'sshd';
  // Symbol keys: no field path can name them, and a getter reached through the prototype finds
  // no line (its read counts as unread) instead of throwing.
  readonly [LINE]: string | undefined;
  /** Where the message starts in the line. */
  readonly [AT]: number;

  constructor(named: Record<string, unknown> | undefined, line: string | undefined, at: number) {
    this[LINE] = line;
    this[AT] = at;
    for (const key in named) (this as Record<string, unknown>)[key] = named[key];
  }

  get timestamp(): string | undefined {
    return this[LINE] === undefined ? unread() : this[LINE].slice(0, 15);
  }

  get host(): string | undefined {
    const line = this[LINE];
    return line === undefined ? unread() : line.slice(16, line.indexOf(' ', 16));
  }

  get pid(): number | undefined {
    const line = this[LINE];
    if (line === undefined) return unread();
    // `sshd[digits]:` or `sshd:` right after the host, as the skim found it.
    const open = line.indexOf(' ', 16) + 5;
    if (line.charCodeAt(open) !== 91 /* [ */) return undefined;
    return Number(line.slice(open + 1, line.indexOf(']', open)));
  }

  get message(): string | undefined {
    return this[LINE] === undefined ? unread() : this[LINE].slice(this[AT]);
  }

  [WHOLE_FIELDS](): Record<string, unknown> | undefined {
    if (this[LINE] === undefined) return unread();
    // The keys in `syslogEvent`'s order, named fields last.
    const whole: Record<string, unknown> = {
      timestamp: this.timestamp,
      host: this.host,
      program: this.program,
      pid: this.pid,
      message: this.message,
    };
    for (const key of Object.keys(this))
      if (key !== 'program') whole[key] = (this as Record<string, unknown>)[key];
    return whole;
  }
}

/**
 * `SshdLineFields` for an sshd message's named fields (undefined: it names none), of `line`
 * whose message starts at `at` (see `skimSshdLine`); without a line, the header stays unread.
 */
export function sshdPartialFields(
  named: Record<string, unknown> | undefined,
  line?: string,
  at = 0,
): Record<string, unknown> {
  return new SshdLineFields(named, line, at) as unknown as Record<string, unknown>;
}

/** An object every read of which is unread, own keys and `in` included. */
function allUnread(known: Record<string, unknown> = {}): Record<string, unknown> {
  return new Proxy(known, {
    get: (target, key) => (Object.hasOwn(target, key) ? target[key as string] : unread()),
    has: () => unread() ?? true,
    ownKeys: () => {
      unread();
      return [];
    },
    getOwnPropertyDescriptor: () => unread(),
  });
}

/**
 * The fields of an sshd line whose message has the opening of `form` (see `sshForm`): its
 * `ssh.event` is known and everything else unread. Built once per form, not per line.
 */
export function sshdFormFields(form: { event: string; pam: boolean }): Record<string, unknown> {
  const named: Record<string, unknown> = { ssh: allUnread({ event: form.event }) };
  if (form.pam) named.pam = allUnread();
  return sshdPartialFields(named);
}
