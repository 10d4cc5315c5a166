/**
 * The bridge end to end against a REAL CCCC daemon (and the fake DingTalk), run by hand — CI
 * has no CCCC source:
 *
 *   CCCC_SRC=/path/to/cccc/src npx tsx test/conformance/real-bridge.ts
 *
 * Plays the guide's scenario: /subscribe → approve → text to the foreman → an agent answers →
 * /status → /send @peer → /verbose → /pause, agent messages, /resume → a file in → a long answer
 * → /unsubscribe. Prints each step and what CCCC's files and DingTalk's sent messages show;
 * exits 1 on the first step that does not hold.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Bridge } from '../../electron/core/bridge/bridge';
import { DEFAULT_SETTINGS } from '../../electron/core/bridge/settings';
import { startFakeDingTalk, type SentMessage } from '../fakes/dingtalk';
import { waitFor } from '../helpers/wait';
import { createDemoGroup, request, resultOf, startReal, stopReal } from './real-daemon';

const src = process.env['CCCC_SRC'];
if (!src) {
  process.stderr.write('Set CCCC_SRC to the src folder of a CCCC checkout.\n');
  process.exit(2);
}

const CHAT = 'cidRealGroup==';
const ALICE = { senderStaffId: 'staff-alice', senderNick: 'Alice', senderId: '$:LWCP_v1:$alice', isAdmin: true };
const textOf = (m: SentMessage): string => String(m.msgParam['content'] ?? m.msgParam['text'] ?? m.msgParam['fileName'] ?? '');

async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  try {
    return (await waitFor(check, what, timeoutMs, 50)) as T;
  } catch {
    throw new Error(`step failed: ${what}`);
  }
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
    { ledgerPollMs: 500 },
  );
  await bridge.start();
  await until('bridge connected', () => bridge!.status().dingtalk.status === 'connected');
  const say = (text: string, extra: Record<string, unknown> = {}) =>
    dt.injectMessage({ text, conversationId: CHAT, conversationType: '2', conversationTitle: 'Dev team', ...ALICE, ...extra });
  const reply = (what: string, re: RegExp) => until(what, () => dt.sentMessages().find((m) => re.test(textOf(m))));
  const step = (name: string, detail = ''): void => void process.stdout.write(`✓ ${name}${detail ? ` — ${detail}` : ''}\n`);

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
  if (dt.sentMessages().some((m) => textOf(m).includes('held'))) throw new Error('paused chat got messages');
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
