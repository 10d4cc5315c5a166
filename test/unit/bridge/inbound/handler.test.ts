import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AccessPolicy } from '../../../../electron/core/bridge/access';
import type { ChatAddress } from '../../../../electron/core/bridge/chat-address';
import type { ChatDirectory, ChatRecord, ChatSighting } from '../../../../electron/core/bridge/chat-directory';
import { InboundHandler, type InboundDeps } from '../../../../electron/core/bridge/inbound/handler';
import type { ActorInfo, Attachment, GroupPort, ImStatePort, PendingRequest, SendToGroup, SubscriberFlags } from '../../../../electron/core/bridge/ports';
import { REPLIES } from '../../../../electron/core/i18n/replies';
import { BridgeError } from '../../../../electron/core/errors';
import { normalizeRobotMessage, type InboundMessage } from '../../../../electron/core/dingtalk/inbound-message';
import type { OutboundMessage } from '../../../../electron/core/dingtalk/outbound-message';

const t = REPLIES.en;
const CHAT = 'cidGroup==';
const ACTORS: ActorInfo[] = [
  { id: 'boss', title: 'Boss', role: 'foreman', running: true, enabled: true },
  { id: 'coder', title: 'Builder', role: 'peer', running: true, enabled: true, runtime: 'claude' },
];

let seq = 0;
function message(text: string, over: Record<string, unknown> = {}): InboundMessage {
  const m = normalizeRobotMessage({
    msgId: `msg${++seq}`,
    msgtype: 'text',
    text: { content: text },
    conversationId: CHAT,
    conversationType: '2',
    conversationTitle: 'Dev team',
    senderNick: 'Alice',
    senderId: 'alice-id',
    senderStaffId: 'staff-alice',
    isAdmin: false,
    createAt: 1_700_000_000_000,
    ...over,
  });
  if (!m) throw new Error('test message does not normalize');
  return m;
}

interface Reply {
  chat: ChatAddress;
  message: OutboundMessage;
  mention: string[] | undefined;
}

/** An InboundHandler over stub ports that record what it did. */
function world(
  o: {
    authorized?: boolean;
    policy?: AccessPolicy;
    chatPolicy?: AccessPolicy;
    flags?: SubscriberFlags;
    actors?: ActorInfo[] | Error;
    group?: Partial<GroupPort>;
    answerTo?: InboundDeps['answerTo'];
    openRequests?: InboundDeps['openRequests'];
    lang?: 'zh' | 'en';
  } = {},
) {
  const calls: string[] = [];
  const replies: Reply[] = [];
  const delivered: { send: SendToGroup; chat: ChatAddress; recipients: string[] | undefined }[] = [];
  const pending: { request: PendingRequest; who: { chatTitle?: string; senderNick: string } }[] = [];
  const sightings: ChatSighting[] = [];
  const updates: Partial<SubscriberFlags>[] = [];
  const stored: string[] = [];
  let flags: SubscriberFlags | undefined = o.flags;
  let reused = false;
  const group: GroupPort = {
    groupId: 'g-demo',
    send: () => Promise.reject(new Error('the handler must deliver through deps.deliver')),
    info: async () => ({ groupId: 'g-demo', title: 'Demo project', state: 'active', running: true }),
    actors: async () => {
      if (o.actors instanceof Error) throw o.actors;
      return o.actors ?? ACTORS;
    },
    context: async () => ({ objective: 'Ship it', focus: 'tests', tasks: [{ title: 'Write tests', status: 'active', assignee: 'coder' }], waitingOnUser: [] }),
    start: async () => (calls.push('group.start'), ['boss', 'coder']),
    stop: async () => (calls.push('group.stop'), ['boss']),
    bind: () => Promise.reject(new Error('not used')),
    reject: () => Promise.reject(new Error('not used')),
    revoke: async (chatId) => void calls.push(`group.revoke ${chatId}`),
    ...o.group,
  };
  const im: ImStatePort = {
    isAuthorized: async () => o.authorized ?? true,
    createPendingKey: async (chatId) => {
      const request = { key: 'KEY123', chatId, createdAt: 1, expiresAt: 2, ...(reused ? { reused: true } : {}) };
      reused = true;
      return request;
    },
    listPending: async () => [],
    subscriber: async () => flags,
    subscribers: async () => new Map(flags ? [[CHAT, flags]] : []),
    updateSubscriber: async (_chatId, patch) => {
      updates.push(patch);
      flags = { subscribed: false, verbose: false, paused: false, ...flags, ...patch };
      return flags;
    },
  };
  const chats = {
    saw: async (s: ChatSighting) => void sightings.push(s),
    chat: async (): Promise<ChatRecord | undefined> =>
      o.chatPolicy ? { conversationType: 'group', lastMessageAt: 1, access: o.chatPolicy } : { conversationType: 'group', lastMessageAt: 1 },
  } as unknown as ChatDirectory;
  const handler = new InboundHandler({
    group,
    im,
    blobs: {
      store: async (_input, file): Promise<Attachment> => {
        stored.push(file.fileName);
        return { kind: 'file', path: `state/blobs/${file.fileName}`, title: file.fileName, mime_type: file.mimeType ?? '', bytes: 3, sha256: 'x' };
      },
      resolve: async () => undefined,
    },
    chats,
    settings: () => ({ lang: o.lang ?? 'en', access: o.policy ?? { mode: 'everyone' }, maxFileBytes: 1024 }),
    download: async (file) => (calls.push(`download ${file.downloadCode}`), Readable.from(['abc'])),
    reply: async (chat, m, mention) => void replies.push({ chat, message: m, mention }),
    deliver: async (send, chat, recipients) => void delivered.push({ send, chat, recipients }),
    heldCount: async () => 4,
    releaseHeld: async (chatId) => void calls.push(`releaseHeld ${chatId} after ${replies.length} replies`),
    onPending: (request, who) => void pending.push({ request, who }),
    ...(o.answerTo ? { answerTo: o.answerTo } : {}),
    ...(o.openRequests ? { openRequests: o.openRequests } : {}),
  });
  const texts = (): string[] =>
    replies.map((r) => (r.message.kind === 'text' ? r.message.content : r.message.kind === 'markdown' ? r.message.text : r.message.kind));
  return { handler, calls, replies, texts, delivered, pending, sightings, updates, stored, flags: () => flags };
}

