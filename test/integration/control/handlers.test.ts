/**
 * Every method of the API table against the control services, with a fake DingTalk and a fake
 * CCCC daemon: results, problems, events — and never the AppSecret in any of them.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API, type ApiMethod } from '../../../electron/shared/api';
import { bridgePaths } from '../../../electron/core/config/paths';
import { FileProfileStore, secretsPath } from '../../../electron/core/control/file-stores';
import { waitFor } from '../../helpers/wait';
import { desktopNotices, everythingShown, startControlWorld, type ControlWorld } from './helpers';
import { rejection } from '../../helpers/problem';

let w: ControlWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const GROUP_CHAT = 'cidGroupChat001==';
const ALICE = { senderStaffId: 'staff-alice', senderNick: 'Alice', senderId: '$:LWCP_v1:$alice' };

describe('control services: the API table', () => {
  it('implements every method of the table', async () => {
    w = await startControlWorld();
    expect(Object.keys(w.h).sort()).toEqual((Object.keys(API) as ApiMethod[]).sort());
  });

  it('saves, lists, shows and deletes bridges; the secret is write-only and stored 0600', async () => {
    w = await startControlWorld();
    const saved = await w.call('saveBridge', {
      name: 'Demo project',
      groupId: w.groupId,
      appKey: w.appKey,
      appSecret: w.appSecret,
      settings: { replyLanguage: 'en' },
    });
    expect(saved.id).toMatch(/^demo-project-[0-9a-f]{6}$/);
    expect(saved).toMatchObject({
      name: 'Demo project',
      groupId: w.groupId,
      appKey: w.appKey,
      secretSet: true,
      secretSource: 'vault',
      autoStart: false,
      status: { state: 'stopped' },
    });
    expect(saved.settings).toMatchObject({ replyLanguage: 'en', maxFileMb: 20, access: { mode: 'everyone' } });
    expect(saved.secretUpdatedAt).toBeGreaterThan(0);
    expect(w.events).toContainEqual({ type: 'bridges-changed' });
    expect((await stat(secretsPath(w.configHome))).mode & 0o777).toBe(0o600);

    // An update without a secret keeps it; settings merge.
    const updated = await w.call('saveBridge', {
      id: saved.id,
      name: 'Renamed',
      groupId: w.groupId,
      appKey: w.appKey,
      autoStart: true,
      settings: { maxFileMb: 5 },
    });
    expect(updated).toMatchObject({ id: saved.id, name: 'Renamed', secretSet: true, autoStart: true, settings: { replyLanguage: 'en', maxFileMb: 5 } });
    expect(await w.call('listBridges', {})).toHaveLength(1);

    const detail = await w.call('getBridge', { bridgeId: saved.id });
    expect(detail.groupTitle).toBe('Demo project');
    expect(detail.actors.map((a) => [a.id, a.role])).toEqual([
      ['boss', 'foreman'],
      ['helper', 'peer'],
    ]);
    expect(detail).toMatchObject({ chats: [], pending: [], people: [] });

    // Env mode: the secret comes from a variable; the summary says whether it is set.
    const envBridge = await w.call('saveBridge', { name: 'Env', groupId: 'g_other', appKey: 'otherkey', secretEnv: 'NOT_SET_SECRET' });
    expect(envBridge).toMatchObject({ secretSource: 'env', secretEnv: 'NOT_SET_SECRET', secretSet: false });
    expect((await rejection(w.h.saveBridge({ name: 'x', groupId: 'g', appKey: 'k', appSecret: 'abcdefgh', secretEnv: 'X' }))).code).toBe(
      'config.invalid_option',
    );
    expect((await rejection(w.h.saveBridge({ id: 'nope', name: 'x', groupId: 'g', appKey: 'k' }))).code).toBe('config.unknown_bridge');

    await mkdir(bridgePaths(w.configHome, saved.id).state, { recursive: true });
    expect(await w.call('deleteBridge', { bridgeId: saved.id })).toEqual({ deleted: true });
    await expect(stat(bridgePaths(w.configHome, saved.id).dir)).rejects.toThrow();
    expect((await w.call('listBridges', {})).map((b) => b.id)).toEqual([envBridge.id]);
    expect(await readFile(secretsPath(w.configHome), 'utf8')).not.toContain(w.appSecret);
    expect((await rejection(w.h.getBridge({ bridgeId: saved.id }))).code).toBe('config.unknown_bridge');
    expect(everythingShown(w)).not.toContain(w.appSecret);
  });

  it('card template ids are checked when they change: an odd one an older version stored still saves with the rest', async () => {
    w = await startControlWorld();
    const id = await w.addBridge();
    // Older versions stored any 1–200 characters; the API only ever sends the card platform's ids.
    const store = new FileProfileStore(w.configHome);
    const stored = (await store.get(id))!;
    await store.save({ ...stored, settings: { ...stored.settings, cardTemplateId: 'my old template', buttonCardTemplateId: 'buttons v1' } });
    const form = (await w.call('getBridge', { bridgeId: id })).settings;

    // The whole form goes back, as the Settings page sends it: the API's input check takes it too.
    const saved = await w.call('saveBridge', API.saveBridge.input.parse({ id, settings: { ...form, maxFileMb: 7 } }));
    expect(saved.settings).toMatchObject({ maxFileMb: 7, cardTemplateId: 'my old template', buttonCardTemplateId: 'buttons v1' });

    for (const settings of [{ cardTemplateId: 'my new template' }, { buttonCardTemplateId: 'buttons v2' }, { cardTemplateId: '' }]) {
      const refused = await rejection(w.h.saveBridge({ id, settings: { ...form, ...settings } }));
      expect(refused).toMatchObject({ code: 'config.invalid_option', message: expect.stringContaining('卡片平台') });
      expect(refused.hint).toMatch(/card platform/);
    }
    const changed = await w.call('saveBridge', { id, settings: { ...form, cardTemplateId: 'mine-1.schema', buttonCardTemplateId: '' } });
    expect(changed.settings).toMatchObject({ cardTemplateId: 'mine-1.schema', buttonCardTemplateId: '' });
    // A new bridge has nothing stored: its ids are checked.
    expect(
      (await rejection(w.h.saveBridge({ name: 'New', groupId: 'g_new', appKey: 'k', appSecret: 'abcdefgh', settings: { cardTemplateId: 'x' } }))).code,
    ).toBe('config.invalid_option');
  });

  it('a saved bridge’s credential test counts its calls with the bridge’s own, running or not', async () => {
    w = await startControlWorld();
    const id = await w.addBridge();
    const received = (): number => w!.dt.requests().filter((r) => r.api !== 'ws.connect').length;
    const counted = async (): Promise<number> => (await w!.call('getBridge', { bridgeId: id })).apiUsage.calls;
    await w.call('testCredentials', { bridgeId: id });
    const usage = (await w.call('getBridge', { bridgeId: id })).apiUsage;
    expect(usage.byApi.map((a) => a.api).sort()).toEqual([
      'card.createAndDeliver',
      'card.streaming',
      'gateway.connections.open',
      'groupMessages.send',
      'oauth2.accessToken',
    ]);
    expect(usage.calls).toBe(received());
    await w.call('startBridge', { bridgeId: id });
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
    await w.call('testCredentials', { bridgeId: id });
    await waitFor(async () => (await counted()) === received(), 'the running bridge counts the test too');
  });

  it('starts and stops a bridge; /subscribe → pending event (who, which chat) → approve through the running bridge; chats and people', async () => {
    w = await startControlWorld();
    const id = await w.addBridge();
    const started = await w.call('startBridge', { bridgeId: id });
    expect(['starting', 'running']).toContain(started.state);
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
    expect(w.events.some((e) => e.type === 'bridge-status' && e.bridgeId === id && e.status.dingtalk.status === 'connected')).toBe(true);

    w.dt.injectMessage({ text: '/subscribe', conversationId: GROUP_CHAT, conversationType: '2', conversationTitle: 'Dev team', ...ALICE });
    const pendingEvent = await waitFor(() => w!.events.find((e) => e.type === 'pending'), 'pending event');
    expect(pendingEvent).toMatchObject({ type: 'pending', bridgeId: id, pending: { chatId: GROUP_CHAT, chatTitle: 'Dev team', senderNick: 'Alice' } });
    expect(desktopNotices(w).some((n) => n.body.includes('Alice'))).toBe(true);

    const before = await w.call('getBridge', { bridgeId: id });
    expect(before.pending).toEqual([expect.objectContaining({ chatId: GROUP_CHAT, chatTitle: 'Dev team', senderNick: 'Alice' })]);
    expect(before.people).toEqual([expect.objectContaining({ staffId: 'staff-alice', nick: 'Alice' })]);
    expect(before.chats).toEqual([expect.objectContaining({ chatId: GROUP_CHAT, title: 'Dev team', type: 'group', subscribed: false, heldCount: 0 })]);

    const key = before.pending[0]!.key;
    expect(await w.call('approvePending', { bridgeId: id, key })).toEqual({ chatId: GROUP_CHAT });
    // The running bridge confirms in the chat.
    await waitFor(() => w!.dt.sentMessages().some((m) => /订阅已批准|approved/.test(JSON.stringify(m.msgParam))), 'confirmation in the chat');
    const after = await w.call('getBridge', { bridgeId: id });
    expect(after.pending).toEqual([]);
    expect(after.chats[0]).toMatchObject({ chatId: GROUP_CHAT, subscribed: true, verbose: false, paused: false });

    const stopped = await w.call('stopBridge', { bridgeId: id });
    expect(stopped.state).toBe('stopped');
    expect(w.service.supervisor.running(id)).toBeUndefined();
    // A stopped bridge still shows what CCCC and its own files know.
    const offline = await w.call('getBridge', { bridgeId: id });
    expect(offline.chats[0]).toMatchObject({ chatId: GROUP_CHAT, subscribed: true, title: 'Dev team' });
    expect(offline.people).toHaveLength(1);

    const restarted = await w.call('restartBridge', { bridgeId: id });
    expect(['starting', 'running']).toContain(restarted.state);
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected again');
    expect(everythingShown(w)).not.toContain(w.appSecret);
  });

  it('sends a test card from a template into a subscribed chat; an unknown template, another chat and a stopped bridge are readable problems', async () => {
    w = await startControlWorld({ dingtalk: { cardTemplates: ['mine-1.schema'] } });
    const id = await w.addBridge();
    const card = { bridgeId: id, chatId: GROUP_CHAT, templateId: 'mine-1.schema' };
    expect((await rejection(w.h.sendTestCard(card))).code).toBe('bridge.not_running');
    await w.call('startBridge', { bridgeId: id });
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
    expect((await rejection(w.h.sendTestCard(card))).code).toBe('bridge.chat_not_subscribed');
    w.dt.injectMessage({ text: '/subscribe', conversationId: GROUP_CHAT, conversationType: '2', conversationTitle: 'Dev team', ...ALICE });
    const [pending] = await waitFor(async () => {
      const d = await w!.call('getBridge', { bridgeId: id });
      return d.pending.length > 0 ? d.pending : undefined;
    }, 'pending');
    await w.call('approvePending', { bridgeId: id, key: pending!.key });

    expect(await w.call('sendTestCard', card)).toEqual({ sent: true, chatId: GROUP_CHAT });
    const [sent] = w.dt.cardInstances();
    expect(sent).toMatchObject({ templateId: 'mine-1.schema', space: { type: 'IM_GROUP', id: GROUP_CHAT } });
    expect(sent!.params['markdown']).toContain('mine-1.schema');
    expect(JSON.parse(sent!.params['buttons']!)).toEqual([
      { text: '发送 /help', url: expect.stringContaining('dtmd://dingtalkclient/sendMessage'), color: 'blue' },
    ]);

    const unknown = await rejection(w.h.sendTestCard({ ...card, templateId: 'someone-elses.schema' }));
    expect(unknown).toMatchObject({ code: 'dingtalk.card_template_not_found', message: 'DingTalk does not know this card template (不存在的卡片模板)' });
    expect(API.sendTestCard.input.safeParse({ ...card, templateId: 'not a template' }).success).toBe(false);
    w.dt.setFault({ permissionDenied: { 'card.createAndDeliver': [] } });
    const denied = await rejection(w.h.sendTestCard(card));
    expect(denied.code).toBe('dingtalk.no_permission');
    expect(denied.message).toContain('Card.Instance.Write');
    expect(w.dt.cardInstances()).toHaveLength(1);
  });

  it('approves and rejects through CCCC while the bridge is stopped; an unknown key is a readable problem', async () => {
    w = await startControlWorld();
    const id = await w.addBridge();
    const k1 = await w.cccc.addPendingKey('cidChatA==');
    const k2 = await w.cccc.addPendingKey('cidChatB==');
    const detail = await w.call('getBridge', { bridgeId: id });
    expect(detail.pending.map((p) => p.key).sort()).toEqual([k1, k2].sort());
    expect(await w.call('approvePending', { bridgeId: id, key: k1 })).toEqual({ chatId: 'cidChatA==' });
    expect(await w.call('rejectPending', { bridgeId: id, key: k2 })).toEqual({ rejected: true });
    expect((await w.call('getBridge', { bridgeId: id })).pending).toEqual([]);
    const p = await rejection(w.h.rejectPending({ bridgeId: id, key: 'no-such-key' }));
    expect(p.code).toBe('cccc.pending_not_found');
    expect(p.hint).toMatch(/expired/);
  });

  it('tests credentials: token then Stream; failures carry the guide’s steps; a saved secret is never needed from the UI', async () => {
    w = await startControlWorld();
    expect(await w.call('testCredentials', { appKey: w.appKey, appSecret: w.appSecret })).toEqual({
      token: { state: 'ok' },
      permissions: { state: 'ok' },
      cards: { state: 'ok' },
      stream: { state: 'ok' },
    });
    // The Stream probe subscribes to events only: a running bridge's robot messages and card presses stay its own.
    expect(w.dt.openRequests().at(-1)?.subscriptions).toEqual([{ type: 'EVENT', topic: '*' }]);

    // The send permission is probed without delivering anything.
    w.dt.setFault({ permissionDenied: { 'groupMessages.send': ['qyapi_robot_sendmsg'] } });
    const denied = await w.call('testCredentials', { appKey: w.appKey, appSecret: w.appSecret });
    expect(denied.permissions).toMatchObject({ state: 'failed', problem: { code: 'dingtalk.no_permission', message: 'No permission: qyapi_robot_sendmsg' } });
    w.dt.clearFaults();
    expect(w.dt.sentMessages().filter((m) => m.conversationId?.startsWith('cid'))).toEqual([]);

    // The AI-card permissions likewise, without creating a card: the missing one is named.
    w.dt.setFault({ permissionDenied: { 'card.streaming': [] } });
    const noCards = await w.call('testCredentials', { appKey: w.appKey, appSecret: w.appSecret });
    expect(noCards.cards).toMatchObject({
      state: 'failed',
      problem: { code: 'dingtalk.card_permission_missing', details: { requiredScopes: ['Card.Streaming.Write'] } },
    });
    expect(noCards.permissions).toEqual({ state: 'ok' });
    w.dt.clearFaults();
    expect(w.dt.cardInstances()).toEqual([]);

    const bad = await w.call('testCredentials', { appKey: w.appKey, appSecret: 'not-the-right-secret' });
    expect(bad.token.state).toBe('failed');
    expect(bad.token.problem).toMatchObject({ code: 'dingtalk.invalid_credentials', retryable: false });
    expect(bad.token.problem?.details?.steps).toEqual([
      expect.stringMatching(/Verify the AppKey/),
      expect.stringMatching(/AppKey and AppSecret in the bridge settings/),
      expect.stringMatching(/published/),
    ]);
    expect(bad.stream).toEqual({ state: 'skipped' });
    expect(JSON.stringify(bad)).not.toContain('not-the-right-secret');

    const id = await w.addBridge();
    expect(await w.call('testCredentials', { bridgeId: id })).toEqual({
      token: { state: 'ok' },
      permissions: { state: 'ok' },
      cards: { state: 'ok' },
      stream: { state: 'ok' },
    });
    // While the bridge runs, its own connection answers (no second connection).
    await w.call('startBridge', { bridgeId: id });
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
    const opens = w.dt.openRequests().length;
    expect(await w.call('testCredentials', { bridgeId: id })).toEqual({
      token: { state: 'ok' },
      permissions: { state: 'ok' },
      cards: { state: 'ok' },
      stream: { state: 'ok', details: { runningBridge: true } },
    });
    expect(w.dt.openRequests().length).toBe(opens);

    // Stream refused while the token works: the connection problem, with network steps.
    const other = await w.addBridge({ name: 'Other', groupId: 'g_other_group' });
    w.dt.setFault({ openAuthFail: true });
    const streamBad = await w.call('testCredentials', { bridgeId: other });
    expect(streamBad.token.state).toBe('ok');
    expect(streamBad.stream).toMatchObject({ state: 'failed', problem: { code: 'dingtalk.invalid_credentials' } });
    w.dt.clearFaults();

    // No secret stored: the token check says so.
    const none = await w.call('saveBridge', { name: 'No secret', groupId: 'g_x', appKey: 'k' });
    expect(await w.call('testCredentials', { bridgeId: none.id })).toMatchObject({
      token: { state: 'failed', problem: { code: 'config.secret_missing' } },
      stream: { state: 'skipped' },
    });
    expect(everythingShown(w)).not.toContain(w.appSecret);
  });

  it('describes CCCC: running with groups and their im block (never the secret); not running; not installed', async () => {
    w = await startControlWorld({
      group: {
        title: 'With IM',
        im: {
          platform: 'dingtalk',
          enabled: false,
          dingtalk_app_key: 'dingimported',
          dingtalk_app_secret: 'plain-text-secret-in-yaml',
          dingtalk_app_secret_env: 'DT_SECRET',
          dingtalk_robot_code_env: 'DT_ROBOT',
        },
      },
    });
    const view = await w.call('cccc', {});
    expect(view).toMatchObject({ status: 'running', home: w.cccc.home, version: expect.any(String) });
    expect(view.groups).toEqual([
      expect.objectContaining({
        groupId: w.groupId,
        title: 'With IM',
        im: { enabled: false, appKey: 'dingimported', appSecretEnv: 'DT_SECRET', robotCodeEnv: 'DT_ROBOT' },
      }),
    ]);
    expect(JSON.stringify(view)).not.toContain('plain-text-secret-in-yaml');

    await w.cccc.stopDaemon();
    const down = await w.call('cccc', {});
    expect(down.status).toBe('not_running');
    expect(down.problem?.code).toBe('cccc.not_running');
    // The wizard can still import from the files.
    expect(down.groups.map((g) => g.groupId)).toEqual([w.groupId]);

    const missing = await w.call('cccc', { ccccHome: join(w.configHome, 'no-cccc-here') });
    // PATH of the test world has no `cccc`.
    expect(missing).toMatchObject({ status: 'not_installed', groups: [], problem: { code: 'cccc.not_installed' } });
  });

  it('logs: filtered by bridge, level, chat and text; exported as JSON lines; audit records of a bridge', async () => {
    w = await startControlWorld();
    const id = await w.addBridge({ settings: { auditContent: true } });
    // An authorized chat, so its message reaches CCCC.
    await w.call('approvePending', { bridgeId: id, key: await w.cccc.addPendingKey(GROUP_CHAT) });
    await w.call('startBridge', { bridgeId: id });
    await waitFor(() => w!.service.supervisor.status(id).dingtalk.status === 'connected', 'connected');
    w.dt.injectMessage({ text: 'hello there', conversationId: GROUP_CHAT, conversationType: '2', conversationTitle: 'Dev team', ...ALICE });
    await waitFor(async () => (await w!.call('audit', { bridgeId: id })).length > 0, 'an audit record');

    const all = await w.call('logs', {});
    expect(all.length).toBeGreaterThan(0);
    const mine = await w.call('logs', { bridgeId: id });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r) => r.bridgeId === id)).toBe(true);
    // One record on each side of the level filter, so it has something to keep and something to drop.
    const marker = w.logHub.logger('test');
    marker.warn('a warning the level filter keeps');
    marker.info('a note the level filter drops');
    const warnings = await w.call('logs', { level: 'warn' });
    expect(warnings.map((r) => r.msg)).toContain('a warning the level filter keeps');
    expect(warnings.map((r) => r.msg)).not.toContain('a note the level filter drops');
    expect(warnings.every((r) => r.level === 'warn' || r.level === 'error')).toBe(true);
    const search = await w.call('logs', { search: 'STREAM CONNECTED' });
    expect(search.length).toBeGreaterThan(0);
    expect(await w.call('logs', { limit: 2 })).toHaveLength(2);
    // 'Delivered to CCCC' names the chat.
    const inChat = await waitFor(async () => {
      const found = await w!.call('logs', { chatId: GROUP_CHAT });
      return found.length > 0 ? found : undefined;
    }, 'a log record about the chat');
    expect(inChat.every((r) => r.chatId === GROUP_CHAT)).toBe(true);

    const audit = await w.call('audit', { bridgeId: id, direction: 'in' });
    expect(audit[0]).toMatchObject({ direction: 'in', chatId: GROUP_CHAT, chatType: 'group' });
    expect(audit[0]).not.toHaveProperty('ref');

    const exported = await w.call('exportLogs', { bridgeId: id });
    expect(exported).toMatchObject({ path: w.host.exportPath, records: expect.any(Number) });
    const lines = (await readFile(w.host.exportPath!, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength((exported as { records: number }).records);
    expect(JSON.parse(lines[0]!)).toMatchObject({ bridgeId: id });
    w.host.exportPath = undefined;
    expect(await w.call('exportLogs', {})).toEqual({ cancelled: true });
    // For a browser on `serve`: the file comes back to be saved where the browser is, the host's path untouched.
    const download = await w.call('exportLogs', { bridgeId: id, download: true });
    expect(download).toMatchObject({ name: expect.stringMatching(new RegExp(`^cccc-dingtalk-log-${id}-.*\\.jsonl$`)), records: expect.any(Number) });
    const downloaded = (download as { jsonl: string }).jsonl.trim().split('\n');
    expect(downloaded.length).toBe((download as { records: number }).records);
    expect(JSON.parse(downloaded[0]!)).toMatchObject({ bridgeId: id });
    expect(everythingShown(w)).not.toContain(w.appSecret);
  });

  it('app settings: defaults, patch, null clears, launch at login through the host, event; vault info; external links', async () => {
    w = await startControlWorld();
    expect(await w.call('getAppSettings', {})).toEqual({ theme: 'system', launchAtLogin: false, envSecretMode: false });
    const set = await w.call('setAppSettings', { language: 'en', theme: 'dark', launchAtLogin: true, apiBase: 'https://api.dingtalk.com' });
    expect(set).toEqual({ language: 'en', theme: 'dark', launchAtLogin: true, envSecretMode: false, apiBase: 'https://api.dingtalk.com' });
    expect(w.host.launchAtLogin).toEqual([true]);
    expect(w.events).toContainEqual({ type: 'app-settings', settings: set });
    const cleared = await w.call('setAppSettings', { language: null, apiBase: null });
    expect(cleared).toEqual({ theme: 'dark', launchAtLogin: true, envSecretMode: false });
    expect(await w.call('getAppSettings', {})).toEqual(cleared);
    expect(w.host.launchAtLogin).toEqual([true]);

    expect(await w.call('vault', {})).toEqual({ backend: 'basic_text', encrypted: false });

    expect(await w.call('openExternal', { url: 'https://open-dev.dingtalk.com/fe/app' })).toEqual({ opened: true });
    expect(w.host.opened).toEqual(['https://open-dev.dingtalk.com/fe/app']);
    for (const url of ['https://evil.example.com/', 'http://open-dev.dingtalk.com/', 'file:///etc/passwd']) {
      expect((await rejection(w.h.openExternal({ url }))).code).toBe('app.url_not_allowed');
    }
    expect(w.host.opened).toHaveLength(1);
  });

  it('uses a custom DingTalk address from app settings once the AppSecret was entered with it', async () => {
    w = await startControlWorld({ env: { DINGTALK_API_BASE: 'http://127.0.0.1:9', DINGTALK_OAPI_BASE: 'http://127.0.0.1:9' } });
    const unreachable = await w.call('testCredentials', { appKey: w.appKey, appSecret: w.appSecret });
    expect(unreachable.token.problem?.code).toBe('dingtalk.network');
    expect(unreachable.token.problem?.details?.steps).toEqual(
      expect.arrayContaining([expect.stringMatching(/Check network connectivity to DingTalk \(http:\/\/127\.0\.0\.1:9\)/)]),
    );
    const bridgeId = await w.addBridge();
    await w.call('setAppSettings', { apiBase: w.dt.apiBase, oapiBase: w.dt.oapiBase, customEndpoint: { bridgeId, appSecret: w.appSecret } });
    expect((await w.call('testCredentials', { appKey: w.appKey, appSecret: w.appSecret })).token.state).toBe('ok');
    expect((await w.call('testCredentials', { bridgeId })).token.state).toBe('ok');
  });

  it('a damaged profile file is a readable problem, not a silent reset', async () => {
    w = await startControlWorld();
    // The one configuration file (app-profiles.json of older versions is only imported once, at the first read).
    await writeFile(join(w.configHome, 'config.json'), '{ not json');
    const p = await rejection(w.h.listBridges({}));
    expect(p.code).toBe('config.invalid');
    expect(p.message).toMatch(/config\.json line 1: not valid JSON/);
    await rm(join(w.configHome, 'config.json'));
    expect(await w.call('listBridges', {})).toEqual([]);
  });
});
