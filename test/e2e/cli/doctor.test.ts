import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PythonFlock } from '../../../electron/core/cccc/im-state/flock';
import { startWorld, type World } from './helpers';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

interface Check {
  id: string;
  status: 'ok' | 'fail' | 'skip' | 'note';
  message: string;
  code?: string;
  hint?: string;
  steps?: string[];
}

async function doctor(world: World, env: NodeJS.ProcessEnv = {}, extra: string[] = []): Promise<{ code: number | null; checks: Record<string, Check> }> {
  const res = await world.cli(['doctor', '--json', ...extra], { env });
  const report = JSON.parse(res.stdout) as { ok: boolean; checks: Check[] };
  expect(report.ok).toBe(res.code === 0);
  return { code: res.code, checks: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
}

describe('cccc-dingtalk doctor explains what fails', () => {
  it('bad credentials: the guide\'s "Invalid appkey" steps, naming the variables', async () => {
    w = await startWorld();
    await w.configure();
    const { code, checks } = await doctor(w, { DINGTALK_APP_SECRET: 'wrong-secret-value' });
    expect(code).toBe(1);
    expect(checks['cccc']?.status).toBe('ok');
    expect(checks['credentials']).toMatchObject({ status: 'fail', code: 'dingtalk.invalid_credentials', message: 'Invalid AppKey/AppSecret' });
    expect(checks['credentials']?.steps).toEqual([
      expect.stringContaining('Verify the AppKey'),
      'Check the environment variables are set correctly: DINGTALK_APP_KEY and DINGTALK_APP_SECRET (in the shell that starts the bridge)',
      expect.stringContaining('Ensure the application is published'),
    ]);
    expect(checks['stream']?.status).toBe('skip');
    const human = await w.cli(['doctor'], { env: { DINGTALK_APP_SECRET: 'wrong-secret-value' } });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('✗ Invalid AppKey/AppSecret');
    expect(human.stdout).toMatch(/ {4}1\. Verify the AppKey/);
    expect(human.stdout).toContain('1 check failed.');
    expect(human.stdout + human.stderr).not.toContain('wrong-secret-value');
  }, 30_000);

  it('AI cards: allowed, or a note (not a failure) naming the permissions to add', async () => {
    w = await startWorld();
    await w.configure();
    expect((await doctor(w)).checks['cards']).toMatchObject({ status: 'ok' });
    w.dt.setFault({ permissionDenied: { 'card.createAndDeliver': ['Card.Instance.Write'], 'card.streaming': ['Card.Streaming.Write'] } });
    const missing = await doctor(w);
    expect(missing.code).toBe(0);
    expect(missing.checks['cards']).toMatchObject({ status: 'note', code: 'dingtalk.card_permission_missing' });
    expect(missing.checks['cards']?.hint).toContain('Card.Instance.Write, Card.Streaming.Write');
    expect(w.dt.cardInstances()).toEqual([]);
  }, 30_000);

  it('a server error that echoes the AppSecret is printed masked, in words and in JSON', async () => {
    w = await startWorld();
    await w.configure();
    const secret = 'echoed-secret-value-0123456789';
    // A server that puts what it was sent into its error text.
    const echo = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () =>
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: 'InvalidParameter', message: `bad request ${body} for ${secret}` })),
      );
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const env = { DINGTALK_APP_SECRET: secret, DINGTALK_API_BASE: base, DINGTALK_OAPI_BASE: base };
      const human = await w.cli(['doctor'], { env });
      expect(human.stdout).toContain('✗ DingTalk rejected the request: InvalidParameter (bad request');
      expect(human.stdout).toContain('***');
      const json = await w.cli(['doctor', '--json'], { env });
      expect(JSON.parse(json.stdout).checks.find((c: Check) => c.id === 'credentials').message).toMatch(
        /^DingTalk rejected the request: InvalidParameter \(bad request .*\*\*\*/,
      );
      expect(human.stdout + human.stderr + json.stdout + json.stderr).not.toContain(secret);
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  }, 30_000);

  it('a missing variable, CCCC not running, and an unknown group', async () => {
    w = await startWorld();
    await w.configure();
    const missing = await doctor(w, { DINGTALK_APP_KEY: '' });
    expect(missing.checks['credentials']).toMatchObject({
      status: 'fail',
      code: 'config.env_missing',
      message: 'DINGTALK_APP_KEY is not set — export it before `cccc-dingtalk doctor`',
    });

    await w.cli(['set', '--group', 'g_000000000000']);
    const unknown = await doctor(w);
    expect(unknown.code).toBe(1);
    expect(unknown.checks['group']).toMatchObject({ status: 'fail', code: 'cccc.group_not_found' });
    expect(unknown.checks['group']?.steps?.[0]).toContain('`cccc groups` lists the groups');
    expect(unknown.checks['credentials']?.status).toBe('ok');
    expect(unknown.checks['cccc_bridge']?.status).toBe('skip');

    await w.cli(['set', '--group', w.groupId]);
    await w.cccc.stopDaemon();
    const down = await doctor(w);
    expect(down.code).toBe(1);
    expect(down.checks['cccc']).toMatchObject({ status: 'fail', code: 'cccc.not_running', message: 'CCCC is not running — start it with `cccc`' });
    expect(down.checks['group']?.status).toBe('skip');
    // What does not need CCCC is still checked.
    expect(down.checks['credentials']?.status).toBe('ok');
    expect(down.checks['stream']?.status).toBe('ok');
  }, 30_000);

  it("CCCC's own bridge: enabled in group.yaml, or running (its lock held, its pid alive)", async () => {
    w = await startWorld({ cccc: { im: { platform: 'dingtalk', enabled: true } } });
    await w.configure();
    const enabled = await doctor(w);
    expect(enabled.code).toBe(1);
    expect(enabled.checks['cccc_bridge']).toMatchObject({ status: 'fail', code: 'cccc.own_bridge_enabled' });
    expect(enabled.checks['cccc_bridge']?.hint).toContain(`cccc im stop --group ${w.groupId}`);

    const running = await w.cccc.createGroup({ title: 'Running', actors: ['lead'], im: { platform: 'dingtalk', enabled: false } });
    await w.cli(['set', '--group', running]);
    const state = join(w.cccc.groupDir(running), 'state');
    // A live process in CCCC's pid file, holding CCCC's bridge lock (as CCCC's bridge does, with flock).
    await writeFile(join(state, 'im_bridge.pid'), `${process.pid}\n`);
    await writeFile(join(state, 'im_bridge.lock'), `${process.pid}\n`);
    const world = w;
    const held = await new PythonFlock().withLock(join(state, 'im_bridge.lock'), () => doctor(world));
    expect(held.code).toBe(1);
    expect(held.checks['cccc_bridge']).toMatchObject({
      status: 'fail',
      code: 'cccc.own_bridge_running',
      message: `CCCC's own DingTalk bridge is running for this group (pid ${process.pid}).`,
    });
    expect(held.checks['cccc_bridge']?.hint).toBe(`Stop it with \`cccc im stop --group ${running}\`, then start this bridge.`);

    // Released: a pid file alone proves nothing (pids are recycled).
    const free = await doctor(w);
    expect(free.code).toBe(0);
    expect(free.checks['cccc_bridge']?.status).toBe('ok');
  }, 30_000);
});

