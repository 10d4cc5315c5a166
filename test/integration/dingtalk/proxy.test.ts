import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DingTalkApi } from '../../../electron/core/dingtalk/openapi-client';
import { StreamClient } from '../../../electron/core/dingtalk/stream-client';
import { startFakeDingTalk, type FakeDingTalk } from '../../fakes/dingtalk';
import { waitFor } from '../../helpers/wait';

/** A minimal forward proxy (CONNECT tunnels and absolute-URI requests) that records what it carried. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client: Socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
let dt: FakeDingTalk;
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeEach(async () => {
  dt = await startFakeDingTalk();
  proxy = await startProxy();
  delete process.env.http_proxy;
  delete process.env.no_proxy;
  process.env.HTTP_PROXY = proxy.url;
  process.env.NO_PROXY = '';
});
afterEach(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await dt.close();
  await proxy.close();
});

describe('proxy support (docs/dingtalk-protocol.md §10)', () => {
  it('sends OpenAPI calls and the Stream WebSocket through HTTP(S)_PROXY', async () => {
    const app = dt.apps[0]!;
    const endpoints = { apiBase: dt.apiBase, oapiBase: dt.oapiBase };
    const api = new DingTalkApi({ credentials: app, endpoints });
    await api.sendToGroup('cid1', { kind: 'text', content: 'via proxy' });
    const port = new URL(dt.apiBase).port;
    expect(proxy.seen.some((s) => s.includes(`127.0.0.1:${port}`))).toBe(true);
    const before = proxy.seen.length;

    const client = new StreamClient({ credentials: app, endpoints, keep: () => undefined });
    client.start();
    await waitFor(() => client.state.status === 'connected', 'connected through the proxy');
    await client.stop();
    // connections/open and the WebSocket upgrade both went through the proxy.
    // (a kept-alive tunnel may carry connections/open; the WebSocket always needs a new one.)
    expect(proxy.seen.length).toBeGreaterThanOrEqual(before + 1);
    expect(proxy.seen.every((s) => s.includes(`127.0.0.1:${port}`))).toBe(true);
    expect(dt.sentMessages()).toHaveLength(1);
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    process.env.NO_PROXY = '127.0.0.1';
    const app = dt.apps[0]!;
    const api = new DingTalkApi({ credentials: app, endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase } });
    await api.sendToGroup('cid1', { kind: 'text', content: 'direct' });
    const client = new StreamClient({ credentials: app, endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase }, keep: () => undefined });
    client.start();
    await waitFor(() => client.state.status === 'connected', 'connected directly');
    await client.stop();
    expect(proxy.seen).toEqual([]);
  });
});
