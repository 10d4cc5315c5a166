import { describe, expect, it } from 'vitest';
import type { SendToGroup } from '../../../electron/core/bridge/ports';
import { ReplyTracker } from '../../../electron/core/bridge/reply-tracker';

const chat = { conversationId: 'cidA', conversationType: 'group' } as const;
const send = (msgId: string, staffId?: string): SendToGroup => ({
  msgId,
  text: 'hi',
  to: ['@foreman'],
  attachments: [],
  clientId: `im:dingtalk:cidA:${msgId}`,
  sourceUserName: 'Alice',
  sourceUserId: staffId ?? 'alice',
  mentionUserIds: staffId ? [staffId] : [],
});

function tracker(thinking = true) {
  const reactions: string[] = [];
  const t = new ReplyTracker({ thinkingReaction: () => thinking, react: (msgId, chatId, on) => void reactions.push(`${on ? '+' : '-'}${msgId}@${chatId}`) });
  return { t, reactions };
}

describe('ReplyTracker', () => {
  it('remembers who asked, by the ledger event their message became', () => {
    const { t } = tracker();
    t.delivered('ev1', send('m1', 'staff-alice'), chat);
    t.delivered('ev2', send('m2'), chat);
    expect(t.askedBy('ev1')).toEqual({ chatId: 'cidA', staffId: 'staff-alice' });
    // Without a staff id there is nobody to @-mention.
    expect(t.askedBy('ev2')).toBeUndefined();
    expect(t.askedBy('unknown')).toBeUndefined();
  });

  it('shows 🤔 on delivery and takes every one off when agents answer the people', () => {
    const { t, reactions } = tracker();
    t.delivered('ev1', send('m1', 's1'), chat);
    t.delivered('ev2', send('m2', 's2'), { conversationId: 'cidB', conversationType: 'group' });
    expect(reactions).toEqual(['+m1@cidA', '+m2@cidB']);
    t.agentsAnswered();
    expect(reactions.slice(2)).toEqual(['-m1@cidA', '-m2@cidB']);
    t.agentsAnswered();
    expect(reactions).toHaveLength(4);
    // Who asked outlives the reaction.
    expect(t.askedBy('ev1')).toEqual({ chatId: 'cidA', staffId: 's1' });
  });

  it('shows no reaction when the setting is off', () => {
    const { t, reactions } = tracker(false);
    t.delivered('ev1', send('m1', 's1'), chat);
    t.agentsAnswered();
    expect(reactions).toEqual([]);
  });

  it('is bounded: the oldest askers are forgotten first', () => {
    const { t } = tracker(false);
    for (let i = 0; i <= 2_000; i++) t.delivered(`ev${i}`, send(`m${i}`, `s${i}`), chat);
    expect(t.askedBy('ev0')).toBeUndefined();
    expect(t.askedBy('ev1')).toEqual({ chatId: 'cidA', staffId: 's1' });
    expect(t.askedBy('ev2000')).toEqual({ chatId: 'cidA', staffId: 's2000' });
  });

  it('with delivery evidence: in the ledger is not yet 🤔; acceptance is, once', () => {
    const { t, reactions } = tracker();
    t.inLedger('ev1', send('m1', 's1'), chat);
    expect(t.askedBy('ev1')).toEqual({ chatId: 'cidA', staffId: 's1' });
    expect(reactions).toEqual([]);
    t.accepted('ev1');
    t.accepted('ev1');
    t.accepted('unknown');
    expect(reactions).toEqual(['+m1@cidA']);
  });
});
