/** The call path IPC and HTTP share: validate → handler → ApiResponse, with each transport's wording of refusals. */
import { describe, expect, it } from 'vitest';
import { API, type ApiHandlers, type ApiMethod } from '../../../electron/shared/api';
import { dispatchCall, toResponse, type Transport } from '../../../electron/core/control/dispatch';
import { BridgeError } from '../../../electron/core/errors';
import { memoryLogger } from '../../../electron/core/log/logger';

function handlers(over: Partial<Record<ApiMethod, (input: unknown) => Promise<unknown>>> = {}): { h: ApiHandlers; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const h = Object.fromEntries(
    (Object.keys(API) as ApiMethod[]).map((m) => [
      m,
      async (input: unknown) => {
        calls.push([m, input]);
        return over[m] ? over[m](input) : { method: m };
      },
    ]),
  ) as unknown as ApiHandlers;
  return { h, calls };
}

const call = (transport: Transport, h: ApiHandlers, name: unknown, payload: unknown) =>
  dispatchCall({ handlers: h, transport, log: memoryLogger() }, name, payload);

describe('dispatchCall', () => {
  it('calls the handler with the parsed input and answers its result', async () => {
    const { h, calls } = handlers();
    const r = await call('http', h, 'saveBridge', { name: '  Alpha ', groupId: 'g', appKey: 'k' });
    expect(r).toEqual({ ok: true, result: { method: 'saveBridge' } });
    expect(toResponse(r)).toEqual({ ok: true, result: { method: 'saveBridge' } });
    // Parsed, not raw: the schema trims.
    expect(calls).toEqual([['saveBridge', { name: 'Alpha', groupId: 'g', appKey: 'k' }]]);
  });

  it('refuses an unknown method in the namespace of its transport, without calling anything', async () => {
    const { h, calls } = handlers();
    for (const name of ['nope', '__proto__', 'toString', 42, undefined]) {
      expect(await call('ipc', h, name, {})).toMatchObject({ ok: false, reason: 'unknown_method', problem: { code: 'ipc.unknown_method' } });
      expect(await call('http', h, name, {})).toMatchObject({ ok: false, reason: 'unknown_method', problem: { code: 'api.unknown_method' } });
    }
    expect(calls).toEqual([]);
  });

  it('words invalid input per transport: paths only for the app, the issues spelled out for HTTP — never the values', async () => {
    const { h, calls } = handlers();
    const input = { name: '', groupId: 'g', appKey: 'k', appSecret: 'x'.repeat(300) };
    const ipc = await call('ipc', h, 'saveBridge', input);
    expect(ipc).toMatchObject({
      ok: false,
      reason: 'invalid_input',
      problem: { code: 'ipc.invalid_input', message: 'Invalid input for saveBridge', retryable: false },
    });
    const ipcPaths = (ipc as unknown as { problem: { details: { issues: { path: string }[] } } }).problem.details.issues.map((i) => i.path);
    expect(ipcPaths).toEqual(expect.arrayContaining(['name', 'appSecret']));
    const http = await call('http', h, 'saveBridge', input);
    expect(http).toMatchObject({ ok: false, reason: 'invalid_input', problem: { code: 'api.invalid_input' } });
    const problem = (http as unknown as { problem: { message: string; details: { issues: { path: string[] }[] } } }).problem;
    expect(problem.message).toMatch(/^Invalid input for saveBridge: .*name: .*appSecret: /);
    expect(problem.details.issues.map((i) => i.path)).toEqual(expect.arrayContaining([['name'], ['appSecret']]));
    for (const r of [ipc, http]) expect(JSON.stringify(r)).not.toContain('x'.repeat(300));
    expect(calls).toEqual([]);
  });

  it("answers a handler's BridgeError as its problem, and anything else as an unexpected failure without its stack", async () => {
    const { h } = handlers({
      startBridge: async () => {
        throw new BridgeError({ code: 'dingtalk.invalid_credentials', message: 'Invalid AppKey/AppSecret', hint: 'Copy them again', retryable: false });
      },
      vault: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at secretThing (/opt/app/main.js:1:1)");
      },
    });
    expect(await call('http', h, 'startBridge', { bridgeId: 'b1' })).toEqual({
      ok: false,
      reason: 'failed',
      problem: { code: 'dingtalk.invalid_credentials', message: 'Invalid AppKey/AppSecret', hint: 'Copy them again', retryable: false },
    });
    const unexpected = await call('ipc', h, 'vault', {});
    expect(unexpected).toEqual({
      ok: false,
      reason: 'unexpected',
      problem: { code: 'internal', message: "Cannot read properties of undefined (reading 'x')", retryable: true },
    });
    expect(toResponse(unexpected)).toEqual({
      ok: false,
      problem: { code: 'internal', message: "Cannot read properties of undefined (reading 'x')", retryable: true },
    });
  });
});
