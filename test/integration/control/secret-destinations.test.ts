/**
 * Where an AppSecret may go: DingTalk's own https hosts; a custom endpoint only with a secret
 * typed in the same call that set it (a stored one never follows a newly set endpoint).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlWorld, type ControlWorld } from './helpers';
import { rejection } from '../../helpers/problem';

let w: ControlWorld | undefined;
let recorder: { server: Server; base: string; bodies: string[] } | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
  await new Promise((resolve) => recorder?.server.close(resolve) ?? resolve(undefined));
  recorder = undefined;
});

/** A server that keeps every request (URL and body) and answers 404. */
async function startRecorder(): Promise<NonNullable<typeof recorder>> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(`${req.url ?? ''} ${body}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"NotFound","message":"no"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe('control services: where the AppSecret may go', () => {
  it("refuses an apiBase/oapiBase that is not DingTalk's unless custom endpoint mode comes with the secret", async () => {
    w = await startControlWorld();
    recorder = await startRecorder();
    for (const url of [
      recorder.base,
      'http://api.dingtalk.com',
      'https://api.dingtalk.com.evil.test',
      'https://evil.test',
      'https://user@api.dingtalk.com',
      'https://api.dingtalk.com:8443',
    ]) {
      const p = await rejection(w.h.setAppSettings({ apiBase: url }));
      expect(p.code).toBe('config.endpoint_not_dingtalk');
      expect(p.hint).toMatch(/custom endpoint/);
    }
    expect((await rejection(w.h.setAppSettings({ oapiBase: 'https://api.dingtalk.com' }))).code).toBe('config.endpoint_not_dingtalk');
    expect(await w.call('getAppSettings', {})).toEqual({ theme: 'system', launchAtLogin: false, envSecretMode: false });
    // DingTalk's own hosts need nothing more.
    expect(await w.call('setAppSettings', { apiBase: 'https://api.dingtalk.com', oapiBase: 'https://oapi.dingtalk.com/' })).toMatchObject({
      apiBase: 'https://api.dingtalk.com',
    });
  });

  it('a custom endpoint must be https (plain http only on this machine)', async () => {
    w = await startControlWorld();
    const bridgeId = await w.addBridge();
    const p = await rejection(w.h.setAppSettings({ apiBase: 'http://dingtalk.corp.example', customEndpoint: { bridgeId, appSecret: w.appSecret } }));
    expect(p.code).toBe('config.endpoint_insecure');
    expect((await w.call('getAppSettings', {})).apiBase).toBeUndefined();
  });

  it('a stored secret never goes to a newly set custom endpoint; one typed with it, or after it, does', async () => {
    w = await startControlWorld();
    recorder = await startRecorder();
    const typed = await w.addBridge({ name: 'Typed' });
    const storedSecret = 'stored-before-the-endpoint-0123456789';
    const stored = await w.addBridge({ name: 'Stored', appKey: 'dingotherapp', appSecret: storedSecret });

    const set = await w.call('setAppSettings', {
      apiBase: recorder.base,
      oapiBase: recorder.base,
      customEndpoint: { bridgeId: typed, appSecret: w.appSecret },
    });
    expect(set.customEndpointSince).toBeGreaterThan(0);
    expect(JSON.stringify(set)).not.toContain(w.appSecret);

    const refused = await w.call('testCredentials', { bridgeId: stored });
    expect(refused.token.problem?.code).toBe('config.secret_reenter');
    await expect(w.service.supervisor.start(stored)).rejects.toMatchObject({ code: 'config.secret_reenter' });
    expect(recorder.bodies.join('\n')).not.toContain(storedSecret);

    await w.call('testCredentials', { bridgeId: typed });
    expect(recorder.bodies.join('\n')).toContain(w.appSecret);

    // Entered again after the endpoint was set: it may go there now.
    await w.call('saveBridge', { id: stored, name: 'Stored', groupId: w.groupId, appKey: 'dingotherapp', appSecret: storedSecret });
    await w.call('testCredentials', { bridgeId: stored });
    expect(recorder.bodies.join('\n')).toContain(storedSecret);

    // Back on DingTalk's hosts: custom endpoint mode ends.
    expect((await w.call('setAppSettings', { apiBase: null, oapiBase: null })).customEndpointSince).toBeUndefined();
  });
});
