/** A list of status changes and comments, oldest first, as alerts and incidents keep them. */

import type { AlertStatus } from '../api/types';
import { When, words } from './status';

/**
 * The id of the entry that opens an alert's timeline: when detection raised it (the server's
 * `RAISED_ENTRY_ID`; no stored change has it).
 */
const RAISED_ENTRY_ID = 0;

/** What an alert's or an incident's timeline entry holds. */
export interface StatusChange {
  id?: number;
  at: string;
  actor: { kind: string; name: string | null };
  from: AlertStatus;
  to: AlertStatus;
  comment: string | null;
}

/** The entries as an ordered list, or a note that there are none yet. */
export function StatusTimeline({ entries }: { entries: StatusChange[] }) {
  if (entries.length === 0) return <p className="muted">No status changes yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((e, i) =>
        e.id === RAISED_ENTRY_ID ? (
          <li key={i}>
            <When at={e.at} /> · raised by {e.actor.name ?? e.actor.kind} ({words(e.to)})
          </li>
        ) : (
          <li key={i}>
            <When at={e.at} /> · {e.actor.name ?? e.actor.kind}:{' '}
            {e.from === e.to ? (
              <>comment ({words(e.to)})</>
            ) : (
              <>
                {words(e.from)} → <strong>{words(e.to)}</strong>
              </>
            )}
            {e.comment && <blockquote className="free-text">{e.comment}</blockquote>}
          </li>
        ),
      )}
    </ol>
  );
}
