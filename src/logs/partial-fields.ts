/**
 * Partial events: the fields of a line read only as far as its program's named fields, with the
 * rest of the header left unread. A rule evaluated on one tells whether it could match the
 * whole event: every read of an unread field is counted, and an answer reached without such a
 * read is the answer for the whole event (rules are pure functions of the fields they read).
 */

/** Reads of fields a partial event left unread, counted across all of them. */
export const unknownReads = { count: 0 };

function unread(): undefined {
  unknownReads.count++;
  return undefined;
}

/**
 * The fields of a plain RFC 3164 sshd line (no priority, so no facility or severity; no
 * structured data) as `syslogEvent` would build them, with its own program and named fields
 * filled and its header fields unread.
 */
class SshdLineFields {
  program = 'sshd';
  get timestamp(): undefined {
    return unread();
  }
  get host(): undefined {
    return unread();
  }
  get pid(): undefined {
    return unread();
  }
  get message(): undefined {
    return unread();
  }
  constructor(named: Record<string, unknown> | undefined) {
    for (const key in named) (this as Record<string, unknown>)[key] = named[key];
  }
}

/** `SshdLineFields` for an sshd message's named fields (undefined: it names none). */
export function sshdPartialFields(
  named: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return new SshdLineFields(named) as unknown as Record<string, unknown>;
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
