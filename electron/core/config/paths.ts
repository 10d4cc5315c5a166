/**
 * Where the headless bridge keeps its files. `CCCC_DINGTALK_HOME` wins (several instances and
 * tests stay isolated); otherwise the platform's per-user config folder:
 * Linux `$XDG_CONFIG_HOME/cccc-dingtalk` (default `~/.config`), macOS
 * `~/Library/Application Support/cccc-dingtalk`, Windows `%APPDATA%\cccc-dingtalk`.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'cccc-dingtalk';

export interface ConfigHomeContext {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  homeDir?: string;
}

export function resolveConfigHome(ctx: ConfigHomeContext = {}): string {
  const env = ctx.env ?? process.env;
  const platform = ctx.platform ?? process.platform;
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const home = ctx.homeDir ?? homedir();
  const override = env['CCCC_DINGTALK_HOME']?.trim();
  if (override) return paths.resolve(override === '~' || /^~[\\/]/.test(override) ? paths.join(home, override.slice(1)) : override);
  if (platform === 'win32') {
    const appData = env['APPDATA']?.trim() || paths.join(home, 'AppData', 'Roaming');
    return paths.join(appData, APP_DIR_NAME);
  }
  if (platform === 'darwin') return paths.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  // XDG: a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env['XDG_CONFIG_HOME']?.trim();
  return paths.join(xdg && paths.isAbsolute(xdg) ? xdg : paths.join(home, '.config'), APP_DIR_NAME);
}

/** The files of one configured bridge, all under `<config home>/bridges/<id>/`. */
export interface BridgePaths {
  dir: string;
  /** The engine's state: ledger cursor, outbox, inbox, chats, held messages, audit trail. */
  state: string;
  /** The running process's status, rewritten atomically while it runs. */
  status: string;
  /** PID of the running process (for `stop` and service managers). */
  pid: string;
  /** Folder of the rotating log file `bridge.log`. */
  logs: string;
}

export function configFilePath(configHome: string): string {
  return path.join(configHome, 'config.json');
}

export function bridgePaths(configHome: string, bridgeId: string): BridgePaths {
  const dir = path.join(configHome, 'bridges', bridgeId);
  return { dir, state: path.join(dir, 'state'), status: path.join(dir, 'status.json'), pid: path.join(dir, 'bridge.pid'), logs: path.join(dir, 'logs') };
}
