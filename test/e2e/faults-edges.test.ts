/**
 * Edge faults end to end: a message the bridge cannot carry (10 MB) or cannot read (poison) is
 * ACKed once and answered once, never pushed again and again; two bridges on one DingTalk app
 * from two homes; `/send @agent` while CCCC is down.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../electron/core/errors';
import { FakeCcccDaemon } from '../fakes/cccc/daemon';
import type { InjectInput } from '../fakes/dingtalk';
import { startControlWorld, type ControlWorld } from '../integration/control/helpers';
import { livePidsInLocks, runCli, startWorld, type World } from './cli/helpers';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { startE2E, textOf, type E2E } from './harness';

let e: E2E | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await e?.close();
  e = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** DingTalk pushes an un-ACKed callback again every 3 s; the fake does it every 1.5 s, up to 40 times. */
const REDELIVERY = { redeliveryDelayMs: 1_500, maxRedeliveries: 40 };
/** Reading 10 MB on a busy machine can take a second: DingTalk's own 3 s. */
const SLOW_REDELIVERY = { redeliveryDelayMs: 3_000, maxRedeliveries: 40 };

async function settled(x: E2E, msgId: string, delayMs = REDELIVERY.redeliveryDelayMs): Promise<{ deliveries: number; acks: number }> {
  const counts = () => ({ deliveries: x.dt.deliveries().filter((d) => d.msgId === msgId).length, acks: x.dt.acked().filter((a) => a.msgId === msgId).length });
  await waitFor(() => x.dt.acked().some((a) => a.msgId === msgId), 'the message ACKed', 15_000);
  // Past the next redelivery, had the ACK not counted: no further push and no further ACK.
  const atAck = counts();
  await expectQuietFor(delayMs * 1.5, 'no redelivery after the ACK', () => {
    const now = counts();
    return now.deliveries === atAck.deliveries && now.acks === atAck.acks;
  });
  return counts();
}

describe('a message the bridge cannot carry', () => {
  it('a 10 MB text is ACKed once and answered once with its length and the limit, and not forwarded', async () => {
    e = await startE2E({ dingtalk: SLOW_REDELIVERY });
    await e.subscribe();
    const huge = e.say('x'.repeat(10 * 1024 * 1024));
    await waitFor(() => e!.texts().find((t) => t.includes('消息太长：10485761 个字符，上限是 20000')), 'the answer', 20_000);
    expect(await settled(e, huge.msgId, SLOW_REDELIVERY.redeliveryDelayMs)).toEqual({ deliveries: 1, acks: 1 });
    expect(e.texts().filter((t) => t.includes('消息太长'))).toHaveLength(1);
    expect(await e.fromPeople()).toEqual([]);
  }, 45_000);

  it('a text over the configured limit is answered in the reply language, and a shorter one still flows', async () => {
    e = await startE2E({ dingtalk: REDELIVERY, settings: { maxMessageChars: 100, replyLanguage: 'en' } });
    await e.subscribe();
    const long = e.say('长'.repeat(150));
    await e.reply(/Message too long: 151 characters, the limit is 100/);
    expect(await settled(e, long.msgId)).toEqual({ deliveries: 1, acks: 1 });
    e.say('short one');
    await waitFor(async () => (await e!.fromPeople()).some((m) => m.data['text'] === 'short one'), 'short message delivered');
  });

  it('a poison message (fails validation every time) is ACKed once, answered once and set aside', async () => {
    e = await startE2E({ dingtalk: REDELIVERY });
    await e.subscribe();
    // A creation time too large for a double: it used to pass parsing and then fail the journal forever.
    const poison = e.say('poison', { createAt: `1${'0'.repeat(400)}` } as unknown as Partial<InjectInput>);
    await e.reply(/桥接无法读取这条消息/);
    const { deliveries, acks } = await settled(e, poison.msgId);
    expect(acks).toBe(1);
    expect(deliveries).toBeLessThanOrEqual(3);
    expect(e.texts().filter((t) => t.includes('桥接无法读取'))).toHaveLength(1);
    expect(await e.fromPeople()).toEqual([]);
    expect(await readFile(join(e.stateDir, 'inbound-refused.jsonl'), 'utf8')).toContain(poison.msgId);
  });
});

