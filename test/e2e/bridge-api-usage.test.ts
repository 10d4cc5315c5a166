/**
 * The API budget with a whole bridge (fake DingTalk + fake CCCC): every call it makes is counted,
 * across a restart, exactly as many as DingTalk received; past the budget nothing is dropped, the
 * 🤔 is left out, and each step is said once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Problem } from '../../electron/core/errors';
import { readUsageView } from '../../electron/core/bridge/api-usage/api-usage';
import { waitFor } from '../helpers/wait';
import { startE2E, type E2E } from './harness';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

/** Requests DingTalk received over HTTP (the WebSocket itself is no API call). */
const received = (): number => e!.dt.requests().filter((r) => r.api !== 'ws.connect').length;
const counted = async (): Promise<number> => (await e!.bridge.inspect()).apiUsage.calls;

async function conversation(text: string): Promise<void> {
  e!.say(text);
  const asked = await waitFor(async () => (await e!.fromPeople()).find((ev) => ev.data['text'] === text), `"${text}" in the ledger`);
  await e!.cccc.speak('boss', `answer to ${text}`, { to: ['user'], replyTo: asked.id });
  await e!.reply(`answer to ${text}`);
}

describe('the API budget', () => {
  it('counts every call the bridge makes, across a restart, as many as DingTalk received', async () => {
    e = await startE2E();
    await e.subscribe();
    await conversation('first question');
    await waitFor(async () => (await counted()) === received(), 'counted as received');
    const before = await counted();
    expect(before).toBeGreaterThanOrEqual(4);

    await e.restartBridge();
    await conversation('second question');
    await waitFor(async () => (await counted()) === received(), 'counted as received after the restart');
    const usage = (await e.bridge.inspect()).apiUsage;
    expect(usage.calls).toBeGreaterThan(before);
    expect(usage.byApi.map((a) => a.api)).toEqual(expect.arrayContaining(['oauth2.accessToken', 'gateway.connections.open']));

    // Stopped: the file holds what the dashboard and `status` show.
    await e.bridge.stop();
    expect((await readUsageView(e.stateDir, null)).calls).toBe(received());
  });

  it('past the budget: answers still arrive, the 🤔 is left out, and each step is said once', async () => {
    const problems: Problem[] = [];
    e = await startE2E({ settings: { monthlyApiBudget: 7 }, onBridge: (b) => b.on('problem', (p) => problems.push(p)) });
    await e.subscribe();
    // The card permission probe, the Stream ticket, the webhook replies, the first 🤔 and its answer take the calls past 7.
    await conversation('first question');
    await waitFor(() => e!.dt.emotions().some((r) => r.action === 'recall'), 'the first 🤔 taken off');
    expect((await e.bridge.inspect()).apiUsage).toMatchObject({ budget: 7, allowance: 'plain' });
    const reactionsBefore = e.dt.emotions().length;
    await conversation('over budget');
    await conversation('still over budget');
    expect(e.dt.emotions()).toHaveLength(reactionsBefore);
    expect(problems.map((p) => p.code).filter((c) => c.startsWith('dingtalk.api_budget'))).toEqual(['dingtalk.api_budget_near', 'dingtalk.api_budget_reached']);
    expect(e.log.records.find((r) => r.fields?.['code'] === 'dingtalk.api_budget_reached')?.level).toBe('warn');
    expect(e.bridge.status().lastProblem?.code).toBe('dingtalk.api_budget_reached');
  });
});
