/**
 * Editing and picking bridges through the control services: a save changes only what it names
 * (an environment-variable bridge stays one), the wizard's group list says which bridge already
 * serves a group, and chats come with their names and kinds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { startControlWorld, type ControlWorld } from './helpers';

let w: ControlWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const GROUP_CHAT = 'cidGroupChat001==';
const SINGLE_CHAT = 'cidSingleChat01==';
const ALICE = { senderStaffId: 'staff-alice', senderNick: 'Alice', senderId: '$:LWCP_v1:$alice' };

describe('control services: editing bridges', () => {
  it('saving settings keeps what the save leaves out: an env-var bridge restarts connected', async () => {
    w = await startControlWorld({ env: { MY_DT_SECRET: '' } });
    w.env['MY_DT_SECRET'] = w.appSecret;
    const { id } = await w.call('saveBridge', {
      name: 'Env',
      groupId: w.groupId,
      appKey: w.appKey,
      secretEnv: 'MY_DT_SECRET',
      robotCode: w.appKey,
      ccccHome: w.cccc.home,
    });
    await w.call('startBridge', { bridgeId: id });
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');

    // What the settings page sends: no secretEnv, no robotCode, no ccccHome; catch-up changes, so the bridge restarts.
    const saved = await w.call('saveBridge', { id, name: 'Env', groupId: w.groupId, appKey: w.appKey, settings: { catchUp: 'end' } });
    expect(saved).toMatchObject({ secretSource: 'env', secretEnv: 'MY_DT_SECRET', secretSet: true, robotCode: w.appKey, ccccHome: w.cccc.home });
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected again');
    expect(w.service.supervisor.status(id).lastProblem?.code).not.toBe('config.secret_missing');

    // A typed secret replaces the variable; an empty RobotCode clears it.
    const typed = await w.call('saveBridge', { id, name: 'Env', groupId: w.groupId, appKey: w.appKey, appSecret: w.appSecret, robotCode: '' });
    expect(typed).toMatchObject({ secretSource: 'vault', secretSet: true });
    expect(typed.secretEnv).toBeUndefined();
    expect(typed.robotCode).toBeUndefined();
  });

  it("marks the groups another bridge serves in CCCC's group list", async () => {
    w = await startControlWorld();
    const other = await w.cccc.createGroup({ title: 'Other project', actors: ['boss'] });
    const id = await w.addBridge({ name: 'Ops bridge' });
    const view = await w.call('cccc', {});
    expect(view.groups.find((g) => g.groupId === w!.groupId)?.bridge).toEqual({ id, name: 'Ops bridge' });
    expect(view.groups.find((g) => g.groupId === other)?.bridge).toBeUndefined();
  });

  it('lists every chat with its name and kind: a group by title, a single chat by the person', async () => {
    w = await startControlWorld();
    const id = await w.addBridge();
    await w.call('startBridge', { bridgeId: id });
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
    w.dt.injectMessage({ text: 'hi', conversationId: GROUP_CHAT, conversationType: '2', conversationTitle: 'Dev team', ...ALICE });
    w.dt.injectMessage({ text: '/subscribe', conversationId: SINGLE_CHAT, conversationType: '1', ...ALICE });
    const chats = await waitFor(async () => {
      const all = await w!.call('listChats', {});
      return all.length === 2 ? all : undefined;
    }, 'both chats');
    expect(chats).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ bridgeId: id, chatId: GROUP_CHAT, title: 'Dev team', type: 'group' }),
        expect.objectContaining({ bridgeId: id, chatId: SINGLE_CHAT, type: 'single', withNick: 'Alice' }),
      ]),
    );
    // The request of the single chat says it is one.
    const detail = await waitFor(async () => {
      const d = await w!.call('getBridge', { bridgeId: id });
      return d.pending.length > 0 ? d : undefined;
    }, 'the pending request');
    expect(detail.pending[0]).toMatchObject({ chatId: SINGLE_CHAT, chatType: 'single', senderNick: 'Alice' });
  });
});
