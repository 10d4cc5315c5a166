// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../../electron/shared/api';
import { ApiClient } from '../../../renderer/src/api/client';
import { httpTransport, ipcTransport, takeServeToken } from '../../../renderer/src/api/transports';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A stand-in EventSource the test drives by hand. */
class FakeEventSource {
  static made: FakeEventSource[] = [];
  readonly CLOSED = 2;
  readyState = 0;
  closed = false;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeEventSource.made.push(this);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
}

describe('HTTP transport', () => {
  it('POSTs the input to /api/<method> with the bearer token and returns the ApiResponse as it came', async () => {
    const fetchImpl = vi.fn(async () => json(200, { ok: true, result: [] }));
    const t = httpTransport({ base: 'http://127.0.0.1:9', token: 'tok', fetchImpl });
    expect(await t.invoke('listBridges', {})).toEqual({ ok: true, result: [] });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:9/api/listBridges');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)['authorization']).toBe('Bearer tok');
    expect(init.body).toBe('{}');
  });

  it('passes a service problem through, hint and all', async () => {
    const problem = { code: 'dingtalk.invalid_credentials', message: 'Invalid AppKey/AppSecret', hint: 'Copy them again', retryable: false };
    const t = httpTransport({ base: '', token: 't', fetchImpl: async () => json(200, { ok: false, problem }) });
    expect(await t.invoke('testCredentials', { appKey: 'k', appSecret: 's' })).toEqual({ ok: false, problem });
  });

  it('turns transport failures into problems, never into exceptions or stacks', async () => {
    const refused = httpTransport({
      base: '',
      token: 't',
      fetchImpl: async () => json(401, { ok: false, problem: { code: 'api.unauthorized', message: 'x', retryable: false } }),
    });
    expect(await refused.invoke('vault', {})).toMatchObject({ ok: false, problem: { code: 'ui.unauthorized' } });

    const down = httpTransport({
      base: 'http://127.0.0.1:9',
      token: 't',
      fetchImpl: async () => Promise.reject(new TypeError('fetch failed\n    at stack line')),
    });
    const res = await down.invoke('vault', {});
    expect(res).toMatchObject({ ok: false, problem: { code: 'ui.unreachable', retryable: true } });
    expect(JSON.stringify(res)).not.toContain('stack line');

    const html = httpTransport({ base: '', token: 't', fetchImpl: async () => new Response('<html>', { status: 502 }) });
    expect(await html.invoke('vault', {})).toMatchObject({ ok: false, problem: { code: 'ui.bad_response' } });

    const slow = httpTransport({
      base: '',
      token: 't',
      timeoutMs: 20,
      fetchImpl: (_u, init) => new Promise((_r, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))),
    });
    expect(await slow.invoke('vault', {})).toMatchObject({ ok: false, problem: { code: 'ui.timeout' } });
  });

  it('shares one event stream between listeners and closes it after the last one leaves', () => {
    FakeEventSource.made = [];
    const t = httpTransport({ base: 'http://127.0.0.1:9', token: 'a b', eventSourceImpl: FakeEventSource as unknown as typeof EventSource });
    const states: string[] = [];
    t.onStreamState((s) => states.push(s));
    const a: ApiEvent[] = [];
    const b: ApiEvent[] = [];
    const offA = t.onEvent((e) => a.push(e));
    const offB = t.onEvent((e) => b.push(e));
    expect(FakeEventSource.made).toHaveLength(1);
    const es = FakeEventSource.made[0]!;
    expect(es.url).toBe('http://127.0.0.1:9/api/events?token=a%20b');
    es.onopen?.();
    es.onmessage?.({ data: JSON.stringify({ type: 'bridges-changed' }) });
    es.onmessage?.({ data: 'not json' });
    es.onmessage?.({ data: JSON.stringify({ no: 'type' }) });
    expect(a).toEqual([{ type: 'bridges-changed' }]);
    expect(b).toEqual(a);
    offA();
    expect(es.closed).toBe(false);
    offB();
    expect(es.closed).toBe(true);
    expect(states).toEqual(['closed', 'connecting', 'open', 'closed']);
  });
});

describe('IPC transport', () => {
  it('reports a rejected invoke as a problem without the stack', async () => {
    const t = ipcTransport({
      invoke: async () => Promise.reject(new Error('No handler registered for cccc:invoke\n    at IpcRenderer')),
      onEvent: () => () => {},
    });
    const res = await t.invoke('vault', {});
    expect(res).toEqual({ ok: false, problem: { code: 'ui.unreachable', message: 'No handler registered for cccc:invoke', retryable: true } });
  });
});

describe('ApiClient', () => {
  it('checks inputs against the contract before anything is sent', async () => {
    const invoke = vi.fn();
    const client = new ApiClient({ kind: 'ipc', invoke, onEvent: () => () => {}, onStreamState: () => () => {} });
    const res = await client.call('saveBridge', { name: '', groupId: 'g', appKey: 'k' });
    expect(res).toMatchObject({ ok: false, problem: { code: 'ui.invalid_input', details: { field: 'name' } } });
    expect(invoke).not.toHaveBeenCalled();
  });
});

describe('serve token', () => {
  it('takes the token from #token=…, keeps it for reloads, and clears it from the address bar', () => {
    history.replaceState(null, '', '/index.html?x=1#token=s3cret');
    expect(takeServeToken(location, sessionStorage, history)).toBe('s3cret');
    expect(location.hash).toBe('');
    expect(location.search).toBe('?x=1');
    expect(takeServeToken(location, sessionStorage, history)).toBe('s3cret');
    sessionStorage.clear();
    expect(takeServeToken(location, sessionStorage, history)).toBeUndefined();
  });
});
