/**
 * The bridge end to end against a REAL CCCC daemon (and the fake DingTalk), run by hand — CI
 * has no CCCC source:
 *
 *   CCCC_SRC=/path/to/cccc/src npx tsx test/conformance/real-bridge.ts
 *
 * Plays the guide's scenario: a chat approved with `cccc im bind` before the bridge ever ran gets
 * the next agent message → an unsubscribed chat is answered once → /subscribe → approve → text
 * to the foreman (🤔 once CCCC accepted it) → an agent answers → /status → /send @peer →
 * /verbose → /pause, agent messages, /resume → a file in → a long answer → an agent's question
 * answered by quoting it in DingTalk (CCCC's own reply status says replied) → /send to an agent
 * turned off (answered at once) → a paused group (told after a while) → a stopped group (told at
 * once) → /unsubscribe.
 * Prints each step and what CCCC's files and DingTalk's sent messages show; exits 1 on the first
 * step that does not hold. CCCC's main branch is expected (delivery evidence, reply requests).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Bridge } from '../../electron/core/bridge/bridge';
import { DEFAULT_SETTINGS } from '../../electron/core/bridge/settings';
import { startFakeDingTalk, type SentMessage } from '../fakes/dingtalk';
import { expectQuietFor } from '../helpers/wait';
import { ccccCli, createDemoGroup, request, resultOf, startReal, step, stopReal, until } from './real-daemon';

const src = process.env['CCCC_SRC'];
if (!src) {
  process.stderr.write('Set CCCC_SRC to the src folder of a CCCC checkout.\n');
  process.exit(2);
}

const CHAT = 'cidRealGroup==';
/** A group chat whose /subscribe another bridge took, approved with `cccc im bind` before ours ran. */
const BOUND_CHAT = 'cidBoundBefore==';
const STRANGER = 'cidStranger==';
const ALICE = { senderStaffId: 'staff-alice', senderNick: 'Alice', senderId: '$:LWCP_v1:$alice', isAdmin: true };
const textOf = (m: SentMessage): string => String(m.msgParam['content'] ?? m.msgParam['text'] ?? m.msgParam['fileName'] ?? '');

/** CCCC's own per-recipient status of a message (what its Web UI shows: replied, cancelled, delivery). */
function obligationStatus(home: string, groupId: string, eventId: string): Record<string, { replied: boolean; reply_requested: boolean; cancelled: boolean }> {
  const script = [
    'import json, sys',
    'from cccc.kernel.group import load_group',
    'from cccc.kernel.inbox import find_event, get_obligation_status_batch',
    'g = load_group(sys.argv[1]); ev = find_event(g, sys.argv[2])',
    "print(json.dumps(get_obligation_status_batch(g, [ev]).get(ev['id'], {})))",
  ].join('\n');
  const out = execFileSync(process.env['PYTHON'] ?? 'python3', ['-c', script, groupId, eventId], { env: { ...process.env, CCCC_HOME: home, PYTHONPATH: src } });
  return JSON.parse(out.toString('utf8')) as Record<string, { replied: boolean; reply_requested: boolean; cancelled: boolean }>;
}

