/**
 * `npm run dev`'s Vite server (electron/sandbox/demo/dev-server.ts) in front of a real control
 * HTTP server, as `serve` runs it: the page comes from renderer/ (with React's hot-reload
 * client), API calls and the event stream pass the proxy — although that server refuses any
 * Host or Origin but its own — and the token is still required.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { startHttpServer, type ControlHttpServer } from '../../../../electron/core/control/http-server';
import type { ControlEvents } from '../../../../electron/core/control/service';
import type { ApiEvent, ApiHandlers } from '../../../../electron/shared/api';
import { devServerConfig } from '../../../../electron/sandbox/demo/dev-server';

let api: ControlHttpServer;
let vite: ViteDevServer;
let base: string;
const listeners = new Set<(e: ApiEvent) => void>();
const events: ControlEvents = {
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
const handlers = new Proxy({} as ApiHandlers, { get: (_t, method: string) => async () => (method === 'listBridges' ? [] : {}) });

beforeAll(async () => {
  api = await startHttpServer({ handlers, events, heartbeatMs: 100 });
  vite = await createServer(devServerConfig({ target: api.origin, port: 0 }));
  await vite.listen();
  const address = vite.httpServer!.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await vite?.close();
  await api?.close();
});

describe('npm run dev: the Vite server in front of serve', () => {
  it('serves the renderer from its sources, with the hot-reload client and the strict CSP', async () => {
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain('/@vite/client');
    expect(html).toContain('/@react-refresh');
    expect(html).toContain("script-src 'self';");
    expect(html.indexOf('/@react-refresh')).toBeLessThan(html.indexOf('Content-Security-Policy'));
  });

  it('passes API calls with the page token to serve, which sees its own Host and Origin', async () => {
    const call = (token: string): Promise<Response> =>
      fetch(`${base}/api/listBridges`, {
        method: 'POST',
        headers: { origin: base, 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: '{}',
      });
    const ok = await call(api.token);
    expect(await ok.json()).toEqual({ ok: true, result: [] });
    expect((await call('wrong-token')).status).toBe(401);
  });

  it('streams events through the proxy', async () => {
    const res = await fetch(`${base}/api/events?token=${encodeURIComponent(api.token)}`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const sent: ApiEvent = { type: 'navigate', view: 'logs' };
    while (!text.includes('"navigate"')) {
      if (text.includes('retry:')) for (const l of listeners) l(sent);
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    expect(text).toContain(JSON.stringify(sent));
  });
});
