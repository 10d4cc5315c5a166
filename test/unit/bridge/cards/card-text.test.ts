import { describe, expect, it } from 'vitest';
import { CARD_TEXT_MAX_CHARS, cardBody, splitForCard } from '../../../../electron/core/bridge/cards/card-text';

describe('what a card shows of an answer', () => {
  it('holds a short answer whole, and cuts a long one at a line end without losing a character', () => {
    expect(splitForCard('short')).toEqual({ head: 'short', rest: '' });
    const long = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const { head, rest } = splitForCard(long);
    expect(head.length).toBeLessThanOrEqual(CARD_TEXT_MAX_CHARS);
    expect(head.endsWith('\n')).toBe(true);
    expect(head + rest).toBe(long);
  });

  it('keeps plain line breaks, closes a code block the cut left open, and puts a note under it', () => {
    expect(cardBody('a\nb')).toBe('a  \nb');
    expect(cardBody('```ts\nconst a = 1;\n')).toMatch(/```ts\nconst a = 1;\n```$/);
    expect(cardBody('**done**', '⬇️ more')).toBe('**done**\n\n⬇️ more');
  });
});
