import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createAutostart,
  desktopEntry,
  entryIsActive,
  HIDDEN_ARG,
  launchedAtLogin,
  quoteExecArg,
  xdgAutostartDir,
  type LoginItems,
} from '../../../electron/desktop/autostart';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'autostart-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const base = { homedir: '', execPath: '/opt/CCCC DingTalk Bridge/cccc-dingtalk-bridge', id: 'cccc-dingtalk-bridge', name: 'CCCC DingTalk Bridge' };

describe('Linux: XDG autostart entry', () => {
  it('honours an absolute XDG_CONFIG_HOME and ignores a relative one', () => {
    expect(xdgAutostartDir({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe('/x/cfg/autostart');
    expect(xdgAutostartDir({ XDG_CONFIG_HOME: 'cfg' }, '/home/u')).toBe('/home/u/.config/autostart');
    expect(xdgAutostartDir({}, '/home/u')).toBe('/home/u/.config/autostart');
  });

  it('writes a .desktop file in $XDG_CONFIG_HOME/autostart, reports it, and removes it', async () => {
    const env = { XDG_CONFIG_HOME: join(home, 'cfg') };
    const auto = createAutostart({ ...base, homedir: home, platform: 'linux', env });
    expect(await auto.isEnabled()).toBe(false);
    expect(await auto.setEnabled(true)).toBe(true);
    const file = join(home, 'cfg', 'autostart', 'cccc-dingtalk-bridge.desktop');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('[Desktop Entry]\nType=Application\n');
    expect(text).toContain(`Exec="/opt/CCCC DingTalk Bridge/cccc-dingtalk-bridge" ${HIDDEN_ARG}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await auto.isEnabled()).toBe(true);
    expect(await auto.setEnabled(false)).toBe(false);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    // Turning off what is already off is not an error.
    expect(await auto.setEnabled(false)).toBe(false);
  });

  it('falls back to ~/.config and launches the AppImage itself, not its temporary mount', async () => {
    const auto = createAutostart({ ...base, homedir: home, platform: 'linux', env: { APPIMAGE: '/home/u/Apps/Bridge.AppImage' } });
    await auto.setEnabled(true);
    const text = await readFile(join(home, '.config', 'autostart', 'cccc-dingtalk-bridge.desktop'), 'utf8');
    expect(text).toContain('Exec=/home/u/Apps/Bridge.AppImage --hidden\n');
  });

  it('reflects an entry the desktop settings switched off', async () => {
    const dir = join(home, '.config', 'autostart');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'cccc-dingtalk-bridge.desktop');
    const auto = createAutostart({ ...base, homedir: home, platform: 'linux', env: {} });
    await writeFile(file, desktopEntry(base).replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    expect(await auto.isEnabled()).toBe(false);
    await writeFile(file, `${desktopEntry(base)}Hidden=true\n`);
    expect(await auto.isEnabled()).toBe(false);
    await writeFile(file, desktopEntry(base));
    expect(await auto.isEnabled()).toBe(true);
  });

  it('only reads keys of the [Desktop Entry] group', () => {
    expect(entryIsActive('[Desktop Entry]\nType=Application\n[Other]\nHidden=true\n')).toBe(true);
    expect(entryIsActive('[Other]\nType=Application\n')).toBe(false);
    expect(entryIsActive('')).toBe(false);
  });

  it('quotes Exec arguments per the Desktop Entry spec', () => {
    expect(quoteExecArg('/usr/bin/app')).toBe('/usr/bin/app');
    expect(quoteExecArg('/a b/app')).toBe('"/a b/app"');
    expect(quoteExecArg('/a$b/"x"')).toBe('"/a\\\\$b/\\\\"x\\\\""');
    expect(quoteExecArg('/a\\b')).toBe('"/a\\\\\\\\b"');
    expect(quoteExecArg('/100%/app')).toBe('"/100%%/app"');
    expect(desktopEntry({ execPath: '/x', name: 'A\nB', comment: 'c\r\nd' })).toContain('Name=A B\nComment=c d\n');
  });
});

function fakeLoginItems(state: ReturnType<LoginItems['get']>): LoginItems & { get: ReturnType<typeof vi.fn>; set: ReturnType<typeof vi.fn> } {
  return {
    get: vi.fn(() => state),
    set: vi.fn((s: { openAtLogin: boolean }) => {
      state.openAtLogin = s.openAtLogin;
      if (state.status !== undefined) state.status = s.openAtLogin ? 'enabled' : 'not-registered';
      if (state.executableWillLaunchAtLogin !== undefined) state.executableWillLaunchAtLogin = s.openAtLogin;
    }),
  };
}

describe('macOS and Windows: the OS login items', () => {
  it('macOS: sets the login item and reports its status (approval pending counts as off)', async () => {
    const items = fakeLoginItems({ openAtLogin: false, status: 'not-registered' });
    const auto = createAutostart({ ...base, homedir: home, platform: 'darwin', env: {}, loginItems: items });
    expect(await auto.setEnabled(true)).toBe(true);
    expect(items.set).toHaveBeenCalledWith({ openAtLogin: true });
    items.get.mockReturnValue({ openAtLogin: true, status: 'requires-approval' });
    expect(await auto.isEnabled()).toBe(false);
  });

  it('Windows: registers with the hidden argument and honours Task Manager switching it off', async () => {
    const items = fakeLoginItems({ openAtLogin: false, executableWillLaunchAtLogin: false });
    const auto = createAutostart({ ...base, homedir: home, platform: 'win32', env: {}, loginItems: items });
    expect(await auto.setEnabled(true)).toBe(true);
    expect(items.set).toHaveBeenCalledWith({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(items.get).toHaveBeenCalledWith({ args: [HIDDEN_ARG] });
    items.get.mockReturnValue({ openAtLogin: true, executableWillLaunchAtLogin: false });
    expect(await auto.isEnabled()).toBe(false);
    expect(await auto.setEnabled(false)).toBe(false);
  });

  it('refuses to guess without the OS login items', () => {
    expect(() => createAutostart({ ...base, homedir: home, platform: 'darwin', env: {} })).toThrow(/login items/);
  });

  it('knows a launch at login by its argument or by macOS saying so', () => {
    expect(launchedAtLogin(['app', HIDDEN_ARG])).toBe(true);
    expect(launchedAtLogin(['app'], true)).toBe(true);
    expect(launchedAtLogin(['app'])).toBe(false);
  });
});
