import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../../../electron/core/errors';
import { send } from '../../../electron/core/dingtalk/http';

let server: Server | undefined;
const stalled: ServerResponse[] = [];

/** A local server: `handle` answers, or leaves the response open to stall. */
async function serve(handle: (res: ServerResponse) => void): Promise<string> {
  server = createServer((_req, res) => {
    stalled.push(res);
    handle(res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

afterEach(async () => {
  vi.useRealTimers();
  for (const res of stalled.splice(0)) res.destroy();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BridgeError);
  return err as BridgeError;
}

describe('send (deadline and cancellation)', () => {
  it('gives up on an answer that does not come by the deadline, as a network problem naming the timeout', async () => {
    const url = await serve(() => undefined);
    const err = await failure(send({ method: 'GET', url, api: 'test', timeoutMs: 100 }));
    expect(err.toProblem()).toMatchObject({ code: 'dingtalk.network', retryable: true });
    expect(err.message).toContain('TimeoutError');
  });

  it('the deadline also covers reading the body', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"a":');
    });
    const res = await send({ method: 'GET', url, api: 'test', timeoutMs: 150 });
    await expect(res.text()).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it("stops when the caller's signal aborts, as 'aborted'", async () => {
    const url = await serve(() => undefined);
    const caller = new AbortController();
    const pending = send({ method: 'GET', url, api: 'test', timeoutMs: 10_000, signal: caller.signal });
    setTimeout(() => caller.abort(), 50);
    expect((await failure(pending)).toProblem().code).toBe('aborted');
  });

  it('clears its deadline once the answer has been read, so no timer outlives a request', async () => {
    const url = await serve((res) => res.end('{"ok":true}'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const res = await send({ method: 'GET', url, api: 'test', timeoutMs: 10_000 });
    expect(await res.text()).toBe('{"ok":true}');
    await vi.waitFor(() => expect(vi.getTimerCount()).toBe(0));
  });
});
