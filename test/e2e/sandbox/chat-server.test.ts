/**
 * The sandbox chat page's server: the page and its state, live events, and the checks on what
 * it accepts (validated bodies, same-origin posts, loopback Host, bounded uploads, no paths).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../../electron/sandbox/chat/server';
import type { SandboxEvent, SandboxState } from '../../../electron/sandbox/chat/protocol';
import { startSandbox, type Sandbox } from '../../../electron/sandbox/index';
import { within } from '../../helpers/wait';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> =>
  fetch(new URL(path, sandbox!.chatUrl), { method: 'POST', headers, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });

/** A GET with a Host header of our choosing (fetch will not send a foreign one). */
function getWithHost(host: string): Promise<number> {
  const url = new URL(sandbox!.chatUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: url.port, path: '/api/state', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

/** What the stream sent up to and including `needle`; fails if the stream ends first. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string): Promise<string> {
  // One decoder for the whole stream: a character split across two chunks is still read whole.
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(needle)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The stream ended before "${needle}"; it sent: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe('sandbox chat page server', () => {
  it('serves the page with a strict CSP, its state, and live events', async () => {
    sandbox = await startSandbox();
    const page = await fetch(sandbox.chatUrl);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const js = await fetch(new URL('/app.js', sandbox.chatUrl));
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect((await js.text()).length).toBeGreaterThan(5_000);
    expect((await fetch(new URL('/app.css', sandbox.chatUrl))).status).toBe(200);

    const state = (await (await fetch(new URL('/api/state', sandbox.chatUrl))).json()) as SandboxState;
    expect(state.people.map((p) => p.nick)).toEqual(['张三', 'Alice', 'Bob']);
    expect(state.chats.map((c) => c.id)).toEqual(['group', 'single:zhangsan', 'single:alice', 'single:bob']);
    // Nothing secret on the page: not the sandbox app's secret, nor anything that looks like a token.
    expect(JSON.stringify(state)).not.toContain(sandbox.app.appSecret);

    const controller = new AbortController();
    const events = await fetch(new URL('/api/events', sandbox.chatUrl), { signal: controller.signal });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body!.getReader();
    const sent = await post('/api/messages', { chatId: 'group', staffId: 'alice', text: '@CCCC 助手 你好' });
    expect(sent.status).toBe(200);
    const text = await within(readUntil(reader, 'data: '), 10_000, 'a message event');
    const event = JSON.parse(text.slice(text.indexOf('data: ') + 6).split('\n')[0]!) as SandboxEvent;
    expect(event).toMatchObject({ type: 'message', message: { chatId: 'group', from: { kind: 'person', staffId: 'alice' }, toRobot: true } });
    controller.abort();
    // It waits in the fake DingTalk for a robot to connect; a group message without the @ does not.
    expect(sandbox.dingtalk.queuedCount()).toBe(1);
    expect(await (await post('/api/messages', { chatId: 'group', staffId: 'bob', text: '大家好' })).json()).toMatchObject({ toRobot: false });
    expect(sandbox.dingtalk.queuedCount()).toBe(1);
  });

  it('refuses what it must not accept', async () => {
    sandbox = await startSandbox();
    expect((await post('/api/messages', 'chatId=group', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post('/api/messages', '{not json')).status).toBe(400);
    expect((await post('/api/messages', { chatId: 'group', staffId: 'alice', text: '' })).status).toBe(400);
    expect(await (await post('/api/messages', { chatId: 'single:bob', staffId: 'alice', text: 'hi' })).json()).toMatchObject({ error: 'not_your_chat' });
    expect(await (await post('/api/messages', { chatId: 'nope', staffId: 'alice', text: 'hi' })).json()).toMatchObject({ error: 'unknown_chat' });

    const upload = (name: string, headers: Record<string, string> = { 'x-sandbox-upload': '1' }, body: Buffer = Buffer.from('x')): Promise<Response> =>
      post(`/api/upload?${new URLSearchParams({ chatId: 'single:alice', staffId: 'alice', name }).toString()}`, body, headers);
    expect((await upload('a.txt', {})).status).toBe(403);
    expect((await upload('../etc/passwd')).status).toBe(400);
    expect((await upload('a.txt', { 'x-sandbox-upload': '1' }, Buffer.alloc(0))).status).toBe(400);
    expect((await upload('big.zip', { 'x-sandbox-upload': '1' }, Buffer.alloc(MAX_UPLOAD_BYTES + 1))).status).toBe(413);
    const ok = await upload('a.html', { 'x-sandbox-upload': '1' }, Buffer.from('<script>alert(1)</script>'));
    expect(ok.status).toBe(200);
    // An uploaded page is served as a download, never as a page of this origin.
    const href = ((await ok.json()) as { body: { href: string } }).body.href;
    expect((await fetch(new URL(href, sandbox.chatUrl))).headers.get('content-type')).toBe('application/octet-stream');
    expect((await fetch(new URL('/files/000000000000000000000000/x', sandbox.chatUrl))).status).toBe(404);

    expect(await getWithHost('evil.example:80')).toBe(403);
    expect(await getWithHost(new URL(sandbox.chatUrl).host)).toBe(200);
  });
});
