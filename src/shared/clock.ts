// The Clock port: the only way the application reads the time, so tests and replays can set it.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that tests move by hand. */
export function makeManualClock(start: number): Clock & { advance(milliseconds: number): void; set(at: number): void } {
  let current = start;
  return {
    now: () => current,
    advance: (milliseconds) => {
      current += milliseconds;
    },
    set: (at) => {
      current = at;
    },
  };
}
