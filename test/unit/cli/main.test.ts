import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../electron/cli/main';

const HAN = /\p{Script=Han}/u;

function everyCommand(program: Command): Command[] {
  return [program, ...program.commands];
}

/** Every description a person reads in `--help`: the commands', their options' and arguments'. */
function descriptions(cmd: Command): { what: string; text: string }[] {
  const help = cmd.createHelp();
  return [
    { what: cmd.name(), text: cmd.description() },
    ...help.visibleOptions(cmd).map((o) => ({ what: `${cmd.name()} ${o.flags}`, text: o.description })),
    ...help.visibleArguments(cmd).map((a) => ({ what: `${cmd.name()} <${a.name()}>`, text: a.description })),
    ...help.visibleCommands(cmd).map((c) => ({ what: `${cmd.name()} ${c.name()}`, text: c.description() })),
  ];
}

describe('cccc-dingtalk --help in 中文 and English', () => {
  const en = buildProgram(() => undefined, 'en');
  const zh = buildProgram(() => undefined, 'zh');

  it('every command, option and argument has a description in both languages', () => {
    const enCommands = everyCommand(en);
    const zhCommands = everyCommand(zh);
    expect(zhCommands.map((c) => c.name())).toEqual(enCommands.map((c) => c.name()));
    enCommands.forEach((enCmd, i) => {
      const enTexts = descriptions(enCmd);
      const zhTexts = descriptions(zhCommands[i]!);
      expect(zhTexts.map((d) => d.what)).toEqual(enTexts.map((d) => d.what));
      for (const [j, d] of enTexts.entries()) {
        expect(d.text, d.what).not.toBe('');
        expect(zhTexts[j]?.text, d.what).toMatch(HAN);
        expect(d.text, d.what).not.toMatch(HAN);
      }
    });
  });

  it("commander's own words too: headings, defaults, help and version", () => {
    const start = zh.commands.find((c) => c.name() === 'start')!;
    const text = start.helpInformation();
    expect(text).toContain('用法： cccc-dingtalk start [options]');
    expect(text).toContain('选项：');
    expect(text).toContain('配合 --detach：等待连接的时长（默认："30"）');
    expect(text).toContain('显示命令帮助');
    expect(text).not.toMatch(/Usage:|Options:|default:|display help/);
    expect(zh.helpInformation()).toContain('命令：');
    expect(zh.helpInformation()).toContain('显示版本号');
    expect(en.commands.find((c) => c.name() === 'start')!.helpInformation()).toMatch(/how long to wait for the connection\s+\(default: "30"\)/);
  });
});
