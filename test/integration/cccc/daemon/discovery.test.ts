import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../../electron/core/cccc/daemon/client';
import { connectHost, discoverEndpoint, parseDescriptor } from '../../../../electron/core/cccc/daemon/endpoint';
import { resolveCcccHome } from '../../../../electron/core/cccc/daemon/home';
import { FakeCcccDaemon } from '../../../fakes/cccc/daemon';
import { problemOf } from './helpers';

let daemon: FakeCcccDaemon | undefined;
const temps: string[] = [];

afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function emptyHome(): Promise<string> {
  const home = await mkdtemp(path.join(tmpdir(), 'cccc-empty-'));
  temps.push(home);
  return home;
}

describe('CCCC_HOME', () => {
  it('uses CCCC_HOME, expanding ~ and making it absolute', () => {
    expect(resolveCcccHome({ env: { CCCC_HOME: '/srv/cccc' }, platform: 'linux' })).toBe('/srv/cccc');
    expect(resolveCcccHome({ env: { CCCC_HOME: '~/work/cccc' }, platform: 'linux', homeDir: '/home/ann' })).toBe('/home/ann/work/cccc');
    expect(resolveCcccHome({ env: { CCCC_HOME: '  /srv/x/../cccc ' }, platform: 'linux' })).toBe('/srv/cccc');
  });

  it('defaults to ~/.cccc, and to %USERPROFILE%\\.cccc on Windows', () => {
    expect(resolveCcccHome({ env: {}, platform: 'linux', homeDir: '/home/ann' })).toBe('/home/ann/.cccc');
    expect(resolveCcccHome({ env: { CCCC_HOME: '   ' }, platform: 'darwin', homeDir: '/Users/ann' })).toBe('/Users/ann/.cccc');
    expect(resolveCcccHome({ env: { USERPROFILE: 'C:\\Users\\ann' }, platform: 'win32', homeDir: 'ignored' })).toBe('C:\\Users\\ann\\.cccc');
  });
});

describe('descriptor parsing', () => {
  it('maps wildcard and named hosts to loopback', () => {
    expect(connectHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectHost('localhost')).toBe('127.0.0.1');
    expect(connectHost('')).toBe('127.0.0.1');
    expect(connectHost('::')).toBe('127.0.0.1');
    expect(connectHost('127.0.0.1')).toBe('127.0.0.1');
  });

  it('accepts unknown fields and rejects unusable descriptors', () => {
    const ok = parseDescriptor(JSON.stringify({ v: 1, transport: 'tcp', host: 'localhost', port: 4242, pid: 7, future: { x: 1 } }));
    expect(ok).toMatchObject({ endpoint: { transport: 'tcp', host: '127.0.0.1', port: 4242 }, pid: 7 });
    for (const bad of [
      '{',
      '[]',
      '{"v":2,"transport":"unix","path":"/x"}',
      '{"v":1,"transport":"pipe"}',
      '{"v":1,"transport":"unix","path":" "}',
      '{"v":1,"transport":"tcp","port":0}',
    ]) {
      expect(parseDescriptor(bad), bad).toHaveProperty('error');
    }
  });
});

