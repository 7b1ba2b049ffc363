// Time: local hour and day in the Netherlands, night-time, and time since the account's and device's last activity.
import { defineFamily, dayMs } from './feature.family.ts';

/** Last Sunday of a month at 01:00 UTC: when EU summer time starts (March) and ends (October). */
function lastSundayAtOneUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0, 1));
  return lastDay.getTime() - lastDay.getUTCDay() * dayMs;
}

/** Amsterdam wall-clock time computed from the timestamp alone: no time zone database, no clock. */
export function amsterdamTime(at: number): { readonly hour: number; readonly weekday: number } {
  const year = new Date(at).getUTCFullYear();
  const summer = at >= lastSundayAtOneUtc(year, 2) && at < lastSundayAtOneUtc(year, 9);
  const local = new Date(at + (summer ? 2 : 1) * 3_600_000);
  return { hour: local.getUTCHours(), weekday: local.getUTCDay() };
}

export const timeFeatures = defineFamily('time', (context) => amsterdamTime(context.input.at), [
  {
    name: 'time_hour_local',
    type: 'number',
    meaning: 'Hour of day in the Netherlands (0-23).',
    compute: (t) => t.hour,
  },
  {
    name: 'time_weekday_local',
    type: 'number',
    meaning: 'Day of week in the Netherlands (0 Sunday - 6 Saturday).',
    compute: (t) => t.weekday,
  },
  {
    name: 'time_is_night',
    type: 'boolean',
    meaning: 'Placed between 01:00 and 06:00 Dutch time.',
    compute: (t) => t.hour >= 1 && t.hour < 6,
  },
  {
    name: 'time_is_weekend',
    type: 'boolean',
    meaning: 'Placed on a Saturday or Sunday.',
    compute: (t) => t.weekday === 0 || t.weekday === 6,
  },
  {
    name: 'time_minutes_since_account_order',
    type: 'number',
    meaning: "Minutes since the account's previous order.",
    compute: (_t, c) =>
      c.resolution.account?.lastOrderAt == null ? null : (c.input.at - c.resolution.account.lastOrderAt) / 60_000,
  },
  {
    name: 'time_minutes_since_device_order',
    type: 'number',
    meaning: 'Minutes since the previous order from this device.',
    compute: (_t, c) => (c.snapshot.device === null ? null : (c.input.at - c.snapshot.device.lastSeenAt) / 60_000),
  },
]);
