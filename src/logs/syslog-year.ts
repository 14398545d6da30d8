/**
 * Completes year-less RFC 3164 timestamps: the first record takes the given year, or the year that
 * puts its day at or before the file's modification day (a line is not written after its file
 * was last changed); a later jump back in months (December to January) moves to the next year.
 * It also carries the zone such timestamps are read in (`timeZone`, an IANA name; UTC without).
 */

/** Months a timestamp may move backwards before it is taken as the new year's. */
const ROLLOVER_MONTHS = 6;

export class SyslogYear {
  #year: number | undefined;
  #lastMonth = 0;
  readonly #given?: number;
  readonly #reference: Date;

  /**
   * `year`: the first record's year when known; `reference`: the file's mtime (or now);
   * `timeZone`: the IANA zone the log's clock was in (UTC when absent).
   */
  constructor(
    year: number | undefined,
    reference: Date = new Date(),
    readonly timeZone?: string,
  ) {
    this.#given = year;
    this.#reference = reference;
  }

  /**
   * The year for a record of `month` (1-12) and `day`, advancing on a December→January rollover.
   * Without a day, the first record is placed by its month alone.
   */
  yearFor(month: number, day = 1): number {
    if (this.#year === undefined) {
      this.#year = this.#given ?? this.#firstYear(month, day);
    } else if (this.#lastMonth - month >= ROLLOVER_MONTHS) {
      this.#year++;
    }
    this.#lastMonth = month;
    // A day its month does not have (February 29 of a year without one, April 31): the line's
    // date does not exist in the year it was given (`--year`) or placed in, and Date.UTC would
    // quietly move it into the next month.
    if (day > 28 && day > daysInMonth(this.#year, month)) {
      this.impossible = { year: this.#year, month, day };
      return Number.NaN;
    }
    this.impossible = undefined;
    return this.#year;
  }

  /** The date the last `yearFor` found missing from its year (it returned NaN), if any. */
  impossible: { year: number; month: number; day: number } | undefined;

  #firstYear(month: number, day: number): number {
    const ref = this.#reference;
    const refYear = ref.getUTCFullYear();
    const refMonth = ref.getUTCMonth() + 1;
    const later = month > refMonth || (month === refMonth && day > ref.getUTCDate());
    let year = later ? refYear - 1 : refYear;
    // A log that opens on February 29 was written in a leap year: the latest one not after.
    if (month === 2 && day === 29) while (!isLeapYear(year)) year--;
    return year;
  }
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days of `month` (1-12) in `year`, February 29 in leap years. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] ?? 31);
}
