/**
 * The sandbox and the demo agents with the real bridge engine in between, without a browser:
 * what people say in the sandbox's chats reaches CCCC the way DingTalk would deliver it, and
 * what the scripted agents answer comes back to the right chat — every feature of the guide.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from '../../../electron/core/bridge/bridge';
import { DEFAULT_SETTINGS } from '../../../electron/core/bridge/settings';
import { memoryLogger } from '../../../electron/core/log/logger';
import { DEMO_ACTORS, startDemoAgents, type DemoAgents } from '../../../electron/sandbox/cccc/demo-agents';
import { FakeCcccDaemon } from '../../../electron/sandbox/cccc/daemon';
import type { LedgerEvent } from '../../../electron/sandbox/cccc/ledger';
import type { ChatMessage, MessageBody } from '../../../electron/sandbox/chat/protocol';
import { startSandbox, type Sandbox } from '../../../electron/sandbox/index';
import { expectQuietFor, waitFor } from '../../helpers/wait';

interface World {
  sandbox: Sandbox;
  cccc: FakeCcccDaemon;
  agents: DemoAgents;
  bridge: Bridge;
  groupId: string;
  stateDir: string;
}

let w: World | undefined;

afterEach(async () => {
  if (!w) return;
  await w.bridge.stop();
  w.agents.close();
  await w.cccc.close();
  await w.sandbox.close();
  await rm(w.stateDir, { recursive: true, force: true });
  w = undefined;
});

async function start(): Promise<World> {
  const sandbox = await startSandbox({ dingtalk: { qpsLimit: 1000, webhookPerMinuteLimit: 0 } });
  const cccc = await FakeCcccDaemon.start();
  const groupId = await cccc.createGroup({ title: 'CCCC 演示项目', actors: DEMO_ACTORS });
  const agents = startDemoAgents(cccc, { groupId, thinkMs: 40 });
  const stateDir = await mkdtemp(join(tmpdir(), 'sandbox-bridge-'));
  const app = sandbox.app;
  const bridge = new Bridge(
    {
      groupId,
      ccccHome: cccc.home,
      stateDir,
      credentials: { appKey: app.appKey, appSecret: app.appSecret, robotCode: app.robotCode },
      endpoints: { apiBase: sandbox.dingtalk.apiBase, oapiBase: sandbox.dingtalk.oapiBase },
      settings: { ...DEFAULT_SETTINGS },
    },
    { logger: memoryLogger('sandbox-e2e', () => [app.appSecret]), secrets: () => [app.appSecret], ledgerPollMs: 100, daemonPollMs: 200 },
  );
  await bridge.start();
  await waitFor(() => bridge.status().dingtalk.status === 'connected', 'bridge connected');
  w = { sandbox, cccc, agents, bridge, groupId, stateDir };
  return w;
}

function shown(b: MessageBody): string {
  switch (b.type) {
    case 'text':
      return b.text;
    case 'markdown':
    case 'actionCard':
    case 'card':
      return b.text;
    case 'link':
      return `${b.title} ${b.text}`;
    case 'feedCard':
      return b.links.map((l) => l.title).join(' ');
    case 'buttonCard':
      return `${b.markdown} ${b.note}`;
    case 'image':
    case 'file':
      return b.name;
    case 'unsupported':
      return b.what;
  }
}

async function ledger(): Promise<LedgerEvent[]> {
  const text = await readFile(join(w!.cccc.groupDir(), 'ledger.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LedgerEvent);
}

const robotIn = (chatId: string): ChatMessage[] => w!.sandbox.room.history().filter((m) => m.chatId === chatId && m.from.kind === 'robot');

function robotSays(chatId: string, text: string | RegExp, after = 0): Promise<ChatMessage> {
  const match = (s: string): boolean => (typeof text === 'string' ? s.includes(text) : text.test(s));
  return waitFor(
    () =>
      robotIn(chatId)
        .slice(after)
        .find((m) => match(shown(m.body))),
    `robot says ${String(text)} in ${chatId}`,
    10_000,
  );
}

async function subscribe(chatId: string, staffId = 'zhangsan'): Promise<void> {
  const room = w!.sandbox.room;
  room.say(chatId, staffId, chatId === 'group' ? `@${room.robotName} /subscribe` : '/subscribe');
  await robotSays(chatId, '订阅申请已创建');
  const pending = await waitFor(async () => (await w!.bridge.inspect()).pending.find((p) => p.key), 'pending request');
  await w!.bridge.approve(pending.key);
  await robotSays(chatId, '订阅已批准');
}

describe('sandbox + bridge + demo agents', () => {
  it('in the group: only messages that @ the robot reach it; the foreman plans and reports; /verbose, /send @peer and @all', async () => {
    const { sandbox } = await start();
    const room = sandbox.room;
    const robot = `@${room.robotName}`;

    const unheard = room.say('group', 'alice', '大家好 @张三');
    expect(unheard).toMatchObject({ toRobot: false, mentions: ['zhangsan'] });
    await subscribe('group');
    expect((await ledger()).some((e) => String(e.data['text'] ?? '').includes('大家好'))).toBe(false);

    let seen = robotIn('group').length;
    const reactions: (string | undefined)[] = [];
    const off = room.onEvent((e) => e.type === 'update' && reactions.push(e.message.reaction));
    const asking = room.say('group', 'alice', `${robot} 帮我检查一下登录页的代码`);
    const plan = await robotSays('group', '我的计划', seen);
    // 🤔 on Alice's message while the agents work, taken off when one answers.
    await waitFor(() => reactions.length >= 2, 'the reaction put on and taken off');
    off();
    expect(reactions.slice(0, 2)).toEqual(['🤔思考中', undefined]);
    expect(room.history().find((m) => m.id === asking.id)?.reaction).toBeUndefined();
    // DingTalk took the robot's @ out of the text; CCCC got the rest exactly, and who said it.
    const asked = (await ledger()).find((e) => e.by === 'user' && String(e.data['text']).includes('登录页'));
    expect(asked?.data).toMatchObject({ text: '帮我检查一下登录页的代码', to: ['@foreman'], source_user_name: 'Alice', source_user_id: 'alice' });
    expect(plan.body.type).toBe('markdown');
    // Replies in a group @-mention the person who asked (session webhook `at`).
    expect(plan.mentions).toEqual(['alice']);
    await robotSays('group', '一切正常', seen);
    // Not verbose: what the agents say to each other stays out.
    expect(robotIn('group').some((m) => shown(m.body).includes('帮我看看这个'))).toBe(false);

    seen = robotIn('group').length;
    room.say('group', 'zhangsan', '/verbose', { command: true });
    await robotSays('group', '详细模式已开启', seen);
    room.say('group', 'zhangsan', `${robot} 再看一下注册页`);
    await robotSays('group', /Foreman → @Peer.*帮我看看这个/s, seen);
    await robotSays('group', /Peer → @Foreman.*测试 15\/15/s, seen);

    seen = robotIn('group').length;
    room.say('group', 'bob', `${robot} /send @peer 你好`);
    const echo = await robotSays('group', '我是 peer', seen);
    expect(shown(echo.body)).toContain('「好你」');

    seen = robotIn('group').length;
    room.say('group', 'bob', `${robot} /send @all 今天的进度如何？`);
    await robotSays('group', 'foreman 收到', seen);
    await robotSays('group', 'peer 收到', seen);
  });

  it('/pause holds the agents’ answers and /resume delivers them; /status and /help answer in DingTalk Markdown', async () => {
    const { sandbox } = await start();
    const room = sandbox.room;
    await subscribe('single:bob', 'bob');
    let seen = robotIn('single:bob').length;
    room.say('single:bob', 'bob', '/pause');
    await robotSays('single:bob', '已暂停推送', seen);
    seen = robotIn('single:bob').length;
    room.say('single:bob', 'bob', '在暂停的时候发一条');
    // The message is acknowledged: the agents get it, their answers wait for /resume.
    await robotSays('single:bob', '它们的回复会暂存', seen);
    seen = robotIn('single:bob').length;
    // The agents answer into the ledger as usual; nothing of it reaches the paused chat.
    await waitFor(
      async () => (await ledger()).find((e) => e.by === 'foreman' && String(e.data['text']).includes('一切正常')),
      'the foreman’s last word in the ledger',
    );
    await waitFor(
      async () => (await readFile(join(w!.stateDir, 'held.jsonl'), 'utf8').catch(() => '')).includes('一切正常'),
      'the foreman’s last word kept back (held journal)',
    );
    await expectQuietFor(300, 'nothing reaches the paused chat', () => robotIn('single:bob').slice(seen).length === 0);
    expect(
      robotIn('single:bob')
        .slice(seen)
        .map((m) => shown(m.body)),
    ).toEqual([]);
    room.say('single:bob', 'bob', '/resume');
    await robotSays('single:bob', /已恢复推送，暂停期间有 \d+ 条消息/, seen);
    await robotSays('single:bob', '我的计划', seen);

    seen = robotIn('single:bob').length;
    room.say('single:bob', 'bob', '/status');
    const status = await robotSays('single:bob', 'Foreman (@foreman)', seen);
    expect(status.body.type).toBe('markdown');
    expect(shown(status.body)).toContain('demo-script');
    room.say('single:bob', 'bob', '/help');
    const help = await robotSays('single:bob', 'CCCC 命令', seen);
    expect(shown(help.body)).toContain('[/status](dtmd://dingtalkclient/sendMessage?content=%2Fstatus)');
  });

  it('files both ways: a file in the single chat comes back reviewed, a picture in the group gets a chart, a file in the group is refused', async () => {
    const { sandbox } = await start();
    const room = sandbox.room;
    await subscribe('single:zhangsan');
    const seen = robotIn('single:zhangsan').length;
    const mine = room.upload('single:zhangsan', 'zhangsan', 'notes.txt', Buffer.from('第一行\n第二行\n'));
    expect(mine.body).toMatchObject({ type: 'file', name: 'notes.txt', size: 20 });
    await robotSays('single:zhangsan', '收到文件「notes.txt」', seen);
    const back = await robotSays('single:zhangsan', 'review-notes.pdf', seen);
    expect(back.body.type).toBe('file');
    const href = (back.body as Extract<MessageBody, { type: 'file' }>).href;
    const res = await fetch(new URL(href, sandbox.chatUrl));
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    // What the bridge handed CCCC is what the person sent.
    const inLedger = await waitFor(
      async () =>
        (await ledger()).find(
          (e) => e.kind === 'chat.message' && e.by === 'user' && Array.isArray(e.data['attachments']) && (e.data['attachments'] as unknown[]).length > 0,
        ),
      'file in the ledger',
    );
    expect(inLedger.data['source_user_name']).toBe('张三');

    expect(() => room.upload('group', 'zhangsan', 'notes.txt', Buffer.from('x'))).toThrow(/单聊/);
    await subscribe('group');
    const groupSeen = robotIn('group').length;
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000002000000030806000000', 'hex');
    room.upload('group', 'zhangsan', 'screen.png', png);
    await robotSays('group', '收到图片「', groupSeen);
    const chart = await robotSays('group', 'progress-chart.png', groupSeen);
    expect(chart.body.type).toBe('image');
  });
});
