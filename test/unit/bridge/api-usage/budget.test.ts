/** The budget's steps: full below 80 %, lean from 80 %, plain from 100 %; and the month's view. */
import { describe, expect, it } from 'vitest';
import { cardAllowanceFor, usageView } from '../../../../electron/core/bridge/api-usage/budget';

describe('cardAllowanceFor', () => {
  it('without a budget: always full', () => {
    expect(cardAllowanceFor(1_000_000, null)).toBe('full');
    expect(cardAllowanceFor(1_000_000, undefined)).toBe('full');
  });

  it('full below 80 %, lean from 80 % to below 100 %, plain from 100 %', () => {
    const steps = [0, 3_999, 4_000, 4_999, 5_000, 9_000].map((calls) => cardAllowanceFor(calls, 5_000));
    expect(steps).toEqual(['full', 'full', 'lean', 'lean', 'plain', 'plain']);
  });
});

describe('usageView', () => {
  it('sums the APIs, most called first, with the forecast and the step for the budget', () => {
    const view = usageView({ 'oauth2.accessToken': 3, 'groupMessages.send': 40, 'emotion.reply': 7 }, 100, Date.parse('2025-06-10T16:00:00Z'));
    expect(view).toEqual({
      month: '2025-06',
      calls: 50,
      byApi: [
        { api: 'groupMessages.send', calls: 40 },
        { api: 'emotion.reply', calls: 7 },
        { api: 'oauth2.accessToken', calls: 3 },
      ],
      forecast: 150,
      daysElapsed: 10,
      daysInMonth: 30,
      budget: 100,
      allowance: 'full',
    });
  });

  it('names no budget when there is none', () => {
    expect(usageView({}, null, Date.parse('2025-06-10T16:00:00Z'))).not.toHaveProperty('budget');
  });
});
