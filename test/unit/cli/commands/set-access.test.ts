import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Person } from '../../../../electron/core/bridge/chat-directory';
import { accessPolicyFrom, describeAccess } from '../../../../electron/cli/commands/set-access';

const ann: Person = { staffId: 'staff-ann', nick: 'Ann', isAdmin: true, lastSeen: 2 };
const bob: Person = { staffId: 'staff-bob', nick: 'Bob', isAdmin: false, lastSeen: 1 };
const people = async (): Promise<Person[]> => [ann, bob];
const nobody = async (): Promise<Person[]> => [];

describe('set --access / --allow', () => {
  // The words follow the locale (the code does not): English unless a test says otherwise.
  beforeEach(() => vi.stubEnv('LC_ALL', 'C'));
  afterEach(() => vi.unstubAllEnvs());

  it('no option: no change', async () => {
    expect(await accessPolicyFrom({}, { mode: 'admins' }, people)).toBeUndefined();
  });

  it('everyone and admins, as before', async () => {
    expect(await accessPolicyFrom({ access: 'everyone' }, undefined, people)).toEqual({ policy: { mode: 'everyone' }, unknown: [] });
    expect(await accessPolicyFrom({ access: 'admins' }, undefined, people)).toEqual({ policy: { mode: 'admins' }, unknown: [] });
  });

  it('an allowlist of staff ids: trimmed, without repeats, ids nobody has used yet named', async () => {
    expect(await accessPolicyFrom({ access: 'allowlist', allow: ' staff-ann, staff-x ,staff-ann,' }, undefined, people)).toEqual({
      policy: { mode: 'allowlist', staffIds: ['staff-ann', 'staff-x'] },
      unknown: ['staff-x'],
    });
    // --allow alone means an allowlist.
    expect((await accessPolicyFrom({ allow: 'staff-bob' }, { mode: 'everyone' }, people))?.policy).toEqual({ mode: 'allowlist', staffIds: ['staff-bob'] });
  });

  it('allowlist without ids keeps the current list, or offers the people who have written to the robot', async () => {
    expect((await accessPolicyFrom({ access: 'allowlist' }, { mode: 'allowlist', staffIds: ['staff-bob'] }, people))?.policy).toEqual({
      mode: 'allowlist',
      staffIds: ['staff-bob'],
    });
    await expect(accessPolicyFrom({ access: 'allowlist' }, { mode: 'admins' }, people)).rejects.toMatchObject({
      code: 'config.invalid_option',
      message: 'An allowlist needs the people on it: --allow STAFF_ID[,STAFF_ID…]',
      hint: 'People who have written to the robot: staff-ann ("Ann", admin), staff-bob ("Bob").',
    });
    await expect(accessPolicyFrom({ access: 'allowlist', allow: ' , ' }, undefined, nobody)).rejects.toMatchObject({
      hint: expect.stringContaining('Nobody has written to the robot yet'),
    });
  });

  it('refuses what is not a policy, with a clear message', async () => {
    await expect(accessPolicyFrom({ access: 'nobody' }, undefined, people)).rejects.toMatchObject({
      message: '--access must be everyone, admins or allowlist',
    });
    await expect(accessPolicyFrom({ access: 'admins', allow: 'staff-ann' }, undefined, people)).rejects.toMatchObject({
      message: '--allow goes with --access allowlist, not --access admins',
    });
    await expect(accessPolicyFrom({ allow: 'staff ann' }, undefined, people)).rejects.toMatchObject({
      message: '--allow takes staff ids separated by commas; "staff ann" is not one',
    });
    await expect(accessPolicyFrom({ allow: 'staff\u202eann' }, undefined, people)).rejects.toThrow(/not one/);
  });

  it('says it in 中文 in a Chinese locale, with the same code', async () => {
    vi.stubEnv('LC_ALL', 'zh_CN.UTF-8');
    await expect(accessPolicyFrom({ access: 'admins', allow: 'staff-ann' }, undefined, people)).rejects.toMatchObject({
      code: 'config.invalid_option',
      message: '--allow 只能和 --access allowlist 一起用，不能和 --access admins 一起用',
    });
    const many = Array.from({ length: 23 }, (_, i) => ({ ...bob, staffId: `staff-${i}`, nick: `P${i}` }));
    await expect(accessPolicyFrom({ access: 'allowlist' }, undefined, async () => [ann, ...many])).rejects.toMatchObject({
      code: 'config.invalid_option',
      message: '“仅以下人员”需要写明是哪些人：--allow 员工ID[,员工ID…]',
      hint: expect.stringMatching(/^给机器人发过消息的人：staff-ann（"Ann"，管理员）、staff-0（"P0"）、.*staff-18（"P18"），另有 4 人。$/),
    });
  });

  it('describes the policy with the names it knows', () => {
    expect(describeAccess({ mode: 'allowlist', staffIds: ['staff-ann', 'staff-x'] }, [ann])).toBe('only staff-ann ("Ann"), staff-x');
    expect(describeAccess({ mode: 'admins' }, [])).toBe('DingTalk admins only');
  });
});