describe('cccc-dingtalk doctor with no bridge configured', () => {
  interface MachineReport {
    ok: boolean;
    checks: Check[];
    setup: string;
  }
  async function machine(world: World, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; report: MachineReport; byId: (id: string) => Check[] }> {
    const res = await world.cli(['doctor', '--json'], { env });
    expect(res.stderr).toBe('');
    const report = JSON.parse(res.stdout) as MachineReport;
    return { code: res.code, report, byId: (id) => report.checks.filter((c) => c.id === id) };
  }

  it("checks CCCC, its groups and Python, and gives the exact `set` command with the names CCCC's settings use", async () => {
    w = await startWorld({
      cccc: { im: { platform: 'dingtalk', enabled: false, dingtalk_app_key_env: 'CORP_DT_KEY', dingtalk_app_secret_env: 'CORP_DT_SECRET' } },
    });
    const { code, report, byId } = await machine(w);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(byId('cccc')[0]).toMatchObject({ status: 'ok', message: expect.stringContaining(`CCCC_HOME ${w.cccc.home}`) });
    expect(byId('groups')[0]).toMatchObject({ status: 'ok', message: `CCCC has 1 working group: ${w.groupId} ("Demo project", running)` });
    expect(byId('python')[0]?.status).toBe('ok');
    expect(byId('cccc_bridge')[0]?.status).toBe('ok');
    expect(byId('config')[0]).toMatchObject({ status: 'fail', code: 'config.no_bridge' });
    const command = `cccc-dingtalk set --group ${w.groupId} --app-key-env CORP_DT_KEY --app-secret-env CORP_DT_SECRET`;
    expect(report.setup).toBe(command);

    const human = await w.cli(['doctor']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('✗ No bridge is configured yet');
    expect(human.stdout).toContain('export CORP_DT_KEY=<Client ID> CORP_DT_SECRET=<Client Secret>');
    expect(human.stdout).toContain(`2. \`${command}\``);

    // The printed command works as printed.
    const set = await w.cli(command.split(' ').slice(1));
    expect(set.code).toBe(0);
    expect((await w.cli(['doctor', '--json'])).stdout).toContain('"id": "credentials"');
  }, 30_000);

  it('no Python for the lock helper: says what to install', async () => {
    w = await startWorld();
    const emptyPath = await mkdtemp(join(tmpdir(), 'cli-no-python-'));
    try {
      const { byId } = await machine(w, { PATH: emptyPath });
      expect(byId('python')[0]).toMatchObject({ status: 'fail', code: 'cccc.python_missing', hint: expect.stringContaining('Install Python 3') });
      expect(byId('cccc')[0]?.status).toBe('ok');
    } finally {
      await rm(emptyPath, { recursive: true, force: true });
    }
  }, 30_000);

  it('CCCC not running: says so, and still names the groups it has on disk', async () => {
    w = await startWorld();
    await w.cccc.stopDaemon();
    const { code, report, byId } = await machine(w);
    expect(code).toBe(1);
    expect(byId('cccc')[0]).toMatchObject({ status: 'fail', code: 'cccc.not_running' });
    expect(byId('groups')[0]).toMatchObject({ status: 'skip', message: expect.stringContaining(w.groupId) });
    expect(report.setup).toBe(`cccc-dingtalk set --group ${w.groupId} --app-key-env DINGTALK_APP_KEY --app-secret-env DINGTALK_APP_SECRET`);
  }, 30_000);

  it("names the bridges already running here — ours and CCCC's own — and proposes a group neither serves", async () => {
    w = await startWorld();
    await w.configure();
    const start = await w.cli(['start', '--detach']);
    expect(start.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(start.stdout)?.[1]);
    const cccc = await w.cccc.createGroup({ title: 'CCCC bridged', actors: ['lead'], im: { platform: 'dingtalk', enabled: true } });
    const free = await w.cccc.createGroup({ title: 'Free', actors: ['lead'] });

    const empty = await mkdtemp(join(tmpdir(), 'cli-empty-home-'));
    try {
      const { report, byId } = await machine(w, { CCCC_DINGTALK_HOME: empty });
      const ours = byId('instance').find((c) => c.message.includes(`pid ${pid}`));
      expect(ours).toMatchObject({
        status: 'note',
        message: `cccc-dingtalk bridge "default" already runs for group ${w.groupId} (pid ${pid}, run by the CLI, user ${userInfo().username}, config home ${w.configHome})`,
      });
      expect(byId('cccc_bridge')).toEqual([
        {
          id: 'cccc_bridge',
          status: 'note',
          message: `CCCC starts its own DingTalk bridge for group ${cccc} (im.enabled in group.yaml)`,
          hint: `Pick another group for this bridge, or stop it with \`cccc im stop --group ${cccc}\`.`,
        },
      ]);
      expect(report.setup).toBe(`cccc-dingtalk set --group ${free} --app-key-env DINGTALK_APP_KEY --app-secret-env DINGTALK_APP_SECRET`);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    expect((await w.cli(['stop'])).code).toBe(0);
  }, 40_000);
});
