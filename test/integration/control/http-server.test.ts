/**
 * The HTTP + server-sent-events face of the control services (`cccc-dingtalk serve`): token on
 * every API request, readable validation errors, unknown methods, events that arrive, the
 * static UI with a strict CSP — and no way in for other sites.
 */
import { request as httpRequest } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../electron/shared/api';
import { startHttpServer, type ControlHttpServer } from '../../../electron/core/control/http-server';
import { waitFor, within } from '../../helpers/wait';
import { startControlWorld, type ControlWorld } from './helpers';

let w: ControlWorld;
let server: ControlHttpServer;
let root: string;
let staticDir: string;

beforeEach(async () => {
  w = await startControlWorld();
  root = await mkdtemp(join(tmpdir(), 'serve-root-'));
  staticDir = join(root, 'renderer');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>CCCC DingTalk Bridge</title><script type="module" src="./assets/app.js"></script>');
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log("app")');
  // Beside the UI's folder: a path that climbs out of it would find this.
  await writeFile(join(root, 'outside.txt'), 'not for the web');
  server = await startHttpServer({ handlers: w.service.handlers, events: w.service.events, staticDir, heartbeatMs: 100, maxBodyBytes: 64 * 1024 });
});

afterEach(async () => {
  await server.close();
  await w.close();
  await rm(root, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read loosely, field by field
type LooseBody = any;

async function api(
  method: string,
  body: unknown,
  init: { token?: string | null; headers?: Record<string, string>; raw?: string; verb?: string } = {},
): Promise<{ status: number; body: LooseBody; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  const token = init.token === undefined ? server.token : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.origin}/api/${method}`, {
    method: init.verb ?? 'POST',
    headers,
    ...(init.verb === 'GET' ? {} : { body: init.raw ?? JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** A raw request, to send the Host and Origin headers fetch would not let us set. */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads server-sent events into `into` until aborted. */
async function listen(url: string, into: ApiEvent[], comments: string[], signal: AbortSignal): Promise<Response> {
  const res = await fetch(url, { signal });
  const reader = res.body!.getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += Buffer.from(value!).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) into.push(JSON.parse(line.slice(6)) as ApiEvent);
            else if (line.startsWith(':')) comments.push(line);
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  return res;
}

describe('HTTP server of `serve`', () => {
  it('listens on 127.0.0.1 and prints a URL with the token in the fragment', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toBe(`${server.origin}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('answers a method with {ok, result}; the token is required (header or ?token=) and compared exactly', async () => {
    const ok = await api('listBridges', {});
    expect(ok).toMatchObject({ status: 200, body: { ok: true, result: [] } });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();

    for (const token of [null, '', 'wrong', `${server.token}x`, server.token.slice(0, -1)]) {
      const res = await api('listBridges', {}, { token });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ ok: false, problem: { code: 'api.unauthorized' } });
    }
    const viaQuery = await fetch(`${server.origin}/api/vault?token=${encodeURIComponent(server.token)}`, { method: 'POST' });
    expect(viaQuery.status).toBe(200);
    expect(await viaQuery.json()).toEqual({ ok: true, result: { backend: 'basic_text', encrypted: false } });
  });

  it('rejects invalid input with 400 and a readable message; unknown methods with 404; other verbs with 405', async () => {
    const missing = await api('getBridge', {});
    expect(missing.status).toBe(400);
    expect(missing.body.problem.code).toBe('api.invalid_input');
    expect(missing.body.problem.message).toMatch(/^Invalid input for getBridge: bridgeId: /);
    expect(missing.body.problem.details.issues[0].path).toEqual(['bridgeId']);

    const extra = await api('listBridges', { surprise: 1 });
    expect(extra.status).toBe(400);
    expect(extra.body.problem.message).toMatch(/surprise/);

    const badSettings = await api('saveBridge', { name: 'x', groupId: 'g', appKey: 'k', settings: { maxFileMb: 99999 } });
    expect(badSettings.status).toBe(400);
    expect(badSettings.body.problem.message).toMatch(/settings\.maxFileMb/);

    const notJson = await api('listBridges', undefined, { raw: '{oops' });
    expect(notJson).toMatchObject({ status: 400, body: { problem: { code: 'api.invalid_json' } } });

    const wrongType = await api('listBridges', undefined, { raw: '{}', headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);

    expect((await api('nope', {})).status).toBe(404);
    expect((await api('nope', {})).body.problem.code).toBe('api.unknown_method');
    expect((await api('constructor', {})).status).toBe(404);
    expect((await api('__proto__', {})).status).toBe(404);
    expect((await api('listBridges', undefined, { verb: 'GET' })).status).toBe(405);
  });

  it('bounds the request body', async () => {
    const big = await api('saveBridge', { name: 'x', groupId: 'g', appKey: 'k', pad: 'x'.repeat(100 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body.problem.code).toBe('api.too_large');
  });

  it("gives a handler's problem as {ok:false, problem} — code, message, hint — never a stack", async () => {
    const res = await api('getBridge', { bridgeId: 'missing' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: false,
      problem: { code: 'config.unknown_bridge', message: 'No bridge "missing"', hint: expect.any(String), retryable: false },
    });
    const url = await api('openExternal', { url: 'https://evil.example.com/' });
    expect(url.body.problem.code).toBe('app.url_not_allowed');
  });

  it('streams ApiEvents as server-sent events, with heartbeats; the stream needs the token too', async () => {
    const denied = await fetch(`${server.origin}/api/events`);
    expect(denied.status).toBe(401);

    const events: ApiEvent[] = [];
    const comments: string[] = [];
    const abort = new AbortController();
    const res = await listen(`${server.origin}/api/events?token=${encodeURIComponent(server.token)}`, events, comments, abort.signal);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const saved = await api('saveBridge', { name: 'Demo', groupId: w.groupId, appKey: w.appKey, appSecret: w.appSecret });
    const id = saved.body.result.id as string;
    await waitFor(() => events.some((e) => e.type === 'bridges-changed'), 'bridges-changed');
    await api('setAppSettings', { theme: 'dark' });
    await waitFor(() => events.some((e) => e.type === 'app-settings'), 'app-settings');
    await api('startBridge', { bridgeId: id });
    await waitFor(
      () => events.some((e) => e.type === 'bridge-status' && e.bridgeId === id && e.status.dingtalk.status === 'connected'),
      'bridge-status connected',
    );
    await waitFor(() => events.some((e) => e.type === 'log'), 'a log event');
    await waitFor(() => comments.length >= 2, 'heartbeats');
    expect(JSON.stringify(events)).not.toContain(w.appSecret);
    abort.abort();
  });

  it('serves the built UI with a strict CSP, falls back to the page for client routes, and never leaves its folder', async () => {
    const page = await fetch(`${server.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('CCCC DingTalk Bridge');

    const js = await fetch(`${server.origin}/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-security-policy')).toBe(csp);

    expect(await (await fetch(`${server.origin}/settings/bridges`)).text()).toContain('CCCC DingTalk Bridge');
    expect((await fetch(`${server.origin}/assets/missing.js`)).status).toBe(404);
    for (const path of [
      '/../outside.txt',
      '/%2e%2e/outside.txt',
      '/assets/..%2f..%2foutside.txt',
      '/..%2foutside.txt',
      '/..%5coutside.txt',
      '/assets/%2e%2e/%2e%2e/outside.txt',
    ]) {
      const res = await rawGet(path, { host: `127.0.0.1:${server.port}` });
      expect(res.body).not.toContain('not for the web');
    }
  });

  it('refuses other origins and other host names (no CORS, no DNS rebinding)', async () => {
    const foreign = await api('listBridges', {}, { headers: { origin: 'https://evil.example.com' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const own = await api('listBridges', {}, { headers: { origin: server.origin } });
    expect(own.status).toBe(200);
    const preflight = await fetch(`${server.origin}/api/listBridges`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect((await rawGet('/', { host: 'evil.example.com' })).status).toBe(403);
    expect((await rawGet('/', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('close() ends the event streams and the server', async () => {
    const events: ApiEvent[] = [];
    const res = await listen(`${server.origin}/api/events?token=${encodeURIComponent(server.token)}`, events, [], new AbortController().signal);
    expect(res.status).toBe(200);
    await server.close();
    await expect(fetch(`${server.origin}/api/listBridges`, { method: 'POST' })).rejects.toThrow();
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = await startHttpServer({ handlers: w.service.handlers, events: w.service.events, staticDir: join(staticDir, 'not-built') });
    try {
      const res = await fetch(`${bare.origin}/`);
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/npm run build/);
    } finally {
      await bare.close();
    }
  });

  /**
   * A raw TCP client that reads what the server sends: a server that gives up on a connection may
   * first answer `408 Request Timeout` (Node's own headers timeout does), and a socket nobody reads
   * never sees the end behind those bytes — it would wait for `close` forever.
   */
  function rawClient(port: number, sockets: Socket[]): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let received = '';
      const socket = createConnection({ host: '127.0.0.1', port }, () => resolve({ socket, received: () => received, closed }));
      const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now() - started)));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('error', () => undefined);
      socket.once('error', reject);
      sockets.push(socket);
    });
  }

  it('drops a connection that sends no request, or only part of one, soon after the headers timeout', async () => {
    const tight = await startHttpServer({ handlers: w.service.handlers, events: w.service.events, headersTimeoutMs: 300 });
    const sockets: Socket[] = [];
    try {
      const idle = await rawClient(tight.port, sockets);
      const slow = await rawClient(tight.port, sockets);
      slow.socket.write('GET /api/listBridges HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // headers never finished
      // Closed within a few multiples of the headers timeout, not left open; at most a 408 first.
      for (const client of [idle, slow]) {
        expect(await within(client.closed, 10_000, 'the server closing a silent connection')).toBeLessThan(3_000);
        expect(client.received()).toMatch(/^(HTTP\/1\.1 408 Request Timeout\r\n[^]*)?$/);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await tight.close();
    }
  });

  it('refuses a connection over the cap at once, while the others stay open', async () => {
    // Held connections send nothing: a headers timeout far beyond the test keeps them open until close().
    const tight = await startHttpServer({ handlers: w.service.handlers, events: w.service.events, headersTimeoutMs: 60_000, maxConnections: 4 });
    const sockets: Socket[] = [];
    try {
      const held = await Promise.all([1, 2, 3, 4].map(() => rawClient(tight.port, sockets)));
      // The server accepts in arrival order: the fifth is the one over the cap.
      const extra = await rawClient(tight.port, sockets);
      await within(extra.closed, 10_000, 'the connection over the cap being closed');
      expect(extra.received()).toBe('');
      expect(held.map((h) => h.socket.readyState)).toEqual(['open', 'open', 'open', 'open']);
    } finally {
      for (const s of sockets) s.destroy();
      await tight.close();
    }
  });

  it('opens event streams only after auth, and no more than the cap', async () => {
    const tight = await startHttpServer({ handlers: w.service.handlers, events: w.service.events, maxStreams: 1 });
    const abort = new AbortController();
    try {
      expect((await fetch(`${tight.origin}/api/events`)).status).toBe(401);
      const first = await fetch(`${tight.origin}/api/events?token=${encodeURIComponent(tight.token)}`, { signal: abort.signal });
      expect(first.status).toBe(200);
      const second = await fetch(`${tight.origin}/api/events?token=${encodeURIComponent(tight.token)}`);
      expect(second.status).toBe(503);
      expect(((await second.json()) as { problem: { code: string } }).problem.code).toBe('api.too_many_streams');
    } finally {
      abort.abort();
      await tight.close();
    }
  });
});
