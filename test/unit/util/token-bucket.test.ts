import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../electron/core/util/token-bucket';

describe('TokenBucket', () => {
  it('grants the burst at once, then one token per 1/rate', () => {
    let now = 0;
    const bucket = new TokenBucket(20, 2, () => now);
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(50);
    now += 30;
    expect(bucket.tryTake()).toBe(20);
    now += 20;
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(50);
  });

  it('never holds more than the burst, however long it idles', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 1, () => now);
    now += 60_000;
    expect(bucket.tryTake()).toBe(0);
    // Within the 5 ms slack of a full interval, not a second token.
    expect(bucket.tryTake()).toBe(95);
  });

  it('keeps any one-second window within burst + rate when driven by its own waits, late timers included', () => {
    let now = 0;
    const bucket = new TokenBucket(19, 1, () => now);
    const grants: number[] = [];
    let late = 0;
    while (now < 20_000) {
      const wait = bucket.tryTake();
      if (wait === 0) grants.push(now);
      // Timers fire 0–3 ms late.
      else now += wait + (late++ % 4);
    }
    const worst = Math.max(...grants.map((t) => grants.filter((g) => g >= t && g < t + 1000).length));
    expect(worst).toBeLessThanOrEqual(20);
    // The rate does not sag with the lateness: 19/s over 20 s, within a grant or two.
    expect(grants.length).toBeGreaterThanOrEqual(380);
  });

  it('does not catch up in a burst when the taker comes very late', () => {
    let now = 0;
    const bucket = new TokenBucket(20, 1, () => now);
    expect(bucket.tryTake()).toBe(0);
    now += 300;
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(45);
  });

  it('starts over empty after drain(), and a clock stepping back stalls it no longer than one refill', () => {
    let now = 1_000;
    const bucket = new TokenBucket(10, 3, () => now);
    bucket.drain();
    expect(bucket.tryTake()).toBe(100);
    now += 100;
    expect(bucket.tryTake()).toBe(0);
    now -= 3_600_000;
    expect(bucket.tryTake()).toBe(100);
  });

  it('rejects nonsense rates', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
    expect(() => new TokenBucket(5, 0)).toThrow(RangeError);
  });
});
