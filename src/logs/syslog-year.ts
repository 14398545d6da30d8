/**
 * Completes year-less RFC 3164 timestamps: the first record takes the given year, or the year that
 * puts it at or before the file's modification time; a later jump back in months (December to
 * January) moves to the next year.
 */

/** Months a timestamp may move backwards before it is taken as the new year's. */
const ROLLOVER_MONTHS = 6;

export class SyslogYear {
  #year: number | undefined;
  #lastMonth = 0;
  readonly #given?: number;
  readonly #reference: Date;

  /** `year`: the first record's year when known; `reference`: the file's mtime (or now). */
  constructor(year: number | undefined, reference: Date = new Date()) {
    this.#given = year;
    this.#reference = reference;
  }

  /** The year for a record in `month` (1-12), advancing on a December→January rollover. */
  yearFor(month: number): number {
    if (this.#year === undefined) {
      this.#year = this.#given ?? this.#firstYear(month);
    } else if (this.#lastMonth - month >= ROLLOVER_MONTHS) {
      this.#year++;
    }
    this.#lastMonth = month;
    return this.#year;
  }

  #firstYear(month: number): number {
    const refYear = this.#reference.getUTCFullYear();
    return month > this.#reference.getUTCMonth() + 1 ? refYear - 1 : refYear;
  }
}
