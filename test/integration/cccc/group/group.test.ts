import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appLockPath, detectCcccBridge } from '../../../../electron/core/cccc/group/detect';
import { readGroupConfig, resolveDingTalkCredentials, type GroupConfig } from '../../../../electron/core/cccc/group/group-config';
import { PythonFlock } from '../../../../electron/core/cccc/im-state/flock';
import { python } from '../../../helpers/python';
import { GROUP_ID, tempGroup, type TempGroup } from '../helpers';

let g: TempGroup;
const holders: ChildProcess[] = [];
afterEach(async () => {
  for (const h of holders.splice(0)) {
    if (h.exitCode !== null || h.signalCode !== null) continue;
    const gone = new Promise((r) => h.once('close', r));
    h.stdin?.end();
    await gone;
  }
  await g?.cleanup();
});

/** The stand-in for CCCC's bridge below takes its lock with Python's fcntl.flock, which Windows lacks (CCCC uses msvcrt there). */
const noFcntl = process.platform === 'win32';

/** group.yaml as CCCC 0.4.x writes it after `cccc im set dingtalk --app-key-env … --robot-code …`. */
const CCCC_GROUP_YAML = `v: 1
group_id: ${GROUP_ID}
title: 演示 Demo
topic: ''
created_at: '2026-11-24T21:56:03.413589Z'
running: false
state: active
actors: []
delivery:
  min_interval_seconds: 0
im:
  platform: dingtalk
  files:
    enabled: true
    max_mb: 10
  dingtalk_app_key_env: DINGTALK_APP_KEY
  dingtalk_app_secret_env: MY_SECRET
  dingtalk_robot_code: dingrobot123
  enabled: false
updated_at: '2026-11-24T21:56:09.262739Z'
`;

async function groupYaml(text: string): Promise<void> {
  await writeFile(join(g.groupDir, 'group.yaml'), text);
}