describe('discovery against the fake daemon', () => {
  it('unix: follows addr.json to the socket', async () => {
    daemon = await FakeCcccDaemon.start({ transport: 'unix' });
    const found = await discoverEndpoint(daemon.home);
    expect(found).toMatchObject({ ok: true, endpoint: { transport: 'unix', path: daemon.socketPath, source: 'descriptor' }, daemonPid: daemon.pid });
    const pong = await new DaemonClient({ home: daemon.home }).ping();
    expect(pong.pid).toBe(daemon.pid);
    expect(daemon.requests()).toMatchObject([{ op: 'ping', transport: 'unix' }]);
  });

  it('tcp: connects to the announced port, mapping 0.0.0.0 to 127.0.0.1', async () => {
    daemon = await FakeCcccDaemon.start({ transport: 'tcp', advertisedHost: '0.0.0.0' });
    const found = await discoverEndpoint(daemon.home);
    expect(found).toMatchObject({ ok: true, endpoint: { transport: 'tcp', host: '127.0.0.1', port: daemon.port } });
    await new DaemonClient({ home: daemon.home }).ping();
    expect(daemon.requests()).toMatchObject([{ op: 'ping', transport: 'tcp' }]);
  });

  it('uses the transport addr.json names when the daemon listens on both', async () => {
    daemon = await FakeCcccDaemon.start({ transport: 'both', advertise: 'tcp', advertisedHost: 'localhost' });
    await new DaemonClient({ home: daemon.home }).groups();
    expect(daemon.requests()).toMatchObject([{ op: 'groups', transport: 'tcp' }]);
  });

  it('missing addr.json on POSIX: falls back to daemon/ccccd.sock', async () => {
    daemon = await FakeCcccDaemon.start({ transport: 'unix', advertise: 'none' });
    expect(await discoverEndpoint(daemon.home, 'linux')).toMatchObject({
      ok: true,
      endpoint: { transport: 'unix', path: daemon.socketPath, source: 'fallback' },
    });
    await new DaemonClient({ home: daemon.home }).ping();
    expect(daemon.requests()).toHaveLength(1);
  });

  it('malformed addr.json: falls back to the default socket, and blames the file when that fails too', async () => {
    daemon = await FakeCcccDaemon.start({ transport: 'unix', advertise: 'none' });
    await writeFile(daemon.descriptorPath, '{"v":1,"transport":');
    const found = await discoverEndpoint(daemon.home, 'linux');
    expect(found).toMatchObject({ ok: true, endpoint: { source: 'fallback-invalid' }, descriptorProblem: 'not JSON' });
    await new DaemonClient({ home: daemon.home }).ping();

    const home = await emptyHome();
    await mkdir(path.join(home, 'daemon'));
    await writeFile(path.join(home, 'daemon', 'ccccd.addr.json'), 'garbage');
    const err = await problemOf(new DaemonClient({ home, retries: 0 }).ping());
    expect(err.code).toBe('cccc.invalid_descriptor');
    expect(err.hint).toContain('cccc daemon restart');
    expect(err.details?.['descriptorPath']).toBe(path.join(home, 'daemon', 'ccccd.addr.json'));
  });

  it('Windows: no socket fallback; a missing file means not running, a bad one is named', async () => {
    const home = await emptyHome();
    expect(await discoverEndpoint(home, 'win32')).toMatchObject({ ok: false, reason: 'missing' });
    const missing = await problemOf(new DaemonClient({ home, platform: 'win32', retries: 0 }).ping());
    expect(missing.code).toBe('cccc.not_running');
    await mkdir(path.join(home, 'daemon'));
    await writeFile(path.join(home, 'daemon', 'ccccd.addr.json'), '{"v":1,"transport":"tcp","port":0}');
    const bad = await problemOf(new DaemonClient({ home, platform: 'win32', retries: 0 }).ping());
    expect(bad.code).toBe('cccc.invalid_descriptor');
  });

  it('nothing there: "CCCC is not running — start it with `cccc`"', async () => {
    const home = await emptyHome();
    const err = await problemOf(new DaemonClient({ home, retries: 0 }).ping());
    expect(err.toProblem()).toMatchObject({
      code: 'cccc.not_running',
      message: 'CCCC is not running — start it with `cccc`',
      retryable: true,
      details: { phase: 'connect', written: false, errno: 'ENOENT' },
    });
    expect(err.hint).toContain('cccc');
  });

  it('a stale descriptor pointing at a closed port reads as not running', async () => {
    const home = await emptyHome();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await mkdir(path.join(home, 'daemon'));
    await writeFile(path.join(home, 'daemon', 'ccccd.addr.json'), JSON.stringify({ v: 1, transport: 'tcp', host: '127.0.0.1', port, pid: 1 }));
    const err = await problemOf(new DaemonClient({ home, retries: 0 }).ping());
    expect(err.code).toBe('cccc.not_running');
    expect(err.details).toMatchObject({ errno: 'ECONNREFUSED', endpoint: `127.0.0.1:${port}` });
  });
});
