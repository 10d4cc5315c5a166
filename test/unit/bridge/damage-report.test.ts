import { describe, expect, it } from 'vitest';
import { reportDamage } from '../../../electron/core/bridge/damage-report';

const none = { stateDir: '/state', cursor: undefined, chats: undefined, heldLost: 0 };

describe('reportDamage', () => {
  it('says nothing when nothing was damaged, and nothing for damaged done lines (no message is lost with them)', () => {
    expect(reportDamage({ ...none, journals: [] })).toEqual({ problem: undefined, perChat: new Map() });
    const doneOnly = reportDamage({ ...none, journals: [{ file: 'outbox.jsonl', lines: ['{"op":"done","id":"x'], fromPeople: false }] });
    expect(doneOnly.problem).toBeUndefined();
  });

  it('counts lost messages per chat and direction, and names every file once in one problem', () => {
    const { problem, perChat } = reportDamage({
      ...none,
      heldLost: 2,
      chats: { why: 'is not valid JSON', aside: '/state/chats.json.corrupt-1', restored: 1, unreachable: [{ chatId: 'cidQuiet', title: 'Quiet chat' }] },
      journals: [
        { file: 'inbound.jsonl', lines: ['{"op":"add","id":"m1","data":{"conversationId":"cidA","te', 'garbage'], fromPeople: true },
        { file: 'outbox.jsonl', lines: ['{"op":"add","id":"e:cidA:0","data":{"chat":{"conversationId":"cidA"},"pay'], fromPeople: false },
      ],
    });
    expect([...perChat]).toEqual([['cidA', { fromYou: 1, forYou: 1 }]]);
    expect(problem).toMatchObject({ code: 'state.damaged', retryable: false, details: { stateDir: '/state' } });
    expect(problem!.message).toContain('chats.json is not valid JSON (kept as chats.json.corrupt-1): 1 chat restored; cannot reach Quiet chat');
    expect(problem!.message).toContain('Held messages: 2 damaged');
    expect(problem!.message).toContain('inbound.jsonl: 2 damaged lines');
    expect(problem!.message).toContain('outbox.jsonl: 1 damaged line kept aside');
  });
});
