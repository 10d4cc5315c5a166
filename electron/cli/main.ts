/**
 * `cccc-dingtalk`: the bridge without the desktop app, for servers. Commands mirror
 * `cccc im …`. Every failure ends as "Error: message / → hint" and a non-zero exit code,
 * never a stack trace.
 */
import { Command, Help, Option } from 'commander';
import type { Language } from '../shared/api';
import { CLI_TEXT, type CliText } from '../core/i18n/cli';
import { localeLanguage } from '../core/i18n/locale';
import type { SetOptions } from './commands/set';
import { reportFailure } from './output';
import { APP_VERSION } from './version';

// Commands load on use: a `status` should not pay for the whole bridge engine.
const setCommand = lazy(() => import('./commands/set'), 'setCommand');
const startCommand = lazy(() => import('./commands/start'), 'startCommand');
const stopCommand = lazy(() => import('./commands/stop'), 'stopCommand');
const statusCommand = lazy(() => import('./commands/status'), 'statusCommand');
const logsCommand = lazy(() => import('./commands/logs'), 'logsCommand');
const doctorCommand = lazy(() => import('./commands/doctor'), 'doctorCommand');
const pendingCommand = lazy(() => import('./commands/pending'), 'pendingCommand');
const approveCommand = lazy(() => import('./commands/pending'), 'approveCommand');
const rejectCommand = lazy(() => import('./commands/pending'), 'rejectCommand');
const serveCommand = lazy(() => import('./commands/serve'), 'serveCommand');

function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  return (async (...args: unknown[]) => ((await load())[name] as (...a: unknown[]) => Promise<number | void>)(...args)) as M[K];
}

type Titles = CliText['help']['titles'];
type CommanderErrors = CliText['help']['errors'];

/** Commander's error lines, by its English words (commander 14), and how the catalogue says each. */
const COMMANDER_ERRORS: Array<[RegExp, (t: CommanderErrors, m: RegExpExecArray) => string]> = [
  [/^error: unknown option '(.*)'$/, (t, m) => t.unknownOption(m[1] ?? '')],
  [/^error: unknown command '(.*)'$/, (t, m) => t.unknownCommand(m[1] ?? '')],
  [/^error: option '(.*)' argument missing$/, (t, m) => t.argumentMissing(m[1] ?? '')],
  [/^error: missing required argument '(.*)'$/, (t, m) => t.missingArgument(m[1] ?? '')],
  [/^error: too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/, (t, m) => t.tooManyArguments(m[1], Number(m[2]), Number(m[3]))],
  [/^\(Did you mean one of (.*)\?\)$/, (t, m) => t.didYouMeanOneOf((m[1] ?? '').split(', '))],
  [/^\(Did you mean (.*)\?\)$/, (t, m) => t.didYouMean(m[1] ?? '')],
];

/** Commander's error text in the user's language, line by line; a line it is not known to say stays as it is. */
export function commanderErrorText(text: string, t: CommanderErrors): string {
  return text
    .split('\n')
    .map((line) => {
      for (const [words, say] of COMMANDER_ERRORS) {
        const m = words.exec(line);
        if (m) return say(t, m);
      }
      return line;
    })
    .join('\n');
}

