/**
 * /subscribe from unauthorized chats: one open request per chat (a repeat gets the same key and
 * no new notification), limited per chat and overall; each request the bridge takes becomes one
 * desktop notice naming the requester and the chat.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatLimits } from '../../../../electron/core/bridge/inbound/chat-throttle';
import type { SentMessage } from '../../../../electron/sandbox/dingtalk/types';
import { waitFor } from '../../../helpers/wait';
import { desktopNotices, startControlWorld, type ControlWorld } from '../../control/helpers';

let w: ControlWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const textOf = (m: SentMessage): string => JSON.stringify(m.msgParam);
const overLimit = (world: ControlWorld): number => world.logHub.query({ search: 'Subscription requests over the limit' }).length;

// Each new key is a write under CCCC's lock (a python process): small limits keep the test short.
const LIMITS: ChatLimits = { perChatBurst: 2, perChatEveryMs: 10 * 60_000, overallBurst: 4, overallEveryMs: 10 * 60_000 };

async function running(): Promise<{ world: ControlWorld; id: string }> {
  const world = await startControlWorld({
    service: {
      bridgeServices: { ledgerPollMs: 200, daemonPollMs: 200, stream: { backoff: { baseMs: 100, capMs: 500, jitterMs: 0 } }, subscribeLimits: LIMITS },
    },
  });
  const id = await world.addBridge();
  await world.call('startBridge', { bridgeId: id });
  await waitFor(() => world.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
  return { world, id };
}

describe('/subscribe is throttled', () => {
  it('15 requests from one chat: one key, one notification, the same key in each answer, then one "too many" and silence', async () => {
    const r = await running();
    w = r.world;
    const chat = 'cidFlood==';
    for (let i = 0; i < 15; i++)
      w.dt.injectMessage({
        text: '/subscribe',
        conversationId: chat,
        conversationType: '2',
        conversationTitle: 'Payroll Admins',
        senderNick: 'CEO',
        senderStaffId: `s${i}`,
      });
    const limited = 15 - LIMITS.perChatBurst;
    await waitFor(() => overLimit(w!) === limited && w!.events.some((e) => e.type === 'pending'), 'every request handled', 20_000);

    const detail = await w.call('getBridge', { bridgeId: r.id });
    expect(detail.pending).toHaveLength(1);
    const key = detail.pending[0]!.key;
    expect(w.events.filter((e) => e.type === 'pending')).toHaveLength(1);
    expect(desktopNotices(w).filter((n) => n.title === 'A DingTalk chat asks to subscribe')).toHaveLength(1);

    const replies = await waitFor(
      () => {
        const sent = w!.dt.sentMessages().filter((m) => m.conversationId === chat || m.via === 'webhook');
        return sent.length === LIMITS.perChatBurst + 1 ? sent : undefined;
      },
      'replies',
      10_000,
    );
    const texts = replies.map(textOf);
    expect(texts.filter((t) => t.includes(key))).toHaveLength(LIMITS.perChatBurst);
    expect(texts.filter((t) => t.includes('订阅申请太频繁了'))).toHaveLength(1);
  });

  it('requests from many chats are limited overall; each taken one is one desktop notice', async () => {
    const r = await running();
    w = r.world;
    const chats = LIMITS.overallBurst + 5;
    for (let i = 0; i < chats; i++)
      w.dt.injectMessage({
        text: '/subscribe',
        conversationId: `cidMany${i}==`,
        conversationType: '2',
        conversationTitle: `Team ${i}`,
        senderNick: 'IT Support',
      });
    // Chats are handled in parallel: the refused ones may finish before the keys are written.
    await waitFor(() => overLimit(w!) === 5 && w!.events.filter((e) => e.type === 'pending').length === LIMITS.overallBurst, 'every request handled', 20_000);
    expect((await w.call('getBridge', { bridgeId: r.id })).pending).toHaveLength(LIMITS.overallBurst);
    const notices = desktopNotices(w).filter((n) => n.title === 'A DingTalk chat asks to subscribe');
    expect(notices).toHaveLength(LIMITS.overallBurst);
    expect(notices[0]?.body).toMatch(/^IT Support · Team \d+ — approve or reject it in the dashboard\.$/);
  });
});
