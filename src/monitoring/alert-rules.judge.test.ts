// When an alert rule is breached (thresholds, changes against last week, the minimum count that keeps noise out),
// and the score stability index the monitor draws.
import { describe, expect, it } from 'vitest';
import { judge } from './alert-rules.service.ts';
import { stabilityIndex } from './monitoring.service.ts';

const rule = { name: 'r', series: 'step_ups', window_minutes: 60, minimum_count: 5 } as const;

describe('judge', () => {
  it.each([
    ['threshold met', { kind: 'threshold', threshold: 10 }, { value: 10, count: 10 }, null, true],
    ['threshold missed', { kind: 'threshold', threshold: 10 }, { value: 9, count: 9 }, null, false],
    ['too few events', { kind: 'threshold', threshold: 1 }, { value: 4, count: 4 }, null, false],
    ['doubled', { kind: 'change', threshold: 2 }, { value: 12, count: 12 }, { value: 6, count: 6 }, true],
    ['not doubled', { kind: 'change', threshold: 2 }, { value: 11, count: 11 }, { value: 6, count: 6 }, false],
    ['from nothing', { kind: 'change', threshold: 2 }, { value: 5, count: 5 }, { value: 0, count: 0 }, true],
    ['no figure', { kind: 'change', threshold: 2 }, { value: null, count: 0 }, { value: 1, count: 1 }, false],
  ] as const)('%s', (_name, shape, now, lastWeek, breached) => {
    const verdict = judge({ ...rule, ...shape }, now, lastWeek);
    expect(verdict.breached).toBe(breached);
    expect(verdict.message).toMatch(/^r: step_ups was /);
  });
});

describe('stabilityIndex', () => {
  it('is zero for the same distribution and grows as scores move', () => {
    const before = [0.5, 0.5, 0, 0];
    expect(stabilityIndex(before, before)).toBe(0);
    const shifted = stabilityIndex(before, [0.25, 0.25, 0.25, 0.25]);
    expect(shifted).toBeGreaterThan(0.25);
    expect(stabilityIndex(before, [0.45, 0.45, 0.1, 0])).toBeLessThan(shifted);
  });
});
