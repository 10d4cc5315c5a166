import { afterEach, describe, expect, it } from 'vitest';
import { DaemonGroup } from '../../../../electron/core/bridge/adapters/daemon-group';
import { DaemonClient } from '../../../../electron/core/cccc/daemon';
import { FakeCcccDaemon } from '../../../../electron/sandbox/cccc/daemon';
import { DEMO_ACTORS, DEMO_CONTEXT, DEMO_FOREMAN, startDemoAgents, type DemoAgents } from '../../../../electron/sandbox/cccc/demo-agents';
import type { LedgerEvent } from '../../../../electron/sandbox/cccc/ledger';
import { waitFor } from '../../../helpers/wait';

let daemon: FakeCcccDaemon | undefined;
let agents: DemoAgents | undefined;
afterEach(async () => {
  agents?.close();
  await daemon?.close();
  agents = daemon = undefined;
});

async function demoGroup(): Promise<{ group: DaemonGroup; id: string }> {
  daemon = await FakeCcccDaemon.start();
  const id = await daemon.createGroup({ title: 'CCCC 演示项目', actors: DEMO_ACTORS, context: DEMO_CONTEXT });
  return { group: new DaemonGroup(new DaemonClient({ home: daemon.home }), id), id };
}

describe('the demo group', () => {
  it('has an objective, a focus and tasks for /context', async () => {
    const { group } = await demoGroup();
    const context = await group.context();
    expect(context.objective).toContain('登录页');
    expect(context.focus).toBeTruthy();
    expect(context.tasks.map((t) => t.status)).toEqual(['active', 'active', 'done', 'planned']);
  });

  it('answers “test results” with a table and a code block', async () => {
    const { group, id } = await demoGroup();
    agents = startDemoAgents(daemon!, { groupId: id, thinkMs: 10 });
    const said: LedgerEvent[] = [];
    daemon!.group(id).onEvent((e) => void said.push(e));
    await group.send({
      msgId: 'm1',
      text: '测试结果怎么样？',
      to: ['@foreman'],
      attachments: [],
      clientId: 'im:dingtalk:c:m1',
      sourceUserName: 'Ann',
      sourceUserId: 's1',
      mentionUserIds: [],
    });
    const answer = await waitFor(() => said.find((e) => e.kind === 'chat.message' && e.by === DEMO_FOREMAN), 'the foreman’s answer');
    const text = String(answer.data['text']);
    expect(text).toMatch(/^\|.*\|\n\|---/m);
    expect(text).toMatch(/```ts\n[\s\S]+\n```/);
  });

  it('types the status update out live: chat.stream start, growing updates, end, then the final message with its stream id', async () => {
    const { group, id } = await demoGroup();
    agents = startDemoAgents(daemon!, { groupId: id, thinkMs: 10, typeMs: 1 });
    const said: LedgerEvent[] = [];
    daemon!.group(id).onEvent((e) => void said.push(e));
    await group.send({
      msgId: 'm2',
      text: 'please fix the login page',
      to: ['@foreman'],
      attachments: [],
      clientId: 'im:dingtalk:c:m2',
      sourceUserName: 'Ann',
      sourceUserId: 's1',
      mentionUserIds: [],
    });
    const final = await waitFor(
      () => said.find((e) => e.kind === 'chat.message' && e.by === DEMO_FOREMAN && e.data['stream_id']),
      'the streamed answer',
      8_000,
    );
    const streamId = String(final.data['stream_id']);
    const frames = said.filter((e) => e.kind === 'chat.stream' && e.data['stream_id'] === streamId);
    expect(frames[0]?.data['op']).toBe('start');
    expect(frames.at(-1)?.data).toMatchObject({ op: 'end', text: final.data['text'] });
    const updates = frames.filter((e) => e.data['op'] === 'update').map((e) => String(e.data['text']));
    expect(updates.length).toBeGreaterThan(5);
    updates.forEach((text, i) => i > 0 && expect(text.startsWith(updates[i - 1]!)).toBe(true));
    expect(String(final.data['text'])).toMatch(/Status update/);
    expect(said.indexOf(final)).toBeGreaterThan(said.indexOf(frames.at(-1)!));
  });
});
