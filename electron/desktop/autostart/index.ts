/**
 * Launch at login, reflecting what the OS will really do. macOS and Windows keep login items
 * themselves (Electron's app.get/setLoginItemSettings, handed in as `loginItems`); Linux desktops
 * read XDG autostart entries, so there it is a `.desktop` file in `$XDG_CONFIG_HOME/autostart`.
 * The app started this way gets HIDDEN_ARG and stays in the tray.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

/** Passed to the app when the OS launches it at login: start in the tray, no window. */
export const HIDDEN_ARG = '--hidden';

/** The part of Electron's login item API this needs (Electron types stay out of core). */
export interface LoginItems {
  get(query: { args?: string[] }): { openAtLogin: boolean; status?: string; executableWillLaunchAtLogin?: boolean };
  set(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export interface AutostartOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** The executable to launch (the packaged app's binary). */
  execPath: string;
  /** File name stem of the Linux entry, e.g. `cccc-dingtalk-bridge`. */
  id: string;
  /** Shown by desktop autostart settings. */
  name: string;
  comment?: string;
  /** Required on macOS and Windows. */
  loginItems?: LoginItems;
}

export interface Autostart {
  isEnabled(): Promise<boolean>;
  /** Turns launch at login on or off; resolves with the state the OS now reports. */
  setEnabled(enabled: boolean): Promise<boolean>;
}

/** `$XDG_CONFIG_HOME/autostart` (the spec ignores a relative XDG_CONFIG_HOME), else `~/.config/autostart`. */
export function xdgAutostartDir(env: NodeJS.ProcessEnv, homedir: string): string {
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir, '.config');
  return join(base, 'autostart');
}

/**
 * One Exec argument, quoted per the Desktop Entry spec: inside double quotes `"`, `` ` ``, `$`
 * and `\` take a backslash; then the string-value escape doubles every backslash again, and `%`
 * (field codes) is written `%%`.
 */
export function quoteExecArg(arg: string): string {
  const quoted = /^[A-Za-z0-9_./:=+,@-]+$/.test(arg) ? arg : `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

/** Desktop Entry string values may not hold line breaks. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export function desktopEntry(o: { execPath: string; name: string; comment?: string }): string {
  const lines = [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${oneLine(o.name)}`,
    ...(o.comment ? [`Comment=${oneLine(o.comment)}`] : []),
    `Exec=${[o.execPath, HIDDEN_ARG].map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
  ];
  return `${lines.join('\n')}\n`;
}

/** Whether an autostart entry will run: desktop settings panels switch it off in place. */
export function entryIsActive(text: string): boolean {
  const keys = new Map<string, string>();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) section = line;
    else if (section === '[Desktop Entry]' && line.includes('=')) {
      const at = line.indexOf('=');
      keys.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
    }
  }
  return keys.get('Type') === 'Application' && keys.get('Hidden') !== 'true' && keys.get('X-GNOME-Autostart-enabled') !== 'false';
}

function linuxAutostart(o: AutostartOptions): Autostart {
  const file = join(xdgAutostartDir(o.env, o.homedir), `${o.id}.desktop`);
  // An AppImage runs from a temporary mount: the entry must start the image itself.
  const execPath = o.env.APPIMAGE && isAbsolute(o.env.APPIMAGE) ? o.env.APPIMAGE : o.execPath;
  const isEnabled = async (): Promise<boolean> => {
    try {
      return entryIsActive(await readFile(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  };
  return {
    isEnabled,
    async setEnabled(enabled) {
      if (enabled) {
        await mkdir(join(file, '..'), { recursive: true });
        const entry: { execPath: string; name: string; comment?: string } = { execPath, name: o.name };
        if (o.comment) entry.comment = o.comment;
        await writeFile(file, desktopEntry(entry), { mode: 0o644 });
      } else {
        await rm(file, { force: true });
      }
      return isEnabled();
    },
  };
}

function loginItemAutostart(o: AutostartOptions, items: LoginItems): Autostart {
  const args = [HIDDEN_ARG];
  const isEnabled = async (): Promise<boolean> => {
    const state = items.get(o.platform === 'win32' ? { args } : {});
    // Windows: the run key may be switched off in Task Manager; macOS 13+: it may await approval.
    if (o.platform === 'win32' && state.executableWillLaunchAtLogin !== undefined) return state.executableWillLaunchAtLogin;
    if (o.platform === 'darwin' && state.status !== undefined) return state.status === 'enabled';
    return state.openAtLogin;
  };
  return {
    isEnabled,
    async setEnabled(enabled) {
      items.set(o.platform === 'win32' ? { openAtLogin: enabled, args } : { openAtLogin: enabled });
      return isEnabled();
    },
  };
}

export function createAutostart(o: AutostartOptions): Autostart {
  if (o.platform === 'darwin' || o.platform === 'win32') {
    if (!o.loginItems) throw new Error(`launch at login on ${o.platform} needs the OS login items`);
    return loginItemAutostart(o, o.loginItems);
  }
  return linuxAutostart(o);
}

/** Whether this process was started by the OS at login (and so should stay in the tray). */
export function launchedAtLogin(argv: readonly string[], macWasOpenedAtLogin = false): boolean {
  return argv.includes(HIDDEN_ARG) || macWasOpenedAtLogin;
}