describe('InboundHandler: who may talk to the agents', () => {
  it('an unauthorized chat is told once how to /subscribe, tappably, and nothing reaches CCCC', async () => {
    const w = world({ authorized: false });
    for (const text of ['hello', '/status', '/send @boss hi', '/help', '/pause']) await w.handler.handle(message(text));
    // One answer, not five: anyone can write to the robot, so the answers are rationed per chat.
    expect(w.replies).toEqual([
      {
        chat: { conversationId: CHAT, conversationType: 'group' },
        message: { kind: 'markdown', title: 'Not subscribed', text: t.notSubscribed(false) },
        mention: ['staff-alice'],
      },
    ]);
    expect(t.notSubscribed(false)).toContain('[/subscribe](dtmd://dingtalkclient/sendMessage?content=%2Fsubscribe)');
    expect(w.delivered).toEqual([]);
    expect(w.calls).toEqual([]);
    // The chat is still recorded as seen (the dashboard lists it).
    expect(w.sightings).toHaveLength(5);
    // Another chat has its own ration.
    await w.handler.handle(message('hello', { conversationId: 'cidOther==' }));
    expect(w.replies).toHaveLength(2);
  });

  it('an authorized chat that is not subscribed delivers, and is told its answers will not come here', async () => {
    const w = world({ flags: { subscribed: false, verbose: false, paused: false } });
    await w.handler.handle(message('hello'));
    await w.handler.handle(message('hello again'));
    expect(w.delivered.map((d) => d.send.text)).toEqual(['hello', 'hello again']);
    expect(w.texts()).toEqual([t.notSubscribed(true)]);
  });

  it('an unauthorized chat may /subscribe: a pending key, the admins told once, the key in the answer', async () => {
    const w = world({ authorized: false });
    await w.handler.handle(message('/subscribe'));
    expect(w.pending).toEqual([{ request: expect.objectContaining({ key: 'KEY123', chatId: CHAT }), who: { senderNick: 'Alice', chatTitle: 'Dev team' } }]);
    expect(w.texts()).toEqual([t.subscribePending('KEY123', 'g-demo')]);
    // The same chat asking again gets its open request back; the admins are not told twice.
    await w.handler.handle(message('/subscribe'));
    expect(w.pending).toHaveLength(1);
    expect(w.texts()).toHaveLength(2);
  });

  it('refuses people outside the access policy, naming the policy and their staff id; /help stays open', async () => {
    const w = world({ policy: { mode: 'admins' } });
    await w.handler.handle(message('please deploy'));
    expect(w.delivered).toEqual([]);
    expect(w.texts()).toEqual([t.accessDenied('admins', 'staff-alice')]);
    expect(w.replies[0]!.mention).toEqual(['staff-alice']);
    await w.handler.handle(message('/help'));
    expect(w.replies[1]!.message).toMatchObject({ kind: 'markdown', title: 'CCCC commands' });
    await w.handler.handle(message('please deploy', { isAdmin: true }));
    expect(w.delivered).toHaveLength(1);
  });

  it("a chat's own policy overrides the bridge's", async () => {
    const w = world({ policy: { mode: 'everyone' }, chatPolicy: { mode: 'allowlist', staffIds: ['staff-bob'] } });
    await w.handler.handle(message('hi'));
    expect(w.texts()).toEqual([t.accessDenied('allowlist', 'staff-alice')]);
    await w.handler.handle(message('hi', { senderStaffId: 'staff-bob', senderNick: 'Bob' }));
    expect(w.delivered.map((d) => d.send.sourceUserName)).toEqual(['Bob']);
  });
});

