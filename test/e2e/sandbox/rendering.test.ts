/**
 * How the sandbox reads what the robot sends: DingTalk's Markdown subset, command links, and
 * every message kind of the OpenAPI and of session webhooks.
 */
import { describe, expect, it } from 'vitest';
import { commandOf, linkKind, parseInline, parseMarkdown, plainPreview } from '../../../electron/sandbox/chat/markdown';
import { robotView, type MediaShelf } from '../../../electron/sandbox/chat/robot-messages';
import type { SentMessage } from '../../../electron/sandbox/dingtalk/types';

describe('DingTalk Markdown subset', () => {
  it('parses headings, quotes, lists, rules, code and paragraphs with line breaks', () => {
    const blocks = parseMarkdown('### 标题\n> 引用\n> 第二行\n\n- 一\n- **二**\n\n3. 三\n4. 四\n\n---\n```ts\nconst a = 1;\n```\n第一行\n第二行');
    expect(blocks).toEqual([
      { t: 'heading', level: 3, c: [{ t: 'text', v: '标题' }] },
      { t: 'quote', c: [{ t: 'para', c: [{ t: 'text', v: '引用' }, { t: 'br' }, { t: 'text', v: '第二行' }] }] },
      { t: 'list', ordered: false, start: 1, items: [[{ t: 'text', v: '一' }], [{ t: 'strong', c: [{ t: 'text', v: '二' }] }]] },
      { t: 'list', ordered: true, start: 3, items: [[{ t: 'text', v: '三' }], [{ t: 'text', v: '四' }]] },
      { t: 'hr' },
      { t: 'code', v: 'const a = 1;' },
      { t: 'para', c: [{ t: 'text', v: '第一行' }, { t: 'br' }, { t: 'text', v: '第二行' }] },
    ]);
  });

  it('parses emphasis, code, links and images inline, leaving unknown syntax as text', () => {
    expect(parseInline('a **b [c](https://c.d/)** *e* `d` [e](https://x.y/) ![f](https://x.y/p.png) <b>g</b> 2*3')).toEqual([
      { t: 'text', v: 'a ' },
      {
        t: 'strong',
        c: [
          { t: 'text', v: 'b ' },
          { t: 'link', href: 'https://c.d/', c: [{ t: 'text', v: 'c' }] },
        ],
      },
      { t: 'text', v: ' ' },
      { t: 'em', c: [{ t: 'text', v: 'e' }] },
      { t: 'text', v: ' ' },
      { t: 'code', v: 'd' },
      { t: 'text', v: ' ' },
      { t: 'link', href: 'https://x.y/', c: [{ t: 'text', v: 'e' }] },
      { t: 'text', v: ' ' },
      { t: 'image', alt: 'f', src: 'https://x.y/p.png' },
      { t: 'text', v: ' <b>g</b> 2*3' },
    ]);
    // snake_case stays text
    expect(parseInline('file_name_here')).toEqual([{ t: 'text', v: 'file_name_here' }]);
  });

  it('knows command links and refuses script links', () => {
    expect(commandOf('dtmd://dingtalkclient/sendMessage?content=%2Fsend%20%40peer%20%E4%BD%A0%E5%A5%BD')).toBe('/send @peer 你好');
    expect(commandOf('dtmd://dingtalkclient/sendMessage?content=')).toBeUndefined();
    expect(linkKind('dtmd://dingtalkclient/sendMessage?content=%2Fstatus')).toBe('command');
    expect(linkKind('https://open.dingtalk.com')).toBe('web');
    expect(linkKind('javascript:alert(1)')).toBe('none');
    expect(linkKind('data:text/html,x')).toBe('none');
    expect(plainPreview('### CCCC 命令\n- [/status](dtmd://x) — **状态**')).toBe('CCCC 命令 - /status — 状态');
  });
});

const shelf: MediaShelf = {
  media: (id) => (id === '@lADPmedia' ? { href: '/files/abc/report.pdf', name: 'report.pdf', size: 1234 } : undefined),
};

function openApi(msgKey: string, msgParam: Record<string, unknown>): SentMessage {
  return { via: 'group', appKey: 'k', conversationId: 'cid1', msgKey, msgParam, at: 0 };
}

function webhook(msgtype: string, body: Record<string, unknown>, at?: Record<string, unknown>): SentMessage {
  return {
    via: 'webhook',
    appKey: 'k',
    conversationId: 'cid1',
    msgKey: msgtype,
    msgParam: body,
    webhookBody: { msgtype, [msgtype]: body, ...(at ? { at } : {}) },
    at: 0,
  };
}

