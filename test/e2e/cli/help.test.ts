import { describe, expect, it } from 'vitest';
import { runCli } from './helpers';

const help = (env: NodeJS.ProcessEnv, args = ['--help']) => runCli(args, { PATH: process.env.PATH, ...env });

describe('cccc-dingtalk --help follows the locale', () => {
  it('LANG=zh_CN.UTF-8: 中文, for the program and for each command', async () => {
    const program = await help({ LANG: 'zh_CN.UTF-8' });
    expect(program.code).toBe(0);
    expect(program.stdout).toContain('用法： cccc-dingtalk [options] [command]');
    expect(program.stdout).toContain('把 CCCC 工作组接入钉钉');
    const set = await help({ LANG: 'zh_CN.UTF-8' }, ['help', 'set']);
    expect(set.stdout).toContain('--access <everyone|admins|allowlist>  已授权会话中谁可以指挥智能体');
  });

  it('LC_ALL and LC_MESSAGES win over LANG', async () => {
    const english = await help({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }, ['doctor', '--help']);
    expect(english.stdout).toContain('Usage: cccc-dingtalk doctor [options]');
    expect(english.stdout).toContain('how long to wait for the Stream connection');
    const chinese = await help({ LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }, ['doctor', '--help']);
    expect(chinese.stdout).toContain('等待 Stream 连接的时长（默认："15"）');
  });

  it("commander's errors about the command line follow it too", async () => {
    const zh = await help({ LANG: 'zh_CN.UTF-8' }, ['set', '--lnag', 'en']);
    expect(zh.code).toBe(1);
    expect(zh.stderr).toBe("error: 没有 '--lnag' 这个选项\n（是不是想用 --lang？）\n（加 --help 查看用法）\n");
    const en = await help({ LANG: 'C.UTF-8' }, ['approve']);
    expect(en.code).toBe(1);
    expect(en.stderr).toBe("error: missing required argument 'key'\n(run with --help for usage)\n");
  });
});
