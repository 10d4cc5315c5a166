import type { EventEmitter } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppBridge, type AppBridgeConfig } from '../../electron/core/bridge/app-bridge';
import type { BridgeServices } from '../../electron/core/bridge/bridge';
import type { Problem } from '../../electron/core/errors';
import { BUTTON_CARDS_FILE } from '../../electron/core/bridge/cards/card-registry';
import { CARD_PERMISSIONS_FILE } from '../../electron/core/bridge/cards/card-permissions';
import { GONE_NOTICES_FILE } from '../../electron/core/bridge/gone-notices';
import { parkedDir } from '../../electron/core/bridge/group-state';
import { groupDiscovery } from '../../electron/core/bridge/served-groups';
import { groupLockDir, InstanceLock, lockHolder } from '../../electron/core/config/instance-lock';
import { DEFAULT_SETTINGS, type BridgeSettings } from '../../electron/core/bridge/settings';
import { BUTTON_CARD_TEXTS } from '../../electron/core/i18n/button-cards';
import { REPLIES } from '../../electron/core/i18n/replies';
import { memoryLogger } from '../../electron/core/log/logger';
import { CARD_CALLBACK_TOPIC, cardButtons, startFakeDingTalk, type FakeCard, type FakeDingTalk, type SentMessage } from '../fakes/dingtalk';
import { FakeCcccDaemon } from '../fakes/cccc/daemon';
import type { LedgerEvent } from '../fakes/cccc/ledger';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { kill9, startBridgeChild } from './bridge-child';
import { ALICE, textOf } from './harness';

/** Two chats per group: a group chat and a second group chat. */
const CHATS = { alpha: ['cidAlpha1==', 'cidAlpha2=='], beta: ['cidBeta1==', 'cidBeta2=='] } as const;

