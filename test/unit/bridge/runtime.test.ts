import { describe, expect, it } from 'vitest';
import { handledEvents } from '../../../electron/core/bridge/runtime';

describe('handledEvents (what a damaged ledger cursor is rebuilt from)', () => {
  it('answers by the ledger event ids behind outbox and held item ids', () => {
    const handled = handledEvents(() => ['e1:cidA==:0', 'e1:cidB==:0', 'e2:cidA==:file0', 'no-colon']);
    expect(['e1', 'e2', 'e3', 'no-colon', 'cidA=='].map(handled)).toEqual([true, true, false, false, false]);
  });

  it('gathers the ids only when first asked, once', () => {
    let gathered = 0;
    const handled = handledEvents(() => {
      gathered += 1;
      return ['e1:cidA==:0'];
    });
    expect(gathered).toBe(0);
    handled('e1');
    handled('e2');
    expect(gathered).toBe(1);
  });
});
