/**
 * `cccc-dingtalk serve [--port N] [--open]`: the desktop app's services and UI without Electron —
 * for a server, a container, or browser tests. The bridges, the wizard and the dashboard run
 * here; the page is served on 127.0.0.1 with a random token (open the printed address, or
 * tunnel to it: `ssh -L PORT:127.0.0.1:PORT server`). Bridges marked "start automatically"
 * start now. Ctrl-C (SIGINT/SIGTERM) stops every bridge cleanly; outboxes stay on disk.
 */
import { fileURLToPath } from 'node:url';
import { resolveConfigHome } from '../../core/config/paths';
import { CLI_OPTIONS_TEXT } from '../../core/i18n/cli-options';
import { localeLanguage } from '../../core/i18n/locale';
import {
  createControlService,
  FileAppSettingsStore,
  FileProfileStore,
  FileSecretStore,
  HeadlessHost,
  LogHub,
  openWithSystem,
  startHttpServer,
} from '../../core/control';
import type { LogSink } from '../../core/log/logger';
import { levelSink } from '../../core/log/log-file';
import { createSandboxHost } from '../../sandbox/host';
import { CliFailure, err, formatRecord, out, outCredential } from '../output';

export interface ServeOptions {
  port?: string;
  open?: boolean;
  /** One JSON line `{url, origin, port, token}` on stdout instead of the text (for scripts and tests). */
  json?: boolean;
  debug?: boolean;
  /** Quieter stderr: warnings and errors only. */
  quiet?: boolean;
}

/** The built renderer of this checkout. */
export const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer/', import.meta.url));

export async function serveCommand(o: ServeOptions): Promise<number> {
  const env = process.env;
  const t = CLI_OPTIONS_TEXT[localeLanguage(env)].serve;
  const port = o.port === undefined ? 0 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CliFailure({ code: 'config.invalid_option', message: t.port, retryable: false });
  }
  const configHome = resolveConfigHome({ env });
  const logHub = new LogHub({ minLevel: o.debug ? 'debug' : 'info' });
  const console: LogSink = levelSink(o.quiet ? 'warn' : o.debug ? 'debug' : 'info', [(r) => err(formatRecord(r))]);
  logHub.subscribe((r) => console({ ts: r.ts, level: r.level, scope: r.scope, msg: r.msg, ...(r.fields ? { fields: r.fields } : {}) }));
  const log = logHub.logger('serve');

  // The configuration the CLI and the desktop app share: a damaged one stops serve here, naming file and line.
  const profiles = new FileProfileStore(configHome, { host: 'serve' });
  await profiles.list();
  const service = createControlService({
    profiles,
    secrets: new FileSecretStore(configHome),
    appSettings: new FileAppSettingsStore(configHome),
    host: new HeadlessHost(configHome),
    logHub,
    configHome,
    hostKind: 'serve',
    env,
    // Stopped by service.close() on Ctrl-C.
    sandbox: createSandboxHost({ env, log: (line) => log.info(line) }),
  });
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    server = await startHttpServer({ handlers: service.handlers, events: service.events, port, staticDir: RENDERER_DIR, logger: log });
  } catch (error) {
    await service.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new CliFailure({
        code: 'serve.port_in_use',
        message: t.portInUse(port),
        hint: t.portInUseHint,
        retryable: false,
      });
    throw error;
  }

  if (o.json) outCredential(JSON.stringify({ url: server.url, origin: server.origin, port: server.port, token: server.token, configHome }));
  else {
    out(`cccc-dingtalk serve: open ${server.url}`);
    out(`  Config folder: ${configHome}`);
    out('  Only this machine can connect (127.0.0.1). From elsewhere: ssh -L PORT:127.0.0.1:PORT this-host. Ctrl-C stops.');
  }
  if (o.open && !(await openWithSystem(server.url))) err('Could not open a browser here; open the address above yourself.');
  void service.supervisor.autoStart();

  let stopping = false;
  const done = new Promise<number>((resolveDone) => {
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn(`Second ${signal}: exiting without waiting`);
        resolveDone(130);
        return;
      }
      stopping = true;
      log.info(`Stopping (${signal})`);
      void (async () => {
        await server.close();
        await service.close();
        resolveDone(0);
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (process.platform !== 'win32') process.on('SIGHUP', stop);
  });
  return done;
}
