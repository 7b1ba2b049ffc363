// When an alert rule is breached: thresholds, changes against last week, and the minimum count that keeps noise out.
import { describe, expect, it } from 'vitest';
import { judge } from './alert-rules.service.ts';

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
