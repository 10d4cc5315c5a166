import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../electron/core/cccc/daemon';
import { DEFAULT_SETTINGS } from '../../electron/core/bridge/settings';
import { startFakeDingTalk, type FakeDingTalk } from '../fakes/dingtalk';
import { FakeCcccDaemon } from '../fakes/cccc/daemon';
import type { LedgerEvent } from '../fakes/cccc/ledger';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { kill9, startBridgeChild } from './bridge-child';
import { ALICE, GROUP_CHAT, textOf } from './harness';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A fake DingTalk and CCCC with one group, and the config of a bridge child on them; all closed after the test. */
async function crashWorld(): Promise<{ dt: FakeDingTalk; cccc: FakeCcccDaemon; groupId: string; config: Record<string, unknown> }> {
  const dt: FakeDingTalk = await startFakeDingTalk({ qpsLimit: 1000 });
  const cccc = await FakeCcccDaemon.start();
  const stateDir = await mkdtemp(join(tmpdir(), 'bridge-crash-'));
  cleanup.push(async () => {
    await dt.close();
    await cccc.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  const groupId = await cccc.createGroup({ title: 'Crash test', actors: ['boss'] });
  const app = dt.apps[0]!;
  const config = {
    groupId,
    ccccHome: cccc.home,
    stateDir,
    credentials: { appKey: app.appKey, appSecret: app.appSecret },
    endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
    settings: DEFAULT_SETTINGS,
  };
  return { dt, cccc, groupId, config };
}

describe('bridge killed with SIGKILL and restarted', () => {
  it('loses nothing either way; DingTalk messages reach CCCC exactly once', { timeout: 60_000 }, async () => {
    const { dt, cccc, groupId, config } = await crashWorld();
    const say = (text: string) => dt.injectMessage({ text, conversationId: GROUP_CHAT, conversationType: '2', ...ALICE });
    const ledgerTexts = async () =>
      (await readFile(join(cccc.groupDir(), 'ledger.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LedgerEvent)
        .filter((e) => e.by === 'user')
        .map((e) => String(e.data['text']));
    const sentOut = () =>
      dt
        .sentMessages()
        .map(textOf)
        .filter((t) => t.startsWith('[boss] out-'));

    let child = await startBridgeChild(config, cleanup);
    say('/subscribe');
    await waitFor(() => dt.sentMessages().some((m) => textOf(m).includes('cccc im bind')), 'pending reply');
    const pending = JSON.parse(await readFile(join(cccc.groupDir(), 'state', 'im_pending_keys.json'), 'utf8')) as Record<string, unknown>;
    await new DaemonClient({ home: cccc.home }).imBindChat(groupId, Object.keys(pending)[0]!);
    await waitFor(() => dt.sentMessages().some((m) => textOf(m).includes('订阅已批准')), 'approval confirmed', 8_000);

    // Traffic both ways, with a SIGKILL in the middle of it.
    const inbound = Array.from({ length: 30 }, (_, i) => `in-${i}`);
    const outbound = Array.from({ length: 30 }, (_, i) => `out-${i}`);
    for (let i = 0; i < 15; i++) {
      say(inbound[i]!);
      await cccc.speak('boss', outbound[i]!, { to: ['user'] });
    }
    // The kill lands while the bridge is at work on that traffic: once something of it went through.
    await waitFor(async () => sentOut().length > 0 || (await ledgerTexts()).some((t) => t.startsWith('in-')), 'the bridge busy with the traffic', 15_000);
    await kill9(child);
    for (let i = 15; i < 30; i++) {
      say(inbound[i]!);
      await cccc.speak('boss', outbound[i]!, { to: ['user'] });
    }
    child = await startBridgeChild(config, cleanup);

    await waitFor(async () => new Set((await ledgerTexts()).filter((t) => t.startsWith('in-'))).size === 30, 'all inbound in CCCC', 15_000);
    await waitFor(() => new Set(sentOut()).size === 30, 'all outbound in DingTalk', 15_000);
    await expectQuietFor(
      300,
      'no inbound doubled, at most one outbound repeated',
      async () => (await ledgerTexts()).filter((t) => t.startsWith('in-')).length === 30 && sentOut().length - 30 <= 1,
    );

    const inTexts = (await ledgerTexts()).filter((t) => t.startsWith('in-'));
    expect(inTexts.sort()).toEqual([...inbound].sort());
    // Outbound: every message arrived; at most the one in flight at the kill may repeat.
    const out = sentOut();
    expect(new Set(out)).toEqual(new Set(outbound.map((t) => `[boss] ${t}`)));
    expect(out.length - 30).toBeLessThanOrEqual(1);
    await kill9(child);
  });

  it('streamed answers: each reaches the chat once, in its card or as a message; no card is left open', { timeout: 60_000 }, async () => {
    const { dt, cccc, groupId, config } = await crashWorld();
    let child = await startBridgeChild(config, cleanup);
    dt.injectMessage({ text: '/subscribe', conversationId: GROUP_CHAT, conversationType: '2', ...ALICE });
    await waitFor(() => dt.sentMessages().some((m) => textOf(m).includes('cccc im bind')), 'pending reply');
    const pending = JSON.parse(await readFile(join(cccc.groupDir(), 'state', 'im_pending_keys.json'), 'utf8')) as Record<string, unknown>;
    await new DaemonClient({ home: cccc.home }).imBindChat(groupId, Object.keys(pending)[0]!);
    await waitFor(() => dt.sentMessages().some((m) => textOf(m).includes('订阅已批准')), 'approval confirmed', 8_000);

    // Eight answers streamed at once; the bridge is killed while some cards are open and some done.
    const answers = Array.from({ length: 8 }, (_, i) => `answer-${i} is complete`);
    const ids: string[] = [];
    // And one more whose agent stops typing for good: its card must be closed all the same.
    for (let i = 0; i <= answers.length; i++) ids.push(String((await cccc.stream('boss', { op: 'start', to: ['user'] })).data['stream_id']));
    const finish = async (i: number): Promise<void> => {
      await cccc.stream('boss', { op: 'update', streamId: ids[i]!, text: `answer-${i} is`, to: ['user'] });
      await cccc.stream('boss', { op: 'end', streamId: ids[i]!, text: answers[i]!, to: ['user'] });
      await cccc.speak('boss', answers[i]!, { to: ['user'], streamId: ids[i]! });
    };
    for (let i = 0; i < 4; i++) await finish(i);
    await waitFor(() => dt.cardInstances().length === 9, 'cards open', 15_000);
    await kill9(child);
    for (let i = 4; i < 8; i++) await finish(i);
    child = await startBridgeChild(config, cleanup);

    const inCard = (text: string): number => dt.cardInstances().filter((c) => c.status === 'finished' && c.params['msgContent'] === text).length;
    const asMessage = (text: string): number => dt.sentMessages().filter((m) => textOf(m).includes(text)).length;
    await waitFor(() => answers.every((a) => inCard(a) + asMessage(a) >= 1), 'every answer delivered', 20_000);
    await waitFor(() => dt.cardInstances().every((c) => Object.values(c.streams).some((st) => st.finalized)), 'every card closed', 10_000);
    await expectQuietFor(
      500,
      'no answer twice (but the one message in flight at the kill)',
      () => answers.reduce((extra, a) => extra + inCard(a) + asMessage(a) - 1, 0) <= 1,
    );
    await kill9(child);
  });
});
