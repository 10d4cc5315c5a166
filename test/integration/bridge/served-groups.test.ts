/** Which engine a profile gets, and how an app serving every group takes in a new one (served-groups.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppBridge } from '../../../electron/core/bridge/app-bridge';
import { Bridge } from '../../../electron/core/bridge/bridge';
import { parkedDir } from '../../../electron/core/bridge/group-state';
import { groupDiscovery, makeEngine } from '../../../electron/core/bridge/served-groups';
import { DEFAULT_SETTINGS } from '../../../electron/core/bridge/settings';
import { groupLockDir, lockHolder } from '../../../electron/core/config/instance-lock';
import { FakeCcccDaemon } from '../../fakes/cccc/daemon';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function world(): Promise<{ cccc: FakeCcccDaemon; stateDir: string; first: string }> {
  const cccc = await FakeCcccDaemon.start();
  const stateDir = await mkdtemp(join(tmpdir(), 'served-groups-'));
  cleanup.push(async () => {
    await cccc.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  return { cccc, stateDir, first: await cccc.createGroup({ title: 'First' }) };
}

describe('makeEngine and groupDiscovery', () => {
  it('one group: a plain Bridge; every group: an app that can take in more, even while it has one', async () => {
    const { cccc, stateDir, first } = await world();
    const config = {
      groupId: first,
      ccccHome: cccc.home,
      stateDir,
      credentials: { appKey: 'ding-app', appSecret: 's', robotCode: 'ding-app' },
      endpoints: { apiBase: 'http://127.0.0.1:9', oapiBase: 'http://127.0.0.1:9' },
      settings: { ...DEFAULT_SETTINGS },
    };
    const target = { bridgeId: 'b', groupId: first, ccccHome: cccc.home, configHome: stateDir };
    expect(groupDiscovery(target, 'ding-app', { ids: [first], all: false }, stateDir)).toBeUndefined();
    expect(await makeEngine(config, [first], {})).toBeInstanceOf(Bridge);
    const discovery = groupDiscovery(target, 'ding-app', { ids: [first], all: true }, stateDir);
    expect(await makeEngine(config, [first], {}, discovery)).toBeInstanceOf(AppBridge);

    const second = await cccc.createGroup({ title: 'Second' });
    expect(await discovery!.groupIds()).toEqual([first, second]);
    const claimed = await discovery!.claim(second);
    expect(claimed.spec).toEqual({ groupId: second, title: 'Second', stateDir: parkedDir(stateDir, { groupId: second, ccccHome: cccc.home }) });
    expect(await lockHolder(groupLockDir(cccc.home, second), { pid: 0 })).toMatchObject({ bridgeId: 'b' });
    await claimed.release();
    expect(await lockHolder(groupLockDir(cccc.home, second), { pid: 0 })).toBeUndefined();

    const own = await cccc.createGroup({ title: 'Own', im: { platform: 'dingtalk', enabled: true } });
    await expect(discovery!.claim(own)).rejects.toMatchObject({ code: expect.stringMatching(/^cccc\./) });
    expect(await lockHolder(groupLockDir(cccc.home, own), { pid: 0 })).toBeUndefined();
  });
});
