/**
 * "Try it in the sandbox first" through the control services: startSandbox starts the sandbox
 * (and the demo group when no CCCC runs); only the sandbox's app talks to it — the app-wide
 * DingTalk endpoints are never rewritten — and stopSandbox (or closing the services) stops it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../../electron/core/errors';
import { createSandboxHost } from '../../../electron/sandbox/host';
import { rejection } from '../../helpers/problem';
import { waitFor } from '../../helpers/wait';
import { startControlWorld, type ControlWorld } from '../control/helpers';

let w: ControlWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('control services: the sandbox', () => {
  it('without a sandbox host, says the build has none', async () => {
    w = await startControlWorld();
    const err = await w.h.startSandbox({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('app.sandbox_unavailable');
  });

  it('starts the sandbox with the demo group; its app alone uses its endpoints, the app-wide ones stay', async () => {
    // No CCCC runs in this CCCC_HOME, so the sandbox brings the demo group.
    const sandboxEnv = { PATH: process.env['PATH'], CCCC_HOME: join('/nonexistent', 'cccc-home') };
    w = await startControlWorld({ service: { sandbox: createSandboxHost({ env: sandboxEnv }) } });
    await w.call('setAppSettings', { apiBase: 'https://api.dingtalk.com' });

    const sb = await w.call('startSandbox', {});
    expect(sb.chatUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(sb.appKey).toMatch(/^ding/);
    expect(sb.appSecret.length).toBeGreaterThan(6);
    expect(sb.groupId).toBeTruthy();
    expect(sb.ccccHome).toBeTruthy();
    expect(await w.call('getAppSettings', {})).toEqual({ theme: 'system', launchAtLogin: false, envSecretMode: false, apiBase: 'https://api.dingtalk.com' });
    expect((await fetch(sb.chatUrl)).ok).toBe(true);

    const test = await w.call('testCredentials', { appKey: sb.appKey, appSecret: sb.appSecret, robotCode: sb.robotCode });
    expect(test.token.state).toBe('ok');
    expect(test.stream.state).toBe('ok');
    // A bridge of the sandbox's app uses the sandbox, with no custom endpoint set anywhere.
    const bridgeId = (await w.call('saveBridge', { name: 'Sandbox', groupId: sb.groupId!, appKey: sb.appKey, appSecret: sb.appSecret, ccccHome: sb.ccccHome! }))
      .id;
    expect((await w.call('testCredentials', { bridgeId })).token.state).toBe('ok');
    const groups = await w.call('cccc', { ccccHome: sb.ccccHome! });
    expect(groups.groups.map((g) => g.groupId)).toContain(sb.groupId);

    // Started again: the same sandbox, and its public test secret is not masked.
    expect(await w.call('startSandbox', {})).toEqual(sb);

    expect(await w.call('stopSandbox', {})).toEqual({ stopped: true });
    expect((await w.call('getAppSettings', {})).apiBase).toBe('https://api.dingtalk.com');
    await expect(fetch(sb.chatUrl)).rejects.toThrow();
    expect(await w.call('stopSandbox', {})).toEqual({ stopped: false });
  });

  it("only the sandbox's own bridge talks to it; Stop sandbox stops that bridge, which never falls back to DingTalk", async () => {
    w = await startControlWorld({ service: { sandbox: createSandboxHost({ env: { PATH: process.env['PATH'], CCCC_HOME: '/nonexistent/cccc-home' } }) } });
    const realId = await w.addBridge({ name: 'Real' });
    const sb = await w.call('startSandbox', {});

    // A real bridge given the sandbox's app is still a real bridge: it asks the app-wide address (here the world's fake DingTalk).
    const real = await w.call('saveBridge', { id: realId, name: 'Real', groupId: w.groupId, appKey: sb.appKey, appSecret: sb.appSecret });
    expect(real.sandbox).toBeUndefined();
    const asked = w.dt.requests().length;
    await w.call('testCredentials', { bridgeId: realId });
    expect(w.dt.requests().length).toBeGreaterThan(asked);

    // The bridge made for the sandbox while it runs is the sandbox's.
    const own = await w.call('saveBridge', { name: 'Sandbox', groupId: sb.groupId!, ccccHome: sb.ccccHome!, appKey: sb.appKey, appSecret: sb.appSecret });
    expect(own.sandbox).toBe(true);
    await w.call('startBridge', { bridgeId: own.id });
    await waitFor(() => w!.service.supervisor.status(own.id).dingtalk.status === 'connected', 'the sandbox bridge connected');

    expect(await w.call('stopSandbox', {})).toEqual({ stopped: true });
    expect(w.service.supervisor.status(own.id).state).toBe('stopped');
    expect((await rejection(w.h.startBridge({ bridgeId: own.id }))).code).toBe('app.sandbox_stopped');
    expect((await w.call('testCredentials', { bridgeId: own.id })).token.problem?.code).toBe('app.sandbox_stopped');
  });

  it('closing the services stops the sandbox', async () => {
    const host = createSandboxHost({ env: { PATH: process.env['PATH'], CCCC_HOME: '/nonexistent/cccc-home' } });
    w = await startControlWorld({ service: { sandbox: host } });
    const sb = await w.call('startSandbox', {});
    await w.service.close();
    expect(host.info()).toBeUndefined();
    await expect(fetch(sb.chatUrl)).rejects.toThrow();
  });
});