/** Holds a lock the way CCCC's bridge does (_acquire_singleton_lock: non-blocking flock, PID on line 1). */
async function ccccBridgeLock(path: string, pidLine?: number): Promise<ChildProcess> {
  const py = spawn(
    python(),
    [
      '-c',
      `import fcntl, os, sys
p = sys.argv[1]
os.makedirs(os.path.dirname(p), exist_ok=True)
f = open(p, "r+b") if os.path.exists(p) else open(p, "w+b")
fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
f.seek(0); f.write((sys.argv[2] + "\\n").encode()); f.truncate(); f.flush()
print("held", flush=True)
sys.stdin.read()
`,
      path,
      String(pidLine ?? 'PID'),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  holders.push(py);
  await new Promise<void>((resolve) => py.stdout.once('data', () => resolve()));
  return py;
}

describe('readGroupConfig', () => {
  it("reads CCCC's group.yaml: title and the im block", async () => {
    g = await tempGroup();
    await groupYaml(CCCC_GROUP_YAML);
    const cfg = await readGroupConfig(g.groupDir);
    expect(cfg.groupId).toBe(GROUP_ID);
    expect(cfg.title).toBe('演示 Demo');
    expect(cfg.im).toMatchObject({
      platform: 'dingtalk',
      enabled: false,
      dingtalk_app_key: '',
      dingtalk_app_key_env: 'DINGTALK_APP_KEY',
      dingtalk_app_secret_env: 'MY_SECRET',
      dingtalk_robot_code: 'dingrobot123',
      files: { enabled: true, max_mb: 10 },
    });
  });

  it('parses like PyYAML (YAML 1.1 booleans, no timestamps) and coerces like CCCC', async () => {
    g = await tempGroup();
    await groupYaml(`title: 2024-01-01\nim:\n  platform: DingTalk\n  enabled: "yes"\n  files: {enabled: off, max_mb: "5"}\n  dingtalk_app_key: 12345\n`);
    const cfg = await readGroupConfig(g.groupDir);
    expect(cfg.title).toBe('2024-01-01');
    expect(cfg.groupId).toBe(GROUP_ID); // from the folder name when group_id is absent
    expect(cfg.im).toMatchObject({ platform: 'dingtalk', enabled: true, dingtalk_app_key: '12345', files: { enabled: false, max_mb: 5 } });
  });

  it('defaults: no im block → null; im without files → files enabled, 10 MB', async () => {
    g = await tempGroup();
    await groupYaml('title: x\n');
    expect((await readGroupConfig(g.groupDir)).im).toBeNull();
    await groupYaml('title: x\nim:\n  platform: dingtalk\n');
    expect((await readGroupConfig(g.groupDir)).im).toMatchObject({ enabled: false, files: { enabled: true, max_mb: 10 } });
  });

  it('missing or broken group.yaml → typed errors', async () => {
    g = await tempGroup();
    await expect(readGroupConfig(g.groupDir)).rejects.toMatchObject({ code: 'cccc.group_not_found' });
    await groupYaml('title: [unclosed\n');
    await expect(readGroupConfig(g.groupDir)).rejects.toMatchObject({ code: 'cccc.group_yaml_invalid' });
  });

  it('resolves credentials like CCCC: literal, then the named variable, raw value in *_env, default variable', async () => {
    g = await tempGroup();
    await groupYaml(CCCC_GROUP_YAML.replace('dingtalk_app_secret_env: MY_SECRET', 'dingtalk_app_secret_env: raw-secret-pasted-here'));
    const { im } = await readGroupConfig(g.groupDir);
    expect(resolveDingTalkCredentials(im!, { DINGTALK_APP_KEY: ' dingkey ', DINGTALK_ROBOT_CODE: 'ignored' })).toEqual({
      appKey: 'dingkey',
      appSecret: 'raw-secret-pasted-here',
      robotCode: 'dingrobot123',
    });
  });
});

describe('detectCcccBridge', () => {
  async function config(yaml = CCCC_GROUP_YAML): Promise<GroupConfig> {
    await groupYaml(yaml);
    return readGroupConfig(g.groupDir);
  }

  it('no CCCC bridge: nothing to refuse', async () => {
    g = await tempGroup();
    const status = await detectCcccBridge({ groupDir: g.groupDir, config: await config() });
    expect(status).toMatchObject({ running: false, pid: null, enabled: false, platform: 'dingtalk', sameApp: null, problems: [] });
  });

  it('im.enabled: true → refuse, with the command that turns it off', async () => {
    g = await tempGroup();
    const status = await detectCcccBridge({ groupDir: g.groupDir, config: await config(CCCC_GROUP_YAML.replace('enabled: false', 'enabled: true')) });
    expect(status.problems).toEqual([
      expect.objectContaining({ code: 'cccc.own_bridge_enabled', hint: expect.stringContaining(`cccc im stop --group ${GROUP_ID}`) }),
    ]);
  });

  it.skipIf(noFcntl)('a live CCCC bridge holding im_bridge.lock → refuse, naming its pid', async () => {
    g = await tempGroup();
    const holder = await ccccBridgeLock(join(g.groupDir, 'state', 'im_bridge.lock'), 4242);
    await writeFile(join(g.groupDir, 'state', 'im_bridge.pid'), String(holder.pid));
    const status = await detectCcccBridge({ groupDir: g.groupDir, config: await config() });
    expect(status).toMatchObject({ running: true, pid: 4242 });
    expect(status.problems[0]).toMatchObject({
      code: 'cccc.own_bridge_running',
      message: "CCCC's own DingTalk bridge is running for this group (pid 4242).",
      hint: `Stop it with \`cccc im stop --group ${GROUP_ID}\`, then start this bridge.`,
    });
  });

  it('a stale pid file with a free lock is not a running bridge (PIDs get reused)', async () => {
    g = await tempGroup();
    await mkdir(join(g.groupDir, 'state'), { recursive: true });
    await writeFile(join(g.groupDir, 'state', 'im_bridge.lock'), `${process.pid}\n`);
    await writeFile(join(g.groupDir, 'state', 'im_bridge.pid'), String(process.pid));
    const status = await detectCcccBridge({ groupDir: g.groupDir, config: await config() });
    expect(status).toMatchObject({ running: false, problems: [] });
  });

  it('without a way to test the lock, a live pid in im_bridge.pid counts (fails closed)', async () => {
    g = await tempGroup();
    await mkdir(join(g.groupDir, 'state'), { recursive: true });
    await writeFile(join(g.groupDir, 'state', 'im_bridge.pid'), '31337');
    const locker = new PythonFlock({ python: 'no-such-python-here' });
    const cfg = await config();
    const live = await detectCcccBridge({ groupDir: g.groupDir, config: cfg, locker, isAlive: (pid) => pid === 31337 });
    expect(live).toMatchObject({ running: true, pid: 31337 });
    expect(live.problems[0]?.code).toBe('cccc.own_bridge_running');
    const dead = await detectCcccBridge({ groupDir: g.groupDir, config: cfg, locker, isAlive: () => false });
    expect(dead).toMatchObject({ running: false, problems: [] });
  });

  it.skipIf(noFcntl)("CCCC's bridge for another platform does not block a DingTalk bridge", async () => {
    g = await tempGroup();
    await ccccBridgeLock(join(g.groupDir, 'state', 'im_bridge.lock'), 777);
    const status = await detectCcccBridge({ groupDir: g.groupDir, config: await config('title: t\nim:\n  platform: telegram\n  enabled: true\n') });
    expect(status).toMatchObject({ running: true, platform: 'telegram', problems: [] });
  });

  it.skipIf(noFcntl)('the same DingTalk app served by CCCC for another group → refuse', async () => {
    g = await tempGroup();
    const cccHome = g.root;
    await ccccBridgeLock(appLockPath(cccHome, 'dingkey'), 5150);
    const cfg = await config();
    const other = await detectCcccBridge({ groupDir: g.groupDir, config: cfg, cccHome, appKey: 'another-app' });
    expect(other.problems).toEqual([]);
    const same = await detectCcccBridge({ groupDir: g.groupDir, config: cfg, cccHome, appKey: 'dingkey' });
    expect(same.sameApp).toEqual({ pid: 5150 });
    expect(same.problems).toEqual([expect.objectContaining({ code: 'cccc.own_bridge_same_app', message: expect.stringContaining('pid 5150') })]);
  });
});
