import { describe, expect, it } from 'vitest';
import { inboundMessageSchema, normalizeRobotMessage, refusedChatOf, textLength } from '../../../electron/core/dingtalk/inbound-message';
import { toOpenApiPayload, toWebhookBody, webhookCanSend } from '../../../electron/core/dingtalk/outbound-message';

const base = {
  msgId: 'msg1',
  conversationId: 'cidGROUP==',
  conversationType: '2',
  conversationTitle: 'Dev team',
  senderNick: '张三',
  senderId: '$:LWCP_v1:$abc',
  senderStaffId: 'staff1',
  isAdmin: true,
  chatbotUserId: 'bot1',
  robotCode: 'dingrobot',
  createAt: 1_700_000_000_000,
  sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x',
  sessionWebhookExpiredTime: 1_700_005_400_000,
  isInAtList: true,
  atUsers: [{ dingtalkId: 'bot1' }],
};

describe('normalizeRobotMessage', () => {
  it('reads a quoted message (text.isReplyMsg / repliedMsg, undocumented) and keeps it through the journal schema', () => {
    const text = (repliedMsg: unknown) => ({ ...base, msgtype: 'text', text: { content: ' yes', isReplyMsg: true, repliedMsg } });
    const m = normalizeRobotMessage(text({ msgId: 'q1', senderId: 'bot', msgType: 'markdown', content: { text: '**❓ Boss needs your reply** #ab12' } }));
    expect(m?.quote).toEqual({ text: '**❓ Boss needs your reply** #ab12', msgId: 'q1' });
    expect(inboundMessageSchema.parse(m).quote).toEqual(m?.quote);
    expect(normalizeRobotMessage(text({ content: 'plain quoted' }))?.quote).toEqual({ text: 'plain quoted' });
    expect(normalizeRobotMessage(text({ content: { richText: [{ text: 'a' }, { type: 'picture' }, { text: 'b' }] } }))?.quote).toEqual({ text: 'ab' });
    expect(normalizeRobotMessage({ ...base, msgtype: 'text', text: { content: 'no quote' } })?.quote).toBeUndefined();
  });

  it('keeps text exactly, including the leading space DingTalk leaves after removing the @', () => {
    const m = normalizeRobotMessage({ ...base, msgtype: 'text', text: { content: ' /send @peer line1\n\n  code()' } });
    expect(m?.content).toEqual({ type: 'text', text: ' /send @peer line1\n\n  code()' });
    expect(m).toMatchObject({
      conversationType: 'group',
      conversationTitle: 'Dev team',
      sender: { nick: '张三', staffId: 'staff1', isAdmin: true },
      sessionWebhook: { url: base.sessionWebhook, expiresAt: 1_700_005_400_000 },
    });
  });

  it('normalizes rich text, pictures, files, audio (with recognition) and video', () => {
    const rich = normalizeRobotMessage({
      ...base,
      msgtype: 'richText',
      content: { richText: [{ text: '@bot ' }, { text: 'look' }, { type: 'picture', downloadCode: 'dc1', pictureDownloadCode: 'p1' }] },
    });
    expect(rich?.content).toEqual({ type: 'richText', text: '@bot look', pictures: [{ downloadCode: 'dc1' }] });
    expect(normalizeRobotMessage({ ...base, conversationType: '1', msgtype: 'picture', content: { downloadCode: 'dc2' } })?.content).toEqual({
      type: 'picture',
      downloadCode: 'dc2',
    });
    expect(
      normalizeRobotMessage({ ...base, msgtype: 'file', content: { downloadCode: 'dc3', fileName: '报告.pdf', fileId: 'f', spaceId: 's' } })?.content,
    ).toEqual({
      type: 'file',
      downloadCode: 'dc3',
      fileName: '报告.pdf',
    });
    expect(normalizeRobotMessage({ ...base, msgtype: 'audio', content: { downloadCode: 'dc4', recognition: '你好', duration: 3000 } })?.content).toEqual({
      type: 'audio',
      downloadCode: 'dc4',
      recognition: '你好',
      durationMs: 3000,
    });
    expect(normalizeRobotMessage({ ...base, msgtype: 'video', content: { downloadCode: 'dc5', duration: '5', videoType: 'mp4' } })?.content).toEqual({
      type: 'video',
      downloadCode: 'dc5',
      durationSec: 5,
      videoType: 'mp4',
    });
  });

  it('marks unknown or broken content as unsupported instead of failing', () => {
    expect(normalizeRobotMessage({ ...base, msgtype: 'unknownMsgType' })?.content).toEqual({ type: 'unsupported', msgtype: 'unknownMsgType' });
    expect(normalizeRobotMessage({ ...base, msgtype: 'file', content: 'nope' })?.content).toEqual({ type: 'unsupported', msgtype: 'file' });
  });

  it('rejects data that is not a robot message', () => {
    expect(normalizeRobotMessage(null)).toBeUndefined();
    expect(normalizeRobotMessage({ msgId: 'x' })).toBeUndefined();
    expect(normalizeRobotMessage({ ...base, conversationType: '3', msgtype: 'text', text: { content: 'x' } })).toBeUndefined();
  });
});

