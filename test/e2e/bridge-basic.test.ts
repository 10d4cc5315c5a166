import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait';
import { ALICE, GROUP_CHAT, startE2E, textOf, type E2E } from './harness';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

describe('bridge end to end (fake DingTalk + fake CCCC)', () => {
  it('subscribes with approval, forwards text exactly to the foreman, and answers with an @-mention', async () => {
    e = await startE2E();
    e.say('hello before subscribing');
    e.say('/subscribe');
    const pending = await e.reply(/cccc im bind --key (\S+)/);
    expect(textOf(pending)).toContain(`--group ${e.groupId}`);
    expect(e.texts().filter((t) => t.includes('hello'))).toEqual([]);
    const [request] = (await e.bridge.inspect()).pending;
    expect(request?.chatId).toBe(GROUP_CHAT);
    await e.bridge.approve(request!.key);
    await e.reply('订阅已批准');

    const text = ' 请检查一下代码质量\n\n```ts\n  const x = 1;\n```\n';
    e.say(text);
    const forwarded = await waitFor(async () => (await e!.fromPeople()).find((ev) => String(ev.data['text']).includes('代码质量')), 'message in ledger');
    expect(forwarded.data).toMatchObject({
      text: '请检查一下代码质量\n\n```ts\n  const x = 1;\n```\n',
      to: ['@foreman'],
      source_platform: 'dingtalk',
      source_user_name: 'Alice',
      source_user_id: ALICE.senderStaffId,
    });
    expect(String(forwarded.data['client_id'])).toMatch(/^im:dingtalk:cidGroupChat001==:/);

    // 🤔 on the person's message while the agents work, taken off when they answer.
    const asked = e.dt.deliveries().at(-1)!.msgId;
    await waitFor(() => e!.dt.emotions().some((r) => r.action === 'reply' && r.body['openMsgId'] === asked), 'thinking reaction');
    await e.cccc.speak('boss', '检查完了，没有问题。', { to: ['user'], replyTo: forwarded.id });
    const answer = await e.reply('检查完了');
    expect(textOf(answer)).toBe('[boss] 检查完了，没有问题。');
    expect(answer.via).toBe('webhook');
    expect(answer.webhookBody?.['at']).toEqual({ atUserIds: [ALICE.senderStaffId] });
    await waitFor(() => e!.dt.emotions().some((r) => r.action === 'recall' && r.body['openMsgId'] === asked), 'reaction recalled');
    expect(e.dt.emotions().find((r) => r.action === 'reply')?.body).toMatchObject({ openConversationId: GROUP_CHAT, emotionType: 2, emotionName: '🤔思考中' });
  });
});
