/**
 * How the console writes a time: local date and time with the zone's name (logs, alerts and
 * people span zones), and a date alone (an exemption's expiry day) as that calendar day. Read as UTC midnight and shown in a zone west of UTC, a date alone
 * would show the day before, and an active exemption would look expired.
 */
export function dateText(at: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(at);
  if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).toLocaleDateString();
  return new Date(at).toLocaleString(undefined, { timeZoneName: 'short' });
}
