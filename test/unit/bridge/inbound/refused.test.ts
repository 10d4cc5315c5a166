import { describe, expect, it } from 'vitest';
import { RefusedMessages } from '../../../../electron/core/bridge/inbound/refused';
import type { InboundMessage } from '../../../../electron/core/dingtalk/inbound-message';

const msg = (msgId: string, createAt: number, conversationId = 'cidA'): InboundMessage =>
  ({
    msgId,
    createAt,
    conversationId,
    conversationType: 'group',
    sender: { nick: 'A', id: 'a', isAdmin: false },
    content: { type: 'text', text: msgId },
  }) as InboundMessage;

describe('RefusedMessages', () => {
  it('holds back a later message of a chat while an earlier one is out, not other chats, and not forever', () => {
    let now = 0;
    const refused = new RefusedMessages(1_000, () => now);
    refused.refuse(msg('m1', 10));
    expect(refused.overtakes(msg('m2', 20))).toBe(true);
    expect(refused.overtakes(msg('m1', 10))).toBe(false);
    expect(refused.overtakes(msg('x1', 20, 'cidB'))).toBe(false);
    refused.refuse(msg('m2', 20));
    expect(refused.size).toBe(2);
    refused.taken(msg('m1', 10));
    expect(refused.overtakes(msg('m2', 20))).toBe(false);
    expect(refused.overtakes(msg('m3', 30))).toBe(true);
    // Created in the same millisecond: arrival order decides.
    refused.refuse(msg('s1', 40));
    expect(refused.overtakes(msg('s2', 40))).toBe(true);
    refused.refuse(msg('s2', 40));
    expect(refused.all().map((m) => m.msgId)).toEqual(['m2', 's1', 's2']);
    refused.taken(msg('m2', 20));
    expect(refused.overtakes(msg('s1', 40))).toBe(false);
    now = 2_000;
    expect(refused.overtakes(msg('m3', 30))).toBe(false);
    expect(refused.size).toBe(0);
  });
});
