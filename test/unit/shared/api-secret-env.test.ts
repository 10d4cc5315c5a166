/** The API only takes names of variables that look like a secret the user chose (their value is sent to DingTalk). */
import { describe, expect, it } from 'vitest';
import { API } from '../../../electron/shared/api';

const save = (secretEnv: string) => API.saveBridge.input.safeParse({ name: 'x', groupId: 'g_1', appKey: 'dingk', secretEnv });

describe('saveBridge.secretEnv', () => {
  it.each(['DINGTALK_APP_SECRET', 'TEAM_DT_SECRET', 'DT_SECRET', 'BOT_TOKEN', 'DINGTALK_CLIENT_KEY'])('takes %s', (name) => {
    expect(save(name).success).toBe(true);
  });

  it.each([
    'HOME',
    'PATH',
    'USER',
    'SHELL',
    'LOGNAME',
    'PWD',
    'SSH_AUTH_SOCK',
    'NODE_OPTIONS',
    'NOT_SET_ANYWHERE',
    'dingtalk_app_secret',
    '_SECRET',
    'MY-SECRET',
    'XDG_SESSION_COOKIE',
    'GITHUB_TOKEN',
    'OPENAI_API_KEY',
    'AWS_SECRET_ACCESS_KEY',
  ])('refuses %s', (name) => {
    const r = save(name);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['secretEnv']);
  });

  it('says why in words', () => {
    expect(save('HOME').error?.issues[0]?.message).toMatch(/SECRET, TOKEN, KEY/);
    expect(save('GITHUB_TOKEN').error?.issues[0]?.message).toMatch(/operating system or another service/);
  });
});
