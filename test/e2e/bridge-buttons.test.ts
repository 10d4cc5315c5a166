/**
 * Buttons that act (docs/dingtalk-protocol.md, "Cards with buttons"): /subscribe, /status and
 * /help answered with cards; presses by people who may and may not press, twice, after a
 * restart and after the card registry was damaged; plain replies where cards cannot go.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUTTON_CARDS_FILE } from '../../electron/core/bridge/cards/card-registry';
import { CARD_TRIES } from '../../electron/core/bridge/outbox/deliver';
import { BUTTON_CARD_TEXTS } from '../../electron/core/i18n/button-cards';
import { REPLIES } from '../../electron/core/i18n/replies';
import type { LogRecord } from '../../electron/core/log/logger';
import { CARD_CALLBACK_TOPIC, cardButtons, type FakeCard } from '../fakes/dingtalk';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { ALICE, GROUP_CHAT, startE2E, textOf, type E2E, type E2EOptions } from './harness';

const TEMPLATE = 'cccc-buttons-test.schema';
const ZHANG = { senderStaffId: 'staff-zhang', senderNick: '张三', senderId: '$:LWCP_v1:$zhang', isAdmin: true };
const BOB = { senderStaffId: 'staff-bob', senderNick: 'Bob', senderId: '$:LWCP_v1:$bob', isAdmin: false };
const c = BUTTON_CARD_TEXTS.zh;
const t = REPLIES.zh;

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

async function start(settings: E2EOptions['settings'] = {}, services: E2EOptions['services'] = {}): Promise<E2E> {
  e = await startE2E({ settings: { buttonCardTemplateId: TEMPLATE, approvers: [ZHANG.senderStaffId], ...settings }, services });
  // The people write once, so the bridge knows their names (and who is an admin).
  return e;
}

/** The newest card titled `title` that is not among `seen`. */
function newCard(world: E2E, title: string, seen: readonly string[] = []): Promise<FakeCard> {
  return waitFor(() => world.dt.cardInstances().find((k) => k.params['title'] === title && !seen.includes(k.outTrackId)), `a card "${title}"`, 8_000);
}

function cardNow(world: E2E, outTrackId: string): FakeCard {
  const card = world.dt.cardInstance(outTrackId);
  if (!card) throw new Error(`no card ${outTrackId}`);
  return card;
}

function noteBecomes(world: E2E, outTrackId: string, note: string): Promise<FakeCard> {
  return waitFor(() => (cardNow(world, outTrackId).params['note'] === note ? cardNow(world, outTrackId) : undefined), `card note "${note}"`, 8_000);
}

function info(world: E2E, msg: string, fields: Record<string, unknown>): Promise<LogRecord> {
  return waitFor(
    () => world.log.records.find((r) => r.level === 'info' && r.msg === msg && Object.entries(fields).every(([k, v]) => r.fields?.[k] === v)),
    `info "${msg}" ${JSON.stringify(fields)}`,
    8_000,
  );
}

async function chatFlags(world: E2E): Promise<{ subscribed: boolean; paused: boolean; verbose: boolean } | undefined> {
  return (await world.bridge.inspect()).chats.find((k) => k.chatId === GROUP_CHAT)?.subscription;
}

/** Subscribes the group chat by its card's Approve button, pressed by the approver. */
async function subscribeByCard(world: E2E): Promise<FakeCard> {
  world.say('/subscribe');
  const card = await newCard(world, t.titles.subscribe);
  world.dt.pressCardButton(card.outTrackId, { staffId: ZHANG.senderStaffId, button: 'approve' });
  await world.reply(/订阅已批准/);
  return card;
}

/** A subscribed group chat's /status card. */
async function statusCard(world: E2E): Promise<FakeCard> {
  await subscribeByCard(world);
  world.say('/status');
  return newCard(world, 'Demo project');
}

