/**
 * The real `cccc-dingtalk serve` (bin script, child process) against the fake DingTalk and CCCC:
 * prints where it listens, serves the API, starts autoStart bridges at launch, stops cleanly on
 * SIGTERM — and a process using the whole control stack exits on its own after close().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { groupLockDir, lockHolder } from '../../../electron/core/config/instance-lock';
import { FakeCcccDaemon } from '../../fakes/cccc/daemon';
import { startFakeDingTalk, type FakeDingTalk } from '../../fakes/dingtalk';
import { killAfter, waitFor } from '../../helpers/wait';
import { runCli } from './helpers';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'cccc-dingtalk.js');

interface Served {
  child: ChildProcess;
  origin: string;
  token: string;
  url: string;
  stderr: () => string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read loosely, field by field
  call(method: string, body: unknown): Promise<any>;
  stop(): Promise<number | null>;
}

const children: ChildProcess[] = [];
let dt: FakeDingTalk | undefined;
let cccc: FakeCcccDaemon | undefined;
let home: string | undefined;

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await dt?.close();
  await cccc?.close();
  if (home) await rm(home, { recursive: true, force: true });
  dt = cccc = home = undefined;
});

async function serve(env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const line = await waitFor(() => out.split('\n').find((l) => l.startsWith('{')), `serve to print its address\n${err}`, 15_000);
  const info = JSON.parse(line) as { url: string; origin: string; token: string };
  return {
    child,
    ...info,
    stderr: () => err,
    async call(method, body) {
      const res = await fetch(`${info.origin}/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return res.json();
    },
    stop() {
      return new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      });
    },
  };
}

describe('cccc-dingtalk serve', () => {
  it('serves the API on 127.0.0.1 with a token, starts autoStart bridges at launch, and stops cleanly on SIGTERM', async () => {
    dt = await startFakeDingTalk({ qpsLimit: 1000 });
    cccc = await FakeCcccDaemon.start();
    const groupId = await cccc.createGroup({ title: 'Demo project', actors: ['boss'] });
    home = await mkdtemp(join(tmpdir(), 'serve-home-'));
    const app = dt.apps[0]!;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      CCCC_HOME: cccc.home,
      CCCC_DINGTALK_HOME: home,
      DINGTALK_API_BASE: dt.apiBase,
      DINGTALK_OAPI_BASE: dt.oapiBase,
      DT_SECRET: app.appSecret,
    };

    const first = await serve(env);
    expect(first.url).toBe(`${first.origin}/#token=${first.token}`);
    expect(first.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${first.origin}/api/listBridges`, { method: 'POST' })).status).toBe(401);
    // The secret from an environment variable, as on a server.
    const saved = await first.call('saveBridge', { name: 'Demo', groupId, appKey: app.appKey, secretEnv: 'DT_SECRET', autoStart: true });
    expect(saved).toMatchObject({ ok: true, result: { secretSource: 'env', secretSet: true } });
    const id = saved.result.id as string;
    await first.call('startBridge', { bridgeId: id });
    await waitFor(async () => (await first.call('getBridge', { bridgeId: id })).result.status.dingtalk.status === 'connected', 'connected', 10_000);
    expect(await first.stop()).toBe(0);
    expect(await lockHolder(groupLockDir(cccc.home, groupId))).toBeUndefined();

    // Next launch: the bridge marked autoStart comes up by itself.
    const second = await serve(env);
    await waitFor(
      async () => (await second.call('getBridge', { bridgeId: id })).result.status.dingtalk.status === 'connected',
      'autoStart bridge connected',
      10_000,
    );
    expect(await second.stop()).toBe(0);
    expect(second.stderr()).not.toContain(app.appSecret);
    // The bridge's log file, as the CLI keeps it (`cccc-dingtalk logs` reads the same format).
    const logText = await readFile(join(home, 'bridges', id, 'logs', 'bridge.jsonl'), 'utf8');
    expect(logText).toContain('Stream connected');
    expect(logText).not.toContain(app.appSecret);
  }, 60_000);

  it('refuses a port that is taken, with a readable message', async () => {
    home = await mkdtemp(join(tmpdir(), 'serve-home-'));
    const env = { PATH: process.env.PATH, HOME: home, CCCC_DINGTALK_HOME: home, CCCC_HOME: join(home, 'cccc') };
    const first = await serve(env);
    const port = new URL(first.origin).port;
    const child = spawn(process.execPath, [BIN, 'serve', '--port', port], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`Error: Port ${port} is already in use`));
    const zh = await runCli(['serve', '--port', port], { ...env, LANG: 'zh_CN.UTF-8' });
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain(`Error: 端口 ${port} 已被占用\n  → 用 --port 换一个端口，或者不写 --port，自动选一个空闲端口。`);
    expect(await first.stop()).toBe(0);
  }, 30_000);

  it('refuses what is not a port, in the locale’s language', async () => {
    home = await mkdtemp(join(tmpdir(), 'serve-home-'));
    const env = { PATH: process.env.PATH, HOME: home, CCCC_DINGTALK_HOME: home, CCCC_HOME: join(home, 'cccc') };
    const en = await runCli(['serve', '--port', '70000'], env);
    expect(en.code).toBe(1);
    expect(en.stderr).toBe('Error: --port must be a port number (0–65535; 0 picks a free one)\n');
    const zh = await runCli(['serve', '--port', 'http'], { ...env, LC_ALL: 'zh_CN.UTF-8' });
    expect(zh.code).toBe(1);
    expect(zh.stderr).toBe('Error: --port 必须是端口号（0–65535；0 表示自动选一个空闲端口）\n');
  });

  it('leaves nothing running: a process that used services, server, a bridge and an event stream exits on its own after close()', async () => {
    const fixture = join(ROOT, 'test', 'e2e', 'cli', 'fixtures', 'close-all.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    let doneAt = 0;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!doneAt && out.includes('DONE')) doneAt = Date.now();
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const cancelKill = killAfter(child, 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    cancelKill();
    expect(err).toBe('');
    expect(out).toContain('DONE');
    expect(code).toBe(0);
    // Heartbeats, polls, restart timers and sockets would keep it alive for seconds at least.
    expect(Date.now() - doneAt).toBeLessThan(2_000);
  }, 30_000);
});
