/**
 * Editing and picking bridges through the control services: a save changes only what it names
 * (an environment-variable bridge stays one), a move to another group or app says first what it
 * does to the subscriptions and restarts the bridge into the new group without replaying its
 * history, the wizard's group list says which bridge already serves a group, and chats come with
 * their names and kinds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeProfileSchema, type BridgeProfile } from '../../../electron/core/config/profile';
import { ConfigStore } from '../../../electron/core/config/store';
import { waitFor } from '../../helpers/wait';
import { startControlWorld, type ControlWorld } from './helpers';

let w: ControlWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const GROUP_CHAT = 'cidGroupChat001==';
const OTHER_CHAT = 'cidOtherChat001==';
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

  it('a bridge made with the CLI shows here, and an edit changes only what it names; a keychain secret is said to be elsewhere', async () => {
    w = await startControlWorld({ env: { CLI_KEY: '', CLI_SECRET: '' } });
    const world = w;
    Object.assign(world.env, { CLI_KEY: world.appKey, CLI_SECRET: world.appSecret });
    const config = new ConfigStore(world.configHome);
    await config.update((c) => {
      c.bridges.push(
        bridgeProfileSchema.parse({
          id: 'default',
          name: 'default',
          groupId: world.groupId,
          appKeyEnv: 'CLI_KEY',
          secret: { from: 'env', name: 'CLI_SECRET' },
          settings: { maxFileMb: 7 },
        }),
        bridgeProfileSchema.parse({ id: 'desk', name: 'Desk', groupId: 'g_other', appKey: 'dingdesk', secret: { from: 'keychain' } }),
      );
    });
    const [cli, desk] = await world.call('listBridges', {});
    expect(cli).toMatchObject({ id: 'default', appKey: world.appKey, appKeyEnv: 'CLI_KEY', secretSource: 'env', secretEnv: 'CLI_SECRET', secretSet: true });
    expect(desk).toMatchObject({ id: 'desk', secretSource: 'app', secretSet: false });
    await expect(world.call('startBridge', { bridgeId: 'desk' })).rejects.toMatchObject({
      code: 'config.secret_elsewhere',
      message: `The AppSecret of "Desk" is kept by the desktop app (in the system's keychain); it cannot be read here`,
    });

    // The name alone: everything else as it was, on disk too.
    const before = (await config.read()).bridges[0]!;
    await world.call('saveBridge', { id: 'default', name: 'Build bot' });
    expect((await config.read()).bridges[0]).toEqual({ ...before, name: 'Build bot' });
    // A typed Client ID replaces the variable; the secret's variable stays.
    const typed = await world.call('saveBridge', { id: 'default', appKey: world.appKey });
    expect(typed).toMatchObject({ appKey: world.appKey, secretSource: 'env', secretEnv: 'CLI_SECRET', settings: { maxFileMb: 7 } });
    expect(typed.appKeyEnv).toBeUndefined();
    await world.call('startBridge', { bridgeId: 'default' });
    await waitFor(() => world.service.supervisor.status('default').dingtalk.status === 'connected', 'connected');
    // Typed here, the desktop bridge's secret is kept here from now on.
    expect(await world.call('saveBridge', { id: 'desk', appSecret: 'typed-in-serve' })).toMatchObject({ secretSource: 'vault', secretSet: true });
    expect((await config.read()).bridges[1]?.secret).toEqual({ from: 'file' });
  });

  it('moving a running bridge to another group: says what happens to the subscriptions, restarts into the new group, and never replays its history', async () => {
    w = await startControlWorld();
    const world = w;
    const groupB = await world.cccc.createGroup({ title: 'Other project', actors: ['boss'] });
    const id = await world.addBridge({ name: 'Ops bridge', robotCode: world.appKey });
    await world.call('startBridge', { bridgeId: id });
    await waitFor(() => world.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
    // Two chats subscribed in the first group; one of them is subscribed in the new group too.
    for (const chat of [GROUP_CHAT, OTHER_CHAT]) {
      world.dt.injectMessage({ text: '/subscribe', conversationId: chat, conversationType: '2', conversationTitle: chat, ...ALICE });
      const [pending] = await waitFor(async () => {
        const p = (await world.call('getBridge', { bridgeId: id })).pending;
        return p.length > 0 ? p : undefined;
      }, `request of ${chat}`);
      await world.call('approvePending', { bridgeId: id, key: pending!.key });
    }
    await world.cccc.imFiles(groupB).bind(await world.cccc.addPendingKey(OTHER_CHAT, { group: groupB, platform: 'dingtalk' }));
    // The bridge has read the first group's ledger up to here; the new group has history of its own.
    await world.cccc.speak('boss', 'news from the first group');
    await waitFor(
      () => world.dt.sentMessages().some((m) => m.conversationId === GROUP_CHAT && /news from the first group/.test(JSON.stringify(m.msgParam))),
      'first group',
    );
    await world.cccc.speak('boss', 'old news of the other project', { group: groupB });

    expect(await world.call('bridgeEditImpact', { bridgeId: id, groupId: groupB })).toEqual({
      group: { from: world.groupId, to: groupB, fromTitle: 'Demo project', toTitle: 'Other project', subscribed: 2, stay: 1 },
      restarts: true,
    });
    expect(await world.call('bridgeEditImpact', { bridgeId: id, appKey: 'ding-another-app' })).toEqual({ app: { subscribed: 2 }, restarts: true });
    expect(await world.call('bridgeEditImpact', { bridgeId: id, groupId: world.groupId })).toEqual({ restarts: false });

    const saved = await world.call('saveBridge', { id, groupId: groupB });
    expect(saved).toMatchObject({ name: 'Ops bridge', groupId: groupB, appKey: world.appKey, robotCode: world.appKey, secretSource: 'vault' });
    await waitFor(() => world.service.supervisor.status(id).dingtalk.status === 'connected', 'connected to the new group');
    await world.cccc.speak('boss', 'news from the other project', { group: groupB });
    await waitFor(
      () => world.dt.sentMessages().some((m) => m.conversationId === OTHER_CHAT && /news from the other project/.test(JSON.stringify(m.msgParam))),
      'new group',
    );
    // Had it read the new group's ledger from the old group's position, the history would come first.
    expect(JSON.stringify(world.dt.sentMessages())).not.toContain('old news of the other project');
    expect(JSON.stringify(world.dt.sentMessages().filter((m) => m.conversationId === GROUP_CHAT))).not.toContain('other project');
    // The first group keeps its subscriptions, should the bridge move back.
    expect((await world.cccc.imFiles().listAuthorized()).map((a) => a['chat_id']).sort()).toEqual([GROUP_CHAT, OTHER_CHAT].sort());
  });

  it('a change another program makes to config.json reaches the page and the running bridge: a new group restarts it, settings apply live, a deletion stops it', async () => {
    w = await startControlWorld();
    const world = w;
    const groupB = await world.cccc.createGroup({ title: 'Other project', actors: ['boss'] });
    const id = await world.addBridge({ name: 'Ops bridge' });
    await world.call('startBridge', { bridgeId: id });
    await waitFor(() => world.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
    const cli = new ConfigStore(world.configHome, { host: 'cli' });
    const edit = (change: (p: BridgeProfile) => void) => cli.update((c) => change(c.bridges.find((b) => b.id === id)!));
    const restarts = () => world.logHub.query({ limit: 5_000 }).filter((r) => r.msg === 'Restarting the bridge with its new settings').length;
    const changes = () => world.events.filter((e) => e.type === 'bridges-changed').length;

    const seen = changes();
    await edit((p) => (p.settings.replyLanguage = 'en'));
    await waitFor(() => world.service.supervisor.running(id)?.settings.replyLanguage === 'en', 'the new language, live');
    expect(restarts()).toBe(0);
    expect(changes()).toBeGreaterThan(seen);

    await edit((p) => (p.groupId = groupB));
    await waitFor(() => restarts() === 1 && world.service.supervisor.status(id).dingtalk.status === 'connected', 'restarted into the new group');
    await world.cccc.speak('boss', 'hello from the other project', { group: groupB });
    await waitFor(async () => (await world.call('getBridge', { bridgeId: id })).groupTitle === 'Other project', 'serving the other project');

    await cli.update((c) => void (c.bridges = []));
    await waitFor(() => world.service.supervisor.running(id) === undefined, 'stopped once deleted');
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
