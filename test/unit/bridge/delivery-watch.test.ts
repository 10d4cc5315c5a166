import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../electron/core/cccc/ledger/event';
import { addressedActors, DeliveryWatch } from '../../../electron/core/bridge/delivery-watch';
import type { ActorInfo, GroupInfo, SendToGroup } from '../../../electron/core/bridge/ports';
import type { OutboundMessage } from '../../../electron/core/dingtalk/outbound-message';
import { CONVERSATION } from '../../../electron/core/i18n/conversation';
import { expectQuietFor, waitFor } from '../../helpers/wait';

const chat = { conversationId: 'cidA', conversationType: 'group' } as const;
const send = (to: string[]): SendToGroup => ({
  msgId: 'm1',
  text: 'hi',
  to,
  attachments: [],
  clientId: 'im:dingtalk:cidA:m1',
  sourceUserName: 'Alice',
  sourceUserId: 'alice',
  mentionUserIds: [],
});
const actor = (id: string, role: 'foreman' | 'peer', enabled = true): ActorInfo => ({
  id,
  title: id === 'helper' ? 'Code Helper' : id,
  role,
  running: enabled,
  enabled,
});
const evidence = (source: string, actorId: string, state: string, reason?: string): LedgerEvent => ({
  v: 1,
  id: `d-${source}-${actorId}-${state}`,
  ts: '2026-01-01T00:00:00Z',
  kind: 'runtime.delivery',
  group_id: 'g',
  by: 'system',
  data: { actor_id: actorId, source_event_id: source, delivery_id: 'd', state, transport: 'pty', reason: reason ?? null },
});

let watch: DeliveryWatch | undefined;
afterEach(() => watch?.close());

function setup(options: { evidence?: boolean; info?: Partial<GroupInfo>; actors?: ActorInfo[]; timeoutMs?: number } = {}) {
  const log: string[] = [];
  const told: string[] = [];
  watch = new DeliveryWatch({
    features: async () => ({ deliveryEvidence: options.evidence ?? true }),
    group: {
      info: async () => ({ groupId: 'g', title: 'G', state: 'active', running: true, ...options.info }),
      actors: async () => options.actors ?? [actor('boss', 'foreman'), actor('helper', 'peer')],
    },
    replies: {
      inLedger: (eventId) => void log.push(`inLedger ${eventId}`),
      accepted: (eventId) => void log.push(`accepted ${eventId}`),
      delivered: (eventId) => void log.push(`delivered ${eventId}`),
    },
    tell: (_chat, m: OutboundMessage) => void told.push(m.kind === 'markdown' ? m.text : ''),
    texts: () => CONVERSATION.en,
    pickupTimeoutMs: options.timeoutMs ?? 60_000,
  });
  return { log, told, watch };
}

describe('DeliveryWatch', () => {
  it('without delivery evidence (CCCC 0.4.35rc1) the message counts as delivered at once', async () => {
    const { log, told, watch: w } = setup({ evidence: false, timeoutMs: 50 });
    await w.inLedger('e1', send(['@foreman']), chat);
    expect(log).toEqual(['delivered e1']);
    await expectQuietFor(150, 'no notice', () => told.length === 0);
  });

  it('🤔 only on acceptance — also when the evidence was followed before send answered', async () => {
    const { log, told, watch: w } = setup({ timeoutMs: 100 });
    await w.inLedger('e1', send(['@foreman']), chat);
    w.observe([evidence('e1', 'boss', 'claimed')]);
    expect(log).toEqual(['inLedger e1']);
    w.observe([evidence('e1', 'boss', 'accepted')]);
    expect(log).toEqual(['inLedger e1', 'accepted e1']);
    w.observe([evidence('e2', 'boss', 'claimed'), evidence('e2', 'boss', 'accepted')]);
    await w.inLedger('e2', send(['@foreman']), chat);
    expect(log.slice(2)).toEqual(['inLedger e2', 'accepted e2']);
    // Accepted: no "nobody picked it up" later.
    await expectQuietFor(250, 'no notice', () => told.length === 0);
  });

  it('tells a failure and an unsure handoff, naming the agent', async () => {
    const { told, watch: w } = setup();
    await w.inLedger('e1', send(['@all']), chat);
    w.observe([evidence('e1', 'helper', 'failed', 'runtime rejected payload'), evidence('e1', 'boss', 'ambiguous')]);
    expect(told).toHaveLength(2);
    expect(told[0]).toContain('could not hand your message to @helper: runtime rejected payload');
    expect(told[1]).toBe(CONVERSATION.en.deliveryUnsure('boss'));
  });

  it('tells at once who is turned off, and a stopped group, with /launch tappable', async () => {
    const off = setup({ actors: [actor('boss', 'foreman'), actor('helper', 'peer', false)] });
    await off.watch.inLedger('e1', send(['Code Helper']), chat);
    expect(off.told).toHaveLength(1);
    expect(off.told[0]).toContain('@helper is turned off in CCCC');
    expect(off.told[0]).toContain('[/launch](dtmd://dingtalkclient/sendMessage?content=%2Flaunch)');
    off.watch.close();
    const stopped = setup({ info: { state: 'stopped', running: false } });
    await stopped.watch.inLedger('e1', send(['@foreman']), chat);
    expect(stopped.told).toEqual([expect.stringContaining('the group is stopped') as string]);
  });

  it('after a while without acceptance says why: the group is paused in CCCC', async () => {
    const { told, log, watch: w } = setup({ info: { state: 'paused' }, timeoutMs: 50 });
    await w.inLedger('e1', send(['@foreman']), chat);
    w.observe([evidence('e1', 'boss', 'claimed')]);
    await waitFor(() => told.length === 1, 'notice after the timeout');
    expect(told[0]).toContain('paused there');
    // Accepted later (after /launch): the 🤔 still goes on; no second notice.
    w.observe([evidence('e1', 'boss', 'accepted')]);
    expect(log).toEqual(['inLedger e1', 'accepted e1']);
    expect(told).toHaveLength(1);
  });
});

it('after a while says nothing while the agents it is for are running (they may be slow); tells when none is', async () => {
  const running = setup({ timeoutMs: 30 });
  await running.watch.inLedger('e1', send(['@foreman']), chat);
  await expectQuietFor(150, 'no notice', () => running.told.length === 0);
  running.watch.close();
  const down = setup({ timeoutMs: 30, actors: [{ ...actor('boss', 'foreman'), running: false }, actor('helper', 'peer')] });
  await down.watch.inLedger('e1', send(['@foreman']), chat);
  await waitFor(() => down.told.length === 1, 'notice');
  expect(down.told[0]).toContain('none of those it is for is running');
});

describe('addressedActors', () => {
  const actors = [actor('boss', 'foreman'), actor('helper', 'peer'), actor('qa', 'peer')];
  it('resolves CCCC’s recipient tokens to actors (empty: the foreman)', () => {
    const ids = (to: string[]) => addressedActors(to, actors).map((a) => a.id);
    expect(ids([])).toEqual(['boss']);
    expect(ids(['@all'])).toEqual(['boss', 'helper', 'qa']);
    expect(ids(['@peers'])).toEqual(['helper', 'qa']);
    expect(ids(['code helper', 'qa'])).toEqual(['helper', 'qa']);
    expect(ids(['user'])).toEqual([]);
  });
});