/** Every description from the catalogue (core/i18n/cli.ts), in the user's language. */
export function buildProgram(setExit: (code: number) => void, lang: Language = localeLanguage(process.env)): Command {
  const t = CLI_TEXT[lang];
  const program = new Command('cccc-dingtalk')
    .description(t.program)
    .version(APP_VERSION, '-V, --version', t.help.version)
    .helpOption('-h, --help', t.help.option)
    .helpCommand('help [command]', t.help.command)
    .showHelpAfterError(t.help.afterError)
    .configureOutput({ outputError: (text, write) => write(commanderErrorText(text, t.help.errors)) })
    .configureHelp({
      styleTitle: (title) => t.help.titles[title as keyof Titles] ?? title,
      optionDescription(option) {
        // Commander appends "(default: …)" in English; our options have no other such notes.
        return Help.prototype.optionDescription.call(this, option).replace(/ \(default: (.*)\)$/, (_, value: string) => t.help.defaultValue(value));
      },
    });
  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<number | void>) =>
    async (...args: A): Promise<void> =>
      setExit((await fn(...args)) ?? 0);

  program
    .command('set')
    .description(t.set.description)
    .argument('[bridge]', t.set.target)
    .option('--bridge <id>', t.set.bridge)
    .option('--name <name>', t.set.name)
    .option('--group <groupId>', t.set.group, (id: string, ids: string[] | undefined) => [...(ids ?? []), id])
    .option('--all-groups', t.set.allGroups)
    .option('--client-id <id>', t.set.clientId)
    .option('--app-key-env <NAME>', t.set.appKeyEnv)
    .option('--app-secret-env <NAME>', t.set.appSecretEnv)
    .option('--robot-code <code>', t.set.robotCode)
    .option('--robot-code-env <NAME>', t.set.robotCodeEnv)
    .option('--lang <zh|en>', t.set.lang)
    .option('--access <everyone|admins|allowlist>', t.set.access)
    .option('--allow <staffIds>', t.set.allow)
    .option('--max-file-mb <N>', t.set.maxFileMb)
    .option('--max-message-chars <N>', t.set.maxMessageChars)
    .option('--api-budget <calls|none>', t.set.apiBudget)
    .option('--cards <on|off>', t.set.cards)
    .option('--card-template <id|default>', t.set.cardTemplate)
    .option('--button-cards <on|off>', t.set.buttonCards)
    .option('--button-card-template <id|none>', t.set.buttonCardTemplate)
    .option('--approver <staffId>', t.set.approver, (id: string, ids: string[] | undefined) => [...(ids ?? []), id])
    .option('--no-approvers', t.set.noApprovers)
    .option('--cccc-home <dir>', t.set.ccccHome)
    .option('--scan', t.set.scan)
    .action(run((target: string | undefined, o: SetOptions) => setCommand({ ...o, ...(target !== undefined ? { target } : {}) })));

  program
    .command('start')
    .description(t.start.description)
    .option('--bridge <id>', t.bridge)
    .option('-d, --detach', t.start.detach)
    .option('--wait-timeout <seconds>', t.start.waitTimeout, '30')
    .option('--debug', t.debug)
    .addOption(new Option('--child').hideHelp())
    .action(run(startCommand));

  program
    .command('stop')
    .description(t.stop.description)
    .option('--bridge <id>', t.bridge)
    .option('--timeout <seconds>', t.stop.timeout, '20')
    .action(run(stopCommand));

  program
    .command('status')
    .description(t.status.description)
    .option('--bridge <id>', t.bridge)
    .option('--json', t.json)
    .option('--verbose', t.verboseChats)
    .action(run(statusCommand));

  program
    .command('logs')
    .description(t.logs.description)
    .option('--bridge <id>', t.bridge)
    .option('-n, --lines <N>', t.logs.lines, '50')
    .option('-f, --follow', t.logs.follow)
    .option('--json', t.logs.json)
    .action(run(logsCommand));

  program
    .command('doctor')
    .description(t.doctor.description)
    .option('--bridge <id>', t.bridge)
    .option('--json', t.json)
    .option('--timeout <seconds>', t.doctor.timeout, '15')
    .action(run(doctorCommand));

  program
    .command('pending')
    .description(t.pending.description)
    .option('--bridge <id>', t.bridge)
    .option('--json', t.json)
    .option('--verbose', t.verboseChats)
    .action(run(pendingCommand));
  program.command('approve').description(t.approve.description).argument('<key>', t.approve.key).option('--bridge <id>', t.bridge).action(run(approveCommand));
  program.command('reject').description(t.reject.description).argument('<key>', t.reject.key).option('--bridge <id>', t.bridge).action(run(rejectCommand));

  program
    .command('serve')
    .description(t.serve.description)
    .option('--port <N>', t.serve.port)
    .option('--open', t.serve.open)
    .option('--json', t.serve.json)
    .option('--quiet', t.serve.quiet)
    .option('--debug', t.debug)
    .action(run(serveCommand));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // commander has already printed usage errors and help; only its exit code is left.
    if (error instanceof Error && 'exitCode' in error && typeof error.exitCode === 'number' && 'code' in error && String(error.code).startsWith('commander.'))
      return error.exitCode;
    return reportFailure(error);
  }
  return code;
}