describe('robot messages as DingTalk shows them', () => {
  it('OpenAPI: text, Markdown, link, every ActionCard shape, picture and file', () => {
    expect(robotView(openApi('sampleText', { content: 'hi' }), shelf).body).toEqual({ type: 'text', text: 'hi' });
    expect(robotView(openApi('sampleMarkdown', { title: 't', text: '**x**' }), shelf).body).toEqual({ type: 'markdown', title: 't', text: '**x**' });
    expect(robotView(openApi('sampleLink', { title: 't', text: 'x', messageUrl: 'https://a.b', picUrl: '' }), shelf).body).toEqual({
      type: 'link',
      title: 't',
      text: 'x',
      url: 'https://a.b',
    });
    expect(robotView(openApi('sampleActionCard', { title: 't', text: 'x', singleTitle: '看看', singleURL: 'https://a.b' }), shelf).body).toEqual({
      type: 'actionCard',
      title: 't',
      text: 'x',
      buttons: [{ title: '看看', url: 'https://a.b' }],
      horizontal: false,
    });
    expect(
      robotView(
        openApi('sampleActionCard3', {
          title: 't',
          text: 'x',
          actionTitle1: 'a',
          actionURL1: 'u1',
          actionTitle2: 'b',
          actionURL2: 'u2',
          actionTitle3: 'c',
          actionURL3: 'u3',
        }),
        shelf,
      ).body,
    ).toMatchObject({
      buttons: [
        { title: 'a', url: 'u1' },
        { title: 'b', url: 'u2' },
        { title: 'c', url: 'u3' },
      ],
      horizontal: false,
    });
    expect(
      robotView(openApi('sampleActionCard6', { title: 't', text: 'x', buttonTitle1: '是', buttonUrl1: 'u1', buttonTitle2: '否', buttonUrl2: 'u2' }), shelf)
        .body,
    ).toMatchObject({ horizontal: true, buttons: [{ title: '是' }, { title: '否' }] });
    expect(robotView(openApi('sampleImageMsg', { photoURL: '@lADPmedia' }), shelf).body).toEqual({
      type: 'image',
      src: '/files/abc/report.pdf',
      name: 'report.pdf',
    });
    expect(robotView(openApi('sampleImageMsg', { photoURL: 'https://img.example/p.png' }), shelf).body).toEqual({
      type: 'image',
      src: 'https://img.example/p.png',
      name: '',
    });
    expect(robotView(openApi('sampleFile', { mediaId: '@lADPmedia', fileName: 'report.pdf', fileType: 'pdf' }), shelf).body).toEqual({
      type: 'file',
      href: '/files/abc/report.pdf',
      name: 'report.pdf',
      size: 1234,
      fileType: 'pdf',
    });
    expect(robotView(openApi('sampleFile', { mediaId: '@gone', fileName: 'x.pdf', fileType: 'pdf' }), shelf).body.type).toBe('unsupported');
  });

  it('session webhooks: @-mentions, ActionCards with buttons, feed cards', () => {
    expect(robotView(webhook('text', { content: 'hi' }, { atUserIds: ['alice'] }), shelf)).toEqual({
      body: { type: 'text', text: 'hi' },
      mentions: ['alice'],
      mentionsAll: false,
    });
    expect(robotView(webhook('markdown', { title: 't', text: 'x' }, { isAtAll: true }), shelf).mentionsAll).toBe(true);
    expect(
      robotView(
        webhook('actionCard', {
          title: 't',
          text: 'x',
          btnOrientation: '1',
          btns: [
            { title: '批准', actionURL: 'dtmd://dingtalkclient/sendMessage?content=ok' },
            { title: '详情', actionURL: 'https://a.b' },
          ],
        }),
        shelf,
      ).body,
    ).toEqual({
      type: 'actionCard',
      title: 't',
      text: 'x',
      buttons: [
        { title: '批准', url: 'dtmd://dingtalkclient/sendMessage?content=ok' },
        { title: '详情', url: 'https://a.b' },
      ],
      horizontal: true,
    });
    expect(robotView(webhook('feedCard', { links: [{ title: 'a', messageURL: 'https://a.b', picURL: 'https://a.b/p.png' }] }), shelf).body).toEqual({
      type: 'feedCard',
      links: [{ title: 'a', url: 'https://a.b', picUrl: 'https://a.b/p.png' }],
    });
  });
});
