import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ticker } from '../../../electron/core/util/ticker';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Ticker', () => {
  it('ticks every member on one timer, armed only while someone is there', () => {
    const ticker = new Ticker(1_000);
    expect(vi.getTimerCount()).toBe(0);
    const ticks = [0, 0, 0];
    const leave = ticks.map((_, i) => ticker.join(() => (ticks[i] = (ticks[i] ?? 0) + 1)));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(ticks).toEqual([0, 0, 0]);
    vi.advanceTimersByTime(1);
    expect(ticks).toEqual([1, 1, 1]);

    leave[1]!();
    vi.advanceTimersByTime(1_000);
    expect(ticks).toEqual([2, 1, 2]);
    leave[0]!();
    leave[2]!();
    expect(ticker.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // Leaving twice changes nothing.
    leave[0]!();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets a member leave, and another join, from its own tick', () => {
    const ticker = new Ticker(100);
    const seen: string[] = [];
    const leaveA: () => void = ticker.join(() => {
      seen.push('a');
      leaveA();
      ticker.join(() => seen.push('c'));
    });
    ticker.join(() => seen.push('b'));
    vi.advanceTimersByTime(100);
    expect(seen).toEqual(['a', 'b']);
    vi.advanceTimersByTime(100);
    expect(seen).toEqual(['a', 'b', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(1);
  });
});
