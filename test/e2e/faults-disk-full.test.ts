/**
 * Fault: the disk holding the bridge's state dir fills up (a real 512 KiB tmpfs). What cannot be
 * journaled is not ACKed (DingTalk pushes it again), agent messages stay unread in the ledger,
 * the problem is said once, and once space is freed everything flows by itself: in order,
 * exactly once, both ways — also across a restart while the disk is full.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Bridge } from '../../electron/core/bridge/bridge';
import type { Problem } from '../../electron/core/errors';
import { describeOnTmpfs } from '../helpers/tmpfs';
import { waitFor } from '../helpers/wait';
import { ALICE, GROUP_CHAT, startE2E, textOf, type E2E } from './harness';

const OTHER_CHAT = 'cidGroupChat002==';
const BOB = { senderStaffId: 'staff-bob', senderNick: 'Bob', senderId: '$:LWCP_v1:$bob' };
const CHATS = [
  { id: GROUP_CHAT, person: ALICE },
  { id: OTHER_CHAT, person: BOB },
];
const DISK_FULL_NOTICE = /磁盘已满|disk .*is full/i;

describeOnTmpfs('disk full on the state dir', 512, (tmpfs) => {
  let e: E2E;
  /** Disk-full problems each bridge run reported. */
  const problems: Array<Problem[]> = [];
  const track = (bridge: Bridge): void => {
    const mine: Problem[] = [];
    problems.push(mine);
    bridge.on('problem', (p) => {
      if (p.code === 'bridge.disk_full') mine.push(p);
    });
  };

  beforeAll(async () => {
    // DingTalk keeps pushing what is not ACKed (a few times in reality; here until the test ends).
    e = await startE2E({ stateDir: join(tmpfs().dir, 'state'), dingtalk: { redeliveryDelayMs: 300, maxRedeliveries: 10_000 }, onBridge: track });
    for (const chat of CHATS) await e.subscribe(chat.id, { ...chat.person, conversationTitle: chat.id });
  }, 30_000);

  afterAll(async () => {
    await e?.close();
  });

  it('takes in, in order, the messages it refused even when DingTalk has stopped pushing them', { timeout: 60_000 }, async () => {
    const g = await startE2E({ stateDir: join(tmpfs().dir, 'state-giveup'), dingtalk: { redeliveryDelayMs: 200, maxRedeliveries: 1 } });
    try {
      await g.subscribe();
      await tmpfs().fill();
      // Long enough that the journal's last block cannot take them all.
      const texts = [0, 1, 2, 3].map((i) => `q-${i} ${'x'.repeat(1500)}`);
      const sent = texts.map((text) => ({ text, msgId: g.say(text).msgId }));
      // DingTalk pushes each twice, then gives up (on those the bridge could not keep).
      const acked = (id: string): boolean => g.dt.acked().some((a) => a.msgId === id && !a.ignored);
      await waitFor(() => sent.every((m) => acked(m.msgId) || g.dt.deliveries().filter((d) => d.msgId === m.msgId).length === 2), 'DingTalk gave up', 10_000);
      expect(sent.filter((m) => !acked(m.msgId)).length).toBeGreaterThan(0);
      await tmpfs().free();
      const arrived = async (): Promise<string[]> => (await g.fromPeople()).map((ev) => String(ev.data['text'])).filter((t) => t.startsWith('q-'));
      await waitFor(async () => (await arrived()).length === texts.length, 'all of them in CCCC', 15_000);
      expect(await arrived()).toEqual(texts);
    } finally {
      await tmpfs().free();
      await g.close();
    }
  });

  it('ACKs nothing it could not keep, says so once, and delivers everything exactly once in order when space returns', { timeout: 90_000 }, async () => {
    // Both chats write before the restart and after it.
    // Long enough that a journal's last block cannot take them all while the disk is full.
    const people = [0, 1, 2].flatMap((i) =>
      CHATS.map((chat) => ({ chat: chat.id, text: `p-${chat.id.slice(-5, -2)}-${i} ${'x'.repeat(1500)}`, person: chat.person })),
    );
    const agents = Array.from({ length: 12 }, (_, i) => `a-${i}`);
    const msgIds = new Map<string, string>();
    const say = (p: (typeof people)[number]): void => {
      msgIds.set(p.text, e.dt.injectMessage({ text: p.text, conversationId: p.chat, conversationType: '2', conversationTitle: p.chat, ...p.person }).msgId);
    };

    await tmpfs().fill();
    for (const p of people.slice(0, 3)) say(p);
    for (const a of agents.slice(0, 6)) await e.cccc.speak('boss', a, { to: ['user'] });
    // DingTalk pushes the people's messages again: they were not ACKed.
    const pushes = (id: string): number => e.dt.deliveries().filter((d) => d.msgId === id).length;
    const refused = (): string[] => [...msgIds.values()].filter((id) => !ackedOf(e, msgIds).includes(id));
    await waitFor(() => refused().every((id) => pushes(id) >= 2), 'redeliveries while full', 15_000).catch(() => undefined);
    // Some may fit in a journal's last block; every one that did not is pushed again.
    const redeliveredWhileFull = refused().length > 0 && refused().every((id) => pushes(id) >= 2);
    const journaledWhileFull = journaledIds(await readFile(join(e.stateDir, 'inbound.jsonl'), 'utf8').catch(() => ''));
    const ackedWhileFull = ackedOf(e, msgIds);
    const unjournaledAcks = ackedWhileFull.filter((id) => !journaledWhileFull.has(id)).length;
    await waitFor(() => e.bridge.status().lastProblem?.code === 'bridge.disk_full', 'the disk-full problem', 10_000).catch(() => undefined);
    const statusWhileFull = e.bridge.status();

    // A restart while the disk is still full, with more traffic both ways.
    const startedWhileFull = await e.restartBridge().then(
      () => true,
      () => false,
    );
    for (const p of people.slice(3)) say(p);
    for (const a of agents.slice(6)) await e.cccc.speak('boss', a, { to: ['user'] });
    await waitFor(() => refused().every((id) => pushes(id) >= 3), 'redeliveries after the restart', 15_000).catch(() => undefined);
    await waitFor(() => problems[1]!.length > 0, 'the problem reported again after the restart', 10_000).catch(() => undefined);

    await tmpfs().free();
    if (!startedWhileFull) await e.restartBridge();
    const inCccc = async (): Promise<string[]> => (await e.fromPeople()).map((ev) => String(ev.data['text'])).filter((t) => t.startsWith('p-'));
    const outTo = (chat: string): string[] =>
      e.dt
        .sentMessages()
        .filter((m) => m.conversationId === chat || m.webhookBody?.['conversationId'] === chat)
        .map(textOf)
        .filter((t) => t.startsWith('[boss] a-'))
        .map((t) => t.slice('[boss] '.length));
    await waitFor(
      async () => (await inCccc()).length >= people.length && CHATS.every((c) => outTo(c.id).length >= agents.length),
      'everything delivered after space returned',
      30_000,
    ).catch(() => undefined);
    await waitFor(() => e.bridge.status().lastProblem?.code !== 'bridge.disk_full', 'the problem cleared', 10_000).catch(() => undefined);

    const arrived = await inCccc();
    const notices = CHATS.map((c) => e.texts(c.id).filter((t) => DISK_FULL_NOTICE.test(t)).length);
    const outcome = {
      startedWhileFull,
      peopleLost: people.filter((p) => !arrived.includes(p.text)).length,
      peopleDoubled: arrived.length - new Set(arrived).size,
      peopleInOrder: CHATS.every((c) =>
        sameOrder(
          arrived,
          people.filter((p) => p.chat === c.id).map((p) => p.text),
        ),
      ),
      redeliveredWhileFull,
      unjournaledAcks,
      ackedButLost: people.filter((p) => ackedOf(e, msgIds).includes(msgIds.get(p.text)!) && !arrived.includes(p.text)).length,
      agentLost: CHATS.map((c) => agents.filter((a) => !outTo(c.id).includes(a)).length),
      agentDoubled: CHATS.map((c) => outTo(c.id).length - new Set(outTo(c.id)).size),
      agentInOrder: CHATS.map((c) => JSON.stringify(outTo(c.id)) === JSON.stringify(agents)),
      // Once per chat per bridge run (the restart forgets, and the disk could not keep it).
      noticesPerChat: notices,
      problemsPerRun: problems.map((p) => p.length),
      stateWhileFull: statusWhileFull.state,
      waitingWhileFull: /The disk holding .* is full: \d+ messages? (is|are) waiting/.test(statusWhileFull.lastProblem?.message ?? ''),
      problemAfter: e.bridge.status().lastProblem?.code ?? 'none',
      stateAfter: e.bridge.status().state,
    };
    expect(
      outcome,
      JSON.stringify({ arrived: arrived.map((t) => t.slice(0, 7)), deliveries: e.dt.deliveries().map((d) => [d.msgId.slice(-6), d.attempt]) }),
    ).toEqual({
      startedWhileFull: true,
      peopleLost: 0,
      peopleDoubled: 0,
      peopleInOrder: true,
      redeliveredWhileFull: true,
      unjournaledAcks: 0,
      ackedButLost: 0,
      agentLost: [0, 0],
      agentDoubled: [0, 0],
      agentInOrder: [true, true],
      noticesPerChat: [2, 2],
      problemsPerRun: [1, 1],
      stateWhileFull: 'degraded',
      waitingWhileFull: true,
      problemAfter: 'none',
      stateAfter: 'running',
    });
  });
});

/** msgIds of these people's messages that DingTalk saw ACKed. */
function ackedOf(e: E2E, msgIds: Map<string, string>): string[] {
  const ids = new Set(msgIds.values());
  return [
    ...new Set(
      e.dt
        .acked()
        .filter((a) => a.msgId && !a.ignored && ids.has(a.msgId))
        .map((a) => a.msgId!),
    ),
  ];
}

/** Ids of the complete `add` lines of a journal (what a restart would find). */
function journaledIds(text: string): Set<string> {
  const ids = new Set<string>();
  for (const line of text.split('\n').slice(0, -1)) {
    try {
      const parsed = JSON.parse(line) as { op?: string; id?: string };
      if (parsed.op === 'add' && parsed.id) ids.add(parsed.id);
    } catch {
      // a torn line: not journaled
    }
  }
  return ids;
}

/** `all` holds `expected` in this order (other items may come between). */
function sameOrder(all: string[], expected: string[]): boolean {
  return JSON.stringify(all.filter((t) => expected.includes(t))) === JSON.stringify(expected);
}