describe('a /subscribe card', () => {
  it('is approved by an approver, refused to anyone else, and a second press is harmless', async () => {
    const world = await start();
    expect(world.dt.connections()[0]?.subscriptions).toEqual([
      { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
      { type: 'CALLBACK', topic: CARD_CALLBACK_TOPIC },
    ]);
    world.say('你好', { ...ZHANG, conversationId: 'cidElsewhere==' });
    world.say('/subscribe');
    const card = await newCard(world, t.titles.subscribe);
    expect(card.templateId).toBe(TEMPLATE);
    expect(card.params['markdown']).toContain('cccc im bind --key');
    expect(cardButtons(card).map((b) => b.action)).toEqual(['approve', 'reject']);
    expect(card.params['note']).toBe(c.approversHint);

    // Alice may write, but she is no approver: the card says so, and keeps its buttons.
    world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: 'approve' });
    await noteBecomes(world, card.outTrackId, c.notApprover('Alice'));
    await info(world, 'Refused a card button press', { chat: GROUP_CHAT, kind: 'card.approve', sender: ALICE.senderStaffId, why: 'not_approver' });
    expect((await world.bridge.inspect()).pending).toHaveLength(1);
    expect(cardButtons(cardNow(world, card.outTrackId))).toHaveLength(2);

    const press = world.dt.pressCardButton(card.outTrackId, { staffId: ZHANG.senderStaffId, button: 'approve' });
    await world.reply(/订阅已批准/);
    const done = await noteBecomes(world, card.outTrackId, c.approvedBy('张三'));
    expect(cardButtons(done)).toEqual([]);
    expect((await chatFlags(world))?.subscribed).toBe(true);
    await info(world, 'Card button pressed', { chat: GROUP_CHAT, kind: 'card.approve', sender: ZHANG.senderStaffId, nick: '张三' });
    await info(world, 'Subscription approved', { chat: GROUP_CHAT, by: 'bridge' });

    // The same tap again (a double tap before the card changed): nothing more is done.
    world.dt.injectCallback(CARD_CALLBACK_TOPIC, press);
    await noteBecomes(world, card.outTrackId, c.alreadySettled(true, '张三'));
    await info(world, 'Refused a card button press', { kind: 'card.approve', why: 'already_done' });
    expect(world.texts().filter((x) => /订阅已批准/.test(x))).toHaveLength(1);

    // Each press was ACKed with an empty card response (the card is updated afterwards).
    const acks = world.dt.acked().filter((a) => a.topic === CARD_CALLBACK_TOPIC);
    expect(acks.length).toBe(3);
    for (const ack of acks) expect(JSON.parse(ack.data)).toEqual({ response: {} });
  });

  it('is rejected by an approver', async () => {
    const world = await start();
    world.say('/subscribe');
    const card = await newCard(world, t.titles.subscribe);
    world.dt.pressCardButton(card.outTrackId, { staffId: ZHANG.senderStaffId, button: 'reject' });
    await noteBecomes(world, card.outTrackId, c.rejectedBy('staff-zhang'));
    await waitFor(async () => (await world.bridge.inspect()).pending.length === 0, 'request gone');
    expect((await chatFlags(world))?.subscribed ?? false).toBe(false);
    await info(world, 'Subscription request rejected', { chat: GROUP_CHAT, by: 'bridge' });
  });

  it('a press right behind a message is handled after it: the approver who just wrote is named', async () => {
    const world = await start();
    world.say('/subscribe');
    const card = await newCard(world, t.titles.subscribe);
    // 张三 writes for the first time and presses at once; DingTalk sends the two in that order.
    world.say('我来批准', ZHANG);
    world.dt.pressCardButton(card.outTrackId, { staffId: ZHANG.senderStaffId, button: 'approve' });
    await waitFor(() => cardNow(world, card.outTrackId).params['note'] !== c.approversHint, 'the card redrawn');
    expect(cardNow(world, card.outTrackId).params['note']).toBe(c.approvedBy('张三'));
  });

  it('without approvers only tells how approval works', async () => {
    const world = await start({ approvers: [] });
    world.say('/subscribe');
    const card = await newCard(world, t.titles.subscribe);
    expect(cardButtons(card)).toEqual([]);
    expect(card.params['note']).toBe('');
    expect(card.params['markdown']).toContain('cccc im bind --key');
  });
});

