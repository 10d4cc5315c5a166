import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { startWorld, type World } from './helpers';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('cccc-dingtalk set --access: the policies of Settings → Access', () => {
  it('an allowlist offers the people who have written to the robot, and keeps the staff ids it is given', async () => {
    w = await startWorld();
    const world = w;
    await world.configure();
    const none = await world.cli(['set', '--access', 'allowlist']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Error: An allowlist needs the people on it: --allow STAFF_ID[,STAFF_ID…]');
    expect(none.stderr).toContain('Nobody has written to the robot yet');
    const zh = { env: { LANG: 'zh_CN.UTF-8' } };
    expect((await world.cli(['set', '--access', 'allowlist'], zh)).stderr).toBe(
      'Error: “仅以下人员”需要写明是哪些人：--allow 员工ID[,员工ID…]\n  → 还没有人给机器人发过消息：员工 ID 可在钉钉管理后台查到（通讯录 → 成员 → 员工UserID）。\n',
    );
    expect((await world.cli(['set', '--access', 'nobody'], zh)).stderr).toBe('Error: --access 只能是 everyone、admins 或 allowlist\n');

    expect((await world.cli(['start', '--detach'])).code).toBe(0);
    world.dt.injectMessage({
      text: 'hello',
      conversationId: 'cidAccess01==',
      conversationType: '2',
      conversationTitle: 'Ops',
      senderStaffId: 'staff-ann',
      senderNick: 'Ann',
    });
    const offered = await waitFor(
      async () => {
        const res = await world.cli(['set', '--access', 'allowlist']);
        return res.stderr.includes('staff-ann') ? res : undefined;
      },
      'the allowlist error to offer Ann',
      15_000,
    );
    expect(offered.code).toBe(1);
    expect(offered.stderr).toContain('→ People who have written to the robot: staff-ann ("Ann", admin).');
    expect((await world.cli(['set', '--access', 'allowlist'], zh)).stderr).toContain('→ 给机器人发过消息的人：staff-ann（"Ann"，管理员）。');

    const set = await world.cli(['set', '--access', 'allowlist', '--allow', 'staff-ann,staff-bob']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Who may command the agents: only staff-ann ("Ann"), staff-bob');
    expect(set.stdout).toContain('Note: staff-bob has not written to the robot yet');
    const config = JSON.parse(await readFile(join(world.configHome, 'config.json'), 'utf8')) as { bridges: { settings: { access: unknown } }[] };
    expect(config.bridges[0]?.settings.access).toEqual({ mode: 'allowlist', staffIds: ['staff-ann', 'staff-bob'] });

    const bad = await world.cli(['set', '--access', 'admins', '--allow', 'staff-ann']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('Error: --allow goes with --access allowlist, not --access admins\n');
    expect((await world.cli(['set', '--allow', 'staff ann'], zh)).stderr).toBe('Error: --allow 接受以逗号分隔的员工 ID；"staff ann" 不是员工 ID\n');
    expect((await world.cli(['stop'])).code).toBe(0);
  }, 40_000);
});
