/**
 * Times as the dashboard shows them, each with its zone: local times carry this browser's UTC
 * offset (`14:03:12 GMT+5:30`), the loggers' times say `UTC` (the hub's buckets are UTC days).
 * A `<time>` element carries the exact instant for assistive technology and copying.
 */

const CLOCK: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
const DATE_AND_CLOCK: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', ...CLOCK };
const LOCAL_TIME = new Intl.DateTimeFormat(undefined, { ...CLOCK, timeZoneName: 'shortOffset' });
const LOCAL_DATE_TIME = new Intl.DateTimeFormat(undefined, { ...DATE_AND_CLOCK, timeZoneName: 'shortOffset' });
const UTC_TIME = new Intl.DateTimeFormat(undefined, { ...CLOCK, timeZone: 'UTC' });
const UTC_DATE_TIME = new Intl.DateTimeFormat(undefined, { ...DATE_AND_CLOCK, timeZone: 'UTC' });

/** This browser's zone by name and offset: `Asia/Kolkata (GMT+5:30)`. */
export function localZone(): string {
  const offset = LOCAL_TIME.formatToParts(Date.now()).find((part) => part.type === 'timeZoneName')?.value ?? '';
  return `${Intl.DateTimeFormat().resolvedOptions().timeZone} (${offset})`;
}

function sameLocalDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/** `14:03:12 GMT+5:30`, with the date when it is not today. */
export function formatLocal(ms: number, now = Date.now()): string {
  return (sameLocalDay(ms, now) ? LOCAL_TIME : LOCAL_DATE_TIME).format(ms);
}

/** `08:33:12 UTC`, with the date when it is not today (in UTC). */
export function formatUtc(ms: number, now = Date.now()): string {
  const today = new Date(ms).toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${(today ? UTC_TIME : UTC_DATE_TIME).format(ms)} UTC`;
}

function fullUtc(ms: number): string {
  return `${UTC_DATE_TIME.format(ms)} UTC`;
}

/** A local time with its zone; the full date and time, local and UTC, on hover. */
export function LocalTime({ ms, withDate = false }: { ms: number; withDate?: boolean }) {
  return (
    <time dateTime={new Date(ms).toISOString()} title={`${LOCAL_DATE_TIME.format(ms)} (${fullUtc(ms)})`}>
      {withDate ? LOCAL_DATE_TIME.format(ms) : formatLocal(ms)}
    </time>
  );
}

/** A time in UTC, saying so. */
export function UtcTime({ ms }: { ms: number }) {
  return (
    <time dateTime={new Date(ms).toISOString()} title={fullUtc(ms)}>
      {formatUtc(ms)}
    </time>
  );
}
