// The hand-made timestamp formatter must agree with Date#toISOString everywhere the simulator goes.
import { describe, expect, it } from 'vitest';
import { Random } from './random.simulation.ts';
import { isoTime } from './time.simulation.ts';

describe('isoTime', () => {
  it('matches toISOString across decades, day edges and milliseconds', () => {
    const random = new Random(11);
    const samples = [
      0,
      86_399_999,
      86_400_000,
      Date.parse('2024-02-29T23:59:59.999Z'),
      Date.parse('1950-01-01T00:00:00Z'),
    ];
    for (let index = 0; index < 5000; index += 1) samples.push(Math.floor(random.next() * 4e12) - 1e12);
    for (const at of samples) expect(isoTime(at)).toBe(new Date(at).toISOString());
  });
});
