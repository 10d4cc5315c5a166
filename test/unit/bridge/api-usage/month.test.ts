/** DingTalk's metering month (China Standard Time) and the linear forecast. */
import { describe, expect, it } from 'vitest';
import { forecastCalls, meteringMonth, monthProgress, monthSpan, monthsKept } from '../../../../electron/core/bridge/api-usage/month';

const at = (iso: string): number => Date.parse(iso);

describe('the metering month', () => {
  it('turns at midnight in China Standard Time, whatever the machine’s zone', () => {
    expect(meteringMonth(at('2025-06-30T15:59:59.999Z'))).toBe('2025-06');
    expect(meteringMonth(at('2025-06-30T16:00:00.000Z'))).toBe('2025-07');
    expect(meteringMonth(at('2025-12-31T16:00:00.000Z'))).toBe('2026-01');
  });

  it('begins and ends at midnight China Standard Time', () => {
    expect(monthSpan(at('2025-06-10T00:00:00Z'))).toEqual({ month: '2025-06', start: at('2025-05-31T16:00:00Z'), end: at('2025-06-30T16:00:00Z') });
  });

  it('knows how far into the month a moment is, and how long the month is', () => {
    expect(monthProgress(at('2025-06-15T16:00:00Z'))).toEqual({ month: '2025-06', daysElapsed: 15, daysInMonth: 30 });
    expect(monthProgress(at('2024-02-01T04:00:00Z'))).toMatchObject({ month: '2024-02', daysElapsed: 0.5, daysInMonth: 29 });
  });

  it('keeps this month and the twelve before it', () => {
    const kept = monthsKept(at('2025-06-10T00:00:00Z'));
    expect(['2024-05', '2024-06', '2025-06'].map(kept)).toEqual([false, true, true]);
  });
});

describe('the forecast', () => {
  it('is linear in the days elapsed: 300 calls in 10 of 30 days → 900', () => {
    expect(forecastCalls(300, { month: '2025-06', daysElapsed: 10, daysInMonth: 30 })).toBe(900);
  });

  it('counts the first hours as a whole day, so a busy first morning is not multiplied by hundreds', () => {
    expect(forecastCalls(50, { month: '2025-06', daysElapsed: 0.1, daysInMonth: 30 })).toBe(1_500);
  });

  it('is the count itself at the month’s end', () => {
    expect(forecastCalls(1_234, { month: '2025-06', daysElapsed: 30, daysInMonth: 30 })).toBe(1_234);
  });
});
