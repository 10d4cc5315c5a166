/**
 * The tray icon and its menu, and the desktop notifications, drawn from the plain models of
 * electron/desktop/tray. The menu is built anew on every change: Linux's app-indicator only shows
 * a menu that is set again, never one changed in place.
 */
import { join } from 'node:path';
import { Menu, nativeImage, Notification, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { trayIconFile } from '../desktop/tray/icons';
import type { TrayAction, TrayMenuItem, TrayModel, TrayNotice, TrayState } from '../desktop/tray/model';
import { BoundedSet } from '../core/util/bounded';

export interface AppTrayOptions {
  /** assets/tray of the app. */
  iconsDir: string;
  platform: NodeJS.Platform;
  onAction: (action: TrayAction) => void;
}

export function trayIcon(iconsDir: string, platform: NodeJS.Platform, state: TrayState): NativeImage {
  // createFromPath picks up the @2x sibling by itself.
  const image = nativeImage.createFromPath(join(iconsDir, trayIconFile(platform, state)));
  if (platform === 'darwin') image.setTemplateImage(true);
  return image;
}

function menuItem(item: TrayMenuItem, onAction: (action: TrayAction) => void): MenuItemConstructorOptions {
  switch (item.kind) {
    case 'separator':
      return { type: 'separator' };
    case 'status':
      return { label: item.label, enabled: false };
    case 'action':
      return { label: item.label, click: () => onAction(item.action) };
    case 'checkbox':
      return { label: item.label, type: 'checkbox', checked: item.checked, click: () => onAction(item.action) };
  }
}

const MAX_NOTICES = 20;

export class AppTray {
  private readonly tray: Tray;
  private state: TrayState = 'stopped';
  private menuKey = '';
  /** Notifications in view, kept referenced so a click still reaches its handler. */
  private readonly notices = new BoundedSet<Notification>(MAX_NOTICES);

  constructor(private readonly o: AppTrayOptions) {
    this.tray = new Tray(trayIcon(o.iconsDir, o.platform, this.state));
    // Windows users expect a left click on the tray icon to open the app (macOS and Linux show the menu).
    if (o.platform === 'win32') this.tray.on('click', () => o.onAction({ type: 'open', view: 'dashboard' }));
  }

  update(model: TrayModel): void {
    if (model.state !== this.state) {
      this.state = model.state;
      this.tray.setImage(trayIcon(this.o.iconsDir, this.o.platform, model.state));
    }
    this.tray.setToolTip(model.tooltip);
    const key = JSON.stringify(model.items);
    if (key === this.menuKey) return;
    this.menuKey = key;
    this.tray.setContextMenu(Menu.buildFromTemplate(model.items.map((item) => menuItem(item, this.o.onAction))));
  }

  notify(notice: TrayNotice, onClick: () => void): void {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: notice.title, body: notice.body });
    const done = (): void => {
      this.notices.delete(n);
    };
    n.on('click', () => {
      done();
      onClick();
    });
    n.on('close', done);
    // Some desktops never report a close: keep only the latest few.
    this.notices.add(n);
    n.show();
  }

  /** Whether the icon is still there (the smoke test checks it). */
  isAlive(): boolean {
    return !this.tray.isDestroyed();
  }

  destroy(): void {
    this.notices.clear();
    this.tray.destroy();
  }
}