describe('a /status card', () => {
  it('pauses, resumes and sets verbose like the commands, refreshes, and ignores a press on an old state', async () => {
    const world = await start();
    const card = await statusCard(world);
    expect(cardButtons(card).map((b) => b.action)).toEqual(['pause', 'verbose_on', 'refresh']);

    const pause = world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: 'pause' });
    await noteBecomes(world, card.outTrackId, c.pausedBy('Alice'));
    expect((await chatFlags(world))?.paused).toBe(true);
    expect(cardButtons(cardNow(world, card.outTrackId)).map((b) => b.action)).toEqual(['resume', 'verbose_on', 'refresh']);
    await world.cccc.speak('boss', 'held while paused', { to: ['user'] });
    await waitFor(async () => (await readFile(join(world.stateDir, 'held.jsonl'), 'utf8').catch(() => '')).includes('held while paused'), 'kept back');

    // The Pause press again (what the card showed before): nothing done, the card shows the state now.
    world.dt.injectCallback(CARD_CALLBACK_TOPIC, pause);
    await noteBecomes(world, card.outTrackId, c.stale('Alice'));
    await info(world, 'Refused a card button press', { kind: 'card.pause', why: 'stale_card' });

    world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: 'resume' });
    await noteBecomes(world, card.outTrackId, c.resumedBy('Alice', 1));
    await world.reply('held while paused');
    expect((await chatFlags(world))?.paused).toBe(false);

    world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: 'verbose_on' });
    await noteBecomes(world, card.outTrackId, c.verboseBy('Alice', true));
    expect((await chatFlags(world))?.verbose).toBe(true);
    expect(cardButtons(cardNow(world, card.outTrackId)).map((b) => b.action)).toEqual(['pause', 'verbose_off', 'refresh']);

    world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: 'refresh' });
    await noteBecomes(world, card.outTrackId, c.refreshedBy('Alice'));
    await info(world, 'Card button pressed', { chat: GROUP_CHAT, kind: 'card.refresh', sender: ALICE.senderStaffId });
  });

  it('refuses a person the access policy does not allow', async () => {
    const world = await start({ access: { mode: 'admins' } });
    world.say('/subscribe', ZHANG);
    const request = await newCard(world, t.titles.subscribe);
    world.dt.pressCardButton(request.outTrackId, { staffId: ZHANG.senderStaffId, button: 'approve' });
    await world.reply(/订阅已批准/);
    world.say('你好', BOB);
    await world.reply(/管理员/);
    world.say('/status', ZHANG);
    const card = await newCard(world, 'Demo project');
    world.dt.pressCardButton(card.outTrackId, { staffId: BOB.senderStaffId, button: 'pause' });
    await noteBecomes(world, card.outTrackId, c.notAllowed('Bob'));
    await info(world, 'Refused a card button press', { kind: 'card.pause', sender: BOB.senderStaffId, why: 'access_policy', reason: 'admins' });
    expect((await chatFlags(world))?.paused).toBe(false);
  });

  it('still works after a restart: the cards are kept on disk', async () => {
    const world = await start();
    const card = await statusCard(world);
    await world.restartBridge();
    world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: 'pause' });
    await noteBecomes(world, card.outTrackId, c.pausedBy('Alice'));
    expect((await chatFlags(world))?.paused).toBe(true);
  });

  it('is answered as expired when the card registry was damaged, and the damaged file is moved aside', async () => {
    const world = await start();
    const card = await statusCard(world);
    await world.bridge.stop();
    await writeFile(join(world.stateDir, BUTTON_CARDS_FILE), '{"cards": [nonsense');
    await writeFile(join(world.stateDir, `${BUTTON_CARDS_FILE}.bak`), 'also damaged');
    await world.restartBridge();
    expect((await readdir(world.stateDir)).some((f) => f.startsWith(`${BUTTON_CARDS_FILE}.corrupt-`))).toBe(true);
    world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: 'pause' });
    await waitFor(() => (cardNow(world, card.outTrackId).params['markdown'] === c.expired() ? true : undefined), 'the card says it expired');
    expect(cardButtons(cardNow(world, card.outTrackId))).toEqual([]);
    await info(world, 'A button was pressed on a card this bridge does not know', { card: card.outTrackId });
    expect((await chatFlags(world))?.paused).toBe(false);
  });
});

describe('a /help card', () => {
  it('lists the commands as buttons that send them, without a callback', async () => {
    const world = await start();
    await subscribeByCard(world);
    world.say('/help');
    const card = await newCard(world, 'CCCC 命令');
    const buttons = cardButtons(card);
    expect(buttons.map((b) => b.text)).toContain('/status');
    // One group: nothing to choose between.
    expect(buttons.map((b) => b.text)).not.toContain('/groups');
    expect(card.params['markdown']).not.toContain('/groups');
    expect(buttons.every((b) => b.action === undefined && b.url?.startsWith('dtmd://dingtalkclient/sendMessage?content='))).toBe(true);
    expect(() => world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: '/status' })).toThrow(/opens a link/);
  });
});

