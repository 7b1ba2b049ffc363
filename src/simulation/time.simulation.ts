// ISO-8601 timestamps without a Date per call: the simulator formats two for every order.

const dayMilliseconds = 86_400_000;
const twoDigits = Array.from({ length: 100 }, (_, value) => value.toString().padStart(2, '0'));
const threeDigits = Array.from({ length: 1000 }, (_, value) => value.toString().padStart(3, '0'));
const dayPrefixes = new Map<number, string>();

/** Same text as `new Date(at).toISOString()` for any time in years 0000-9999. */
export function isoTime(at: number): string {
  const milliseconds = Math.floor(at);
  const day = Math.floor(milliseconds / dayMilliseconds);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * dayMilliseconds).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = milliseconds - day * dayMilliseconds;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${prefix}${twoDigits[hours]}:${twoDigits[minutes]}:${twoDigits[seconds]}.${threeDigits[rest - seconds * 1000]}Z`;
}
