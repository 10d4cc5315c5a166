/**
 * What an admin reads in the log at Info: subscription requests, approvals and rejections,
 * refused messages (who, why), messages in and out (chat, sender, size) — never their content
 * unless the audit setting keeps it; found by the log viewer's search and chat filter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../electron/core/cccc/daemon';
import { LogHub } from '../../electron/core/control/log-hub';
import type { LogRecord } from '../../electron/core/log/logger';
import { waitFor } from '../helpers/wait';
import { ALICE, GROUP_CHAT, startE2E, type E2E } from './harness';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const OTHER_CHAT = 'cidOtherChat002==';
const SECRET_WORDS = 'the release password is tulip';
const AGENT_WORDS = 'deployed build 4711 to staging';

function info(world: E2E, msg: string, fields: Record<string, unknown> = {}): Promise<LogRecord> {
  return waitFor(
    () => world.log.records.find((r) => r.level === 'info' && r.msg === msg && Object.entries(fields).every(([k, v]) => r.fields?.[k] === v)),
    `info "${msg}" ${JSON.stringify(fields)}`,
    8_000,
  );
}

describe('the log an admin reads', () => {
  it('subscriptions, messages in and out, and refusals at Info — without content', async () => {
    e = await startE2E({ settings: { access: { mode: 'admins' } } });
    const world = e;

    world.say('/subscribe');
    const requested = await info(world, 'Subscription requested', { chat: GROUP_CHAT, nick: 'Alice', chatTitle: 'Dev team' });
    const key = String(requested.fields?.['key']);
    expect((await world.bridge.inspect()).pending[0]?.key).toBe(key);
    await world.bridge.approve(key);
    await info(world, 'Subscription approved', { chat: GROUP_CHAT, key, by: 'bridge' });

    world.say(SECRET_WORDS);
    const inbound = await info(world, 'Message in', { chat: GROUP_CHAT, chatType: 'group', kind: 'send', sender: ALICE.senderStaffId, nick: 'Alice' });
    // DingTalk's text starts with a space: the size is of the text as it came.
    expect(inbound.fields?.['chars']).toBe(` ${SECRET_WORDS}`.length);
    await world.cccc.speak('boss', AGENT_WORDS, { to: ['user'] });
    const out = await info(world, 'Message out', { chat: GROUP_CHAT, chatType: 'group' });
    expect(out.fields).toMatchObject({ via: expect.any(String), chars: expect.any(Number) });

    // Who was refused, and why: the access policy, and a chat that is not subscribed.
    world.say('/status', { senderStaffId: 'staff-bob', senderNick: 'Bob', isAdmin: false });
    await info(world, 'Refused a message', { chat: GROUP_CHAT, sender: 'staff-bob', nick: 'Bob', why: 'access_policy', reason: 'admins' });
    world.say('hello', { conversationId: OTHER_CHAT, conversationTitle: 'Elsewhere' });
    await info(world, 'Refused a message', { chat: OTHER_CHAT, sender: ALICE.senderStaffId, why: 'unauthorized_chat' });

    // Rejected in the app, and in CCCC (its Web UI, `cccc im`, `cccc-dingtalk reject`).
    world.say('/subscribe', { conversationId: OTHER_CHAT });
    const first = await info(world, 'Subscription requested', { chat: OTHER_CHAT });
    await world.bridge.reject(String(first.fields?.['key']));
    await info(world, 'Subscription request rejected', { chat: OTHER_CHAT, key: String(first.fields?.['key']), by: 'bridge' });
    world.say('/subscribe', { conversationId: OTHER_CHAT });
    const second = await waitFor(
      () => world.log.records.find((r) => r.msg === 'Subscription requested' && r.fields?.['chat'] === OTHER_CHAT && r.fields['key'] !== first.fields?.['key']),
      'a second request',
      8_000,
    );
    const secondKey = String(second.fields?.['key']);
    await new DaemonClient({ home: world.cccc.home }).imRejectPending(world.groupId, secondKey);
    await info(world, 'Subscription request rejected', { chat: OTHER_CHAT, key: secondKey, by: 'cccc' });

    const everything = JSON.stringify(world.log.records);
    expect(everything).not.toContain('release password');
    expect(everything).not.toContain('build 4711');

    // Searchable and filterable by chat, like every other line.
    const hub = new LogHub();
    for (const r of world.log.records) hub.add(r, 'b1');
    expect(hub.query({ search: 'refused', chatId: OTHER_CHAT }).map((r) => r.fields?.['why'])).toEqual(['unauthorized_chat']);
    expect(hub.query({ search: 'staff-bob' }).some((r) => r.msg === 'Refused a message')).toBe(true);
    expect(hub.query({ search: 'subscription', chatId: GROUP_CHAT }).map((r) => r.msg)).toEqual(['Subscription requested', 'Subscription approved']);
  }, 60_000);

  it('with the audit setting on, the content is in the line too', async () => {
    e = await startE2E({ settings: { auditContent: true } });
    await e.subscribe();
    e.say(SECRET_WORDS);
    const line = await info(e, 'Message in', { chat: GROUP_CHAT, kind: 'send' });
    expect(line.fields?.['content']).toBe(` ${SECRET_WORDS}`);
  }, 30_000);
});