describe('where cards cannot go', () => {
  it('replies as before without Card.Instance.Write, and says which permission is missing', async () => {
    const world = await start();
    world.dt.setFault({ permissionDenied: { 'card.createAndDeliver': [] } });
    await world.subscribe();
    await waitFor(() => (world.bridge.status().lastProblem?.message.includes('Card.Instance.Write') ? true : undefined), 'the missing permission named');
    // Known to be missing: no card is tried for a while.
    const tried = world.dt.requests().filter((r) => r.api === 'card.createAndDeliver').length;
    world.say('/help');
    expect(textOf(await world.reply(/CCCC 命令/))).not.toContain('/groups');
    expect(world.dt.requests().filter((r) => r.api === 'card.createAndDeliver').length).toBe(tried);
    expect(world.dt.cardInstances()).toEqual([]);
  });

  it('replies as before when the create fails, when cards are off, and without a template', async () => {
    const world = await start();
    await subscribeByCard(world);
    // A refusal that may pass is tried again, as the same card, until the plain reply is due.
    world.dt.setFault({ cardFail: { create: CARD_TRIES } });
    world.say('/status');
    await world.reply(/Demo project/);
    world.bridge.updateSettings({ buttonCards: false });
    world.say('/help');
    await world.reply(/CCCC 命令/);
    world.bridge.updateSettings({ buttonCards: true, buttonCardTemplateId: '' });
    world.say('/status');
    await waitFor(() => (world.texts().filter((x) => /Demo project/.test(x)).length === 2 ? true : undefined), 'a second /status as text');
    expect(world.dt.cardInstances().filter((k) => k.params['title'] !== t.titles.subscribe)).toEqual([]);
    expect(world.dt.sentMessages().map(textOf).join('\n')).toContain('CCCC 命令');
  });
});

describe('cards in the chat’s outbox', () => {
  /** Retries in tens of milliseconds, so a test can hold a reply back and let it go. */
  const FAST_RETRY: E2EOptions['services'] = {
    outbox: { retryPolicy: { rateLimitedMinMs: 20, rateLimitedMaxMs: 40, backoff: { baseMs: 20, capMs: 100, jitterMs: 10 }, setupWaitMs: 50 } },
  };
  const statusCards = (world: E2E): FakeCard[] => world.dt.cardInstances().filter((k) => k.params['title'] === 'Demo project');

  /** The plain /help reply stuck in the outbox (DingTalk refuses sends), then /status asked for as a card. */
  async function cardBehindStuckReply(world: E2E): Promise<void> {
    await subscribeByCard(world);
    world.bridge.updateSettings({ buttonCards: false });
    world.dt.setFault({ robotNotFound: true, webhookExpired: true });
    world.say('/help');
    await waitFor(() => world.bridge.status().outboxDepth === 1 || undefined, 'the /help reply waiting in the outbox');
    world.bridge.updateSettings({ buttonCards: true });
    world.say('/status');
    await waitFor(() => world.bridge.status().outboxDepth === 2 || undefined, 'the /status card queued behind it');
  }

  it('waits for the replies queued before it in its chat: no card overtakes them', async () => {
    const world = await start({}, FAST_RETRY);
    await cardBehindStuckReply(world);
    await expectQuietFor(300, 'no card while the reply before it waits', () => statusCards(world).length === 0);
    world.dt.clearFaults();
    const [card] = await waitFor(() => (statusCards(world).length ? statusCards(world) : undefined), 'the /status card');
    const help = world.dt.sentMessages().find((m) => /CCCC 命令/.test(textOf(m)));
    expect(help?.at).toBeLessThanOrEqual(card!.createdAt);
  });

  it('is made once when DingTalk failed it for a moment: the same card, no plain reply', async () => {
    const world = await start({}, FAST_RETRY);
    await subscribeByCard(world);
    world.dt.setFault({ cardFail: { create: 1 } });
    world.say('/status');
    const card = await newCard(world, 'Demo project');
    await waitFor(() => world.bridge.status().outboxDepth === 0 || undefined, 'the outbox empty');
    expect(statusCards(world)).toHaveLength(1);
    expect(world.texts().filter((x) => /Demo project/.test(x))).toEqual([]);
    expect(cardButtons(card).map((b) => b.action)).toEqual(['pause', 'verbose_on', 'refresh']);
  });

  it('is made after a restart when it was still queued at the stop, and its buttons work', async () => {
    const world = await start({}, FAST_RETRY);
    await cardBehindStuckReply(world);
    await world.restartBridge();
    expect(world.bridge.status().outboxDepth).toBe(2);
    world.dt.clearFaults();
    const card = await newCard(world, 'Demo project');
    world.dt.pressCardButton(card.outTrackId, { staffId: ALICE.senderStaffId, button: 'pause' });
    await noteBecomes(world, card.outTrackId, c.pausedBy('Alice'));
    expect(statusCards(world)).toHaveLength(1);
    expect(world.texts().filter((x) => /Demo project/.test(x))).toEqual([]);
  });
});
