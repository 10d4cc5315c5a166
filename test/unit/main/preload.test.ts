import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT, IPC_INVOKE } from '../../../electron/shared/api';

const h = vi.hoisted(() => ({
  exposed: [] as [string, unknown][],
  invoke: vi.fn((..._args: unknown[]) => Promise.resolve({ ok: true, result: [] })),
  listeners: new Map<string, Set<(...args: unknown[]) => void>>(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => h.exposed.push([key, api]) },
  ipcRenderer: {
    invoke: h.invoke,
    on: (channel: string, fn: (...args: unknown[]) => void) => {
      if (!h.listeners.has(channel)) h.listeners.set(channel, new Set());
      h.listeners.get(channel)!.add(fn);
    },
    removeListener: (channel: string, fn: (...args: unknown[]) => void) => h.listeners.get(channel)?.delete(fn),
  },
}));

beforeEach(async () => {
  h.exposed.length = 0;
  h.listeners.clear();
  vi.resetModules();
  await import('../../../electron/preload/index');
});

describe('preload', () => {
  it('exposes window.cccc with invoke and onEvent only', () => {
    expect(h.exposed).toHaveLength(1);
    const [key, api] = h.exposed[0]!;
    expect(key).toBe('cccc');
    expect(Object.keys(api as object).sort()).toEqual(['invoke', 'onEvent']);
  });

  it('invoke goes to the one IPC channel with the method and input', async () => {
    const api = h.exposed[0]![1] as { invoke(m: string, i: unknown): Promise<unknown> };
    expect(await api.invoke('listBridges', {})).toEqual({ ok: true, result: [] });
    expect(h.invoke).toHaveBeenCalledWith(IPC_INVOKE, 'listBridges', {});
  });

  it('onEvent hands the page the event only (never the IPC event and its sender), and unsubscribes', () => {
    const api = h.exposed[0]![1] as { onEvent(l: (e: unknown) => void): () => void };
    const seen: unknown[][] = [];
    const off = api.onEvent((...args) => seen.push(args));
    const [forward] = [...h.listeners.get(IPC_EVENT)!];
    forward!({ sender: { secret: true } }, { type: 'bridges-changed' });
    expect(seen).toEqual([[{ type: 'bridges-changed' }]]);
    off();
    expect(h.listeners.get(IPC_EVENT)!.size).toBe(0);
  });

  it('bundles to CommonJS that requires nothing but electron (a sandboxed preload can load nothing else)', async () => {
    const out = await build({
      entryPoints: [join(import.meta.dirname, '../../../electron/preload/index.ts')],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      packages: 'external',
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });
});