interface World {
  dt: FakeDingTalk;
  cccc: FakeCcccDaemon;
  /** A new AppBridge after restart(). */
  app: AppBridge;
  alpha: string;
  beta: string;
  stateDir: string;
  config: AppBridgeConfig;
  say(chat: string, text: string): void;
  sentTo(chat: string): string[];
  reply(chat: string, match: RegExp): Promise<SentMessage>;
  fromPeople(group: string): Promise<string[]>;
  subscribe(chat: string, group: string): Promise<void>;
  /** Stops the app and starts a new one on the same configuration and files. */
  restart(): Promise<void>;
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** `allGroups`: the app takes in the groups created while it runs, as hosts have it do (served-groups.ts). */
async function startWorld(services: BridgeServices = {}, settings: Partial<BridgeSettings> = {}, allGroups = false): Promise<World> {
  const dt = await startFakeDingTalk({ qpsLimit: 1000 });
  const cccc = await FakeCcccDaemon.start();
  const stateDir = await mkdtemp(join(tmpdir(), 'app-groups-'));
  const alpha = await cccc.createGroup({ title: 'Alpha project', actors: ['boss'] });
  const beta = await cccc.createGroup({ title: 'Beta project', actors: ['boss'] });
  const dtApp = dt.apps[0]!;
  const config: AppBridgeConfig = {
    groups: [
      { groupId: alpha, title: 'Alpha project', stateDir },
      { groupId: beta, title: 'Beta project', stateDir: parkedDir(stateDir, { groupId: beta, ccccHome: cccc.home }) },
    ],
    ccccHome: cccc.home,
    stateDir,
    credentials: { appKey: dtApp.appKey, appSecret: dtApp.appSecret, robotCode: dtApp.robotCode },
    endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
    settings: { ...DEFAULT_SETTINGS, replyLanguage: 'en', ...settings },
  };
  if (allGroups) {
    const target = { bridgeId: 'app-groups', groupId: alpha, ccccHome: cccc.home, configHome: stateDir };
    config.discovery = groupDiscovery(target, dtApp.appKey, { ids: [alpha, beta], all: true }, stateDir);
  }
  const log = memoryLogger('app-groups');
  const make = (): AppBridge => new AppBridge(config, { logger: log, ledgerPollMs: 200, daemonPollMs: 200, ...services });
  const app = make();
  cleanup.push(async () => {
    await w.app.stop();
    await dt.close();
    await cccc.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  const w: World = {
    dt,
    cccc,
    app,
    alpha,
    beta,
    stateDir,
    config,
    say: (chat, text) => dt.injectMessage({ text, conversationId: chat, conversationType: '2', conversationTitle: chat, ...ALICE }),
    sentTo: (chat) =>
      dt
        .sentMessages()
        .filter((m) => m.conversationId === chat)
        .map(textOf),
    reply: (chat, match) =>
      waitFor(() => dt.sentMessages().find((m) => m.conversationId === chat && match.test(textOf(m))), `reply ${match} in ${chat}`, 8_000),
    fromPeople: async (group) => (await readLedger(cccc, group)).filter((e) => e.kind === 'chat.message' && e.by === 'user').map((e) => String(e.data['text'])),
    async subscribe(chat, group) {
      w.say(chat, `/subscribe ${group}`);
      await w.reply(chat, /cccc im bind --key/);
      const request = await waitFor(async () => (await w.app.inspect()).pending.find((p) => p.chatId === chat), `pending request of ${chat}`);
      await w.app.approve(request.key);
      await w.reply(chat, /approved/);
    },
    async restart() {
      await w.app.stop();
      w.app = make();
      await w.app.start();
      await waitFor(() => w.app.status().dingtalk.status === 'connected', 'app connected again');
    },
  };
  await app.start();
  await waitFor(() => app.status().dingtalk.status === 'connected', 'app connected');
  return w;
}

async function readLedger(cccc: FakeCcccDaemon, group: string): Promise<LedgerEvent[]> {
  const text = await readFile(join(cccc.groupDir(group), 'ledger.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LedgerEvent);
}

describe('one DingTalk app, two CCCC groups', () => {
  it('probes the card permissions once for the app, not once per group', { timeout: 30_000 }, async () => {
    const w = await startWorld();
    const probes = (): number => w.dt.requests().filter((r) => r.path.startsWith('/v1.0/card/streaming')).length;
    await waitFor(() => readFile(join(w.stateDir, CARD_PERMISSIONS_FILE)).catch(() => undefined), 'the answer remembered');
    await expectQuietFor(300, 'no second probe', () => probes() === 1);
    await w.restart();
    await expectQuietFor(300, 'the remembered answer used', () => probes() === 1);
  });

  it('offers the groups on /subscribe and binds each chat to the group it chose, in that group’s IM state', { timeout: 30_000 }, async () => {
    const w = await startWorld();
    w.say(CHATS.alpha[0], '/subscribe');
    const choice = await w.reply(CHATS.alpha[0], /several CCCC groups/);
    expect(textOf(choice)).toContain(`[Alpha project](dtmd://dingtalkclient/sendMessage?content=%2Fsubscribe%20${w.alpha})`);
    expect(textOf(choice)).toContain(`[Beta project](dtmd://dingtalkclient/sendMessage?content=%2Fsubscribe%20${w.beta})`);
    expect(w.sentTo(CHATS.alpha[0]).some((t) => /cccc im bind/.test(t))).toBe(false);

    // By title: the request is Beta's, as CCCC would keep it (its pending file).
    w.say(CHATS.beta[0], '/subscribe beta project');
    await w.reply(CHATS.beta[0], new RegExp(`cccc im bind --key \\S+ --group ${w.beta}`));
    expect((await w.cccc.imFiles(w.beta).listPending()).map((p) => p['chat_id'])).toContain(CHATS.beta[0]);
    expect((await w.cccc.imFiles(w.alpha).listPending()).map((p) => p['chat_id'])).not.toContain(CHATS.beta[0]);

    w.say(CHATS.alpha[1], '/subscribe nowhere');
    expect(textOf(await w.reply(CHATS.alpha[1], /No group is called "nowhere"/))).toContain('Alpha project');
  });

  it('keeps two chats per group apart, both ways, interleaved: nothing lost, doubled or crossed', { timeout: 60_000 }, async () => {
    const w = await startWorld();
    for (const chat of CHATS.alpha) await w.subscribe(chat, w.alpha);
    for (const chat of CHATS.beta) await w.subscribe(chat, w.beta);
    w.dt.clearSent();

    const N = 6;
    for (let i = 0; i < N; i++) {
      for (const chat of [...CHATS.alpha, ...CHATS.beta]) w.say(chat, `from ${chat} #${i}`);
      await w.cccc.speak('boss', `alpha says ${i}`, { group: w.alpha });
      await w.cccc.speak('boss', `beta says ${i}`, { group: w.beta });
    }
    const fromChat = (texts: string[], chat: string) => texts.filter((t) => t.startsWith(`from ${chat} `));
    await waitFor(async () => (await w.fromPeople(w.alpha)).length === 2 * N && (await w.fromPeople(w.beta)).length === 2 * N, 'every message in its group');
    for (const chat of CHATS.alpha) expect(fromChat(await w.fromPeople(w.alpha), chat)).toEqual([...Array(N).keys()].map((i) => `from ${chat} #${i}`));
    for (const chat of CHATS.beta) expect(fromChat(await w.fromPeople(w.beta), chat)).toEqual([...Array(N).keys()].map((i) => `from ${chat} #${i}`));

    const agents = (chat: string) => w.sentTo(chat).filter((t) => / says \d/.test(t));
    await waitFor(() => [...CHATS.alpha, ...CHATS.beta].every((c) => agents(c).length === N), 'every agent message in each chat');
    await expectQuietFor(300, 'nothing more', () => [...CHATS.alpha, ...CHATS.beta].every((c) => agents(c).length === N));
    for (const chat of CHATS.alpha) expect(agents(chat)).toEqual([...Array(N).keys()].map((i) => `[Alpha project · boss] alpha says ${i}`));
    for (const chat of CHATS.beta) expect(agents(chat)).toEqual([...Array(N).keys()].map((i) => `[Beta project · boss] beta says ${i}`));
  });

  it('moves a chat to another group once that group approved it; /groups marks the chat’s own', { timeout: 30_000 }, async () => {
    const w = await startWorld();
    const chat = CHATS.alpha[0];
    await w.subscribe(chat, w.alpha);
    w.say(chat, '/groups');
    const list = textOf(await w.reply(chat, /groups this robot serves/));
    expect(list).toMatch(new RegExp(`Alpha project\\]\\(\\S+\\) \`${w.alpha}\` ← this chat`));
    expect(list).not.toMatch(/Beta project.*← this chat/);

    w.dt.clearSent();
    await w.subscribe(chat, w.beta);
    await waitFor(async () => !(await w.cccc.imFiles(w.alpha).listAuthorized()).some((a) => a['chat_id'] === chat), 'the chat left Alpha');
    await w.cccc.speak('boss', 'alpha after the move', { group: w.alpha });
    await w.cccc.speak('boss', 'beta after the move', { group: w.beta });
    await w.reply(chat, /beta after the move/);
    await expectQuietFor(500, 'Alpha no longer writes there', () => !w.sentTo(chat).some((t) => t.includes('alpha after the move')));
    w.say(chat, 'hello beta');
    await waitFor(async () => (await w.fromPeople(w.beta)).includes('hello beta'), 'the chat talks to Beta');
    expect(await w.fromPeople(w.alpha)).not.toContain('hello beta');
  });
});

describe('one DingTalk app, two CCCC groups, cards with buttons', () => {
  const ZHANG = 'staff-zhang';
  const c = BUTTON_CARD_TEXTS.en;
  const newCard = (w: World, title: string, seen: readonly string[] = []): Promise<FakeCard> =>
    waitFor(() => w.dt.cardInstances().find((k) => k.params['title'] === title && !seen.includes(k.outTrackId)), `a card "${title}"`, 8_000);
  const card = (w: World, outTrackId: string): FakeCard => w.dt.cardInstance(outTrackId)!;
  const authorized = async (w: World, group: string): Promise<unknown[]> => (await w.cccc.imFiles(group).listAuthorized()).map((a) => a['chat_id']);

  it('/help lists /groups, as text and on its card', { timeout: 30_000 }, async () => {
    const w = await startWorld({}, { buttonCardTemplateId: 'cccc-buttons-test.schema', buttonCards: false });
    const chat = CHATS.beta[0];
    await w.subscribe(chat, w.beta);
    w.say(chat, '/help');
    const text = textOf(await w.reply(chat, /CCCC commands/));
    expect(text).toContain('[/groups](dtmd://dingtalkclient/sendMessage?content=%2Fgroups) — The groups this robot serves');
    w.app.updateSettings({ buttonCards: true });
    w.say(chat, '/help');
    const help = await newCard(w, 'CCCC commands');
    expect(cardButtons(help).map((b) => b.text)).toContain('/groups');
    expect(help.params['markdown']).toContain('/groups');
  });

  it('a press goes to the group whose card it is; a card no group knows is redrawn as expired', { timeout: 30_000 }, async () => {
    const w = await startWorld({}, { buttonCardTemplateId: 'cccc-buttons-test.schema', approvers: [ZHANG] });
    expect(w.dt.connections()[0]?.subscriptions.map((s) => s.topic)).toEqual(['/v1.0/im/bot/messages/get', CARD_CALLBACK_TOPIC]);
    const [alphaChat, betaChat] = [CHATS.alpha[0], CHATS.beta[0]];
    w.say(alphaChat, `/subscribe ${w.alpha}`);
    const alphaCard = await newCard(w, REPLIES.en.titles.subscribe);
    expect(alphaCard.params['markdown']).toContain(`--group ${w.alpha}`);
    w.say(betaChat, '/subscribe Beta project');
    const betaCard = await newCard(w, REPLIES.en.titles.subscribe, [alphaCard.outTrackId]);
    expect(betaCard.params['markdown']).toContain(`--group ${w.beta}`);

    // Beta's card first: Alpha (the first group) must not take it.
    w.dt.pressCardButton(betaCard.outTrackId, { staffId: ZHANG, button: 'approve' });
    await w.reply(betaChat, /approved/);
    w.dt.pressCardButton(alphaCard.outTrackId, { staffId: ZHANG, button: 'approve' });
    await w.reply(alphaChat, /approved/);
    expect(await authorized(w, w.alpha)).toEqual([alphaChat]);
    expect(await authorized(w, w.beta)).toEqual([betaChat]);
    await waitFor(() => card(w, betaCard.outTrackId).params['note'] === c.approvedBy(ZHANG), 'Beta’s card settled');

    // Beta's /status card pauses the chat in Beta's IM state.
    w.say(betaChat, '/status');
    const status = await newCard(w, 'Beta project');
    w.dt.pressCardButton(status.outTrackId, { staffId: ALICE.senderStaffId, button: 'pause' });
    await waitFor(() => card(w, status.outTrackId).params['note'] === c.pausedBy('Alice'), 'paused by the card');
    expect((await w.app.inspect()).chats.find((k) => k.chatId === betaChat)).toMatchObject({ groupId: w.beta, subscription: { paused: true } });

    // Alpha forgot its cards (its registry damaged, and its copy): a press on one is answered as expired.
    await w.app.stop();
    for (const f of [BUTTON_CARDS_FILE, `${BUTTON_CARDS_FILE}.bak`]) await writeFile(join(w.stateDir, f), 'damaged');
    await w.restart();
    w.dt.injectCallback(CARD_CALLBACK_TOPIC, {
      outTrackId: alphaCard.outTrackId,
      userId: ZHANG,
      type: 'actionCallback',
      content: JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { action: 'approve' } } }),
    });
    await waitFor(() => card(w, alphaCard.outTrackId).params['markdown'] === c.expired(), 'the unknown card redrawn as expired');
    expect(cardButtons(card(w, alphaCard.outTrackId))).toEqual([]);
  });
  it('a press right behind a message is handled after it, though the message first looks for its group', { timeout: 30_000 }, async () => {
    const w = await startWorld({}, { buttonCardTemplateId: 'cccc-buttons-test.schema', approvers: [ZHANG] });
    const chat = CHATS.beta[0];
    w.say(chat, '/subscribe Beta project');
    const request = await newCard(w, REPLIES.en.titles.subscribe);
    // 张三 writes for the first time and presses at once; DingTalk sends the two in that order.
    w.dt.injectMessage({
      text: 'I approve',
      conversationId: chat,
      conversationType: '2',
      conversationTitle: chat,
      senderStaffId: ZHANG,
      senderNick: '张三',
      senderId: '$:LWCP_v1:$zhang',
    });
    w.dt.pressCardButton(request.outTrackId, { staffId: ZHANG, button: 'approve' });
    await waitFor(() => card(w, request.outTrackId).params['note'] !== c.approversHint, 'the card redrawn');
    expect(card(w, request.outTrackId).params['note']).toBe(c.approvedBy('张三'));
  });
});

describe('one DingTalk app serving every group of its CCCC', () => {
  it('leaves a new group another bridge of ours holds, says so once, and takes it in once that bridge let it go', { timeout: 30_000 }, async () => {
    const w = await startWorld({ groupCheckMs: 100 }, {}, true);
    await w.app.stop();
    const gamma = await w.cccc.createGroup({ title: 'Gamma project', actors: ['boss'] });
    // Another live process (our test runner's parent) holds Gamma's lock, as a second bridge would.
    const other = await InstanceLock.acquire(
      groupLockDir(w.cccc.home, gamma),
      { bridgeId: 'elsewhere', groupId: gamma, configHome: '/other', startedAt: 1 },
      { pid: process.ppid },
    );
    if (!other.ok) throw new Error('could not take the lock as another process');
    const problems: Problem[] = [];
    w.app.on('problem', (p) => problems.push(p));
    await w.app.start();
    const refusals = () => problems.filter((p) => p.details?.['groupId'] === gamma);
    await waitFor(() => refusals().length === 1 || undefined, 'Gamma refused');
    expect(refusals()[0]).toMatchObject({ code: 'bridge.other_instance_group' });
    expect(refusals()[0]?.message).toContain('"elsewhere"');
    await expectQuietFor(400, 'said once, however many checks', () => refusals().length === 1);
    expect((await w.app.inspect()).groups?.map((g) => g.groupId)).toEqual([w.alpha, w.beta]);
    // The others are served meanwhile.
    await w.subscribe(CHATS.alpha[0], w.alpha);

    await other.lock.release();
    await waitFor(async () => (await w.app.inspect()).groups?.find((g) => g.groupId === gamma && g.state === 'running'), 'Gamma served');
    expect(await lockHolder(groupLockDir(w.cccc.home, gamma), { pid: 0 })).toMatchObject({ bridgeId: 'app-groups', pid: process.pid });
  });

  it('takes in a group created while it runs, under the guards of a start', { timeout: 30_000 }, async () => {
    const w = await startWorld({ groupCheckMs: 100 }, {}, true);
    const problems: Problem[] = [];
    w.app.on('problem', (p) => problems.push(p));
    const gamma = await w.cccc.createGroup({ title: 'Gamma project', actors: ['boss'] });
    // CCCC's own bridge serves this one: refused, said once, never served.
    const delta = await w.cccc.createGroup({
      title: 'Delta project',
      actors: ['boss'],
      im: { platform: 'dingtalk', enabled: true, dingtalk_app_key_env: 'DINGTALK_APP_KEY', dingtalk_app_secret_env: 'DINGTALK_APP_SECRET' },
    });
    await waitFor(async () => (await w.app.inspect()).groups?.find((g) => g.groupId === gamma && g.state === 'running'), 'Gamma served');
    // Held by this process (lockHolder does not count its own pid unless told which is "us").
    const gammaLock = () => lockHolder(groupLockDir(w.cccc.home, gamma), { pid: 0 });
    expect(await gammaLock()).toMatchObject({ bridgeId: 'app-groups', pid: process.pid });

    const chat = 'cidGamma1==';
    await w.subscribe(chat, gamma);
    expect((await w.cccc.imFiles(gamma).listAuthorized()).map((a) => a['chat_id'])).toEqual([chat]);
    await w.cccc.speak('boss', 'gamma says hi', { group: gamma });
    await w.reply(chat, /\[Gamma project · boss\] gamma says hi/);
    w.say(chat, 'hello gamma');
    await waitFor(async () => (await w.fromPeople(gamma)).includes('hello gamma'), 'the chat talks to Gamma');

    const refusals = () => problems.filter((p) => p.details?.['groupId'] === delta);
    await waitFor(() => refusals().length === 1, 'Delta refused');
    await expectQuietFor(500, 'Delta refused once, however many checks', () => refusals().length === 1);
    expect(refusals()[0]?.message).toMatch(/CCCC's own DingTalk bridge|im\.enabled|own bridge/i);
    expect((await w.app.inspect()).groups?.map((g) => g.groupId)).toEqual([w.alpha, w.beta, gamma]);

    await w.app.stop();
    expect(await gammaLock()).toBeUndefined();
    // Started again, the app claims it again as it starts.
    await w.app.start();
    expect((await w.app.inspect()).groups?.find((g) => g.groupId === gamma)?.state).toBe('running');
    expect(await gammaLock()).toMatchObject({ bridgeId: 'app-groups' });
    // The Gamma of the first run was let go with nothing left on the app's connection: one listener per running group.
    const connection = (w.app as unknown as { stream: EventEmitter }).stream;
    expect(connection.listenerCount('state')).toBe(3);
  });
});

describe('one DingTalk app, a group removed', () => {
  it('tells that group’s chats once; the other group’s chats go on both ways', { timeout: 30_000 }, async () => {
    const w = await startWorld({ groupCheckMs: 100 });
    for (const chat of CHATS.alpha) await w.subscribe(chat, w.alpha);
    for (const chat of CHATS.beta) await w.subscribe(chat, w.beta);
    w.dt.clearSent();
    await rm(w.cccc.groupDir(w.beta), { recursive: true, force: true });
    const gone = (chat: string) => w.sentTo(chat).filter((t) => t.includes('"Beta project" is gone'));
    await waitFor(() => CHATS.beta.every((c) => gone(c).length === 1), 'Beta’s chats told');
    await expectQuietFor(
      500,
      'told once, and only them',
      () => CHATS.beta.every((c) => gone(c).length === 1) && CHATS.alpha.every((c) => gone(c).length === 0),
    );
    expect(w.app.status().state).toBe('degraded');
    expect((await w.app.inspect()).groups?.map((g) => [g.title, g.state])).toEqual([
      ['Alpha project', 'running'],
      ['Beta project', 'error'],
    ]);

    await w.cccc.speak('boss', 'alpha still here', { group: w.alpha });
    for (const chat of CHATS.alpha) await w.reply(chat, /\[Alpha project · boss\] alpha still here/);
    w.say(CHATS.alpha[1], 'still talking');
    await waitFor(async () => (await w.fromPeople(w.alpha)).includes('still talking'), 'Alpha still hears its chats');

    await w.restart();
    await expectQuietFor(500, 'not told again after a restart', () => CHATS.beta.every((c) => gone(c).length === 1));
  });
});

describe('one DingTalk app, a group gone while it was stopped', () => {
  it('tells that group’s chats once at the next start, not again after a restart; a damaged record is moved aside', { timeout: 30_000 }, async () => {
    const w = await startWorld({ groupCheckMs: 100 });
    for (const chat of CHATS.alpha) await w.subscribe(chat, w.alpha);
    for (const chat of CHATS.beta) await w.subscribe(chat, w.beta);
    await w.app.stop();
    w.dt.clearSent();
    await rm(w.cccc.groupDir(w.beta), { recursive: true, force: true });
    const gone = (chat: string) => w.sentTo(chat).filter((t) => t.includes('"Beta project" is gone'));
    const toldOnce = () => CHATS.beta.every((c) => gone(c).length === 1) && CHATS.alpha.every((c) => gone(c).length === 0);

    // Beta cannot start: its chats hear it through Alpha.
    await w.restart();
    await waitFor(toldOnce, 'Beta’s chats told at start');
    expect((await w.app.inspect()).groups?.map((g) => [g.title, g.state])).toEqual([
      ['Alpha project', 'running'],
      ['Beta project', 'error'],
    ]);
    expect(JSON.parse(await readFile(join(w.stateDir, GONE_NOTICES_FILE), 'utf8'))).toEqual({ told: { [w.beta]: [...CHATS.beta] } });

    await w.restart();
    await expectQuietFor(500, 'not told again after a restart', toldOnce);

    // The record damaged: moved aside, the app runs, and the chats may hear it once more.
    await w.app.stop();
    await writeFile(join(w.stateDir, GONE_NOTICES_FILE), '{"told": [damaged');
    await w.restart();
    await waitFor(() => CHATS.beta.every((c) => gone(c).length === 2), 'told again, the record being lost');
    expect((await readdir(w.stateDir)).some((f) => f.startsWith(`${GONE_NOTICES_FILE}.corrupt-`))).toBe(true);
    await w.cccc.speak('boss', 'alpha still here', { group: w.alpha });
    await w.reply(CHATS.alpha[0], /alpha still here/);
  });
});

describe('one DingTalk app, two CCCC groups, killed with SIGKILL mid-traffic', () => {
  it('loses and doubles nothing per chat, and no message crosses to the other group', { timeout: 90_000 }, async () => {
    const w = await startWorld();
    for (const chat of CHATS.alpha) await w.subscribe(chat, w.alpha);
    for (const chat of CHATS.beta) await w.subscribe(chat, w.beta);
    await w.app.stop();
    w.dt.clearSent();
    const chats = [...CHATS.alpha, ...CHATS.beta];
    let child = await startBridgeChild(w.config, cleanup);
    const N = 10;
    const traffic = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        for (const chat of chats) w.say(chat, `from ${chat} #${i}`);
        await w.cccc.speak('boss', `alpha says ${i}`, { group: w.alpha });
        await w.cccc.speak('boss', `beta says ${i}`, { group: w.beta });
      }
    };
    await traffic(0, N / 2);
    await waitFor(async () => (await w.fromPeople(w.alpha)).length + (await w.fromPeople(w.beta)).length > 0, 'the app busy with the traffic', 15_000);
    await kill9(child);
    await traffic(N / 2, N);
    child = await startBridgeChild(w.config, cleanup);

    const expected = (chat: string) => [...Array(N).keys()].map((i) => `from ${chat} #${i}`);
    const inGroup = async (group: string, chat: string) => (await w.fromPeople(group)).filter((t) => t.startsWith(`from ${chat} `));
    await waitFor(
      async () => {
        const seen = await Promise.all(chats.map(async (c) => new Set(await inGroup(CHATS.alpha.includes(c as never) ? w.alpha : w.beta, c)).size));
        return seen.every((n) => n === N);
      },
      'every person’s message in its group',
      20_000,
    );
    const agents = (chat: string) => w.sentTo(chat).filter((t) => / says \d/.test(t));
    await waitFor(() => chats.every((c) => new Set(agents(c)).size === N), 'every agent message in each chat', 20_000);
    await expectQuietFor(300, 'settled', () => chats.every((c) => agents(c).length - N <= 1));

    for (const chat of CHATS.alpha) {
      expect((await inGroup(w.alpha, chat)).sort()).toEqual(expected(chat).sort());
      expect(await inGroup(w.beta, chat)).toEqual([]);
      expect(new Set(agents(chat))).toEqual(new Set([...Array(N).keys()].map((i) => `[Alpha project · boss] alpha says ${i}`)));
      // At most the one message in flight at the kill may repeat (docs/architecture.md §3).
      expect(agents(chat).length - N).toBeLessThanOrEqual(1);
    }
    for (const chat of CHATS.beta) {
      expect((await inGroup(w.beta, chat)).sort()).toEqual(expected(chat).sort());
      expect(await inGroup(w.alpha, chat)).toEqual([]);
      expect(new Set(agents(chat))).toEqual(new Set([...Array(N).keys()].map((i) => `[Beta project · boss] beta says ${i}`)));
      expect(agents(chat).length - N).toBeLessThanOrEqual(1);
    }
    await kill9(child);
  });
});
