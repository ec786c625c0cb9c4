/**
 * Report time zones: `UTC`, a whole-hour offset (`+02:00`) or an IANA name. Shared by the
 * reporting API and the dashboard page, so both put an instant on the same local day.
 */
const OFFSET = /^([+-])(\d{2}):00$/;
const DAY_MS = 86_400_000;

export function isValidTimeZone(tz: string): boolean {
  if (tz === 'UTC' || OFFSET.test(tz)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The local day and hour (`YYYY-MM-DD`, `HH`) of an instant in `tz`. */
export function localDayHour(instant: Date, tz: string): { day: string; hour: string } {
  const offset = OFFSET.exec(tz);
  if (tz === 'UTC' || offset) {
    const shifted = new Date(instant.getTime() + (offset ? (offset[1] === '-' ? -1 : 1) * Number(offset[2]) * 3_600_000 : 0)).toISOString();
    return { day: shifted.slice(0, 10), hour: shifted.slice(11, 13) };
  }
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: parts.hour };
}

/** `YYYY-MM-DD` plus (or minus) whole days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / DAY_MS;
}
