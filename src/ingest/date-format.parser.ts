// Reads the dates of a CSV export by a small pattern (dd-MM-yyyy HH:mm) in a time zone, and returns ISO instants.

const tokens = ['yyyy', 'SSS', 'MM', 'dd', 'HH', 'mm', 'ss'] as const;
type Token = (typeof tokens)[number];

/** Why a pattern cannot be used, or null; "iso" means ISO 8601 as the contract itself writes it. */
export function dateFormatProblem(format: string): string | null {
  if (format === 'iso') return null;
  const found = new Set(compile(format).parts.filter((part): part is Token => tokens.includes(part as Token)));
  for (const needed of ['yyyy', 'MM', 'dd'] as const) {
    if (!found.has(needed)) return `date format "${format}" lacks ${needed} (use yyyy MM dd HH mm ss SSS)`;
  }
  return null;
}

interface Compiled {
  readonly parts: string[];
  readonly pattern: RegExp;
}

const compiled = new Map<string, Compiled>();

function compile(format: string): Compiled {
  const cached = compiled.get(format);
  if (cached) return cached;
  const parts: string[] = [];
  let rest = format;
  while (rest.length > 0) {
    const token = tokens.find((candidate) => rest.startsWith(candidate));
    parts.push(token ?? rest[0]!);
    rest = rest.slice(token ? token.length : 1);
  }
  const source = parts
    .map((part) =>
      tokens.includes(part as Token)
        ? `(\\d{${part === 'yyyy' ? 4 : part === 'SSS' ? 3 : '1,2'}})`
        : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  const result = { parts, pattern: new RegExp(`^${source}$`) };
  compiled.set(format, result);
  return result;
}

/** The zone's offset from UTC (ms) at an instant, from Intl: no time-zone table of our own to keep. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const value = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const wall = Date.UTC(
    value('year'),
    value('month') - 1,
    value('day'),
    value('hour'),
    value('minute'),
    value('second'),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Wall-clock time in a zone -> instant; the second pass settles the hour around a daylight-saving change. */
export function zonedInstant(wall: number, timeZone: string): number {
  if (timeZone === 'UTC') return wall;
  const first = wall - zoneOffset(wall, timeZone);
  return wall - zoneOffset(first, timeZone);
}

export type DateResult = { ok: true; iso: string } | { ok: false; error: string };

export function parseDate(text: string, format: string, timeZone: string): DateResult {
  const value = text.trim();
  if (format === 'iso') {
    if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(value))
      return { ok: false, error: `"${value}" is not an ISO 8601 date` };
    const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) && value.length > 10;
    const normal = value.replace(' ', 'T');
    if (hasOffset) {
      const at = Date.parse(normal);
      return Number.isNaN(at)
        ? { ok: false, error: `"${value}" is not a date` }
        : { ok: true, iso: new Date(at).toISOString() };
    }
    const wall = Date.parse(`${normal.length === 10 ? `${normal}T00:00` : normal}Z`);
    if (Number.isNaN(wall)) return { ok: false, error: `"${value}" is not a date` };
    return { ok: true, iso: new Date(zonedInstant(wall, timeZone)).toISOString() };
  }
  const { parts, pattern } = compile(format);
  const match = pattern.exec(value);
  if (!match) return { ok: false, error: `"${value}" does not match the date format "${format}"` };
  const fields: Partial<Record<Token, number>> = {};
  let group = 1;
  for (const part of parts) if (tokens.includes(part as Token)) fields[part as Token] = Number(match[group++]);
  const [year, month, day] = [fields.yyyy!, fields.MM!, fields.dd!];
  const [hour, minute, second] = [fields.HH ?? 0, fields.mm ?? 0, fields.ss ?? 0];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, fields.SSS ?? 0);
  const check = new Date(wall);
  // Date.UTC rolls 31-02 over into March; a date that does not exist is an error, not a different day.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59)
    return { ok: false, error: `"${value}" is not a real date` };
  return { ok: true, iso: new Date(zonedInstant(wall, timeZone)).toISOString() };
}
