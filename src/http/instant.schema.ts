// ISO date-times the database can store as given: the edge refuses year 0000 and times past 9999 with a 400.
import { z } from 'zod';

/**
 * PostgreSQL has no year 0 and JavaScript writes a year past 9999 as `+010000`, which PostgreSQL cannot read:
 * either one would fail in the query. Real times lie between 1970 and 2100 (as for imported history).
 */
function storable(value: string): boolean {
  const at = Date.parse(value);
  return at >= Date.UTC(1970, 0, 1) && at < Date.UTC(2101, 0, 1);
}

const storableMessage = 'a time between 1970 and 2100';

/** A date-time with a UTC offset (`2026-11-02T10:00:00+01:00`), between 1970 and 2100. */
export const instantSchema = z.iso.datetime({ offset: true }).refine(storable, storableMessage);

/** The UTC (`Z`) date-time a list cursor carries, between 1970 and 2100. */
export const cursorInstantSchema = z.iso.datetime().refine(storable, storableMessage);
