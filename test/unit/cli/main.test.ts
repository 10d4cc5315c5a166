import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commanderErrorText } from '../../../electron/cli/main';
import { CLI_TEXT } from '../../../electron/core/i18n/cli';

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

  it("commander's errors about the command line: its own English words found, and said in 中文", () => {
    // What this version of commander says, raw, for each mistake the CLI can meet.
    const said = (argv: string[]): string => {
      let text = '';
      const program = new Command('x')
        .exitOverride()
        .showSuggestionAfterError()
        .configureOutput({ writeErr: (s) => (text += s), outputError: (s, write) => write(s) });
      program
        .command('set')
        .argument('[bridge]')
        .option('--lang <zh|en>')
        .action(() => undefined);
      program.command('start').action(() => undefined);
      program.command('stop').action(() => undefined);
      program
        .command('approve')
        .argument('<key>')
        .action(() => undefined);
      expect(() => program.parse(argv, { from: 'user' })).toThrow();
      return text;
    };
    const mistakes = [['set', '--foo'], ['set', '--lnag'], ['set', '--lang'], ['approve'], ['set', 'a', 'b'], ['frobnicate'], ['sta'], ['sto']];
    for (const argv of mistakes) {
      const raw = said(argv);
      expect(commanderErrorText(raw, CLI_TEXT.en.help.errors), argv.join(' ')).toBe(raw);
      const lines = commanderErrorText(raw, CLI_TEXT.zh.help.errors).split('\n').filter(Boolean);
      expect(lines.length, argv.join(' ')).toBeGreaterThan(0);
      for (const line of lines) expect(line, raw).toMatch(HAN);
    }
    expect(said(['sta'])).toContain('(Did you mean one of start, stop?)');
    expect(commanderErrorText("error: unknown option '--lnag'\n(Did you mean --lang?)\n", CLI_TEXT.zh.help.errors)).toBe(
      "error: 没有 '--lnag' 这个选项\n（是不是想用 --lang？）\n",
    );
  });
});