describe('InboundHandler: plain text and /send', () => {
  it('plain text goes to the foreman, with the sender, a stable client id and the message id', async () => {
    const w = world();
    const m = message('please check\n  the build');
    await w.handler.handle(m);
    expect(w.delivered).toEqual([
      {
        send: {
          msgId: m.msgId,
          text: 'please check\n  the build',
          to: ['@foreman'],
          attachments: [],
          clientId: `im:dingtalk:${CHAT}:${m.msgId}`,
          sourceUserName: 'Alice',
          sourceUserId: 'staff-alice',
          mentionUserIds: ['staff-alice'],
        },
        chat: { conversationId: CHAT, conversationType: 'group' },
        recipients: undefined,
      },
    ]);
    expect(w.replies).toEqual([]);
  });

  it('a plain message that answers an agent’s question goes back to that agent with reply_to', async () => {
    const asked: unknown[] = [];
    const w = world({
      answerTo: async (chatId, text, quote) => {
        asked.push({ chatId, text, quote });
        return text.startsWith('#ab12') ? { replyTo: 'ev-question', to: 'coder', text: 'yes' } : undefined;
      },
    });
    await w.handler.handle(message('#ab12 yes'));
    await w.handler.handle(message('just chatting', { text: { content: 'just chatting', isReplyMsg: true, repliedMsg: { content: { text: 'earlier' } } } }));
    await w.handler.handle(message('/send @coder explicitly'));
    expect(w.delivered.map((d) => [d.send.text, d.send.to, d.send.replyTo])).toEqual([
      ['yes', ['coder'], 'ev-question'],
      ['just chatting', ['@foreman'], undefined],
      ['explicitly', ['coder'], undefined],
    ]);
    // Explicit recipients are the person's choice: no question is looked up for them.
    expect(asked).toEqual([
      { chatId: CHAT, text: '#ab12 yes', quote: undefined },
      { chatId: CHAT, text: 'just chatting', quote: { text: 'earlier' } },
    ]);
  });

  it('/send resolves agents by id or title and the group tokens', async () => {
    const w = world();
    await w.handler.handle(message('/send @coder fix it'));
    await w.handler.handle(message('/send @builder again'));
    await w.handler.handle(message('/send @all everyone'));
    await w.handler.handle(message('/send @peers the rest'));
    await w.handler.handle(message('/send no name'));
    expect(w.delivered.map((d) => [d.send.to, d.send.text])).toEqual([
      [['coder'], 'fix it'],
      [['coder'], 'again'],
      [['@all'], 'everyone'],
      [['@peers'], 'the rest'],
      [['@foreman'], 'no name'],
    ]);
  });

  it('/send to an unknown agent is answered with the known ones and not delivered', async () => {
    const w = world();
    await w.handler.handle(message('/send @nobody hi'));
    expect(w.delivered).toEqual([]);
    expect(w.texts()).toEqual([t.noAgent('nobody', ['foreman', 'peers', 'all', 'boss', 'coder'])]);
  });

  it('/send to an unknown agent names each agent once, also one called foreman', async () => {
    const w = world({ actors: [{ id: 'foreman', title: 'Foreman', role: 'foreman', running: true, enabled: true }, ...ACTORS.slice(1)] });
    await w.handler.handle(message('/send @nobody hi'));
    expect(w.texts()).toEqual([t.noAgent('nobody', ['foreman', 'peers', 'all', 'coder'])]);
  });

  it('a message that is only the robot’s @ gets the help, not “empty message”', async () => {
    for (const text of [' ', '@CCCC-Bot', ' @CCCC-Bot  ']) {
      const w = world();
      await w.handler.handle(message(text));
      expect(w.delivered).toEqual([]);
      expect(w.replies[0]?.message).toMatchObject({ kind: 'markdown', title: 'CCCC commands' });
    }
    // Rich text with the robot's @ and a picture: the picture goes to the agents.
    const w = world();
    await w.handler.handle(
      message('', { msgtype: 'richText', text: undefined, content: { richText: [{ text: '@CCCC-Bot' }, { type: 'picture', downloadCode: 'pic1' }] } }),
    );
    expect(w.delivered).toHaveLength(1);
  });

  it('/send while CCCC is unreachable waits with its recipients unchecked; a lasting refusal is reported', async () => {
    const down = world({ actors: new BridgeError({ code: 'cccc.not_running', message: 'CCCC is not running', retryable: true }) });
    await down.handler.handle(message('/send @coder later'));
    expect(down.delivered).toEqual([expect.objectContaining({ send: expect.objectContaining({ to: [], text: 'later' }), recipients: ['coder'] })]);

    const refused = world({ actors: new BridgeError({ code: 'cccc.group_missing', message: 'No such group', retryable: false }) });
    await refused.handler.handle(message('/send @coder now'));
    expect(refused.delivered).toEqual([]);
    expect(refused.texts()).toEqual([t.error('No such group')]);
  });

  it('an empty /send is answered, not delivered', async () => {
    const w = world();
    await w.handler.handle(message('/send @coder   '));
    expect(w.delivered).toEqual([]);
    expect(w.texts()).toEqual([t.emptyMessage()]);
  });

  it('a file is fetched into the group blob store and sent to the foreman with a caption', async () => {
    const w = world();
    await w.handler.handle(message('', { msgtype: 'file', text: undefined, content: { downloadCode: 'dl-1', fileName: 'report.pdf' } }));
    expect(w.calls).toEqual(['download dl-1']);
    expect(w.stored).toEqual(['report.pdf']);
    expect(w.delivered).toEqual([
      expect.objectContaining({
        send: expect.objectContaining({ to: ['@foreman'], text: '[file] report.pdf', attachments: [expect.objectContaining({ title: 'report.pdf' })] }),
      }),
    ]);
  });

  it('an unsupported message type is answered and not delivered', async () => {
    const w = world();
    await w.handler.handle(message('', { msgtype: 'sticker', text: undefined }));
    expect(w.delivered).toEqual([]);
    expect(w.texts()).toEqual([t.unsupportedType('sticker')]);
  });

  it('single chats are answered without mentions and addressed to the staff id', async () => {
    const w = world();
    await w.handler.handle(message('/help', { conversationType: '1', conversationId: 'cidSingle' }));
    expect(w.replies[0]).toMatchObject({ chat: { conversationId: 'cidSingle', conversationType: 'single', userId: 'staff-alice' }, mention: undefined });
  });
});

