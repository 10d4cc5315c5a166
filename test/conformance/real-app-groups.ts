/**
 * One DingTalk app serving two CCCC groups, end to end against a REAL CCCC daemon (and the fake
 * DingTalk), run by hand — CI has no CCCC source:
 *
 *   CCCC_SRC=/path/to/cccc/src npx tsx test/conformance/real-app-groups.ts
 *
 * Two real groups behind one robot (built as hosts build it, served-groups.ts): `/subscribe`
 * offers both → a chat in each asks for its group by title → each request is in that group's
 * IM state only, and is approved with CCCC's own `cccc im bind` → each chat is authorized in its
 * group only → an agent message from each group reaches only its chat, a person's message only
 * its group's ledger → `/groups` marks the chat's own. Prints each step; exits 1 on the first
 * step that does not hold (docs/architecture.md §1, docs/cccc-contract.md §5).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { subscribeLink } from '../../electron/core/bridge/group-choice';
import { makeEngine, type BridgeEngine } from '../../electron/core/bridge/served-groups';
import { DEFAULT_SETTINGS } from '../../electron/core/bridge/settings';
import { textOf } from '../e2e/harness';
import { startFakeDingTalk } from '../fakes/dingtalk';
import { expectQuietFor } from '../helpers/wait';
import { ccccCli, createDemoGroup, request, resultOf, startReal, step, stopReal, until } from './real-daemon';

const src = process.env['CCCC_SRC'];
if (!src) {
  process.stderr.write('Set CCCC_SRC to the src folder of a CCCC checkout.\n');
  process.exit(2);
}

const ALICE = { senderStaffId: 'staff-alice', senderNick: 'Alice', senderId: '$:LWCP_v1:$alice', isAdmin: true };
const began = performance.now();
const root = await mkdtemp(path.join(tmpdir(), 'real-app-groups-'));
const { home, proc, call } = await startReal(src, root, 'unix');
const dt = await startFakeDingTalk({ qpsLimit: 1000 });
let engine: BridgeEngine | undefined;
try {
  const groups = [
    { title: 'Alpha project', chat: 'cidRealAlpha==', room: 'Alpha room', id: '' },
    { title: 'Beta project', chat: 'cidRealBeta==', room: 'Beta room', id: '' },
  ];
  for (const g of groups) {
    g.id = await createDemoGroup(call, path.join(root, g.title.split(' ')[0]!.toLowerCase()), g.title);
    resultOf(await call(request('group_start', { group_id: g.id, by: 'user' })), 'group_start');
  }
  const [alpha, beta] = groups as [(typeof groups)[number], (typeof groups)[number]];
  const other = (g: typeof alpha) => (g === alpha ? beta : alpha);
  step('two real CCCC groups', groups.map((g) => `${g.title} ${g.id}`).join(', '));

  const app = dt.apps[0]!;
  engine = await makeEngine(
    {
      groupId: alpha.id,
      ccccHome: home,
      stateDir: path.join(root, 'bridge-state'),
      credentials: { appKey: app.appKey, appSecret: app.appSecret },
      endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
      settings: { ...DEFAULT_SETTINGS },
    },
    groups.map((g) => g.id),
    { ledgerPollMs: 500 },
  );
  await engine.start();
  await until('the app connected', () => engine!.status().dingtalk.status === 'connected');
  const say = (g: typeof alpha, text: string) => dt.injectMessage({ text, conversationId: g.chat, conversationType: '2', conversationTitle: g.room, ...ALICE });
  const sentTo = (g: typeof alpha): string[] =>
    dt
      .sentMessages()
      .filter((m) => m.conversationId === g.chat)
      .map(textOf);
  const reply = (g: typeof alpha, what: string, re: RegExp) => until(`${what} in ${g.room}`, () => sentTo(g).find((t) => re.test(t)));
  const list = async (op: string, g: typeof alpha, field: string): Promise<Array<Record<string, unknown>>> =>
    resultOf(await call(request(op, { group_id: g.id })), op)[field] as Array<Record<string, unknown>>;
  const fromPeople = async (g: typeof alpha): Promise<string[]> =>
    (await readFile(path.join(home, 'groups', g.id, 'ledger.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; by: string; data: { text?: string } })
      .filter((e) => e.kind === 'chat.message' && e.by === 'user')
      .map((e) => e.data.text ?? '');

  say(alpha, '/subscribe');
  const choice = await reply(alpha, 'the groups to choose from', /服务多个 CCCC 工作组/);
  for (const g of groups) if (!choice.includes(subscribeLink(g.id))) throw new Error(`the choice does not offer ${g.title}:\n${choice}`);
  step('/subscribe offers both groups, tappable', choice.split('\n')[0]!);

  for (const g of groups) {
    say(g, `/subscribe ${g.title}`);
    const answer = await reply(g, 'the pending key', new RegExp(`cccc im bind --key (\\S+) --group ${g.id}`));
    const key = /--key (\S+)/.exec(answer)![1]!;
    if (!(await list('im_list_pending', g, 'pending')).some((p) => p['key'] === key)) throw new Error(`CCCC does not list ${key} in ${g.title}`);
    if ((await list('im_list_pending', other(g), 'pending')).some((p) => p['key'] === key)) throw new Error(`${key} is in ${other(g).title} too`);
    const bound = await ccccCli(src, home, ['im', 'bind', '--key', key, '--group', g.id]);
    await reply(g, 'the approval seen and confirmed', /订阅已批准/);
    step(`${g.room} asks for ${g.title} by its title; \`cccc im bind\` approves it there`, `${key}; ${bound.trim().replace(/\s+/g, ' ').slice(0, 100)}`);
  }
  for (const g of groups) {
    const authorized = (await list('im_list_authorized', g, 'authorized')).map((a) => a['chat_id']);
    if (JSON.stringify(authorized) !== JSON.stringify([g.chat])) throw new Error(`${g.title} authorizes ${JSON.stringify(authorized)}, not only ${g.chat}`);
  }
  step('each chat is authorized in its own group only (CCCC’s im_list_authorized)');

  for (const g of groups)
    resultOf(await call(request('send', { group_id: g.id, by: 'boss', text: `${g.title}: 进度更新`, to: ['user'], message_mode: 'send' })), 'send');
  for (const g of groups) {
    const heard = await reply(g, 'its group’s agent message', new RegExp(`^\\[${g.title} · Boss\\] ${g.title}: 进度更新`));
    step(`an agent message of ${g.title} reaches ${g.room}`, heard);
  }
  const crossed = (): boolean => groups.some((g) => sentTo(g).some((t) => t.includes(`${other(g).title}: 进度更新`)));
  await expectQuietFor(1_500, 'no agent message in the other group’s chat', () => !crossed()).catch(() => {
    throw new Error('step failed: an agent message reached the other group’s chat');
  });
  step('and only its chat');

  for (const g of groups) say(g, `来自 ${g.room} 的消息`);
  for (const g of groups) await until(`${g.room}'s message in ${g.title}'s ledger`, async () => (await fromPeople(g)).includes(`来自 ${g.room} 的消息`));
  for (const g of groups) if ((await fromPeople(other(g))).includes(`来自 ${g.room} 的消息`)) throw new Error(`${g.room}'s message reached ${other(g).title}`);
  step('a person’s message reaches its chat’s group only');

  say(beta, '/groups');
  const listed = await reply(beta, '/groups', /这个机器人服务的 CCCC 工作组/);
  if (!new RegExp(`Beta project\\]\\(\\S+\\) \`${beta.id}\` ← 本会话`).test(listed))
    throw new Error(`/groups does not mark Beta as the chat's own:\n${listed}`);
  step('/groups marks the chat’s own group');
  process.stdout.write(`All steps passed against the real CCCC daemon in ${((performance.now() - began) / 1000).toFixed(1)} s.\n`);
} catch (err) {
  process.stdout.write(`✗ ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await engine?.stop();
  await dt.close();
  await stopReal(home, proc);
  await rm(root, { recursive: true, force: true });
}
