import { describe, expect, it } from 'vitest';
import { BoundedMap, BoundedSet } from '../../../electron/core/util/bounded';

describe('BoundedMap', () => {
  it('forgets the oldest entry once past its capacity', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('c', 3);
    expect([...m]).toEqual([
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('re-setting a present key updates it in place and evicts nothing', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 10);
    expect([...m]).toEqual([
      ['a', 10],
      ['b', 2],
    ]);
    m.set('c', 3);
    expect([...m.keys()]).toEqual(['b', 'c']);
  });

  it('refuses a capacity below one', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
  });
});

describe('BoundedSet', () => {
  it('forgets the oldest value once past its capacity, and a repeat adds nothing', () => {
    const s = new BoundedSet<string>(3);
    s.add('a').add('b').add('a').add('c').add('d');
    expect([...s]).toEqual(['b', 'c', 'd']);
    expect(s.has('a')).toBe(false);
  });

  it('refuses a capacity below one', () => {
    expect(() => new BoundedSet(Number.NaN)).toThrow(RangeError);
  });
});