describe('InboundHandler: commands', () => {
  it('/status reports the group, its agents and this chat', async () => {
    const w = world({ flags: { subscribed: true, verbose: false, paused: true } });
    await w.handler.handle(message('/status'));
    expect(w.replies[0]!.message).toEqual({
      kind: 'markdown',
      title: 'Demo project',
      text: t.status({
        groupTitle: 'Demo project',
        groupId: 'g-demo',
        state: 'active',
        running: true,
        actors: [
          { id: 'boss', title: 'Boss', role: 'foreman', running: true },
          { id: 'coder', title: 'Builder', role: 'peer', running: true, runtime: 'claude' },
        ],
        chat: { subscribed: true, verbose: false, paused: true },
      }),
    });
  });

  it('/context adds the questions waiting for this chat’s reply', async () => {
    const w = world({ openRequests: async (chatId) => `**Questions waiting for your reply**\n- #ab12 · boss: Deploy? (${chatId})` });
    await w.handler.handle(message('/context'));
    expect(w.texts()[0]).toMatch(/@coder\n\n\*\*Questions waiting for your reply\*\*\n- #ab12 · boss: Deploy\? \(cidGroup/);
  });

  it('/status and /context in Chinese have no English status words', async () => {
    const w = world({ lang: 'zh', flags: { subscribed: true, verbose: false, paused: false } });
    await w.handler.handle(message('/status'));
    await w.handler.handle(message('/context'));
    const [status, context] = w.texts();
    expect(status).toContain('状态：活跃');
    expect(status).toContain('Boss (@boss) · 主管');
    expect(status).toContain('Builder (@coder) · 成员 · claude');
    expect(status).not.toMatch(/\b(active|foreman|peer)\b/);
    expect(w.replies[1]!.message).toMatchObject({ kind: 'markdown', title: '目标与任务' });
    expect(context).toBe(['**目标**: Ship it', '**当前重点**: tests', '', '**任务**', '- Write tests · 进行中 · @coder'].join('\n'));
  });

  it('/subscribe answers in the chat’s language, its preview too', async () => {
    const w = world({ lang: 'zh', authorized: false });
    await w.handler.handle(message('/subscribe'));
    expect(w.replies[0]!.message).toMatchObject({ kind: 'markdown', title: '订阅申请' });
  });

  it('/context shows the objective, focus and tasks', async () => {
    const w = world();
    await w.handler.handle(message('/context'));
    expect(w.replies[0]!.message).toMatchObject({ kind: 'markdown', title: 'Objective and tasks' });
    expect(w.texts()[0]).toBe(['**Objective**: Ship it', '**Focus**: tests', '', '**Tasks**', '- Write tests · active · @coder'].join('\n'));
  });

  it('/subscribe in an authorized chat: already subscribed, or subscribed again', async () => {
    const on = world({ flags: { subscribed: true, verbose: false, paused: false } });
    await on.handler.handle(message('/subscribe'));
    expect(on.texts()).toEqual([t.alreadySubscribed()]);
    expect(on.updates).toEqual([]);
    const off = world({ flags: { subscribed: false, verbose: false, paused: false } });
    await off.handler.handle(message('/subscribe'));
    expect(off.updates).toEqual([{ subscribed: true, chatTitle: 'Dev team' }]);
    expect(off.texts()).toEqual([t.resubscribed()]);
    expect(off.pending).toEqual([]);
  });

  it('/unsubscribe revokes the chat in CCCC', async () => {
    const w = world();
    await w.handler.handle(message('/unsubscribe'));
    expect(w.calls).toEqual([`group.revoke ${CHAT}`]);
    expect(w.texts()).toEqual([t.unsubscribed()]);
  });

  it('/pause pauses once; /resume unpauses, says how many are held, then releases them', async () => {
    const w = world({ flags: { subscribed: true, verbose: false, paused: false } });
    await w.handler.handle(message('/pause'));
    await w.handler.handle(message('/pause'));
    expect(w.updates).toEqual([{ paused: true }]);
    expect(w.texts()).toEqual([t.paused(), t.alreadyPaused()]);
    // A paused chat still talks to the agents: pausing holds only what comes back, and the person hears so.
    await w.handler.handle(message('still working?'));
    expect(w.delivered.map((d) => d.send.text)).toEqual(['still working?']);
    expect(w.texts().at(-1)).toBe(t.pausedHeld());
    await w.handler.handle(message('/resume'));
    expect(w.flags()?.paused).toBe(false);
    expect(w.texts().at(-1)).toBe(t.resumed(4));
    // The confirmation is queued before the held messages are released.
    expect(w.calls).toEqual([`releaseHeld ${CHAT} after 4 replies`]);
    // Delivering again: no word about pausing.
    await w.handler.handle(message('thanks'));
    expect(w.texts()).toHaveLength(4);
  });

  it('/verbose toggles, or sets on and off', async () => {
    const w = world({ flags: { subscribed: true, verbose: false, paused: false } });
    await w.handler.handle(message('/verbose'));
    await w.handler.handle(message('/verbose'));
    await w.handler.handle(message('/verbose on'));
    await w.handler.handle(message('/verbose off'));
    expect(w.updates).toEqual([{ verbose: true }, { verbose: false }, { verbose: true }, { verbose: false }]);
    expect(w.texts()).toEqual([t.verbose(true), t.verbose(false), t.verbose(true), t.verbose(false)]);
  });

  it('/launch and /quit start and stop the agents', async () => {
    const w = world();
    await w.handler.handle(message('/launch'));
    await w.handler.handle(message('/quit'));
    expect(w.calls).toEqual(['group.start', 'group.stop']);
    expect(w.texts()).toEqual([t.launched(['boss', 'coder']), t.quit(['boss'])]);
  });

  it('an unknown command is named back; nothing reaches CCCC', async () => {
    const w = world();
    await w.handler.handle(message('/deploy now'));
    expect(w.texts()).toEqual([t.unknownCommand('/deploy')]);
    expect(w.delivered).toEqual([]);
  });

  it('a failing command becomes a reply with the problem, not a rejection', async () => {
    const w = world({
      group: { start: () => Promise.reject(new BridgeError({ code: 'cccc.not_running', message: 'CCCC is not running', hint: 'Start it', retryable: true })) },
    });
    await expect(w.handler.handle(message('/launch'))).resolves.toBeUndefined();
    expect(w.texts()).toEqual([t.error('CCCC is not running — Start it')]);
  });
});