describe('messages the bridge will not take', () => {
  it('refuses a number too large for a double instead of keeping one that cannot be read back', () => {
    expect(normalizeRobotMessage({ ...base, msgtype: 'text', text: { content: 'hi' }, createAt: `1${'0'.repeat(400)}` })).toBeUndefined();
    const ok = normalizeRobotMessage({ ...base, msgtype: 'text', text: { content: 'hi' }, createAt: '1700000000000' });
    expect(ok?.createAt).toBe(1_700_000_000_000);
    expect(inboundMessageSchema.safeParse(ok).success).toBe(true);
  });

  it('reads the chat of an invalid message leniently, and nothing when even the chat is missing', () => {
    const chat = refusedChatOf({ ...base, msgtype: undefined, atUsers: 'nope', senderStaffId: 7, text: { content: '👋 hi' } });
    expect(chat).toEqual({
      conversationId: 'cidGROUP==',
      conversationType: 'group',
      msgId: 'msg1',
      sessionWebhook: { url: base.sessionWebhook, expiresAt: base.sessionWebhookExpiredTime },
      chars: 4,
    });
    expect(refusedChatOf({ ...base, conversationId: undefined })).toBeUndefined();
    expect(refusedChatOf(null)).toBeUndefined();
  });

  it('counts characters as a person does (an emoji is one)', () => {
    expect(textLength({ type: 'text', text: '长文👍' })).toBe(3);
    expect(textLength({ type: 'picture', downloadCode: 'x' })).toBe(0);
  });
});

describe('outbound payloads', () => {
  it('maps every message kind to its msgKey and a JSON msgParam', () => {
    const cases = [
      [{ kind: 'text', content: 'hi' }, 'sampleText', { content: 'hi' }],
      [{ kind: 'markdown', title: 'T', text: '**b**' }, 'sampleMarkdown', { title: 'T', text: '**b**' }],
      [{ kind: 'link', title: 'T', text: 'x', messageUrl: 'https://a' }, 'sampleLink', { title: 'T', text: 'x', messageUrl: 'https://a', picUrl: '' }],
      [
        { kind: 'actionCard', title: 'T', text: 'x', buttons: [{ title: 'Go', url: 'https://a' }] },
        'sampleActionCard',
        { title: 'T', text: 'x', singleTitle: 'Go', singleURL: 'https://a' },
      ],
      [
        {
          kind: 'actionCard',
          title: 'T',
          text: 'x',
          buttons: [
            { title: 'A', url: 'u1' },
            { title: 'B', url: 'u2' },
            { title: 'C', url: 'u3' },
          ],
        },
        'sampleActionCard3',
        { title: 'T', text: 'x', actionTitle1: 'A', actionURL1: 'u1', actionTitle2: 'B', actionURL2: 'u2', actionTitle3: 'C', actionURL3: 'u3' },
      ],
      [
        {
          kind: 'actionCard',
          title: 'T',
          text: 'x',
          horizontal: true,
          buttons: [
            { title: 'Yes', url: 'u1' },
            { title: 'No', url: 'u2' },
          ],
        },
        'sampleActionCard6',
        { title: 'T', text: 'x', buttonTitle1: 'Yes', buttonUrl1: 'u1', buttonTitle2: 'No', buttonUrl2: 'u2' },
      ],
      [{ kind: 'image', photoUrl: '@lADP' }, 'sampleImageMsg', { photoURL: '@lADP' }],
      [{ kind: 'file', mediaId: '@m', fileName: 'a.pdf', fileType: 'pdf' }, 'sampleFile', { mediaId: '@m', fileName: 'a.pdf', fileType: 'pdf' }],
    ] as const;
    for (const [message, msgKey, param] of cases) {
      const p = toOpenApiPayload(message as never);
      expect(p.msgKey).toBe(msgKey);
      expect(JSON.parse(p.msgParam)).toEqual(param);
    }
  });

  it('refuses ActionCards DingTalk cannot show', () => {
    expect(() => toOpenApiPayload({ kind: 'actionCard', title: 'T', text: 'x', buttons: [] })).toThrow(RangeError);
    const six = Array.from({ length: 6 }, (_, i) => ({ title: `b${i}`, url: `u${i}` }));
    expect(() => toOpenApiPayload({ kind: 'actionCard', title: 'T', text: 'x', buttons: six })).toThrow(RangeError);
    expect(() => toOpenApiPayload({ kind: 'actionCard', title: 'T', text: 'x', horizontal: true, buttons: six.slice(0, 3) })).toThrow(RangeError);
  });

  it('builds custom-robot webhook bodies with @-mentions, and knows files cannot go that way', () => {
    expect(toWebhookBody({ kind: 'markdown', title: 'T', text: 'x' }, { atUserIds: ['s1'] })).toEqual({
      msgtype: 'markdown',
      markdown: { title: 'T', text: 'x' },
      at: { atUserIds: ['s1'] },
    });
    expect(toWebhookBody({ kind: 'text', content: 'x' }, { atUserIds: [] })).toEqual({ msgtype: 'text', text: { content: 'x' } });
    expect(webhookCanSend({ kind: 'file', mediaId: 'm', fileName: 'a', fileType: 'pdf' })).toBe(false);
    expect(() => toWebhookBody({ kind: 'image', photoUrl: 'x' })).toThrow(RangeError);
  });
});
