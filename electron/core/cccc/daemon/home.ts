/**
 * Where CCCC keeps its runtime files: `CCCC_HOME`, else `~/.cccc` (`%USERPROFILE%\.cccc` on
 * Windows), resolved the way CCCC itself does (`~` expanded, made absolute).
 */
import { homedir } from 'node:os';
import path from 'node:path';

export interface HomeContext {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** The user's home directory; defaults to `os.homedir()`. */
  homeDir?: string;
}

export function resolveCcccHome(ctx: HomeContext = {}): string {
  const env = ctx.env ?? process.env;
  const platform = ctx.platform ?? process.platform;
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const userHome = (platform === 'win32' ? env['USERPROFILE']?.trim() : undefined) || ctx.homeDir || homedir();
  const configured = env['CCCC_HOME']?.trim();
  if (!configured) return paths.join(userHome, '.cccc');
  const expanded = configured === '~' || /^~[\\/]/.test(configured) ? paths.join(userHome, configured.slice(1)) : configured;
  return paths.resolve(expanded);
}

export function daemonDir(home: string): string {
  return path.join(home, 'daemon');
}