describe('/send @agent while CCCC is down', () => {
  const down = { services: { delivery: { slowNoticeMs: 300 }, daemonPollMs: 100 } };

  it('is queued, the person is told, and it reaches that agent once CCCC is back', async () => {
    e = await startE2E(down);
    await e.subscribe();
    await e.cccc.stopDaemon();
    e.say('/send @helper please check the build');
    await e.reply(/CCCC 没有运行.*恢复后自动送达/);
    await e.cccc.restart();
    const sent = async () => (await e!.fromPeople()).filter((m) => m.data['text'] === 'please check the build');
    const [first] = await waitFor(async () => ((await sent()).length > 0 ? sent() : undefined), 'delivered after restart', 10_000);
    expect(first!.data['to']).toEqual(['helper']);
    await expectQuietFor(
      300,
      'delivered once, the person told once',
      async () => (await sent()).length === 1 && e!.texts().filter((t) => t.includes('CCCC 没有运行')).length === 1,
    );
    expect(await sent()).toHaveLength(1);
    expect(e.texts().filter((t) => t.includes('CCCC 没有运行'))).toHaveLength(1);
  });

  it('names an unknown agent once CCCC is back, listing the agents, and sends nothing', async () => {
    e = await startE2E(down);
    await e.subscribe();
    await e.cccc.stopDaemon();
    e.say('/send @nobody hello?');
    await e.reply(/CCCC 没有运行/);
    await e.cccc.restart();
    const answer = await e.reply(/没有智能体 @nobody/);
    expect(textOf(answer)).toContain('@boss');
    expect(textOf(answer)).toContain('@helper');
    await expectQuietFor(
      300,
      'named once, nothing sent',
      async () => e!.texts().filter((t) => t.includes('没有智能体')).length === 1 && (await e!.fromPeople()).length === 0,
    );
    expect(e.texts().filter((t) => t.includes('没有智能体'))).toHaveLength(1);
    expect(await e.fromPeople()).toEqual([]);
  });
});

describe('two bridges on one DingTalk app from different homes', () => {
  it('the second is refused with the pid and homes of the first, from the CLI and from the desktop supervisor', async () => {
    const first: World = await startWorld();
    cleanups.push(() => first.close());
    expect((await first.configure()).code).toBe(0);
    const started = await first.cli(['start', '--detach'], { timeoutMs: 40_000 });
    expect(started.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);

    // Another CCCC home and another config home on the same machine, the same DingTalk app.
    const otherCccc = await FakeCcccDaemon.start();
    const otherHome = await mkdtemp(join(tmpdir(), 'cli-home-b-'));
    cleanups.push(async () => {
      // Only if the refusal failed: the second bridge must not outlive the test.
      for (const other of await livePidsInLocks(otherCccc.home)) process.kill(other, 'SIGKILL');
      await otherCccc.close();
      await rm(otherHome, { recursive: true, force: true });
    });
    const otherGroup = await otherCccc.createGroup({ title: 'Other project', actors: ['boss'] });
    const env = { ...first.env, CCCC_HOME: otherCccc.home, CCCC_DINGTALK_HOME: otherHome, HOME: otherHome };
    expect((await runCli(['set', '--group', otherGroup, '--app-key-env', 'DINGTALK_APP_KEY', '--app-secret-env', 'DINGTALK_APP_SECRET'], env)).code).toBe(0);
    const refused = await runCli(['start', '--detach'], env, 40_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`pid ${pid}`);
    expect(refused.stderr).toContain(`config home ${first.configHome}`);
    expect(refused.stderr).toContain(`CCCC home ${first.cccc.home}`);
    expect(refused.stderr).toContain(`CCCC_HOME=${first.cccc.home} CCCC_DINGTALK_HOME=${first.configHome} cccc-dingtalk stop`);

    // The desktop app's supervisor, with its own homes, pointed at the same DingTalk.
    const desktop: ControlWorld = await startControlWorld({ env: { DINGTALK_API_BASE: first.dt.apiBase, DINGTALK_OAPI_BASE: first.dt.oapiBase } });
    cleanups.push(() => desktop.close());
    const id = await desktop.addBridge();
    const err = await desktop.h.startBridge({ bridgeId: id }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('bridge.other_instance_app');
    expect((err as BridgeError).message).toContain(`pid ${pid}`);
    expect((err as BridgeError).message).toContain(first.configHome);

    // DingTalk only ever had the first bridge's connection for the app.
    expect(first.dt.connections()).toHaveLength(1);
    expect((await first.cli(['stop'], { timeoutMs: 40_000 })).code).toBe(0);
  }, 120_000);
});
