import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { trayModel, type TrayAction } from '../../../electron/desktop/tray/model';
import type { BridgeStatusView } from '../../../electron/shared/api';
import { FakeNotification, FakeTray, resetFakes } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());

const { AppTray, trayIcon } = await import('../../../electron/main/tray');

const ICONS = join(import.meta.dirname, '../../../assets/tray');

function status(state: BridgeStatusView['state'], dingtalk: BridgeStatusView['dingtalk']['status'] = 'idle'): BridgeStatusView {
  return { state, dingtalk: { status: dingtalk }, cccc: { status: 'up' }, outboxDepth: 0, inboxDepth: 0 };
}

beforeEach(() => resetFakes());

describe('tray icons per platform', () => {
  it('macOS: template images; Windows: .ico; Linux: PNG — and every file exists', () => {
    const mac = trayIcon(ICONS, 'darwin', 'connected') as unknown as { path: string; template: boolean };
    expect(mac).toMatchObject({ path: join(ICONS, 'mac', 'connectedTemplate.png'), template: true });
    const win = trayIcon(ICONS, 'win32', 'error') as unknown as { path: string; template: boolean };
    expect(win).toMatchObject({ path: join(ICONS, 'win', 'error.ico'), template: false });
    const linux = trayIcon(ICONS, 'linux', 'connecting') as unknown as { path: string; template: boolean };
    expect(linux).toMatchObject({ path: join(ICONS, 'linux', 'connecting.png'), template: false });
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const state of ['stopped', 'connecting', 'connected', 'error'] as const) {
        expect(existsSync((trayIcon(ICONS, platform, state) as unknown as { path: string }).path)).toBe(true);
      }
    }
  });
});

describe('AppTray', () => {
  it('starts stopped, swaps the icon only when the state changes, and sets a new menu on every change', () => {
    const actions: TrayAction[] = [];
    const tray = new AppTray({ iconsDir: ICONS, platform: 'linux', onAction: (a) => actions.push(a) });
    const fake = FakeTray.all[0]!;
    expect(fake.image).toMatchObject({ path: join(ICONS, 'linux', 'stopped.png') });

    const stopped = trayModel({ bridges: [{ id: 'a', name: 'Alpha', status: status('stopped') }], language: 'en', launchAtLogin: false });
    tray.update(stopped);
    const firstImage = fake.image;
    expect(fake.menus).toBe(1);
    tray.update(stopped);
    expect(fake.menus).toBe(1);
    expect(fake.image).toBe(firstImage);

    tray.update(trayModel({ bridges: [{ id: 'a', name: 'Alpha', status: status('starting', 'connecting') }], language: 'en', launchAtLogin: false }));
    expect(fake.menus).toBe(2);
    expect(fake.image).toMatchObject({ path: join(ICONS, 'linux', 'connecting.png') });
    expect(fake.menu!.items[0]).toEqual({ label: 'Alpha — Connecting…', enabled: false });
    expect(fake.menu!.items[2]).toEqual({ type: 'separator' });
    fake.menu!.items.find((i) => i.label === 'Stop Alpha')!.click!();
    expect(actions).toEqual([{ type: 'stop', bridgeId: 'a' }]);
    const checkbox = fake.menu!.items.find((i) => i.label === 'Launch at login')!;
    expect(checkbox).toMatchObject({ type: 'checkbox', checked: false });

    tray.destroy();
    expect(fake.destroyed).toBe(true);
  });

  it('on Windows a left click opens the dashboard', () => {
    const onAction = vi.fn();
    new AppTray({ iconsDir: ICONS, platform: 'win32', onAction });
    FakeTray.all[0]!.emit('click');
    expect(onAction).toHaveBeenCalledWith({ type: 'open', view: 'dashboard' });
    new AppTray({ iconsDir: ICONS, platform: 'linux', onAction });
    expect(FakeTray.all[1]!.listenerCount('click')).toBe(0);
  });

  it('shows notifications where supported and routes their click', () => {
    const tray = new AppTray({ iconsDir: ICONS, platform: 'linux', onAction: () => undefined });
    const onClick = vi.fn();
    tray.notify({ key: 'k', title: 'T', body: 'B', view: 'dashboard' }, onClick);
    expect(FakeNotification.shown.map((n) => n.options)).toEqual([{ title: 'T', body: 'B' }]);
    FakeNotification.shown[0]!.emit('click');
    expect(onClick).toHaveBeenCalledTimes(1);

    const supported = vi.spyOn(FakeNotification, 'isSupported').mockReturnValue(false);
    tray.notify({ key: 'k2', title: 'T2', body: 'B2', view: 'dashboard' }, onClick);
    expect(FakeNotification.shown).toHaveLength(1);
    supported.mockRestore();
  });
});
