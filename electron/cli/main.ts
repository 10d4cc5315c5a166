/**
 * `cccc-dingtalk`: the bridge without the desktop app, for servers. Commands mirror
 * `cccc im …`. Every failure ends as "Error: message / → hint" and a non-zero exit code,
 * never a stack trace.
 */
import { Command, Option } from 'commander';
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

const BRIDGE_HELP = 'which configured bridge (default: the only one)';

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('cccc-dingtalk')
    .description('Connect a CCCC working group to DingTalk — headless bridge for servers.')
    .version(APP_VERSION)
    .showHelpAfterError('(run with --help for usage)');
  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<number | void>) =>
    async (...args: A): Promise<void> =>
      setExit((await fn(...args)) ?? 0);

  program
    .command('set')
    .description('configure a bridge (like `cccc im set dingtalk`); credentials are given as environment variable NAMES')
    .option('--bridge <id>', 'bridge to create or update (default: the only one, or "default")')
    .option('--group <groupId>', 'CCCC group id (`cccc groups` lists them)')
    .option('--app-key-env <NAME>', 'environment variable holding the AppKey (Client ID)')
    .option('--app-secret-env <NAME>', 'environment variable holding the AppSecret (Client Secret)')
    .option('--robot-code-env <NAME>', 'environment variable holding the RobotCode (optional)')
    .option('--lang <zh|en>', "language of the robot's replies")
    .option('--access <everyone|admins|allowlist>', 'who in an authorized chat may command the agents')
    .option(
      '--allow <staffIds>',
      'with --access allowlist: the staff ids allowed, separated by commas (without ids: the people who have written to the robot are listed)',
    )
    .option('--max-file-mb <N>', 'largest inbound file, in MB')
    .option('--max-message-chars <N>', 'longest inbound text, in characters (longer ones are answered "too long"; default 20000)')
    .option('--cccc-home <dir>', 'CCCC_HOME for this bridge (default: $CCCC_HOME or ~/.cccc at start)')
    .action(run(setCommand));

  program
    .command('start')
    .description('run the bridge (foreground; Ctrl-C stops it) or, with --detach, in the background')
    .option('--bridge <id>', BRIDGE_HELP)
    .option('-d, --detach', 'run in the background; return once connected (or print the problem)')
    .option('--wait-timeout <seconds>', 'with --detach: how long to wait for the connection', '30')
    .option('--debug', 'log debug details too')
    .addOption(new Option('--child').hideHelp())
    .action(run(startCommand));

  program
    .command('stop')
    .description('stop the running bridge')
    .option('--bridge <id>', BRIDGE_HELP)
    .option('--timeout <seconds>', 'how long to wait for it to exit', '20')
    .action(run(stopCommand));

  program
    .command('status')
    .description('running? DingTalk and CCCC links, chats, pending requests, outbox, last error (exit 3 when not running)')
    .option('--bridge <id>', BRIDGE_HELP)
    .option('--json', 'machine-readable output')
    .action(run(statusCommand));

  program
    .command('logs')
    .description("show the bridge's log")
    .option('--bridge <id>', BRIDGE_HELP)
    .option('-n, --lines <N>', 'how many of the newest lines', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--json', 'one JSON record per line')
    .action(run(logsCommand));

  program
    .command('doctor')
    .description('check CCCC, the group, the credentials, the Stream connection and competing bridges; explain what fails')
    .option('--bridge <id>', BRIDGE_HELP)
    .option('--json', 'machine-readable output')
    .option('--timeout <seconds>', 'how long to wait for the Stream connection', '15')
    .action(run(doctorCommand));

  program
    .command('pending')
    .description('list subscription requests waiting for approval')
    .option('--bridge <id>', BRIDGE_HELP)
    .option('--json', 'machine-readable output')
    .action(run(pendingCommand));
  program
    .command('approve')
    .description('approve a /subscribe request (like `cccc im bind --key`)')
    .argument('<key>')
    .option('--bridge <id>', BRIDGE_HELP)
    .action(run(approveCommand));
  program.command('reject').description('reject a /subscribe request').argument('<key>').option('--bridge <id>', BRIDGE_HELP).action(run(rejectCommand));

  program
    .command('serve')
    .description("the desktop app's setup wizard and dashboard in a browser: runs the bridges and serves the UI on 127.0.0.1 with a token")
    .option('--port <N>', 'port to listen on (default: a free one)')
    .option('--open', 'open the page in the default browser')
    .option('--json', 'print {url, origin, port, token} as one JSON line')
    .option('--quiet', 'log only warnings and errors to stderr')
    .option('--debug', 'log debug details too')
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