const root = await mkdtemp(path.join(tmpdir(), 'real-bridge-'));
const { home, proc, call } = await startReal(src, root, 'unix');
const dt = await startFakeDingTalk({ qpsLimit: 1000 });
let bridge: Bridge | undefined;
try {
  const scope = path.join(root, 'project');
  const G = await createDemoGroup(call, scope, 'Real demo');
  resultOf(await call(request('group_start', { group_id: G, by: 'user' })), 'group_start');
  const speak = async (by: string, text: string, to: string[] = ['user']): Promise<Record<string, unknown>> =>
    resultOf(await call(request('send', { group_id: G, by, text, to, message_mode: 'send' })), 'send')['event'] as Record<string, unknown>;
  const ledger = async (): Promise<Array<Record<string, unknown>>> =>
    (await readFile(path.join(home, 'groups', G, 'ledger.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const fromUser = async (): Promise<Array<Record<string, unknown>>> => (await ledger()).filter((e) => e['kind'] === 'chat.message' && e['by'] === 'user');
  const cursorPath = path.join(root, 'bridge-state', 'ledger-cursor.json');
  /** The bridge routed `event` (its ledger cursor passed it) and has nothing left to send: what it sent for it, it sent. */
  const settled = (event: Record<string, unknown>): Promise<true> =>
    until(`the bridge to route ${String(event['id'])} and send everything`, async () => {
      const cursor = JSON.parse(await readFile(cursorPath, 'utf8').catch(() => '{}')) as { lastEventTs?: string | null };
      return (cursor.lastEventTs ?? '') >= String(event['ts']) && bridge!.status().outboxDepth === 0;
    });

  // Another bridge took this chat's /subscribe (its pending key, as CCCC's bridge writes it) and
  // someone ran `cccc im bind` — all before this bridge ever ran.
  const stateDir = path.join(home, 'groups', G, 'state');
  await mkdir(stateDir, { recursive: true });
  const boundKey = 'kBoundBefore1';
  await writeFile(
    path.join(stateDir, 'im_pending_keys.json'),
    JSON.stringify({ [boundKey]: { chat_id: BOUND_CHAT, thread_id: 0, platform: 'dingtalk', created_at: Date.now() / 1000 } }),
  );
  const bound = await ccccCli(src, home, ['im', 'bind', '--key', boundKey, '--group', G]);
  process.stdout.write(`  (cccc im bind: ${bound.trim().replace(/\s+/g, ' ').slice(0, 160)})\n`);

  const app = dt.apps[0]!;
  bridge = new Bridge(
    {
      groupId: G,
      ccccHome: home,
      stateDir: path.join(root, 'bridge-state'),
      credentials: { appKey: app.appKey, appSecret: app.appSecret },
      endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
      settings: { ...DEFAULT_SETTINGS },
    },
    // Tell the person soon when nobody picks a message up (the paused group below).
    { ledgerPollMs: 500, delivery: { pickupTimeoutMs: 5_000 } },
  );
  await bridge.start();
  await until('bridge connected', () => bridge!.status().dingtalk.status === 'connected');
  const say = (text: string, extra: Record<string, unknown> = {}) =>
    dt.injectMessage({ text, conversationId: CHAT, conversationType: '2', conversationTitle: 'Dev team', ...ALICE, ...extra });
  const reply = (what: string, re: RegExp) => until(what, () => dt.sentMessages().find((m) => re.test(textOf(m))));
  // CCCC's main branch writes delivery evidence and has reply requests; 0.4.35rc1 (same version) has neither.
  const mainBranch = ((await call(request('inbox_peek', {}))) as { error?: { code?: string } }).error?.code !== 'unknown_op';
  step(
    'which CCCC',
    mainBranch ? 'main branch (inbox_peek known)' : '0.4.35rc1 or older (inbox_peek: unknown_op) — its steps without delivery evidence and reply requests',
  );

  await speak('boss', 'good morning, everyone subscribed');
  const reached = await until('the agent message in the chat bound before the bridge ran', () =>
    dt.sentMessages().find((m) => m.conversationId === BOUND_CHAT && textOf(m).includes('good morning')),
  );
  step('a chat approved with `cccc im bind` before the bridge ever ran gets the next agent message', `${reached.via}: ${textOf(reached)}`);

  dt.clearSent();
  const stranger = (text: string) => dt.injectMessage({ text, conversationId: STRANGER, conversationType: '2', conversationTitle: 'Strangers', ...ALICE });
  stranger('hello?');
  const hint = await until('the answer to an unsubscribed chat', () => dt.sentMessages().find((m) => m.conversationId === STRANGER || m.via === 'webhook'));
  if (!textOf(hint).includes('/subscribe')) throw new Error(`the answer does not say how to subscribe: ${textOf(hint)}`);
  stranger('anyone there?');
  stranger('/status');
  try {
    await expectQuietFor(1_500, 'no second answer', () => dt.sentMessages().length === 1);
  } catch {
    throw new Error(`step failed: an unsubscribed chat was answered ${dt.sentMessages().length} times`);
  }
  if ((await fromUser()).length > 0) throw new Error('a message from an unsubscribed chat reached CCCC');
  step('an unsubscribed chat is answered once, with /subscribe, and nothing reaches CCCC', textOf(hint).split('\n')[0]!);
  dt.clearSent();

  say('/subscribe');
  const pending = await reply('pending reply', /cccc im bind --key (\S+)/);
  const key = /--key (\S+)/.exec(textOf(pending))![1]!;
  const listed = resultOf(await call(request('im_list_pending', { group_id: G })), 'im_list_pending')['pending'] as Array<{ key: string }>;
  if (!listed.some((p) => p.key === key)) throw new Error('CCCC does not list our pending key');
  step('/subscribe creates a pending key CCCC lists', key);
  await bridge.approve(key);
  await reply('approval confirmation', /订阅已批准/);
  const subs = JSON.parse(await readFile(path.join(home, 'groups', G, 'state', 'im_subscribers.json'), 'utf8')) as Record<string, { subscribed: boolean }>;
  if (!subs[CHAT]?.subscribed) throw new Error('CCCC did not subscribe the chat');
  step('approve (im_bind_chat) authorizes and subscribes; the chat is told');

  const body = '请检查一下代码质量\n\n```ts\n  const x = 1;\n```';
  say(body);
  const asked = await until('text in the ledger', async () => (await fromUser()).find((e) => (e['data'] as { text: string }).text === body));
  step('plain text reaches the foreman byte-exact', JSON.stringify((asked['data'] as { to: unknown }).to));
  const deliveryOf = async (eventId: unknown): Promise<string[]> =>
    (await ledger())
      .filter((e) => e['kind'] === 'runtime.delivery' && (e['data'] as { source_event_id?: unknown }).source_event_id === eventId)
      .map((e) => `${String((e['data'] as { actor_id: string }).actor_id)}:${String((e['data'] as { state: string }).state)}`);
  const askedMsgId = dt.deliveries().at(-1)!.msgId;
  if (mainBranch) await until('CCCC to accept it for the foreman', async () => (await deliveryOf(asked['id'])).includes('boss:accepted'));
  await until('🤔 on the message', () => dt.emotions().some((r) => r.action === 'reply' && r.body['openMsgId'] === askedMsgId));
  step('🤔 once CCCC has it', mainBranch ? `after ${(await deliveryOf(asked['id'])).join(' → ')}` : 'no delivery evidence: at once');

  dt.clearSent();
  await speak('boss', '检查完了，没有问题。');
  await reply('agent answer', /^\[Boss\] 检查完了/);
  step('an agent answer comes back with its title', textOf(dt.sentMessages()[0]!));

  say('/status');
  const status = await reply('/status', /Real demo/);
  if (!textOf(status).includes('🟢 运行中')) throw new Error(`/status does not show running:\n${textOf(status)}`);
  step('/status shows the group running and its actors');

  say('/send @Code Helper please review');
  say('/send @helper please review');
  await until('/send @helper in ledger', async () => (await fromUser()).find((e) => JSON.stringify((e['data'] as { to: string[] }).to) === '["helper"]'));
  step('/send @helper addresses the peer');

  dt.clearSent();
  await settled(await speak('boss', 'note for helper', ['helper']));
  if (dt.sentMessages().some((m) => textOf(m).includes('note for helper'))) throw new Error('agent-to-agent message sent without /verbose');
  say('/verbose');
  await reply('/verbose', /详细模式已开启/);
  await speak('boss', 'second note for helper', ['helper']);
  await reply('verbose delivery', /Boss → @Code Helper\] second note/);
  step('/verbose adds agent-to-agent traffic');

  say('/pause');
  await reply('/pause', /已暂停推送/);
  dt.clearSent();
  await speak('boss', 'held one');
  await settled(await speak('boss', 'held two'));
  // (The chat bound before the bridge ran is not paused: it gets them.)
  if (dt.sentMessages().some((m) => m.conversationId !== BOUND_CHAT && textOf(m).includes('held'))) throw new Error('paused chat got messages');
  say('/resume');
  await reply('held messages after /resume', /held two/);
  step(
    '/pause holds, /resume delivers what was held',
    dt
      .sentMessages()
      .map(textOf)
      .filter((t) => t.includes('held') || t.includes('恢复'))
      .join(' | '),
  );

  dt.injectMessage({ ...ALICE, conversationId: CHAT, conversationType: '2', file: { content: Buffer.from('%PDF-1.4 real'), fileName: 'spec.pdf' } });
  const withFile = await until('file in ledger', async () =>
    (await fromUser()).find((e) => ((e['data'] as { attachments: unknown[] }).attachments ?? []).length > 0),
  );
  step('a DingTalk file lands in CCCC as an attachment', JSON.stringify((withFile['data'] as { attachments: unknown[] }).attachments[0]));

  dt.clearSent();
  const long = Array.from({ length: 200 }, (_, i) => `第 ${i} 行：${'结果'.repeat(20)}`).join('\n');
  await speak('boss', long);
  await until('long answer in chunks', () => dt.sentMessages().filter((m) => textOf(m).startsWith('[Boss (')).length >= 3);
  step('a long answer arrives in numbered chunks', `${dt.sentMessages().length} messages`);

  if (mainBranch) {
    dt.clearSent();
    const question = resultOf(
      await call(request('send', { group_id: G, by: 'boss', text: '可以部署到预发环境吗？', to: ['user'], message_mode: 'request_reply' })),
      'send request_reply',
    )['event'] as Record<string, unknown>;
    const card = await reply('the question marked as needing a reply', /需要你回复/);
    step('an agent’s question shows as needing a reply', `${card.msgKey}: ${textOf(card).split('\n')[0]!}`);
    say('可以，部署吧', { quote: card });
    const answer = await until('the quoted answer in the ledger', async () =>
      (await fromUser()).find((e) => (e['data'] as { reply_to?: unknown }).reply_to === question['id']),
    );
    const replied = await until('CCCC to show the question replied', () => {
      const status = obligationStatus(home, G, String(question['id']));
      return status['user']?.replied ? status : undefined;
    });
    step(
      'quoting it in DingTalk answers it: CCCC shows it replied',
      `to ${JSON.stringify((answer['data'] as { to: unknown }).to)}, ${JSON.stringify(replied)}`,
    );

    resultOf(await call(request('actor_stop', { group_id: G, actor_id: 'helper', by: 'user' })), 'actor_stop');
    dt.clearSent();
    say('/send @helper 你还在吗？');
    const toOff = await until('the message to the stopped agent in the ledger', async () =>
      (await fromUser()).find((e) => (e['data'] as { text: string }).text === '你还在吗？'),
    );
    const told = await reply('an answer at once about the agent turned off', /@helper 在 CCCC 中已关闭/);
    step('a /send to an agent turned off is answered at once', `${textOf(told).slice(0, 40)}…; delivery: ${JSON.stringify(await deliveryOf(toOff['id']))}`);

    resultOf(await call(request('group_set_state', { group_id: G, state: 'paused', by: 'user' })), 'group_set_state');
    dt.clearSent();
    say('暂停了吗？');
    const whilePaused = await until('the message to the paused group in the ledger', async () =>
      (await fromUser()).find((e) => (e['data'] as { text: string }).text === '暂停了吗？'),
    );
    const paused = await reply('a word about the paused group once nobody picked it up', /处于暂停状态/);
    step(
      'a paused group only claims: the person hears why after a while',
      `delivery: ${JSON.stringify(await deliveryOf(whilePaused['id']))}; ${textOf(paused).slice(0, 30)}…`,
    );

    resultOf(await call(request('group_stop', { group_id: G, by: 'user' })), 'group_stop');
    dt.clearSent();
    say('有人吗？');
    await until('the message to the stopped group in the ledger', async () =>
      (await fromUser()).find((e) => (e['data'] as { text: string }).text === '有人吗？'),
    );
    const stopped = await reply('an answer at once about the stopped group', /工作组已停止/);
    step('a message to a stopped group is answered at once', `${textOf(stopped).slice(0, 30)}…`);
  }

  say('/unsubscribe');
  await reply('/unsubscribe', /已取消订阅/);
  const authorized = resultOf(await call(request('im_list_authorized', { group_id: G })), 'im_list_authorized')['authorized'] as Array<{ chat_id: string }>;
  if (authorized.some((a) => a.chat_id === CHAT)) throw new Error('chat still authorized after /unsubscribe');
  step('/unsubscribe revokes in CCCC');
  process.stdout.write('All steps passed against the real CCCC daemon.\n');
} catch (err) {
  process.stdout.write(`✗ ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await bridge?.stop();
  await dt.close();
  await stopReal(home, proc);
  await rm(root, { recursive: true, force: true });
}
